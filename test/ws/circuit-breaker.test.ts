import {
  CircuitBreaker,
  SendLimiter,
  rateQuality,
  RttTracker,
  closeCodeClass,
  isNoRetryCloseCode,
} from '../../src/ws/index.js';

describe('CircuitBreaker', () => {
  it('opens after N consecutive failures, half-opens after openMs, closes on success', () => {
    const cb = new CircuitBreaker({ failureThreshold: 3, openMs: 1000 });
    expect(cb.recordFailure(0)).toBe(false);
    expect(cb.recordFailure(10)).toBe(false);
    expect(cb.state(10)).toBe('closed');
    expect(cb.recordFailure(20)).toBe(true);
    expect(cb.state(500)).toBe('open');
    expect(cb.waitMs(500)).toBe(520);
    expect(cb.state(1020)).toBe('half-open');
    expect(cb.recordFailure(1020)).toBe(true); // failed probe re-opens
    expect(cb.state(1500)).toBe('open');
    cb.recordSuccess();
    expect(cb.state(1500)).toBe('closed');
    expect(cb.recordFailure(1600)).toBe(false); // count starts again
  });
});

describe('SendLimiter (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('spaces frames evenly and never exceeds the rate in any 1000 ms window', async () => {
    const limiter = new SendLimiter({ messagesPerSecond: 5, headroom: 0 });
    const at: number[] = [];
    const t0 = Date.now();
    const all = Array.from({ length: 20 }, () => limiter.schedule(() => at.push(Date.now() - t0)));
    await jest.advanceTimersByTimeAsync(5000);
    await Promise.all(all);
    expect(at).toEqual(Array.from({ length: 20 }, (_, i) => i * 200));
    for (let i = 0; i < at.length; i++) {
      expect(at.filter((t) => t >= at[i]! && t < at[i]! + 1000).length).toBeLessThanOrEqual(5);
    }
  });

  it('goes by priority (FIFO among equals), holds gated frames, bounds its queue', async () => {
    const limiter = new SendLimiter({ messagesPerSecond: 1000, headroom: 0, maxQueued: 4 });
    limiter.setGate(() => false);
    const out: string[] = [];
    const p = [
      limiter.schedule(() => out.push('a'), 0, 'x'),
      limiter.schedule(() => out.push('b'), 1, 'y'),
      limiter.schedule(() => out.push('c'), 0, 'x'),
      limiter.schedule(() => out.push('d'), 5, 'x'),
    ];
    await expect(limiter.schedule(() => out.push('e'))).rejects.toMatchObject({
      code: 'WS_BACKPRESSURE',
    });
    limiter.setGate((tag) => tag === 'x');
    await jest.advanceTimersByTimeAsync(100);
    expect(out).toEqual(['d', 'a', 'c']);
    limiter.setGate(undefined);
    await jest.advanceTimersByTimeAsync(100);
    await Promise.all(p);
    expect(out).toEqual(['d', 'a', 'c', 'b']);
  });
});

describe('quality and close codes', () => {
  it('rates quality from latency and jitter with configurable thresholds', () => {
    expect(rateQuality(10, 1)).toBe('EXCELLENT');
    expect(rateQuality(100, 1)).toBe('GOOD');
    expect(rateQuality(10, 50)).toBe('FAIR');
    expect(rateQuality(1000, 1)).toBe('POOR');
    expect(rateQuality(10, 1, { excellent: { latencyMs: 5, jitterMs: 1 } })).toBe('GOOD');
  });

  it('tracks last RTT, average and jitter', () => {
    const r = new RttTracker();
    r.record(10);
    expect([r.lastMs, r.avgMs, r.jitterMs]).toEqual([10, 10, 0]);
    r.record(26);
    expect(r.lastMs).toBe(26);
    expect(r.avgMs).toBe(12);
    expect(r.jitterMs).toBe(1);
  });

  it('classifies close codes and the default no-retry set', () => {
    expect([1000, 1001, 1006, 1008, 1011, 4003].map(closeCodeClass)).toEqual([
      'normal',
      'going-away',
      'abnormal',
      'policy',
      'server-error',
      'application',
    ]);
    expect(isNoRetryCloseCode(1008)).toBe(true);
    expect(isNoRetryCloseCode(4003)).toBe(true);
    expect(isNoRetryCloseCode(1006)).toBe(false);
    expect(isNoRetryCloseCode(4500)).toBe(false);
  });
});
