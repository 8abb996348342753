// npm run bench -- book
//
// Level updates per second applying Binance-style diff events to an L2 book of 1k and 5k
// levels per side: tickwire's OrderBook against a naive `Map` + sort-on-read book (the
// baseline of benchmarks.md), in the same process and run, alternating A B A B.
//
// Input: diff frames are generated as JSON wire text and `JSON.parse`d before timing, so
// both sides consume the same arrays of [price, qty] wire strings; JSON.parse itself is
// measured separately and reported for orientation. Reads: after every event both sides
// read the top 10 bids and top 10 asks (the baseline sorts each side for that read, which is
// what "sort on read" means). A third line runs the same traffic through
// SequencedBookSync.push (continuity checks, receivedAt, crossed check) on tickwire's book.
import { loadavg } from 'node:os';
import { createSequencedBookSync, OrderBook, type SequencedSnapshot } from '../src/book/index.js';
import { buildTraffic, type BinanceDiffFrame, type BookTraffic } from './lib/book-events.js';
import { NaiveBook } from './lib/book-naive.js';
import { median } from './lib/stats.js';

const RUNS = 5;
const BUDGET_MS = 400;
const WARMUP_MS = 300;
const TOP = 10;
const SIZES = [
  { label: '1k', levels: 1000, events: 30_000 },
  { label: '5k', levels: 5000, events: 30_000 },
] as const;

type Side = 'tickwire' | 'baseline' | 'sync';

interface Sample {
  updatesPerSec: number;
  cpuNsPerUpdate: number;
  updates: number;
}

let sink = 0;

