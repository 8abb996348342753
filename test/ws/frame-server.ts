import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  connectNative,
  type NativeConnectOptions,
  type NativeWebSocket,
} from '../../src/ws/native-socket.js';

/**
 * A raw RFC 6455 server for protocol tests of the native client: a plain `http` server on
 * 127.0.0.1 whose 'upgrade' handler answers the handshake by hand (or answers it wrongly, on
 * purpose), then hands the socket to the test, which writes arbitrary bytes (crafted frames,
 * in chosen chunks) and reads the frames the client sent, unmasked.
 */

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** How the server answers the next upgrade requests. */
export type HandshakeMode =
  'ok' | 'wrong-accept' | 'no-upgrade' | 'extension' | 'subprotocol' | 'status-404' | 'never';

/** One frame the client sent, as the server parsed it (payload unmasked). */
export interface ClientFrame {
  readonly fin: boolean;
  readonly rsv: number;
  readonly opcode: number;
  readonly masked: boolean;
  readonly mask: Buffer;
  readonly payload: Buffer;
}

/** Resolves waiters whose condition became true; `check` runs after every event. */
class Waiters {
  #list: { check: () => boolean; resolve: () => void }[] = [];

  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.#list.push({ check, resolve }));
  }

  notify(): void {
    this.#list = this.#list.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  }
}

/** One server frame: FIN, RSV bits, opcode, optional mask, and the 7/16/64-bit length. */
export function serverFrame(
  opcode: number,
  payload: Buffer | string = Buffer.alloc(0),
  options: { fin?: boolean; rsv?: number; mask?: Buffer } = {},
): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const length = data.length;
  const ext = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const maskBytes = options.mask === undefined ? 0 : 4;
  const out = Buffer.alloc(2 + ext + maskBytes + length);
  out[0] = (options.fin === false ? 0 : 0x80) | ((options.rsv ?? 0) << 4) | opcode;
  const maskBit = options.mask === undefined ? 0 : 0x80;
  if (ext === 0) out[1] = maskBit | length;
  else if (ext === 2) {
    out[1] = maskBit | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = maskBit | 127;
    out.writeBigUInt64BE(BigInt(length), 2);
  }
  const start = 2 + ext + maskBytes;
  data.copy(out, start);
  if (options.mask !== undefined) {
    options.mask.copy(out, 2 + ext);
    for (let i = 0; i < length; i++) out[start + i] = out[start + i]! ^ options.mask[i % 4]!;
  }
  return out;
}

/** A close frame payload: the code (unless undefined) and the reason bytes. */
export function closePayload(code?: number, reason: Buffer | string = ''): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const r = typeof reason === 'string' ? Buffer.from(reason, 'utf8') : reason;
  const out = Buffer.alloc(2 + r.length);
  out.writeUInt16BE(code, 0);
  r.copy(out, 2);
  return out;
}

/**
 * Parses the frames at the start of `buffer` (client frames: masked). Returns the frames and
 * how many bytes they took; a trailing incomplete frame is left for the next call.
 */
