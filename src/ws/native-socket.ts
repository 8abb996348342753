import { isUtf8 } from 'node:buffer';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';

/**
 * tickwire's own RFC 6455 client: the HTTP/1.1 upgrade through node:http / node:https, then
 * frames read straight from each socket read. A frame that lies whole in one read is handed
 * on as a view of that read (no copy, no per-frame stream machinery); only a frame cut by a
 * read boundary and a fragmented message are copied. It offers no extensions (no
 * permessage-deflate) and no subprotocols, answers pings with pongs, masks every frame it
 * sends with a fresh random key, and fails the connection with the matching close code on
 * anything RFC 6455 forbids from a server.
 */

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** How long a close handshake may take before the socket is destroyed (ms). */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * What failed a native connection: an RFC 6455 rule and the close code it calls for.
 *
 * @example
 * onError: (e) => { if (e instanceof NativeProtocolError) log(e.closeCode, e.message); }
 */
export class NativeProtocolError extends Error {
  constructor(
    message: string,
    /** The close code sent to the peer: 1002 protocol, 1007 bad UTF-8, 1009 too big. */
    readonly closeCode: 1002 | 1007 | 1009,
  ) {
    super(message);
    this.name = 'NativeProtocolError';
  }
}

/**
 * Why {@link connectNative} failed.
 *
 * @example
 * connectNative(opts).catch((e: NativeConnectError) => (e.kind === 'status' ? e.status : e.kind));
 */
export class NativeConnectError extends Error {
  constructor(
    message: string,
    readonly kind: 'timeout' | 'refused' | 'status' | 'handshake' | 'aborted',
    /** The HTTP status of a refused upgrade. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NativeConnectError';
  }
}

/**
 * Callbacks of a {@link NativeWebSocket}, set before the first frame can arrive.
 *
 * @example
 * const handlers: NativeHandlers = { onMessage: (d, bin) => handle(d, bin), onClose: (code) => log(code) };
 */
export interface NativeHandlers {
  /**
   * One whole data message. `data` may be a view of the socket read: still valid later (a
   * read's memory is never reused), but keeping it keeps the whole read alive; copy a small
   * part that must outlive the call.
   */
  readonly onMessage: (data: Buffer, isBinary: boolean) => void;
  /** Called once per socket read, before its frames are handed on. */
  readonly onRead?: () => void;
  readonly onPing?: () => void;
  readonly onPong?: () => void;
  /** The socket closed; `code` is the peer's close code, 1005 for an empty close frame, 1006 without one. */
  readonly onClose: (code: number, reason: string) => void;
  /** A protocol violation by the peer or a socket error; the close follows. */
  readonly onError?: (error: Error) => void;
}

/**
 * Options of {@link connectNative}.
 *
 * @example
 * const opts: NativeConnectOptions = { url: 'wss://h/ws', handshakeTimeoutMs: 10_000, maxPayloadBytes: 1 << 26, skipUtf8Validation: false };
 */
export interface NativeConnectOptions {
  /** `ws://` or `wss://` URL; anything else rejects with kind 'refused'. */
  readonly url: string;
  /** Extra upgrade request headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time allowed for TCP + TLS + upgrade (ms). */
  readonly handshakeTimeoutMs: number;
  /** Largest message accepted, summed over its fragments (bytes); above it the close code is 1009. */
  readonly maxPayloadBytes: number;
  /** Hand text messages on without the UTF-8 check (otherwise invalid UTF-8 closes with 1007). */
  readonly skipUtf8Validation: boolean;
  /** Aborts the connect (kind 'aborted'); no effect once it resolved. */
  readonly signal?: AbortSignal;
  /** Trusted CA certificates for `wss://` (node:tls `ca`); default Node's bundled ones. */
  readonly ca?: readonly (string | Buffer)[];
}

const enum State {
  Open = 1,
  Closing = 2,
  Closed = 3,
}

// Mask keys come from a pool of random bytes refilled in bulk (RFC 6455 §5.3 wants them unpredictable).
const MASK_POOL_BYTES = 8 * 1024;
let maskPool = Buffer.allocUnsafe(MASK_POOL_BYTES);
let maskAt = MASK_POOL_BYTES;

function takeMask(into: Buffer, at: number): void {
  if (maskAt + 4 > MASK_POOL_BYTES) {
    maskPool = randomFillSync(maskPool);
    maskAt = 0;
  }
  into[at] = maskPool[maskAt]!;
  into[at + 1] = maskPool[maskAt + 1]!;
  into[at + 2] = maskPool[maskAt + 2]!;
  into[at + 3] = maskPool[maskAt + 3]!;
  maskAt += 4;
}

/**
 * One masked client frame: header, mask key, masked payload, in one buffer.
 *
 * @example
 * socket.write(encodeClientFrame(0x1, '{"method":"SUBSCRIBE"}'));
 */
export function encodeClientFrame(opcode: number, payload: Buffer | string): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const head = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + 4 + length);
  frame[0] = 0x80 | opcode;
  if (head === 2) {
    frame[1] = 0x80 | length;
  } else if (head === 4) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  takeMask(frame, head);
  const start = head + 4;
  if (typeof payload === 'string') frame.write(payload, start, 'utf8');
  else payload.copy(frame, start);
  const m0 = frame[head]!;
  const m1 = frame[head + 1]!;
  const m2 = frame[head + 2]!;
  const m3 = frame[head + 3]!;
  const end = start + length;
  let i = start;
  for (; i + 3 < end; i += 4) {
    frame[i] = frame[i]! ^ m0;
    frame[i + 1] = frame[i + 1]! ^ m1;
    frame[i + 2] = frame[i + 2]! ^ m2;
    frame[i + 3] = frame[i + 3]! ^ m3;
  }
  for (let k = 0; i < end; i++, k++) frame[i] = frame[i]! ^ (k === 0 ? m0 : k === 1 ? m1 : m2);
  return frame;
}

