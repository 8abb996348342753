// `npm run bench -- rest`: requests/s through RestManager (HMAC signer, throttler with
// generous limits, one post-processor, zod parse of a small JSON body) against raw undici
// `Pool.request` + `body.json()` on the same loopback server (a separate process), in the
// same run, A B A B alternation. See /work/shared/docs/benchmarks.md.
import { fork } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { z } from 'zod';
import { createHmacSigner } from '../src/auth/index.js';
import type { Stage } from '../src/pipeline/index.js';
import { RestManager, createQuerySigner, type RestResponse } from '../src/rest/index.js';
import { DecimalString } from '../src/schemas/index.js';
import { Throttler } from '../src/throttle/index.js';
import { median } from './lib/stats.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const CORES = availableParallelism();

const Ticker = z.object({
  symbol: z.string(),
  price: DecimalString,
  qty: DecimalString,
  time: z.number().int(),
  isBuyerMaker: z.boolean(),
});

interface Sample {
  readonly reqPerSec: number;
  readonly cpuUsPerReq: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly requests: number;
}

type OneRequest = () => Promise<unknown>;

async function measure(one: OneRequest, durationMs: number): Promise<Sample> {
  const latencies: number[] = [];
  let requests = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  async function worker(): Promise<void> {
    while (performance.now() < deadline) {
      const s = performance.now();
      await one();
      latencies.push(performance.now() - s);
      requests++;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  latencies.sort((a, b) => a - b);
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  return {
    reqPerSec: (requests / elapsed) * 1000,
    cpuUsPerReq: (cpu.user + cpu.system) / requests,
    p50Us: pct(0.5) * 1000,
    p99Us: pct(0.99) * 1000,
    requests,
  };
}

function summary(samples: readonly Sample[]): Record<string, unknown> {
  const rps = samples.map((s) => s.reqPerSec);
  return {
    reqPerSec: Math.round(median(rps)),
    cpuUsPerReq: Number(median(samples.map((s) => s.cpuUsPerReq)).toFixed(1)),
    p50Us: Math.round(median(samples.map((s) => s.p50Us))),
    p99Us: Math.round(median(samples.map((s) => s.p99Us))),
    spread: {
      min: Math.round(Math.min(...rps)),
      median: Math.round(median(rps)),
      max: Math.round(Math.max(...rps)),
    },
    runs: rps.map((r) => Math.round(r)),
  };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg().map((x) => Number(x.toFixed(2)));
  const child = fork(path.join(__dirname, 'lib', 'rest-server.js'), [], { stdio: 'inherit' });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const origin = `http://127.0.0.1:${port}`;

  // Baseline: raw undici Pool, no pipeline.
  const pool = new Pool(origin, { connections: CONCURRENCY });
  const raw: OneRequest = async () => {
    const res = await pool.request({ method: 'GET', path: '/api/v3/ticker?symbol=BTCUSDT' });
    return res.body.json();
  };

  // tickwire: the full pipeline.
  const throttler = new Throttler({
    pools: [{ id: 'REQUEST_WEIGHT', limit: 1_000_000_000, intervalMs: 60_000 }],
  });
  let lastUsedWeight: unknown;
  const recordUsedWeight: Stage<RestResponse> = function recordUsedWeight(res) {
    lastUsedWeight = res.headers['x-mbx-used-weight-1m'];
    return res;
  };

  const rest = new RestManager({
    baseUrl: origin,
    throttler,
    signer: createQuerySigner({
      signer: createHmacSigner({
        apiKey: 'bench-api-key-0123456789',
        secret: 'bench-secret-NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjIn',
      }),
    }),
    postProcessors: [recordUsedWeight],
    connection: { connections: CONCURRENCY },
  });
  const request = {
    method: 'GET',
    path: '/api/v3/ticker',
    query: { symbol: 'BTCUSDT' },
    isAuthRequired: true,
    throttle: { key: 'REQUEST_WEIGHT', weight: 1 },
  } as const;
  const tickwire: OneRequest = () => rest.execute(request, Ticker);

  // Sanity: both sides get the same parsed body.
  const a = await raw();
  const b = await tickwire();
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('the two sides disagree');
  if (lastUsedWeight !== '1') throw new Error('the post-processor did not run');

  await measure(raw, WARMUP_MS);
  await measure(tickwire, WARMUP_MS);

  const base: Sample[] = [];
  const ours: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    global.gc?.();
    base.push(await measure(raw, DURATION_MS));
    global.gc?.();
    ours.push(await measure(tickwire, DURATION_MS));
  }

  await rest.close();
  await throttler.close();
  await pool.close();
  child.disconnect();

  const load = loadavg().map((x) => Number(x.toFixed(2)));
  const baseline = summary(base);
  const tw = summary(ours);
  const ratio = Number(
    (median(ours.map((s) => s.reqPerSec)) / median(base.map((s) => s.reqPerSec))).toFixed(3),
  );
  const pad = (s: string, n: number): string => s.padEnd(n);
  console.log(
    `rest: RestManager vs raw undici Pool, ${RUNS} runs × ${DURATION_MS} ms each (A B alternating), concurrency ${CONCURRENCY}, warm-up ${WARMUP_MS} ms per side`,
  );
  console.log(`ratio (tickwire ÷ baseline, req/s medians): ${ratio}`);
  console.log(
    `machine load average (1/5/15 min): ${loadAtStart.join(' / ')} at the start, ${load.join(' / ')} at the end, on ${CORES} cores`,
  );
  console.log(
    `${pad('side', 12)}${pad('req/s', 10)}${pad('cpu µs/req', 12)}${pad('p50 µs', 9)}${pad('p99 µs', 9)}runs (req/s)`,
  );
  for (const [name, s] of [
    ['baseline', baseline],
    ['tickwire', tw],
  ] as const) {
    console.log(
      `${pad(name, 12)}${pad(String(s['reqPerSec']), 10)}${pad(String(s['cpuUsPerReq']), 12)}${pad(String(s['p50Us']), 9)}${pad(String(s['p99Us']), 9)}${(s['runs'] as number[]).join(' ')}`,
    );
  }
  console.log(
    JSON.stringify({
      suite: 'rest',
      ratio,
      tickwire: tw,
      baseline,
      node: process.version,
      runs: RUNS,
      durationMs: DURATION_MS,
      warmupMs: WARMUP_MS,
      concurrency: CONCURRENCY,
      cpuRatio: Number(
        (median(base.map((s) => s.cpuUsPerReq)) / median(ours.map((s) => s.cpuUsPerReq))).toFixed(
          3,
        ),
      ),
      loadavg: load,
      loadavgAtStart: loadAtStart,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
