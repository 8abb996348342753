// BinanceAdapter REST half against the simulator's Binance personality over real HTTP on
// 127.0.0.1: every call, both key types, filters, weights and usage headers, 429/418,
// -1021 handling, an order round trip and error mapping.
import { generateKeyPairSync } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  BinanceAdapter,
  type BinanceAdapterOptions,
  type BinanceCredentials,
} from '../../../adapters/binance/index.js';
import {
  binanceSimDemoAccount,
  createBinanceSimulatorProtocol,
  type BinanceSimulatorOptions,
} from '../../../adapters/binance/simulator/index.js';
import { isTickwireError, type TickwireError } from '../../../src/errors/index.js';
import type { RestRequestEvent } from '../../../src/rest/rest-manager.js';
import { ExchangeSimulator, type ExchangeSimulatorOptions } from '../../../src/testing/index.js';
import { signedQuery } from './simulator/sign.js';

// Loopback sockets on a shared 2-core machine: allow for a slow neighbour.
jest.setTimeout(30_000);

const ed = generateKeyPairSync('ed25519');
const ED_API_KEY = 'tickwire-ed25519-key';
const HMAC = {
  apiKey: binanceSimDemoAccount.apiKey,
  secret: binanceSimDemoAccount.secret as string,
};
const ED = {
  apiKey: ED_API_KEY,
  privateKey: ed.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
};

let sim: ExchangeSimulator | undefined;
const adapters: BinanceAdapter[] = [];
let skewMs = 0;

async function start(
  binance: BinanceSimulatorOptions = {},
  options: Partial<ExchangeSimulatorOptions> = {},
): Promise<ExchangeSimulator> {
  sim = await new ExchangeSimulator({
    protocol: createBinanceSimulatorProtocol({
      accounts: [
        binanceSimDemoAccount,
        {
          apiKey: ED_API_KEY,
          ed25519PublicKey: ed.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
          balances: { USDT: '1000', BTC: '1' },
        },
      ],
      ...binance,
    }),
    seed: 7,
    eventsPerSecond: 0,
    clock: () => Date.now() + skewMs,
    ...options,
  }).start();
  return sim;
}

/** An adapter on the simulator; HMAC credentials unless `credentials` says otherwise (`null`: none). */
function adapter(
  options: Omit<BinanceAdapterOptions, 'credentials'> & {
    credentials?: BinanceCredentials | null;
  } = {},
): BinanceAdapter {
  if (sim === undefined) throw new Error('start the simulator first');
  const { credentials = HMAC, ...rest } = options;
  const a = new BinanceAdapter({
    restUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    wsApiUrl: `${sim.wsUrl}/ws-api/v3`,
    ...(credentials === null ? {} : { credentials }),
    ...rest,
  });
  adapters.push(a);
  return a;
}

/**
 * Moves the simulator's clock to 200 ms after the start of one of its fixed `periodMs`
 * windows, so a test's usage counts cannot straddle a window boundary.
 */
function alignSimClock(periodMs: number): void {
  const now = Date.now();
  skewMs = periodMs - (now % periodMs) + 200;
}

