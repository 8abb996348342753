// Binance market streams (combined streams, depth sync, trades) against the simulator's
// Binance personality on loopback.
import { setMaxListeners } from 'node:events';
import { ExchangeSimulator } from '../../../src/testing/index.js';
import type { DepthUpdate, Trade } from '../../../src/adapter/index.js';
import type { OrderBookView } from '../../../src/book/index.js';
import {
  binanceSimMarkets,
  createBinanceSimulatorProtocol,
} from '../../../adapters/binance/simulator/index.js';
import {
  BinanceMarketStreams,
  type BinanceMarketStreamsOptions,
  type BinanceStreamEvent,
} from '../../../adapters/binance/streams/index.js';
import {
  coinMarket,
  depthFetcher,
  nextEvent,
  nextMatching,
  readUntil,
  resolverFor,
} from './streams-helpers.js';

jest.setTimeout(30_000);

const BTC = binanceSimMarkets[0]!;

let sim: ExchangeSimulator | undefined;
let streams: BinanceMarketStreams | undefined;

afterEach(async () => {
  await streams?.close();
  await sim?.close();
  streams = undefined;
  sim = undefined;
});

async function start(
  simOptions: Partial<ConstructorParameters<typeof ExchangeSimulator>[0]> & {
    markets?: typeof binanceSimMarkets;
    pingIntervalMs?: number;
    pongTimeoutMs?: number;
  } = {},
  streamOptions: Partial<BinanceMarketStreamsOptions> = {},
): Promise<{ sim: ExchangeSimulator; streams: BinanceMarketStreams; snapshots: () => number }> {
  const markets = simOptions.markets ?? [BTC];
  sim = await new ExchangeSimulator({
    seed: 5,
    eventsPerSecond: 200,
    ...simOptions,
    protocol: createBinanceSimulatorProtocol({
      markets,
      ...(simOptions.pingIntervalMs === undefined
        ? {}
        : { pingIntervalMs: simOptions.pingIntervalMs }),
      ...(simOptions.pongTimeoutMs === undefined
        ? {}
        : { pongTimeoutMs: simOptions.pongTimeoutMs }),
    }),
  }).start();
  const depth = depthFetcher(sim.httpUrl);
  streams = new BinanceMarketStreams({
    wsUrl: sim.wsUrl,
    resolveMarket: resolverFor(markets),
    fetchDepthSnapshot: depth.fetch,
    backoff: { base: 20, cap: 200 },
    ...streamOptions,
  });
  return { sim, streams, snapshots: depth.calls };
}

function levels(view: OrderBookView, side: 'bids' | 'asks'): [string, string][] {
  return view[side]().map((l) => [l.price, l.quantity]);
}

/**
 * Follows `watch` until the simulator has finished and the book is synced at its final
 * sequence (more diffs are always on the way while the book is behind, so this never waits
 * for nothing).
 */
async function finalView(
  s: ExchangeSimulator,
  st: BinanceMarketStreams,
  watch: AsyncIterator<OrderBookView>,
): Promise<OrderBookView> {
  await s.finished;
  const target = s.book(BTC.id).sequence;
  for (;;) {
    const v = st.bookView('BTC/USDT');
    if (v !== undefined && v.isSynced && v.sequence === target) return v;
    const r = await watch.next();
    if (r.done === true) throw new Error('watch ended');
  }
}

