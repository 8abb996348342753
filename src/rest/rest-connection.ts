import { Pool, type Dispatcher } from 'undici';
import { createError, isTickwireError } from '../errors/tickwire-error.js';
import type { TickwireError } from '../errors/tickwire-error.js';
import type { HttpMethod } from './types.js';

/**
 * Options of {@link RestConnection}.
 *
 * @example
 * const options: RestConnectionOptions = { origin: 'https://api.binance.com', connections: 8 };
 */
export interface RestConnectionOptions {
  /** `scheme://host[:port]`; a path, if any, is ignored. Required. */
  readonly origin: string;
  /** Maximum sockets to the origin (the connection cap). Default 16. */
  readonly connections?: number;
  /** Idle keep-alive before a socket is closed, in ms. Default 4000 (undici's). */
  readonly keepAliveTimeoutMs?: number;
  /** TCP + TLS connect timeout, in ms. Default 10000. */
  readonly connectTimeoutMs?: number;
  /** Time to receive the response headers, in ms. Default 10000 (Binance's own server timeout). */
  readonly headersTimeoutMs?: number;
  /** Maximum gap between two body chunks, in ms. Default 10000. */
  readonly bodyTimeoutMs?: number;
  /** Largest response body accepted, in bytes. Default 16 MiB. */
  readonly maxResponseBytes?: number;
}

/**
 * One HTTP request on the wire: method, path with its encoded query, headers, body bytes.
 *
 * @example
 * const wire: WireRequest = { method: 'GET', path: '/api/v3/time', headers: {} };
 */
export interface WireRequest {
  readonly method: HttpMethod;
  /** Path and encoded query string, sent byte for byte. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Overrides the headers and body timeouts for this request, in ms. Default: the pool's. */
  readonly timeoutMs?: number;
}

/**
 * What came back: status, lower-case headers, body text.
 *
 * @example
 * const { status, text } = await connection.request(wire);
 */
export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

// Errors raised before any byte of the request could have reached the server.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
]);

/**
 * An undici `Pool` to one origin: keep-alive, connect / headers / body timeouts, a cap on
 * sockets, `AbortSignal`. Failures are tickwire errors: `TRANSPORT_TIMEOUT`,
 * `TRANSPORT_CONNECTION_FAILED` (context `sent`: whether the request may have reached the
 * server, which decides if an order's status is unknown), `ABORTED`, `VALIDATION_FAILED`
 * (body too large). Any HTTP status is a response, not an error.
 *
 * @example
 * const conn = new RestConnection({ origin: 'https://api.binance.com' });
 * const res = await conn.request({ method: 'GET', path: '/api/v3/time', headers: {} }, { signal });
 * await conn.close();
 */
export class RestConnection {
  /** The origin this connection talks to. */
  readonly origin: string;
  readonly #pool: Pool;
  readonly #scope: ErrorScope;

  constructor(options: RestConnectionOptions) {
    let url: URL;
    try {
      url = new URL(options.origin);
    } catch (cause) {
      throw createError('INVALID_ARGUMENT', `not a URL: ${options.origin}`, {
        context: { argument: 'origin' },
        cause,
      });
    }
    this.origin = url.origin;
    const maxBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
    this.#scope = { origin: this.origin, maxBytes };
    this.#pool = new Pool(this.origin, {
      connections: options.connections ?? 16,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 4000,
      headersTimeout: options.headersTimeoutMs ?? 10_000,
      bodyTimeout: options.bodyTimeoutMs ?? 10_000,
      connect: { timeout: options.connectTimeoutMs ?? 10_000 },
      maxResponseSize: maxBytes,
    });
  }

  /**
   * Sends one request and reads the whole body.
   *
   * @example
   * const res = await conn.request({ method: 'POST', path: '/order', headers, body }, { signal });
   */
  request(wire: WireRequest, options: { signal?: AbortSignal } = {}): Promise<WireResponse> {
    const { signal } = options;
    return new Promise<WireResponse>((resolve, reject) => {
      const handler = new CollectBody(this.#scope, wire, signal, resolve, reject);
      if (signal !== undefined) {
        if (signal.aborted) {
          handler.onAbort();
          return;
        }
        signal.addEventListener('abort', handler, { once: true });
      }
      // `dispatch` with a handler that collects the body, rather than `request` +
      // `body.text()`: no Readable stream, AsyncResource or consume machinery per response
      // (about a sixth of undici's per-request cost in the rest bench). Timeouts, the size cap
      // and keep-alive are the pool's (or this request's), exactly as with `request`.
      const dispatch: Dispatcher.DispatchOptions = {
        method: wire.method,
        path: wire.path,
        headers: wire.headers,
        body: wire.body ?? null,
      };
      if (wire.timeoutMs !== undefined) {
        dispatch.headersTimeout = wire.timeoutMs;
        dispatch.bodyTimeout = wire.timeoutMs;
      }
      this.#pool.dispatch(dispatch, handler);
    });
  }

  /**
   * Closes idle sockets and waits for in-flight requests.
   *
   * @example
   * await conn.close();
   */
  async close(): Promise<void> {
    await this.#pool.close();
  }

  /**
   * Destroys every socket at once, failing in-flight requests.
   *
   * @example
   * await conn.destroy();
   */
  async destroy(): Promise<void> {
    await this.#pool.destroy();
  }
}

