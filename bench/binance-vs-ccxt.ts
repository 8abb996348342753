// `npm run bench -- binance-vs-ccxt`: a BTCUSDT order book kept from the Binance diff stream
// (snapshot + diffs, binance-spot.md §7) by three clients, each in its own process, against
// the simulator's Binance personality in a third process, same seed (the same diff stream):
//   tickwire  BinanceAdapter.watchOrderBook('BTC/USDT', { depth: 10 })
//   ccxt      ccxt.pro.binance watchOrderBook('BTC/USDT') with its URLs pointed at the simulator
//   raw       ws + JSON.parse + a Map book with the documented sync algorithm (the baseline)
// Each run: the client connects and subscribes, the simulator then sends WARM events at
// 200/s (the client syncs), then the measured run:
//   flood   FLOOD_N events, pre-built and pre-serialised by the simulator into 64 KiB chunks of
//           WebSocket frames written to the TCP socket as fast as it drains (the client sets
//           the pace; `cpuBusy`, the client's CPU ÷ wall time, near 1 shows it was the limit):
//           updates/s = diff events ÷ wall time from "go" to the book reaching the last
//           event's update id; CPU µs per update = the client process's user+system CPU over
//           the same window ÷ diff events; capacity = 1e6 ÷ CPU µs per update, the updates/s
//           one core would sustain (what a shared, loaded machine disturbs least).
//   faults  FAULT_N events at FAULT_RATE/s (6 s) with a sequence gap at 1/4 and a dropped
//           connection at 1/2 (3 s left to recover; a book that needs a diff after its new
//           snapshot cannot recover once the stream has ended): whether the book ends equal to the truth, and the time from each fault
//           (stamped with process.hrtime in the simulator; CLOCK_MONOTONIC is shared by the
//           processes) to the client's book being correct again.
// Every book is compared with the simulator's truth at the end of every run. Sides alternate
// (rotated order per round), RUNS rounds, medians with min/max. Bounded: every run has a
// deadline (RUN_TIMEOUT_MS) after which its processes are killed and the run counts as failed.
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { ClientResult, ClientStart, Side } from './lib/binance-book-client.js';
import type { SimDone, SimRunRequest } from './lib/binance-sim-server.js';
import { spread, r2 } from './lib/stats.js';

// Five rounds: on these shared VMs one side's single runs spread by ±15 %, and a median of three
// still moved the tickwire ÷ ccxt ratio by ±0.2 from one suite run to the next.
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FLOOD_N = Number(process.env.BENCH_FLOOD_N ?? 120_000);
const FAULT_N = Number(process.env.BENCH_FAULT_N ?? 12_000);
const FAULT_RATE = 2000;
const WARM = 200;
const LEVELS = Number(process.env.BENCH_LEVELS ?? 50);
const SEED = 7;
const RUN_TIMEOUT_MS = 60_000;
const ALL_SIDES: readonly Side[] = ['raw', 'tickwire', 'ccxt'];
// BENCH_SIDES=tickwire (comma-separated) runs only some sides, e.g. to profile one.
const SIDES: readonly Side[] = process.env.BENCH_SIDES
  ? ALL_SIDES.filter((s) => process.env.BENCH_SIDES!.split(',').includes(s))
  : ALL_SIDES;

