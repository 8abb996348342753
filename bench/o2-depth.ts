// `npm run bench -- o2-depth`: O2 depth frames/s through `streamDepth` + `watchOrderBook`
// (the exact book, REST verification on by default) against a raw `ws` + JSON.parse + Map
// book consumer of the same loopback server, in the same run. The server (a separate
// process) floods pre-built frames captured from the O2 simulator as fast as each socket
// drains. A B C alternation (tickwire, raw, and streamDepth alone to split the stream and
// book costs), RUNS runs per side, medians; both books must end equal to the
// simulator's book. Bounded: EVENTS market events per run (≈ as many frames), RUNS runs,
// each run at most BENCH_RUN_TIMEOUT_MS (60 s).
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { type DepthRunResult, runRaw, runStream, runTickwire } from './lib/o2-depth-clients.js';
import type { O2DepthServerInfo } from './lib/o2-depth-server.js';
import { median, spread, r2 } from './lib/stats.js';

const EVENTS = Number(process.env.BENCH_O2_EVENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 3);

async function startServer(): Promise<{ child: ChildProcess; info: O2DepthServerInfo }> {
  const child = fork(path.join(__dirname, 'lib', 'o2-depth-server.js'), [String(EVENTS)], {
    stdio: 'inherit',
  });
  const info = await new Promise<O2DepthServerInfo>((resolve, reject) => {
    child.once('message', (m) => resolve(m as O2DepthServerInfo));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`o2-depth server exited with ${code}`)));
  });
  return { child, info };
}

type Side = 'tickwire' | 'raw' | 'stream';
const SIDES: readonly Side[] = ['tickwire', 'raw', 'stream'];
const run = (side: Side, info: O2DepthServerInfo): Promise<DepthRunResult> =>
  side === 'tickwire' ? runTickwire(info) : side === 'raw' ? runRaw(info) : runStream(info);

async function main(): Promise<void> {
  const { child, info } = await startServer();
  const gc = (globalThis as { gc?: () => void }).gc;
  try {
    // Warm-up (not measured): WARMUP runs per side, so both paths are JIT-compiled; the
    // tickwire path has more code to optimise and is still ~2x slower on its first run.
    const warmStart = Date.now();
    for (let i = 0; i < WARMUP; i++) {
      for (const side of SIDES) await run(side, info);
    }
    const warmupMs = Date.now() - warmStart;
    gc?.();
    const heapStart = process.memoryUsage().heapUsed;
    const results: Record<Side, DepthRunResult[]> = { tickwire: [], raw: [], stream: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const side of SIDES) results[side].push(await run(side, info));
    }
    gc?.();
    const heapGrowthBytes = process.memoryUsage().heapUsed - heapStart;

    const figures = (side: Side) => {
      const fps = results[side].map((r) => r.frames / (r.elapsedMs / 1000));
      const cpu = results[side].map((r) => r.cpuUs / r.frames);
      return {
        framesPerSec: Math.round(median(fps)),
        cpuUsPerFrame: r2(median(cpu)),
        correct: results[side].every((r) => r.correct),
        readsPerRun: Math.round(median(results[side].map((r) => r.reads))),
        spread: { framesPerSec: spread(fps.map(Math.round)), cpuUsPerFrame: spread(cpu.map(r2)) },
      };
    };
    const tw = figures('tickwire');
    const raw = figures('raw');
    const stream = figures('stream');
    const ratios = results.tickwire.map((r, i) => {
      const rr = results.raw[i]!;
      return r.frames / r.elapsedMs / (rr.frames / rr.elapsedMs);
    });
    const ratio = r2(median(ratios));
    const cpuRatio = r2(raw.cpuUsPerFrame / tw.cpuUsPerFrame);
    // The stream alone against raw, and the book's share of tickwire's CPU per frame.
    const streamRatio = r2(
      median(
        results.stream.map((r, i) => {
          const rr = results.raw[i]!;
          return r.frames / r.elapsedMs / (rr.frames / rr.elapsedMs);
        }),
      ),
    );
    const bookUsPerFrame = r2(tw.cpuUsPerFrame - stream.cpuUsPerFrame);

    console.log(
      `o2-depth bench — node ${process.version}, ${info.frames} depth frames per run (${EVENTS} simulator events), ` +
        `${RUNS} runs per side (A B C alternation: tickwire, raw, streamDepth alone), warm-up ${warmupMs} ms (${WARMUP} runs per side)`,
    );
    console.log(
      `throughput ratio tickwire/raw: ${ratio} (target ≥ 0.7; per-run ${ratios.map(r2).join(', ')})`,
    );
    console.log(`CPU-normalised ratio (raw µs/frame ÷ tickwire µs/frame): ${cpuRatio}`);
    console.log(
      `streamDepth alone (no book) ÷ raw: ${streamRatio}; the book layer adds ≈ ${bookUsPerFrame} µs CPU per frame`,
    );
    console.log('side      frames/s    cpu µs/frame  reads/run  final book = truth');
    for (const [name, f] of [
      ['tickwire', tw],
      ['raw', raw],
      ['stream', stream],
    ] as const) {
      console.log(
        `${name.padEnd(9)} ${String(f.framesPerSec).padEnd(11)} ${String(f.cpuUsPerFrame).padEnd(13)} ${String(f.readsPerRun).padEnd(10)} ${f.correct}`,
      );
    }
    console.log(`heap growth over the measured runs after GC: ${heapGrowthBytes} bytes`);
    console.log(
      JSON.stringify({
        suite: 'o2-depth',
        ratio,
        cpuRatio,
        tickwire: tw,
        raw,
        streamOnly: { ...stream, ratio: streamRatio, bookCpuUsPerFrame: bookUsPerFrame },
        framesPerRun: info.frames,
        simulatorEvents: EVENTS,
        heapGrowthBytes,
        warmupMs,
        node: process.version,
        runs: RUNS,
        warmupRuns: WARMUP,
        spread: { ratio: spread(ratios.map(r2)) },
      }),
    );
    if (!tw.correct || !raw.correct) process.exitCode = 1;
  } finally {
    child.disconnect();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
