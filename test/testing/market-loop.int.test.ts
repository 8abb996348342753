import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import { ExchangeSimulator } from '../../src/testing/index.js';
import { createBinanceSimulatorProtocol } from '../../adapters/binance/simulator/index.js';
import { closeSocket, openCollector } from './ws-helpers.js';

// Loopback sockets on a shared 2-core machine: allow for a slow neighbour.
jest.setTimeout(30_000);

let sim: ExchangeSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('market generation', () => {
  it('stops after maxEvents at a given rate', async () => {
    sim = await new ExchangeSimulator({
      protocol: createBinanceSimulatorProtocol(),
      eventsPerSecond: 500,
      maxEvents: 60,
    }).start();
    await sim.finished;
    expect(sim.stats().eventsGenerated).toBe(60);
    sim.step(5); // maxEvents also bounds manual steps
    expect(sim.stats().eventsGenerated).toBe(60);
  });

  it('stops after durationMs', async () => {
    sim = await new ExchangeSimulator({
      protocol: createBinanceSimulatorProtocol(),
      eventsPerSecond: 200,
      durationMs: 150,
    }).start();
    await sim.finished;
    const n = sim.stats().eventsGenerated;
    expect(n).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(sim.stats().eventsGenerated).toBe(n);
  });

  it("'drain' generates as fast as the sockets drain and waits while one is backed up", async () => {
    sim = await new ExchangeSimulator({
      protocol: createBinanceSimulatorProtocol(),
      eventsPerSecond: 'drain',
      highWaterMark: 16 * 1024,
    }).start();
    const s = sim;
    // Partial-depth frames are large, so the kernel buffers fill quickly once the reader stops.
    const c = await openCollector(`${s.wsUrl}/ws/btcusdt@depth20`);
    const tcp = (c.ws as unknown as { _socket: Socket })._socket;
    tcp.pause();
    let last = -1;
    await until(() => {
      const n = s.stats().eventsGenerated;
      const stuck = n === last;
      last = n;
      return stuck;
    }, 20_000);
    await new Promise((r) => setTimeout(r, 30));
    expect(s.stats().eventsGenerated).toBe(last);
    // Once the backed-up socket is gone, generation goes on.
    c.ws.terminate();
    await until(() => s.stats().eventsGenerated > last);
  });
});

describe('Binance server pings', () => {
  it('pings on the interval and drops a client that never pongs', async () => {
    sim = await new ExchangeSimulator({
      protocol: createBinanceSimulatorProtocol({ pingIntervalMs: 40, pongTimeoutMs: 150 }),
      eventsPerSecond: 0,
    }).start();
    const polite = await openCollector(`${sim.wsUrl}/ws/btcusdt@trade`);
    let pings = 0;
    polite.ws.on('ping', () => (pings += 1));
    const silent = new WebSocket(`${sim.wsUrl}/ws/btcusdt@trade`, { autoPong: false });
    const silentClosed = new Promise<number>((resolve) =>
      silent.once('close', (code) => resolve(code)),
    );
    expect(await silentClosed).toBe(1006);
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(polite.ws.readyState).toBe(WebSocket.OPEN);
    expect(sim.stats().violations.missedPong).toBe(1);
    await closeSocket(polite.ws);
  });
});
