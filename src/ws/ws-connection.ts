import { rootCertificates } from 'node:tls';
import WebSocket from 'ws';
import { createError, type TickwireError } from '../errors/index.js';
import {
  NativeProtocolError,
  connectNative,
  isValidWireCloseCode,
  type NativeConnectError,
  type NativeWebSocket,
} from './native-socket.js';

/**
 * Options of one WebSocket connection. TLS certificates are always verified: there is no
 * option to turn that off.
 *
 * @example
 * const opts: WsConnectionOptions = { url: 'wss://stream.binance.com:9443/ws', handshakeTimeoutMs: 10_000 };
 */
export interface WsConnectionOptions {
  /** `ws://` or `wss://` URL. */
  readonly url: string;
  /** Extra handshake headers (API keys here are redacted in every error and event). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Time allowed for TCP + TLS + upgrade. Default 10 000 (ms). */
  readonly handshakeTimeoutMs?: number;
  /** Negotiate permessage-deflate. Default `false` (it costs CPU per message). */
  readonly perMessageDeflate?: boolean;
  /** `send` fails with `WS_BACKPRESSURE` while more than this is buffered. Default 4 MiB (bytes). */
  readonly highWatermarkBytes?: number;
  /** Largest incoming message accepted. Default 64 MiB (bytes). */
  readonly maxPayloadBytes?: number;
  /**
   * Hand text frames on without ws's UTF-8 check (ws otherwise closes the connection with
   * 1007 on an invalid one). Only for a receiver that validates what it decodes, as
   * {@link WsManager} does with this set. Default `false`.
   */
  readonly skipUtf8Validation?: boolean;
  /**
   * The WebSocket client underneath. `'ws'` (default): the `ws` package. `'native'`:
   * tickwire's own RFC 6455 client, which reads frames straight from each socket read and
   * hands a frame on as a view of that read; about a quarter less CPU per small frame on a
   * busy stream. It negotiates no extension, so `perMessageDeflate: true` is refused with
   * `INVALID_ARGUMENT`.
   */
  readonly transport?: 'ws' | 'native';
  /**
   * Extra certificate authorities (PEM) trusted for `wss://` on top of Node's bundled ones,
   * say a corporate TLS proxy's. Verification itself stays on. Default none.
   */
  readonly extraCaCertificates?: readonly (string | Buffer)[];
}

/** True for a URL that parses and is `ws:` or `wss:`. */
function isWsUrl(url: string): boolean {
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'ws:' || protocol === 'wss:';
  } catch {
    return false;
  }
}

/**
 * Callbacks of a {@link WsConnection}; plain functions so the receive path stays cheap.
 *
 * @example
 * const handlers: WsConnectionHandlers = { onMessage: (d) => parse(d), onClose: (code) => log(code) };
 */
export interface WsConnectionHandlers {
  /** One data frame. `data` is the raw payload. */
  readonly onMessage: (data: Buffer, isBinary: boolean) => void;
  /**
   * The socket closed (after `open` resolved): the peer's close code, 1005 for a close frame
   * without one, 1006 when it dropped or this side failed it (see `onError`).
   */
  readonly onClose: (code: number, reason: string) => void;
  /** A pong control frame arrived. */
  readonly onPong?: () => void;
  /**
   * The peer broke the protocol (a frame RFC 6455 forbids, a text frame that is not UTF-8, a
   * message above `maxPayloadBytes`): the connection is failed with the matching close code
   * and the close follows, reported as 1006 (no close frame was received). A plain socket
   * error (reset) is not reported here: its close (1006) tells it. The same on both transports.
   */
  readonly onError?: (error: TickwireError) => void;
}

/** Node's bundled CAs plus the caller's (node:tls `ca` replaces the bundled list otherwise). */
function trustedCas(extra: readonly (string | Buffer)[]): (string | Buffer)[] {
  return [...rootCertificates, ...extra];
}

/**
 * One WebSocket connection over `ws` or the native client (see
 * {@link WsConnectionOptions.transport}; both behave the same to the caller): connects with
 * a handshake timeout, answers pings, surfaces close codes, refuses to send above a high
 * watermark of buffered bytes, and remembers when it last received anything.
 *
 * @example
 * const c = new WsConnection({ url }, { onMessage: (d) => handle(JSON.parse(d.toString())), onClose });
 * await c.open({ signal });
 * c.send('{"method":"SUBSCRIBE","params":["btcusdt@trade"],"id":1}');
 */
export class WsConnection {
  readonly url: string;
  readonly highWatermarkBytes: number;
  /**
   * Epoch ms of the last frame (data, ping or pong) received; 0 before the first. Frames
   * parsed from one socket read share one stamp.
   */
  lastReceivedAt = 0;
  readonly #options: WsConnectionOptions;
  readonly #handlers: WsConnectionHandlers;
  #ws: WebSocket | undefined;
  #native: NativeWebSocket | undefined;
  /**
   * Aborts a connect still in progress (`close` / `terminate` before it opened): `open`
   * rejects with `ABORTED` on either transport.
   */
  #cancelConnect: (() => void) | undefined;
  #closed = false;

