import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';
import { RestConnection, RestManager } from '../../src/rest/index.js';

let server: Server;
let origin: string;
let sockets: Set<Socket>;
let waiting: ServerResponse[];
let concurrent: number;
let maxConcurrent: number;
let onRequest: (() => void) | undefined;

beforeEach(async () => {
  sockets = new Set();
  waiting = [];
  concurrent = 0;
  maxConcurrent = 0;
  onRequest = undefined;
  server = createServer((req, res) => {
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    res.on('finish', () => concurrent--);
    if (req.url === '/hold') waiting.push(res);
    else {
      res.writeHead(200, { 'content-type': 'application/json', 'x-path': req.url ?? '' });
      res.end(JSON.stringify({ path: req.url }));
    }
    onRequest?.();
  });
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('RestConnection', () => {
  it('returns status, lower-case headers and body, and keeps the socket alive between requests', async () => {
    const conn = new RestConnection({ origin: `${origin}/ignored/path`, connections: 1 });
    try {
      expect(conn.origin).toBe(origin);
      for (let i = 0; i < 5; i++) {
        const res = await conn.request({ method: 'GET', path: `/p${i}`, headers: {} });
        expect(res.status).toBe(200);
        expect(res.headers['x-path']).toBe(`/p${i}`);
        expect(JSON.parse(res.text)).toEqual({ path: `/p${i}` });
      }
      expect(sockets.size).toBe(1);
    } finally {
      await conn.close();
    }
  });

  it('never opens more sockets than the connection cap', async () => {
    const conn = new RestConnection({ origin, connections: 2 });
    try {
      const all = Promise.all(
        Array.from({ length: 6 }, () =>
          conn.request({ method: 'GET', path: '/hold', headers: {} }),
        ),
      );
      await new Promise<void>((r) => (onRequest = () => waiting.length === 2 && r()));
      // Give queued requests every chance to open more sockets before releasing.
      await new Promise((r) => setImmediate(r));
      expect(sockets.size).toBe(2);
      onRequest = () => {
        for (const res of waiting.splice(0)) res.end('{}');
      };
      for (const res of waiting.splice(0)) res.end('{}');
      await all;
      expect(maxConcurrent).toBe(2);
      expect(sockets.size).toBe(2);
    } finally {
      await conn.close();
    }
  });

  it('rejects a body above maxResponseBytes with VALIDATION_FAILED', async () => {
    const conn = new RestConnection({ origin, maxResponseBytes: 4 });
    try {
      await expect(
        conn.request({ method: 'GET', path: '/big', headers: {} }),
      ).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    } finally {
      await conn.destroy();
    }
  });

  it('rejects a bad origin with INVALID_ARGUMENT', () => {
    expect(() => new RestConnection({ origin: 'not a url' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('RestManager endpoints as data', () => {
  it('calls a declared endpoint with its parameters and a path prefix from baseUrl', async () => {
    const rest = new RestManager({ baseUrl: `${origin}/api/` });
    try {
      const ticker = {
        method: 'GET',
        path: '/v3/ticker',
        what: 'ticker',
        schema: z.object({ path: z.string() }),
      } as const;
      const out = await rest.call(ticker, { query: { symbol: 'BTCUSDT' } });
      expect(out.path).toBe('/api/v3/ticker?symbol=BTCUSDT');
    } finally {
      await rest.close();
    }
    await expect(rest.send({ method: 'GET', path: '/x' })).rejects.toMatchObject({
      code: 'CLOSED',
    });
  });
});
