import {
  actionToCall,
  b256FromPublicKey,
  buildActionsSigningBytes,
  buildSessionSigningBytes,
  buildWithdrawSigningBytes,
  bytesToHex,
  createFuelWallet,
  createSessionKey,
  fuelCompactSign,
  fuelPersonalSignDigest,
  functionSelector,
  type Hex,
  publicKeyFromPrivateKey,
  recoverPublicKey,
  sha256,
  u64,
} from '../../../../adapters/o2/crypto/index.js';

// Test vectors from o2-protocol.md §4.5, checked against @noble/curves 1.9.
const OWNER_KEY = `0x${'deadbeef'.repeat(8)}` as Hex;
const SESSION_KEY = `0x${'01'.repeat(32)}` as Hex;
const OWNER_PUB =
  '0x04c6b754b20826eb925e052ee2c25285b162b51fdca732bcf67e39d647fb6830aeb651944a574a362082a77e3f2b5d9223eb54d7f2f76846522bf75f3bedb8178e';
const OWNER_B256 = '0x39fe21cc687730b004834b427f02db82b0161cf982da4ec9f579ef4489301019';
const SESSION_B256 = '0xe047c8ffeb69e4f853676b3efb1d59fe8d42bf46234d0277c2faca79628fae24';
const C44 = `0x${'44'.repeat(32)}` as Hex;
const C22 = `0x${'22'.repeat(32)}` as Hex;
const A55 = `0x${'55'.repeat(32)}` as Hex;
const A66 = `0x${'66'.repeat(32)}` as Hex;

const SESSION_BYTES =
  '0x00000000000000070000000000000000000000000000000b7365745f73657373696f6e00000000000000010000000000000000e047c8ffeb69e4f853676b3efb1d59fe8d42bf46234d0277c2faca79628fae24000000006955b90000000000000000014444444444444444444444444444444444444444444444444444444444444444';
const SESSION_DIGEST = '0x0c1047d40f2cf0a0a0cd9c11c415590852d96cb45e4a996b8b59f61290a47610';
const SESSION_SIG =
  '0x451dde44ffdea5db0508ba0b0c6664a3a5d1fe0e05a9dc594566f1d638969fd70029897d5352d378c2f6ea7b23f7ccfe763b24408d8dab3de86833951b51eeda';

const ACTIONS_BYTES =
  '0x0000000000000008000000000000000244444444444444444444444444444444444444444444444444444444444444440000000000000016000000000000000e736574746c655f62616c616e636500000000000000000000000000000000000000000000000000000000000000000000000000000000ffffffffffffffff000000000000000100000000000000280000000000000001222222222222222222222222222222222222222222222222222222222222222244444444444444444444444444444444444444444444444444444444444444440000000000000014000000000000000c6372656174655f6f7264657200000000773594006666666666666666666666666666666666666666666666666666666666666666ffffffffffffffff000000000000000100000000000000180000000001312d00000000174876e8000000000000000001';
const ACTIONS_SHA = '0xfe2804a19aca5ee96ab3ce9cc0cc17650997fa432da91e4e6372b43d6f4ce423';
const ACTIONS_SIG =
  '0x69c47fbeabc8af5a3da4622ef54df2ff91309847a0ba237a56cede2bda8b2a3624095bba935d7fde0b0728f31c96418a937c48d115f26c7c95f6e9adc7f90022';

const WITHDRAW_BYTES =
  '0x0000000000000009000000000000000000000000000000087769746864726177000000000000000039fe21cc687730b004834b427f02db82b0161cf982da4ec9f579ef44893010195555555555555555555555555555555555555555555555555555555555555555000000004a817c80';
const WITHDRAW_DIGEST = '0xd248dc0de61514229c685e617dc9c5888daa2ff9a193c597c614da95c43ef6dc';
const WITHDRAW_SIG =
  '0x822e6cff38c99eacca47d07d67a94de73b12023028396c4876186169ac8a9815f531240747215ec0b71dc2f31003f512f1ae89925f805c689ff15176aa630ae3';

