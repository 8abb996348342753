import {
  b256FromPublicKey,
  buildActionsSigningBytes,
  buildSessionSigningBytes,
  createFuelWallet,
  createEvmWallet,
  createSessionKey,
  evmB256FromPublicKey,
  evmPersonalSignDigest,
  fuelPersonalSignDigest,
  type Hex,
  actionToCall,
  recoverPublicKey,
  sha256,
} from '../../../adapters/o2/crypto/index.js';
import {
  createO2SessionActionsRequest,
  createO2SessionRequest,
  createO2WithdrawRequest,
  o2CancelOrderAction,
  o2CreateOrderAction,
  o2DepthPrecision,
  o2Frames,
  o2SettleBalanceAction,
} from '../../../adapters/o2/requests.js';
import {
  O2ClientFrame,
  O2SessionActionsRequest,
  O2SessionRequest,
  O2WireAction,
  O2WithdrawRequest,
} from '../../../adapters/o2/schemas/requests.js';
import { isTickwireError } from '../../../src/errors/index.js';
import { parse } from '../../../src/schemas/index.js';

const OWNER_KEY = `0x${'deadbeef'.repeat(8)}` as Hex;
const SESSION_KEY = `0x${'01'.repeat(32)}` as Hex;
const C44 = `0x${'44'.repeat(32)}` as Hex;
const TA = '0xd3ca0cbf374bb2e11e1f554b088e0bc6b168b251b820a42a69624be4aa2f2a2f' as Hex;
const MARKET_ID = '0xc0c5c48315d8cfff9f00777f81fdf04e9b4ef69e802a1a068549a8d6a06ee19f' as Hex;
const market = {
  marketId: MARKET_ID,
  contractId: C44,
  baseAssetId: `0x${'55'.repeat(32)}` as Hex,
  quoteAssetId: `0x${'66'.repeat(32)}` as Hex,
  baseDecimals: 9,
};

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isTickwireError(e)) return e.code;
    throw e;
  }
  return 'none';
}

