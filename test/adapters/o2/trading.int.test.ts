// O2Adapter trading (owner wallets, sessions, session actions, nonces) against the
// simulator's O2 personality over real HTTP on 127.0.0.1.
import { channel } from 'node:diagnostics_channel';
import { ExchangeSimulator } from '../../../src/testing/index.js';
import { createO2SimulatorProtocol, o2SimMarkets } from '../../../adapters/o2/simulator/index.js';
import { O2Adapter, type O2AdapterOptions } from '../../../adapters/o2/o2-adapter.js';
import { createEvmWallet, createFuelWallet, type Hex } from '../../../adapters/o2/crypto/index.js';
import { Decimal } from '../../../src/numbers/index.js';
import type { RestRequestEvent } from '../../../src/rest/index.js';
import { isTickwireError } from '../../../src/errors/index.js';

jest.setTimeout(30_000);

const FUEL = o2SimMarkets[0]!;
const ETH = o2SimMarkets[1]!;
const MAKER_KEY = `0x${'a1'.repeat(32)}` as Hex;
const TAKER_KEY = `0x${'b2'.repeat(32)}` as Hex;

let sim: ExchangeSimulator;
const adapters: O2Adapter[] = [];

function adapter(options: Partial<O2AdapterOptions> = {}): O2Adapter {
  const a = new O2Adapter({
    restUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    rest: { retry: { maxAttempts: 1 } },
    ...options,
  });
  adapters.push(a);
  return a;
}

async function startSim(extra: Parameters<typeof createO2SimulatorProtocol>[0] = {}) {
  sim = await new ExchangeSimulator({
    protocol: createO2SimulatorProtocol(extra),
    seed: 7,
    eventsPerSecond: 0,
    levels: 6,
  }).start();
}

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()));
  await sim.close();
});

/** Captures the REST requests an adapter process sends (all adapters share the channel). */
function recordRequests(): { urls: string[]; stop: () => void } {
  const urls: string[] = [];
  const on = (m: unknown): void => {
    const e = m as RestRequestEvent;
    urls.push(`${e.method} ${new URL(e.url).pathname}`);
  };
  channel('tickwire:rest:request').subscribe(on);
  return { urls, stop: () => channel('tickwire:rest:request').unsubscribe(on) };
}

/** Best bid / ask of the simulator's book, as chain integers. */
function top(marketId: string): { bid: bigint; ask: bigint } {
  const b = sim.book(marketId, 1);
  return { bid: BigInt(b.bids[0]![0]), ask: BigInt(b.asks[0]![0]) };
}

const human9 = (chain: bigint): string => new Decimal(chain.toString()).div(1e9).toFixed();

