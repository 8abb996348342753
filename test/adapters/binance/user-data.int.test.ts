// The Binance user data stream's socket upkeep against the simulator's Binance personality
// (WS API on 127.0.0.1): make-before-break replacement before the lifetime and on
// serverShutdown with every event delivered exactly once, and an unplanned drop reported as
// a userDataGap.
//
// How "exactly once" is checked: the simulator's own event feed (`sim.onEvent`) says which
// order and balance events the account got, which is what every subscribed socket is sent.
// The test counts them and compares with what the readers got, by identity (the execution
// id `I`, which the simulator gives once per event). To make sure both sockets really
// deliver the same events during a handover (not just by luck of timing), the test places
// an order at the instant a replacement socket's subscription is acknowledged: the old
// socket is still subscribed then (it is drained and closed only after), so the simulator
// sends that order's events on both.
import { ExchangeSimulator, type SimEvent } from '../../../src/testing/index.js';
import { formatScaled } from '../../../src/testing/format.js';
import type { AdapterEvent, BalanceUpdate, OrderUpdate } from '../../../src/adapter/index.js';
import { isTickwireError } from '../../../src/errors/index.js';
import { BinanceAdapter } from '../../../adapters/binance/index.js';
import { createHmacSigner } from '../../../src/auth/index.js';
import {
  binanceSimDemoAccount,
  binanceSimMarkets,
  createBinanceSimulatorProtocol,
} from '../../../adapters/binance/simulator/index.js';
import {
  BinanceUserDataStream,
  type BinanceUserDataEvent,
  type BinanceUserDataStreamOptions,
} from '../../../adapters/binance/streams/user-data.js';
import { nextEvent } from './streams-helpers.js';

jest.setTimeout(30_000);

const BTC = binanceSimMarkets[0]!;
const ACCOUNT = binanceSimDemoAccount.apiKey;

let sim: ExchangeSimulator | undefined;
let uds: BinanceUserDataStream | undefined;
const cleanups: (() => void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await uds?.close();
  await sim?.close();
  uds = undefined;
  sim = undefined;
});

async function start(
  options: Partial<BinanceUserDataStreamOptions>,
): Promise<{ sim: ExchangeSimulator; uds: BinanceUserDataStream }> {
  sim = await new ExchangeSimulator({
    protocol: createBinanceSimulatorProtocol({ markets: [BTC] }),
    seed: 11,
    levels: 20,
    eventsPerSecond: 0,
  }).start();
  uds = new BinanceUserDataStream({
    wsApiUrl: `${sim.wsUrl}/ws-api/v3`,
    signer: createHmacSigner({
      apiKey: binanceSimDemoAccount.apiKey,
      secret: binanceSimDemoAccount.secret as string,
    }),
    symbolOf: (id) => (id === BTC.id ? 'BTC/USDT' : id),
    backoff: { base: 20, cap: 200 },
    ...options,
  });
  return { sim, uds };
}

/** What the simulator sent the account: order events (by execution) and balance rows. */
function simFeed(s: ExchangeSimulator): { orders: () => number; balanceRows: () => number } {
  let orders = 0;
  let balanceRows = 0;
  const off = s.onEvent((e: SimEvent) => {
    if (e.type === 'order' && e.account === ACCOUNT) orders++;
    if (e.type === 'balance' && e.account === ACCOUNT) balanceRows += e.balances.length;
  });
  cleanups.push(off);
  return { orders: () => orders, balanceRows: () => balanceRows };
}

let side: 'buy' | 'sell' = 'buy';
/** A small market order straight into the engine (synchronous: its events go out now). */
function trade(s: ExchangeSimulator): void {
  side = side === 'buy' ? 'sell' : 'buy';
  const r = s.engine.placeOrder({
    account: ACCOUNT,
    market: BTC.id,
    side,
    type: 'market',
    quantity: BTC.lot,
  });
  if (!r.ok) throw new Error(`the simulator refused the order: ${r.reason}`);
}

/** Reads `n` values from a stream (waits for each; fails the test if the stream ends). */
async function take<T>(it: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done === true) throw new Error(`stream ended after ${out.length} of ${n} values`);
    out.push(r.value);
  }
  return out;
}

/** Records the stream's events in order. */
function record(u: BinanceUserDataStream): BinanceUserDataEvent[] {
  const log: BinanceUserDataEvent[] = [];
  cleanups.push(u.events.on((e) => log.push(e)));
  return log;
}

