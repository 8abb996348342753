// O2 rate limiting (issue #7): a `code: 1003` answer, whatever its HTTP status, pauses the
// pool of its endpoint so that the next request waits in the throttler instead of hammering
// the server; the caller gets RATE_LIMITED; POST /v1/session/actions is never re-sent.
// Against the simulator's O2 personality over real HTTP on 127.0.0.1.
//
// The simulator's per-owner limit counts requests in fixed windows of its own clock. That
// clock is frozen here (and moved by hand) so that "the second action in the window is
// rate limited" holds whatever the wall clock does; the client's throttler runs on the
// real clock, and its pause is what the tests observe (stats, the throttler's wait event,
// the order of events) — no timed assertions.
import { channel } from 'node:diagnostics_channel';
import { ExchangeSimulator } from '../../../src/testing/index.js';
import { createO2SimulatorProtocol } from '../../../adapters/o2/simulator/index.js';
import { O2Adapter, type O2AdapterOptions } from '../../../adapters/o2/o2-adapter.js';
import type { Hex } from '../../../adapters/o2/crypto/index.js';
import type { RestRequestEvent } from '../../../src/rest/index.js';
import type { ThrottleWaitEvent } from '../../../src/throttle/index.js';
import { isTickwireError, type TickwireError } from '../../../src/errors/index.js';

jest.setTimeout(30_000);

const OWNER_KEY = `0x${'c3'.repeat(32)}` as Hex;
const MARKET = 'fFUEL/fUSDC';

let sim: ExchangeSimulator;
let simClock = 0;
const adapters: O2Adapter[] = [];
const cleanups: (() => void)[] = [];

async function startSim(extra: Parameters<typeof createO2SimulatorProtocol>[0]): Promise<void> {
  simClock = Date.now();
  sim = await new ExchangeSimulator({
    protocol: createO2SimulatorProtocol({ sessionRequestsPerSecond: 1, ...extra }),
    seed: 11,
    eventsPerSecond: 0,
    levels: 4,
    clock: () => simClock,
  }).start();
}

function adapter(options: Partial<O2AdapterOptions> = {}): O2Adapter {
  const a = new O2Adapter({
    restUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    credentials: { owner: OWNER_KEY },
    ...options,
  });
  adapters.push(a);
  return a;
}

afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await Promise.all(adapters.splice(0).map((a) => a.close()));
  await sim.close();
});

/** Records when each session-actions request left the client and the throttler's waits. */
function observe(): { sentAt: number[]; waits: ThrottleWaitEvent[] } {
  const sentAt: number[] = [];
  const waits: ThrottleWaitEvent[] = [];
  const onRequest = (m: unknown): void => {
    const e = m as RestRequestEvent;
    if (e.method === 'POST' && e.url.endsWith('/v1/session/actions')) sentAt.push(Date.now());
  };
  const onWait = (m: unknown): void => {
    const e = m as ThrottleWaitEvent;
    if (e.key === 'sessionActions') waits.push(e);
  };
  channel('tickwire:rest:request').subscribe(onRequest);
  channel('tickwire:throttle:wait').subscribe(onWait);
  cleanups.push(() => {
    channel('tickwire:rest:request').unsubscribe(onRequest);
    channel('tickwire:throttle:wait').unsubscribe(onWait);
  });
  return { sentAt, waits };
}

