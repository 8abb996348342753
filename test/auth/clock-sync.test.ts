import { ClockSync } from '../../src/auth/index.js';

describe('ClockSync', () => {
  it('takes the offset from the midpoint of the fastest round trip', async () => {
    let local = 1_000_000;
    // Three samples: (send, server, recv) with round trips 100, 20, 60 ms.
    const samples = [
      { rtt: 100, server: 1_005_000 },
      { rtt: 20, server: 1_005_210 },
      { rtt: 60, server: 1_009_999 },
    ];
    let i = 0;
    const clock = new ClockSync({
      now: () => local,
      fetchServerTime: async () => {
        const s = samples[i++]!;
        local += s.rtt;
        return s.server;
      },
    });
    const offset = await clock.sync();
    // Sample 2 was sent at 1_000_100 and received at 1_000_120: midpoint 1_000_110.
    expect(offset).toBe(1_005_210 - 1_000_110);
    expect(clock.timestamp()).toBe(local + offset);
    expect(clock.recvWindowMs).toBe(5000);
  });

  it('shares one measurement between concurrent calls and can be re-run', async () => {
    let calls = 0;
    let server = 2_000;
    const clock = new ClockSync({
      samples: 1,
      now: () => 1_000,
      fetchServerTime: async () => {
        calls++;
        return server;
      },
    });
    const [a, b] = await Promise.all([clock.sync(), clock.sync()]);
    expect(a).toBe(1_000);
    expect(b).toBe(1_000);
    expect(calls).toBe(1);
    server = 500;
    expect(await clock.sync()).toBe(-500);
    expect(calls).toBe(2);
  });

  it('subtracts the safety margin and validates recvWindow', () => {
    const clock = new ClockSync({
      now: () => 10_000,
      safetyMarginMs: 50,
      fetchServerTime: async () => 0,
    });
    expect(clock.timestamp()).toBe(9_950);
    expect(() => new ClockSync({ recvWindowMs: 70_000, fetchServerTime: async () => 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
