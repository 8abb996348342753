import { channel } from 'node:diagnostics_channel';
// The module's object, not the global: `globalThis.performance` is an accessor (a getter call
// per read on the hot path).
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import type { ClockSync } from '../auth/clock-sync.js';
import { encodeParams } from '../auth/payload.js';
import { redactValue } from '../errors/redact.js';
import { createError, isTickwireError, type TickwireError } from '../errors/tickwire-error.js';
import {
  DROP,
  composeInterceptors,
  composeStages,
  type Handler,
  type Interceptor,
  type Stage,
} from '../pipeline/processor.js';
import { parse } from '../schemas/parse.js';
import type {
  Throttler,
  ThrottlePermit,
  ThrottleTicket,
  ThrottlerStats,
} from '../throttle/throttler.js';
import type { ErrorCode } from '../errors/codes.js';
import {
  RestConnection,
  type RestConnectionOptions,
  type WireRequest,
  type WireResponse,
} from './rest-connection.js';
import type { RequestSigner } from './request-signer.js';
import {
  defaultExchangeError,
  retryAfterMs,
  type ExchangeErrorMapper,
  type UsageReader,
} from './response-errors.js';
import type { RestBody, RestRequest, RestResponse } from './types.js';

/**
 * Retry policy for idempotent requests.
 *
 * @example
 * const retry: RetryOptions = { maxAttempts: 4, baseDelayMs: 100 };
 */
export interface RetryOptions {
  /** Attempts in total, first included. Default 3. */
  readonly maxAttempts?: number;
  /** First backoff delay, in ms; doubles per attempt, with jitter in [50 %, 100 %]. Default 200. */
  readonly baseDelayMs?: number;
  /** Largest backoff delay, in ms. Default 5000. */
  readonly maxDelayMs?: number;
  /**
   * A 429 asking to wait longer than this is not retried (the caller gets `RATE_LIMITED`
   * at once), in ms. Default 30000.
   */
  readonly maxRetryAfterMs?: number;
  /** Wait after a 429 without `Retry-After`, in ms. Default 1000. */
  readonly defaultRetryAfterMs?: number;
  /** Ban length assumed after a 418 without `Retry-After`, in ms. Default 120000 (Binance's minimum). */
  readonly defaultBanMs?: number;
}

/**
 * Options of {@link RestManager}.
 *
 * @example
 * const options: RestManagerOptions = {
 *   baseUrl: 'https://api.binance.com',
 *   exchange: 'binance',
 *   throttler,
 *   signer: createQuerySigner({ signer, clock }),
 *   postProcessors: [unwrapEnvelope],
 * };
 */
