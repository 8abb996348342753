import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  connectNative,
  NativeConnectError,
  NativeProtocolError,
  type NativeWebSocket,
} from '../../src/ws/native-socket.js';
import {
  ClientRecorder,
  closePayload,
  FrameServer,
  nativeOptions,
  openClient,
  serverFrame,
  type FrameConnection,
} from './frame-server.js';

let server: FrameServer | undefined;
const clients: NativeWebSocket[] = [];

afterEach(async () => {
  jest.useRealTimers();
  for (const ws of clients.splice(0)) ws.terminate();
  await server?.close();
  server = undefined;
});

async function start(options: Parameters<typeof FrameServer.start>[0] = {}): Promise<FrameServer> {
  server = await FrameServer.start(options);
  return server;
}

/** Connects and starts a recorded client (starting a server with `serverOptions` if none yet). */
async function open(
  overrides: Parameters<typeof openClient>[1] = {},
  serverOptions: Parameters<typeof FrameServer.start>[0] = {},
) {
  return openClient(server ?? (await start(serverOptions)), overrides, clients);
}

/** Waits for the close on both sides and checks the connection was failed as the rule says. */
async function expectFailed(
  rec: ClientRecorder,
  conn: FrameConnection,
  code: 1002 | 1007 | 1009,
  rule: RegExp,
): Promise<void> {
  await rec.whenClosed();
  await conn.whenClosed();
  expect(rec.errors).toHaveLength(1);
  const err = rec.errors[0];
  expect(err).toBeInstanceOf(NativeProtocolError);
  expect((err as NativeProtocolError).closeCode).toBe(code);
  expect((err as NativeProtocolError).message).toMatch(rule);
  // The client told the server why, in one masked close frame carrying the code.
  const closes = conn.closeFrames;
  expect(closes).toHaveLength(1);
  expect(closes[0]!.masked).toBe(true);
  expect(closes[0]!.payload.readUInt16BE(0)).toBe(code);
  expect(rec.closes).toEqual([{ code, reason: expect.stringMatching(rule) as unknown }]);
  // Nothing after the failure is delivered, and onClose fired once (checked after both
  // sockets are gone, and one more turn of the event loop).
  await turns(2);
  expect(rec.closes).toHaveLength(1);
}

