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
let seen: string[];

beforeEach(async () => {
  sockets = new Set();
  waiting = [];
  concurrent = 0;
  maxConcurrent = 0;
  onRequest = undefined;
  seen = [];
  server = createServer((req, res) => {
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    res.on('finish', () => concurrent--);
    seen.push(req.url ?? '');
    if (req.url === '/hold') waiting.push(res);
    else if (req.url === '/hints') {
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.writeHead(201, { 'content-type': 'text/plain' });
      res.end('final');
    } else if (req.url === '/utf8') {
      // '€' split across two writes: the decoder must see the whole body, not per chunk.
      const bytes = Buffer.from('{"p":"€€"}', 'utf8');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, 8), () => res.end(bytes.subarray(8)));
    } else {
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

  it('skips an informational 103 and returns the final response', async () => {
    const conn = new RestConnection({ origin });
    try {
      const res = await conn.request({ method: 'GET', path: '/hints', headers: {} });
      expect(res).toMatchObject({ status: 201, text: 'final' });
      expect(res.headers['content-type']).toBe('text/plain');
    } finally {
      await conn.close();
    }
  });

  it('decodes a UTF-8 body whose characters straddle chunks', async () => {
    const conn = new RestConnection({ origin });
    try {
      const res = await conn.request({ method: 'GET', path: '/utf8', headers: {} });
      expect(JSON.parse(res.text)).toEqual({ p: '€€' });
    } finally {
      await conn.close();
    }
  });

  it('an abort in flight → ABORTED (sent), the cause is the signal reason', async () => {
    const conn = new RestConnection({ origin, connections: 1 });
    try {
      const ac = new AbortController();
      const reason = new Error('user cancelled');
      const pending = conn.request(
        { method: 'GET', path: '/hold', headers: {} },
        { signal: ac.signal },
      );
      await new Promise<void>((r) => (onRequest = () => waiting.length === 1 && r()));
      ac.abort(reason);
      await expect(pending).rejects.toMatchObject({
        code: 'ABORTED',
        context: { sent: true },
        cause: reason,
      });
    } finally {
      await conn.destroy();
    }
  });

  it('an abort while waiting for a socket → ABORTED at once, and the request is never sent', async () => {
    const conn = new RestConnection({ origin, connections: 1 });
    try {
      const first = conn.request({ method: 'GET', path: '/hold', headers: {} });
      await new Promise<void>((r) => (onRequest = () => waiting.length === 1 && r()));
      const ac = new AbortController();
      const queued = conn.request(
        { method: 'GET', path: '/queued', headers: {} },
        { signal: ac.signal },
      );
      ac.abort();
      // Rejected while the only socket is still busy with `first`.
      await expect(queued).rejects.toMatchObject({ code: 'ABORTED' });
      for (const res of waiting.splice(0)) res.end('{}');
      await expect(first).resolves.toMatchObject({ status: 200 });
      const after = await conn.request({ method: 'GET', path: '/after', headers: {} });
      expect(after.status).toBe(200);
      expect(seen).toEqual(['/hold', '/after']);
    } finally {
      await conn.close();
    }
  });

  it('an already aborted signal → ABORTED, nothing sent', async () => {
    const conn = new RestConnection({ origin });
    try {
      const ac = new AbortController();
      ac.abort();
      await expect(
        conn.request({ method: 'GET', path: '/x', headers: {} }, { signal: ac.signal }),
      ).rejects.toMatchObject({ code: 'ABORTED' });
      await conn.request({ method: 'GET', path: '/y', headers: {} });
      expect(seen).toEqual(['/y']);
    } finally {
      await conn.close();
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