/**
 * Close codes a peer may put on the wire (RFC 6455 §7.4, IANA registry).
 *
 * @example
 * isValidWireCloseCode(1000); // true
 * isValidWireCloseCode(1006); // false: only ever reported locally
 */
export function isValidWireCloseCode(code: number): boolean {
  return (
    (code >= 1000 && code <= 1003) ||
    (code >= 1007 && code <= 1014) ||
    (code >= 3000 && code <= 4999)
  );
}

/**
 * An open native WebSocket (see the module comment). Made by {@link connectNative}; handlers
 * are attached with {@link NativeWebSocket.start} before any frame is parsed.
 *
 * @example
 * const ws = await connectNative(opts);
 * ws.start({ onMessage: (d) => handle(d), onClose: (code, reason) => log(code, reason) });
 * ws.sendText('hello');
 * ws.close(1000, 'bye');
 */
export class NativeWebSocket {
  #socket: Socket;
  #handlers: NativeHandlers | undefined;
  readonly #maxPayload: number;
  readonly #checkUtf8: boolean;
  #state: State = State.Open;
  /** Bytes of a frame cut by a read boundary, waiting for the rest. */
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes needed before the pending frame can be parsed further. */
  #need = 0;
  /** Opcode of the fragmented message being assembled; 0 when none. */
  #fragOpcode = 0;
  #fragments: Buffer[] = [];
  #fragBytes = 0;
  #closeSent = false;
  #closeCode = 1006;
  #closeReason = '';
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #head: Buffer | undefined;
  /** Set once a close frame arrived or the connection was failed: nothing more is parsed. */
  #done = false;