export interface RestManagerOptions {
  /** Origin and optional path prefix of relative request paths. Required. */
  readonly baseUrl: string;
  /** Exchange name put in error contexts. Default none. */
  readonly exchange?: string;
  /** Rate limiter; requests without `throttle` use `defaultThrottle`. Default none (no throttling). */
  readonly throttler?: Throttler;
  /** Throttle cost of requests that declare none. Default none (such requests are not throttled). */
  readonly defaultThrottle?: RestRequest['throttle'];
  /** Stages run on each outgoing request, in order, after the throttler. Default none. */
  readonly preProcessors?: readonly Stage<RestRequest>[];
  /** Stages run on each successful (2xx/3xx) response, in order, before parsing. Default none. */
  readonly postProcessors?: readonly Stage<RestResponse>[];
  /** Interceptors around the send step (after signing), first = outermost. Default none. */
  readonly interceptors?: readonly Interceptor<RestRequest, RestResponse>[];
  /** Signs requests with `isAuthRequired`. Default none (they fail with `AUTH_MISSING_CREDENTIALS`). */
  readonly signer?: RequestSigner;
  /** Adapter hook mapping exchange error bodies to tickwire codes. Default: `EXCHANGE_ERROR`. */
  readonly mapExchangeError?: ExchangeErrorMapper;
  /** Reads usage headers to correct the throttler upward. Default none. */
  readonly usageReader?: UsageReader;
  /** Re-synced when a response maps to `AUTH_TIMESTAMP_OUTSIDE_WINDOW`. Default none. */
  readonly clock?: Pick<ClockSync, 'sync'>;
  /** Retry policy of idempotent requests. */
  readonly retry?: RetryOptions;
  /** Socket options of every origin's connection pool. */
  readonly connection?: Omit<RestConnectionOptions, 'origin'>;
  /** Headers sent with every request. Default none. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Counters of a {@link RestManager}.
 *
 * @example
 * const { requests, errors } = rest.stats();
 */
export interface RestManagerStats {
  /** Calls to `send` / `execute` / `call`. */
  readonly requests: number;
  /** Attempts sent or tried (retries included). */
  readonly attempts: number;
  /** Attempts after the first. */
  readonly retries: number;
  /** Calls that returned a response. */
  readonly succeeded: number;
  /** Failed calls by error code. */
  readonly errors: Readonly<Partial<Record<ErrorCode, number>>>;
  /** The throttler's snapshot, when there is one. */
  readonly throttle: ThrottlerStats | undefined;
}

/**
 * Payload of `tickwire:rest:request` (published before each attempt, secrets redacted).
 *
 * @example
 * diagnostics_channel.subscribe('tickwire:rest:request', (m) => log(m as RestRequestEvent));
 */
export interface RestRequestEvent {
  readonly method: string;
  readonly url: string;
  readonly attempt: number;
  readonly idempotent: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly throttleKey: string | undefined;
  readonly weight: number | undefined;
}

/**
 * Payload of `tickwire:rest:response` (published after each attempt, secrets redacted).
 *
 * @example
 * diagnostics_channel.subscribe('tickwire:rest:response', (m) => record(m as RestResponseEvent));
 */
export interface RestResponseEvent {
  readonly method: string;
  readonly url: string;
  readonly attempt: number;
  /** HTTP status, or `undefined` when no response arrived. */
  readonly status: number | undefined;
  readonly durationMs: number;
  /** The error code this attempt ended with, if any. */
  readonly errorCode: string | undefined;
}

/**
 * An endpoint declared as data: everything but the parameters, plus the response schema.
 *
 * @example
 * const depth = {
 *   method: 'GET', path: '/api/v3/depth', what: 'binance depth snapshot',
 *   throttle: { key: 'REQUEST_WEIGHT', weight: 5 }, schema: DepthSnapshot,
 * } satisfies RestEndpoint<typeof DepthSnapshot>;
 */
export interface RestEndpoint<TSchema extends z.ZodType> extends Omit<
  RestRequest,
  'query' | 'body' | 'rawQuery'
> {
  /** Schema of the successful response body. */
  readonly schema: TSchema;
}

const requestChannel = channel('tickwire:rest:request');
const responseChannel = channel('tickwire:rest:response');

// Brands a failed attempt, so no field a post-processor adds to a response can be mistaken for it.
const FAILED: unique symbol = Symbol('tickwire.rest.failed');

interface Classified {
  readonly [FAILED]: true;
  readonly error: TickwireError;
  /** Retry after this many ms, or undefined for no retry. */
  readonly retryInMs: number | undefined;
}

/**
 * The REST half of the manager stack: throttle → pre-processors → signer (when
 * `isAuthRequired`) → send → post-processors → zod parse → typed result, or a typed
 * `TickwireError`:
 *
 * | condition | code |
 * |---|---|
 * | 429 | `RATE_LIMITED` (`retryAfterMs`; the request's pools are paused that long) |
 * | 418 | `IP_BANNED` (`until`, epoch ms; the throttler stops the host) |
 * | other 4xx | `EXCHANGE_ERROR` (`exchangeCode`, `exchangeMessage`) or the adapter's mapping |
 * | 5xx, idempotent, retries used up | `EXCHANGE_UNAVAILABLE` |
 * | 5xx or timeout / reset after sending, not idempotent | `ORDER_STATUS_UNKNOWN` |
 * | connect / headers / body timeout | `TRANSPORT_TIMEOUT` |
 * | refused, reset, DNS | `TRANSPORT_CONNECTION_FAILED` |
 * | body does not match the schema | `VALIDATION_FAILED` (names the field) |
 * | caller's signal | `ABORTED` (queued or in flight) |
 *
 * Idempotent requests (GET by default) are retried on connection errors, timeouts, 5xx and
 * 429, with exponential backoff and at least `Retry-After`; others are never re-sent
 * automatically, except after `AUTH_TIMESTAMP_OUTSIDE_WINDOW` (the exchange rejected it
 * before executing), once, after the clock re-sync.
 *
 * @example
 * const rest = new RestManager({ baseUrl: 'https://api.binance.com', throttler });
 * const depth = await rest.execute(
 *   { method: 'GET', path: '/api/v3/depth', query: { symbol: 'BTCUSDT' }, throttle: { key: 'REQUEST_WEIGHT', weight: 5 } },
 *   DepthSnapshot,
 *   { signal },
 * );
 * await rest.close();
 */
export class RestManager {
  readonly #base: URL;
  readonly #basePrefix: string;
  // URL#origin builds a new string per read; the hot path reads it once per request.
  readonly #baseOrigin: string;
  readonly #options: RestManagerOptions;
  readonly #connections = new Map<string, RestConnection>();
  /** 418 bans by origin: epoch ms until which nothing is sent there. */
  readonly #bans = new Map<string, number>();
  readonly #pre: Stage<RestRequest> | undefined;
  readonly #post: Stage<RestResponse> | undefined;
  readonly #interceptors: readonly Interceptor<RestRequest, RestResponse>[];
  readonly #tickets = new WeakMap<object, ThrottleTicket>();
  readonly #maxAttempts: number;
  readonly #baseDelay: number;
  readonly #maxDelay: number;
  readonly #maxRetryAfter: number;
  readonly #defaultRetryAfter: number;
  readonly #defaultBan: number;
  #closed = false;
  readonly #counts = {
    requests: 0,
    attempts: 0,
    retries: 0,
    succeeded: 0,
    errors: {} as Partial<Record<ErrorCode, number>>,
  };

