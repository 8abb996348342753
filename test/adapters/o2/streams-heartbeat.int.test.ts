// The O2 socket's default heartbeat under jest fake timers: a text PING every 30 s of
// (simulated) time, busy or not, and a PONG-less socket dropped and reconnected. A real `ws`
// server on 127.0.0.1; only timers are faked (socket I/O still runs).
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { O2Streams } from '../../../adapters/o2/streams/o2-streams.js';

let wss: WebSocketServer;
let url: string;
let texts: string[];
let sockets: Set<WebSocket>;
let answerPing: boolean;
let waiters: (() => void)[];
let streams: O2Streams | undefined;

beforeEach(async () => {
  texts = [];
  sockets = new Set();
  answerPing = true;
  waiters = [];
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      const text = String(data);
      texts.push(text);
      if (text === 'PING' && answerPing) ws.send('PONG');
      for (const w of waiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1/ws`;
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});

afterEach(async () => {
  jest.useRealTimers();
  await streams?.manager.close();
  streams = undefined;
  for (const s of sockets) s.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
});

function created(): O2Streams {
  streams = new O2Streams(
    {
      market: () => Promise.reject(new Error('unused')),
      loadMarkets: () => Promise.resolve([]),
      reportError: () => undefined,
    },
    url,
  );
  return streams;
}

async function until(pred: () => boolean): Promise<void> {
  while (!pred()) await new Promise<void>((resolve) => waiters.push(resolve));
}

/** Lets socket I/O and promise callbacks run (real time, not faked). */
function io(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

const pings = (): number => texts.filter((t) => t === 'PING').length;

describe('O2 socket heartbeat (default settings, fake timers)', () => {
  it('sends text PING every 30 s even while frames keep arriving, and counts the PONG round trip', async () => {
    const s = created();
    await s.manager.connect();
    // Incoming data must not postpone the PING: the server's inactivity timer counts
    // only what the client sends.
    const feed = setInterval(() => {
      for (const ws of sockets) ws.send('{"action":"subscribe_candles"}');
    }, 1000);
    try {
      await jest.advanceTimersByTimeAsync(29_000);
      expect(pings()).toBe(0);
      await jest.advanceTimersByTimeAsync(1_000);
      await until(() => pings() === 1);
      await jest.advanceTimersByTimeAsync(30_000);
      await until(() => pings() === 2);
    } finally {
      clearInterval(feed);
    }
    for (let i = 0; i < 10 && s.manager.stats().lastRttMs === undefined; i++) await io();
    expect(s.manager.stats().lastRttMs).toBeDefined();
    expect(s.manager.stats().parseFailures).toBe(0); // PONG is not JSON, and not an error
  });

  it('a socket whose PING gets no PONG within 30 s is dropped and reconnected', async () => {
    const s = created();
    const errors: string[] = [];
    s.manager.events.on('error', (e) => errors.push(e.error.code));
    await s.manager.connect();
    answerPing = false;
    await jest.advanceTimersByTimeAsync(30_000);
    await until(() => pings() === 1);
    const reopened = new Promise<void>((resolve) => {
      const off = s.manager.events.on('open', (e) => {
        if (e.reconnect) {
          off();
          resolve();
        }
      });
    });
    await jest.advanceTimersByTimeAsync(30_000);
    expect(errors).toContain('WS_HEARTBEAT_TIMEOUT');
    // Reconnect after the backoff (1 s base, jitter never above it).
    for (let i = 0; i < 50; i++) {
      await jest.advanceTimersByTimeAsync(1_000);
      await io();
      if (s.manager.stats().reconnects === 1) break;
    }
    await reopened;
    expect(s.manager.stats().reconnects).toBe(1);
  });
});