  constructor(
    socket: Socket,
    head: Buffer,
    options: { maxPayloadBytes: number; skipUtf8Validation: boolean },
  ) {
    this.#socket = socket;
    this.#maxPayload = options.maxPayloadBytes;
    this.#checkUtf8 = !options.skipUtf8Validation;
    this.#head = head.length > 0 ? head : undefined;
    socket.setNoDelay(true);
    socket.setTimeout(0);
    // No data is read until start(): the socket stays paused. Errors and the close are
    // listened to from now on, so one before start() neither throws nor goes unseen.
    socket.pause();
    socket.on('error', (err: Error) => this.#handlers?.onError?.(err));
    socket.on('close', () => this.#onSocketClose());
  }

  /** True until the close handshake begins or the socket drops. */
  get isOpen(): boolean {
    return this.#state === State.Open;
  }

  /** Bytes queued in the socket, not yet written. */
  get bufferedAmount(): number {
    return this.#socket.writableLength;
  }

  /**
   * Attaches the handlers and starts reading (bytes that came with the upgrade first). A
   * socket that closed before is reported to `onClose` at once. Throws when called twice.
   */
  start(handlers: NativeHandlers): void {
    if (this.#handlers !== undefined) throw new Error('NativeWebSocket.start called twice');
    this.#handlers = handlers;
    if (this.#state === State.Closed) {
      handlers.onClose(this.#closeCode, this.#closeReason);
      return;
    }
    const socket = this.#socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('end', () => {
      // The peer half-closed: finish our side too (the close event follows).
      socket.end();
    });
    const head = this.#head;
    this.#head = undefined;
    if (head !== undefined) this.#onData(head);
    if (!socket.destroyed) socket.resume();
  }

  /** Sends one text frame. The caller checks {@link isOpen} first. */
  sendText(text: string): void {
    this.#socket.write(encodeClientFrame(0x1, text));
  }

  /** Sends a ping; false when not open. Throws a RangeError for a payload above 125 bytes. */
  ping(payload: Buffer | string = ''): boolean {
    if (Buffer.byteLength(payload) > 125) {
      throw new RangeError('a ping payload is at most 125 bytes');
    }
    if (this.#state !== State.Open) return false;
    this.#socket.write(encodeClientFrame(0x9, payload));
    return true;
  }

  /**
   * Starts the close handshake; the socket is destroyed if the peer does not finish it in
   * time. `code` 1005 sends an empty close frame; a code that may not be on the wire throws a
   * RangeError. A reason above 123 bytes is cut (on a character boundary).
   */
  close(code = 1000, reason = ''): void {
    if (code !== 1005 && !isValidWireCloseCode(code)) {
      throw new RangeError(`close code ${code} may not be sent`);
    }
    if (this.#state !== State.Open) return;
    this.#state = State.Closing;
    this.#sendClose(code, reason);
    this.#closeTimer = setTimeout(() => this.#socket.destroy(), CLOSE_TIMEOUT_MS);
  }

  /** Destroys the socket at once, no close handshake. */
  terminate(): void {
    if (this.#state === State.Closed) return;
    this.#state = State.Closing;
    this.#socket.destroy();
  }

  #sendClose(code: number, reason: string): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    let payload: Buffer;
    if (code === 1005) {
      payload = Buffer.alloc(0);
    } else {
      let r = Buffer.from(reason, 'utf8');
      if (r.length > 123) {
        // Cut before the character that byte 123 belongs to, so the reason stays UTF-8.
        let n = 123;
        while (n > 0 && (r[n]! & 0xc0) === 0x80) n--;
        r = r.subarray(0, n);
      }
      payload = Buffer.allocUnsafe(2 + r.length);
      payload.writeUInt16BE(code, 0);
      r.copy(payload, 2);
    }
    if (!this.#socket.destroyed) this.#socket.write(encodeClientFrame(0x8, payload));
  }

  #onSocketClose(): void {
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    if (this.#state === State.Closed) return;
    this.#state = State.Closed;
    this.#pending = [];
    this.#fragments = [];
    this.#handlers?.onClose(this.#closeCode, this.#closeReason);
  }

  /** Fails the connection: close frame with the rule's code, then the socket ends. */
  #fail(error: NativeProtocolError): void {
    if (this.#done) return;
    this.#done = true;
    this.#closeCode = error.closeCode;
    this.#closeReason = error.message;
    this.#state = State.Closing;
    this.#pending = [];
    this.#fragments = [];
    // The close frame goes out before onError runs: a close() from the handler can then
    // neither send a second one nor replace the rule's code.
    this.#sendClose(error.closeCode, '');
    this.#socket.end();
    this.#closeTimer ??= setTimeout(() => this.#socket.destroy(), CLOSE_TIMEOUT_MS);
    this.#handlers?.onError?.(error);
  }

  #onData(chunk: Buffer): void {
    if (this.#done) return;
    this.#handlers!.onRead?.();
    if (this.#pendingBytes > 0) {
      this.#pending.push(chunk);
      this.#pendingBytes += chunk.length;
      if (this.#pendingBytes < this.#need) return;
      chunk = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
    }
    const len = chunk.length;
    let pos = 0;
    while (pos < len) {
      if (len - pos < 2) {
        this.#stash(chunk, pos, 2);
        return;
      }
      const b0 = chunk[pos]!;
      const b1 = chunk[pos + 1]!;
      const opcode = b0 & 0x0f;
      let length = b1 & 0x7f;
      // The header's rules are checked as soon as its first two bytes are in, so a forbidden
      // frame fails at once instead of after a payload that may never come.
      if ((b1 & 0x80) !== 0)
        return this.#fail(new NativeProtocolError('server frame is masked', 1002));
      if ((b0 & 0x70) !== 0) {
        return this.#fail(
          new NativeProtocolError('reserved bits set (no extension negotiated)', 1002),
        );
      }
      if (opcode >= 0x8) {
        if (opcode > 0xa) {
          return this.#fail(new NativeProtocolError(`unknown opcode ${opcode}`, 1002));
        }
        if ((b0 & 0x80) === 0) {
          return this.#fail(new NativeProtocolError('fragmented control frame', 1002));
        }
        if (length > 125) {
          return this.#fail(new NativeProtocolError('control frame above 125 bytes', 1002));
        }
      } else if (opcode === 0x0) {
        if (this.#fragOpcode === 0) {
          return this.#fail(new NativeProtocolError('continuation frame without a message', 1002));
        }
      } else if (opcode > 0x2) {
        return this.#fail(new NativeProtocolError(`unknown opcode ${opcode}`, 1002));
      } else if (this.#fragOpcode !== 0) {
        return this.#fail(
          new NativeProtocolError('new message before the last one finished', 1002),
        );
      }
      let head = 2;
      if (length === 126) {
        if (len - pos < 4) return this.#stash(chunk, pos, 4);
        length = (chunk[pos + 2]! << 8) | chunk[pos + 3]!;
        head = 4;
      } else if (length === 127) {
        if (len - pos < 10) return this.#stash(chunk, pos, 10);
        const high = chunk.readUInt32BE(pos + 2);
        if (high > 0x1f_ffff) {
          return this.#fail(new NativeProtocolError('frame length above 2^53 - 1', 1009));
        }
        length = high * 2 ** 32 + chunk.readUInt32BE(pos + 6);
        head = 10;
      }
      // A data frame counts towards its message (#fragBytes is 0 outside a fragmented one);
      // a control frame between fragments does not.
      if (opcode < 0x8 && this.#fragBytes + length > this.#maxPayload) {
        return this.#fail(
          new NativeProtocolError(`message above maxPayload (${this.#maxPayload} bytes)`, 1009),
        );
      }
      const start = pos + head;
      const end = start + length;
      if (end > len) return this.#stash(chunk, pos, head + length);
      pos = end;
      this.#frame(b0, opcode, chunk, start, end);
      if (this.#done) return;
    }
  }

  #stash(chunk: Buffer, from: number, need: number): void {
    // Copied: the read it came from may be large, and only this tail is kept.
    const rest = Buffer.from(chunk.subarray(from));
    this.#pending = [rest];
    this.#pendingBytes = rest.length;
    this.#need = need;
  }

  /** One whole frame whose header {@link #onData} already checked. */
  #frame(b0: number, opcode: number, chunk: Buffer, start: number, end: number): void {
    const fin = (b0 & 0x80) !== 0;
    if (opcode === 0x1 || opcode === 0x2) {
      if (fin) return this.#deliver(chunk.subarray(start, end), opcode === 0x2);
      this.#fragOpcode = opcode;
      this.#fragments = [Buffer.from(chunk.subarray(start, end))];
      this.#fragBytes = end - start;
      return;
    }
    if (opcode === 0x0) {
      // Empty fragments are not kept: maxPayload bounds the bytes, not the frame count.
      if (end > start) {
        this.#fragments.push(Buffer.from(chunk.subarray(start, end)));
        this.#fragBytes += end - start;
      }
      if (!fin) return;
      const data = Buffer.concat(this.#fragments, this.#fragBytes);
      const binary = this.#fragOpcode === 0x2;
      this.#fragOpcode = 0;
      this.#fragments = [];
      this.#fragBytes = 0;
      return this.#deliver(data, binary);
    }
    if (opcode === 0x8) return this.#onCloseFrame(chunk.subarray(start, end));
    if (opcode === 0x9) {
      if (this.#state === State.Open)
        this.#socket.write(encodeClientFrame(0xa, chunk.subarray(start, end)));
      this.#handlers!.onPing?.();
      return;
    }
    this.#handlers!.onPong?.();
  }

  #deliver(data: Buffer, binary: boolean): void {
    // Data after our own close frame is dropped; the peer's close frame is still awaited.
    if (this.#state !== State.Open) return;
    if (!binary && this.#checkUtf8 && !isUtf8(data)) {
      return this.#fail(new NativeProtocolError('text frame is not valid UTF-8', 1007));
    }
    this.#handlers!.onMessage(data, binary);
  }

  #onCloseFrame(payload: Buffer): void {
    let code = 1005;
    let reason = '';
    if (payload.length === 1)
      return this.#fail(new NativeProtocolError('close frame of 1 byte', 1002));
    if (payload.length >= 2) {
      code = payload.readUInt16BE(0);
      if (!isValidWireCloseCode(code)) {
        return this.#fail(new NativeProtocolError(`invalid close code ${code}`, 1002));
      }
      const r = payload.subarray(2);
      if (!isUtf8(r))
        return this.#fail(new NativeProtocolError('close reason is not valid UTF-8', 1007));
      reason = r.toString('utf8');
    }
    this.#done = true;
    this.#closeCode = code;
    this.#closeReason = reason;
    // Echo the code (RFC 6455 §5.5.1) unless we closed first, then end our side.
    this.#sendClose(code, '');
    this.#state = State.Closing;
    this.#socket.end();
    this.#closeTimer ??= setTimeout(() => this.#socket.destroy(), CLOSE_TIMEOUT_MS);
  }
}

/**
 * Opens a native WebSocket: HTTP/1.1 upgrade with a random key, the accept hash checked, no
 * extension or subprotocol accepted. Rejects (never throws) with a {@link NativeConnectError}.
 *
 * @example
 * const ws = await connectNative({ url: 'wss://stream.binance.com:9443/ws', handshakeTimeoutMs: 10_000, maxPayloadBytes: 1 << 26, skipUtf8Validation: false, signal });
 */
export function connectNative(options: NativeConnectOptions): Promise<NativeWebSocket> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (err) {
    return Promise.reject(
      new NativeConnectError('invalid URL', 'refused', undefined, { cause: err }),
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return Promise.reject(new NativeConnectError(`not a ws:// or wss:// URL`, 'refused'));
  }
  // An abort event has already fired on an aborted signal: no listener would see it.
  if (options.signal?.aborted === true) {
    return Promise.reject(new NativeConnectError('connect aborted', 'aborted'));
  }
  const secure = url.protocol === 'wss:';
  const key = randomBytes(16).toString('base64');
  const expected = createHash('sha1')
    .update(key + GUID)
    .digest('base64');
  return new Promise<NativeWebSocket>((resolve, reject) => {
    let settled = false;
    const request = (secure ? https : http).request({
      host: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      agent: false,
      headers: {
        ...options.headers,
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': key,
      },
      ...(secure
        ? {
            rejectUnauthorized: true,
            ...(options.ca === undefined ? {} : { ca: [...options.ca] }),
          }
        : {}),
    });
    const signal = options.signal;
    const timer = setTimeout(() => {
      fail(new NativeConnectError('opening handshake has timed out', 'timeout'));
      request.destroy();
    }, options.handshakeTimeoutMs);
    const onAbort = (): void => {
      fail(new NativeConnectError('connect aborted', 'aborted'));
      request.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    function done(): boolean {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      return true;
    }
    function fail(e: NativeConnectError): void {
      if (done()) reject(e);
    }
    request.on('error', (err: Error) => {
      fail(new NativeConnectError(err.message, 'refused', undefined, { cause: err }));
    });
    request.on('response', (res) => {
      res.resume();
      // node:http reports a 101 as an upgrade only with both Upgrade and Connection: upgrade.
      fail(
        res.statusCode === 101
          ? new NativeConnectError(
              'invalid upgrade response: 101 without Upgrade: websocket and Connection: Upgrade',
              'handshake',
            )
          : new NativeConnectError(
              `upgrade refused with HTTP ${res.statusCode}`,
              'status',
              res.statusCode ?? 0,
            ),
      );
      request.destroy();
    });
    request.on('upgrade', (res, socket: Socket, head: Buffer) => {
      const bad =
        res.headers.upgrade?.toLowerCase() !== 'websocket'
          ? 'Upgrade header is not websocket'
          : res.headers['sec-websocket-accept'] !== expected
            ? 'Sec-WebSocket-Accept does not match the key'
            : res.headers['sec-websocket-extensions'] !== undefined
              ? 'server chose an extension that was not offered'
              : res.headers['sec-websocket-protocol'] !== undefined
                ? 'server chose a subprotocol that was not offered'
                : undefined;
      if (bad !== undefined) {
        socket.destroy();
        fail(new NativeConnectError(`invalid upgrade response: ${bad}`, 'handshake'));
        return;
      }
      if (!done()) {
        socket.destroy();
        return;
      }
      resolve(
        new NativeWebSocket(socket, head, {
          maxPayloadBytes: options.maxPayloadBytes,
          skipUtf8Validation: options.skipUtf8Validation,
        }),
      );
    });
    request.end();
  });
}
