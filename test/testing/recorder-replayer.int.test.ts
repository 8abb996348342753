import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ExchangeSimulator,
  FixtureReplayer,
  parseFixture,
  recordFixture,
} from '../../src/testing/index.js';
import { createBinanceSimulatorProtocol } from '../../adapters/binance/simulator/index.js';
import { createO2SimulatorProtocol, o2SimMarkets } from '../../adapters/o2/simulator/index.js';
import { closeSocket, openCollector } from './ws-helpers.js';

// Loopback sockets on a shared 2-core machine: allow for a slow neighbour.
jest.setTimeout(30_000);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tickwire-fixtures-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('recorder and replayer', () => {
  it('records a live stream into JSONL with receive timestamps and replays it byte for byte', async () => {
    const sim = await new ExchangeSimulator({
      protocol: createBinanceSimulatorProtocol(),
      seed: 4,
      eventsPerSecond: 500,
    }).start();
    const file = path.join(dir, 'btc.jsonl');
    try {
      const n = await recordFixture({ url: `${sim.wsUrl}/ws/btcusdt@depth`, file, maxFrames: 60 });
      expect(n).toBe(60);
    } finally {
      await sim.close();
    }
    const frames = parseFixture(await readFile(file, 'utf8'));
    expect(frames).toHaveLength(60);
    for (let i = 1; i < frames.length; i++)
      expect(frames[i]!.receivedAt).toBeGreaterThanOrEqual(frames[i - 1]!.receivedAt);
    expect(JSON.parse(frames[0]!.text!).e).toBe('depthUpdate');

    const replay = await new FixtureReplayer({
      file,
      speed: Number.POSITIVE_INFINITY,
      closeWhenDone: true,
    }).start();
    try {
      const c = await openCollector(replay.url);
      expect(await c.closed).toBe(1000);
      expect(c.frames).toEqual(frames.map((f) => f.text));
    } finally {
      await replay.close();
    }
  });

  it('replays at the original speed or faster', async () => {
    const frames = [0, 100, 250].map((t, i) => ({
      receivedAt: 1_767_225_600_000 + t,
      text: `{"n":${i}}`,
    }));
    const original = await new FixtureReplayer({ frames, speed: 1, closeWhenDone: true }).start();
    const fast = await new FixtureReplayer({ frames, speed: 50, closeWhenDone: true }).start();
    try {
      const t0 = performance.now();
      const a = await openCollector(original.url);
      await a.closed;
      expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
      expect(a.frames).toEqual(['{"n":0}', '{"n":1}', '{"n":2}']);
      const b = await openCollector(fast.url);
      await b.closed;
      expect(b.frames).toEqual(a.frames);
      expect(original.framesSent).toBe(3);
    } finally {
      await original.close();
      await fast.close();
    }
  });

  it('replays the committed Binance fixture: valid combined frames with contiguous U/u', async () => {
    const replay = await new FixtureReplayer({
      file: 'fixtures/binance/sim-btcusdt-depth-trade.jsonl',
      speed: Number.POSITIVE_INFINITY,
    }).start();
    try {
      const c = await openCollector(replay.url);
      await c.waitForCount(replay.frameCount);
      let lastU: number | undefined;
      for (const text of c.frames) {
        const f = JSON.parse(text) as { stream: string; data: { e: string; U: number; u: number } };
        if (f.stream !== 'btcusdt@depth@100ms') continue;
        if (lastU !== undefined) expect(f.data.U).toBe(lastU + 1);
        lastU = f.data.u;
      }
      await closeSocket(c.ws);
    } finally {
      await replay.close();
    }
  });

  it('records an O2 socket after sending its subscribe messages', async () => {
    const sim = await new ExchangeSimulator({
      protocol: createO2SimulatorProtocol(),
      seed: 4,
      eventsPerSecond: 300,
    }).start();
    const file = path.join(dir, 'o2.jsonl');
    try {
      const send = [
        JSON.stringify({
          action: 'subscribe_depth',
          market_id: o2SimMarkets[0]!.id,
          precision: '10',
        }),
      ];
      expect(await recordFixture({ url: `${sim.wsUrl}/v1/ws`, file, send, maxFrames: 10 })).toBe(
        10,
      );
    } finally {
      await sim.close();
    }
    const frames = parseFixture(await readFile(file, 'utf8'));
    expect(JSON.parse(frames[0]!.text!).action).toBe('subscribe_depth');
    expect(JSON.parse(frames[1]!.text!).action).toBe('subscribe_depth_update');
  });

  it('rejects a malformed fixture line with VALIDATION_FAILED', () => {
    expect(() => parseFixture('{"receivedAt":1,"text":"a"}\nnot json\n')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', message: 'fixture line 2: not JSON' }),
    );
  });
});

describe('pre-built frames for flood runs', () => {
  it('captureFrames returns exactly what a socket gets; replayed flat out they rebuild sim.book()', async () => {
    const sim = await new ExchangeSimulator({
      protocol: createBinanceSimulatorProtocol(),
      seed: 8,
      eventsPerSecond: 0,
    }).start();
    try {
      const snapshot = sim.book('BTCUSDT');
      const frames = sim.captureFrames('/ws/btcusdt@depth@100ms', { events: 3000 });
      expect(frames.length).toBeGreaterThan(1000);
      const replay = await new FixtureReplayer({
        frames: frames.map((text, i) => ({ receivedAt: i, text })),
        speed: Number.POSITIVE_INFINITY,
        highWaterMark: 4096,
        closeWhenDone: true,
      }).start();
      try {
        const c = await openCollector(replay.url);
        expect(await c.closed).toBe(1000);
        expect(c.frames).toEqual(frames);
        const bids = new Map(snapshot.bids.map(([p, q]) => [p, q]));
        const asks = new Map(snapshot.asks.map(([p, q]) => [p, q]));
        let lastU = snapshot.sequence;
        for (const text of c.frames) {
          const e = JSON.parse(text) as {
            U: number;
            u: number;
            b: [string, string][];
            a: [string, string][];
          };
          expect(e.U).toBe(lastU + 1);
          lastU = e.u;
          for (const [side, levels] of [
            [bids, e.b],
            [asks, e.a],
          ] as const) {
            for (const [p, q] of levels) {
              if (Number(q) === 0) side.delete(p);
              else side.set(p, q);
            }
          }
        }
        const truth = sim.book('BTCUSDT');
        expect(lastU).toBe(truth.sequence);
        expect([...bids.entries()].sort((x, y) => Number(y[0]) - Number(x[0]))).toEqual(truth.bids);
        expect([...asks.entries()].sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual(truth.asks);
      } finally {
        await replay.close();
      }
    } finally {
      await sim.close();
    }
  });
});