  constructor(options: RestManagerOptions) {
    try {
      this.#base = new URL(options.baseUrl);
    } catch (cause) {
      throw createError('INVALID_ARGUMENT', `baseUrl is not a URL: ${options.baseUrl}`, {
        context: { argument: 'baseUrl' },
        cause,
      });
    }
    this.#basePrefix = this.#base.pathname.replace(/\/+$/, '');
    this.#baseOrigin = this.#base.origin;
    this.#options = options;
    const pre = options.preProcessors ?? [];
    const post = options.postProcessors ?? [];
    this.#pre = pre.length === 0 ? undefined : composeStages(pre);
    this.#post = post.length === 0 ? undefined : composeStages(post);
    this.#interceptors = (options.interceptors ?? []).slice();
    const r = options.retry ?? {};
    this.#maxAttempts = Math.max(1, Math.floor(r.maxAttempts ?? 3));
    this.#baseDelay = r.baseDelayMs ?? 200;
    this.#maxDelay = r.maxDelayMs ?? 5000;
    this.#maxRetryAfter = r.maxRetryAfterMs ?? 30_000;
    this.#defaultRetryAfter = r.defaultRetryAfterMs ?? 1000;
    this.#defaultBan = r.defaultBanMs ?? 120_000;
  }

  /**
   * Sends a request through the pipeline and parses the body with `schema`.
   *
   * @example
   * const time = await rest.execute({ method: 'GET', path: '/api/v3/time' }, ServerTime, { signal });
   */
  execute<TSchema extends z.ZodType>(
    request: RestRequest,
    schema: TSchema,
    options: { signal?: AbortSignal } = NO_OPTIONS,
  ): Promise<z.output<TSchema>> {
    // Not `await this.send(…)`: one async frame per request, not two.
    return this.#run(request, options, schema) as Promise<z.output<TSchema>>;
  }

