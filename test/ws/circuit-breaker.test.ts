import { CircuitBreaker } from '../../src/ws/index.js';

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
