// The Binance depth lane against the simulator: a watched book is fed by the market-stream
// pool's tap (counted in the connection's `tapped`), declines to a `streamDepth` reader of the
// same market (every delta delivered, in order), and takes over again once the reader ends;
// the book equals the simulator's truth at the same sequence throughout.
import { ExchangeSimulator } from '../../../src/testing/index.js';
import type { DepthUpdate } from '../../../src/adapter/index.js';
import type { OrderBookView } from '../../../src/book/index.js';
import {
  binanceSimMarkets,
  createBinanceSimulatorProtocol,
} from '../../../adapters/binance/simulator/index.js';
import { BinanceMarketStreams } from '../../../adapters/binance/streams/index.js';
import { depthFetcher, nextMatching, resolverFor } from './streams-helpers.js';

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

/** A simulator in manual mode (events only on `step`) and market streams on it. */
async function start(
  transport: 'ws' | 'native',
): Promise<{ s: ExchangeSimulator; st: BinanceMarketStreams }> {
  const markets = [BTC];
  sim = await new ExchangeSimulator({
    seed: 13,
    eventsPerSecond: 0,
    levels: 20,
    tradeProbability: 0,
    protocol: createBinanceSimulatorProtocol({ markets }),
  }).start();
  streams = new BinanceMarketStreams({
    wsUrl: sim.wsUrl,
    resolveMarket: resolverFor(markets),
    fetchDepthSnapshot: depthFetcher(sim.httpUrl).fetch,
    backoff: { base: 20, cap: 200 },
    transport,
  });
  return { s: sim, st: streams };
}

/** One real event-loop turn (socket and HTTP I/O run). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs `each` and one I/O turn until `done()` holds (bounded, so a bug fails instead of hanging). */
async function until(done: () => boolean, what: string, each = (): void => undefined) {
  for (let i = 0; i < 20_000 && !done(); i++) {
    each();
    await turn();
  }
  if (!done()) throw new Error(`not reached within 20 000 event-loop turns: ${what}`);
}

const tapped = (st: BinanceMarketStreams): number =>
  st.stats().connections.reduce((n, c) => n + c.stats.tapped, 0);
const messagesIn = (st: BinanceMarketStreams): number =>
  st.stats().connections.reduce((n, c) => n + c.stats.messagesIn, 0);

const levels = (view: OrderBookView, side: 'bids' | 'asks'): [string, string][] =>
  view[side]().map((l) => [l.price, l.quantity]);

/** A burst of `n` events; resolves when the book has applied the last one, and checks it against the truth. */
async function burstAndCheck(s: ExchangeSimulator, st: BinanceMarketStreams, n: number) {
  s.step(n);
  const truth = s.book(BTC.id);
  await until(
    () => st.bookView('BTC/USDT')?.sequence === truth.sequence,
    `book at the simulator's sequence ${truth.sequence}`,
  );
  const view = st.bookView('BTC/USDT')!;
  expect(view.isSynced).toBe(true);
  expect(levels(view, 'bids')).toEqual(truth.bids);
  expect(levels(view, 'asks')).toEqual(truth.asks);
  return truth;
}

// Both WebSocket transports feed the lane: `native` is the default, `ws` the alternative.
describe.each(['native', 'ws'] as const)(
  'Binance depth lane (market-stream pool tap) against the simulator, %s transport',
  (transport) => {
    it('feeds a watched book directly, declines while a streamDepth reader exists, and resumes after it ends', async () => {
      const { s, st } = await start(transport);
      const watch = st.watchOrderBook('BTC/USDT');
      const synced = nextMatching(watch, (v) => v.isSynced);
      let isSynced = false;
      void synced.then(() => (isSynced = true));
      // Events trickle until the book has a snapshot and a diff after it.
      await until(
        () => isSynced,
        'first synced view',
        () => s.step(1),
      );
      expect(tapped(st)).toBeGreaterThan(0);

      // 1. Only watchOrderBook: every frame of a burst (all depth frames) goes through the lane.
      const t0 = tapped(st);
      const m0 = messagesIn(st);
      await burstAndCheck(s, st, 1500);
      const t1 = tapped(st);
      const m1 = messagesIn(st);
      expect(m1 - m0).toBeGreaterThan(100);
      expect(t1 - t0).toBe(m1 - m0);

      // 2. A streamDepth reader on the same market: the lane declines, every delta arrives.
      const depth = st.streamDepth('BTC/USDT')[Symbol.asyncIterator]();
      const first = await depth.next();
      expect(first.done).toBe(false);
      const snapshot = first.value as DepthUpdate;
      expect(snapshot.kind).toBe('snapshot');
      const bids = new Map(snapshot.bids.map((l) => [l.price, l.quantity]));
      const asks = new Map(snapshot.asks.map((l) => [l.price, l.quantity]));
      let last = snapshot.sequence!;
      const gaps: string[] = [];
      const truth2 = await burstAndCheck(s, st, 1500);
      // Not one frame of the burst took the lane while the reader existed.
      expect(tapped(st)).toBe(t1);
      let deltas = 0;
      while (last < BigInt(truth2.sequence)) {
        const r = await depth.next();
        if (r.done === true) throw new Error('depth stream ended');
        const u = r.value;
        expect(u.kind).toBe('delta');
        if (u.firstSequence !== last + 1n) gaps.push(`${last} -> ${u.firstSequence}`);
        last = u.sequence!;
        deltas++;
        for (const [side, list] of [
          [bids, u.bids],
          [asks, u.asks],
        ] as const) {
          for (const l of list) {
            if (/[1-9]/.test(l.quantity)) side.set(l.price, l.quantity);
            else side.delete(l.price);
          }
        }
      }
      expect(gaps).toEqual([]);
      expect(last).toBe(BigInt(truth2.sequence));
      expect(deltas).toBeGreaterThan(0);
      const sorted = (m: Map<string, string>, desc: boolean): [string, string][] =>
        [...m.entries()].sort((a, b) => (Number(a[0]) - Number(b[0])) * (desc ? -1 : 1));
      expect(sorted(bids, true)).toEqual(truth2.bids);
      expect(sorted(asks, false)).toEqual(truth2.asks);

      // 3. The reader ends: the lane takes the frames again (all of them).
      await depth.return(undefined);
      const m2 = messagesIn(st);
      await burstAndCheck(s, st, 1500);
      const m3 = messagesIn(st);
      expect(m3 - m2).toBeGreaterThan(100);
      expect(tapped(st) - t1).toBe(m3 - m2);

      const stats = st.stats();
      expect(stats.books['BTC/USDT']?.gaps).toBe(0);
      expect(stats.invalidFrames).toBe(0);
      expect(stats.depthReaderOverflows).toBe(0);
      expect(stats.connections.every((c) => c.stats.parseFailures === 0)).toBe(true);
      await watch.return(undefined);
    });
  },
);