const executionId = (o: OrderUpdate): number => (o.raw as { I: number }).I;

/**
 * For every replacement: the new socket's `subscribed` comes before the old socket's
 * `closed`, and the old socket did close. Returns how many replacements were checked.
 */
function expectMakeBeforeBreak(log: readonly BinanceUserDataEvent[], rotations: number): void {
  const subscribedAt = (c: number): number =>
    log.findIndex((e) => e.type === 'subscribed' && e.connection === c);
  const closedAt = (c: number): number =>
    log.findIndex((e) => e.type === 'ws' && e.connection === c && e.event.type === 'closed');
  for (let c = 2; c <= rotations + 1; c++) {
    expect(subscribedAt(c)).toBeGreaterThanOrEqual(0);
    expect(closedAt(c - 1)).toBeGreaterThan(subscribedAt(c));
  }
}

/**
 * After the counted events: one more order as a barrier. Its report arrives after anything
 * still in flight, so if exactly it comes next, nothing extra (no late duplicate) was queued.
 */
async function expectNothingMore(
  s: ExchangeSimulator,
  orders: AsyncIterator<OrderUpdate>,
  feed: { orders: () => number },
): Promise<void> {
  const before = feed.orders();
  trade(s);
  const barrier = await take(orders, feed.orders() - before);
  const ids = barrier.map(executionId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(barrier.every((o) => o.market === 'BTC/USDT')).toBe(true);
}

describe('BinanceUserDataStream: socket lifetime, serverShutdown and gaps', () => {
  it('rotation before the lifetime (400 ms): make-before-break, every event exactly once', async () => {
    const { sim: s, uds: u } = await start({ maxLifetimeMs: 400, rotateBeforeMs: 100 });
    const feed = simFeed(s);
    const log = record(u);
    const orders = u.streamOrders()[Symbol.asyncIterator]();
    const balances = u.streamBalances()[Symbol.asyncIterator]();
    // The readers are attached: the connection opens now.
    await nextEvent(u.events, (e) => e.type === 'subscribed');
    // An order the moment each replacement is acknowledged: both sockets carry its events.
    cleanups.push(
      u.events.on((e) => {
        if (e.type === 'subscribed' && e.connection > 1) trade(s);
      }),
    );
    // Steady load while at least 3 replacements happen.
    const load = setInterval(() => trade(s), 15);
    cleanups.push(() => clearInterval(load));
    for (let i = 0; i < 3; i++) await nextEvent(u.events, (e) => e.type === 'rotated');
    clearInterval(load);

    const gotOrders = await take(orders, feed.orders());
    const gotBalances = await take(balances, feed.balanceRows());
    const ids = gotOrders.map(executionId);
    expect(new Set(ids).size).toBe(ids.length); // none twice
    expect(ids.length).toBe(feed.orders()); // none lost
    expect(gotBalances.every((b) => b.asset === 'BTC' || b.asset === 'USDT')).toBe(true);
    // The last balance the readers saw is the account's balance (nothing missed at the end).
    expectBalancesMatch(gotBalances, s);
    await expectNothingMore(s, orders, feed);

    const st = u.stats();
    expect(st.rotations).toBeGreaterThanOrEqual(3);
    expect(st.duplicatesDropped).toBeGreaterThanOrEqual(3); // the overlaps really overlapped
    expect(st.gaps).toBe(0);
    expect(log.filter((e) => e.type === 'userDataGap')).toEqual([]);
    expect(log.filter((e) => e.type === 'rotated').slice(0, 3)).toEqual([
      { type: 'rotated', reason: 'lifetime' },
      { type: 'rotated', reason: 'lifetime' },
      { type: 'rotated', reason: 'lifetime' },
    ]);
    expectMakeBeforeBreak(log, 3);
  });

  it('serverShutdown on the WS API: replaced make-before-break, every event exactly once, no gap', async () => {
    const { sim: s, uds: u } = await start({ maxLifetimeMs: 0 });
    const feed = simFeed(s);
    const log = record(u);
    const orders = u.streamOrders()[Symbol.asyncIterator]();
    const balances = u.streamBalances()[Symbol.asyncIterator]();
    await nextEvent(u.events, (e) => e.type === 'subscribed');
    expect(u.rotateAt).toBeUndefined(); // lifetime rotation is off here
    cleanups.push(
      u.events.on((e) => {
        if (e.type === 'subscribed' && e.connection > 1) trade(s);
      }),
    );
    trade(s);
    const rotated = nextEvent(u.events, (e) => e.type === 'rotated');
    // The notice, then the server closes the old socket 2 s later (the client is long gone).
    s.inject({ kind: 'serverShutdown', closeAfterMs: 2000 });
    trade(s);
    expect(await rotated).toEqual({ type: 'rotated', reason: 'serverShutdown' });
    trade(s);

    const gotOrders = await take(orders, feed.orders());
    const gotBalances = await take(balances, feed.balanceRows());
    const ids = gotOrders.map(executionId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(feed.orders());
    expectBalancesMatch(gotBalances, s);
    await expectNothingMore(s, orders, feed);

    const st = u.stats();
    expect(st).toMatchObject({ rotations: 1, gaps: 0, rotationFailures: 0 });
    expect(st.duplicatesDropped).toBeGreaterThanOrEqual(1);
    expectMakeBeforeBreak(log, 1);
    expect(log.some((e) => e.type === 'userDataGap')).toBe(false);
    expect(s.stats().faults.serverShutdown).toBe(1);
  });

  it('an unplanned drop: re-subscribed, a userDataGap event covering the dead time, counted, and events flow again', async () => {
    const { sim: s, uds: u } = await start({});
    const feed = simFeed(s);
    const orders = u.streamOrders()[Symbol.asyncIterator]();
    await nextEvent(u.events, (e) => e.type === 'subscribed');
    trade(s);
    const before = await take(orders, feed.orders());
    expect(before.length).toBeGreaterThanOrEqual(1);

    // While the socket is down the account trades: the stream cannot promise to have seen it.
    let tradedAt = 0;
    cleanups.push(
      u.events.on((e) => {
        if (e.type === 'ws' && e.event.type === 'closed' && tradedAt === 0) {
          tradedAt = Date.now();
          trade(s);
        }
      }),
    );
    const gap = nextEvent(u.events, (e) => e.type === 'userDataGap');
    s.inject({ kind: 'dropConnections' });
    const g = (await gap) as Extract<BinanceUserDataEvent, { type: 'userDataGap' }>;
    expect(g.reason).toBe('disconnected');
    expect(g.since).toBeLessThanOrEqual(tradedAt);
    expect(g.until).toBeGreaterThanOrEqual(tradedAt);
    expect(u.stats()).toMatchObject({ gaps: 1, subscriptions: 2, rotations: 0 });
    expect(u.manager?.stats().reconnects).toBe(1);

    // Subscribed again: the next order's events arrive (whatever the dead time lost or not).
    const c = s.engine.placeOrder({
      account: ACCOUNT,
      market: BTC.id,
      side: 'buy',
      type: 'limit',
      price: 100n,
      quantity: BTC.lot,
      clientOrderId: 'after-gap',
    });
    expect(c.ok).toBe(true);
    for (;;) {
      const r = await orders.next();
      if (r.done === true) throw new Error('orders ended');
      if (r.value.clientOrderId === 'after-gap') {
        expect(r.value.status).toBe('open');
        break;
      }
    }
    // One gap, one event: no second report for the same dead time.
    expect(u.stats().gaps).toBe(1);
  });

  it('the server ends the subscription (eventStreamTerminated): subscribed again on the same socket, the dead time reported as a gap', async () => {
    const { sim: s, uds: u } = await start({});
    const feed = simFeed(s);
    const orders = u.streamOrders()[Symbol.asyncIterator]();
    await nextEvent(u.events, (e) => e.type === 'subscribed');
    const gap = nextEvent(u.events, (e) => e.type === 'userDataGap');
    const terminated = nextEvent(u.events, (e) => e.type === 'terminated');
    // Someone (another tool on the same connection, or the exchange) ends the subscription.
    await u.manager!.request((id) => ({ id, method: 'userDataStream.unsubscribe' }));
    await terminated;
    expect(await gap).toMatchObject({ type: 'userDataGap', reason: 'terminated' });
    expect(u.stats()).toMatchObject({ gaps: 1, subscriptions: 2, rotations: 0 });
    expect(u.manager?.stats().reconnects).toBe(0); // the same socket
    trade(s);
    const got = await take(orders, feed.orders());
    expect(got.length).toBeGreaterThanOrEqual(1);
  });

  it('a replacement that cannot be subscribed is abandoned: the old socket keeps delivering, no gap, a retry is scheduled', async () => {
    const { sim: s, uds: u } = await start({ maxLifetimeMs: 0, handoverTimeoutMs: 300 });
    const feed = simFeed(s);
    const orders = u.streamOrders()[Symbol.asyncIterator]();
    await nextEvent(u.events, (e) => e.type === 'subscribed');
    const errors: string[] = [];
    cleanups.push(
      u.events.on((e) => {
        if (e.type === 'error') errors.push(e.error.code);
      }),
    );
    s.inject({ kind: 'refuseConnections', durationMs: 60_000 });
    await u.rotate();
    s.clearFaults();
    expect(u.stats()).toMatchObject({ rotations: 0, rotationFailures: 1, gaps: 0 });
    expect(errors).toContain('TRANSPORT_TIMEOUT');
    // The retry is scheduled 5 s out (then 10 s, 20 s, … up to 60 s).
    expect(u.rotateAt).toBeGreaterThan(Date.now() + 4000);
    expect(u.rotateAt).toBeLessThanOrEqual(Date.now() + 5000);
    // The first socket is still the one, and still subscribed.
    trade(s);
    const got = await take(orders, feed.orders());
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(u.manager?.stats().reconnects).toBe(0);
  });

  it('through BinanceAdapter: the gap is a STREAM_GAP error on the adapter events (connection "user"), counted in its stats', async () => {
    sim = await new ExchangeSimulator({
      protocol: createBinanceSimulatorProtocol({ markets: [BTC] }),
      seed: 12,
      eventsPerSecond: 0,
    }).start();
    const b = new BinanceAdapter({
      restUrl: sim.httpUrl,
      wsUrl: sim.wsUrl,
      wsApiUrl: `${sim.wsUrl}/ws-api/v3`,
      credentials: {
        apiKey: binanceSimDemoAccount.apiKey,
        secret: binanceSimDemoAccount.secret as string,
      },
      streams: { backoff: { base: 20, cap: 200 } },
    });
    cleanups.push(() => void b.close());
    const subscribed = nextEvent<BinanceUserDataEvent>(
      b.userDataEvents,
      (e) => e.type === 'subscribed',
    );
    const orders = b.streamOrders();
    const pending = orders.next();
    await subscribed;
    const gapError = nextEvent<AdapterEvent>(
      b.events,
      (e) => e.type === 'error' && e.error.code === 'STREAM_GAP',
    );
    const gapEvent = nextEvent<BinanceUserDataEvent>(
      b.userDataEvents,
      (e) => e.type === 'userDataGap',
    );
    sim.inject({ kind: 'dropConnections' });
    const [e, g] = await Promise.all([gapError, gapEvent]);
    expect(e).toMatchObject({ type: 'error', connection: 'user' });
    const err = (e as Extract<AdapterEvent, { type: 'error' }>).error;
    expect(isTickwireError(err, 'STREAM_GAP')).toBe(true);
    expect(err.category).toBe('transport');
    expect(err.context).toMatchObject({
      exchange: 'binance',
      since: (g as { since: number }).since,
      until: (g as { until: number }).until,
      reason: 'disconnected',
    });
    expect(b.stats().streams.errors.STREAM_GAP).toBe(1);
    expect(b.stats().userData.gaps).toBe(1);
    // The stream goes on.
    sim.engine.placeOrder({
      account: ACCOUNT,
      market: BTC.id,
      side: 'buy',
      type: 'limit',
      price: 100n,
      quantity: BTC.lot,
      clientOrderId: 'adapter-after-gap',
    });
    expect((await pending).value).toMatchObject({ clientOrderId: 'adapter-after-gap' });
    await orders.return();
    await b.close();
  });
});

function expectBalancesMatch(got: readonly BalanceUpdate[], s: ExchangeSimulator): void {
  const last = new Map(got.map((b) => [b.asset, b] as const));
  for (const b of s.engine.balances(ACCOUNT)) {
    const seen = last.get(b.asset);
    if (seen === undefined) continue; // an asset that never changed
    expect(seen.free.toFixed(8)).toBe(formatScaled(b.free, 8, 8));
    expect(seen.locked.toFixed(8)).toBe(formatScaled(b.locked, 8, 8));
  }
}