async function rejection(p: Promise<unknown>): Promise<TickwireError> {
  try {
    await p;
  } catch (e) {
    if (isTickwireError(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

/** Records the REST requests the adapter sends (method + path), via diagnostics_channel. */
function recordRequests(): { list: string[]; stop: () => void } {
  const list: string[] = [];
  const onMessage = (m: unknown): void => {
    const e = m as RestRequestEvent;
    list.push(`${e.method} ${new URL(e.url).pathname}`);
  };
  subscribe('tickwire:rest:request', onMessage);
  return { list, stop: () => unsubscribe('tickwire:rest:request', onMessage) };
}

afterEach(async () => {
  skewMs = 0;
  await Promise.all(adapters.splice(0).map((a) => a.close()));
  await sim?.close();
  sim = undefined;
});

describe('BinanceAdapter public REST', () => {
  it('ping, time, markets (unified and native), rate limits installed from exchangeInfo', async () => {
    await start({ weightLimit: 1200, ordersPer10s: 7, ordersPerDay: 1000 });
    const binance = adapter({ credentials: null });
    const before = binance.throttler.stats().pools;
    expect(before['REQUEST_WEIGHT_1M']?.limit).toBe(6000);
    expect(before['ORDERS_10S']?.limit).toBe(50);
    await binance.ping();
    const t0 = Date.now();
    const serverTime = await binance.getServerTime();
    expect(Math.abs(serverTime - t0)).toBeLessThan(60_000);
    const markets = await binance.getMarkets();
    expect(markets.map((m) => m.symbol)).toEqual(['BTC/USDT', 'ETH/USDT']);
    const pools = binance.throttler.stats().pools;
    expect(pools['REQUEST_WEIGHT_1M']?.limit).toBe(1200);
    expect(pools['ORDERS_10S']).toMatchObject({ limit: 7 });
    expect(pools['ORDERS_1D']).toMatchObject({ limit: 1000 });
    expect(pools['RAW_REQUESTS_5M']).toMatchObject({ limit: 300_000 });
    const byId = await binance.market('btcusdt');
    expect(byId).toBe(await binance.market('BTC/USDT'));
    expect(byId).toMatchObject({ id: 'BTCUSDT', tickSize: '0.01', stepSize: '0.00001' });
    const unknown = await rejection(binance.market('DOGE/USDT'));
    expect(unknown.code).toBe('UNKNOWN_MARKET');
  });

  it('depth equals the simulator book; weight follows the limit; usage headers fed back', async () => {
    const s = await start();
    alignSimClock(60_000);
    s.step(50);
    const binance = adapter({ credentials: null });
    await binance.loadMarkets();
    const used = () => binance.throttler.stats().pools['REQUEST_WEIGHT_1M']?.used ?? NaN;
    const u0 = used();
    expect(u0).toBe(20); // exchangeInfo
    const book = await binance.getDepth('BTC/USDT', { limit: 5 });
    expect(used() - u0).toBe(5);
    const truth = s.book('BTCUSDT', 5);
    expect(book.sequence).toBe(BigInt(truth.sequence));
    expect(book.bids.map((l) => [l.price, l.quantity])).toEqual(truth.bids);
    expect(book.asks.map((l) => [l.price, l.quantity])).toEqual(truth.asks);
    expect(book).toMatchObject({ kind: 'snapshot', market: 'BTC/USDT' });
    await binance.getDepth('BTCUSDT', { limit: 500 });
    expect(used() - u0).toBe(30);
    await binance.getDepth('BTCUSDT', { limit: 1000 });
    expect(used() - u0).toBe(80);
    // Weight spent behind the adapter's back (same IP) comes back in X-MBX-USED-WEIGHT-1M.
    for (let i = 0; i < 4; i++) await fetch(`${s.httpUrl}/api/v3/depth?symbol=BTCUSDT&limit=5000`);
    await binance.ping();
    expect(used()).toBe(20 + 5 + 25 + 50 + 4 * 250 + 1);
    const limitError = await rejection(binance.getDepth('BTCUSDT', { limit: 5001 }));
    expect(limitError.code).toBe('INVALID_ARGUMENT');
  });

  it('trades, aggTrades, klines and book tickers, exact and normalised', async () => {
    const s = await start({}, { tradeProbability: 0.8 });
    s.step(300);
    const binance = adapter({ credentials: null });
    const trades = await binance.getTrades('BTC/USDT', { limit: 20 });
    expect(trades.length).toBeGreaterThan(0);
    expect(trades.length).toBeLessThanOrEqual(20);
    for (const t of trades) {
      expect(t.market).toBe('BTC/USDT');
      expect(t.price.greaterThan(0)).toBe(true);
      expect(['buy', 'sell']).toContain(t.side);
      const raw = t.raw as { price: string; qty: string; isBuyerMaker: boolean };
      expect(t.price.eq(raw.price) && t.quantity.eq(raw.qty)).toBe(true);
      expect(t.side).toBe(raw.isBuyerMaker ? 'sell' : 'buy');
    }
    const agg = await binance.getAggTrades('BTCUSDT', { limit: 10 });
    expect(agg.length).toBeGreaterThan(0);
    for (const a of agg) expect(a.lastTradeId).toBeGreaterThanOrEqual(a.firstTradeId);
    const klines = await binance.getKlines('BTC/USDT', { interval: '1m', limit: 5 });
    expect(klines.length).toBeGreaterThan(0);
    for (const k of klines) {
      expect(k.high.greaterThanOrEqualTo(k.low)).toBe(true);
      expect(k.closeTime).toBeGreaterThan(k.openTime);
    }
    const ticker = await binance.getBookTicker('BTC/USDT');
    const truth = s.book('BTCUSDT', 1);
    expect(ticker.market).toBe('BTC/USDT');
    expect(ticker.bidPrice.eq(truth.bids[0]![0])).toBe(true);
    expect(ticker.askPrice.eq(truth.asks[0]![0])).toBe(true);
    const all = await binance.getBookTickers();
    expect(all.map((t) => t.market)).toEqual(['BTC/USDT', 'ETH/USDT']);
    const some = await binance.getBookTickers(['ETHUSDT']);
    expect(some.map((t) => t.market)).toEqual(['ETH/USDT']);
    const weights = binance.throttler.stats().pools['REQUEST_WEIGHT_1M']?.used;
    expect(weights).toBe(20 + 25 + 4 + 2 + 2 + 4 + 4);
  });
});

describe('BinanceAdapter signed REST', () => {
  it.each([
    ['HMAC-SHA256', HMAC, '100000'],
    ['Ed25519', ED, '1000'],
  ] as const)(
    'signs with %s (the simulator verifies) and reads the account',
    async (_n, key, usdt) => {
      await start();
      const binance = adapter({ credentials: key });
      const account = await binance.getAccount({ omitZeroBalances: true });
      expect(account.canTrade).toBe(true);
      const balance = account.balances.find((b) => b.asset === 'USDT');
      expect(balance?.free.eq(usdt)).toBe(true);
      expect(balance?.locked.isZero()).toBe(true);
      expect(binance.clock.syncedAt).toBeDefined();
    },
  );

  it('maps bad credentials and keeps secrets out of the error', async () => {
    await start();
    const wrongSecret = adapter({
      credentials: { apiKey: HMAC.apiKey, secret: 'not-the-secret-x' },
    });
    const e1 = await rejection(wrongSecret.getAccount());
    expect(e1.code).toBe('AUTH_INVALID_SIGNATURE');
    expect(e1.context).toMatchObject({ exchangeCode: -1022, status: 400 });
    const dump = JSON.stringify(e1) + e1.message + String(e1.stack);
    expect(dump).not.toContain('not-the-secret-x');
    expect(dump).not.toContain('signature=');
    const unknownKey = adapter({ credentials: { apiKey: 'nobody', secret: 's3cr3t-value' } });
    const e2 = await rejection(unknownKey.getAccount());
    expect(e2.code).toBe('AUTH_INVALID_KEY');
    expect(e2.context).toMatchObject({ exchangeCode: -2015 });
    const anonymous = adapter({ credentials: null });
    const e3 = await rejection(anonymous.getOpenOrders('BTC/USDT'));
    expect(e3.code).toBe('AUTH_MISSING_CREDENTIALS');
  });

  it('order round trip: place → query → open orders → cancel, by client id and order id', async () => {
    await start();
    const binance = adapter();
    const placed = await binance.placeOrder({
      market: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: '50000.5',
      quantity: '0.002',
      clientOrderId: 'round-trip-1',
    });
    expect(placed).toMatchObject({
      market: 'BTC/USDT',
      clientOrderId: 'round-trip-1',
      side: 'buy',
      status: 'open',
      type: 'LIMIT',
      timeInForce: 'GTC',
    });
    expect(placed.price?.toFixed()).toBe('50000.5');
    expect(placed.quantity.toFixed()).toBe('0.002');
    expect(placed.filledQuantity.isZero()).toBe(true);
    expect(placed.fills).toEqual([]);

    const queried = await binance.getOrder({ market: 'BTCUSDT', clientOrderId: 'round-trip-1' });
    expect(queried).toMatchObject({ orderId: placed.orderId, status: 'open' });
    const open = await binance.getOpenOrders('BTC/USDT');
    expect(open.map((o) => o.orderId)).toEqual([placed.orderId]);
    const everywhere = await binance.getOpenOrders();
    expect(everywhere.map((o) => [o.market, o.orderId])).toEqual([['BTC/USDT', placed.orderId]]);
    const locked = (await binance.getAccount()).balances.find((b) => b.asset === 'USDT');
    expect(locked?.locked.toFixed()).toBe('100.001'); // 50000.5 × 0.002

    const cancelled = await binance.cancelOrder({ market: 'BTC/USDT', orderId: placed.orderId });
    expect(cancelled).toMatchObject({
      orderId: placed.orderId,
      clientOrderId: 'round-trip-1',
      status: 'cancelled',
    });
    expect(await binance.getOpenOrders('BTC/USDT')).toEqual([]);
    expect((await binance.getOrder({ market: 'BTC/USDT', orderId: placed.orderId })).status).toBe(
      'cancelled',
    );
    const pools = binance.throttler.stats().pools;
    expect(pools['ORDERS_10S']?.used).toBe(1);
    expect(pools['ORDERS_1D']?.used).toBe(1);
  });

  it('a market order fills against the book (FULL response with fills)', async () => {
    await start();
    const binance = adapter();
    const order = await binance.placeOrder({
      market: 'BTC/USDT',
      side: 'sell',
      type: 'market',
      quantity: '0.01',
    });
    expect(order.status).toBe('filled');
    expect(order.clientOrderId).toMatch(/^tw-/);
    expect(order.filledQuantity.toFixed()).toBe('0.01');
    const fillQty = (order.fills ?? []).reduce(
      (s, f) => s.plus(f.quantity),
      order.quantity.minus(order.quantity),
    );
    expect(fillQty.toFixed()).toBe('0.01');
  });

  it('a market order by quote amount spends at most that amount', async () => {
    await start();
    const binance = adapter();
    const order = await binance.placeOrder({
      market: 'BTC/USDT',
      side: 'buy',
      type: 'market',
      quoteQuantity: '100',
    });
    expect(order.status).toBe('filled');
    expect(order.filledQuantity.greaterThan(0)).toBe(true);
    expect(order.filledQuoteQuantity?.lessThanOrEqualTo(100)).toBe(true);
  });

  it('X-MBX-ORDER-COUNT-* raise the ORDERS pools to the exchange count', async () => {
    const s = await start();
    alignSimClock(10_000);
    const binance = adapter();
    await binance.loadMarkets();
    // Two orders from another process on the same account, unseen by this adapter's throttler.
    for (const id of ['other-1', 'other-2']) {
      const query = signedQuery(
        {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.001',
          price: '50000',
          newClientOrderId: id,
          timestamp: Date.now() + skewMs,
        },
        { secret: HMAC.secret },
      );
      const res = await fetch(`${s.httpUrl}/api/v3/order?${query}`, {
        method: 'POST',
        headers: { 'X-MBX-APIKEY': HMAC.apiKey },
      });
      expect(res.status).toBe(200);
    }
    await binance.placeOrder({
      market: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: '50000',
      quantity: '0.001',
    });
    const pools = binance.throttler.stats().pools;
    expect(pools['ORDERS_10S']?.used).toBe(3);
    expect(pools['ORDERS_1D']?.used).toBe(3);
  });

  it('sends the recvWindow option (a 7 s skew passes a 10 s window without a resync)', async () => {
    await start();
    const binance = adapter({ recvWindowMs: 10_000, syncClockBeforeFirstSignedCall: false });
    skewMs = 7000;
    const account = await binance.getAccount();
    expect(account.canTrade).toBe(true);
    expect(binance.clockResyncs).toBe(0);
    expect(binance.clock.syncedAt).toBeUndefined();
    const strict = adapter({ recvWindowMs: 5000, syncClockBeforeFirstSignedCall: false });
    await strict.getAccount(); // -1021 first, then resync + retry
    expect(strict.clockResyncs).toBe(1);
    expect(() => adapter({ recvWindowMs: 60_001 })).toThrow(/recvWindowMs/);
  });

  it('filter violations are rejected before sending (the simulator sees no request)', async () => {
    const s = await start();
    const binance = adapter();
    await binance.loadMarkets();
    await binance.syncClock();
    const before = s.stats().httpRequests;
    const base = { market: 'BTC/USDT', side: 'buy', type: 'limit' } as const;
    const cases = [
      [{ ...base, price: '60000.001', quantity: '0.001' }, 'PRICE_FILTER'],
      [{ ...base, price: '1000000.01', quantity: '0.001' }, 'PRICE_FILTER'],
      [{ ...base, price: '60000', quantity: '0.000015' }, 'LOT_SIZE'],
      [{ ...base, price: '0.01', quantity: '9000.1' }, 'LOT_SIZE'],
      [{ ...base, price: '60000', quantity: '0.00001' }, 'NOTIONAL'],
      [{ ...base, type: 'market', quantity: '100.5' }, 'MARKET_LOT_SIZE'],
    ] as const;
    for (const [params, filter] of cases) {
      const e = await rejection(binance.placeOrder(params));
      expect([e.code, e.context['filter']]).toEqual(['ORDER_FILTER_FAILED', filter]);
    }
    expect(s.stats().httpRequests).toBe(before);
  });

  it('maps exchange rejections: filter failure, insufficient funds, unknown order', async () => {
    await start();
    const binance = adapter();
    // A market order's notional is only known to the server (average price).
    const tiny = await rejection(
      binance.placeOrder({ market: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.00001' }),
    );
    expect(tiny.code).toBe('EXCHANGE_FILTER_FAILURE');
    expect(tiny.context).toMatchObject({
      exchangeCode: -1013,
      exchangeMessage: 'Filter failure: NOTIONAL',
    });
    const poor = await rejection(
      binance.placeOrder({
        market: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        price: '50000',
        quantity: '5',
      }),
    );
    expect(poor.code).toBe('EXCHANGE_INSUFFICIENT_FUNDS');
    expect(poor.context).toMatchObject({ exchangeCode: -2010 });
    const cancel = await rejection(binance.cancelOrder({ market: 'BTC/USDT', orderId: 999_999 }));
    expect(cancel.code).toBe('EXCHANGE_UNKNOWN_ORDER');
    expect(cancel.context).toMatchObject({ exchangeCode: -2011 });
    const query = await rejection(binance.getOrder({ market: 'BTC/USDT', clientOrderId: 'nope' }));
    expect(query.code).toBe('EXCHANGE_UNKNOWN_ORDER');
    expect(query.context).toMatchObject({ exchangeCode: -2013 });
  });

  it('-1021: re-syncs the clock and retries a GET once; an order is not re-sent', async () => {
    await start();
    const binance = adapter();
    await binance.getAccount(); // first signed call: clock synced (offset ≈ 0)
    expect(Math.abs(binance.clock.offsetMs)).toBeLessThan(1000);
    const requests = recordRequests();
    try {
      skewMs = 20_000; // the exchange's clock jumps ahead: our timestamps fall out of the window
      const account = await binance.getAccount();
      expect(account.canTrade).toBe(true);
      expect(binance.clockResyncs).toBe(1);
      expect(binance.clock.offsetMs).toBeGreaterThan(15_000);
      expect(requests.list.filter((r) => r === 'GET /api/v3/account')).toHaveLength(2);
      expect(binance.stats().rest.errors.AUTH_TIMESTAMP_OUTSIDE_WINDOW).toBe(1);

      skewMs = 60_000;
      requests.list.length = 0;
      const e = await rejection(
        binance.placeOrder({
          market: 'BTC/USDT',
          side: 'buy',
          type: 'limit',
          price: '50000',
          quantity: '0.001',
        }),
      );
      expect(e.code).toBe('AUTH_TIMESTAMP_OUTSIDE_WINDOW');
      expect(e.context).toMatchObject({ exchangeCode: -1021 });
      expect(binance.clockResyncs).toBe(2);
      expect(requests.list.filter((r) => r === 'POST /api/v3/order')).toHaveLength(1);
      expect(requests.list.filter((r) => r === 'GET /api/v3/time').length).toBeGreaterThan(0);
      // Re-synced: the caller's own retry now goes through.
      const order = await binance.placeOrder({
        market: 'BTC/USDT',
        side: 'buy',
        type: 'limit',
        price: '50000',
        quantity: '0.001',
      });
      expect(order.status).toBe('open');
    } finally {
      requests.stop();
    }
  });

  it('an order whose outcome is unknown (5xx) is ORDER_STATUS_UNKNOWN with its client id, not retried', async () => {
    const s = await start();
    const binance = adapter();
    await binance.loadMarkets();
    await binance.syncClock();
    const requests = recordRequests();
    try {
      s.inject({ kind: 'serverError', count: 1, status: 503 });
      const e = await rejection(
        binance.placeOrder({
          market: 'BTC/USDT',
          side: 'buy',
          type: 'limit',
          price: '50000',
          quantity: '0.001',
          clientOrderId: 'maybe-1',
        }),
      );
      expect(e.code).toBe('ORDER_STATUS_UNKNOWN');
      expect(e.context).toMatchObject({ clientOrderId: 'maybe-1', market: 'BTC/USDT' });
      expect(e.message).toContain("clientOrderId: 'maybe-1'");
      expect(requests.list.filter((r) => r === 'POST /api/v3/order')).toHaveLength(1);
      // The 503 came before the engine here, so reconciling finds no such order.
      const check = await rejection(
        binance.getOrder({ market: 'BTC/USDT', clientOrderId: 'maybe-1' }),
      );
      expect(check.code).toBe('EXCHANGE_UNKNOWN_ORDER');
    } finally {
      requests.stop();
    }
  });
});

describe('BinanceAdapter rate limiting', () => {
  it('429 → RATE_LIMITED, the pool pauses for Retry-After, and the next call waits instead of hammering', async () => {
    const s = await start();
    const binance = adapter({ credentials: null, rest: { retry: { maxAttempts: 1 } } });
    await binance.loadMarkets();
    s.inject({ kind: 'rateLimit', count: 1, retryAfterSeconds: 1 });
    const e = await rejection(binance.getServerTime());
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.context).toMatchObject({ retryAfterMs: 1000, pool: 'REQUEST_WEIGHT_1M', status: 429 });
    const paused = binance.throttler.stats().pools['REQUEST_WEIGHT_1M']?.pausedUntil;
    expect(paused).toBeGreaterThan(Date.now());
    const t = await binance.getServerTime(); // queued in the throttler until the pause ends
    expect(t).toBeGreaterThan(0);
    expect(s.stats().violations['ignoredRetryAfter'] ?? 0).toBe(0);
    expect(binance.stats().rest.errors.RATE_LIMITED).toBe(1);
  });

  it('429 on an idempotent read is retried after Retry-After by default', async () => {
    const s = await start();
    const binance = adapter({ credentials: null });
    await binance.loadMarkets();
    s.inject({ kind: 'rateLimit', count: 1, retryAfterSeconds: 1 });
    await binance.ping();
    expect(binance.stats().rest.retries).toBe(1);
    expect(s.stats().violations['ignoredRetryAfter'] ?? 0).toBe(0);
  });

  it('418 → IP_BANNED with the ban end; later calls fail at once without a request', async () => {
    const s = await start({}, { banAfterIgnored: 1, banSeconds: 120 });
    const binance = adapter({ credentials: null });
    await binance.loadMarkets();
    // Another client on the same IP ignores a 429 and gets the IP banned.
    s.inject({ kind: 'rateLimit', count: 1, retryAfterSeconds: 5 });
    expect((await fetch(`${s.httpUrl}/api/v3/ping`)).status).toBe(429);
    expect((await fetch(`${s.httpUrl}/api/v3/ping`)).status).toBe(418);
    const e = await rejection(binance.getServerTime());
    expect(e.code).toBe('IP_BANNED');
    const until = e.context['until'] as number;
    expect(until).toBeGreaterThan(Date.now() + 60_000);
    const requests = s.stats().httpRequests;
    const again = await rejection(binance.getDepth('BTC/USDT'));
    expect(again.code).toBe('IP_BANNED');
    expect(s.stats().httpRequests).toBe(requests);
    expect(binance.throttler.stats().bannedUntil).toBe(until);
  });
});
