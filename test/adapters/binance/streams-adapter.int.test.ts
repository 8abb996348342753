// BinanceAdapter's streaming half against the simulator's Binance personality: depth and
// trades through the channel table, watchOrderBook, the user data stream over the WS API
// (an order round trip with executionReport and balance updates, re-subscription after a
// reconnect, bad and missing credentials), and streamNonce.
import { ExchangeSimulator } from '../../../src/testing/index.js';
import type { AdapterEvent, BalanceUpdate, OrderUpdate } from '../../../src/adapter/index.js';
import { isTickwireError } from '../../../src/errors/index.js';
import {
  BINANCE_POOLS,
  BinanceAdapter,
  type BinanceAdapterOptions,
  binanceSimDemoAccount,
  binanceSimMarkets,
  createBinanceSimulatorProtocol,
} from '../../../adapters/binance/index.js';
import type { BinanceUserDataEvent } from '../../../adapters/binance/streams/index.js';
import { nextEvent, nextMatching } from './streams-helpers.js';

jest.setTimeout(30_000);

const BTC = binanceSimMarkets[0]!;
const credentials = {
  apiKey: binanceSimDemoAccount.apiKey,
  secret: binanceSimDemoAccount.secret as string,
};

let sim: ExchangeSimulator | undefined;
let binance: BinanceAdapter | undefined;

afterEach(async () => {
  await binance?.close();
  await sim?.close();
  binance = undefined;
  sim = undefined;
});

async function start(
  simOptions: { maxEvents?: number; eventsPerSecond?: number } = {},
  adapterOptions: Partial<BinanceAdapterOptions> = {},
): Promise<{ sim: ExchangeSimulator; binance: BinanceAdapter }> {
  sim = await new ExchangeSimulator({
    protocol: createBinanceSimulatorProtocol({ markets: [BTC] }),
    seed: 9,
    levels: 20,
    eventsPerSecond: 200,
    ...simOptions,
  }).start();
  binance = new BinanceAdapter({
    restUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    wsApiUrl: `${sim.wsUrl}/ws-api/v3`,
    credentials,
    streams: { backoff: { base: 20, cap: 200 } },
    ...adapterOptions,
  });
  return { sim, binance };
}

