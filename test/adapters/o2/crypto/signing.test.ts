import fc from 'fast-check';
import { secp256k1 } from '@noble/curves/secp256k1';
import {
  actionToCall,
  b256FromPublicKey,
  buildActionsSigningBytes,
  buildSessionSigningBytes,
  bytesToHex,
  createEvmWallet,
  createFuelWallet,
  createSessionKey,
  evmB256FromPublicKey,
  evmPersonalSignDigest,
  fuelCompactSign,
  fuelPersonalSignDigest,
  generateFuelWallet,
  type Hex,
  hexToBytes,
  recoverPublicKey,
  sha256,
} from '../../../../adapters/o2/crypto/index.js';
import { createError, isTickwireError } from '../../../../src/errors/index.js';

const HALF_N = secp256k1.CURVE.n / 2n;
const C44 = `0x${'44'.repeat(32)}` as Hex;
const market = {
  contractId: C44,
  baseAssetId: `0x${'55'.repeat(32)}` as Hex,
  quoteAssetId: `0x${'66'.repeat(32)}` as Hex,
  baseDecimals: 9,
};

function expectCode(fn: () => unknown, code: string, field?: string): void {
  try {
    fn();
  } catch (e) {
    expect(isTickwireError(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    if (field !== undefined) expect((e as Error).message).toContain(field);
    return;
  }
  throw new Error(`expected ${code}`);
}

const keyArb = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .filter((k) => secp256k1.utils.isValidSecretKey(k));
const digestArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe('fuelCompactSign / recoverPublicKey', () => {
  it('round-trips: the recovered key is the signer, s is low, signing is deterministic', () => {
    fc.assert(
      fc.property(keyArb, digestArb, (key, digest) => {
        const sig = fuelCompactSign(key, digest);
        expect(sig).toMatch(/^0x[0-9a-f]{128}$/);
        expect(sig).toBe(fuelCompactSign(key, digest));
        const bytes = hexToBytes(sig, 'sig', 64);
        const s = BigInt(`0x${bytesToHex(bytes.subarray(32)).slice(2)}`) & ((1n << 255n) - 1n);
        expect(s <= HALF_N).toBe(true);
        const pub = recoverPublicKey(digest, sig);
        expect(bytesToHex(pub)).toBe(bytesToHex(secp256k1.getPublicKey(key, false)));
      }),
      { numRuns: 40 },
    );
  });

  it('sets the top bit of s[0] exactly when the recovery id is 1', () => {
    fc.assert(
      fc.property(keyArb, digestArb, (key, digest) => {
        const sig = fuelCompactSign(key, digest);
        const recovery = secp256k1.sign(digest, key, { prehash: false, lowS: true }).recovery;
        expect(hexToBytes(sig, 'sig', 64)[32]! >> 7).toBe(recovery);
      }),
      { numRuns: 20 },
    );
  });

  it('recovers a different key when the recovery bit is flipped', () => {
    const key = secp256k1.utils.randomSecretKey();
    const digest = sha256(new Uint8Array([1, 2, 3]));
    const bytes = hexToBytes(fuelCompactSign(key, digest), 'sig', 64);
    bytes[32] = bytes[32]! ^ 0x80;
    const flipped = bytesToHex(bytes);
    let other: string | undefined;
    try {
      other = bytesToHex(recoverPublicKey(digest, flipped));
    } catch (e) {
      expect(isTickwireError(e, 'AUTH_INVALID_SIGNATURE')).toBe(true);
    }
    expect(other).not.toBe(bytesToHex(secp256k1.getPublicKey(key, false)));
  });

  it('rejects malformed signatures, digests and keys with typed errors', () => {
    const digest = new Uint8Array(32).fill(7);
    expectCode(() => recoverPublicKey(digest, '0x1234'), 'AUTH_INVALID_SIGNATURE');
    expectCode(() => recoverPublicKey(digest, `0x${'00'.repeat(64)}`), 'AUTH_INVALID_SIGNATURE');
    expectCode(
      () => fuelCompactSign(new Uint8Array(32).fill(1), new Uint8Array(31)),
      'INVALID_ARGUMENT',
    );
    expectCode(() => fuelCompactSign(new Uint8Array(32), digest), 'AUTH_INVALID_KEY');
    expectCode(() => createFuelWallet('0x1234'), 'INVALID_ARGUMENT', 'privateKey');
    expectCode(() => b256FromPublicKey(new Uint8Array(33)), 'INVALID_ARGUMENT');
  });
});

describe('wallets', () => {
  // web3.js documentation example key, address and EIP-191 signature of "Some data".
  const EVM_KEY = '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318' as Hex;

  it('derives the EVM address and its zero-padded b256 form', () => {
    const w = createEvmWallet(EVM_KEY);
    expect(w.kind).toBe('evm');
    expect(w.evmAddress).toBe('0x2c7536e3605d9c16a7a3d7b1898e529396a65c23');
    expect(w.b256Address).toBe(`0x${'00'.repeat(12)}2c7536e3605d9c16a7a3d7b1898e529396a65c23`);
  });

  it('signs EIP-191 like web3.js (r, s, v=28 → recovery bit set)', () => {
    const w = createEvmWallet(EVM_KEY);
    const msg = new TextEncoder().encode('Some data');
    expect(bytesToHex(evmPersonalSignDigest(msg))).toBe(
      '0x1da44b586eb0729ff70a73c326926f6ed5a25f5b056e7f47fbc6e58d86871655',
    );
    const sig = w.personalSign(msg);
    expect(sig).toBe(
      '0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fde007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a029',
    );
    expect(evmB256FromPublicKey(recoverPublicKey(evmPersonalSignDigest(msg), sig))).toBe(
      w.b256Address,
    );
  });

  it('verifies a session creation signed by a generated wallet as the simulator would', () => {
    const owner = generateFuelWallet();
    const session = createSessionKey();
    expect(session.b256Address).not.toBe(createSessionKey().b256Address);
    const bytes = buildSessionSigningBytes({
      nonce: 0n,
      chainId: 9889n,
      sessionId: session.b256Address,
      expiry: 1_800_000_000n,
      contractIds: [C44, `0x${'ab'.repeat(32)}` as Hex],
    });
    expect(bytes).toHaveLength(131 + 32);
    const sig = owner.personalSign(bytes);
    expect(b256FromPublicKey(recoverPublicKey(fuelPersonalSignDigest(bytes), sig))).toBe(
      owner.b256Address,
    );
    expect(createFuelWallet(owner.privateKey).b256Address).toBe(owner.b256Address);
  });

  it('never shows a private key in JSON, inspection or errors', () => {
    const owner = generateFuelWallet();
    const hex = bytesToHex(owner.privateKey).slice(2);
    expect(JSON.stringify(owner)).not.toContain(hex);
    expect(Object.keys(owner)).not.toContain('privateKey');
    const err = createError('INTERNAL', `leaked 0x${hex} and ${hex}`);
    expect(err.message).not.toContain(hex);
    expect(JSON.stringify(err)).not.toContain(hex);
    const key = `0x${'ab'.repeat(32)}` as Hex;
    createSessionKey(key);
    expect(createError('INTERNAL', `oops ${key}`).message).not.toContain('ab'.repeat(32));
  });
});

describe('actionToCall', () => {
  const order = (order_type: unknown, side = 'Sell') => ({
    CreateOrder: { side, price: '21300000', quantity: '1500000000000', order_type },
  });

  it('forwards the base quantity on a sell and floors price×qty/10^dec on a buy', () => {
    const sell = actionToCall(order('Spot'), market);
    expect(sell.amount).toBe(1_500_000_000_000n);
    expect(sell.assetId).toBe(market.baseAssetId);
    const buy = actionToCall(
      { CreateOrder: { side: 'buy', price: 3, quantity: '1000000001', order_type: 'Market' } },
      market,
    );
    expect(buy.amount).toBe(3n);
    expect(buy.assetId).toBe(market.quoteAssetId);
  });

  it('packs every order type tightly', () => {
    const tail = (ot: unknown) =>
      bytesToHex(actionToCall(order(ot), market).callData!.subarray(16));
    expect(tail('Spot')).toBe('0x0000000000000001');
    expect(tail('FillOrKill')).toBe('0x0000000000000002');
    expect(tail('PostOnly')).toBe('0x0000000000000003');
    expect(tail('Market')).toBe('0x0000000000000004');
    expect(tail({ Limit: ['21300000', '1767225600'] })).toBe(
      '0x00000000000000000000000001450320000000006955b900',
    );
    expect(tail({ BoundedMarket: { max_price: 23000000, min_price: '19000000' } })).toBe(
      '0x000000000000000500000000015ef3c0000000000121eac0',
    );
  });

  it('encodes cancel, settle and register-referer calls', () => {
    const orderId = `0x${'b1'.repeat(32)}` as Hex;
    const cancel = actionToCall({ CancelOrder: { order_id: orderId } }, market);
    expect(cancel.selector).toBe('cancel_order');
    expect(bytesToHex(cancel.callData!)).toBe(orderId);
    expect(cancel.assetId).toBe(`0x${'00'.repeat(32)}`);
    const registry = `0x${'77'.repeat(32)}` as Hex;
    const referer = actionToCall(
      { RegisterReferer: { referer: { Address: `0x${'88'.repeat(32)}` } } },
      market,
      registry,
    );
    expect(referer.contractId).toBe(registry);
    expect(bytesToHex(referer.callData!)).toBe(`0x0000000000000000${'88'.repeat(32)}`);
    const bytes = buildActionsSigningBytes(1n, [cancel]);
    // nonce, count, contract, selector length 20, selector, amount, asset, gas, Some, len 32, id
    expect(bytes).toHaveLength(8 + 8 + 32 + 8 + 20 + 8 + 32 + 8 + 8 + 8 + 32);
  });

  it('rejects malformed actions naming the field', () => {
    expectCode(() => actionToCall({}, market), 'INVALID_ARGUMENT', 'action');
    expectCode(() => actionToCall({ Nope: {} }, market), 'INVALID_ARGUMENT', 'Nope');
    expectCode(() => actionToCall(order('Spot', 'hold'), market), 'INVALID_ARGUMENT', 'side');
    expectCode(() => actionToCall(order('Iceberg'), market), 'INVALID_ARGUMENT', 'order_type');
    expectCode(
      () =>
        actionToCall(
          { CreateOrder: { side: 'Buy', price: '1.5', quantity: '1', order_type: 'Spot' } },
          market,
        ),
      'INVALID_ARGUMENT',
      'price',
    );
    expectCode(
      () =>
        actionToCall(
          {
            CreateOrder: {
              side: 'Buy',
              price: '18446744073709551616',
              quantity: '1',
              order_type: 'Spot',
            },
          },
          market,
        ),
      'INVALID_ARGUMENT',
      'price',
    );
    expectCode(
      () => actionToCall({ SettleBalance: { to: { Wallet: C44 } } }, market),
      'INVALID_ARGUMENT',
      'to',
    );
    expectCode(
      () => actionToCall({ RegisterReferer: { to: { Address: C44 } } }, market),
      'INVALID_ARGUMENT',
      'accountsRegistryId',
    );
  });
});
