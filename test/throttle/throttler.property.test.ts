import fc from 'fast-check';
import { Throttler, type ThrottleTicket } from '../../src/throttle/index.js';

const T0 = 1_700_000_000_000;

interface PoolArb {
  limit: number;
  intervalMs: number;
}
interface RequestArb {
  at: number;
  key: number;
  weight: number;
  linked: { pool: number; weight: number }[];
  priority: number;
  durationMs: number;
  abortAfterMs: number | null;
}
interface InjectionArb {
  at: number;
  pool: number;
  kind: '429' | 'usage';
  amount: number;
}

const poolArb = fc.record({
  limit: fc.integer({ min: 1, max: 12 }),
  intervalMs: fc.constantFrom(50, 100, 250, 1000),
});
const requestArb = fc.record({
  at: fc.integer({ min: 0, max: 1500 }),
  key: fc.nat(),
  weight: fc.integer({ min: 0, max: 12 }),
  linked: fc.array(fc.record({ pool: fc.nat(), weight: fc.integer({ min: 1, max: 12 }) }), {
    maxLength: 2,
  }),
  priority: fc.integer({ min: 0, max: 9 }),
  durationMs: fc.integer({ min: 0, max: 40 }),
  abortAfterMs: fc.option(fc.integer({ min: 0, max: 300 }), { freq: 5 }),
});
const injectionArb = fc.record({
  at: fc.integer({ min: 0, max: 1500 }),
  pool: fc.nat(),
  kind: fc.constantFrom<'429' | 'usage'>('429', 'usage'),
  amount: fc.integer({ min: 0, max: 400 }),
});

const scenarioArb = fc.record({
  pools: fc.array(poolArb, { minLength: 1, maxLength: 3 }),
  margin: fc.constantFrom(0, 0.1, 0.25),
  maxConcurrent: fc.constantFrom(Infinity, 1, 3),
  requests: fc.array(requestArb, { minLength: 1, maxLength: 40 }),
  injections: fc.array(injectionArb, { maxLength: 4 }),
});

interface Release {
  readonly id: number;
  readonly seq: number;
  readonly t: number;
  readonly costs: ReadonlyMap<number, number>;
}