export function decodeFrames(buffer: Buffer): { frames: ClientFrame[]; used: number } {
  const frames: ClientFrame[] = [];
  let pos = 0;
  for (;;) {
    if (buffer.length - pos < 2) break;
    const b0 = buffer[pos]!;
    const b1 = buffer[pos + 1]!;
    let length = b1 & 0x7f;
    let head = 2;
    if (length === 126) {
      if (buffer.length - pos < 4) break;
      length = buffer.readUInt16BE(pos + 2);
      head = 4;
    } else if (length === 127) {
      if (buffer.length - pos < 10) break;
      length = Number(buffer.readBigUInt64BE(pos + 2));
      head = 10;
    }
    const masked = (b1 & 0x80) !== 0;
    const maskLen = masked ? 4 : 0;
    if (buffer.length - pos < head + maskLen + length) break;
    const mask = Buffer.from(buffer.subarray(pos + head, pos + head + maskLen));
    const start = pos + head + maskLen;
    const payload = Buffer.from(buffer.subarray(start, start + length));
    if (masked) for (let i = 0; i < length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
    frames.push({
      fin: (b0 & 0x80) !== 0,
      rsv: (b0 >> 4) & 7,
      opcode: b0 & 0x0f,
      masked,
      mask,
      payload,
    });
    pos = start + length;
  }
  return { frames, used: pos };
}

/** One accepted upgrade: raw writes to the client, and the client's frames as parsed. */
export class FrameConnection {
  readonly request: IncomingMessage;
  readonly socket: Socket;
  /** Frames the client sent, in order. */
  readonly frames: ClientFrame[] = [];
  /** The socket closed (either side). */
  closed = false;
  /** The client half-closed (FIN). */
  ended = false;
  #buffered = Buffer.alloc(0);
  readonly #waiters = new Waiters();

  constructor(request: IncomingMessage, socket: Socket, head: Buffer, endOnEnd: boolean) {
    this.request = request;
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => {
      this.ended = true;
      if (endOnEnd) socket.end();
      this.#waiters.notify();
    });
    socket.on('error', () => {
      // A reset by the client is expected in some tests; 'close' follows.
    });
    socket.on('close', () => {
      this.closed = true;
      this.#waiters.notify();
    });
    if (head.length > 0) this.#onData(head);
  }

  #onData(chunk: Buffer): void {
    this.#buffered = Buffer.concat([this.#buffered, chunk]);
    const { frames, used } = decodeFrames(this.#buffered);
    this.#buffered = this.#buffered.subarray(used);
    this.frames.push(...frames);
    this.#waiters.notify();
  }

  /** The close frames the client sent. */
  get closeFrames(): ClientFrame[] {
    return this.frames.filter((f) => f.opcode === 0x8);
  }

  /** Writes raw bytes; resolves once they are handed to the kernel. */
  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.write(bytes, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Sends a close frame (code and reason; none for an empty close). */
  sendClose(code?: number, reason = ''): Promise<void> {
    return this.write(serverFrame(0x8, closePayload(code, reason)));
  }

  /** Resolves once `check` holds (re-checked after every frame, FIN and close). */
  until(check: () => boolean): Promise<void> {
    return this.#waiters.until(check);
  }

  /** Resolves once the client has sent `n` frames. */
  framesAtLeast(n: number): Promise<void> {
    return this.until(() => this.frames.length >= n);
  }

  /** Resolves once the socket closed. */
  whenClosed(): Promise<void> {
    return this.until(() => this.closed);
  }
}

export interface FrameServerOptions {
  /** How the next upgrades are answered. Default 'ok'. */
  mode?: HandshakeMode;
  /** Bytes sent in the same write as the 101 response (the client's upgrade `head`). */
  head?: Buffer;
  /** End our side when the client ends its side (a well-behaved server). Default true. */
  endOnEnd?: boolean;
}

/** The raw WebSocket server (see the module comment). Options may be changed between connections. */
export class FrameServer {
  readonly connections: FrameConnection[] = [];
  /** Upgrade requests seen, answered or not. */
  readonly requests: IncomingMessage[] = [];
  options: FrameServerOptions;
  port = 0;
  readonly #http: Server;
  readonly #sockets = new Set<Socket>();
  readonly #waiters = new Waiters();

  private constructor(options: FrameServerOptions) {
    this.options = options;
    this.#http = createServer((_req, res) => {
      res.writeHead(400).end();
    });
    this.#http.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) =>
      this.#onUpgrade(req, socket, head),
    );
  }

  /** Listens on 127.0.0.1, port 0. */
  static async start(options: FrameServerOptions = {}): Promise<FrameServer> {
    const s = new FrameServer(options);
    await new Promise<void>((resolve) => s.#http.listen(0, '127.0.0.1', resolve));
    s.port = (s.#http.address() as AddressInfo).port;
    return s;
  }

  /** `ws://127.0.0.1:<port><path>`. */
  url(path = '/ws'): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  #onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    this.requests.push(req);
    socket.on('error', () => {});
    const mode = this.options.mode ?? 'ok';
    if (mode === 'never') {
      this.#waiters.notify();
      return;
    }
    if (mode === 'status-404') {
      socket.end(
        'HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot found',
      );
      this.#waiters.notify();
      return;
    }
    const key = req.headers['sec-websocket-key'] ?? '';
    let accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    if (mode === 'wrong-accept') accept = createHash('sha1').update('x').digest('base64');
    const lines = ['HTTP/1.1 101 Switching Protocols'];
    if (mode !== 'no-upgrade') lines.push('Upgrade: websocket');
    lines.push('Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`);
    if (mode === 'extension') lines.push('Sec-WebSocket-Extensions: permessage-deflate');
    if (mode === 'subprotocol') lines.push('Sec-WebSocket-Protocol: chat');
    const response = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    const extra = this.options.head ?? Buffer.alloc(0);
    // One write: the frames in `head` arrive in the same read as the 101 response.
    socket.write(Buffer.concat([response, extra]));
    this.connections.push(new FrameConnection(req, socket, head, this.options.endOnEnd ?? true));
    this.#waiters.notify();
  }

  /** Resolves with the n-th accepted connection (0-based) once it exists. */
  async connection(n = 0): Promise<FrameConnection> {
    await this.#waiters.until(() => this.connections.length > n);
    return this.connections[n]!;
  }

  /** Resolves once `n` upgrade requests arrived. */
  requestsAtLeast(n: number): Promise<void> {
    return this.#waiters.until(() => this.requests.length >= n);
  }

  /** Destroys every socket and stops listening. */
  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#http.close(() => resolve()));
  }
}

