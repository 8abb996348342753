// The two consumers the `o2-depth` bench compares, reading the same flood of O2 depth
// frames from the same loopback server:
// - raw: a bare `ws` client + JSON.parse + two plain `Map` books (price → quantity) kept
//   with O2's snapshot-reset algorithm (a `subscribe_depth` frame replaces the book, a
//   `subscribe_depth_update` sets absolute sizes, "0" deletes) — the physical limit;
// - tickwire: `O2Adapter.watchOrderBook` (which reads `streamDepth`: WsManager, routing,
//   the fast depth parser, normalisation, the bounded stream, then the snapshot-reset sync
//   into the exact book, REST verification on by default) consumed by a `for await` loop.
// Both measure from their first frame to the last, so connection setup and the market
// load are excluded, and both check their final book against the simulator's truth.
import WebSocket from 'ws';
import { O2Adapter } from '../../adapters/o2/o2-adapter.js';
import type { O2DepthServerInfo } from './o2-depth-server.js';

export interface DepthRunResult {
  readonly frames: number;
  readonly elapsedMs: number;
  readonly cpuUs: number;
  /** The final book equals the simulator's truth (top 20 levels per side). */
  readonly correct: boolean;
  /** Views the tickwire loop received (conflated), or frames for raw. */
  readonly reads: number;
}

type Levels = readonly (readonly [string, string])[];

const TOP = 20;
/** A run that has not finished after this long fails (the bench is bounded in time too). */
const RUN_TIMEOUT_MS = Number(process.env.BENCH_RUN_TIMEOUT_MS ?? 60_000);

/** An AbortSignal that fires after RUN_TIMEOUT_MS (the loop then rejects with ABORTED). */
function runDeadline(): AbortSignal {
  return AbortSignal.timeout(RUN_TIMEOUT_MS);
}

function equalTop(bids: Levels, asks: Levels, truth: O2DepthServerInfo['truth']): boolean {
  const same = (a: Levels, b: Levels): boolean => {
    const n = Math.min(TOP, b.length);
    if (Math.min(TOP, a.length) !== n) return false;
    for (let i = 0; i < n; i++) {
      if (a[i]![0] !== b[i]![0] || a[i]![1] !== b[i]![1]) return false;
    }
    return true;
  };
  return same(bids, truth.bids) && same(asks, truth.asks);
}

interface WireLevel {
  readonly price: string;
  readonly quantity: string;
}
interface WireBook {
  readonly buys: readonly WireLevel[];
  readonly sells: readonly WireLevel[];
}
interface WireFrame {
  readonly action: string;
  readonly market_id: string;
  readonly view?: WireBook;
  readonly changes?: WireBook;
}

function sorted(side: Map<string, string>, desc: boolean): Levels {
  return [...side.entries()]
    .sort((a, b) => {
      const d = a[0].length - b[0].length || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
      return desc ? -d : d;
    })
    .map(([p, q]) => [p, q] as const);
}

export function runRaw(info: O2DepthServerInfo): Promise<DepthRunResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(info.wsUrl, { perMessageDeflate: false });
    const bids = new Map<string, string>();
    const asks = new Map<string, string>();
    let count = 0;
    let t0 = 0n;
    let cpu0: NodeJS.CpuUsage | undefined;
    const apply = (side: Map<string, string>, levels: readonly WireLevel[]): void => {
      for (const l of levels) {
        if (l.quantity === '0') side.delete(l.price);
        else side.set(l.price, l.quantity);
      }
    };
    ws.on('error', reject);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`raw: run not finished after ${RUN_TIMEOUT_MS} ms (${count} frames)`));
    }, RUN_TIMEOUT_MS);
    ws.on('open', () =>
      ws.send(
        JSON.stringify({ action: 'subscribe_depth', market_id: info.marketId, precision: '10' }),
      ),
    );
    ws.on('message', (data: Buffer) => {
      const f = JSON.parse(data.toString()) as WireFrame;
      if (f.market_id !== info.marketId) return;
      if (count === 0) {
        t0 = process.hrtime.bigint();
        cpu0 = process.cpuUsage();
      }
      if (f.view !== undefined) {
        bids.clear();
        asks.clear();
        apply(bids, f.view.buys);
        apply(asks, f.view.sells);
      } else if (f.changes !== undefined) {
        apply(bids, f.changes.buys);
        apply(asks, f.changes.sells);
      }
      count++;
      if (count < info.frames) return;
      const cpu = process.cpuUsage(cpu0);
      const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      ws.terminate();
      resolve({
        frames: count - 1,
        elapsedMs,
        cpuUs: cpu.user + cpu.system,
        correct: equalTop(sorted(bids, true), sorted(asks, false), info.truth),
        reads: count,
      });
    });
  });
}

// BENCH_O2_TRANSPORT=ws|native picks the tickwire side's WebSocket client (default: the
// adapter's default, native).
const transport = process.env.BENCH_O2_TRANSPORT;
const streamOptions =
  transport === 'ws' || transport === 'native' ? { transport: transport as 'ws' | 'native' } : {};

/**
 * `streamDepth` alone (no book): the typed stream the book is built on, to tell the cost of
 * the stream layer from the cost of the book layer in the same run. Its "correct" only
 * says the last update arrived (no book is kept).
 */
export async function runStream(info: O2DepthServerInfo): Promise<DepthRunResult> {
  const o2 = new O2Adapter({ restUrl: info.restUrl, wsUrl: info.wsUrl, stream: streamOptions });
  try {
    await o2.loadMarkets();
    let count = 0;
    let t0 = 0n;
    let cpu0: NodeJS.CpuUsage | undefined;
    let last: unknown;
    const signal = runDeadline();
    for await (const update of o2.streamDepth(info.marketId, { capacity: 1 << 20, signal })) {
      if (count++ === 0) {
        t0 = process.hrtime.bigint();
        cpu0 = process.cpuUsage();
      }
      last = update;
      if (count < info.frames) continue;
      const cpu = process.cpuUsage(cpu0);
      const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const correct = last !== undefined;
      return { frames: count - 1, elapsedMs, cpuUs: cpu.user + cpu.system, correct, reads: count };
    }
    throw new Error('stream: ended early');
  } finally {
    await o2.close();
  }
}

export async function runTickwire(info: O2DepthServerInfo): Promise<DepthRunResult> {
  const o2 = new O2Adapter({ restUrl: info.restUrl, wsUrl: info.wsUrl, stream: streamOptions });
  try {
    await o2.loadMarkets();
    let t0 = 0n;
    let cpu0: NodeJS.CpuUsage | undefined;
    let reads = 0;
    let applied0 = 0;
    const signal = runDeadline();
    for await (const view of o2.watchOrderBook(info.marketId, { signal })) {
      const applied = o2.bookStats().updates;
      if (reads++ === 0) {
        applied0 = applied;
        t0 = process.hrtime.bigint();
        cpu0 = process.cpuUsage();
      }
      if (applied < info.frames) continue;
      const cpu = process.cpuUsage(cpu0);
      const elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const level = (l: { price: string; quantity: string }) => [l.price, l.quantity] as const;
      const correct = equalTop(view.bids(TOP).map(level), view.asks(TOP).map(level), info.truth);
      return {
        frames: applied - applied0,
        elapsedMs,
        cpuUs: cpu.user + cpu.system,
        correct,
        reads,
      };
    }
    throw new Error('tickwire: the book watch ended early');
  } finally {
    await o2.close();
  }
}