function once<T>(child: ChildProcess, match: (m: unknown) => m is T): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown): void => {
      if (!match(m)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code: number | null): void => {
      child.off('message', onMessage);
      reject(new Error(`child exited with ${code} before answering`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

const is =
  <T extends { type: string }>(type: T['type']) =>
  (m: unknown): m is T =>
    (m as { type?: unknown } | null)?.type === type;

function sameBook(result: ClientResult, truth: SimDone['truth']): boolean {
  if (result.sequence !== truth.sequence) return false;
  const same = (got: ClientResult['bids'], want: readonly (readonly [string, string])[]): boolean =>
    got.length === want.length &&
    got.every(([p, q], i) => {
      const [wp, wq] = want[i]!;
      return typeof p === 'number' ? p === Number(wp) && q === Number(wq) : p === wp && q === wq;
    });
  return same(result.bids, truth.bids) && same(result.asks, truth.asks);
}

interface RunOutcome {
  readonly side: Side;
  readonly correct: boolean;
  readonly updates: number;
  readonly updatesPerSec: number;
  readonly cpuUsPerUpdate: number;
  /** Client CPU time ÷ wall time: near 1 the client was the limit, well below it the server was. */
  readonly cpuBusy: number;
  /** ms from each fault to the book being correct again; null: never in this run. */
  readonly recoveryMs: { readonly kind: 'gap' | 'drop'; readonly ms: number | null }[];
  readonly errors: number;
}

async function runOnce(side: Side, mode: 'flood' | 'faults'): Promise<RunOutcome> {
  const events = mode === 'flood' ? FLOOD_N : FAULT_N;
  const sim = fork(
    path.join(__dirname, 'lib', 'binance-sim-server.js'),
    [
      String(SEED),
      String(LEVELS),
      String(WARM),
      String(events),
      String(mode === 'flood' ? events : 0),
    ],
    { stdio: 'inherit' },
  );
  const client = fork(path.join(__dirname, 'lib', 'binance-book-client.js'), [], {
    stdio: 'inherit',
    // e.g. BENCH_CLIENT_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the clients.
    execArgv: process.env.BENCH_CLIENT_NODE_ARGS?.split(' ').filter((a) => a !== '') ?? [],
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${side} ${mode} run exceeded ${RUN_TIMEOUT_MS} ms`)),
      RUN_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([deadline, drive()]);
  } finally {
    clearTimeout(timer);
    sim.kill();
    client.kill();
    // SIGTERM lets a client exit normally (flushing a --cpu-prof profile), but a client stuck
    // in a busy loop never runs its handler: SIGKILL after a grace period.
    for (const child of [sim, client]) {
      setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }, 2000).unref();
    }
  }

  async function drive(): Promise<RunOutcome> {
    const listening = await once(
      sim,
      is<{ type: 'listening'; port: number; target: number }>('listening'),
    );
    const warm = once(sim, is<{ type: 'warm' }>('warm'));
    const ready = once(client, is<{ type: 'ready' }>('ready'));
    const start: ClientStart = {
      type: 'start',
      side,
      httpUrl: `http://127.0.0.1:${listening.port}`,
      wsUrl: `ws://127.0.0.1:${listening.port}`,
      target: listening.target,
    };
    client.send(start);
    await Promise.all([warm, ready]);
    const result = once(client, is<ClientResult>('result'));
    const done = once(sim, is<SimDone>('done'));
    client.send({ type: 'go' });
    const run: SimRunRequest = {
      type: 'run',
      events,
      rate: mode === 'flood' ? 'drain' : FAULT_RATE,
      faults:
        mode === 'flood'
          ? []
          : [
              { after: Math.floor(events / 4), kind: 'gap' },
              { after: Math.floor(events / 2), kind: 'drop' },
            ],
    };
    sim.send(run);
    const [r, d] = await Promise.all([result, done]);
    const recoveryMs = d.faults.map((f) => {
      const at = BigInt(f.atNs);
      const after = r.resyncedAtNs.map(BigInt).find((t) => t > at);
      return { kind: f.kind, ms: after === undefined ? null : r2(Number(after - at) / 1e6) };
    });
    return {
      side,
      correct: sameBook(r, d.truth) && d.truth.sequence === listening.target,
      updates: d.depthEvents,
      updatesPerSec: Math.round(d.depthEvents / (r.wallMs / 1000)),
      cpuUsPerUpdate: r2(r.cpuUs / d.depthEvents),
      cpuBusy: r2(r.cpuUs / 1000 / r.wallMs),
      recoveryMs,
      errors: r.errors,
    };
  }
}

async function main(): Promise<void> {
  const flood: Record<Side, RunOutcome[]> = { raw: [], tickwire: [], ccxt: [] };
  const faults: Record<Side, RunOutcome[]> = { raw: [], tickwire: [], ccxt: [] };
  const failures: string[] = [];
  const attempt = async (side: Side, mode: 'flood' | 'faults'): Promise<void> => {
    try {
      const o = await runOnce(side, mode);
      (mode === 'flood' ? flood : faults)[side].push(o);
      console.log(
        `  ${mode.padEnd(6)} ${side.padEnd(8)} ${String(o.updatesPerSec).padStart(8)} upd/s  ${String(o.cpuUsPerUpdate).padStart(7)} µs CPU/upd  busy ${o.cpuBusy.toFixed(2)}  correct=${o.correct}` +
          (mode === 'faults'
            ? `  recovery ${o.recoveryMs.map((x) => `${x.kind} ${x.ms ?? 'never'} ms`).join(', ')}`
            : ''),
      );
    } catch (e) {
      failures.push(`${side} ${mode}: ${(e as Error).message}`);
      console.log(`  ${mode.padEnd(6)} ${side.padEnd(8)} FAILED: ${(e as Error).message}`);
    }
  };
  console.log(
    `binance-vs-ccxt: BTCUSDT book, seed ${SEED}, ${LEVELS} levels/side, flood ${FLOOD_N} events, faults ${FAULT_N} events at ${FAULT_RATE}/s (gap, then drop), ${RUNS} rounds`,
  );
  // One warm-up round per side (JIT, module loading, page cache), not measured.
  for (const side of SIDES) await runOnce(side, 'flood').catch(() => undefined);
  for (let round = 0; round < RUNS; round++) {
    const order = SIDES.map((_, i) => SIDES[(i + round) % SIDES.length]!);
    for (const side of order) await attempt(side, 'flood');
  }
  for (const side of SIDES) await attempt(side, 'faults');

  const summary = (side: Side) => {
    const f = flood[side];
    const g = faults[side];
    const rec = (kind: 'gap' | 'drop'): (number | null)[] =>
      g.flatMap((o) => o.recoveryMs.filter((x) => x.kind === kind).map((x) => x.ms));
    const cpu = spread(f.map((o) => o.cpuUsPerUpdate));
    return {
      runs: f.length,
      updatesPerSec: spread(f.map((o) => o.updatesPerSec)),
      cpuUsPerUpdate: cpu,
      /** Updates per CPU-second: 1e6 ÷ the median CPU µs per update. */
      capacityPerSec: Math.round(1e6 / cpu.median),
      cpuBusy: spread(f.map((o) => o.cpuBusy)),
      correctFlood: f.length > 0 && f.every((o) => o.correct),
      correctWithFaults: g.length > 0 && g.every((o) => o.correct),
      recoveryMs: { gap: rec('gap'), drop: rec('drop') },
      errorsSeen: g.reduce((n, o) => n + o.errors, 0),
    };
  };
  const sides = { raw: summary('raw'), tickwire: summary('tickwire'), ccxt: summary('ccxt') };
  const tw = sides.tickwire.updatesPerSec.median;
  const ratio = r2(tw / sides.raw.updatesPerSec.median);
  const vsCcxt = r2(tw / sides.ccxt.updatesPerSec.median);
  // The same comparison by CPU cost (updates per CPU-second), which a busy server or a
  // shared machine disturbs less than wall time.
  const twCpu = sides.tickwire.cpuUsPerUpdate.median;
  const cpuRatio = r2(sides.raw.cpuUsPerUpdate.median / twCpu);
  const cpuVsCcxt = r2(sides.ccxt.cpuUsPerUpdate.median / twCpu);
  const capacityRatio = r2(sides.tickwire.capacityPerSec / sides.raw.capacityPerSec);
  const capacityVsCcxt = r2(sides.tickwire.capacityPerSec / sides.ccxt.capacityPerSec);
  const twRecoveries = [...sides.tickwire.recoveryMs.gap, ...sides.tickwire.recoveryMs.drop];
  const targets = {
    atLeast0_8OfRaw: ratio >= 0.8,
    atLeast2_5xCcxt: vsCcxt >= 2.5,
    // The same two targets by capacity (updates per CPU-second).
    capacityAtLeast0_8OfRaw: capacityRatio >= 0.8,
    capacityAtLeast2_5xCcxt: capacityVsCcxt >= 2.5,
    alwaysCorrect: sides.tickwire.correctFlood && sides.tickwire.correctWithFaults,
    correctAgainWithin1s:
      twRecoveries.length > 0 && twRecoveries.every((ms) => ms !== null && ms <= 1000),
  };

  console.log('');
  console.log(
    'side       upd/s (median [min..max])        CPU µs/upd (median)  capacity/s  busy  correct  recovery gap / drop (ms)',
  );
  for (const side of SIDES) {
    const s = sides[side];
    console.log(
      `${side.padEnd(10)} ${String(s.updatesPerSec.median).padStart(8)} [${s.updatesPerSec.min}..${s.updatesPerSec.max}]`.padEnd(
        44,
      ) +
        `${String(s.cpuUsPerUpdate.median).padStart(8)}             ${String(s.capacityPerSec).padStart(10)}  ${s.cpuBusy.median.toFixed(2)}  ${String(s.correctFlood && s.correctWithFaults).padEnd(8)} ${s.recoveryMs.gap.join(',')} / ${s.recoveryMs.drop.join(',')}`,
    );
  }
  console.log(
    `tickwire ÷ raw = ${ratio} (target ≥ 0.8), tickwire ÷ ccxt = ${vsCcxt} (target ≥ 2.5) in updates/s; by capacity (1e6 ÷ CPU µs per update): ${capacityRatio} of raw, ${capacityVsCcxt}× ccxt; load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} on ${os.cpus().length} CPUs; targets: ${JSON.stringify(targets)}`,
  );
  if (failures.length > 0) console.log(`failed runs: ${failures.join('; ')}`);
  console.log(
    JSON.stringify({
      suite: 'binance-vs-ccxt',
      ratio,
      ratioVsCcxt: vsCcxt,
      cpuRatio,
      cpuRatioVsCcxt: cpuVsCcxt,
      capacityRatio,
      capacityRatioVsCcxt: capacityVsCcxt,
      loadAverage: os.loadavg().map(r2),
      cpus: os.cpus().length,
      node: process.version,
      runs: RUNS,
      floodEvents: FLOOD_N,
      faultEvents: FAULT_N,
      sides,
      targets,
      failures,
    }),
  );
}

void main();