/** Where a connection's failures are reported from: its origin and size cap. */
interface ErrorScope {
  readonly origin: string;
  readonly maxBytes: number;
}

/** The tickwire error for an undici failure of `wire`. */
function mapError(
  scope: ErrorScope,
  cause: unknown,
  wire: WireRequest,
  signal: AbortSignal | undefined,
): TickwireError {
  if (isTickwireError(cause)) return cause;
  const url = `${scope.origin}${wire.path}`;
  const base = { method: wire.method, url };
  if (signal?.aborted === true) {
    return createError('ABORTED', `${wire.method} ${url} aborted`, {
      context: { ...base, sent: true },
      cause,
    });
  }
  const code = errorCode(cause);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return createError('TRANSPORT_TIMEOUT', `connect timeout: ${wire.method} ${url}`, {
        context: { ...base, phase: 'connect', sent: false },
        cause,
      });
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return createError(
        'TRANSPORT_TIMEOUT',
        `${code === 'UND_ERR_HEADERS_TIMEOUT' ? 'headers' : 'body'} timeout: ${wire.method} ${url}`,
        {
          context: {
            ...base,
            phase: code === 'UND_ERR_HEADERS_TIMEOUT' ? 'headers' : 'body',
            sent: true,
          },
          cause,
        },
      );
    case 'UND_ERR_RES_EXCEEDED_MAX_SIZE':
      return createError('VALIDATION_FAILED', `response body exceeds ${scope.maxBytes} bytes`, {
        context: { ...base, what: `${wire.method} ${wire.path}`, path: '' },
        cause,
      });
    default: {
      const sent = code === undefined || !NOT_SENT_CODES.has(code);
      const message = cause instanceof Error ? cause.message : String(cause);
      return createError('TRANSPORT_CONNECTION_FAILED', `${wire.method} ${url}: ${message}`, {
        context: { ...base, sent, ...(code === undefined ? {} : { errorCode: code }) },
        cause,
      });
    }
  }
}

const NO_HEADERS: Readonly<Record<string, string | string[] | undefined>> = Object.freeze({});

/**
 * Undici dispatch handler that gathers one response: status, parsed headers, the body as
 * UTF-8 text. Settles once; an abort of the caller's signal rejects at once (a request still
 * waiting for a socket is then aborted when it would start, so it is never sent).
 */
class CollectBody implements Dispatcher.DispatchHandler {
  readonly #scope: ErrorScope;
  readonly #wire: WireRequest;
  #resolve: ((res: WireResponse) => void) | undefined;
  readonly #reject: (error: TickwireError) => void;
  readonly #signal: AbortSignal | undefined;
  #controller: Dispatcher.DispatchController | undefined;
  #status = 0;
  #headers: Readonly<Record<string, string | string[] | undefined>> = NO_HEADERS;
  #chunks: Buffer[] = [];

  constructor(
    scope: ErrorScope,
    wire: WireRequest,
    signal: AbortSignal | undefined,
    resolve: (res: WireResponse) => void,
    reject: (error: TickwireError) => void,
  ) {
    this.#scope = scope;
    this.#wire = wire;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#signal = signal;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#resolve === undefined) {
      // Settled already (aborted while waiting for a socket): never send it.
      controller.abort(abortReason(this.#signal));
      return;
    }
    this.#controller = controller;
    this.#status = 0;
    this.#headers = NO_HEADERS;
    this.#chunks = [];
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ): void {
    if (statusCode < 200) return; // informational (1xx): the final response follows
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    const resolve = this.#resolve;
    if (resolve === undefined) return;
    this.#settle();
    const chunks = this.#chunks;
    const text =
      chunks.length === 0
        ? ''
        : chunks.length === 1
          ? chunks[0]!.toString('utf8')
          : Buffer.concat(chunks).toString('utf8');
    resolve({ status: this.#status, headers: this.#headers, text });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    if (this.#resolve === undefined) return;
    this.#settle();
    this.#reject(mapError(this.#scope, error, this.#wire, this.#signal));
  }

  /** The caller's signal fired. */
  onAbort(): void {
    if (this.#resolve === undefined) return;
    const controller = this.#controller;
    this.#settle();
    controller?.abort(abortReason(this.#signal));
    this.#reject(mapError(this.#scope, this.#signal?.reason, this.#wire, this.#signal));
  }

  /** `EventListener` form, so the handler itself is the signal's listener. */
  handleEvent(): void {
    this.onAbort();
  }

  #settle(): void {
    this.#resolve = undefined;
    this.#signal?.removeEventListener('abort', this);
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted', { cause: reason });
}

function errorCode(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur !== undefined && depth < 4; depth++) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string') return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}