const market = {
  contractId: C44,
  baseAssetId: A55,
  quoteAssetId: A66,
  baseDecimals: 9,
};

describe('O2 crypto test vectors (o2-protocol.md §4.5)', () => {
  it('derives the owner public key and Fuel b256 address', () => {
    const key = Uint8Array.from(Buffer.from(OWNER_KEY.slice(2), 'hex'));
    const pub = publicKeyFromPrivateKey(key);
    expect(bytesToHex(pub)).toBe(OWNER_PUB);
    expect(b256FromPublicKey(pub)).toBe(OWNER_B256);
    expect(createFuelWallet(OWNER_KEY).b256Address).toBe(OWNER_B256);
  });

  it('derives the session key b256 address', () => {
    expect(createSessionKey(SESSION_KEY).b256Address).toBe(SESSION_B256);
  });

  it('builds, digests and signs the session creation message', () => {
    const bytes = buildSessionSigningBytes({
      nonce: 7n,
      chainId: 0n,
      sessionId: SESSION_B256,
      expiry: 1767225600n,
      contractIds: [C44],
    });
    expect(bytes).toHaveLength(131);
    expect(bytesToHex(bytes)).toBe(SESSION_BYTES);
    expect(bytesToHex(fuelPersonalSignDigest(bytes))).toBe(SESSION_DIGEST);
    expect(createFuelWallet(OWNER_KEY).personalSign(bytes)).toBe(SESSION_SIG);
    expect(b256FromPublicKey(recoverPublicKey(fuelPersonalSignDigest(bytes), SESSION_SIG))).toBe(
      OWNER_B256,
    );
  });

  it('builds, hashes and signs the session actions message', () => {
    const calls = [
      actionToCall({ SettleBalance: { to: { ContractId: C22 } } }, market),
      actionToCall(
        {
          CreateOrder: {
            side: 'Buy',
            price: '20000000',
            quantity: '100000000000',
            order_type: 'Spot',
          },
        },
        market,
      ),
    ];
    expect(calls[1]!.amount).toBe(2_000_000_000n);
    const bytes = buildActionsSigningBytes(8n, calls);
    expect(bytesToHex(bytes)).toBe(ACTIONS_BYTES);
    expect(bytesToHex(sha256(bytes))).toBe(ACTIONS_SHA);
    const session = createSessionKey(SESSION_KEY);
    expect(session.rawSign(bytes)).toBe(ACTIONS_SIG);
    expect(b256FromPublicKey(recoverPublicKey(sha256(bytes), ACTIONS_SIG))).toBe(SESSION_B256);
  });

  it('builds, digests and signs the withdraw message', () => {
    const bytes = buildWithdrawSigningBytes({
      nonce: 9n,
      chainId: 0n,
      to: { kind: 'Address', id: OWNER_B256 },
      assetId: A55,
      amount: 1_250_000_000n,
    });
    expect(bytes).toHaveLength(112);
    expect(bytesToHex(bytes)).toBe(WITHDRAW_BYTES);
    expect(bytesToHex(fuelPersonalSignDigest(bytes))).toBe(WITHDRAW_DIGEST);
    expect(createFuelWallet(OWNER_KEY).personalSign(bytes)).toBe(WITHDRAW_SIG);
    const key = Uint8Array.from(Buffer.from(OWNER_KEY.slice(2), 'hex'));
    expect(fuelCompactSign(key, fuelPersonalSignDigest(bytes))).toBe(WITHDRAW_SIG);
  });

  it('encodes selectors and u64 like the SDK tests', () => {
    expect(bytesToHex(functionSelector('create_order'))).toBe(
      '0x000000000000000c6372656174655f6f72646572',
    );
    expect(bytesToHex(functionSelector('cancel_order'))).toBe(
      '0x000000000000000c63616e63656c5f6f72646572',
    );
    expect(bytesToHex(functionSelector('settle_balance'))).toBe(
      '0x000000000000000e736574746c655f62616c616e6365',
    );
    expect(bytesToHex(u64(1_000_000_000n))).toBe('0x000000003b9aca00');
  });
});