describe('BinanceAdapter streams', () => {
  it('watchOrderBook: the snapshot goes through the throttler; views carry sequence and end equal to the truth', async () => {
    const { sim: s, binance: b } = await start({ maxEvents: 300 });
    const watch = b.watchOrderBook('BTC/USDT', { depth: 1000 });
    const first = await nextMatching(watch, (v) => v.isSynced);
    expect(first.market).toBe('BTC/USDT');
    // The snapshot (limit 1000, weight 50) was counted by the adapter's throttler.
    // exchangeInfo (20) + depth limit 1000 (50), both through the adapter's throttler.
    expect(b.throttler.stats().pools[BINANCE_POOLS.weight]?.used).toBeGreaterThanOrEqual(70);
    await s.finished;
    const target = s.book(BTC.id).sequence;
    const last = await nextMatching(watch, (v) => v.isSynced && v.sequence === target);
    const truth = s.book(BTC.id);
    expect(last.bids().map((l) => [l.price, l.quantity])).toEqual(truth.bids);
    expect(last.asks().map((l) => [l.price, l.quantity])).toEqual(truth.asks);
    expect(b.stats().binanceStreams.books['BTC/USDT']?.sequence).toBe(target);
    await watch.return();
  });

  it('streamDepth and streamTrades through subscribe(): a snapshot first, then deltas; trades of the market', async () => {
    const { binance: b } = await start({ eventsPerSecond: 400 });
    const depth = b.streamDepth('BTCUSDT');
    const first = await depth.next();
    expect(first.value).toMatchObject({ kind: 'snapshot', market: 'BTC/USDT' });
    const second = await depth.next();
    expect(second.value).toMatchObject({ kind: 'delta', market: 'BTC/USDT' });
    expect(second.value!.firstSequence! <= first.value!.sequence! + 1n).toBe(true);
    const trade = await b.streamTrades('BTC/USDT').next();
    expect(trade.value).toMatchObject({ market: 'BTC/USDT' });
    expect(trade.value!.price.isPositive()).toBe(true);
    expect(b.stats().streams.live).toMatchObject({ depth: 1 });
    await depth.return();
  });

  it('a gap is reported as BOOK_SEQUENCE_GAP and a resynced event on the adapter', async () => {
    const { sim: s, binance: b } = await start();
    const watch = b.watchOrderBook('BTC/USDT');
    await nextMatching(watch, (v) => v.isSynced);
    const resynced = nextEvent<AdapterEvent>(b.events, (e) => e.type === 'resynced');
    const gap = nextEvent<AdapterEvent>(
      b.events,
      (e) => e.type === 'error' && e.error.code === 'BOOK_SEQUENCE_GAP',
    );
    s.inject({ kind: 'skipSequence' });
    const [r] = await Promise.all([resynced, gap]);
    expect(r).toMatchObject({ type: 'resynced', market: 'BTC/USDT', reason: 'gap' });
    const again = await nextMatching(watch, (v) => v.isSynced);
    expect(again.sequence).toBeGreaterThan(0);
    await watch.return();
  });

  it('order round trip: executionReport NEW → TRADE (filled) and balance updates from the user data stream', async () => {
    const { sim: s, binance: b } = await start();
    const subscribed = nextEvent<BinanceUserDataEvent>(
      b.userDataEvents,
      (e) => e.type === 'subscribed',
    );
    const orders = b.streamOrders();
    const balances = b.streamBalances();
    // The readers attach on the first next(); the subscription follows the socket's open.
    const firstBalance: BalanceUpdate[] = [];
    const pending = orders.next();
    void balances.next().then((r) => firstBalance.push(r.value!));
    await subscribed;
    const ask = s.book(BTC.id).asks[0]!;
    const placed = await b.placeOrder({
      market: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: ask[0],
      quantity: '0.001',
      clientOrderId: 'uds-round-trip',
    });
    const updates: OrderUpdate[] = [(await pending).value!];
    while (updates.at(-1)!.status !== 'filled') updates.push((await orders.next()).value!);
    expect(updates[0]).toMatchObject({
      market: 'BTC/USDT',
      orderId: placed.orderId,
      clientOrderId: 'uds-round-trip',
      side: 'buy',
      status: 'open',
    });
    const fill = updates.at(-1)!;
    expect(fill.filledQuantity.toFixed()).toBe('0.001');
    expect(fill.lastFillQuantity?.toFixed()).toBe('0.001');
    expect(fill.lastFillPrice?.toFixed()).toBe(Number(ask[0]).toString());
    const seen: BalanceUpdate[] = firstBalance;
    while (!(seen.some((x) => x.asset === 'BTC') && seen.some((x) => x.asset === 'USDT'))) {
      seen.push((await balances.next()).value!);
    }
    const btc = seen.filter((x) => x.asset === 'BTC').at(-1)!;
    expect(btc.free.toFixed()).toBe('10.001');
    expect(b.stats().userData.executionReports).toBeGreaterThanOrEqual(2);
    await orders.return();
    await balances.return();
  });

  it('after a dropped connection the user data stream subscribes again with a fresh signature and events flow', async () => {
    const { sim: s, binance: b } = await start({ eventsPerSecond: 0 });
    const subscribed = (): Promise<BinanceUserDataEvent> =>
      nextEvent<BinanceUserDataEvent>(b.userDataEvents, (e) => e.type === 'subscribed');
    const once = subscribed();
    const orders = b.streamOrders();
    const first = orders.next();
    await once;
    const twice = subscribed();
    s.inject({ kind: 'dropConnections' });
    await twice;
    expect(b.stats().userData.subscriptions).toBe(2);
    await b.placeOrder({
      market: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: '50000',
      quantity: '0.001',
      clientOrderId: 'after-reconnect',
    });
    expect((await first).value).toMatchObject({ clientOrderId: 'after-reconnect', status: 'open' });
    expect(b.stats().ws.user?.reconnects).toBe(1);
    await orders.return();
  });

  it('the streams lifetime settings reach the user data socket too (its replacement is scheduled by them)', async () => {
    const { binance: b } = await start(
      { eventsPerSecond: 0 },
      {
        streams: {
          backoff: { base: 20, cap: 200 },
          maxLifetimeMs: 3_600_000,
          rotateBeforeMs: 600_000,
        },
      },
    );
    const subscribed = nextEvent<BinanceUserDataEvent>(
      b.userDataEvents,
      (e) => e.type === 'subscribed',
    );
    const before = Date.now();
    const orders = b.streamOrders();
    const first = orders.next();
    await subscribed;
    const after = Date.now();
    const rotateAt = b.stats().userData.rotateAt!;
    // Opened between `before` and `after`; replaced 50 min later (not at the default 23 h 55 min).
    expect(rotateAt).toBeGreaterThanOrEqual(before + 3_000_000);
    expect(rotateAt).toBeLessThanOrEqual(after + 3_000_000);
    await orders.return();
    await first;
  });

  it('user data without credentials fails with AUTH_MISSING_CREDENTIALS; a wrong secret with AUTH_INVALID_KEY', async () => {
    const { sim: s } = await start();
    const anonymous = new BinanceAdapter({
      restUrl: s.httpUrl,
      wsUrl: s.wsUrl,
      wsApiUrl: `${s.wsUrl}/ws-api/v3`,
    });
    const wrong = new BinanceAdapter({
      restUrl: s.httpUrl,
      wsUrl: s.wsUrl,
      wsApiUrl: `${s.wsUrl}/ws-api/v3`,
      credentials: { apiKey: credentials.apiKey, secret: 'not-the-secret' },
      streams: { backoff: { base: 20, cap: 200 } },
    });
    try {
      await expect(anonymous.streamOrders().next()).rejects.toMatchObject({
        code: 'AUTH_MISSING_CREDENTIALS',
      });
      const e: unknown = await wrong
        .streamBalances()
        .next()
        .then(
          () => undefined,
          (x: unknown) => x,
        );
      expect(isTickwireError(e, 'AUTH_INVALID_KEY')).toBe(true);
      expect((e as Error).message).toContain('-1022');
      expect((e as Error).message).not.toContain('not-the-secret');
    } finally {
      await anonymous.close();
      await wrong.close();
    }
  });

  it('streamNonce is a typed UNSUPPORTED_CHANNEL error', async () => {
    const { binance: b } = await start();
    let caught: unknown;
    try {
      b.streamNonce();
    } catch (e) {
      caught = e;
    }
    expect(isTickwireError(caught, 'UNSUPPORTED_CHANNEL')).toBe(true);
    expect((caught as { context: { channel: string } }).context.channel).toBe('nonce');
  });
});