/** What a native client reported, recorded for assertions. */
export class ClientRecorder {
  readonly messages: { data: Buffer; isBinary: boolean }[] = [];
  readonly errors: Error[] = [];
  readonly closes: { code: number; reason: string }[] = [];
  reads = 0;
  pings = 0;
  pongs = 0;
  readonly #waiters = new Waiters();

  /** Handlers for {@link NativeWebSocket.start}; message views are copied. */
  readonly handlers = {
    onMessage: (data: Buffer, isBinary: boolean): void => {
      this.messages.push({ data: Buffer.from(data), isBinary });
      this.#waiters.notify();
    },
    onRead: (): void => {
      this.reads++;
      this.#waiters.notify();
    },
    onPing: (): void => {
      this.pings++;
      this.#waiters.notify();
    },
    onPong: (): void => {
      this.pongs++;
      this.#waiters.notify();
    },
    onClose: (code: number, reason: string): void => {
      this.closes.push({ code, reason });
      this.#waiters.notify();
    },
    onError: (error: Error): void => {
      this.errors.push(error);
      this.#waiters.notify();
    },
  };

  until(check: () => boolean): Promise<void> {
    return this.#waiters.until(check);
  }

  /** Resolves once onClose was called. */
  whenClosed(): Promise<void> {
    return this.until(() => this.closes.length > 0);
  }
}

/** Defaults for {@link connectNative} in tests. */
export function nativeOptions(
  url: string,
  overrides: Partial<NativeConnectOptions> = {},
): NativeConnectOptions {
  return {
    url,
    handshakeTimeoutMs: 5_000,
    maxPayloadBytes: 1024 * 1024,
    skipUtf8Validation: false,
    ...overrides,
  };
}

/** Connects a native client to `server`, starts it with a recorder, and returns both. */
export async function openClient(
  server: FrameServer,
  overrides: Partial<NativeConnectOptions> = {},
  opened?: NativeWebSocket[],
): Promise<{ ws: NativeWebSocket; rec: ClientRecorder; conn: FrameConnection }> {
  const n = server.connections.length;
  const ws = await connectNative(nativeOptions(server.url(), overrides));
  opened?.push(ws);
  const rec = new ClientRecorder();
  ws.start(rec.handlers);
  const conn = await server.connection(n);
  return { ws, rec, conn };
}
