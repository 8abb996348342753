// createO2ResponseMapper: O2's rate-limit code 1003 at any status pauses the request's
// throttler pools. A real Throttler on jest fake timers shows that a queued request waits
// exactly until the pause ends (no wall clock involved).
import { createO2ResponseMapper, type O2RateLimitNotice } from '../../../adapters/o2/errors.js';
import type { RestRequest, RestResponse } from '../../../src/rest/index.js';
import { Throttler } from '../../../src/throttle/index.js';

const T0 = 1_700_000_000_000;

function response(
  status: number,
  data: unknown,
  request: RestRequest,
  headers: Record<string, string> = {},
): RestResponse {
  return {
    status,
    headers,
    text: JSON.stringify(data),
    data,
    request,
    attempt: 1,
    durationMs: 1,
  };
}

const actions: RestRequest = {
  method: 'POST',
  path: '/v1/session/actions',
  idempotent: false,
  throttle: { key: 'sessionActions', weight: 1 },
};

let throttler: Throttler;
let notices: O2RateLimitNotice[];

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
  throttler = new Throttler({
    pools: [
      { id: 'sessionActions', limit: 5, intervalMs: 1000 },
      { id: 'fees', limit: 5, intervalMs: 1000 },
      { id: 'other', limit: 5, intervalMs: 1000 },
    ],
    marginRatio: 0,
  });
  notices = [];
});

afterEach(async () => {
  await throttler.close();
  jest.useRealTimers();
});

function mapper(defaultRetryAfterMs?: number) {
  return createO2ResponseMapper({
    throttler,
    ...(defaultRetryAfterMs === undefined ? {} : { defaultRetryAfterMs }),
    onRateLimited: (n) => notices.push(n),
  });
}

describe('createO2ResponseMapper', () => {
  it.each([200, 400])(
    'a 1003 body at HTTP %i is RATE_LIMITED and pauses the pool for Retry-After; a queued request waits until then',
    async (status) => {
      const map = mapper();
      const err = map(
        response(status, { code: 1003, message: 'Too many requests' }, actions, {
          'retry-after': '2',
        }),
      );
      expect(err).toMatchObject({
        code: 'RATE_LIMITED',
        context: {
          exchange: 'o2',
          exchangeCode: 1003,
          status,
          retryAfterMs: 2000,
          pool: 'sessionActions',
          method: 'POST',
          url: '/v1/session/actions',
        },
      });
      expect(err!.message).toBe(
        'o2: 1003 RateLimitExceeded: Too many requests (wait 2000 ms; pool sessionActions paused)',
      );
      expect(notices).toEqual([
        {
          status,
          method: 'POST',
          url: '/v1/session/actions',
          pools: ['sessionActions'],
          retryAfterMs: 2000,
        },
      ]);
      expect(throttler.stats().pools['sessionActions']!.pausedUntil).toBe(T0 + 2000);
      // Other pools are not held.
      expect(throttler.tryAcquire({ key: 'fees' })).toBeDefined();
      // The paused pool: nothing immediate; a queued request is released at T0 + 2000.
      expect(throttler.tryAcquire({ key: 'sessionActions' })).toBeUndefined();
      let releasedAt: number | undefined;
      const pending = throttler.acquire({ key: 'sessionActions' }).then((p) => {
        releasedAt = Date.now();
        p.release();
      });
      await jest.advanceTimersByTimeAsync(1999);
      expect(throttler.stats().queued).toBe(1);
      expect(releasedAt).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      await pending;
      expect(releasedAt).toBe(T0 + 2000);
    },
  );

  it('without Retry-After the pause is the configured default; linked pools are paused too', () => {
    const map = mapper(1500);
    const request: RestRequest = {
      method: 'PUT',
      path: '/v1/session',
      idempotent: false,
      throttle: { key: 'sessionActions', linked: [{ pool: 'other', weight: 1 }] },
    };
    const err = map(response(200, { code: 1003, message: 'slow down' }, request));
    expect(err).toMatchObject({ code: 'RATE_LIMITED', context: { retryAfterMs: 1500 } });
    const pools = throttler.stats().pools;
    expect(pools['sessionActions']!.pausedUntil).toBe(T0 + 1500);
    expect(pools['other']!.pausedUntil).toBe(T0 + 1500);
    expect(pools['fees']!.pausedUntil).toBeUndefined();
    expect(notices[0]!.pools).toEqual(['sessionActions', 'other']);
  });

  it('the default default is 1000 ms; an endpoint without a pool pauses nothing but is still RATE_LIMITED and reported', () => {
    const map = mapper();
    const err = map(
      response(200, { code: 1003, message: 'x' }, { method: 'GET', path: '/v1/depth' }),
    );
    expect(err).toMatchObject({ code: 'RATE_LIMITED', context: { retryAfterMs: 1000 } });
    expect(err!.context).not.toHaveProperty('pool');
    expect(notices).toEqual([
      { status: 200, method: 'GET', url: '/v1/depth', pools: [], retryAfterMs: 1000 },
    ]);
    for (const p of Object.values(throttler.stats().pools)) expect(p.pausedUntil).toBeUndefined();
  });

  it('other answers: a 2xx without code 1003 passes (left to the schemas), a 4xx maps as before; neither pauses', () => {
    const map = mapper();
    expect(map(response(200, { tx_id: '0x01', orders: [] }, actions))).toBeUndefined();
    // O2 sends pre-flight rejections with 200 on its signed routes: the schema reads them.
    expect(map(response(200, { code: 4001, message: 'Invalid session' }, actions))).toBeUndefined();
    expect(map(response(200, [1, 2, 3], { method: 'GET', path: '/v1/trades' }))).toBeUndefined();
    expect(map(response(200, 'plain text', { method: 'GET', path: '/v1/x' }))).toBeUndefined();
    expect(map(response(400, { code: 4000, message: 'bad sig' }, actions))).toMatchObject({
      code: 'AUTH_INVALID_SIGNATURE',
      context: { status: 400, exchangeCode: 4000 },
    });
    expect(notices).toEqual([]);
    expect(throttler.stats().pools['sessionActions']!.pausedUntil).toBeUndefined();
  });

  it('without a throttler it still maps 1003 to RATE_LIMITED', () => {
    const map = createO2ResponseMapper();
    expect(map(response(200, { code: 1003, message: 'x' }, actions))).toMatchObject({
      code: 'RATE_LIMITED',
      context: { retryAfterMs: 1000, pool: 'sessionActions' },
    });
  });
});