describe('O2 signed requests', () => {
  it('session request reproduces the §4.5 session signature', () => {
    const body = createO2SessionRequest({
      owner: createFuelWallet(OWNER_KEY),
      tradeAccountId: TA,
      sessionKey: createSessionKey(SESSION_KEY),
      contractIds: [C44],
      nonce: 7n,
      chainId: 0n,
      expiry: 1767225600n,
    });
    expect(body.signature.Secp256k1).toBe(
      '0x451dde44ffdea5db0508ba0b0c6664a3a5d1fe0e05a9dc594566f1d638969fd70029897d5352d378c2f6ea7b23f7ccfe763b24408d8dab3de86833951b51eeda',
    );
    expect(body).toMatchObject({ nonce: '7', expiry: '1767225600', contract_id: TA });
    expect(() => parse(O2SessionRequest, body, 'session request')).not.toThrow();
  });

  it('actions request reproduces the §4.5 actions signature and verifies like the simulator', () => {
    const session = createSessionKey(SESSION_KEY);
    const body = createO2SessionActionsRequest({
      sessionKey: session,
      tradeAccountId: TA,
      nonce: 8n,
      groups: [
        {
          market,
          actions: [
            o2SettleBalanceAction(`0x${'22'.repeat(32)}` as Hex),
            o2CreateOrderAction({ side: 'buy', price: 20_000_000n, quantity: 100_000_000_000n }),
          ],
        },
      ],
      collectOrders: true,
    });
    expect(body.signature.Secp256k1).toBe(
      '0x69c47fbeabc8af5a3da4622ef54df2ff91309847a0ba237a56cede2bda8b2a3624095bba935d7fde0b0728f31c96418a937c48d115f26c7c95f6e9adc7f90022',
    );
    const parsed = parse(O2SessionActionsRequest, body, 'actions request');
    const calls = parsed.actions.flatMap((g) => g.actions.map((a) => actionToCall(a, market)));
    const digest = sha256(buildActionsSigningBytes(BigInt(parsed.nonce), calls));
    expect(b256FromPublicKey(recoverPublicKey(digest, parsed.signature.Secp256k1 as Hex))).toBe(
      parsed.session_id.Address,
    );
  });

  it('an EVM owner signs session creation with the EIP-191 digest', () => {
    const owner = createEvmWallet(`0x${'4c'.repeat(32)}` as Hex);
    const session = createSessionKey();
    const body = createO2SessionRequest({
      owner,
      tradeAccountId: TA,
      sessionKey: session,
      contractIds: [C44],
      nonce: 0n,
      chainId: 9889n,
      expiry: 1800000000n,
    });
    const bytes = buildSessionSigningBytes({
      nonce: 0n,
      chainId: 9889n,
      sessionId: session.b256Address,
      expiry: 1800000000n,
      contractIds: [C44],
    });
    const sig = body.signature.Secp256k1 as Hex;
    expect(evmB256FromPublicKey(recoverPublicKey(evmPersonalSignDigest(bytes), sig))).toBe(
      owner.b256Address,
    );
    expect(b256FromPublicKey(recoverPublicKey(fuelPersonalSignDigest(bytes), sig))).not.toBe(
      owner.b256Address,
    );
  });

  it('withdraw request reproduces the §4.5 withdraw signature (default recipient: owner)', () => {
    const owner = createFuelWallet(OWNER_KEY);
    const body = createO2WithdrawRequest({
      owner,
      tradeAccountId: TA,
      nonce: 9n,
      chainId: 0n,
      assetId: `0x${'55'.repeat(32)}` as Hex,
      amount: 1_250_000_000n,
    });
    expect(body.signature.Secp256k1).toBe(
      '0x822e6cff38c99eacca47d07d67a94de73b12023028396c4876186169ac8a9815f531240747215ec0b71dc2f31003f512f1ae89925f805c689ff15176aa630ae3',
    );
    expect(body.to).toEqual({ Address: owner.b256Address });
    expect(() => parse(O2WithdrawRequest, body, 'withdraw')).not.toThrow();
  });

  it('enforces at most 5 actions across at most 5 markets, and at least one', () => {
    const session = createSessionKey();
    const cancel = o2CancelOrderAction(`0x${'b1'.repeat(32)}` as Hex);
    const req = (
      groups: { market: typeof market; actions: ReturnType<typeof o2CancelOrderAction>[] }[],
    ) =>
      code(() =>
        createO2SessionActionsRequest({
          sessionKey: session,
          tradeAccountId: TA,
          nonce: 1n,
          groups,
        }),
      );
    expect(req([{ market, actions: Array(5).fill(cancel) }])).toBe('none');
    expect(req([{ market, actions: Array(6).fill(cancel) }])).toBe('INVALID_ARGUMENT');
    expect(
      req([
        { market, actions: [cancel, cancel, cancel] },
        { market, actions: [cancel, cancel, cancel] },
      ]),
    ).toBe('INVALID_ARGUMENT');
    expect(req([])).toBe('INVALID_ARGUMENT');
    expect(req([{ market, actions: [] }])).toBe('INVALID_ARGUMENT');
  });

  it('the request schema rejects over-full batches and lower-case sides', () => {
    const body = createO2SessionActionsRequest({
      sessionKey: createSessionKey(),
      tradeAccountId: TA,
      nonce: 1n,
      groups: [{ market, actions: [o2CancelOrderAction(`0x${'b1'.repeat(32)}` as Hex)] }],
    });
    const six = {
      ...body,
      actions: [{ ...body.actions[0]!, actions: Array(6).fill(body.actions[0]!.actions[0]) }],
    };
    expect(code(() => parse(O2SessionActionsRequest, six, 'r'))).toBe('VALIDATION_FAILED');
    expect(
      code(() =>
        parse(
          O2WireAction,
          { CreateOrder: { side: 'buy', price: '1', quantity: '1', order_type: 'Spot' } },
          'a',
        ),
      ),
    ).toBe('VALIDATION_FAILED');
  });

  it('order-type helpers produce the wire forms actionToCall encodes', () => {
    const limit = o2CreateOrderAction({
      side: 'sell',
      price: 21_400_000n,
      quantity: 2_000_000_000_000n,
      orderType: { Limit: [21_400_000n, 1767225600n] },
    });
    expect(limit).toEqual({
      CreateOrder: {
        side: 'Sell',
        price: '21400000',
        quantity: '2000000000000',
        order_type: { Limit: ['21400000', '1767225600'] },
      },
    });
    const bounded = o2CreateOrderAction({
      side: 'buy',
      price: 23_000_000n,
      quantity: 1_000_000n,
      orderType: { BoundedMarket: { maxPrice: 23_000_000n, minPrice: 19_000_000n } },
    });
    expect(() => parse(O2WireAction, bounded, 'a')).not.toThrow();
    expect(actionToCall(bounded, market).callData).toHaveLength(8 + 8 + 24);
  });
});

describe('O2 socket frames', () => {
  it('depth precision is the string 10^level, 1–18', () => {
    expect(o2DepthPrecision(1)).toBe('10');
    expect(o2DepthPrecision(18)).toBe('1000000000000000000');
    expect(code(() => o2DepthPrecision(0))).toBe('INVALID_ARGUMENT');
    expect(code(() => o2DepthPrecision(19))).toBe('INVALID_ARGUMENT');
  });

  it('frames match the documented shapes and the client-frame schema', () => {
    const frames = [
      o2Frames.subscribeDepth(MARKET_ID, 2),
      o2Frames.unsubscribeDepth(MARKET_ID),
      o2Frames.subscribeTrades(MARKET_ID),
      o2Frames.unsubscribeTrades(MARKET_ID),
      o2Frames.subscribeOrders([TA]),
      o2Frames.unsubscribeOrders(),
      o2Frames.subscribeBalances([TA]),
      o2Frames.unsubscribeBalances([TA]),
      o2Frames.subscribeNonce([TA]),
      o2Frames.unsubscribeNonce([TA]),
    ];
    for (const f of frames) expect(parse(O2ClientFrame, f, 'frame')).toEqual(f);
    expect(frames[0]).toEqual({
      action: 'subscribe_depth',
      market_id: MARKET_ID,
      precision: '100',
    });
    expect(frames[1]).toEqual({ action: 'unsubscribe_depth', market_id: MARKET_ID });
    expect(frames[4]).toEqual({ action: 'subscribe_orders', identities: [{ ContractId: TA }] });
    expect(frames[5]).toEqual({ action: 'unsubscribe_orders' });
  });

  it('at most 10 identities per request', () => {
    const ids = Array.from({ length: 11 }, () => TA);
    expect(code(() => o2Frames.subscribeNonce(ids))).toBe('INVALID_ARGUMENT');
    expect(code(() => o2Frames.subscribeNonce(ids.slice(0, 10)))).toBe('none');
  });
});