  constructor(options: WsConnectionOptions, handlers: WsConnectionHandlers) {
    this.url = options.url;
    this.highWatermarkBytes = options.highWatermarkBytes ?? 4 * 1024 * 1024;
    this.#options = options;
    this.#handlers = handlers;
  }

  /** True while the socket is open. */
  get isOpen(): boolean {
    if (this.#native !== undefined) return this.#native.isOpen;
    return this.#ws !== undefined && this.#ws.readyState === WebSocket.OPEN;
  }

  /** Bytes queued in the socket, not yet written. */
  get bufferedAmount(): number {
    if (this.#native !== undefined) return this.#native.bufferedAmount;
    return this.#ws?.bufferedAmount ?? 0;
  }

  /**
   * Connects. Rejects with `TRANSPORT_TIMEOUT` (handshake too slow),
   * `TRANSPORT_CONNECTION_FAILED` (refused, reset, TLS, HTTP status instead of an upgrade),
   * `INVALID_ARGUMENT` (not a `ws://` / `wss://` URL; `perMessageDeflate` on 'native') or
   * `ABORTED` (the signal, or `close` / `terminate` before it opened). It never throws.
   */
  open(options: { signal?: AbortSignal } = {}): Promise<void> {
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(createError('ABORTED', 'connect aborted'));
    if (!isWsUrl(this.url)) {
      return Promise.reject(
        createError('INVALID_ARGUMENT', 'websocket URL must be a ws:// or wss:// URL', {
          context: { argument: 'url', url: this.url },
        }),
      );
    }
    if (this.#options.transport === 'native') return this.#openNative(signal);
    const o = this.#options;
    const ws = new WebSocket(o.url, {
      headers: { ...o.headers },
      handshakeTimeout: o.handshakeTimeoutMs ?? 10_000,
      perMessageDeflate: o.perMessageDeflate ?? false,
      maxPayload: o.maxPayloadBytes ?? 64 * 1024 * 1024,
      skipUTF8Validation: o.skipUtf8Validation ?? false,
      rejectUnauthorized: true,
      ...(o.extraCaCertificates === undefined ? {} : { ca: trustedCas(o.extraCaCertificates) }),
    });
    this.#ws = ws;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      let opened = false;
      const onAbort = (): void => {
        fail(createError('ABORTED', 'connect aborted'));
        ws.terminate();
      };
      const fail = (e: TickwireError): void => {
        if (settled) return;
        settled = true;
        this.#cancelConnect = undefined;
        signal?.removeEventListener('abort', onAbort);
        reject(e);
      };
      this.#cancelConnect = onAbort;
      signal?.addEventListener('abort', onAbort, { once: true });
      ws.once('unexpected-response', (_req, res) => {
        fail(
          createError(
            'TRANSPORT_CONNECTION_FAILED',
            `upgrade refused with HTTP ${res.statusCode}`,
            {
              context: { url: o.url, status: res.statusCode ?? 0 },
            },
          ),
        );
        ws.terminate();
      });
      ws.on('error', (err: Error & { code?: string }) => {
        // Before the open, only the first error counts (one after an abort is its echo).
        if (!opened && settled) return;
        const timeout = /timed out/i.test(err.message);
        const e = createError(
          timeout ? 'TRANSPORT_TIMEOUT' : 'TRANSPORT_CONNECTION_FAILED',
          `websocket ${opened ? 'error' : 'connect failed'}: ${err.message}`,
          { context: { url: o.url }, cause: err },
        );
        if (!opened) fail(e);
        else this.#handlers.onError?.(e);
      });
      ws.once('open', () => {
        if (settled) return;
        settled = true;
        opened = true;
        this.#cancelConnect = undefined;
        signal?.removeEventListener('abort', onAbort);
        this.lastReceivedAt = Date.now();
        const onMessage = this.#handlers.onMessage;
        // One clock read per socket read, not per frame: ws parses every frame of a read in
        // one synchronous pass, and the microtask runs right after it.
        let stamped = false;
        const unstamp = (): void => {
          stamped = false;
        };
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          if (!stamped) {
            stamped = true;
            this.lastReceivedAt = Date.now();
            queueMicrotask(unstamp);
          }
          onMessage(data, isBinary);
        });
        ws.on('ping', () => {
          this.lastReceivedAt = Date.now();
        });
        const onPong = this.#handlers.onPong;
        ws.on('pong', () => {
          this.lastReceivedAt = Date.now();
          onPong?.();
        });
        ws.once('close', (code: number, reason: Buffer) => {
          this.#closed = true;
          this.#handlers.onClose(code, reason.toString());
        });
        resolve();
      });
    });
  }

  async #openNative(signal: AbortSignal | undefined): Promise<void> {
    const o = this.#options;
    if (o.perMessageDeflate === true) {
      throw createError(
        'INVALID_ARGUMENT',
        "transport 'native' negotiates no extension: perMessageDeflate must be false",
        { context: { argument: 'perMessageDeflate' } },
      );
    }
    const control = new AbortController();
    this.#cancelConnect = () => control.abort();
    const onAbort = (): void => control.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let native: NativeWebSocket;
    try {
      native = await connectNative({
        url: o.url,
        ...(o.headers === undefined ? {} : { headers: o.headers }),
        handshakeTimeoutMs: o.handshakeTimeoutMs ?? 10_000,
        maxPayloadBytes: o.maxPayloadBytes ?? 64 * 1024 * 1024,
        skipUtf8Validation: o.skipUtf8Validation ?? false,
        signal: control.signal,
        ...(o.extraCaCertificates === undefined ? {} : { ca: trustedCas(o.extraCaCertificates) }),
      });
    } catch (err) {
      const e = err as NativeConnectError;
      if (e.kind === 'aborted') throw createError('ABORTED', 'connect aborted');
      throw createError(
        e.kind === 'timeout' ? 'TRANSPORT_TIMEOUT' : 'TRANSPORT_CONNECTION_FAILED',
        e.kind === 'status' ? e.message : `websocket connect failed: ${e.message}`,
        {
          context: e.status === undefined ? { url: o.url } : { url: o.url, status: e.status },
          cause: err,
        },
      );
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#cancelConnect = undefined;
    }
    if (control.signal.aborted) {
      // Cancelled after the upgrade answer arrived but before this resumed.
      native.terminate();
      throw createError('ABORTED', 'connect aborted');
    }
    this.#native = native;
    this.lastReceivedAt = Date.now();
    const onPong = this.#handlers.onPong;
    let failed = false;
    native.start({
      onMessage: this.#handlers.onMessage,
      onRead: () => {
        this.lastReceivedAt = Date.now();
      },
      ...(onPong === undefined ? {} : { onPong }),
      onClose: (code, reason) => {
        this.#closed = true;
        // As with ws: a connection this side failed (close frame with 1002 / 1007 / 1009 sent,
        // nothing read after it) reports 1006, no close frame having been received.
        if (failed) this.#handlers.onClose(1006, '');
        else this.#handlers.onClose(code, reason);
      },
      onError: (err) => {
        // As with ws: only a protocol violation is reported; a socket error (reset) is not,
        // the close (1006) that follows tells it.
        if (!(err instanceof NativeProtocolError)) return;
        failed = true;
        this.#handlers.onError?.(
          createError('TRANSPORT_CONNECTION_FAILED', `websocket error: ${err.message}`, {
            context: { url: o.url },
            cause: err,
          }),
        );
      },
    });
  }

  /**
   * Sends one text frame now. Throws `WS_NOT_CONNECTED` when closed and `WS_BACKPRESSURE`
   * when more than `highWatermarkBytes` are already buffered.
   */
  send(data: string): void {
    if (!this.isOpen) throw createError('WS_NOT_CONNECTED', 'websocket is not open');
    if (this.bufferedAmount > this.highWatermarkBytes) {
      throw createError(
        'WS_BACKPRESSURE',
        `websocket send buffer above ${this.highWatermarkBytes} bytes`,
      );
    }
    if (this.#native !== undefined) this.#native.sendText(data);
    else this.#ws!.send(data);
  }

  /** Sends a ping control frame; false when not open. */
  ping(): boolean {
    if (this.#native !== undefined) return this.#native.ping();
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) return false;
    ws.ping();
    return true;
  }

  /**
   * Closes with a close frame (`code` default 1000). While still connecting, the connect is
   * dropped instead and `open` rejects with `ABORTED`. Throws `INVALID_ARGUMENT` for a code
   * that may not be sent (RFC 6455 §7.4: 1000–1003, 1007–1014, 3000–4999) or a reason above
   * 123 UTF-8 bytes, on either transport.
   */
  close(code = 1000, reason = ''): void {
    if (!Number.isInteger(code) || !isValidWireCloseCode(code)) {
      throw createError('INVALID_ARGUMENT', `close code ${code} may not be sent`, {
        context: { argument: 'code' },
      });
    }
    if (Buffer.byteLength(reason) > 123) {
      throw createError('INVALID_ARGUMENT', 'close reason above 123 UTF-8 bytes', {
        context: { argument: 'reason' },
      });
    }
    if (this.#closed) return;
    if (this.#cancelConnect !== undefined) {
      this.#cancelConnect();
      return;
    }
    if (this.#native !== undefined) {
      this.#native.close(code, reason);
      return;
    }
    this.#ws?.close(code, reason);
  }

  /**
   * Destroys the socket without a close handshake (dead peer). While still connecting,
   * `open` rejects with `ABORTED`.
   */
  terminate(): void {
    this.#cancelConnect?.();
    this.#native?.terminate();
    this.#ws?.terminate();
  }
}
