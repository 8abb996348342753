import { createHmac } from 'node:crypto';
import { WebSocket } from 'ws';
import { ExchangeSimulator, type ExchangeSimulatorOptions } from '../../src/testing/index.js';
import { isTickwireError } from '../../src/errors/index.js';
import { createBinanceSimulatorProtocol } from '../../adapters/binance/simulator/index.js';
import { createO2SimulatorProtocol } from '../../adapters/o2/simulator/index.js';
import { closeSocket, type FrameCollector, openCollector } from './ws-helpers.js';

// Loopback sockets on a shared 2-core machine: allow for a slow neighbour.
jest.setTimeout(30_000);

let sim: ExchangeSimulator | undefined;
const sockets: FrameCollector[] = [];

async function start(
  options: Partial<ExchangeSimulatorOptions> = {},
  protocolOptions = {},
): Promise<ExchangeSimulator> {
  sim = await new ExchangeSimulator({
    protocol: createBinanceSimulatorProtocol(protocolOptions),
    seed: 5,
    eventsPerSecond: 0,
    ...options,
  }).start();
  return sim;
}

async function open(path: string): Promise<FrameCollector> {
  const c = await openCollector(`${sim!.wsUrl}${path}`);
  sockets.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((c) => closeSocket(c.ws)));
  await sim?.close();
  sim = undefined;
});

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('faults: each does what it says and is counted in stats()', () => {
  it('dropConnections now, every N events and at random', async () => {
    const s = await start();
    const a = await open('/ws/btcusdt@trade');
    s.inject({ kind: 'dropConnections' });
    expect(await a.closed).toBe(1006);
    expect(s.stats().faults.dropConnections).toBe(1);

    const b = await open('/ws/btcusdt@trade');
    s.inject({ kind: 'dropConnections', every: 10 });
    s.step(9);
    expect(b.ws.readyState).toBe(WebSocket.OPEN);
    s.step(1);
    expect(await b.closed).toBe(1006);
    expect(s.stats().faults.dropConnections).toBe(2);
    s.inject({ kind: 'dropConnections', every: 0 });

    const c = await open('/ws/btcusdt@trade');
    s.inject({ kind: 'dropConnections', probability: 1 });
    s.step(1);
    expect(await c.closed).toBe(1006);
    expect(s.stats().faults.dropConnections).toBe(3);
  });

  it('stall: no data and no pong for the duration, then both resume', async () => {
    const s = await start();
    const c = await open('/ws/btcusdt@depth');
    let pongs = 0;
    c.ws.on('pong', () => (pongs += 1));
    s.inject({ kind: 'stall', durationMs: 300 });
    expect(s.stalled).toBe(true);
    c.ws.ping();
    s.step(20);
    await until(() => !s.stalled);
    expect(c.frames).toHaveLength(0);
    expect(pongs).toBe(0);
    c.ws.ping();
    s.step(5);
    await until(() => pongs === 1 && c.frames.length > 0);
    expect(s.stats().faults.stall).toBe(1);
  });

  it('skipSequence, duplicateEvents and malformedFrames', async () => {
    const s = await start();
    const c = await open('/ws/btcusdt@depth');
    s.step(3);
    await c.waitForCount(3);
    s.inject({ kind: 'skipSequence', count: 2 });
    s.step(3);
    await c.waitForCount(4);
    const [prev, next] = [JSON.parse(c.frames[2]!), JSON.parse(c.frames[3]!)];
    expect(next.U).toBeGreaterThan(prev.u + 1);
    expect(s.stats().faults.skipSequence).toBe(2);

    s.inject({ kind: 'duplicateEvents', count: 1 });
    s.step(1);
    await c.waitForCount(6);
    expect(c.frames[5]).toBe(c.frames[4]);
    expect(s.stats().faults.duplicateEvents).toBe(1);

    s.inject({ kind: 'malformedFrames', count: 1 });
    s.step(1);
    await c.waitForCount(8);
    expect(() => JSON.parse(c.frames[6]!)).toThrow();
    expect(JSON.parse(c.frames[7]!).e).toBe('depthUpdate');
    expect(s.stats().faults.malformedFrames).toBe(1);
  });

  it('429 with Retry-After, then 418 once the client ignores it', async () => {
    const s = await start({ banAfterIgnored: 2, banSeconds: 30 });
    s.inject({ kind: 'rateLimit', retryAfterSeconds: 5 });
    const first = await fetch(`${s.httpUrl}/api/v3/ping`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('5');
    expect(((await first.json()) as { code: number }).code).toBe(-1003);
    const ignored = await fetch(`${s.httpUrl}/api/v3/ping`);
    expect(ignored.status).toBe(429);
    await ignored.arrayBuffer();
    const banned = await fetch(`${s.httpUrl}/api/v3/ping`);
    expect(banned.status).toBe(418);
    expect(banned.headers.get('retry-after')).toBe('30');
    expect(((await banned.json()) as { code: number }).code).toBe(-1003);
    const still = await fetch(`${s.httpUrl}/api/v3/ping`);
    expect(still.status).toBe(418);
    await still.arrayBuffer();
    const st = s.stats();
    expect(st.faults.rateLimit).toBe(1);
    expect(st.faults.ban).toBe(1);
    expect(st.violations.ignoredRetryAfter).toBe(2);
  });

  it('5xx, slow responses and refused connections', async () => {
    const s = await start();
    s.inject({ kind: 'serverError', count: 1, status: 502 });
    const bad = await fetch(`${s.httpUrl}/api/v3/ping`);
    expect(bad.status).toBe(502);
    expect(await bad.json()).toEqual(expect.objectContaining({ code: -1008 }));
    expect((await fetch(`${s.httpUrl}/api/v3/ping`)).status).toBe(200);

    s.inject({ kind: 'slowResponse', count: 1, delayMs: 200 });
    const t0 = performance.now();
    expect((await fetch(`${s.httpUrl}/api/v3/ping`)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(190);

    // phase 'after': answered from the state when the request came, delivered late.
    s.inject({ kind: 'slowResponse', count: 1, delayMs: 200, phase: 'after' });
    const t1 = Date.now();
    const late = await fetch(`${s.httpUrl}/api/v3/time`);
    const arrived = Date.now();
    const { serverTime } = (await late.json()) as { serverTime: number };
    expect(arrived - t1).toBeGreaterThanOrEqual(190);
    expect(arrived - serverTime).toBeGreaterThanOrEqual(150);

    s.inject({ kind: 'refuseConnections', count: 1 });
    await expect(openCollector(`${s.wsUrl}/ws/btcusdt@trade`)).rejects.toThrow(/503/);
    const ok = await open('/ws/btcusdt@trade');
    expect(ok.ws.readyState).toBe(WebSocket.OPEN);
    const st = s.stats();
    expect(st.faults.serverError).toBe(1);
    expect(st.faults.slowResponse).toBe(2);
    expect(st.faults.refuseConnections).toBe(1);
  });

  it('serverShutdown: the Binance notice on every stream socket, then a close 1001', async () => {
    const s = await start();
    const raw = await open('/ws/btcusdt@trade');
    const combined = await open('/stream?streams=btcusdt@trade');
    s.inject({ kind: 'serverShutdown', closeAfterMs: 50 });
    expect(JSON.parse(await raw.waitFor(() => true))).toEqual({
      e: 'serverShutdown',
      E: expect.any(Number),
    });
    expect(JSON.parse(await combined.waitFor(() => true))).toMatchObject({
      stream: '!serverShutdown',
      data: { e: 'serverShutdown' },
    });
    expect(await raw.closed).toBe(1001);
    expect(await combined.closed).toBe(1001);
    expect(s.stats().faults.serverShutdown).toBe(1);
  });

  it('runs a JSON scenario file (time- and event-triggered steps)', async () => {
    const s = await start();
    const c = await open('/ws/btcusdt@trade');
    const done = s.runScenario('fixtures/sim/drop-stall-429.json');
    s.step(100);
    await done;
    expect((await fetch(`${s.httpUrl}/api/v3/ping`)).status).toBe(429);
    expect(await c.closed).toBe(1006);
    const st = s.stats();
    expect(st.faults).toMatchObject({ rateLimit: 1, dropConnections: 1, stall: 1 });
  });

  it('rejects an invalid fault or scenario with VALIDATION_FAILED', async () => {
    const s = await start();
    expect(() => s.inject({ kind: 'stall' } as never)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
    await s.runScenario({ steps: [{ atMs: 0, fault: { kind: 'nope' } as never }] }).then(
      () => {
        throw new Error('should fail');
      },
      (e: unknown) => expect(isTickwireError(e) && e.code).toBe('VALIDATION_FAILED'),
    );
  });
});

describe('client limit violations are detected and counted', () => {
  it('more than 5 incoming messages per second disconnects the stream socket', async () => {
    const s = await start();
    const c = await open('/ws');
    // 11 messages: whichever way a second boundary splits them, one second holds at least 6.
    for (let i = 0; i < 11; i++) c.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: i }));
    expect(await c.closed).toBe(1008);
    expect(s.stats().violations.wsMessageRate).toBe(1);
  });

  it('more streams than allowed on one connection is refused', async () => {
    const s = await start({}, { maxStreamsPerConnection: 2 });
    const c = await open('/ws/btcusdt@trade');
    c.ws.send(
      JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@depth', 'ethusdt@trade'], id: 1 }),
    );
    const err = JSON.parse(await c.waitFor((f) => f.includes('"id":1')));
    expect(err.code).toBe(2);
    await expect(
      openCollector(`${s.wsUrl}/stream?streams=btcusdt@trade/btcusdt@depth/ethusdt@trade`),
    ).rejects.toThrow(/400/);
    expect(s.stats().violations.wsStreamLimit).toBe(2);
  });

  it('request weight over the minute limit answers 429 -1003 and counts it per window', async () => {
    // A fixed clock keeps all three requests in one weight window.
    const s = await start({ clock: () => 1_767_225_630_000 }, { weightLimit: 12 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${s.httpUrl}/api/v3/depth?symbol=BTCUSDT`);
      statuses.push(r.status);
      if (r.status === 429) {
        expect(await r.json()).toMatchObject({ code: -1003 });
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      } else await r.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 429]);
    const st = s.stats();
    expect(st.violations.requestWeight).toBe(1);
    expect(st.weightWindows.at(-1)).toEqual({
      key: '127.0.0.1',
      windowStart: 1_767_225_600_000,
      used: 10,
      requests: 2,
    });
  });
});

describe('more exchange limits', () => {
  const T = 1_767_225_605_000;

  it('Binance: the ORDERS limit answers 429 -1015; WS API weight over the limit answers 429 with retryAfter', async () => {
    const s = await start({ clock: () => T }, { ordersPer10s: 2, weightLimit: 30 });
    const order = (i: number) => {
      const q = `symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price=50000&newClientOrderId=o${i}&timestamp=${T}`;
      const sig = createHmac('sha256', 'tickwire-sim-secret').update(q).digest('hex');
      return fetch(`${s.httpUrl}/api/v3/order?${q}&signature=${sig}`, {
        method: 'POST',
        headers: { 'X-MBX-APIKEY': 'tickwire-sim-key' },
      });
    };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await order(i);
      statuses.push(r.status);
      if (i === 2) expect(await r.json()).toMatchObject({ code: -1015 });
      else await r.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(s.stats().violations.orderRate).toBe(1);

    const c = await open('/ws-api/v3');
    for (let i = 0; i < 2; i++) c.ws.send(JSON.stringify({ id: `x${i}`, method: 'exchangeInfo' }));
    const limited = JSON.parse(await c.waitFor((f) => f.includes('"x1"')));
    expect(limited).toMatchObject({
      status: 429,
      error: { code: -1003, data: { retryAfter: 1_767_225_660_000 } },
    });
    expect(s.stats().violations.requestWeight).toBe(1);
  });

  it('O2: more than 5 session requests per second per owner answers 429 code 1003', async () => {
    sim = await new ExchangeSimulator({
      protocol: createO2SimulatorProtocol(),
      eventsPerSecond: 0,
      clock: () => T,
    }).start();
    const s = sim;
    const owner = `0x${'11'.repeat(32)}`;
    const created = await fetch(`${s.httpUrl}/v1/accounts`, {
      method: 'POST',
      body: JSON.stringify({ identity: { Address: owner } }),
    });
    const { trade_account_id } = (await created.json()) as { trade_account_id: string };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${s.httpUrl}/v1/session`, {
        method: 'PUT',
        headers: { 'O2-Owner-Id': owner },
        body: JSON.stringify({ contract_id: trade_account_id }),
      });
      statuses.push(r.status);
      if (i === 5) expect(await r.json()).toEqual({ code: 1003, message: 'Rate limit exceeded' });
      else await r.arrayBuffer();
    }
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429]);
    expect(s.stats().violations.o2RateLimit).toBe(1);
  });
});
