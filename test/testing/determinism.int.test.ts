import { ExchangeSimulator, type SimulatorProtocol } from '../../src/testing/index.js';
import { createBinanceSimulatorProtocol } from '../../adapters/binance/simulator/index.js';
import { createO2SimulatorProtocol, o2SimMarkets } from '../../adapters/o2/simulator/index.js';
import { closeSocket, openCollector } from './ws-helpers.js';

// Loopback sockets on a shared 2-core machine: allow for a slow neighbour.
jest.setTimeout(30_000);

/** A clock that advances 7 ms per reading: deterministic, and never equal twice. */
function fakeClock(): () => number {
  let t = 1_767_225_600_000;
  return () => (t += 7);
}

async function framesOf(
  protocol: SimulatorProtocol,
  seed: number,
  path: string,
  send: readonly string[],
  events: number,
): Promise<string[]> {
  const sim = await new ExchangeSimulator({
    protocol,
    seed,
    eventsPerSecond: 0,
    clock: fakeClock(),
  }).start();
  const c = await openCollector(`${sim.wsUrl}${path}`);
  try {
    for (const m of send) c.ws.send(m);
    if (send.length > 0) await c.waitForCount(1);
    sim.step(events);
    const expected = sim.stats().framesSent;
    await c.waitForCount(expected);
    expect(c.frames).toHaveLength(expected);
    return c.frames.slice();
  } finally {
    await closeSocket(c.ws);
    await sim.close();
  }
}

describe('same seed, same frames (byte for byte)', () => {
  const binancePath =
    '/stream?streams=btcusdt@depth@100ms/btcusdt@trade/btcusdt@aggTrade/btcusdt@bookTicker/ethusdt@depth10/ethusdt@trade';

  it('Binance personality', async () => {
    const a = await framesOf(createBinanceSimulatorProtocol(), 42, binancePath, [], 400);
    const b = await framesOf(createBinanceSimulatorProtocol(), 42, binancePath, [], 400);
    expect(a.length).toBeGreaterThan(400);
    expect(b).toEqual(a);
    const c = await framesOf(createBinanceSimulatorProtocol(), 43, binancePath, [], 400);
    expect(c).not.toEqual(a);
  });

  it('O2 personality', async () => {
    const market = o2SimMarkets[0]!.id;
    const subscribe = [
      JSON.stringify({ action: 'subscribe_depth', market_id: market, precision: '10' }),
      JSON.stringify({ action: 'subscribe_trades', market_id: market }),
    ];
    const a = await framesOf(createO2SimulatorProtocol(), 9, '/v1/ws', subscribe, 300);
    const b = await framesOf(createO2SimulatorProtocol(), 9, '/v1/ws', subscribe, 300);
    expect(a.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
  });
});
