import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  SlidingWindow,
  ThrottlePriority,
  Throttler,
  type ThrottleWaitEvent,
} from '../../src/throttle/index.js';

const T0 = 1_700_000_000_000;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Tracks a promise's settlement without awaiting it. */
function track<T>(p: Promise<T>): {
  state: () => 'pending' | 'resolved' | 'rejected';
  error: () => unknown;
} {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  let error: unknown;
  p.then(
    () => (state = 'resolved'),
    (e: unknown) => {
      state = 'rejected';
      error = e;
    },
  );
  return { state: () => state, error: () => error };
}

describe('SlidingWindow', () => {
  it('counts weight in (now − interval, now] and says when more fits', () => {
    const w = new SlidingWindow(1000);
    w.record(3, 100);
    w.record(4, 600);
    expect(w.used(600)).toBe(7);
    expect(w.waitFor(3, 10, 600)).toBe(0);
    expect(w.waitFor(4, 10, 600)).toBe(500); // the 3 at t=100 expires at t=1100
    expect(w.waitFor(8, 10, 600)).toBe(1000); // both must expire: t=1600
    expect(w.waitFor(11, 10, 600)).toBe(Infinity);
    expect(w.used(1100)).toBe(4);
    expect(w.used(1600)).toBe(0);
  });
});