describe('BinanceMarketStreams against the simulator', () => {
  it('streamTrades: trades of BTC/USDT with exact prices, the same stream for BTCUSDT', async () => {
    const { sim: s, streams: st } = await start({ tradeProbability: 0.9 });
    const seen: Trade[] = [];
    const other: Trade[] = [];
    const controller = new AbortController();
    const both = Promise.all([
      readUntil(st.streamTrades('BTC/USDT'), (t) => seen.push(t) >= 3),
      readUntil(
        st.streamTrades('BTCUSDT', { signal: controller.signal }),
        (t) => other.push(t) >= 3,
      ),
    ]);
    await both;
    expect(s.stats().faults.dropConnections).toBe(0);
    for (const t of seen) {
      expect(t.market).toBe('BTC/USDT');
      expect(t.price.isPositive()).toBe(true);
      expect(t.quantity.isPositive()).toBe(true);
      expect(['buy', 'sell']).toContain(t.side);
      expect(Number(t.id)).toBeGreaterThan(0);
    }
    // One upstream subscription served both readers: one connection, one stream.
    expect(st.pool.connectionCount).toBeLessThanOrEqual(1);
  });

  it('watchOrderBook: views expose sequence (the last applied u) and end equal to the truth', async () => {
    const { sim: s, streams: st } = await start({ maxEvents: 400, levels: 25 });
    const watch = st.watchOrderBook('BTCUSDT', { depth: 5 });
    const first = await nextMatching(watch, (v) => v.isSynced);
    expect(first.sequence).toBeGreaterThan(0);
    expect(first.bids()).toHaveLength(5);
    expect(first.market).toBe('BTC/USDT');
    const view = await finalView(s, st, watch);
    const truth = s.book(BTC.id);
    expect(view.sequence).toBe(truth.sequence);
    expect(levels(view, 'bids')).toEqual(truth.bids);
    expect(levels(view, 'asks')).toEqual(truth.asks);
    expect(st.stats().books['BTC/USDT']?.gaps).toBe(0);
  });

  it('streamDepth: a snapshot first, then contiguous deltas that rebuild the book exactly', async () => {
    const { sim: s, streams: st } = await start({ maxEvents: 300, levels: 20 });
    const bids = new Map<string, string>();
    const asks = new Map<string, string>();
    let last = -1n;
    let kinds = '';
    const apply = (u: DepthUpdate): void => {
      if (u.kind === 'snapshot') {
        bids.clear();
        asks.clear();
      } else {
        expect(u.firstSequence).toBeLessThanOrEqual(last + 1n);
      }
      for (const [side, list] of [
        [bids, u.bids],
        [asks, u.asks],
      ] as const) {
        for (const l of list) {
          if (Number(l.quantity) === 0) side.delete(l.price);
          else side.set(l.price, l.quantity);
        }
      }
      last = u.sequence!;
      kinds += u.kind === 'snapshot' ? 'S' : 'd';
    };
    const finished = s.finished.then(() => BigInt(s.book(BTC.id).sequence));
    let target: bigint | undefined;
    void finished.then((t) => (target = t));
    await readUntil(st.streamDepth('BTC/USDT'), (u) => {
      apply(u);
      return target !== undefined && last === target;
    });
    expect(kinds[0]).toBe('S');
    expect(kinds.slice(1)).not.toContain('S');
    expect(kinds.length).toBeGreaterThan(10);
    const truth = s.book(BTC.id);
    const sorted = (m: Map<string, string>, desc: boolean): [string, string][] =>
      [...m.entries()].sort((a, b) => (Number(a[0]) - Number(b[0])) * (desc ? -1 : 1));
    expect(sorted(bids, true)).toEqual(truth.bids);
    expect(sorted(asks, false)).toEqual(truth.asks);
  });

  it('a sequence gap raises BOOK_SEQUENCE_GAP, resyncs from a fresh snapshot and ends equal to the truth', async () => {
    const { sim: s, streams: st, snapshots } = await start({ maxEvents: 600, levels: 20 });
    const watch = st.watchOrderBook('BTC/USDT');
    const updates: DepthUpdate[] = [];
    const depthReader = (async () => {
      for await (const u of st.streamDepth('BTC/USDT')) {
        updates.push(u);
        if (updates.filter((x) => x.kind === 'snapshot').length >= 2) return;
      }
    })();
    await nextMatching(watch, (v) => v.isSynced);
    const resyncing = nextEvent<BinanceStreamEvent>(st.events, (e) => e.type === 'resyncing');
    s.inject({ kind: 'skipSequence', count: 1 });
    const r = await resyncing;
    expect(r.type === 'resyncing' && r.reason).toBe('gap');
    expect(r.type === 'resyncing' && r.error?.code).toBe('BOOK_SEQUENCE_GAP');
    await depthReader;
    // The depth stream gave a fresh snapshot after the resync.
    expect(updates.filter((u) => u.kind === 'snapshot')).toHaveLength(2);
    expect(snapshots()).toBeGreaterThanOrEqual(2);
    const view = await finalView(s, st, watch);
    const truth = s.book(BTC.id);
    expect(levels(view, 'bids')).toEqual(truth.bids);
    expect(levels(view, 'asks')).toEqual(truth.asks);
    expect(st.stats().books['BTC/USDT']?.gaps).toBe(1);
    expect(s.stats().faults.skipSequence).toBe(1);
  });

  it('after a dropped connection it resubscribes, resyncs and ends equal to the truth', async () => {
    const { sim: s, streams: st } = await start({ maxEvents: 600, levels: 20 });
    const watch = st.watchOrderBook('BTC/USDT');
    await nextMatching(watch, (v) => v.isSynced);
    const resynced = nextEvent<BinanceStreamEvent>(
      st.events,
      (e) => e.type === 'resyncing' && e.reason === 'reconnect',
    );
    const reopened = nextEvent<BinanceStreamEvent>(
      st.events,
      (e) => e.type === 'ws' && e.event.type === 'resubscribed',
    );
    s.inject({ kind: 'dropConnections' });
    await Promise.all([resynced, reopened]);
    const view = await finalView(s, st, watch);
    const truth = s.book(BTC.id);
    expect(levels(view, 'bids')).toEqual(truth.bids);
    expect(levels(view, 'asks')).toEqual(truth.asks);
    expect(st.stats().connections[0]?.stats.reconnects).toBe(1);
  });

  it('reconnect → resubscribe is paced: 16 streams, one per SUBSCRIBE, never over 5 messages/s on the simulator', async () => {
    const markets = Array.from({ length: 8 }, (_, i) => coinMarket(i + 1));
    const { sim: s, streams: st } = await start(
      { markets, tradeProbability: 0.9, eventsPerSecond: 400, pingIntervalMs: 1000 },
      { streamsPerSubscribe: 1 },
    );
    const controller = new AbortController();
    // One signal for 16 loops is ordinary bot code; lift Node's leak warning threshold (10).
    setMaxListeners(32, controller.signal);
    const counts = new Map<string, number>();
    // Resolved by the readers themselves (no polling): every stream moved since the call.
    let waiter: { since: Map<string, number>; resolve: () => void } | undefined;
    const bump = (key: string): void => {
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const w = waiter;
      if (
        w !== undefined &&
        counts.size === 16 &&
        [...counts].every(([k, n]) => n > (w.since.get(k) ?? 0))
      ) {
        waiter = undefined;
        w.resolve();
      }
    };
    const readers = markets.flatMap((m) => [
      (async () => {
        for await (const _t of st.streamTrades(m.id, { signal: controller.signal })) {
          bump(`${m.id}@trade`);
        }
      })().catch(() => undefined),
      (async () => {
        for await (const v of st.watchOrderBook(m.id, { signal: controller.signal })) {
          if (v.isSynced) bump(`${m.id}@depth`);
        }
      })().catch(() => undefined),
    ]);
    const allFlowing = (): Promise<void> =>
      new Promise((resolve) => {
        waiter = { since: new Map(counts), resolve };
      });
    await allFlowing();
    const resubscribed = nextEvent<BinanceStreamEvent>(
      st.events,
      (e) => e.type === 'ws' && e.event.type === 'resubscribed',
    );
    const before = s.stats().messagesReceived;
    s.inject({ kind: 'dropConnections' });
    const r = await resubscribed;
    expect(r.type === 'ws' && r.event.type === 'resubscribed' && r.event.count).toBe(16);
    await allFlowing();
    // 16 SUBSCRIBE frames went out again, and the simulator (which closes a connection with
    // 1008 above 5 messages in a second, pongs included) saw no violation.
    expect(s.stats().messagesReceived - before).toBeGreaterThanOrEqual(16);
    expect(s.stats().violations.wsMessageRate ?? 0).toBe(0);
    expect(st.stats().connections).toHaveLength(1);
    controller.abort();
    await Promise.all(readers);
  });

  it('more streams than one connection holds: the pool opens another connection', async () => {
    const markets = Array.from({ length: 3 }, (_, i) => coinMarket(i + 1));
    const { streams: st } = await start(
      { markets, tradeProbability: 0.9, eventsPerSecond: 300 },
      { streamsPerConnection: 2 },
    );
    const controller = new AbortController();
    const it1 = st.streamTrades(markets[0]!.id, { signal: controller.signal });
    const it2 = st.streamTrades(markets[1]!.id, { signal: controller.signal });
    const it3 = st.streamTrades(markets[2]!.id, { signal: controller.signal });
    const firsts = await Promise.all([it1.next(), it2.next(), it3.next()]);
    expect(firsts.map((r) => r.value?.market)).toEqual(['C1/USDT', 'C2/USDT', 'C3/USDT']);
    expect(st.pool.connectionCount).toBe(2);
    expect(st.pool.members().map((m) => m.channels)).toEqual([2, 1]);
    controller.abort();
  });

  it('serverShutdown: the connection is replaced make-before-break and the book stays correct', async () => {
    const { sim: s, streams: st } = await start({ maxEvents: 800, levels: 20 });
    const watch = st.watchOrderBook('BTC/USDT');
    await nextMatching(watch, (v) => v.isSynced);
    const rotated = nextEvent<BinanceStreamEvent>(
      st.events,
      (e) => e.type === 'ws' && e.event.type === 'rotated',
    );
    s.inject({ kind: 'serverShutdown' });
    await rotated;
    const view = await finalView(s, st, watch);
    const truth = s.book(BTC.id);
    expect(levels(view, 'bids')).toEqual(truth.bids);
    expect(st.stats().books['BTC/USDT']?.gaps).toBe(0);
  });

  it('malformed frames are counted and reported, never applied', async () => {
    const { sim: s, streams: st } = await start({ maxEvents: 500, levels: 20 });
    const watch = st.watchOrderBook('BTC/USDT');
    await nextMatching(watch, (v) => v.isSynced);
    const reported = nextEvent<BinanceStreamEvent>(
      st.events,
      (e) =>
        e.type === 'ws' &&
        e.event.type === 'error' &&
        e.event.error.code === 'MESSAGE_PARSE_FAILED',
    );
    s.inject({ kind: 'malformedFrames', count: 2 });
    await reported;
    const view = await finalView(s, st, watch);
    expect(levels(view, 'asks')).toEqual(s.book(BTC.id).asks);
    expect(st.stats().connections[0]?.stats.parseFailures).toBe(2);
  });

  it('server pings are answered: with a 300 ms ping and a 700 ms pong deadline the socket lives on', async () => {
    const { sim: s, streams: st } = await start({
      maxEvents: 250,
      // Pongs count against the 5 messages/s limit on this simulator, as on Binance.
      pingIntervalMs: 300,
      pongTimeoutMs: 700,
    });
    const watch = st.watchOrderBook('BTC/USDT');
    await nextMatching(watch, (v) => v.isSynced);
    // ~1.2 s of market events: several pings, each of which had to be answered in time.
    const view = await finalView(s, st, watch);
    expect(view.sequence).toBe(s.book(BTC.id).sequence);
    expect(s.stats().violations.missedPong ?? 0).toBe(0);
    expect(st.stats().connections[0]?.stats.reconnects).toBe(0);
    expect(s.stats().connectionsOpened).toBe(1);
  });

  it('an unknown market is a typed UNKNOWN_MARKET error', async () => {
    const { streams: st } = await start();
    await expect(st.watchOrderBook('NOPE/USDT').next()).rejects.toMatchObject({
      code: 'UNKNOWN_MARKET',
    });
  });
});
