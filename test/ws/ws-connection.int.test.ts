import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsConnection } from '../../src/ws/index.js';
import { FaultServer } from './fault-server.js';
import { TRANSPORTS, type Transport } from './helpers.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function conn(
  transport: Transport,
  url: string,
  extra: Partial<ConstructorParameters<typeof WsConnection>[0]> = {},
) {
  const messages: string[] = [];
  const closes: [number, string][] = [];
  const errors: unknown[] = [];
  const c = new WsConnection(
    { url, transport, ...extra },
    {
      onMessage: (d) => messages.push(d.toString()),
      onClose: (code, reason) => closes.push([code, reason]),
      onError: (e) => errors.push(e),
    },
  );
  cleanups.push(() => c.terminate());
  return { c, messages, closes, errors };
}

/** Polls (every 2 ms, bounded by the test timeout) until `done()` holds. */
function until(done: () => boolean): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (done()) {
        clearInterval(t);
        resolve();
      }
    }, 2);
    cleanups.push(() => clearInterval(t));
  });
}

/**
 * A TCP server that accepts and reads but never answers the upgrade. `requested` resolves
 * with the server side of the first socket once the client's upgrade request has arrived.
 */
async function silentServer(): Promise<{ url: string; requested: Promise<Socket> }> {
  const sockets: Socket[] = [];
  let onRequest: (s: Socket) => void = () => undefined;
  const requested = new Promise<Socket>((resolve) => (onRequest = resolve));
  const silent: NetServer = createNetServer((sock) => {
    sockets.push(sock);
    let head = '';
    sock.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) onRequest(sock);
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => silent.close(r));
  });
  const port = (silent.address() as AddressInfo).port;
  return { url: `ws://127.0.0.1:${port}`, requested };
}

/**
 * A TCP server that answers the upgrade by hand and writes `after` (server frames) in the
 * same write as the 101, so they reach the client in the read that completes the handshake.
 */