  /**
   * Calls an endpoint declared as data with its parameters.
   *
   * @example
   * const book = await rest.call(depthEndpoint, { query: { symbol: 'BTCUSDT', limit: 100 }, signal });
   */
  call<TSchema extends z.ZodType>(
    endpoint: RestEndpoint<TSchema>,
    params: { query?: RestRequest['query']; body?: RestBody; signal?: AbortSignal } = {},
  ): Promise<z.output<TSchema>> {
    const { schema, ...rest } = endpoint;
    const request: RestRequest = {
      ...rest,
      ...(params.query === undefined ? {} : { query: params.query }),
      ...(params.body === undefined ? {} : { body: params.body }),
    };
    return this.execute(
      request,
      schema,
      params.signal === undefined ? {} : { signal: params.signal },
    );
  }

  /**
   * Sends a request through throttle → pre → sign → send → post, with retries, and returns
   * the successful response (no schema parse).
   *
   * @example
   * const res = await rest.send({ method: 'GET', path: '/api/v3/ping' });
   */
  send(
    request: RestRequest,
    options: { signal?: AbortSignal } = NO_OPTIONS,
  ): Promise<RestResponse> {
    return this.#run(request, options, undefined) as Promise<RestResponse>;
  }

  /**
   * Counters since construction: requests, attempts, retries, successes, failures by code,
   * and the throttler's snapshot.
   *
   * @example
   * const { retries, errors } = rest.stats();
   */
  stats(): RestManagerStats {
    const c = this.#counts;
    return {
      requests: c.requests,
      attempts: c.attempts,
      retries: c.retries,
      succeeded: c.succeeded,
      errors: { ...c.errors },
      throttle: this.#options.throttler?.stats(),
    };
  }

