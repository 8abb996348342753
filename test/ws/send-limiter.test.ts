import fc from 'fast-check';
import { SendLimiter } from '../../src/ws/index.js';

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

  it('property: whatever the arrival pattern, no 1000 ms window holds more than the rate', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 1,
          maxLength: 60,
        }),
        async (rate, headroom, arrivals) => {
          const limiter = new SendLimiter({ messagesPerSecond: rate, headroom });
          const t0 = Date.now();
          const sent: number[] = [];
          const jobs: Promise<void>[] = [];
          for (const [at, priority] of [...arrivals].sort((a, b) => a[0] - b[0])) {
            await jest.advanceTimersByTimeAsync(Math.max(0, t0 + at - Date.now()));
            jobs.push(limiter.schedule(() => sent.push(Date.now()), priority));
          }
          await jest.advanceTimersByTimeAsync(arrivals.length * (1000 / rate) * 2 + 10);
          await Promise.all(jobs);
          expect(sent).toHaveLength(arrivals.length);
          for (let i = 0; i < sent.length; i++) {
            const inWindow = sent.filter((t) => t >= sent[i]! && t < sent[i]! + 1000).length;
            expect(inWindow).toBeLessThanOrEqual(Math.ceil(rate * (1 - headroom)));
          }
        },
      ),
      { numRuns: 50 },
    );
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