describe('Throttler properties (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers({ now: T0 }));
  afterEach(() => jest.useRealTimers());

  it('never releases more than capacity in any sliding window, respects 429 pauses, and runs every request exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (sc) => {
        jest.setSystemTime(T0);
        const start = Date.now();
        const pools = sc.pools.map((p: PoolArb, i) => ({ id: `P${i}`, ...p }));
        const caps = pools.map((p) => Math.floor(p.limit * (1 - sc.margin)));
        const usable = pools.map((_, i) => i).filter((i) => caps[i]! >= 1);
        fc.pre(usable.length > 0);
        const throttler = new Throttler({
          pools: usable.map((i) => pools[i]!),
          marginRatio: sc.margin,
          maxConcurrent: sc.maxConcurrent,
          maxQueued: 10_000,
        });
        const runs = new Map<number, number>();
        const releases: Release[] = [];
        const outcomes = new Map<number, 'ok' | 'aborted' | 'other'>();
        const pauses: { pool: number; seq: number; from: number; to: number }[] = [];
        let seq = 0;

        type Event = { at: number; first: boolean; run: () => void };
        const events: Event[] = [];
        sc.requests.forEach((r: RequestArb, id) => {
          const key = usable[r.key % usable.length]!;
          const costs = new Map<number, number>();
          const add = (pool: number, w: number): void => {
            const next = Math.min(caps[pool]!, (costs.get(pool) ?? 0) + w);
            costs.set(pool, next);
          };
          add(key, Math.min(r.weight, caps[key]!));
          for (const l of r.linked) add(usable[l.pool % usable.length]!, l.weight);
          // Express the (capped) costs as a ticket: own weight plus linked weights.
          const ticket: ThrottleTicket = {
            key: `P${key}`,
            weight: costs.get(key)!,
            linked: [...costs]
              .filter(([p]) => p !== key)
              .map(([p, w]) => ({ pool: `P${p}`, weight: w })),
            priority: r.priority,
          };
          events.push({
            at: r.at,
            first: false,
            run: () => {
              const ac = new AbortController();
              if (r.abortAfterMs !== null) setTimeout(() => ac.abort(), r.abortAfterMs);
              throttler
                .schedule(
                  ticket,
                  async () => {
                    runs.set(id, (runs.get(id) ?? 0) + 1);
                    releases.push({ id, seq: seq++, t: Date.now() - start, costs });
                    await new Promise((res) => setTimeout(res, r.durationMs));
                  },
                  { signal: ac.signal },
                )
                .then(
                  () => outcomes.set(id, 'ok'),
                  (e: { code?: string }) =>
                    outcomes.set(id, e.code === 'ABORTED' ? 'aborted' : 'other'),
                );
            },
          });
        });
        for (const inj of sc.injections as InjectionArb[]) {
          const pool = usable[inj.pool % usable.length]!;
          events.push({
            at: inj.at,
            first: true,
            run: () => {
              const now = Date.now();
              if (inj.kind === '429') {
                throttler.pause([`P${pool}`], inj.amount, now);
                pauses.push({ pool, seq: seq++, from: now - start, to: now - start + inj.amount });
              } else {
                throttler.observeUsage(`P${pool}`, Math.min(inj.amount, pools[pool]!.limit), now);
              }
            },
          });
        }
        // Within one millisecond, server feedback comes first. A request admitted before a
        // 429 arrives keeps its admission (its weight is already counted) even though its
        // task starts a microtask later, so the oracle's release stamp would postdate the
        // pause; ordering ties this way tests "nothing is admitted after a pause".
        events.sort((a, b) => a.at - b.at || Number(b.first) - Number(a.first));
        for (const e of events) {
          const delta = start + e.at - Date.now();
          if (delta > 0) await jest.advanceTimersByTimeAsync(delta);
          e.run();
        }
        // Drain: bounded in fake time.
        for (let i = 0; i < 400 && outcomes.size < sc.requests.length; i++) {
          await jest.advanceTimersByTimeAsync(50);
        }
        await throttler.close();

        // Every request settled, exactly once; none ran twice; only aborts may not run.
        expect(outcomes.size).toBe(sc.requests.length);
        for (let id = 0; id < sc.requests.length; id++) {
          const outcome = outcomes.get(id);
          expect(outcome === 'ok' || outcome === 'aborted').toBe(true);
          const n = runs.get(id) ?? 0;
          // Released requests ran once; aborted ones (cancelled while queued) never ran.
          expect(n).toBe(outcome === 'ok' ? 1 : 0);
        }
        // Sliding window: any window [t, t + interval) carries at most the capacity.
        for (const p of usable) {
          const { intervalMs } = pools[p]!;
          const mine = releases.filter((r) => r.costs.has(p));
          for (const a of mine) {
            let sum = 0;
            for (const b of mine) if (b.t >= a.t && b.t < a.t + intervalMs) sum += b.costs.get(p)!;
            expect(sum).toBeLessThanOrEqual(caps[p]!);
          }
          // 429 pauses: nothing consuming the pool is released while it is paused.
          for (const pause of pauses.filter((x) => x.pool === p)) {
            for (const r of mine) {
              if (r.costs.get(p)! > 0 && r.seq > pause.seq) {
                expect(r.t >= pause.from && r.t < pause.to).toBe(false);
              }
            }
          }
        }
        // Concurrency cap.
        if (sc.maxConcurrent !== Infinity) {
          const spans = releases.map((r) => [r.t, r.t + sc.requests[r.id]!.durationMs] as const);
          for (const [s] of spans) {
            const open = spans.filter(([a, b]) => a <= s && (b > s || (a === s && b === s))).length;
            expect(open).toBeLessThanOrEqual(sc.maxConcurrent);
          }
        }
      }),
      {
        numRuns: 120,
        // Replay a reported failure: FC_SEED=<seed> FC_PATH=<path> npx jest throttler.property
        ...(process.env.FC_SEED === undefined
          ? {}
          : { seed: Number(process.env.FC_SEED), path: process.env.FC_PATH ?? '' }),
      },
    );
  }, 60_000);
});
