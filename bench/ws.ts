// `npm run bench -- ws`: WsManager → router → one post-processor → async iterator, against a
// raw `ws` + JSON.parse consumer of the same loopback server (separate process), same run.
// Throughput: flood of pre-framed trade frames, A B A B alternation, medians.
// Latency: frames at a fixed 10k msg/s stamped with process.hrtime.bigint() at the server
// right before each write, subtracted in the client when its handler / loop body sees the
// message (CLOCK_MONOTONIC is shared by every process on the host).
// - Added latency (headline): **paired** runs. One child process holds both consumers, each
//   on its own socket, and both read the same broadcast: the server sends every frame (same
//   seq) to both sockets, the raw consumer's copy always written first, each copy stamped
//   right before its write. Both copies reach the process together and are handled after
//   the same wake-up, raw first, so the OS's wake-up and scheduling delays (hundreds of µs
//   at p99 on these 2-core VMs) land on both sides of each message alike instead of on one
//   side of a comparison. Conservative for tickwire: its copy waits for the raw handler,
//   and a GC pause between the two handlers counts against tickwire alone. Per run: p50 /
//   p99 of each side over the same messages, "added" = tickwire pXX − raw pXX, plus the
//   p50 / p99 of the per-message difference (tickwire − raw, matched by seq). Median of
//   SIM_RUNS runs, with min / max.
// - Simultaneous runs (kept for comparison, alternating with the paired ones): each consumer
//   in its own child process, same broadcast, the write order alternating per message. The
//   two processes wake up independently, so each side's p99 holds its own OS delays.
//   Warm-up: 3 runs of each kind (9 s each, not measured) on top of the flood / rate warm-up.
// - Sequential A/B pairs (the earlier method, kept for comparison): the two consumers run
//   one after the other in this process; added = difference of the pair's percentiles,
//   median of pairs. Scheduler noise between the two runs of a pair dominates its p99.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { type BenchCommand, type RunResult, runRaw, runTickwire } from './lib/ws-clients.js';
import type { LatencyReply, LatencyRequest, LatencySamples } from './lib/ws-latency-client.js';
import { median, spread, r2 } from './lib/stats.js';

const FLOOD_N = 256 * 1024;
const RATE = 10_000;
const RATE_N = 20_000; // 2 s per latency run
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SIM_N = 30_000; // 3 s per simultaneous latency run
const SIM_RUNS = Number(process.env.BENCH_SIM_RUNS ?? 7);
const WARM_LATENCY_RUNS = 3;

function percentile(a: Float64Array, p: number): number {
  const s = Float64Array.from(a).sort();
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(path.join(__dirname, 'lib', 'ws-server.js'), [], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port));
    child.once('error', reject);
  });
  return { child, url: `ws://127.0.0.1:${port}/` };
}

function startLatencyClient(): ChildProcess {
  return fork(path.join(__dirname, 'lib', 'ws-latency-client.js'), [], { stdio: 'inherit' });
}

function ask(child: ChildProcess, req: LatencyRequest): Promise<LatencyReply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void =>
      reject(new Error(`latency client exited with ${code}`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as LatencyReply);
    });
    child.send(req);
  });
}

interface SimRun {
  readonly tickwire: { readonly p50: number; readonly p99: number };
  readonly raw: { readonly p50: number; readonly p99: number };
  /** tickwire pXX − raw pXX over the same messages. */
  readonly added: { readonly p50: number; readonly p99: number };
  /** pXX of (tickwire latency − raw latency) of each message, matched by seq. */
  readonly perMessage: { readonly p50: number; readonly p99: number };
  readonly matched: number;
  readonly drops: number;
}

/** Matches two consumers' samples of one broadcast by seq. */
function compare(tw: LatencySamples, raw: LatencySamples, n: number): SimRun {
  const rawBySeq = new Float64Array(n).fill(Number.NaN);
  for (let i = 0; i < raw.seqs.length; i++) rawBySeq[raw.seqs[i]!] = raw.latenciesUs[i]!;
  const diffs: number[] = [];
  const twMatched: number[] = [];
  const rawMatched: number[] = [];
  for (let i = 0; i < tw.seqs.length; i++) {
    const r = rawBySeq[tw.seqs[i]!]!;
    if (Number.isNaN(r)) continue;
    const t = tw.latenciesUs[i]!;
    twMatched.push(t);
    rawMatched.push(r);
    diffs.push(t - r);
  }
  const pct = (xs: number[], p: number): number => percentile(Float64Array.from(xs), p);
  const side = (xs: number[]) => ({ p50: pct(xs, 50), p99: pct(xs, 99) });
  const t = side(twMatched);
  const r = side(rawMatched);
  return {
    tickwire: t,
    raw: r,
    added: { p50: t.p50 - r.p50, p99: t.p99 - r.p99 },
    perMessage: side(diffs),
    matched: diffs.length,
    drops: tw.drops + raw.drops,
  };
}

