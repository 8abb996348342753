// O2Trading over a fake host (no network): the exact signed bodies, session expiry under a
// fake clock, pre-flight / revert mapping and nonce effects, serialised concurrent orders.
import {
  b256FromPublicKey,
  buildActionsSigningBytes,
  buildSessionSigningBytes,
  actionToCall,
  createFuelWallet,
  fuelPersonalSignDigest,
  recoverPublicKey,
  sha256,
  type Hex,
} from '../../../adapters/o2/crypto/index.js';
import { O2Market, normalizeO2Market } from '../../../adapters/o2/schemas/index.js';
import type {
  O2SessionActionsRequest,
  O2SessionRequest,
} from '../../../adapters/o2/schemas/requests.js';
import { O2Trading, type O2TradingHost } from '../../../adapters/o2/trading/o2-trading.js';
import { createError } from '../../../src/errors/index.js';

const OWNER_KEY = `0x${'de'.repeat(32)}` as Hex;
const ACCOUNT = `0x${'22'.repeat(32)}` as Hex;
const WIRE_MARKET = {
  contract_id: `0x${'44'.repeat(32)}`,
  market_id: `0x${'c0'.repeat(32)}`,
  maker_fee: '0',
  taker_fee: '100',
  min_order: '1000000000',
  dust: '1000',
  price_window: '0',
  base: { symbol: 'fFUEL', asset: `0x${'11'.repeat(32)}`, decimals: 9, max_precision: 3 },
  quote: { symbol: 'fUSDC', asset: `0x${'66'.repeat(32)}`, decimals: 9, max_precision: 9 },
};
const MARKET = normalizeO2Market(O2Market.parse(WIRE_MARKET));

type Answer = (body: unknown) => Promise<unknown>;

