// examples/o2-subclass.ts against the O2 simulator: the subclass overrides one hook
// (processBookUpdate) and still gets the adapter's whole book machinery.
import { LagTrackingO2Adapter, runSubclassExample } from '../../../examples/o2-subclass.js';
import { createO2SimulatorProtocol, o2SimMarkets } from '../../../adapters/o2/simulator/index.js';
import { ExchangeSimulator } from '../../../src/testing/index.js';

jest.setTimeout(30_000);

const MARKET = o2SimMarkets[0]!;

let sim: ExchangeSimulator;

beforeEach(async () => {
  sim = await new ExchangeSimulator({
    protocol: createO2SimulatorProtocol({ markets: [MARKET] }),
    seed: 5,
    eventsPerSecond: 100,
    levels: 6,
  }).start();
});

afterEach(async () => {
  await sim.close();
});

describe('example: an O2Adapter subclass overriding one hook', () => {
  it('runs examples/o2-subclass.ts: the hook saw every update, the book is the live one', async () => {
    const report = await runSubclassExample({
      restUrl: sim.httpUrl,
      wsUrl: `${sim.wsUrl}/v1/ws`,
      market: 'FUEL/USDC',
      updates: 30,
    });
    expect(report.updates).toBeGreaterThanOrEqual(30);
    // Every update the book applied went through the override first.
    expect(report.lag.samples).toBe(report.updates);
    expect(report.lag.maxMs).toBeGreaterThanOrEqual(0);
    expect(report.lag.meanMs).toBeGreaterThanOrEqual(0);
    expect(BigInt(report.bestBid!)).toBeLessThan(BigInt(report.bestAsk!));
  });

  it('is an O2Adapter: inherited REST calls work unchanged', async () => {
    await using o2 = new LagTrackingO2Adapter({
      restUrl: sim.httpUrl,
      wsUrl: `${sim.wsUrl}/v1/ws`,
    });
    const depth = await o2.getDepth('fFUEL/fUSDC', { limit: 3 });
    expect(depth.bids.length).toBe(3);
    expect(o2.feedLag()).toEqual({ samples: 0, maxMs: 0, meanMs: 0 });
  });
});