/** Lets `n` turns of the event loop pass (a destroyed socket's close callback takes one). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

const MASK = Buffer.from([1, 2, 3, 4]);

describe('protocol violations fail the connection with the rule and its close code', () => {
  const cases: [string, () => Buffer, 1002 | 1007 | 1009, RegExp][] = [
    ['masked server frame', () => serverFrame(0x1, 'hi', { mask: MASK }), 1002, /masked/],
    ['RSV1 set', () => serverFrame(0x1, 'hi', { rsv: 4 }), 1002, /reserved bits/],
    ['RSV2 set', () => serverFrame(0x2, 'hi', { rsv: 2 }), 1002, /reserved bits/],
    ['RSV3 set', () => serverFrame(0x9, '', { rsv: 1 }), 1002, /reserved bits/],
    ['opcode 3', () => serverFrame(0x3, 'x'), 1002, /unknown opcode 3/],
    ['opcode 11', () => serverFrame(0xb, 'x'), 1002, /unknown opcode 11/],
    ['fragmented ping', () => serverFrame(0x9, 'p', { fin: false }), 1002, /fragmented control/],
    [
      'fragmented close',
      () => serverFrame(0x8, closePayload(1000), { fin: false }),
      1002,
      /fragmented control/,
    ],
    [
      'ping of 126 bytes',
      () => serverFrame(0x9, Buffer.alloc(126)),
      1002,
      /control frame above 125/,
    ],
    [
      'close of 126 bytes',
      () => serverFrame(0x8, closePayload(1000, 'r'.repeat(124))),
      1002,
      /control frame above 125/,
    ],
    ['continuation without a message', () => serverFrame(0x0, 'x'), 1002, /continuation/],
    [
      'new text frame during a fragmented message',
      () => Buffer.concat([serverFrame(0x1, 'a', { fin: false }), serverFrame(0x1, 'b')]),
      1002,
      /new message/,
    ],
    [
      'new binary frame during a fragmented message',
      () =>
        Buffer.concat([
          serverFrame(0x2, 'a', { fin: false }),
          serverFrame(0x2, 'b', { fin: false }),
        ]),
      1002,
      /new message/,
    ],
    ['close payload of 1 byte', () => serverFrame(0x8, Buffer.from([3])), 1002, /1 byte/],
    ...[999, 1004, 1005, 1006, 1015, 2999, 5000].map(
      (code): [string, () => Buffer, 1002, RegExp] => [
        `close code ${code}`,
        () => serverFrame(0x8, closePayload(code)),
        1002,
        new RegExp(`invalid close code ${code}`),
      ],
    ),
    [
      'close reason not UTF-8',
      () => serverFrame(0x8, closePayload(1000, Buffer.from([0x61, 0xc3]))),
      1007,
      /close reason is not valid UTF-8/,
    ],
    [
      'text not UTF-8',
      () => serverFrame(0x1, Buffer.from([0x61, 0xff, 0x62])),
      1007,
      /not valid UTF-8/,
    ],
    [
      'fragmented text not UTF-8 (overlong encoding over two fragments)',
      () =>
        Buffer.concat([
          serverFrame(0x1, Buffer.from([0xc0]), { fin: false }),
          serverFrame(0x0, Buffer.from([0x80])),
        ]),
      1007,
      /not valid UTF-8/,
    ],
    [
      'message above maxPayloadBytes in one frame',
      () => serverFrame(0x2, Buffer.alloc(1025)),
      1009,
      /maxPayload/,
    ],
    [
      'message above maxPayloadBytes summed over fragments',
      () =>
        Buffer.concat([
          serverFrame(0x1, Buffer.alloc(600, 0x61), { fin: false }),
          serverFrame(0x0, Buffer.alloc(300, 0x61), { fin: false }),
          serverFrame(0x0, Buffer.alloc(200, 0x61)),
        ]),
      1009,
      /maxPayload/,
    ],
  ];

  it.each(cases)('%s', async (_name, bytes, code, rule) => {
    const { rec, conn, ws } = await open({ maxPayloadBytes: 1024 });
    await conn.write(bytes());
    await expectFailed(rec, conn, code, rule);
    expect(rec.messages).toEqual([]);
    expect(ws.isOpen).toBe(false);
  });

  it('a 64-bit length above 2^53 - 1 fails at once (1009), without waiting for the payload', async () => {
    const { rec, conn } = await open({ maxPayloadBytes: Number.MAX_SAFE_INTEGER });
    const header = Buffer.alloc(10);
    header[0] = 0x82;
    header[1] = 127;
    header.writeBigUInt64BE(2n ** 53n, 2);
    await conn.write(header);
    await expectFailed(rec, conn, 1009, /2\^53/);
  });

  it('a forbidden header fails before its payload arrives (control frame announcing 126 bytes)', async () => {
    const { rec, conn } = await open();
    await conn.write(Buffer.from([0x89, 126, 0, 126]));
    await expectFailed(rec, conn, 1002, /control frame above 125/);
  });

  it('a ping between fragments does not count towards the message size', async () => {
    const { rec, conn } = await open({ maxPayloadBytes: 100 });
    await conn.write(
      Buffer.concat([
        serverFrame(0x1, 'a'.repeat(90), { fin: false }),
        serverFrame(0x9, 'p'.repeat(20)),
        serverFrame(0x0, 'b'.repeat(10)),
      ]),
    );
    await rec.until(() => rec.messages.length === 1);
    expect(rec.messages[0]!.data.toString()).toBe('a'.repeat(90) + 'b'.repeat(10));
    expect(rec.errors).toEqual([]);
  });

  it('20 000 empty continuation frames between two 1-byte fragments assemble into the message', async () => {
    const { rec, conn } = await open({ maxPayloadBytes: 10 });
    const empty = serverFrame(0x0, '', { fin: false });
    await conn.write(
      Buffer.concat([
        serverFrame(0x2, Buffer.from([1]), { fin: false }),
        ...Array.from({ length: 20_000 }, () => empty),
        serverFrame(0x0, Buffer.from([2])),
      ]),
    );
    await rec.until(() => rec.messages.length === 1 || rec.closes.length > 0);
    expect(rec.messages[0]!.data).toEqual(Buffer.from([1, 2]));
    expect(rec.messages[0]!.isBinary).toBe(true);
  });

  it('invalid UTF-8 text is delivered untouched when skipUtf8Validation is true', async () => {
    const { rec, conn } = await open({ skipUtf8Validation: true });
    const bad = Buffer.from([0x61, 0xff, 0xc0, 0x80, 0x62]);
    await conn.write(Buffer.concat([serverFrame(0x1, bad), serverFrame(0x1, 'next')]));
    await rec.until(() => rec.messages.length === 2);
    expect(rec.messages[0]!.data.equals(bad)).toBe(true);
    expect(rec.messages[0]!.isBinary).toBe(false);
    expect(rec.messages[1]!.data.toString()).toBe('next');
    expect(rec.errors).toEqual([]);
    expect(conn.closeFrames).toEqual([]);
  });

  it('valid close codes are accepted and echoed', async () => {
    for (const code of [1000, 1003, 1007, 1014, 3000, 4999]) {
      const { rec, conn } = await open();
      await conn.sendClose(code, 'ok');
      await rec.whenClosed();
      expect(rec.closes).toEqual([{ code, reason: 'ok' }]);
      expect(rec.errors).toEqual([]);
      await conn.until(() => conn.closeFrames.length === 1);
      expect(conn.closeFrames[0]!.payload.readUInt16BE(0)).toBe(code);
    }
  });
});

describe('close handshake', () => {
  it('server-initiated close: code and reason delivered, the client echoes the code', async () => {
    const { rec, conn, ws } = await open();
    await conn.write(serverFrame(0x1, 'before'));
    await conn.sendClose(4001, 'going away é');
    await rec.whenClosed();
    expect(rec.messages.map((m) => m.data.toString())).toEqual(['before']);
    expect(rec.closes).toEqual([{ code: 4001, reason: 'going away é' }]);
    expect(rec.errors).toEqual([]);
    expect(conn.closeFrames).toHaveLength(1);
    expect(conn.closeFrames[0]!.masked).toBe(true);
    expect(conn.closeFrames[0]!.payload.readUInt16BE(0)).toBe(4001);
    expect(ws.isOpen).toBe(false);
    await conn.whenClosed();
    await turns(2);
    expect(rec.closes).toHaveLength(1);
  });

  it('an empty close frame is reported as 1005 and echoed empty', async () => {
    const { rec, conn } = await open();
    await conn.sendClose();
    await rec.whenClosed();
    expect(rec.closes).toEqual([{ code: 1005, reason: '' }]);
    await conn.until(() => conn.closeFrames.length === 1);
    expect(conn.closeFrames[0]!.payload.length).toBe(0);
  });

  it("client-initiated close(4000, 'bye'): masked close frame out, the server's code in onClose", async () => {
    const { rec, conn, ws } = await open();
    ws.close(4000, 'bye');
    expect(ws.isOpen).toBe(false);
    await conn.until(() => conn.closeFrames.length === 1);
    const frame = conn.closeFrames[0]!;
    expect(frame.masked).toBe(true);
    expect(frame.payload.readUInt16BE(0)).toBe(4000);
    expect(frame.payload.subarray(2).toString()).toBe('bye');
    // Data, a ping and a fragmented message after the client's close are not delivered.
    await conn.write(
      Buffer.concat([
        serverFrame(0x1, 'late text'),
        serverFrame(0x2, Buffer.from([1, 2])),
        serverFrame(0x9, 'late ping'),
        serverFrame(0x1, 'frag', { fin: false }),
        serverFrame(0x0, 'ment'),
      ]),
    );
    await conn.sendClose(1001, 'later');
    await rec.whenClosed();
    expect(rec.closes).toEqual([{ code: 1001, reason: 'later' }]);
    expect(rec.messages).toEqual([]);
    expect(rec.errors).toEqual([]);
    // One close frame only (no echo of the server's), and no pong after closing.
    await conn.whenClosed();
    expect(conn.frames.map((f) => f.opcode)).toEqual([0x8]);
  });

  it('close() with a reason above 123 bytes cuts it on a character boundary', async () => {
    const { rec, conn, ws } = await open();
    ws.close(1000, 'é'.repeat(100)); // 200 bytes
    await conn.until(() => conn.closeFrames.length === 1);
    const reason = conn.closeFrames[0]!.payload.subarray(2);
    expect(reason.length).toBe(122);
    expect(reason.toString()).toBe('é'.repeat(61));
    await conn.sendClose(1000);
    await rec.whenClosed();
  });

  it('close() with a code that may not be on the wire throws and leaves the socket open', async () => {
    const { ws } = await open();
    for (const code of [1004, 1006, 1015, 999, 5000])
      expect(() => ws.close(code)).toThrow(RangeError);
    expect(ws.isOpen).toBe(true);
  });

  it('close(1005) sends an empty close frame', async () => {
    const { rec, conn, ws } = await open();
    ws.close(1005);
    await conn.until(() => conn.closeFrames.length === 1);
    expect(conn.closeFrames[0]!.payload.length).toBe(0);
    await conn.sendClose();
    await rec.whenClosed();
    expect(rec.closes).toEqual([{ code: 1005, reason: '' }]);
  });

  it('a close() from onError does not replace the code of the failed rule', async () => {
    const s = await start();
    const ws = await connectNative(nativeOptions(s.url()));
    clients.push(ws);
    const rec = new ClientRecorder();
    ws.start({
      ...rec.handlers,
      onError: (e) => {
        rec.handlers.onError(e);
        ws.close(1000, 'handler');
      },
    });
    const conn = await s.connection();
    await conn.write(serverFrame(0x1, Buffer.from([0xff])));
    await expectFailed(rec, conn, 1007, /UTF-8/);
  });

  it('ping() refuses a payload above 125 bytes; start() twice throws', async () => {
    const { ws, rec, conn } = await open();
    expect(() => ws.ping(Buffer.alloc(126))).toThrow(RangeError);
    expect(() => ws.start(rec.handlers)).toThrow(/twice/);
    expect(ws.ping('p'.repeat(125))).toBe(true);
    await conn.until(() => conn.frames.length === 1);
    expect(conn.frames[0]).toMatchObject({ opcode: 0x9, masked: true, fin: true });
    expect(conn.frames[0]!.payload.toString()).toBe('p'.repeat(125));
    await conn.write(serverFrame(0xa, 'p'));
    await rec.until(() => rec.pongs === 1);
  });

  it('a reset by the server is 1006, reported once', async () => {
    const { rec, conn } = await open();
    conn.socket.resetAndDestroy();
    await rec.whenClosed();
    await turns(2);
    expect(rec.closes).toEqual([{ code: 1006, reason: '' }]);
  });

  it('a server that never answers the close: the socket is destroyed after 5 s (1006)', async () => {
    const { rec, conn, ws } = await open({}, { endOnEnd: false });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    ws.close(1000);
    await conn.until(() => conn.closeFrames.length === 1);
    jest.advanceTimersByTime(4_999);
    await turns(3);
    expect(rec.closes).toEqual([]);
    expect(conn.ended).toBe(false);
    jest.advanceTimersByTime(1);
    await rec.whenClosed();
    expect(rec.closes).toEqual([{ code: 1006, reason: '' }]);
    // The client's side is gone (the server, which never ends its side, sees the FIN).
    await conn.until(() => conn.ended);
  });

  it('after a protocol failure a silent server is cut off after 5 s too', async () => {
    const { rec, conn } = await open({}, { endOnEnd: false });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    await conn.write(serverFrame(0x3));
    await conn.until(() => conn.closeFrames.length === 1 && conn.ended);
    expect(rec.closes).toEqual([]);
    jest.advanceTimersByTime(5_000);
    await rec.whenClosed();
    expect(rec.closes).toEqual([{ code: 1002, reason: 'unknown opcode 3' }]);
  });

  it('terminate(): onClose 1006, no close frame sent', async () => {
    const { rec, conn, ws } = await open();
    ws.terminate();
    expect(ws.isOpen).toBe(false);
    await rec.whenClosed();
    expect(rec.closes).toEqual([{ code: 1006, reason: '' }]);
    await conn.whenClosed();
    expect(conn.frames).toEqual([]);
  });

  it('a TCP drop without a close frame is 1006', async () => {
    const { rec, conn } = await open();
    await conn.write(serverFrame(0x1, 'x'));
    await rec.until(() => rec.messages.length === 1);
    conn.socket.destroy();
    await rec.whenClosed();
    expect(rec.closes).toEqual([{ code: 1006, reason: '' }]);
    expect(rec.errors).toEqual([]);
  });

  it('a drop in the middle of a fragmented message is 1006 and delivers nothing', async () => {
    const { rec, conn } = await open();
    await conn.write(serverFrame(0x1, 'part', { fin: false }));
    await rec.until(() => rec.reads === 1);
    conn.socket.end();
    await rec.whenClosed();
    expect(rec.closes).toEqual([{ code: 1006, reason: '' }]);
    expect(rec.messages).toEqual([]);
  });

  it('terminate() before start() is still reported (1006) once start() is called', async () => {
    const s = await start();
    const ws = await connectNative(nativeOptions(s.url()));
    clients.push(ws);
    const conn = await s.connection();
    ws.terminate();
    await conn.whenClosed();
    await turns(2);
    const rec = new ClientRecorder();
    ws.start(rec.handlers);
    await rec.whenClosed();
    expect(rec.closes).toEqual([{ code: 1006, reason: '' }]);
  });

  it("close() before start(): the server's answer is read once start() is called", async () => {
    const s = await start();
    const ws = await connectNative(nativeOptions(s.url()));
    clients.push(ws);
    const conn = await s.connection();
    ws.close(4000, 'early');
    await conn.until(() => conn.closeFrames.length === 1);
    expect(conn.closeFrames[0]!.payload.readUInt16BE(0)).toBe(4000);
    await conn.sendClose(4000, 'early');
    const rec = new ClientRecorder();
    ws.start(rec.handlers);
    await rec.whenClosed();
    expect(rec.closes).toEqual([{ code: 4000, reason: 'early' }]);
  });

  it('frames that came with the 101 response are read, in order, before later ones', async () => {
    await start({
      head: Buffer.concat([serverFrame(0x1, 'one'), serverFrame(0x2, Buffer.from([2]))]),
    });
    const { rec, conn } = await open();
    await conn.write(serverFrame(0x1, 'three'));
    await rec.until(() => rec.messages.length === 3);
    expect(rec.messages.map((m) => [m.data.toString('hex'), m.isBinary])).toEqual([
      [Buffer.from('one').toString('hex'), false],
      ['02', true],
      [Buffer.from('three').toString('hex'), false],
    ]);
  });
});

describe('opening handshake', () => {
  it('sends Upgrade, Connection, version 13, a 16-byte base64 key, the user headers, path and query', async () => {
    const s = await start();
    await openClient(
      s,
      { url: s.url('/stream/x?streams=btcusdt@trade&a=1'), headers: { 'X-Api-Key': 'k1' } },
      clients,
    );
    const req = s.requests[0]!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe('/stream/x?streams=btcusdt@trade&a=1');
    expect(req.headers.upgrade).toBe('websocket');
    expect(req.headers.connection).toMatch(/upgrade/i);
    expect(req.headers['sec-websocket-version']).toBe('13');
    const key = req.headers['sec-websocket-key']!;
    expect(key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(Buffer.from(key, 'base64')).toHaveLength(16);
    expect(req.headers['x-api-key']).toBe('k1');
    expect(req.headers['sec-websocket-extensions']).toBeUndefined();
    expect(req.headers['sec-websocket-protocol']).toBeUndefined();
    // A fresh key per connection.
    await openClient(s, {}, clients);
    expect(s.requests[1]!.headers['sec-websocket-key']).not.toBe(key);
  });

  it.each([
    ['wrong-accept', /Sec-WebSocket-Accept/],
    ['no-upgrade', /Upgrade/],
    ['extension', /extension/],
    ['subprotocol', /subprotocol/],
  ] as const)('%s → kind handshake, the socket is closed', async (mode, message) => {
    const s = await start({ mode });
    const err = await connectNative(nativeOptions(s.url())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NativeConnectError);
    expect((err as NativeConnectError).kind).toBe('handshake');
    expect((err as NativeConnectError).message).toMatch(message);
    await (await s.connection()).whenClosed();
  });

  it('HTTP 404 → kind status with the status', async () => {
    const s = await start({ mode: 'status-404' });
    const err = await connectNative(nativeOptions(s.url())).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NativeConnectError);
    expect((err as NativeConnectError).kind).toBe('status');
    expect((err as NativeConnectError).status).toBe(404);
  });

  it('a refused port → kind refused', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const err = await connectNative(nativeOptions(`ws://127.0.0.1:${port}/`)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NativeConnectError);
    expect((err as NativeConnectError).kind).toBe('refused');
    expect((err as NativeConnectError).cause).toHaveProperty('code', 'ECONNREFUSED');
  });

  it('a server that never answers → kind timeout after handshakeTimeoutMs', async () => {
    const s = await start({ mode: 'never' });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    let settled: unknown;
    const p = connectNative(nativeOptions(s.url(), { handshakeTimeoutMs: 2_000 })).then(
      () => (settled = 'resolved'),
      (e: unknown) => (settled = e),
    );
    await s.requestsAtLeast(1);
    jest.advanceTimersByTime(1_999);
    await turns(2);
    expect(settled).toBeUndefined();
    jest.advanceTimersByTime(1);
    await p;
    expect(settled).toBeInstanceOf(NativeConnectError);
    expect((settled as NativeConnectError).kind).toBe('timeout');
  });

  it('an abort while waiting → kind aborted; an aborted signal → aborted without connecting', async () => {
    const s = await start({ mode: 'never' });
    const control = new AbortController();
    const p = connectNative(nativeOptions(s.url(), { signal: control.signal })).catch(
      (e: unknown) => e,
    );
    await s.requestsAtLeast(1);
    control.abort();
    const err = await p;
    expect(err).toBeInstanceOf(NativeConnectError);
    expect((err as NativeConnectError).kind).toBe('aborted');

    const err2 = await connectNative(nativeOptions(s.url(), { signal: AbortSignal.abort() })).catch(
      (e: unknown) => e,
    );
    expect(err2).toBeInstanceOf(NativeConnectError);
    expect((err2 as NativeConnectError).kind).toBe('aborted');
    expect(s.requests).toHaveLength(1);
  });

  it('a URL that is not ws:// or wss://, or no URL at all, is rejected (not thrown)', async () => {
    for (const url of ['http://127.0.0.1:1/', 'ftp://x/', 'not a url']) {
      let p: Promise<unknown> | undefined;
      expect(() => {
        p = connectNative(nativeOptions(url));
      }).not.toThrow();
      const err = await p!.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NativeConnectError);
    }
  });
});