/** A host answering from canned data; records every call. */
function fakeHost(serverNonce: { value: bigint }) {
  const calls: { name: string; body: unknown }[] = [];
  const actions: Answer[] = [];
  const sessions: unknown[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const host: O2TradingHost = {
    call: (async (name: string, params: { body?: { json: unknown } }) => {
      const body = params.body?.json;
      calls.push({ name, body });
      switch (name) {
        case 'markets':
          return { chain_id: 0n, markets: [WIRE_MARKET] };
        case 'account':
          return {
            trade_account_id: ACCOUNT,
            trade_account: { nonce: serverNonce.value },
            session: null,
          };
        case 'session': {
          const answer = sessions.shift();
          if (answer !== undefined) return answer;
          serverNonce.value++;
          return { outcome: 'success', tx_id: `0x${'aa'.repeat(32)}` };
        }
        case 'sessionActions': {
          const answer = actions.shift();
          if (answer === undefined) throw new Error('no answer queued');
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          try {
            return await answer(body);
          } finally {
            inFlight--;
          }
        }
        default:
          throw new Error(`unexpected ${name}`);
      }
    }) as O2TradingHost['call'],
    market: async (m) => {
      if (m !== MARKET.symbol && m !== MARKET.id) {
        throw createError('UNKNOWN_MARKET', m, { context: { market: m } });
      }
      return MARKET;
    },
    markets: async () => [MARKET],
  };
  return {
    host,
    calls,
    actions,
    sessions,
    maxInFlight: () => maxInFlight,
  };
}

const success = (orders: unknown[] = []) => ({
  outcome: 'success' as const,
  tx_id: `0x${'bb'.repeat(32)}`,
  orders,
});

describe('O2Trading (fake host)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('signs set_session with the owner key over the exact layout, then actions with the session key', async () => {
    const server = { value: 7n };
    const { host, calls, actions } = fakeHost(server);
    const trading = new O2Trading(host, { owner: OWNER_KEY, tradeAccountId: ACCOUNT });
    const session = await trading.createSession({
      markets: ['fFUEL/fUSDC'],
      expiry: Date.now() + 3_600_000,
    });
    const put = calls.find((c) => c.name === 'session')!.body as O2SessionRequest;
    expect(put).toMatchObject({
      contract_id: ACCOUNT,
      session_id: { Address: session.address },
      contract_ids: [WIRE_MARKET.contract_id],
      nonce: '7',
    });
    const bytes = buildSessionSigningBytes({
      nonce: 7n,
      chainId: 0n,
      sessionId: session.address,
      expiry: BigInt(put.expiry),
      contractIds: [WIRE_MARKET.contract_id as Hex],
    });
    const signer = b256FromPublicKey(
      recoverPublicKey(fuelPersonalSignDigest(bytes), put.signature.Secp256k1 as Hex),
    );
    expect(signer).toBe(createFuelWallet(OWNER_KEY).b256Address);
    expect(trading.nonces.peek(ACCOUNT)).toBe(8n);

    actions.push(async () => success());
    const placed = await trading.placeOrder({
      market: 'fFUEL/fUSDC',
      side: 'buy',
      price: '0.02',
      quantity: '100',
    });
    expect(placed.nonce).toBe(8n);
    const post = calls.find((c) => c.name === 'sessionActions')!.body as O2SessionActionsRequest;
    expect(post).toMatchObject({
      nonce: '8',
      trade_account_id: ACCOUNT,
      session_id: { Address: session.address },
      collect_orders: true,
      actions: [
        {
          market_id: WIRE_MARKET.market_id,
          actions: [
            {
              CreateOrder: {
                side: 'Buy',
                price: '20000000',
                quantity: '100000000000',
                order_type: 'Spot',
              },
            },
          ],
        },
      ],
    });
    const call = actionToCall(post.actions[0]!.actions[0], {
      contractId: WIRE_MARKET.contract_id as Hex,
      baseAssetId: WIRE_MARKET.base.asset as Hex,
      quoteAssetId: WIRE_MARKET.quote.asset as Hex,
      baseDecimals: 9,
    });
    const digest = sha256(buildActionsSigningBytes(8n, [call]));
    expect(b256FromPublicKey(recoverPublicKey(digest, post.signature.Secp256k1 as Hex))).toBe(
      session.address,
    );
    expect(trading.nonces.peek(ACCOUNT)).toBe(9n);
  });

  it('a session past its expiry (fake clock) is AUTH_SESSION_EXPIRED before sending', async () => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { host, calls } = fakeHost({ value: 0n });
    const trading = new O2Trading(host, { owner: OWNER_KEY, tradeAccountId: ACCOUNT });
    const session = await trading.createSession({ expiry: Date.now() + 60_000 });
    expect(session.expiresAt.toISOString()).toBe('2026-01-01T00:01:00.000Z');
    jest.setSystemTime(new Date('2026-01-01T00:01:00Z'));
    await expect(
      trading.placeOrder({ market: 'fFUEL/fUSDC', side: 'buy', price: '0.02', quantity: '100' }),
    ).rejects.toMatchObject({ code: 'AUTH_SESSION_EXPIRED', context: { exchange: 'o2' } });
    expect(trading.session).toBeUndefined();
    expect(calls.filter((c) => c.name === 'sessionActions')).toHaveLength(0);
    expect(trading.nonces.peek(ACCOUNT)).toBe(1n);
  });

  it('pre-flight answers with HTTP 200 are typed errors that keep the nonce; reverts are decoded and consume it', async () => {
    const { host, actions } = fakeHost({ value: 0n });
    const trading = new O2Trading(host, { owner: OWNER_KEY, tradeAccountId: ACCOUNT });
    await trading.createSession();
    actions.push(async () => ({ outcome: 'preflight', code: 1003, message: 'Too many requests' }));
    await expect(trading.settleBalance({ market: 'fFUEL/fUSDC' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      context: { exchangeCode: 1003 },
    });
    actions.push(async () => ({ outcome: 'preflight', code: 4000, message: 'bad signature' }));
    await expect(trading.settleBalance({ market: 'fFUEL/fUSDC' })).rejects.toMatchObject({
      code: 'AUTH_INVALID_SIGNATURE',
    });
    expect(trading.nonces.peek(ACCOUNT)).toBe(1n);
    actions.push(async () => ({
      outcome: 'reverted',
      code: 1000,
      message: 'Transaction reverted',
      reason:
        'LogResult { results: [Ok("OrderPartiallyFilled")] } and error: Revert(18446744073709486086)',
    }));
    await expect(
      trading.placeOrder({
        market: 'fFUEL/fUSDC',
        side: 'buy',
        price: '0.02',
        quantity: '100',
        orderType: 'PostOnly',
      }),
    ).rejects.toMatchObject({
      code: 'EXCHANGE_REVERTED',
      context: {
        reason: 'OrderCreationError::OrderPartiallyFilled',
        revert: { signal: 'REVERT_WITH_LOG' },
      },
    });
    expect(trading.nonces.peek(ACCOUNT)).toBe(2n);
    actions.push(async () => {
      throw new Error('socket hang up');
    });
    await expect(trading.settleBalance({ market: 'fFUEL/fUSDC' })).rejects.toThrow(
      'socket hang up',
    );
    expect(trading.nonces.peek(ACCOUNT)).toBeUndefined();
  });

  it('a session rejected pre-flight with HTTP 200 is a typed error and keeps the nonce', async () => {
    const { host, sessions } = fakeHost({ value: 3n });
    const trading = new O2Trading(host, { owner: OWNER_KEY, tradeAccountId: ACCOUNT });
    sessions.push({
      outcome: 'error',
      body: { code: 4000, message: 'Signature verification failed' },
    });
    await expect(trading.createSession()).rejects.toMatchObject({
      code: 'AUTH_INVALID_SIGNATURE',
      context: { exchangeCode: 4000, status: 200 },
    });
    expect(trading.session).toBeUndefined();
    expect(trading.nonces.peek(ACCOUNT)).toBe(3n);
    const session = await trading.createSession();
    expect(session.tradeAccountId).toBe(ACCOUNT);
    expect(trading.nonces.peek(ACCOUNT)).toBe(4n);
  });

  it('concurrent orders are sent one at a time with consecutive nonces', async () => {
    const { host, calls, actions, maxInFlight } = fakeHost({ value: 0n });
    const trading = new O2Trading(host, { owner: OWNER_KEY, tradeAccountId: ACCOUNT });
    await trading.createSession();
    for (let i = 0; i < 10; i++) {
      actions.push(() => new Promise((resolve) => setImmediate(() => resolve(success()))));
    }
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        trading.placeOrder({ market: 'fFUEL/fUSDC', side: 'sell', price: '0.02', quantity: '100' }),
      ),
    );
    expect(results.map((r) => r.nonce)).toEqual(
      Array.from({ length: 10 }, (_, i) => BigInt(i + 1)),
    );
    const sent = calls
      .filter((c) => c.name === 'sessionActions')
      .map((c) => (c.body as O2SessionActionsRequest).nonce);
    expect(sent).toEqual(Array.from({ length: 10 }, (_, i) => String(i + 1)));
    expect(maxInFlight()).toBe(1);
  });

  it('without credentials trading is AUTH_MISSING_CREDENTIALS; boundedMarket prices are scaled and checked', async () => {
    const { host, calls, actions } = fakeHost({ value: 0n });
    await expect(new O2Trading(host).createSession()).rejects.toMatchObject({
      code: 'AUTH_MISSING_CREDENTIALS',
    });
    const trading = new O2Trading(host, { owner: OWNER_KEY, tradeAccountId: ACCOUNT });
    await trading.createSession();
    actions.push(async () => success());
    await trading.placeOrder({
      market: 'fFUEL/fUSDC',
      side: 'buy',
      price: '0.02',
      quantity: '100',
      orderType: { boundedMarket: { maxPrice: '0.021', minPrice: '0.019' } },
    });
    const post = calls.find((c) => c.name === 'sessionActions')!.body as O2SessionActionsRequest;
    expect(post.actions[0]!.actions[0]).toMatchObject({
      CreateOrder: {
        order_type: { BoundedMarket: { max_price: '21000000', min_price: '19000000' } },
      },
    });
  });
});
