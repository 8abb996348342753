import { RttTracker, closeCodeClass, isNoRetryCloseCode, rateQuality } from '../../src/ws/index.js';

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