describe('Throttler', () => {
  let throttler: Throttler | undefined;
  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
  });
  afterEach(async () => {
    await throttler?.close();
    throttler = undefined;
    jest.useRealTimers();
  });

  it('releases within capacity at once and never more than limit × (1 − margin) across a refresh boundary', async () => {
    throttler = new Throttler({
      pools: [{ id: 'W', limit: 10, intervalMs: 1000 }],
      marginRatio: 0.2,
    });
    const released: number[] = [];
    const run = (): Promise<void> =>
      throttler!.schedule({ key: 'W' }, async () => {
        released.push(Date.now() - T0);
      });
    jest.setSystemTime(T0 + 900);
    const first = Array.from({ length: 8 }, run);
    await Promise.all(first);
    expect(released).toEqual(Array(8).fill(900));
    // An aligned reservoir would refill at t=1000 and let 8 more through: 16 in 100 ms.
    jest.setSystemTime(T0 + 1000);
    const second = Array.from({ length: 8 }, run);
    await jest.advanceTimersByTimeAsync(0);
    expect(released).toHaveLength(8);
    expect(throttler.stats().queued).toBe(8);
    await jest.advanceTimersByTimeAsync(899);
    expect(released).toHaveLength(8);
    // Waiting requests leave one by one through bottleneck (a few timer hops each).
    await jest.advanceTimersByTimeAsync(100);
    await Promise.all(second);
    expect(released).toHaveLength(16);
    expect(Math.min(...released.slice(8))).toBe(1900);
    expect(Math.max(...released.slice(8))).toBeLessThan(1999);
  });

  it('consumes weight in the own pool and in linked pools', async () => {
    throttler = new Throttler({
      pools: [
        { id: 'REQUEST_WEIGHT', limit: 100, intervalMs: 60_000 },
        { id: 'ORDERS', limit: 5, intervalMs: 10_000 },
      ],
      marginRatio: 0,
    });
    const order = { key: 'ORDERS', weight: 1, linked: [{ pool: 'REQUEST_WEIGHT', weight: 2 }] };
    for (let i = 0; i < 5; i++) await throttler.schedule(order, async () => undefined);
    const s = throttler.stats();
    expect(s.pools['ORDERS']!.used).toBe(5);
    expect(s.pools['REQUEST_WEIGHT']!.used).toBe(10);
    const sixth = track(throttler.schedule(order, async () => undefined));
    // Market data still flows while ORDERS is full: the keys wait separately.
    await throttler.schedule({ key: 'REQUEST_WEIGHT', weight: 20 }, async () => undefined);
    await jest.advanceTimersByTimeAsync(9_999);
    expect(sixth.state()).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(sixth.state()).toBe('resolved');
    expect(throttler.stats().pools['REQUEST_WEIGHT']!.used).toBe(32);
  });

  it('releases waiting requests by priority (orders before market data), FIFO within one', async () => {
    throttler = new Throttler({ pools: [{ id: 'W', limit: 1, intervalMs: 1000 }], marginRatio: 0 });
    await throttler.schedule({ key: 'W' }, async () => undefined);
    const order: string[] = [];
    const p = [
      throttler.schedule(
        { key: 'W', priority: ThrottlePriority.marketData },
        async () => void order.push('md1'),
      ),
      throttler.schedule(
        { key: 'W', priority: ThrottlePriority.marketData },
        async () => void order.push('md2'),
      ),
      throttler.schedule(
        { key: 'W', priority: ThrottlePriority.order },
        async () => void order.push('order'),
      ),
      throttler.schedule(
        { key: 'W', priority: ThrottlePriority.cancel },
        async () => void order.push('cancel'),
      ),
    ];
    await jest.advanceTimersByTimeAsync(5000);
    await Promise.all(p);
    // md1 may already be the waiting head when the others arrive; after it, strict priority.
    expect(order.slice(-3)).toEqual(
      order[0] === 'md1' ? ['cancel', 'order', 'md2'] : ['order', 'md1', 'md2'],
    );
    expect(order[0]).toBe('md1');
  });

  it('keeps room that a more urgent waiter of another key needs', async () => {
    throttler = new Throttler({
      pools: [
        { id: 'W', limit: 2, intervalMs: 1000 },
        { id: 'O', limit: 10, intervalMs: 1000 },
      ],
      marginRatio: 0,
    });
    await throttler.schedule({ key: 'W', weight: 2 }, async () => undefined);
    const order: string[] = [];
    const urgent = throttler.schedule(
      { key: 'O', linked: [{ pool: 'W', weight: 2 }], priority: 1 },
      async () => void order.push('order'),
    );
    await jest.advanceTimersByTimeAsync(10);
    const lazy = throttler.schedule(
      { key: 'W', weight: 1, priority: 7 },
      async () => void order.push('md'),
    );
    await jest.advanceTimersByTimeAsync(2000);
    await Promise.all([urgent, lazy]);
    expect(order).toEqual(['order', 'md']);
  });

  it('fails with THROTTLE_QUEUE_FULL beyond maxQueued and runs nothing for it', async () => {
    throttler = new Throttler({
      pools: [{ id: 'W', limit: 1, intervalMs: 1000 }],
      marginRatio: 0,
      maxQueued: 2,
    });
    await throttler.schedule({ key: 'W' }, async () => undefined);
    const ran = jest.fn(async () => undefined);
    const a = track(throttler.schedule({ key: 'W' }, ran));
    const b = track(throttler.schedule({ key: 'W' }, ran));
    await expect(throttler.schedule({ key: 'W' }, ran)).rejects.toMatchObject({
      code: 'THROTTLE_QUEUE_FULL',
      context: { maxQueued: 2 },
    });
    await jest.advanceTimersByTimeAsync(2000);
    expect([a.state(), b.state()]).toEqual(['resolved', 'resolved']);
    expect(ran).toHaveBeenCalledTimes(2);
  });

  it('cancels a queued request on abort without consuming weight', async () => {
    throttler = new Throttler({ pools: [{ id: 'W', limit: 2, intervalMs: 1000 }], marginRatio: 0 });
    await throttler.schedule({ key: 'W', weight: 2 }, async () => undefined);
    const ac = new AbortController();
    const ran = jest.fn(async () => undefined);
    const p = throttler.schedule({ key: 'W', weight: 2 }, ran, { signal: ac.signal });
    await jest.advanceTimersByTimeAsync(100);
    ac.abort(new Error('user'));
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    expect(throttler.stats().queued).toBe(0);
    await jest.advanceTimersByTimeAsync(2000);
    expect(ran).not.toHaveBeenCalled();
    expect(throttler.stats().pools['W']!.used).toBe(0);
    await expect(
      throttler.schedule({ key: 'W' }, ran, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('pauses a pool for Retry-After (429) and resumes after it', async () => {
    throttler = new Throttler({ pools: [{ id: 'W', limit: 100, intervalMs: 1000 }] });
    throttler.pause(['W'], 3000);
    expect(throttler.stats().pools['W']!.pausedUntil).toBe(T0 + 3000);
    const p = track(throttler.schedule({ key: 'W' }, async () => Date.now()));
    await jest.advanceTimersByTimeAsync(2999);
    expect(p.state()).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(p.state()).toBe('resolved');
  });

  it('on a 418 ban fails queued callers with IP_BANNED and refuses new ones until the ban ends', async () => {
    throttler = new Throttler({ pools: [{ id: 'W', limit: 1, intervalMs: 1000 }], marginRatio: 0 });
    await throttler.schedule({ key: 'W', host: 'https://x' }, async () => undefined);
    const queued = throttler.schedule({ key: 'W', host: 'https://x' }, async () => undefined);
    const other = track(throttler.schedule({ key: 'W', host: 'https://y' }, async () => undefined));
    await jest.advanceTimersByTimeAsync(10);
    throttler.ban('https://x', T0 + 60_000);
    await expect(queued).rejects.toMatchObject({
      code: 'IP_BANNED',
      context: { until: T0 + 60_000 },
    });
    await expect(
      throttler.schedule({ key: 'W', host: 'https://x' }, async () => 1),
    ).rejects.toMatchObject({ code: 'IP_BANNED', context: { host: 'https://x' } });
    expect(throttler.stats().bannedUntil).toBe(T0 + 60_000);
    await jest.advanceTimersByTimeAsync(2000);
    expect(other.state()).toBe('resolved');
    jest.setSystemTime(T0 + 60_000);
    await expect(throttler.schedule({ key: 'W', host: 'https://x' }, async () => 1)).resolves.toBe(
      1,
    );
  });

  it('corrects local accounting upward from server usage, never downward', async () => {
    throttler = new Throttler({
      pools: [{ id: 'W', limit: 100, intervalMs: 60_000 }],
      marginRatio: 0,
    });
    await throttler.schedule({ key: 'W', weight: 10 }, async () => undefined);
    throttler.observeUsage('W', 4);
    expect(throttler.stats().pools['W']!.used).toBe(10);
    throttler.observeUsage('W', 95);
    expect(throttler.stats().pools['W']!.used).toBe(95);
    const p = track(throttler.schedule({ key: 'W', weight: 10 }, async () => undefined));
    await jest.advanceTimersByTimeAsync(59_999);
    expect(p.state()).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(p.state()).toBe('resolved');
  });

  it('caps concurrency and reports queued / in flight', async () => {
    throttler = new Throttler({
      pools: [{ id: 'W', limit: 100, intervalMs: 1000 }],
      maxConcurrent: 2,
    });
    const gates = [deferred(), deferred(), deferred()];
    const runs = gates.map((g) => throttler!.schedule({ key: 'W' }, () => g.promise));
    await jest.advanceTimersByTimeAsync(10);
    expect(throttler.stats()).toMatchObject({ queued: 1, inFlight: 2 });
    gates[0]!.resolve();
    await jest.advanceTimersByTimeAsync(10);
    expect(throttler.stats()).toMatchObject({ queued: 0, inFlight: 2 });
    gates[1]!.resolve();
    gates[2]!.resolve();
    await Promise.all(runs);
    expect(throttler.stats().inFlight).toBe(0);
  });

  it('rejects unknown pools and weights above capacity with INVALID_ARGUMENT', async () => {
    throttler = new Throttler({
      pools: [{ id: 'W', limit: 10, intervalMs: 1000 }],
      marginRatio: 0.5,
    });
    await expect(throttler.acquire({ key: 'nope' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(throttler.acquire({ key: 'W', weight: 6 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(() => new Throttler({ pools: [] })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('publishes tickwire:throttle:wait when a request waited', async () => {
    throttler = new Throttler({
      pools: [{ id: 'W', limit: 1, intervalMs: 1000 }],
      marginRatio: 0,
      name: 'binance',
    });
    const events: ThrottleWaitEvent[] = [];
    const onEvent = (m: unknown): void => void events.push(m as ThrottleWaitEvent);
    subscribe('tickwire:throttle:wait', onEvent);
    try {
      await throttler.schedule({ key: 'W' }, async () => undefined);
      const p = throttler.schedule({ key: 'W', priority: 2 }, async () => undefined);
      await jest.advanceTimersByTimeAsync(1000);
      await p;
    } finally {
      unsubscribe('tickwire:throttle:wait', onEvent);
    }
    expect(events[0]!.waitedMs).toBeGreaterThanOrEqual(1000);
    expect(events).toEqual([
      expect.objectContaining({
        throttler: 'binance',
        key: 'W',
        weight: 1,
        priority: 2,
        waitedMs: expect.any(Number),
        outcome: 'released',
      }),
    ]);
  });

  it('updates a pool from exchange data, keeping the counted weight', async () => {
    throttler = new Throttler({
      pools: [{ id: 'W', limit: 100, intervalMs: 1000 }],
      marginRatio: 0,
    });
    await throttler.schedule({ key: 'W', weight: 50 }, async () => undefined);
    const big = throttler.schedule({ key: 'W', weight: 60 }, async () => undefined);
    throttler.upsertPool({ id: 'W', limit: 40, intervalMs: 60_000 });
    await expect(big).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(throttler.stats().pools['W']).toMatchObject({ used: 50, limit: 40, capacity: 40 });
    const small = track(throttler.schedule({ key: 'W', weight: 1 }, async () => undefined));
    await jest.advanceTimersByTimeAsync(59_999);
    expect(small.state()).toBe('pending');
    await jest.advanceTimersByTimeAsync(10);
    expect(small.state()).toBe('resolved');
    throttler.upsertPool({ id: 'ORDERS', limit: 10, intervalMs: 10_000 });
    await throttler.schedule(
      { key: 'ORDERS', linked: [{ pool: 'W', weight: 1 }] },
      async () => undefined,
    );
    expect(throttler.stats().pools['ORDERS']!.used).toBe(1);
  });

  it('fails queued requests with CLOSED on close()', async () => {
    throttler = new Throttler({ pools: [{ id: 'W', limit: 1, intervalMs: 1000 }], marginRatio: 0 });
    await throttler.schedule({ key: 'W' }, async () => undefined);
    const p = throttler.schedule({ key: 'W' }, async () => undefined);
    await jest.advanceTimersByTimeAsync(1);
    await throttler.close();
    await expect(p).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