function elapsedMs(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function runOnce(
  side: Side,
  traffic: BookTraffic,
  events: readonly BinanceDiffFrame[],
  budgetMs: number,
): Promise<Sample> {
  const counts = traffic.levelCounts;
  let apply: (ev: BinanceDiffFrame) => void;
  if (side === 'baseline') {
    const book = new NaiveBook();
    book.load(traffic.snapshot.bids, traffic.snapshot.asks);
    apply = (ev) => {
      book.apply(ev.b, ev.a);
      sink += book.topBids(TOP).length + book.topAsks(TOP).length;
    };
  } else if (side === 'tickwire') {
    const book = new OrderBook({ market: 'BTC/USDT' });
    book.applySnapshot(traffic.snapshot, { sequence: traffic.snapshot.lastUpdateId });
    apply = (ev) => {
      book.applyDelta({ bids: ev.b, asks: ev.a }, { sequence: ev.u, exchangeTime: ev.E });
      sink += book.bids(TOP).length + book.asks(TOP).length;
    };
  } else {
    const snapshot: SequencedSnapshot = traffic.snapshot;
    const sync = createSequencedBookSync({
      market: 'BTC/USDT',
      fetchSnapshot: () => Promise.resolve(snapshot),
    });
    const id = snapshot.lastUpdateId;
    sync.push({ firstUpdateId: id, lastUpdateId: id, bids: [], asks: [] });
    await new Promise((r) => setImmediate(r));
    if (!sync.isSynced) throw new Error('bench: sync did not sync');
    const book = sync.book;
    apply = (ev) => {
      sync.push({
        firstUpdateId: ev.U,
        lastUpdateId: ev.u,
        bids: ev.b,
        asks: ev.a,
        exchangeTime: ev.E,
      });
      sink += book.bids(TOP).length + book.asks(TOP).length;
    };
  }
  global.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let updates = 0;
  for (let i = 0; i < events.length; i++) {
    apply(events[i]!);
    updates += counts[i]!;
    if ((i & 31) === 31 && elapsedMs(t0) > budgetMs) break;
  }
  const ms = elapsedMs(t0);
  const cpu = process.cpuUsage(cpu0);
  return {
    updatesPerSec: updates / (ms / 1000),
    cpuNsPerUpdate: ((cpu.user + cpu.system) * 1000) / updates,
    updates,
  };
}

function summary(samples: Sample[]) {
  const rates = samples.map((s) => s.updatesPerSec);
  return {
    levelUpdatesPerSec: Math.round(median(rates)),
    min: Math.round(Math.min(...rates)),
    max: Math.round(Math.max(...rates)),
    cpuNsPerUpdate: Math.round(median(samples.map((s) => s.cpuNsPerUpdate))),
    // Per CPU-second of this process: less sensitive than wall time to other processes
    // time-sharing the two cores.
    levelUpdatesPerCpuSec: Math.round(1e9 / median(samples.map((s) => s.cpuNsPerUpdate))),
    updatesPerRun: Math.round(median(samples.map((s) => s.updates))),
  };
}

/** Checks both books agree on the top levels after the same events (numerically). */
function crossCheck(traffic: BookTraffic, events: readonly BinanceDiffFrame[]): void {
  const a = new OrderBook();
  const b = new NaiveBook();
  a.applySnapshot(traffic.snapshot);
  b.load(traffic.snapshot.bids, traffic.snapshot.asks);
  for (const ev of events.slice(0, 2000)) {
    a.applyDelta({ bids: ev.b, asks: ev.a });
    b.apply(ev.b, ev.a);
  }
  const same =
    JSON.stringify(a.bids(TOP).map((l) => [l.price, l.quantity])) ===
      JSON.stringify(b.topBids(TOP)) &&
    JSON.stringify(a.asks(TOP).map((l) => [l.price, l.quantity])) ===
      JSON.stringify(b.topAsks(TOP)) &&
    a.levelCount.bids === b.bids.size &&
    a.levelCount.asks === b.asks.size;
  if (!same) throw new Error('bench: tickwire and baseline books disagree');
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const results: Record<string, unknown> = {};
  const lines: string[] = [];
  let headline = 0;
  let headlineRate = 0;
  for (const size of SIZES) {
    const traffic = buildTraffic(size.levels, size.events, 7);
    const events = traffic.frames.map((f) => JSON.parse(f) as BinanceDiffFrame);
    // JSON.parse cost for orientation only (not in either side's figures): warm, 3 passes
    // over the first 2000 frames, median.
    const parseSamples: number[] = [];
    for (let pass = 0; pass < 3; pass++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < 2000; i++) sink += (JSON.parse(traffic.frames[i]!) as BinanceDiffFrame).u;
      parseSamples.push((elapsedMs(t0) * 1000) / 2000);
    }
    const parseUsPerEvent = median(parseSamples);
    const avgLevels = traffic.levelCounts.reduce((x, y) => x + y, 0) / events.length;
    crossCheck(traffic, events);
    for (const side of ['tickwire', 'baseline', 'sync'] as const) {
      await runOnce(side, traffic, events, WARMUP_MS);
    }
    const samples: Record<Side, Sample[]> = { tickwire: [], baseline: [], sync: [] };
    for (let r = 0; r < RUNS; r++) {
      samples.tickwire.push(await runOnce('tickwire', traffic, events, BUDGET_MS));
      samples.baseline.push(await runOnce('baseline', traffic, events, BUDGET_MS));
      samples.sync.push(await runOnce('sync', traffic, events, BUDGET_MS));
    }
    const tw = summary(samples.tickwire);
    const base = summary(samples.baseline);
    const sync = summary(samples.sync);
    const ratio = tw.levelUpdatesPerSec / base.levelUpdatesPerSec;
    if (size.label === '1k') {
      headline = ratio;
      headlineRate = tw.levelUpdatesPerSec;
    }
    results[size.label] = {
      levelsPerSide: size.levels,
      levelUpdatesPerEvent: Number(avgLevels.toFixed(1)),
      jsonParseUsPerEvent: Number(parseUsPerEvent.toFixed(2)),
      ratio: Number(ratio.toFixed(2)),
      tickwire: tw,
      baseline: base,
      tickwireSync: sync,
    };
    const fmt = (x: number): string => `${(x / 1e6).toFixed(2)} M/s`;
    lines.push(
      `${size.label.padEnd(3)} ratio ${ratio.toFixed(1).padStart(6)}x | tickwire ${fmt(tw.levelUpdatesPerSec).padStart(10)} (${fmt(tw.min)}–${fmt(tw.max)}; ${tw.cpuNsPerUpdate} ns cpu/update = ${fmt(tw.levelUpdatesPerCpuSec)} per cpu-s)` +
        ` | sync ${fmt(sync.levelUpdatesPerSec)} | baseline ${fmt(base.levelUpdatesPerSec)} (${fmt(base.min)}–${fmt(base.max)})` +
        ` | ${avgLevels.toFixed(1)} levels/event, JSON.parse ${parseUsPerEvent.toFixed(2)} µs/event (not timed)`,
    );
  }
  console.log(
    `book: level updates/s, Binance-style diffs, top-${TOP} bids+asks read after every event; ` +
      `${RUNS} runs per side alternating, ${BUDGET_MS} ms each, ${WARMUP_MS} ms warm-up per side; medians (min–max)`,
  );
  for (const line of lines) console.log(line);
  const loadAfter = loadavg()[0] ?? 0;
  console.log(
    `machine load (1-min average, 2 cores): ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after; absolute rates scale with it, the ratio much less`,
  );
  console.log(
    `target ≥ 2.00 M/s on the 1k book: ${headlineRate >= 2e6 ? 'met' : 'NOT met'} (${(headlineRate / 1e6).toFixed(2)} M/s)`,
  );
  if (sink === -1) console.log('');
  console.log(
    JSON.stringify({
      suite: 'book',
      ratio: Number(headline.toFixed(2)),
      metric: 'levelUpdatesPerSec',
      reads: `top-${TOP} bids and asks after every event, both sides`,
      books: results,
      targetLevelUpdatesPerSec: 2e6,
      targetMet: headlineRate >= 2e6,
      node: process.version,
      runs: RUNS,
      runMs: BUDGET_MS,
      warmupMs: WARMUP_MS,
      loadavg1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadAfter.toFixed(2)) },
    }),
  );
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
