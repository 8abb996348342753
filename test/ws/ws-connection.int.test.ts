import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsConnection } from '../../src/ws/index.js';
import { FaultServer } from './fault-server.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function conn(url: string, extra: Partial<ConstructorParameters<typeof WsConnection>[0]> = {}) {
  const messages: string[] = [];
  const closes: [number, string][] = [];
  const c = new WsConnection(
    { url, ...extra },
    {
      onMessage: (d) => messages.push(d.toString()),
      onClose: (code, reason) => closes.push([code, reason]),
    },
  );
  cleanups.push(() => c.terminate());
  return { c, messages, closes };
}

describe('WsConnection', () => {
  it('receives frames, answers pings, tracks lastReceivedAt and surfaces close codes', async () => {
    const s = await FaultServer.start();
    cleanups.push(() => s.close());
    let serverSide: WebSocket | undefined;
    const connected = new Promise<void>((resolve) => {
      s.onConnection((ws) => {
        serverSide = ws;
        resolve();
      });
    });
    const { c, messages, closes } = conn(s.url);
    expect(c.lastReceivedAt).toBe(0);
    await c.open();
    await connected;
    const pong = new Promise<void>((resolve) => serverSide!.once('pong', () => resolve()));
    serverSide!.ping();
    await pong; // ws answers pings automatically
    s.broadcast({ hello: 1 });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (messages.length === 1) {
          clearInterval(t);
          resolve();
        }
      }, 2);
    });
    expect(JSON.parse(messages[0]!)).toEqual({ hello: 1 });
    expect(c.lastReceivedAt).toBeGreaterThan(Date.now() - 5000);
    s.closeAll(4321, 'custom');
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (closes.length === 1) {
          clearInterval(t);
          resolve();
        }
      }, 2);
    });
    expect(closes).toEqual([[4321, 'custom']]);
    expect(c.isOpen).toBe(false);
    expect(() => c.send('x')).toThrow(expect.objectContaining({ code: 'WS_NOT_CONNECTED' }));
  });

  it('passes handshake headers and negotiates permessage-deflate when asked', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true });
    cleanups.push(() => new Promise((r) => wss.close(r)));
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const seen = new Promise<{ headers: Record<string, unknown>; ext: string }>((resolve) =>
      wss.once('connection', (ws, req) => {
        resolve({ headers: req.headers, ext: ws.extensions });
      }),
    );
    const port = (wss.address() as AddressInfo).port;
    const { c } = conn(`ws://127.0.0.1:${port}`, {
      headers: { 'x-mbx-apikey': 'k-123' },
      perMessageDeflate: true,
    });
    await c.open();
    const { headers, ext } = await seen;
    expect(headers['x-mbx-apikey']).toBe('k-123');
    expect(ext).toContain('permessage-deflate');
  });

  it('handshake timeout: a server that never upgrades fails with TRANSPORT_TIMEOUT', async () => {
    const sockets: Socket[] = [];
    const silent: NetServer = createNetServer((sock) => void sockets.push(sock));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => silent.close(r));
    });
    const port = (silent.address() as AddressInfo).port;
    const { c } = conn(`ws://127.0.0.1:${port}`, { handshakeTimeoutMs: 100 });
    await expect(c.open()).rejects.toMatchObject({ code: 'TRANSPORT_TIMEOUT' });
  });

  it('refused connection fails with TRANSPORT_CONNECTION_FAILED; abort with ABORTED', async () => {
    const s = await FaultServer.start();
    const url = s.url;
    await s.close();
    const { c } = conn(url);
    await expect(c.open()).rejects.toMatchObject({ code: 'TRANSPORT_CONNECTION_FAILED' });
    const ac = new AbortController();
    ac.abort();
    await expect(conn(url).c.open({ signal: ac.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('TLS verification is always on: a self-signed wss server is refused', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tickwire-tls-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const https: HttpsServer = createHttpsServer({
      key: readFileSync(path.join(dir, 'key.pem')),
      cert: readFileSync(path.join(dir, 'cert.pem')),
    });
    const wss = new WebSocketServer({ server: https });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => {
      wss.close();
      https.closeAllConnections();
      return new Promise((r) => https.close(r));
    });
    const port = (https.address() as AddressInfo).port;
    const { c } = conn(`wss://127.0.0.1:${port}`);
    const err: unknown = await c.open().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSPORT_CONNECTION_FAILED' });
    expect(String((err as Error).message)).toMatch(/self[- ]signed|certificate/i);
  });

  it('send backpressure: above the high watermark send fails with WS_BACKPRESSURE', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => {
      for (const ws of wss.clients) ws.terminate();
      return new Promise((r) => wss.close(r));
    });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    // The peer stops reading: the kernel buffers fill, then ws buffers in user space.
    wss.on('connection', (ws) => (ws as unknown as { _socket: Socket })._socket.pause());
    const port = (wss.address() as AddressInfo).port;
    const { c } = conn(`ws://127.0.0.1:${port}`, { highWatermarkBytes: 256 * 1024 });
    await c.open();
    const chunk = 'x'.repeat(1024 * 1024);
    let refused: unknown;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      try {
        c.send(chunk);
      } catch (e) {
        refused = e;
      }
      await new Promise((r) => setImmediate(r));
    }
    expect(refused).toMatchObject({ code: 'WS_BACKPRESSURE' });
    expect(c.bufferedAmount).toBeGreaterThan(256 * 1024);
  });
});
