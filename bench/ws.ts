// `npm run bench -- ws`: WsManager → router → one post-processor → async iterator, against a
// raw `ws` + JSON.parse consumer of the same loopback server (separate process), same run.
// Throughput: flood of pre-framed trade frames, A B A B alternation, medians.
// Latency: frames at a fixed 10k msg/s stamped with process.hrtime.bigint() at the server,
// subtracted in the client; p50 / p99 per side and the difference ("added latency").
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { type BenchCommand, type RunResult, runRaw, runTickwire } from './lib/ws-clients.js';

const FLOOD_N = 256 * 1024;
const RATE = 10_000;
const RATE_N = 20_000; // 2 s per latency run
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
function spread(xs: number[]): { min: number; median: number; max: number } {
  return { min: Math.min(...xs), median: median(xs), max: Math.max(...xs) };
}
function percentile(a: Float64Array, p: number): number {
  const s = Float64Array.from(a).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
const r2 = (x: number): number => Math.round(x * 100) / 100;

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(path.join(__dirname, 'lib', 'ws-server.js'), [], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('error', reject);
  });
  return { child, url: `ws://127.0.0.1:${port}/` };
}

type Side = 'tickwire' | 'raw';
const run = (side: Side, url: string, cmd: BenchCommand): Promise<RunResult> =>
  side === 'tickwire' ? runTickwire(url, cmd) : runRaw(url, cmd);

async function main(): Promise<void> {
  const { child, url } = await startServer();
  const gc = (globalThis as { gc?: () => void }).gc;
  try {
    // Warm-up: JIT both paths and the server (not measured).
    const warmStart = Date.now();
    for (const side of ['raw', 'tickwire'] as Side[]) {
      await run(side, url, { mode: 'flood', n: FLOOD_N });
      await run(side, url, { mode: 'rate', n: 5_000, rate: RATE });
    }
    const warmupMs = Date.now() - warmStart;
    gc?.();
    const heapStart = process.memoryUsage().heapUsed;

    const flood: Record<Side, RunResult[]> = { tickwire: [], raw: [] };
    const rate: Record<Side, RunResult[]> = { tickwire: [], raw: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const side of ['tickwire', 'raw'] as Side[]) {
        flood[side].push(await run(side, url, { mode: 'flood', n: FLOOD_N }));
      }
    }
    for (let i = 0; i < RUNS; i++) {
      for (const side of ['tickwire', 'raw'] as Side[]) {
        rate[side].push(await run(side, url, { mode: 'rate', n: RATE_N, rate: RATE }));
      }
    }
    gc?.();
    const heapGrowthBytes = process.memoryUsage().heapUsed - heapStart;

    const figures = (side: Side) => {
      const mps = flood[side].map((r) => r.messages / (r.elapsedMs / 1000));
      const cpu = flood[side].map((r) => r.cpuUs / r.messages);
      const p50 = rate[side].map((r) => percentile(r.latenciesUs!, 50));
      const p99 = rate[side].map((r) => percentile(r.latenciesUs!, 99));
      return {
        msgsPerSec: Math.round(median(mps)),
        cpuUsPerMsg: r2(median(cpu)),
        p50Us: r2(median(p50)),
        p99Us: r2(median(p99)),
        drops:
          flood[side].reduce((n, r) => n + r.drops, 0) +
          rate[side].reduce((n, r) => n + r.drops, 0),
        spread: {
          msgsPerSec: spread(mps.map(Math.round)),
          p50Us: spread(p50.map(r2)),
          p99Us: spread(p99.map(r2)),
        },
      };
    };
    const tw = figures('tickwire');
    const raw = figures('raw');
    const ratios = flood.tickwire.map((r, i) => {
      const rr = flood.raw[i]!;
      return r.messages / r.elapsedMs / (rr.messages / rr.elapsedMs);
    });
    const ratio = r2(median(ratios));
    // Messages per client CPU-second, tickwire ÷ raw: less sensitive than wall-clock msgs/s to
    // other processes stealing the 2 cores (the client is CPU-bound in the flood).
    const cpuRatio = r2(raw.cpuUsPerMsg / tw.cpuUsPerMsg);
    // Added latency per A/B pair (adjacent runs share the machine's mood), median of pairs.
    const paired = (p: number): number[] =>
      rate.tickwire.map(
        (r, i) => percentile(r.latenciesUs!, p) - percentile(rate.raw[i]!.latenciesUs!, p),
      );
    const addedP50 = r2(median(paired(50)));
    const addedP99 = r2(median(paired(99)));

    console.log(
      `ws bench — node ${process.version}, ${RUNS} flood runs per side (A B alternation), warm-up ${warmupMs} ms`,
    );
    console.log(
      `throughput ratio tickwire/raw: ${ratio} (target ≥ 0.8; per-run ${ratios.map(r2).join(', ')})`,
    );
    console.log(`CPU-normalised ratio (raw µs/msg ÷ tickwire µs/msg): ${cpuRatio}`);
    console.log(
      `added latency at ${RATE} msg/s (median of A/B pairs): p50 ${addedP50} µs (target ≤ 10), p99 ${addedP99} µs (target ≤ 50)`,
    );
    console.log('side      msgs/s      cpu µs/msg  p50 µs   p99 µs   drops');
    for (const [name, f] of [
      ['tickwire', tw],
      ['raw', raw],
    ] as const) {
      console.log(
        `${name.padEnd(9)} ${String(f.msgsPerSec).padEnd(11)} ${String(f.cpuUsPerMsg).padEnd(11)} ${String(f.p50Us).padEnd(8)} ${String(f.p99Us).padEnd(8)} ${f.drops}`,
      );
    }
    console.log(`heap growth over the measured runs after GC: ${heapGrowthBytes} bytes`);
    console.log(
      JSON.stringify({
        suite: 'ws',
        ratio,
        cpuRatio,
        tickwire: tw,
        raw,
        addedLatencyUs: {
          p50: addedP50,
          p99: addedP99,
          perPairP50: paired(50).map(r2),
          perPairP99: paired(99).map(r2),
        },
        rateMsgsPerSec: RATE,
        floodMessages: FLOOD_N,
        heapGrowthBytes,
        warmupMs,
        node: process.version,
        runs: { flood: RUNS, latency: rate.tickwire.length },
        spread: { ratio: spread(ratios.map(r2)) },
      }),
    );
  } finally {
    child.disconnect();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
