import fc from 'fast-check';
import { Backoff, backoffCeiling, resolveBackoff } from '../../src/ws/index.js';
import type { BackoffStrategy } from '../../src/ws/index.js';

const strategies: BackoffStrategy[] = ['exponential', 'linear', 'fibonacci'];

describe('backoffCeiling', () => {
  it('grows per strategy and stops at the cap', () => {
    const c = (strategy: BackoffStrategy) =>
      [1, 2, 3, 4, 5].map((n) =>
        backoffCeiling(resolveBackoff({ strategy, base: 100, multiplier: 2, cap: 700 }), n),
      );
    expect(c('exponential')).toEqual([100, 200, 400, 700, 700]);
    expect(c('linear')).toEqual([100, 300, 500, 700, 700]);
    expect(c('fibonacci')).toEqual([100, 200, 300, 500, 700]);
  });

  it('rejects nonsense with INVALID_ARGUMENT', () => {
    expect(() => resolveBackoff({ base: 100, cap: 10 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => resolveBackoff({ jitter: 2 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('Backoff (property)', () => {
  it('every delay stays within [ceiling × (1 − jitter), ceiling] ≤ cap, and the ceiling never shrinks', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...strategies),
        fc.integer({ min: 0, max: 5000 }),
        fc.double({ min: 1, max: 5, noNaN: true }),
        fc.integer({ min: 0, max: 120_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), {
          minLength: 1,
          maxLength: 60,
        }),
        (strategy, base, multiplier, extra, jitter, randoms) => {
          const cap = base + extra;
          let i = 0;
          const b = new Backoff(
            { strategy, base, multiplier, cap, jitter },
            () => randoms[i++ % randoms.length]!,
          );
          let previous = 0;
          for (let n = 1; n <= randoms.length; n++) {
            const d = b.next();
            const ceiling = backoffCeiling(b.config, n);
            expect(ceiling).toBeGreaterThanOrEqual(previous);
            expect(ceiling).toBeLessThanOrEqual(cap);
            expect(d).toBeLessThanOrEqual(ceiling + 1e-9);
            expect(d).toBeGreaterThanOrEqual(ceiling * (1 - jitter) - 1e-9);
            previous = ceiling;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('resetAfter resets exactly when the connection lasted at least that long', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 200_000 }),
        (failures, resetAfter, upFor) => {
          const b = new Backoff({ base: 10, cap: 1_000_000, jitter: 0, resetAfter });
          for (let k = 0; k < failures; k++) b.next();
          b.connected(1_000);
          b.disconnected(1_000 + upFor);
          const expected = upFor >= resetAfter ? 0 : failures;
          expect(b.attempt).toBe(expected);
          expect(b.next()).toBe(backoffCeiling(b.config, expected + 1));
        },
      ),
    );
  });

  it('maxAttempts: exhausted after that many attempts; 0 never', () => {
    const b = new Backoff({ maxAttempts: 2 });
    expect(b.exhausted).toBe(false);
    b.next();
    b.next();
    expect(b.exhausted).toBe(true);
    const forever = new Backoff({ maxAttempts: 0 });
    for (let k = 0; k < 1000; k++) forever.next();
    expect(forever.exhausted).toBe(false);
  });
});

describe('Backoff under fake timers', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a reconnect loop waits exactly the delays and resets after a long connection', () => {
    const b = new Backoff({ base: 100, multiplier: 2, cap: 1000, jitter: 0, resetAfter: 5000 });
    const fired: number[] = [];
    const schedule = (): void => {
      const d = b.next();
      setTimeout(() => fired.push(Date.now()), d);
    };
    const t0 = Date.now();
    schedule();
    jest.advanceTimersByTime(99);
    expect(fired).toHaveLength(0);
    jest.advanceTimersByTime(1);
    expect(fired).toEqual([t0 + 100]);
    schedule();
    jest.advanceTimersByTime(200);
    expect(fired).toEqual([t0 + 100, t0 + 300]);
    b.connected(Date.now());
    jest.advanceTimersByTime(5000);
    b.disconnected(Date.now());
    expect(b.next()).toBe(100);
  });
});