  /**
   * Closes every connection pool (waits for in-flight requests).
   *
   * @example
   * await rest.close();
   */
  async close(): Promise<void> {
    this.#closed = true;
    const conns = [...this.#connections.values()];
    this.#connections.clear();
    await Promise.all(conns.map((c) => c.close()));
  }

  /**
   * `send`, then the schema parse when `schema` is given (outside the counted try: a body that
   * fails its schema is the caller's error, not a failed request).
   */
  async #run(
    request: RestRequest,
    options: { signal?: AbortSignal },
    schema: z.ZodType | undefined,
  ): Promise<unknown> {
    let response: RestResponse;
    this.#counts.requests++;
    try {
      if (this.#closed) throw createError('CLOSED', 'the REST manager was closed');
      const { signal } = options;
      const idempotent = request.idempotent ?? request.method === 'GET';
      const throttle = request.throttle ?? this.#options.defaultThrottle;
      const throttler = this.#options.throttler;
      const ticket =
        throttler === undefined || throttle === undefined
          ? undefined
          : this.#ticketFor(throttle, request.path);
      let resynced = false;
      for (let attempt = 1; ; attempt++) {
        if (signal?.aborted === true) throw abortError(request, signal, false);
        if (this.#bans.size > 0) this.#checkBan(request);
        let permit: ThrottlePermit | undefined;
        if (ticket !== undefined) {
          permit = throttler!.tryAcquire(ticket) ?? (await throttler!.acquire(ticket, options));
        }
        this.#counts.attempts++;
        if (attempt > 1) this.#counts.retries++;
        let outcome: RestResponse | Classified;
        try {
          outcome = await this.#attempt(request, attempt, idempotent, signal);
        } finally {
          permit?.release();
        }
        if (!(FAILED in outcome)) {
          this.#counts.succeeded++;
          response = outcome;
          break;
        }
        const { error } = outcome;
        let retryIn = outcome.retryInMs;
        if (error.code === 'AUTH_TIMESTAMP_OUTSIDE_WINDOW' && this.#options.clock && !resynced) {
          resynced = true;
          await this.#options.clock.sync(options);
          retryIn = 0;
        } else if (retryIn === undefined || attempt >= this.#maxAttempts) {
          throw this.#finalError(error, request, attempt, idempotent);
        }
        if (retryIn > 0) await sleep(retryIn, request, signal);
      }
    } catch (e) {
      const code = isTickwireError(e) ? e.code : 'INTERNAL';
      this.#counts.errors[code] = (this.#counts.errors[code] ?? 0) + 1;
      throw e;
    }
    if (schema === undefined) return response;
    const fast = schema.safeParse(response.data);
    if (fast.success) return fast.data;
    return parse(schema, response.data, request.what ?? `${request.method} ${request.path}`);
  }

  async #attempt(
    original: RestRequest,
    attempt: number,
    idempotent: boolean,
    signal: AbortSignal | undefined,
  ): Promise<RestResponse | Classified> {
    let request = original;
    if (this.#pre !== undefined) {
      const pending = this.#pre(request);
      const out = pending instanceof Promise ? await pending : pending;
      if (out === DROP) throw dropped(original, 'pre-processor');
      request = out;
    }
    if (request.isAuthRequired === true) {
      const signer = this.#options.signer;
      if (signer === undefined) {
        throw createError(
          'AUTH_MISSING_CREDENTIALS',
          `${request.method} ${request.path} needs credentials`,
          {
            context: this.#base_(request),
          },
        );
      }
      const signed = signer(request, signal === undefined ? NO_OPTIONS : { signal });
      request = signed instanceof Promise ? await signed : signed;
    }
    let response: RestResponse;
    try {
      if (this.#interceptors.length === 0) {
        // `#transport` inlined: one async frame less per request on the common path.
        const { origin, wire } = this.#toWire(request);
        const connection = this.#connectionFor(origin);
        if (requestChannel.hasSubscribers) publishRequest(request, wire, origin, attempt);
        const t0 = performance.now();
        let raw: WireResponse;
        try {
          raw = await connection.request(wire, signal === undefined ? NO_OPTIONS : { signal });
        } catch (e) {
          if (responseChannel.hasSubscribers) publishFailure(e, wire, origin, attempt, t0);
          throw e;
        }
        response = this.#received(request, attempt, wire, origin, raw, t0);
      } else {
        const ctx: AttemptContext = { attempt, signal };
        const terminal: Handler<RestRequest, RestResponse> = (req) => this.#transport(req, ctx);
        response = await composeInterceptors(this.#interceptors, terminal)(request);
      }
    } catch (e) {
      const error = isTickwireError(e)
        ? e
        : createError(
            'INTERNAL',
            'the send step (an interceptor or the transport) threw a non-tickwire error',
            {
              cause: e,
            },
          );
      return this.#classifyFailure(error, request, idempotent, attempt);
    }
    const status = response.status;
    if (status < 400) {
      const mapped = this.#options.mapExchangeError?.(response);
      if (mapped !== undefined) return { [FAILED]: true, error: mapped, retryInMs: undefined };
      if (this.#post === undefined) return response;
      const pending = this.#post(response);
      const out = pending instanceof Promise ? await pending : pending;
      if (out === DROP) throw dropped(original, 'post-processor');
      return out;
    }
    return this.#classifyStatus(response, idempotent, attempt);
  }

  /** The terminal handler: wire bytes out, response in. Interceptors wrap it. */
  async #transport(request: RestRequest, ctx: AttemptContext): Promise<RestResponse> {
    const { attempt, signal } = ctx;
    const { origin, wire } = this.#toWire(request);
    const connection = this.#connectionFor(origin);
    if (requestChannel.hasSubscribers) publishRequest(request, wire, origin, attempt);
    const t0 = performance.now();
    let raw: WireResponse;
    try {
      raw = await connection.request(wire, signal === undefined ? NO_OPTIONS : { signal });
    } catch (e) {
      if (responseChannel.hasSubscribers) publishFailure(e, wire, origin, attempt, t0);
      throw e;
    }
    return this.#received(request, attempt, wire, origin, raw, t0);
  }

  /** After the wire answered: the response event, usage feedback, the parsed response. */
  #received(
    request: RestRequest,
    attempt: number,
    wire: WireRequest,
    origin: string,
    raw: WireResponse,
    t0: number,
  ): RestResponse {
    const durationMs = performance.now() - t0;
    if (responseChannel.hasSubscribers) {
      publishResponse(wire, origin, attempt, raw.status, durationMs, undefined);
    }
    const throttler = this.#options.throttler;
    const reader = this.#options.usageReader;
    if (throttler !== undefined && reader !== undefined) {
      const now = Date.now();
      for (const u of reader(raw.headers)) throttler.observeUsage(u.pool, u.used, now);
    }
    return {
      status: raw.status,
      headers: raw.headers,
      text: raw.text,
      data: parseBody(raw.text, raw.headers['content-type'], raw.status, request),
      request,
      attempt,
      durationMs,
    };
  }

  #classifyFailure(
    error: TickwireError,
    request: RestRequest,
    idempotent: boolean,
    attempt: number,
  ): Classified {
    const transport =
      error.code === 'TRANSPORT_TIMEOUT' || error.code === 'TRANSPORT_CONNECTION_FAILED';
    if (!transport) throw error;
    if (idempotent) return { [FAILED]: true, error, retryInMs: this.#backoff(attempt) };
    const sent = (error.context as { sent?: unknown }).sent !== false;
    if (!sent) return { [FAILED]: true, error, retryInMs: undefined };
    throw createError(
      'ORDER_STATUS_UNKNOWN',
      `${request.method} ${request.path}: ${error.code === 'TRANSPORT_TIMEOUT' ? 'timed out' : 'connection lost'} after sending; the outcome is unknown`,
      { context: { ...this.#base_(request), reason: error.code }, cause: error },
    );
  }

  #classifyStatus(response: RestResponse, idempotent: boolean, attempt: number): Classified {
    const request = response.request;
    const base = { ...this.#base_(request), status: response.status };
    const now = Date.now();
    if (response.status === 418) {
      const until = banUntil(response, now) ?? now + this.#defaultBan;
      const host = this.#originOf(request.path);
      // Enforced here too, so a manager without a throttler also stops the host.
      this.#bans.set(host, Math.max(this.#bans.get(host) ?? 0, until));
      this.#options.throttler?.ban(host, until);
      throw createError(
        'IP_BANNED',
        `${request.method} ${request.path}: IP banned until ${new Date(until).toISOString()}`,
        {
          context: { ...base, until, host },
        },
      );
    }
    if (response.status === 429) {
      const waitMs = retryAfterMs(response.headers, now) ?? this.#defaultRetryAfter;
      const throttle = request.throttle ?? this.#options.defaultThrottle;
      if (throttle !== undefined && this.#options.throttler !== undefined) {
        const pools = [throttle.key, ...(throttle.linked ?? []).map((l) => l.pool)];
        this.#options.throttler.pause(pools, waitMs, now);
      }
      const error = createError(
        'RATE_LIMITED',
        `${request.method} ${request.path}: rate limited for ${waitMs} ms`,
        {
          context: {
            ...base,
            retryAfterMs: waitMs,
            ...(throttle === undefined ? {} : { pool: throttle.key }),
          },
        },
      );
      const retry = idempotent && waitMs <= this.#maxRetryAfter;
      return {
        [FAILED]: true,
        error,
        retryInMs: retry ? Math.max(waitMs, this.#backoff(attempt)) : undefined,
      };
    }
    if (response.status >= 500) {
      const error = defaultExchangeError(response, base);
      if (!idempotent) {
        throw createError(
          'ORDER_STATUS_UNKNOWN',
          `${request.method} ${request.path} → ${response.status}: the outcome is unknown`,
          { context: { ...base, reason: 'EXCHANGE_UNAVAILABLE' }, cause: error },
        );
      }
      const retryAfter = retryAfterMs(response.headers, now) ?? 0;
      return { [FAILED]: true, error, retryInMs: Math.max(retryAfter, this.#backoff(attempt)) };
    }
    const mapped = this.#options.mapExchangeError?.(response);
    return {
      [FAILED]: true,
      error: mapped ?? defaultExchangeError(response, base),
      retryInMs: undefined,
    };
  }

  /** The error the caller gets once retrying is over. */
  #finalError(
    error: TickwireError,
    request: RestRequest,
    attempts: number,
    idempotent: boolean,
  ): TickwireError {
    if (idempotent && error.code === 'EXCHANGE_ERROR' && (error.context.status ?? 0) >= 500) {
      return createError(
        'EXCHANGE_UNAVAILABLE',
        `${request.method} ${request.path}: the exchange answered ${error.context.status} ${attempts} time(s)`,
        { context: { ...error.context, attempts }, cause: error },
      );
    }
    return error;
  }

  #backoff(attempt: number): number {
    const exp = Math.min(this.#maxDelay, this.#baseDelay * 2 ** (attempt - 1));
    return Math.round(exp * (0.5 + Math.random() * 0.5));
  }

  #base_(request: RestRequest): { method: string; url: string; exchange?: string } {
    const exchange = this.#options.exchange;
    return {
      method: request.method,
      url: request.path,
      ...(exchange === undefined ? {} : { exchange }),
    };
  }

  #checkBan(request: RestRequest): void {
    const host = this.#originOf(request.path);
    const until = this.#bans.get(host);
    if (until === undefined) return;
    if (until <= Date.now()) {
      this.#bans.delete(host);
      return;
    }
    throw createError(
      'IP_BANNED',
      `${request.method} ${request.path}: IP banned until ${new Date(until).toISOString()}`,
      { context: { ...this.#base_(request), until, host } },
    );
  }

  /** One ticket per declared throttle object and host, so the throttler can cache its costs. */
  #ticketFor(throttle: NonNullable<RestRequest['throttle']>, path: string): ThrottleTicket {
    const host = this.#originOf(path);
    const cached = this.#tickets.get(throttle);
    if (cached !== undefined && cached.host === host) return cached;
    const ticket: ThrottleTicket = { ...throttle, host };
    this.#tickets.set(throttle, ticket);
    return ticket;
  }

  #originOf(path: string): string {
    if (isAbsolute(path)) {
      try {
        return new URL(path).origin;
      } catch {
        return this.#baseOrigin;
      }
    }
    return this.#baseOrigin;
  }

  #connectionFor(origin: string): RestConnection {
    let conn = this.#connections.get(origin);
    if (conn === undefined) {
      if (this.#closed) throw createError('CLOSED', 'the REST manager was closed');
      conn = new RestConnection({ ...this.#options.connection, origin });
      this.#connections.set(origin, conn);
    }
    return conn;
  }

  #toWire(request: RestRequest): { origin: string; wire: WireRequest } {
    let origin: string;
    let path: string;
    if (isAbsolute(request.path)) {
      const url = new URL(request.path);
      origin = url.origin;
      path = url.pathname + url.search;
    } else {
      origin = this.#baseOrigin;
      path = this.#basePrefix + (request.path.startsWith('/') ? request.path : `/${request.path}`);
    }
    const query = request.query === undefined ? '' : encodeParams(request.query);
    const raw = request.rawQuery ?? '';
    const qs = query === '' ? raw : raw === '' ? query : `${query}&${raw}`;
    if (qs !== '') path += (path.includes('?') ? '&' : '?') + qs;
    const defaults = this.#options.headers;
    let headers: Record<string, string>;
    if (request.body === undefined && request.headers !== undefined && defaults === undefined) {
      headers = request.headers as Record<string, string>; // read only from here on
    } else headers = { ...defaults, ...request.headers };
    let body: string | undefined;
    if (request.body !== undefined) {
      const b = request.body;
      let contentType: string;
      if ('form' in b) {
        body = encodeParams(b.form);
        contentType = 'application/x-www-form-urlencoded';
      } else if ('json' in b) {
        body = JSON.stringify(b.json);
        contentType = 'application/json';
      } else {
        body = b.text;
        contentType = b.contentType ?? 'text/plain;charset=utf-8';
      }
      if (!hasHeader(headers, 'content-type')) headers['content-type'] = contentType;
    }
    // No conditional spreads: each one allocates and copies a temporary object per request.
    const wire: { -readonly [K in keyof WireRequest]: WireRequest[K] } = {
      method: request.method,
      path,
      headers,
    };
    if (body !== undefined) wire.body = body;
    if (request.timeoutMs !== undefined) wire.timeoutMs = request.timeoutMs;
    return { origin, wire };
  }
}

const NO_OPTIONS: { signal?: AbortSignal } = Object.freeze({});

/** What one attempt's transport call needs besides the request. */
interface AttemptContext {
  readonly attempt: number;
  readonly signal: AbortSignal | undefined;
}

function publishRequest(
  request: RestRequest,
  wire: WireRequest,
  origin: string,
  attempt: number,
): void {
  const event: RestRequestEvent = {
    method: wire.method,
    url: origin + wire.path,
    attempt,
    idempotent: request.idempotent ?? request.method === 'GET',
    headers: wire.headers,
    throttleKey: request.throttle?.key,
    weight: request.throttle?.weight,
  };
  requestChannel.publish(redactValue(event));
}

function publishFailure(
  e: unknown,
  wire: WireRequest,
  origin: string,
  attempt: number,
  t0: number,
): void {
  const code = isTickwireError(e) ? e.code : 'INTERNAL';
  publishResponse(wire, origin, attempt, undefined, performance.now() - t0, code);
}

function publishResponse(
  wire: WireRequest,
  origin: string,
  attempt: number,
  status: number | undefined,
  durationMs: number,
  errorCode: string | undefined,
): void {
  const event: RestResponseEvent = {
    method: wire.method,
    url: origin + wire.path,
    attempt,
    status,
    durationMs,
    errorCode,
  };
  responseChannel.publish(redactValue(event));
}

function isAbsolute(path: string): boolean {
  // Most paths start with '/': no regex for them.
  return path.charCodeAt(0) !== 47 && /^[a-z][a-z0-9+.-]*:\/\//i.test(path);
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name) return true;
  return false;
}

function parseBody(
  text: string,
  contentType: string | string[] | undefined,
  status: number,
  request: RestRequest,
): unknown {
  const ct = Array.isArray(contentType) ? contentType.join(',') : (contentType ?? '');
  const first = text.charCodeAt(0);
  const looksJson = ct.includes('json') || first === 123 /* { */ || first === 91; /* [ */
  if (!looksJson || text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    if (status >= 400 || !ct.includes('json')) return text;
    const what = request.what ?? `${request.method} ${request.path}`;
    throw createError('VALIDATION_FAILED', `${what}: the body is not valid JSON`, {
      context: { what, path: '', status },
      cause,
    });
  }
}

function banUntil(response: RestResponse, now: number): number | undefined {
  const after = retryAfterMs(response.headers, now);
  if (after !== undefined) return now + after;
  // Binance: {"code":-1003,"msg":"Way too many requests; IP banned until 1659146400000. …"}
  const m = /banned until (\d{12,14})/i.exec(response.text);
  return m === null ? undefined : Number(m[1]);
}

function dropped(request: RestRequest, by: string): TickwireError {
  return createError('ABORTED', `${request.method} ${request.path} was dropped by a ${by}`, {
    context: { method: request.method, url: request.path, droppedBy: by },
  });
}

function abortError(request: RestRequest, signal: AbortSignal, inFlight: boolean): TickwireError {
  return createError('ABORTED', `${request.method} ${request.path} aborted`, {
    context: { method: request.method, url: request.path, sent: inFlight },
    cause: signal.reason,
  });
}

function sleep(ms: number, request: RestRequest, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortError(request, signal, false));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(abortError(request, signal!, false));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