describe('O2Adapter trading against the simulator', () => {
  it('creates an account and a session signed by a Fuel owner; the session consumes one nonce', async () => {
    await startSim();
    const o2 = adapter({ credentials: { owner: MAKER_KEY, kind: 'fuel' } });
    const owner = createFuelWallet(MAKER_KEY);
    expect(o2.ownerAddress).toBe(owner.b256Address);
    const rec = recordRequests();
    const session = await o2.createSession({ markets: ['fFUEL/fUSDC'] });
    rec.stop();
    // owner lookup found nothing → account created (its answer primes the nonce), chain id, session
    expect(rec.urls).toEqual([
      'GET /v1/markets',
      'GET /v1/accounts',
      'POST /v1/accounts',
      'GET /v1/markets',
      'PUT /v1/session',
    ]);
    const account = await o2.tradeAccountId();
    expect(session).toMatchObject({
      tradeAccountId: account,
      markets: ['fFUEL/fUSDC'],
      contractIds: [FUEL.extra!.contractId],
    });
    expect(session.expiresAt.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(o2.session).toBe(session);
    expect(o2.nonces.peek(account)).toBe(1n);
    const onServer = await o2.getAccount({ tradeAccountId: account });
    expect(onServer.nonce).toBe(1n);
    expect(onServer.raw).toMatchObject({ session: { session_id: { Address: session.address } } });
  });

  it('an EVM owner signs the session with EIP-191; the O2-Owner-Id is the zero-padded address', async () => {
    const evm = createEvmWallet(TAKER_KEY);
    await startSim({ accounts: [{ owner: evm.b256Address }] });
    const o2 = adapter({ credentials: { owner: TAKER_KEY, kind: 'evm' } });
    expect(o2.ownerAddress).toBe(`0x${'0'.repeat(24)}${evm.evmAddress!.slice(2)}`);
    const session = await o2.createSession({
      markets: ['FUEL/USDC', ETH.id],
      expiry: new Date(Date.now() + 3_600_000),
    });
    expect(session.contractIds).toEqual([FUEL.extra!.contractId, ETH.extra!.contractId]);
    expect(session.markets).toEqual(['fFUEL/fUSDC', 'fETH/fUSDC']);
    // a ready signer works as credentials too
    const again = adapter({ credentials: { owner: evm } });
    expect(again.ownerAddress).toBe(evm.b256Address);
  });

  it('place → fill against a second account → getOrder filled; cancel a resting order; settle; nonce advances by one per transaction', async () => {
    await startSim();
    const maker = adapter({ credentials: { owner: MAKER_KEY } });
    const taker = adapter({ credentials: { owner: TAKER_KEY } });
    await maker.createSession({ markets: ['fFUEL/fUSDC'] });
    await taker.createSession({ markets: ['fFUEL/fUSDC'] });
    const makerAccount = await maker.tradeAccountId();
    const takerAccount = await taker.tradeAccountId();
    const { bid, ask } = top(FUEL.id);
    // Maker rests a sell strictly inside the spread (tick 0.000000001 on this market).
    const price = human9((bid + ask) / 2n);
    const placed = await maker.placeOrder({
      market: 'fFUEL/fUSDC',
      side: 'sell',
      price,
      quantity: '100',
      orderType: 'PostOnly',
    });
    expect(placed.nonce).toBe(1n);
    expect(placed.order).toMatchObject({ side: 'sell', status: 'open', market: 'fFUEL/fUSDC' });
    expect(placed.order!.price!.toFixed()).toBe(price);
    expect(top(FUEL.id).ask).toBe((bid + ask) / 2n);

    // The taker's buy at that price crosses and fills the maker completely.
    const taken = await taker.placeOrder({
      market: 'FUEL/USDC',
      side: 'buy',
      price: new Decimal(price),
      quantity: '100',
    });
    expect(taken.order).toMatchObject({ side: 'buy', status: 'filled' });
    const makerOrder = await maker.getOrder('fFUEL/fUSDC', placed.order!.orderId);
    expect(makerOrder.status).toBe('filled');
    expect(makerOrder.filledQuantity.toFixed()).toBe('100');

    // A resting buy far below the book, then cancelled.
    const resting = await maker.placeOrder({
      market: 'fFUEL/fUSDC',
      side: 'buy',
      price: human9(bid - 1_000_000n),
      quantity: '100',
    });
    expect(resting.order?.status).toBe('open');
    const cancelled = await maker.cancelOrder({
      market: 'fFUEL/fUSDC',
      orderId: resting.order!.orderId,
    });
    expect(cancelled.nonce).toBe(3n);
    expect(cancelled.orders[0]).toMatchObject({
      orderId: resting.order!.orderId,
      status: 'cancelled',
    });
    const open = await maker.getOrders('fFUEL/fUSDC', {
      tradeAccountId: makerAccount,
      isOpen: true,
    });
    expect(open).toEqual([]);

    const settled = await maker.settleBalance({ market: 'fFUEL/fUSDC' });
    expect(settled.txId).toMatch(/^0x[0-9a-f]{64}$/);
    expect(settled.nonce).toBe(4n);
    // session (0) + place (1) + place (2) + cancel (3) + settle (4) → next is 5, on both sides
    expect(maker.nonces.peek(makerAccount)).toBe(5n);
    expect((await maker.getAccount({ tradeAccountId: makerAccount })).nonce).toBe(5n);
    expect((await taker.getAccount({ tradeAccountId: takerAccount })).nonce).toBe(2n);
    // POST /v1/accounts primed the nonce: it was never read back.
    expect(maker.nonces.stats()).toMatchObject({ consumed: 5, kept: 0, unknown: 0, resyncs: 0 });
  });

  it('10 concurrent placeOrder calls all succeed with distinct, consecutive nonces', async () => {
    await startSim();
    const o2 = adapter({ credentials: { owner: MAKER_KEY } });
    await o2.createSession({ markets: ['fFUEL/fUSDC'] });
    const { bid } = top(FUEL.id);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        o2.placeOrder({
          market: 'fFUEL/fUSDC',
          side: 'buy',
          price: human9(bid - BigInt(i + 1) * 10_000n),
          quantity: '100',
        }),
      ),
    );
    const nonces = results.map((r) => r.nonce).sort((a, b) => (a < b ? -1 : 1));
    expect(nonces).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i + 1)));
    expect(new Set(results.map((r) => r.order!.orderId)).size).toBe(10);
    const account = await o2.tradeAccountId();
    expect((await o2.getAccount({ tradeAccountId: account })).nonce).toBe(11n);
    expect(sim.stats().violations['o2RateLimit'] ?? 0).toBe(0);
  });

  it('batch limits, tick, step and min-order violations are rejected before anything is sent', async () => {
    await startSim();
    const o2 = adapter({ credentials: { owner: MAKER_KEY } });
    await o2.createSession({ markets: ['fFUEL/fUSDC', 'fETH/fUSDC'] });
    const before = sim.stats().httpRequests;
    const place = {
      type: 'place' as const,
      market: 'fFUEL/fUSDC',
      side: 'buy' as const,
      price: '0.02',
      quantity: '100',
    };
    await expect(o2.batch(Array.from({ length: 6 }, () => place))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('at most 5 actions'),
      context: { argument: 'actions' },
    });
    await expect(o2.batch([])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // quote max_precision 9 on fETH/fUSDC: tick 0.000000001; base max_precision 6: step 0.000001
    await expect(
      o2.placeOrder({ market: 'fETH/fUSDC', side: 'buy', price: '3150.0000000001', quantity: '1' }),
    ).rejects.toMatchObject({ code: 'ORDER_FILTER_FAILED', context: { filter: 'tick_size' } });
    await expect(
      o2.placeOrder({ market: 'fETH/fUSDC', side: 'buy', price: '3150', quantity: '1.0000001' }),
    ).rejects.toMatchObject({ code: 'ORDER_FILTER_FAILED', context: { filter: 'step_size' } });
    // fFUEL step is 0.001
    await expect(o2.batch([place, { ...place, quantity: '100.0005' }])).rejects.toMatchObject({
      code: 'ORDER_FILTER_FAILED',
      message: expect.stringContaining('step_size'),
    });
    // min_order is 1 fUSDC: 10 FUEL at 0.02 is worth 0.2
    await expect(o2.placeOrder({ ...place, quantity: '10' })).rejects.toMatchObject({
      code: 'ORDER_FILTER_FAILED',
      context: { filter: 'min_order' },
    });
    await expect(
      o2.cancelOrder({ market: 'fFUEL/fUSDC', orderId: 'not-an-id' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', context: { argument: 'orderId' } });
    expect(sim.stats().httpRequests).toBe(before);
    const account = await o2.tradeAccountId();
    expect(o2.nonces.peek(account)).toBe(1n);
  });

  it('actions without a session, or outside it, fail with AUTH_SESSION_EXPIRED before sending; an expired session too', async () => {
    await startSim();
    const o2 = adapter({ credentials: { owner: MAKER_KEY } });
    await o2.getMarkets();
    const order = { market: 'fFUEL/fUSDC', side: 'buy' as const, price: '0.02', quantity: '100' };
    await expect(o2.placeOrder(order)).rejects.toMatchObject({ code: 'AUTH_SESSION_EXPIRED' });
    await o2.createSession({ markets: ['fETH/fUSDC'] });
    const before = sim.stats().httpRequests;
    await expect(o2.placeOrder(order)).rejects.toMatchObject({
      code: 'AUTH_SESSION_EXPIRED',
      context: { market: 'fFUEL/fUSDC' },
    });
    expect(sim.stats().httpRequests).toBe(before);
    await expect(o2.createSession({ expiry: Date.now() - 1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      context: { argument: 'expiry' },
    });
    const reader = adapter();
    await expect(reader.createSession()).rejects.toMatchObject({
      code: 'AUTH_MISSING_CREDENTIALS',
    });
  });

  it.each([200, 400])(
    'a session the server no longer accepts (4001, HTTP %i) is AUTH_SESSION_EXPIRED and keeps the nonce',
    async (preflightStatus) => {
      await startSim({ preflightStatus });
      const o2 = adapter({ credentials: { owner: MAKER_KEY } });
      await o2.createSession({ markets: ['fFUEL/fUSDC'] });
      // A second adapter of the same owner replaces the session on the server.
      const other = adapter({ credentials: { owner: MAKER_KEY } });
      await other.createSession({ markets: ['fFUEL/fUSDC'] });
      const account = await o2.tradeAccountId();
      const { bid } = top(FUEL.id);
      const err = await o2
        .placeOrder({ market: 'fFUEL/fUSDC', side: 'buy', price: human9(bid), quantity: '100' })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'AUTH_SESSION_EXPIRED',
        context: { exchangeCode: 4001, status: preflightStatus },
      });
      expect(o2.session).toBeUndefined();
      // pre-flight: the local nonce (1, stale: the other adapter used it) was kept, not advanced
      expect(o2.nonces.peek(account)).toBe(1n);
      expect(o2.nonces.stats()).toMatchObject({ kept: 1, consumed: 1 });
    },
  );

  it('a stale nonce reverts with NONCE_MISMATCH; the next action re-reads the nonce and succeeds', async () => {
    await startSim();
    const o2 = adapter({ credentials: { owner: MAKER_KEY } });
    await o2.createSession({ markets: ['fFUEL/fUSDC'] });
    const account = await o2.tradeAccountId();
    o2.nonces.set(account, 0n); // stale on purpose
    const { bid } = top(FUEL.id);
    const order = {
      market: 'fFUEL/fUSDC',
      side: 'buy' as const,
      price: human9(bid - 10_000n),
      quantity: '100',
    };
    await expect(o2.placeOrder(order)).rejects.toMatchObject({
      code: 'NONCE_MISMATCH',
      context: { reason: 'NonceError::InvalidNonce' },
    });
    expect(o2.nonces.peek(account)).toBeUndefined();
    const ok = await o2.placeOrder(order);
    expect(ok.nonce).toBe(1n);
  });

  it('an on-chain revert is decoded and consumes the nonce', async () => {
    await startSim();
    const o2 = adapter({ credentials: { owner: MAKER_KEY } });
    await o2.createSession({ markets: ['fFUEL/fUSDC'] });
    const account = await o2.tradeAccountId();
    const { ask } = top(FUEL.id);
    // A post-only buy at the best ask would take: OrderPartiallyFilled.
    const err = await o2
      .placeOrder({
        market: 'fFUEL/fUSDC',
        side: 'buy',
        price: human9(ask),
        quantity: '100',
        orderType: 'PostOnly',
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'EXCHANGE_REVERTED',
      context: { reason: 'OrderCreationError::OrderPartiallyFilled' },
    });
    expect(o2.nonces.peek(account)).toBe(2n);
    expect((await o2.getAccount({ tradeAccountId: account })).nonce).toBe(2n);
    // Cancelling an order that does not exist reverts the same way.
    await expect(
      o2.cancelOrder({ market: 'fFUEL/fUSDC', orderId: `0x${'99'.repeat(32)}` }),
    ).rejects.toMatchObject({
      code: 'EXCHANGE_REVERTED',
      context: { reason: 'OrderCancelError::NotOrderOwner' },
    });
    expect(o2.nonces.peek(account)).toBe(3n);
  });

  it('a batch across two markets is one transaction with one nonce', async () => {
    await startSim();
    const o2 = adapter({ credentials: { owner: MAKER_KEY } });
    await o2.createSession({ markets: ['fFUEL/fUSDC', 'fETH/fUSDC'] });
    const fuel = top(FUEL.id);
    const eth = top(ETH.id);
    const result = await o2.batch([
      { type: 'settle', market: 'fFUEL/fUSDC' },
      {
        type: 'place',
        market: 'fETH/fUSDC',
        side: 'buy',
        price: human9(eth.bid - 10_000_000n),
        quantity: '0.01',
      },
      {
        type: 'place',
        market: 'fFUEL/fUSDC',
        side: 'sell',
        price: human9(fuel.ask + 10_000n),
        quantity: '100',
      },
    ]);
    expect(result.nonce).toBe(1n);
    expect(result.orders.map((o) => [o.market, o.side, o.status])).toEqual(
      expect.arrayContaining([
        ['fETH/fUSDC', 'buy', 'open'],
        ['fFUEL/fUSDC', 'sell', 'open'],
      ]),
    );
    const account = await o2.tradeAccountId();
    expect((await o2.getAccount({ tradeAccountId: account })).nonce).toBe(2n);
  });

  it('1003 on session actions is RATE_LIMITED, not retried, and keeps the nonce', async () => {
    await startSim();
    const o2 = adapter({ credentials: { owner: MAKER_KEY } });
    await o2.createSession({ markets: ['fFUEL/fUSDC'] });
    const account = await o2.tradeAccountId();
    const before = sim.stats().httpRequests;
    sim.inject({ kind: 'rateLimit', count: 1, retryAfterSeconds: 1 });
    await expect(o2.settleBalance({ market: 'fFUEL/fUSDC' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(sim.stats().httpRequests).toBe(before + 1);
    expect(o2.nonces.peek(account)).toBe(1n);
    expect(o2.stats().rest.retries).toBe(0);
  });

  it('the session-actions pool is 5/s per owner: a burst of 7 settles never puts more than 5 in a second, the server never answers 1003', async () => {
    await startSim();
    const o2 = adapter({ credentials: { owner: MAKER_KEY } });
    await o2.createSession({ markets: ['fFUEL/fUSDC'] });
    // When each POST /v1/session/actions left the client (the request event precedes the send).
    const sentAt: number[] = [];
    const onRequest = (m: unknown): void => {
      const e = m as RestRequestEvent;
      if (e.method === 'POST' && e.url.endsWith('/v1/session/actions')) sentAt.push(Date.now());
    };
    channel('tickwire:rest:request').subscribe(onRequest);
    let results;
    try {
      results = await Promise.all(
        Array.from({ length: 7 }, () => o2.settleBalance({ market: 'fFUEL/fUSDC' })),
      );
    } finally {
      channel('tickwire:rest:request').unsubscribe(onRequest);
    }
    expect(results.map((r) => r.nonce)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    // Never more than 5 sends in any 1 s window, on the client and on the server.
    expect(sentAt).toHaveLength(7);
    // (50 ms of slack: the event is stamped a moment after the throttler's own clock read)
    for (let i = 5; i < sentAt.length; i++) {
      expect(sentAt[i]! - sentAt[i - 5]!).toBeGreaterThanOrEqual(950);
    }
    expect(sim.stats().violations['o2RateLimit'] ?? 0).toBe(0);
  });

  it('a transport failure after sending is ORDER_STATUS_UNKNOWN with context; no retry; the order is found with getOrders', async () => {
    await startSim();
    const o2 = adapter({
      credentials: { owner: MAKER_KEY },
      rest: { retry: { maxAttempts: 3 }, connection: { headersTimeoutMs: 300 } },
    });
    await o2.createSession({ markets: ['fFUEL/fUSDC'] });
    const account = await o2.tradeAccountId();
    const { bid } = top(FUEL.id);
    const price = human9(bid - 20_000n);
    sim.inject({ kind: 'slowResponse', count: 1, delayMs: 1500 });
    const before = sim.stats().httpRequests;
    const rec = recordRequests();
    const err = await o2
      .placeOrder({ market: 'fFUEL/fUSDC', side: 'buy', price, quantity: '100' })
      .catch((e: unknown) => e);
    expect(isTickwireError(err)).toBe(true);
    expect(err).toMatchObject({
      code: 'ORDER_STATUS_UNKNOWN',
      context: {
        market: 'fFUEL/fUSDC',
        tradeAccountId: account,
        nonce: '1',
        actions: [{ type: 'place', side: 'buy', price, quantity: '100' }],
        reason: 'TRANSPORT_TIMEOUT',
      },
    });
    expect(sim.stats().httpRequests).toBe(before + 1);
    expect(o2.stats().rest.retries).toBe(0);
    // The nonce is unknown locally; reconciliation finds the order once the server ran it.
    expect(o2.nonces.peek(account)).toBeUndefined();
    let open = await o2.getOrders('fFUEL/fUSDC', { tradeAccountId: account, isOpen: true });
    while (open.length === 0) {
      await new Promise((r) => setTimeout(r, 50));
      open = await o2.getOrders('fFUEL/fUSDC', { tradeAccountId: account, isOpen: true });
    }
    expect(open[0]!.price!.toFixed()).toBe(price);
    expect(rec.urls.filter((u) => u === 'POST /v1/session/actions')).toHaveLength(1);
    rec.stop();
  });

  it('an abort while the actions request is in flight is ORDER_STATUS_UNKNOWN (reason ABORTED)', async () => {
    await startSim();
    const o2 = adapter({ credentials: { owner: MAKER_KEY } });
    await o2.createSession({ markets: ['fFUEL/fUSDC'] });
    const account = await o2.tradeAccountId();
    sim.inject({ kind: 'slowResponse', count: 1, delayMs: 1000 });
    const controller = new AbortController();
    const onRequest = (m: unknown): void => {
      const e = m as RestRequestEvent;
      if (e.method === 'POST' && e.url.endsWith('/v1/session/actions')) controller.abort();
    };
    channel('tickwire:rest:request').subscribe(onRequest);
    try {
      await expect(
        o2.settleBalance({ market: 'fFUEL/fUSDC', signal: controller.signal }),
      ).rejects.toMatchObject({
        code: 'ORDER_STATUS_UNKNOWN',
        context: { reason: 'ABORTED', nonce: '1', market: 'fFUEL/fUSDC' },
      });
    } finally {
      channel('tickwire:rest:request').unsubscribe(onRequest);
    }
    expect(o2.nonces.peek(account)).toBeUndefined();
    expect(o2.stats().rest.retries).toBe(0);
  });

  it('a 5xx on session actions is ORDER_STATUS_UNKNOWN, never re-sent', async () => {
    await startSim();
    const o2 = adapter({
      credentials: { owner: MAKER_KEY },
      rest: { retry: { maxAttempts: 3 } },
    });
    await o2.createSession({ markets: ['fFUEL/fUSDC'] });
    const before = sim.stats().httpRequests;
    sim.inject({ kind: 'serverError', count: 1, status: 503 });
    await expect(o2.settleBalance({ market: 'fFUEL/fUSDC' })).rejects.toMatchObject({
      code: 'ORDER_STATUS_UNKNOWN',
      context: { actions: [{ type: 'settle', market: 'fFUEL/fUSDC' }] },
    });
    expect(sim.stats().httpRequests).toBe(before + 1);
    // The next action re-reads the nonce first (the 503 never reached the chain here).
    const next = await o2.settleBalance({ market: 'fFUEL/fUSDC' });
    expect(next.nonce).toBe(1n);
  });

  it('getMarketSummary in human units; createAccount returns the existing account', async () => {
    await startSim();
    sim.step(200);
    const o2 = adapter({ credentials: { owner: MAKER_KEY } });
    const summary = await o2.getMarketSummary('fFUEL/fUSDC');
    const raw = (await (
      await fetch(`${sim.httpUrl}/v1/markets/summary?market_id=${FUEL.id}`)
    ).json()) as { last_price: string; volume_24h: string }[];
    expect(summary.market).toBe('fFUEL/fUSDC');
    expect(summary.last?.toFixed()).toBe(human9(BigInt(raw[0]!.last_price)));
    expect(summary.volume?.toFixed()).toBe(human9(BigInt(raw[0]!.volume_24h)));
    const first = await o2.createAccount();
    const second = await o2.createAccount();
    expect(second.tradeAccountId).toBe(first.tradeAccountId);
    expect(first.nonce).toBe(0n);
  });

  it('the owner key never appears in errors', async () => {
    await startSim();
    const o2 = adapter({ credentials: { owner: MAKER_KEY } });
    await o2.createSession({ markets: ['fFUEL/fUSDC'] });
    sim.inject({ kind: 'serverError', count: 1, status: 500 });
    const err = await o2.settleBalance({ market: 'fFUEL/fUSDC' }).catch((e: unknown) => e);
    const text = JSON.stringify(err) + String(err) + JSON.stringify(o2.session);
    expect(text).not.toContain(MAKER_KEY.slice(2));
    expect(() => adapter({ credentials: { owner: '0x1234' as Hex } })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