async function upgradeWith(after: Buffer): Promise<string> {
  const sockets: Socket[] = [];
  const raw: NetServer = createNetServer((sock) => {
    sockets.push(sock);
    sock.on('error', () => undefined);
    let head = '';
    sock.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const key = /sec-websocket-key: *(\S+)/i.exec(head)![1]!;
      const accept = createHash('sha1')
        .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
        .digest('base64');
      const answer =
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`;
      sock.write(Buffer.concat([Buffer.from(answer, 'latin1'), after]));
    });
  });
  await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => raw.close(r));
  });
  return `ws://127.0.0.1:${(raw.address() as AddressInfo).port}`;
}

/** A self-signed key and certificate for 127.0.0.1, made once per file with openssl. */
let tls: { key: Buffer; cert: Buffer } | undefined;
function selfSigned(): { key: Buffer; cert: Buffer } {
  if (tls !== undefined) return tls;
  const dir = mkdtempSync(path.join(tmpdir(), 'tickwire-tls-'));
  try {
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
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    tls = {
      key: readFileSync(path.join(dir, 'key.pem')),
      cert: readFileSync(path.join(dir, 'cert.pem')),
    };
    return tls;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(TRANSPORTS)('WsConnection (transport %s)', (transport) => {
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
    const { c, messages, closes } = conn(transport, s.url);
    expect(c.lastReceivedAt).toBe(0);
    const beforeOpen = Date.now();
    await c.open();
    await connected;
    expect(c.isOpen).toBe(true);
    expect(c.lastReceivedAt).toBeGreaterThanOrEqual(beforeOpen);
    c.lastReceivedAt = 0; // a ping alone must stamp it again
    const pong = new Promise<Buffer>((resolve) => serverSide!.once('pong', resolve));
    serverSide!.ping('p-1');
    expect((await pong).toString()).toBe('p-1'); // answered with the ping's payload
    expect(c.lastReceivedAt).toBeGreaterThanOrEqual(beforeOpen);
    const beforeFrame = Date.now();
    s.broadcast({ hello: 1 });
    await until(() => messages.length === 1);
    expect(JSON.parse(messages[0]!)).toEqual({ hello: 1 });
    expect(c.lastReceivedAt).toBeGreaterThanOrEqual(beforeFrame);
    expect(c.lastReceivedAt).toBeLessThanOrEqual(Date.now());
    s.closeAll(4321, 'custom');
    await until(() => closes.length === 1);
    expect(closes).toEqual([[4321, 'custom']]);
    expect(c.isOpen).toBe(false);
    expect(() => c.send('x')).toThrow(expect.objectContaining({ code: 'WS_NOT_CONNECTED' }));
    expect(c.ping()).toBe(false);
  });

  it('delivers text and binary, a frame sent with the upgrade answer, a large message over many reads, and a fragmented one with a ping between its fragments', async () => {
    const s = await FaultServer.start();
    cleanups.push(() => s.close());
    const big = 'x'.repeat(1024 * 1024);
    s.onConnection((ws) => {
      ws.send('first'); // written right behind the 101: may share the client's first read
      ws.send(Buffer.from([1, 2, 3]), { binary: true });
      ws.send(big);
      ws.send('ab', { fin: false });
      ws.ping();
      ws.send('cd', { fin: true });
      ws.send('last');
    });
    const got: [string, boolean][] = [];
    const c = new WsConnection(
      { url: s.url, transport },
      {
        onMessage: (d, isBinary) =>
          got.push([isBinary ? d.toString('hex') : d.toString(), isBinary]),
        onClose: () => undefined,
      },
    );
    cleanups.push(() => c.terminate());
    await c.open();
    await until(() => got.length === 5);
    expect(got.map(([d, b]) => [d.length > 100 ? `${d.length} chars` : d, b])).toEqual([
      ['first', false],
      ['010203', true],
      [`${big.length} chars`, false],
      ['abcd', false],
      ['last', false],
    ]);
    expect(got[2]![0]).toBe(big);
  });

  it('frames that came with the upgrade answer reach onMessage before the awaiting caller resumes; the close only after', async () => {
    const text = (t: string) => Buffer.concat([Buffer.from([0x81, t.length]), Buffer.from(t)]);
    const closeFrame = Buffer.from([0x88, 0x05, 0x0f, 0xa0, 0x62, 0x79, 0x65]); // 4000 'bye'
    const url = await upgradeWith(Buffer.concat([text('one'), text('two'), closeFrame]));
    const order: string[] = [];
    const c = new WsConnection(
      { url, transport },
      {
        onMessage: (d) => order.push(`message ${d.toString()}`),
        onClose: (code, reason) => order.push(`close ${code} ${reason}`),
      },
    );
    cleanups.push(() => c.terminate());
    await c.open();
    order.push('opened');
    await until(() => order.length === 4);
    // Both clients hand the upgrade's leftover bytes on before open()'s continuation runs
    // (ws re-reads them on the next tick; native parses them as it starts).
    expect(order).toEqual(['message one', 'message two', 'opened', 'close 4000 bye']);
  });

  it('close(): sends the close frame with its code and reason, then reports the echo', async () => {
    const s = await FaultServer.start();
    cleanups.push(() => s.close());
    const seen = new Promise<[number, string]>((resolve) =>
      s.onConnection((ws) => ws.once('close', (code, reason) => resolve([code, `${reason}`]))),
    );
    const { c, closes } = conn(transport, s.url);
    await c.open();
    c.close(4000, 'done here');
    expect(await seen).toEqual([4000, 'done here']);
    await until(() => closes.length === 1);
    expect(closes).toEqual([[4000, 'done here']]);
  });

  it.each([
    ['a masked server frame', 1002, Buffer.from([0x81, 0x81, 1, 2, 3, 4, 0x41])],
    ['RSV1 set without an extension', 1002, Buffer.from([0xc1, 0x01, 0x41])],
    ['a text frame that is not UTF-8', 1007, Buffer.from([0x81, 0x03, 0x22, 0xff, 0x22])],
    ['a message above maxPayloadBytes', 1009, Buffer.from([0x82, 126, 0x04, 0x01])],
  ] as const)(
    'the peer sends %s: %i on the wire, onError TRANSPORT_CONNECTION_FAILED, then onClose 1006',
    async (_what, wireCode, frame) => {
      const s = await FaultServer.start();
      cleanups.push(() => s.close());
      const seen = new Promise<number>((resolve) =>
        s.onConnection((ws) => ws.once('close', (code) => resolve(code))),
      );
      const order: string[] = [];
      const c = new WsConnection(
        { url: s.url, transport, maxPayloadBytes: 1024 },
        {
          onMessage: () => order.push('message'),
          onClose: (code, reason) => order.push(`close ${code} '${reason}'`),
          onError: (e) => order.push(`error ${e.code}`),
        },
      );
      cleanups.push(() => c.terminate());
      await c.open();
      await s.waitFor(() => s.open.length === 1);
      (s.open[0] as unknown as { _socket: Socket })._socket.write(frame);
      expect(await seen).toBe(wireCode);
      await until(() => order.length === 2);
      expect(order).toEqual(['error TRANSPORT_CONNECTION_FAILED', "close 1006 ''"]);
    },
  );

  it('a TCP reset by the peer: onClose 1006 and no onError', async () => {
    const s = await FaultServer.start();
    cleanups.push(() => s.close());
    const { c, closes, errors } = conn(transport, s.url);
    await c.open();
    await s.waitFor(() => s.open.length === 1);
    (s.open[0] as unknown as { _socket: Socket })._socket.resetAndDestroy();
    await until(() => closes.length === 1);
    expect(closes).toEqual([[1006, '']]);
    expect(errors).toEqual([]);
  });

  it('close() refuses a code that may not be sent or a reason above 123 bytes (INVALID_ARGUMENT), and stays open', async () => {
    const s = await FaultServer.start();
    cleanups.push(() => s.close());
    const { c, closes } = conn(transport, s.url);
    await c.open();
    for (const code of [999, 1004, 1005, 1006, 1015, 2000, 5000, 1000.5]) {
      expect(() => c.close(code)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', context: { argument: 'code' } }),
      );
    }
    expect(() => c.close(1000, 'é'.repeat(62))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', context: { argument: 'reason' } }),
    );
    expect(c.isOpen).toBe(true);
    c.close(1000, 'é'.repeat(61)); // 122 bytes: fine
    await until(() => closes.length === 1);
    expect(closes).toEqual([[1000, 'é'.repeat(61)]]);
  });

  it('passes handshake headers', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => new Promise((r) => wss.close(r)));
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const seen = new Promise<Record<string, unknown>>((resolve) =>
      wss.once('connection', (_ws, req) => resolve(req.headers)),
    );
    const port = (wss.address() as AddressInfo).port;
    const { c } = conn(transport, `ws://127.0.0.1:${port}`, {
      headers: { 'x-mbx-apikey': 'k-123' },
    });
    await c.open();
    expect((await seen)['x-mbx-apikey']).toBe('k-123');
  });

  if (transport === 'ws') {
    it('negotiates permessage-deflate when asked', async () => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true });
      cleanups.push(() => new Promise((r) => wss.close(r)));
      await new Promise<void>((r) => wss.once('listening', () => r()));
      const ext = new Promise<string>((resolve) =>
        wss.once('connection', (ws) => resolve(ws.extensions)),
      );
      const port = (wss.address() as AddressInfo).port;
      const { c } = conn(transport, `ws://127.0.0.1:${port}`, { perMessageDeflate: true });
      await c.open();
      expect(await ext).toContain('permessage-deflate');
    });
  } else {
    it('refuses perMessageDeflate: true with INVALID_ARGUMENT before connecting', async () => {
      const s = await FaultServer.start();
      cleanups.push(() => s.close());
      const { c } = conn(transport, s.url, { perMessageDeflate: true });
      await expect(c.open()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(s.connections).toBe(0);
      expect(c.isOpen).toBe(false);
    });
  }

  it('handshake timeout: a server that never upgrades fails with TRANSPORT_TIMEOUT', async () => {
    const { url } = await silentServer();
    const { c } = conn(transport, url, { handshakeTimeoutMs: 100 });
    await expect(c.open()).rejects.toMatchObject({ code: 'TRANSPORT_TIMEOUT' });
  });

  it('an HTTP answer instead of the upgrade fails with TRANSPORT_CONNECTION_FAILED and the status', async () => {
    const http = createHttpServer((_req, res) => res.writeHead(403).end('forbidden'));
    const wss = new WebSocketServer({ noServer: true });
    http.on('upgrade', (_req, socket) => {
      socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => {
      wss.close();
      http.closeAllConnections();
      return new Promise((r) => http.close(r));
    });
    const port = (http.address() as AddressInfo).port;
    const { c } = conn(transport, `ws://127.0.0.1:${port}`);
    const err: unknown = await c.open().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSPORT_CONNECTION_FAILED', context: { status: 403 } });
    expect(String((err as Error).message)).toContain('403');
  });

  it.each(['not a url', 'ftp://127.0.0.1:1/ws', 'http://127.0.0.1:1/ws'])(
    'a URL that is not ws:// or wss:// (%s): open() rejects with INVALID_ARGUMENT',
    async (url) => {
      const { c } = conn(transport, url);
      let opening: Promise<void> | undefined;
      expect(() => (opening = c.open())).not.toThrow();
      await expect(opening).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    },
  );

  it('refused connection fails with TRANSPORT_CONNECTION_FAILED; abort with ABORTED', async () => {
    const s = await FaultServer.start();
    const url = s.url;
    await s.close();
    const { c } = conn(transport, url);
    await expect(c.open()).rejects.toMatchObject({ code: 'TRANSPORT_CONNECTION_FAILED' });
    const ac = new AbortController();
    ac.abort();
    await expect(conn(transport, url).c.open({ signal: ac.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('aborting the signal during the handshake fails open() with ABORTED and drops the socket', async () => {
    const { url, requested } = await silentServer();
    const { c, closes, errors } = conn(transport, url);
    const ac = new AbortController();
    const opening = c.open({ signal: ac.signal });
    const serverSide = await requested;
    const dropped = new Promise<void>((r) => serverSide.once('close', () => r()));
    ac.abort();
    await expect(opening).rejects.toMatchObject({ code: 'ABORTED' });
    await dropped;
    expect(c.isOpen).toBe(false);
    // onClose and onError are for connections that opened.
    expect(closes).toEqual([]);
    expect(errors).toEqual([]);
  });

  it.each(['close', 'terminate'] as const)(
    '%s() before the upgrade answer fails open() with ABORTED and drops the socket',
    async (how) => {
      const { url, requested } = await silentServer();
      const { c, closes, errors } = conn(transport, url);
      const opening = c.open();
      const serverSide = await requested;
      const dropped = new Promise<void>((r) => serverSide.once('close', () => r()));
      if (how === 'close') c.close();
      else c.terminate();
      await expect(opening).rejects.toMatchObject({ code: 'ABORTED' });
      await dropped;
      expect(c.isOpen).toBe(false);
      expect(closes).toEqual([]);
      expect(errors).toEqual([]);
    },
  );

  it('TLS verification is always on: a self-signed wss server is refused', async () => {
    const { key, cert } = selfSigned();
    const https: HttpsServer = createHttpsServer({ key, cert });
    const wss = new WebSocketServer({ server: https });
    let upgraded = 0;
    wss.on('connection', () => upgraded++);
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => {
      wss.close();
      https.closeAllConnections();
      return new Promise((r) => https.close(r));
    });
    const port = (https.address() as AddressInfo).port;
    const { c } = conn(transport, `wss://127.0.0.1:${port}`);
    const err: unknown = await c.open().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSPORT_CONNECTION_FAILED' });
    expect(String((err as Error).message)).toMatch(/self[- ]signed|certificate/i);
    expect(upgraded).toBe(0);
  });

  it('wss with the server CA added through extraCaCertificates: connects, verifies and carries frames both ways', async () => {
    const { key, cert } = selfSigned();
    const https: HttpsServer = createHttpsServer({ key, cert });
    const wss = new WebSocketServer({ server: https });
    const got: string[] = [];
    wss.on('connection', (ws) => {
      ws.on('message', (d: Buffer) => {
        got.push(d.toString());
        ws.send(`echo ${d.toString()}`);
      });
    });
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      https.closeAllConnections();
      return new Promise((r) => https.close(r));
    });
    const port = (https.address() as AddressInfo).port;
    const { c, messages } = conn(transport, `wss://127.0.0.1:${port}`, {
      extraCaCertificates: [cert],
    });
    await c.open();
    c.send('hello');
    await until(() => messages.length === 1);
    expect(got).toEqual(['hello']);
    expect(messages).toEqual(['echo hello']);
    // Verification stays on: the same CA does not vouch for another host name.
    const other = conn(transport, `wss://localhost:${port}`, {
      extraCaCertificates: [cert],
    }).c;
    await expect(other.open()).rejects.toMatchObject({ code: 'TRANSPORT_CONNECTION_FAILED' });
  });

  it('send backpressure: above the high watermark send fails with WS_BACKPRESSURE', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    cleanups.push(() => {
      for (const ws of wss.clients) ws.terminate();
      return new Promise((r) => wss.close(r));
    });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    // The peer stops reading: the kernel buffers fill, then the client buffers in user space.
    wss.on('connection', (ws) => (ws as unknown as { _socket: Socket })._socket.pause());
    const port = (wss.address() as AddressInfo).port;
    const { c } = conn(transport, `ws://127.0.0.1:${port}`, { highWatermarkBytes: 256 * 1024 });
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