/** Both consumers, each in its own process, read one broadcast of `n` frames at RATE. */
async function simultaneous(
  url: string,
  clients: Record<Side, ChildProcess>,
  n: number,
  group: string,
): Promise<SimRun> {
  const cmd: BenchCommand = { mode: 'rate', n, rate: RATE, group, clients: 2 };
  const [tw, raw] = await Promise.all([
    ask(clients.tickwire, { side: 'tickwire', url, cmd }),
    ask(clients.raw, { side: 'raw', url, cmd }),
  ]);
  return compare(tw, raw, n);
}

/** Both consumers in one process, one broadcast of `n` frames at RATE, raw copy written first. */
async function paired(
  url: string,
  client: ChildProcess,
  n: number,
  group: string,
): Promise<SimRun> {
  const cmd: BenchCommand = { mode: 'rate', n, rate: RATE, group, clients: 2 };
  const reply = await ask(client, { side: 'paired', url, cmd });
  return compare(reply, reply.raw!, n);
}

type Side = 'tickwire' | 'raw';

interface Figure {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Median [min … max] over runs of each latency figure. */
function summarize(runs: readonly SimRun[]) {
  const figure = (pick: (r: SimRun) => number): Figure => {
    const xs = runs.map(pick);
    return { median: r2(median(xs)), min: r2(Math.min(...xs)), max: r2(Math.max(...xs)) };
  };
  return {
    added: {
      p50: figure((r) => r.added.p50),
      p99: figure((r) => r.added.p99),
      perMessageP50: figure((r) => r.perMessage.p50),
      perMessageP99: figure((r) => r.perMessage.p99),
    },
    sides: {
      tickwire: { p50Us: figure((r) => r.tickwire.p50), p99Us: figure((r) => r.tickwire.p99) },
      raw: { p50Us: figure((r) => r.raw.p50), p99Us: figure((r) => r.raw.p99) },
    },
    perRun: runs.map((r) => ({
      addedP50: r2(r.added.p50),
      addedP99: r2(r.added.p99),
      perMessageP50: r2(r.perMessage.p50),
      perMessageP99: r2(r.perMessage.p99),
    })),
    matched: runs.reduce((n, r) => n + r.matched, 0),
    drops: runs.reduce((n, r) => n + r.drops, 0),
  };
}
const run = (side: Side, url: string, cmd: BenchCommand): Promise<RunResult> =>
  side === 'tickwire' ? runTickwire(url, cmd) : runRaw(url, cmd);

async function main(): Promise<void> {
  const { child, url } = await startServer();
  const latencyClients: Record<Side, ChildProcess> = {
    tickwire: startLatencyClient(),
    raw: startLatencyClient(),
  };
  const pairedClient = startLatencyClient();
  const gc = (globalThis as { gc?: () => void }).gc;
  try {
    // Warm-up: JIT both paths and the server (not measured).
    const warmStart = Date.now();
    for (const side of ['raw', 'tickwire'] as Side[]) {
      await run(side, url, { mode: 'flood', n: FLOOD_N });
      await run(side, url, { mode: 'rate', n: 5_000, rate: RATE });
    }
    // Latency clients: a long-running bot is JIT-warm; the first ~60k messages of a fresh
    // process still carry compilation and heap-growth pauses (measured: p99 of the first
    // two 30k runs 4-6× the later ones), so each latency process reads 3 runs first.
    for (let i = 0; i < WARM_LATENCY_RUNS; i++) {
      await simultaneous(url, latencyClients, SIM_N, `warm-up-${i}`);
      await paired(url, pairedClient, SIM_N, `warm-up-paired-${i}`);
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
    // Latency runs in child processes, after the heap measurement, alternating the two
    // methods: paired (both consumers in one process) and simultaneous (one process each).
    const pairs: SimRun[] = [];
    const sim: SimRun[] = [];
    for (let i = 0; i < SIM_RUNS; i++) {
      pairs.push(await paired(url, pairedClient, SIM_N, `paired-${i}`));
      sim.push(await simultaneous(url, latencyClients, SIM_N, `sim-${i}`));
    }
    const pairSum = summarize(pairs);
    const simSum = summarize(sim);
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
    const seqPaired = (p: number): number[] =>
      rate.tickwire.map(
        (r, i) => percentile(r.latenciesUs!, p) - percentile(rate.raw[i]!.latenciesUs!, p),
      );
    const addedP50 = r2(median(seqPaired(50)));
    const addedP99 = r2(median(seqPaired(99)));

    console.log(
      `ws bench — node ${process.version}, tickwire on the ${process.env.BENCH_WS_TRANSPORT === 'native' ? 'native' : 'ws'} transport, ${RUNS} flood runs per side (A B alternation), warm-up ${warmupMs} ms`,
    );
    console.log(
      `throughput ratio tickwire/raw: ${ratio} (target ≥ 0.8; per-run ${ratios.map(r2).join(', ')})`,
    );
    console.log(`CPU-normalised ratio (raw µs/msg ÷ tickwire µs/msg): ${cpuRatio}`);
    const fmt = (f: { median: number; min: number; max: number }): string =>
      `${f.median} µs [${f.min} … ${f.max}]`;
    const latencyLines = (sum: ReturnType<typeof summarize>): void => {
      console.log(
        `  added p50 (tickwire p50 − raw p50): ${fmt(sum.added.p50)} (target ≤ 10); per-message difference p50: ${fmt(sum.added.perMessageP50)}`,
      );
      console.log(
        `  added p99 (tickwire p99 − raw p99): ${fmt(sum.added.p99)} (target ≤ 50); per-message difference p99: ${fmt(sum.added.perMessageP99)}`,
      );
      console.log(
        `  tickwire p50 ${fmt(sum.sides.tickwire.p50Us)}, p99 ${fmt(sum.sides.tickwire.p99Us)}; raw p50 ${fmt(sum.sides.raw.p50Us)}, p99 ${fmt(sum.sides.raw.p99Us)}`,
      );
    };
    console.log(
      `added latency at ${RATE} msg/s, paired (headline): both consumers in one process read the same broadcast, the raw copy ` +
        `of each frame written and read first; ${SIM_RUNS} runs × ${SIM_N} messages, ${pairSum.matched} matched by seq, ` +
        `${pairSum.drops} drops; median [min … max] of runs:`,
    );
    latencyLines(pairSum);
    console.log(
      `added latency at ${RATE} msg/s, simultaneous: each consumer in its own process, same broadcast, write order alternating; ` +
        `${SIM_RUNS} runs, ${simSum.matched} matched, ${simSum.drops} drops (the two processes' independent wake-ups dominate p99):`,
    );
    latencyLines(simSum);
    console.log(
      `added latency, sequential A/B pairs (earlier method, noisier; median of ${RUNS} pairs): p50 ${addedP50} µs, p99 ${addedP99} µs ` +
        `(per-pair p99 ${seqPaired(99).map(r2).join(', ')})`,
    );
    console.log(
      'side      msgs/s      cpu µs/msg  p50 µs   p99 µs   drops   (p50/p99: sequential runs)',
    );
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
        transport: process.env.BENCH_WS_TRANSPORT === 'native' ? 'native' : 'ws',
        ratio,
        cpuRatio,
        tickwire: tw,
        raw,
        addedLatencyUs: {
          method:
            'paired: one process holds both consumers, same broadcast, raw copy written first; tickwire pXX − raw pXX over matched messages, median of runs',
          p50: pairSum.added.p50.median,
          p99: pairSum.added.p99.median,
          perMessageDiffP50: pairSum.added.perMessageP50.median,
          perMessageDiffP99: pairSum.added.perMessageP99.median,
          ...pairSum,
        },
        addedLatencySimultaneousUs: {
          method:
            'simultaneous: one process per consumer, same broadcast, alternating write order; tickwire pXX − raw pXX, median of runs',
          p50: simSum.added.p50.median,
          p99: simSum.added.p99.median,
          perMessageDiffP50: simSum.added.perMessageP50.median,
          perMessageDiffP99: simSum.added.perMessageP99.median,
          ...simSum,
        },
        addedLatencySequentialUs: {
          method: 'sequential A/B pairs in one process (earlier method), median of pairs',
          p50: addedP50,
          p99: addedP99,
          perPairP50: seqPaired(50).map(r2),
          perPairP99: seqPaired(99).map(r2),
        },
        rateMsgsPerSec: RATE,
        floodMessages: FLOOD_N,
        heapGrowthBytes,
        warmupMs,
        node: process.version,
        runs: {
          flood: RUNS,
          latency: rate.tickwire.length,
          paired: SIM_RUNS,
          simultaneous: SIM_RUNS,
        },
        messagesPerLatencyRun: SIM_N,
        spread: { ratio: spread(ratios.map(r2)) },
      }),
    );
  } finally {
    latencyClients.tickwire.disconnect();
    latencyClients.raw.disconnect();
    pairedClient.disconnect();
    child.disconnect();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