describe('O2 rate-limit answers (code 1003) feed the throttler', () => {
  it.each([200, 400, 429])(
    'a 1003 at HTTP %i on session actions: RATE_LIMITED, not retried, nonce kept, the pool paused; the next action waits for the pause, then succeeds',
    async (status) => {
      await startSim({ rateLimitStatus: status, rateLimitRetryAfterSeconds: 1 });
      const o2 = adapter();
      await o2.createSession({ markets: [MARKET] });
      const account = await o2.tradeAccountId();
      await expect(o2.settleBalance({ market: MARKET })).resolves.toMatchObject({ nonce: 1n });

      // The second action in the simulator's window is answered 1003.
      const before = sim.stats().httpRequests;
      const t0 = Date.now();
      const err = (await o2.settleBalance({ market: MARKET }).catch((e: unknown) => e)) as
        TickwireError | undefined;
      const t1 = Date.now();
      expect(isTickwireError(err, 'RATE_LIMITED')).toBe(true);
      expect(err!.context).toMatchObject({
        status,
        retryAfterMs: 1000,
        pool: 'sessionActions',
        method: 'POST',
        url: '/v1/session/actions',
      });
      expect(err!.message).toMatch(/rate limit/i);
      expect(err!.message).toContain('1000 ms');
      if (status !== 429) {
        expect(err!.context).toMatchObject({ exchangeCode: 1003, o2Error: 'RateLimitExceeded' });
      }
      expect(sim.stats().violations['o2RateLimit']).toBe(1);
      expect(sim.stats().httpRequests).toBe(before + 1); // never re-sent
      expect(o2.stats().rest.retries).toBe(0);
      expect(o2.stats().rest.errors.RATE_LIMITED).toBe(1);
      // 429s are paused by the REST manager; other statuses by the O2 error map (counted).
      expect(o2.stats().rateLimited).toBe(status === 429 ? 0 : 1);
      expect(o2.nonces.peek(account)).toBe(2n); // rejected before any transaction: kept
      const pausedUntil = o2.throttler.stats().pools['sessionActions']!.pausedUntil;
      expect(pausedUntil).toBeGreaterThanOrEqual(t0 + 1000);
      expect(pausedUntil).toBeLessThanOrEqual(t1 + 1000);

      // The server's window moves on; the client still owes the pause.
      simClock += 1000;
      const seen = observe();
      const third = o2.settleBalance({ market: MARKET });
      await expect(third).resolves.toMatchObject({ nonce: 2n });
      expect(seen.waits).toHaveLength(1);
      expect(seen.waits[0]).toMatchObject({ outcome: 'released', key: 'sessionActions' });
      expect(seen.waits[0]!.waitedMs).toBeGreaterThan(0);
      expect(seen.sentAt).toHaveLength(1);
      expect(seen.sentAt[0]).toBeGreaterThanOrEqual(pausedUntil!);
      // The client honoured the pause: no request while it ran, no further 1003.
      expect(sim.stats().violations['o2RateLimit']).toBe(1);
      expect(sim.stats().violations['ignoredRetryAfter'] ?? 0).toBe(0);
      expect(sim.stats().httpRequests).toBe(before + 2);
    },
  );

  it('a 1003 at HTTP 200 without Retry-After pauses for rest.retry.defaultRetryAfterMs; the next action waits in the throttler', async () => {
    await startSim({ rateLimitStatus: 200, rateLimitRetryAfterSeconds: null });
    const o2 = adapter({ rest: { retry: { defaultRetryAfterMs: 400 } } });
    await o2.createSession({ markets: [MARKET] });
    await o2.settleBalance({ market: MARKET });
    const t0 = Date.now();
    await expect(o2.settleBalance({ market: MARKET })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      context: { status: 200, exchangeCode: 1003, retryAfterMs: 400, pool: 'sessionActions' },
    });
    const t1 = Date.now();
    const pausedUntil = o2.throttler.stats().pools['sessionActions']!.pausedUntil!;
    expect(pausedUntil).toBeGreaterThanOrEqual(t0 + 400);
    expect(pausedUntil).toBeLessThanOrEqual(t1 + 400);

    simClock += 1000;
    const seen = observe();
    await expect(o2.settleBalance({ market: MARKET })).resolves.toMatchObject({ nonce: 2n });
    expect(seen.waits).toHaveLength(1);
    expect(seen.waits[0]).toMatchObject({ outcome: 'released', key: 'sessionActions' });
    expect(seen.sentAt).toHaveLength(1);
    expect(seen.sentAt[0]).toBeGreaterThanOrEqual(pausedUntil);
    expect(o2.stats().rateLimited).toBe(1);
    expect(sim.stats().violations['o2RateLimit']).toBe(1);
  });
});
