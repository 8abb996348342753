import { runOfflineBot } from '../../examples/offline-bot.js';

// Loopback sockets on a shared 2-core machine: allow for a slow neighbour.
jest.setTimeout(30_000);

describe('README example: test your bot offline', () => {
  it('runs examples/offline-bot.ts end to end', async () => {
    const report = await runOfflineBot();
    expect(report).toEqual({
      tradesSeen: expect.any(Number),
      orderStatus: 'FILLED',
      btcFree: '10.00200000',
      reconnected: true,
      faultsInjected: 1,
    });
    expect(report.tradesSeen).toBeGreaterThan(0);
  });
});
