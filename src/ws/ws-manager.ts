import { isUtf8 } from 'node:buffer';
import { createError, isTickwireError, type TickwireError } from '../errors/index.js';
import { DROP as PIPELINE_DROP, composeStages, type Drop, type Stage } from '../pipeline/index.js';
import {
  type BoundedStream,
  type BoundedStreamOptions,
  EventStream,
  FanOut,
  type SequenceId,
} from '../stream/index.js';
import { Backoff, type BackoffConfig } from './backoff.js';
import { CircuitBreaker, type CircuitBreakerConfig } from './circuit-breaker.js';
import { type NoRetryCloseCodes, isNoRetryCloseCode } from './close-codes.js';
import { publishClose, publishOpen, publishReconnect } from './diagnostics.js';
import { Heartbeat, type HeartbeatConfig } from './heartbeat.js';
import { SendLimiter, type SendLimiterConfig } from './send-limiter.js';
import { WsConnection } from './ws-connection.js';
import { type QualityThresholds, RttTracker, type WsStats, rateQuality } from './ws-stats.js';
import type {
  ReplayConfig,
  WsAuthConfig,
  WsChannelSpec,
  WsEvent,
  WsRouter,
  WsRpcConfig,
  WsState,
} from './ws-types.js';

/**
 * Options of a {@link WsManager}.
 *
 * @example
 * const options: WsManagerOptions<BinanceMessage> = {
 *   url: 'wss://stream.binance.com:9443/ws',
 *   router: (m) => (m.e === 'trade' ? `${m.s.toLowerCase()}@trade` : undefined),
 *   sendLimit: { messagesPerSecond: 5 },
 *   backoff: { base: 500, cap: 30_000 },
 * };
 */
export interface WsManagerOptions<TMessage> {
  readonly url: string;
  /** A name for events and diagnostics. Default: the URL's host. */
  readonly name?: string;
  /** Handshake headers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default 10 000 (ms). */
  readonly handshakeTimeoutMs?: number;
  /** Default `false`. */
  readonly perMessageDeflate?: boolean;
  /** Send refused above this many buffered bytes. Default 4 MiB (bytes). */
  readonly highWatermarkBytes?: number;
  /** Maps each message to its channel key. */
  readonly router: WsRouter<TMessage>;
  /** Turns a frame into a message. Default: `JSON.parse` of the UTF-8 text. */
  readonly decode?: (data: Buffer, isBinary: boolean) => TMessage;
  /**
   * A hot-path hook run on every received frame before `decode`: it returns `true` when it
   * consumed the frame, which then counts in `messagesIn` and `tapped` and keeps the
   * heartbeat alive, but is not decoded, post-processed or routed; `false` hands the frame
   * on unchanged. It lets an adapter feed, say, an order book straight from the frame's text
   * without building a message object. It is not called while messages wait behind an async
   * post-processor (arrival order is kept). A throw counts as a parse failure
   * (`MESSAGE_PARSE_FAILED`) and the frame is skipped. `receivedAt` is the epoch ms at which
   * the socket read carrying the frame arrived (one clock read per read, shared by its
   * frames). Default none.
   */
  readonly tap?: (data: Buffer, isBinary: boolean, receivedAt: number) => boolean;
  /**
   * Skip ws's UTF-8 check of each text frame and validate only the frames that reach
   * `decode` (one that is not valid UTF-8 counts as a parse failure, `MESSAGE_PARSE_FAILED`,
   * and is skipped, instead of ws closing the connection with 1007). The `tap` then sees
   * unchecked bytes: it must consume only frames whose every byte it has checked itself
   * (say, a parser that accepts nothing but ASCII). Default `false`.
   */
  readonly skipUtf8Validation?: boolean;
  /**
   * The WebSocket client underneath: `'ws'` (default) or `'native'`, tickwire's own RFC 6455
   * client that hands each frame on as a view of the socket read (see
   * {@link WsConnectionOptions.transport}). Default `'ws'`.
   */
  readonly transport?: 'ws' | 'native';
  /**
   * Extra certificate authorities (PEM) trusted for `wss://` on top of Node's bundled ones
   * (see {@link WsConnectionOptions.extraCaCertificates}). Default none.
   */
  readonly extraCaCertificates?: readonly (string | Buffer)[];
  /** Run on every outgoing frame before it is serialised, in order. Default none. */
  readonly preProcessors?: readonly Stage<unknown>[];
  /** Run on every incoming message before routing, in order; keep them synchronous. Default none. */
  readonly postProcessors?: readonly Stage<TMessage>[];
  /** Reconnect backoff. Defaults: see {@link BackoffConfig}. */
  readonly backoff?: BackoffConfig;
  /** Circuit breaker on connection attempts. Defaults: see {@link CircuitBreakerConfig}. */
  readonly circuitBreaker?: CircuitBreakerConfig;
  /** Heartbeat; `false` disables it. Defaults: see {@link HeartbeatConfig}. */
  readonly heartbeat?: HeartbeatConfig | false;
  /** Outgoing rate of each connection. Defaults: see {@link SendLimiterConfig}. */
  readonly sendLimit?: SendLimiterConfig;
  /** Close codes that stop the manager with `WS_CLOSED_NO_RETRY`. Default 1008, 4001, 4003, 4401, 4403. */
  readonly noRetryCloseCodes?: NoRetryCloseCodes;
  /** Login on every connect. Default none. */
  readonly auth?: WsAuthConfig;
  /**
   * Resubscribe several channels per frame after a (re)connect, e.g. one Binance SUBSCRIBE
   * listing up to 200 streams, so 1024 streams take 6 paced frames instead of 1024. Live
   * `subscribe` calls on an open connection still send their own frame. Default: one frame
   * per channel.
   */
  readonly batchSubscribe?: WsBatchSubscribe;
  /** Request/response matching. Defaults: see {@link WsRpcConfig}. */
  readonly rpc?: WsRpcConfig;
  /** Replay across reconnects. Default `{ mode: 'none' }`. */
  readonly replay?: ReplayConfig<TMessage>;
  /** Quality rating thresholds. Defaults: see {@link QualityThresholds}. */
  readonly quality?: QualityThresholds;
  /**
   * Most incoming messages waiting behind an async post-processor; beyond it they are
   * dropped and reported as `BUFFER_OVERFLOW`. Default 10 000 (messages).
   */
  readonly maxPendingMessages?: number;
}

/**
 * Builds one subscribe frame for several channels.
 *
 * @example
 * const batch: WsBatchSubscribe = {
 *   maxPerFrame: 200,
 *   build: (specs) => ({ method: 'SUBSCRIBE', params: specs.map((s) => s.key), id: Date.now() }),
 * };
 */
export interface WsBatchSubscribe {
  /** Most channels in one frame. Default 100 (channels). */
  readonly maxPerFrame?: number;
  /**
   * The frame subscribing all of `specs` (public and private channels are never mixed);
   * `id` is a fresh correlation id when `acknowledged`.
   */
  readonly build: (specs: readonly WsChannelSpec[], id: number) => unknown;
  /** Wait for the answer to each batch, as {@link WsChannelSpec.acknowledged}. Default `false`. */
  readonly acknowledged?: boolean;
}

/**
 * Options of one send.
 *
 * @example
 * await manager.send({ method: 'ping' }, { priority: 10 });
 */
export interface WsSendOptions {
  /** Higher goes first in the paced queue and in the replay buffer. Default 0. */
  readonly priority?: number;
  readonly signal?: AbortSignal;
}

/**
 * Options of one request.
 *
 * @example
 * await manager.request((id) => ({ id, method: 'time' }), { timeoutMs: 2000 });
 */
export interface WsRequestOptions {
  /** Default: `rpc.timeoutMs` (10 000 ms). */
  readonly timeoutMs?: number;
  /** Default 0. */
  readonly priority?: number;
  readonly signal?: AbortSignal;
}

type JobKind = 'auth' | 'ping' | 'sub' | 'user' | 'rpc';
interface JobTag {
  readonly kind: JobKind;
  readonly key?: string;
  readonly private?: boolean;
}

interface Channel<TMessage> {
  readonly spec: WsChannelSpec;
  readonly deliver: (message: TMessage) => void;
  readonly fan: FanOut<TMessage> | undefined;
  /** Raw channels: told when the channel fails for good (refused subscription). */
  readonly fail: ((error: TickwireError) => void) | undefined;
  /** Connection epoch on which the subscribe frame went out; -1 when not yet. */
  sentEpoch: number;
}

interface PendingRequest {
  readonly resolve: (value: unknown) => void;
  readonly reject: (e: unknown) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly sentAt: number;
}

// A module-level copy: compiled to CommonJS, a re-exported binding is read through a getter,
// and the receive path compares against it once per message (~60 ns in the ws bench profile).
const DROP: Drop = PIPELINE_DROP;
const AUTH_PRIORITY = 1e9;
const DISCONNECT_CODES = new Set<string>(['WS_CLOSED', 'WS_NOT_CONNECTED', 'CLOSED']);
const PING_PRIORITY = 1e8;

function isPromise<T>(v: unknown): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

function defaultDecode(data: Buffer): unknown {
  return JSON.parse(data.toString());
}

function defaultIdOf(m: unknown): string | number | undefined {
  const id = (m as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

function defaultErrorOf(m: unknown): TickwireError | undefined {
  const r = m as { status?: unknown; error?: { code?: unknown; msg?: unknown } } | null;
  const status = typeof r?.status === 'number' ? r.status : undefined;
  if (r?.error == null && (status === undefined || status < 400)) return undefined;
  const exchangeCode = r?.error?.code;
  const exchangeMessage = r?.error?.msg;
  return createError(
    'EXCHANGE_ERROR',
    `websocket request failed${typeof exchangeMessage === 'string' ? `: ${exchangeMessage}` : ''}`,
    {
      context: {
        ...(status === undefined ? {} : { status }),
        ...(typeof exchangeCode === 'number' || typeof exchangeCode === 'string'
          ? { exchangeCode }
          : {}),
        ...(typeof exchangeMessage === 'string' ? { exchangeMessage } : {}),
      },
    },
  );
}

/** Thrown by the decoder when `skipUtf8Validation` is on and a text frame is not UTF-8. */
const NOT_UTF8 = new Error('text frame is not valid UTF-8');

function preview(data: Buffer): string {
  return data.subarray(0, 120).toString();
}

/**
 * The WebSocket manager: keeps one connection alive (backoff with a real reset, circuit
 * breaker, no-retry close codes, heartbeat), resubscribes everything after a reconnect
 * **paced** by a per-connection send limiter (private channels only after the login is
 * acknowledged), runs pre/post processors, routes each message to its channel, fans one
 * upstream subscription out to many bounded readers, matches request/response by id, and
 * reports malformed or unroutable frames as typed errors on {@link WsManager.events} —
 * never into unrelated consumers.
 *
 * @example
 * const m = new WsManager({ url, router: (msg: { stream: string }) => msg.stream });
 * for await (const t of m.subscribe<Trade>({ key: 'btcusdt@trade', subscribe: () => sub('btcusdt@trade') })) {
 *   console.log(t);
 * }
 * await m.close();
 */
export class WsManager<TMessage = unknown> {
  /** Lifecycle events: listener (`on`) or `for await`. */
  readonly events: EventStream<WsEvent>;
  readonly url: string;
  readonly name: string;
  readonly #o: WsManagerOptions<TMessage>;
  readonly #router: WsRouter<TMessage>;
  readonly #decode: (data: Buffer, isBinary: boolean) => TMessage;
  readonly #pre: Stage<unknown> | undefined;
  readonly #post: Stage<TMessage> | undefined;
  readonly #backoff: Backoff;
  readonly #breaker: CircuitBreaker;
  readonly #limiter: SendLimiter;
  readonly #channels = new Map<string, Channel<TMessage>>();
  // Keyed by the id's string form, so a numeric id echoed back as a string still matches.
  readonly #pending = new Map<string, PendingRequest>();
  readonly #rtt = new RttTracker();
  readonly #lifetime = new AbortController();
  readonly #idOf: (m: unknown) => string | number | undefined;
  readonly #errorOf: (m: unknown) => TickwireError | undefined;
  readonly #sequenceOf: ((m: TMessage) => SequenceId | undefined) | undefined;
  readonly #pongMatcher: ((m: unknown) => boolean) | undefined;
  #conn: WsConnection | undefined;
  #heartbeat: Heartbeat | undefined;
  #state: WsState = 'idle';
  #epoch = 0;
  #authed = false;
  #authPending = false;
  #authTimer: ReturnType<typeof setTimeout> | undefined;
  #chain: Promise<void> | undefined;
  #chainDepth = 0;
  #chainDropped = 0;
  readonly #maxChained: number;
  #loop: Promise<void> | undefined;
  #terminal: TickwireError | undefined;
  #openWaiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  #closedWaiter: ((c: { code: number; reason: string }) => void) | undefined;
  #rpcId = 0;
  #lastSequence: SequenceId | undefined;
  #bufferedWhileDown = 0;
  // counters
  #messagesIn = 0;
  #messagesOut = 0;
  #bytesIn = 0;
  #bytesOut = 0;
  #reconnects = 0;
  #parseFailures = 0;
  #tapped = 0;
  #unroutable = 0;
  #opens = 0;

  constructor(options: WsManagerOptions<TMessage>) {
    this.#o = options;
    this.url = options.url;
    this.name = options.name ?? safeHost(options.url);
    this.events = new EventStream<WsEvent>();
    this.#router = options.router;
    this.#maxChained = options.maxPendingMessages ?? 10_000;
    const decode = options.decode ?? (defaultDecode as (d: Buffer, b: boolean) => TMessage);
    this.#decode =
      options.skipUtf8Validation === true
        ? (data, isBinary) => {
            if (!isBinary && !isUtf8(data)) throw NOT_UTF8;
            return decode(data, isBinary);
          }
        : decode;
    this.#pre =
      options.preProcessors && options.preProcessors.length > 0
        ? composeStages(options.preProcessors)
        : undefined;
    this.#post =
      options.postProcessors && options.postProcessors.length > 0
        ? composeStages(options.postProcessors)
        : undefined;
    this.#backoff = new Backoff(options.backoff);
    this.#breaker = new CircuitBreaker(options.circuitBreaker);
    this.#limiter = new SendLimiter(options.sendLimit);
    this.#limiter.setGate(() => false);
    this.#idOf = options.rpc?.idOf ?? defaultIdOf;
    this.#errorOf = options.rpc?.errorOf ?? defaultErrorOf;
    this.#sequenceOf =
      options.replay?.mode === 'sequence_id' ? options.replay.sequenceOf : undefined;
    const hb = options.heartbeat;
    this.#pongMatcher =
      hb !== false && hb?.mode === 'application'
        ? (hb.pongMatcher ?? ((m) => (m as { op?: unknown } | null)?.op === 'pong'))
        : undefined;
  }

  /** The connection state. */
  get state(): WsState {
    return this.#state;
  }

  /** The last sequence id seen (replay mode `sequence_id`). */
  get lastSequence(): SequenceId | undefined {
    return this.#lastSequence;
  }

  /** Epoch ms of the last frame received on the current connection. */
  get lastReceivedAt(): number | undefined {
    return this.#conn?.lastReceivedAt;
  }

  /** Channel keys currently subscribed (the registry). */
  get channels(): readonly string[] {
    return [...this.#channels.keys()];
  }

  /**
   * Starts the connection loop if needed and resolves once a socket is open. Rejects with the
   * terminal error (`WS_CLOSED_NO_RETRY`, `WS_RECONNECT_EXHAUSTED`, `CLOSED`) or `ABORTED`.
   */
  connect(options: { signal?: AbortSignal } = {}): Promise<void> {
    if (this.#terminal !== undefined) return Promise.reject(this.#terminal);
    this.#ensureStarted();
    if (this.#state === 'open') return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const signal = options.signal;
      const onAbort = (): void => {
        this.#openWaiters = this.#openWaiters.filter((w) => w !== waiter);
        reject(createError('ABORTED', 'connect aborted'));
      };
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#openWaiters.push(waiter);
    });
  }

  /**
   * Subscribes and returns a bounded typed async iterator. Several readers of one key share
   * one upstream subscription; leaving the loop (or aborting) releases the reader, and the
   * unsubscribe frame goes out when the last one leaves. Starts the connection if needed.
   * See {@link BoundedStream} for the iterator contract.
   *
   * @example
   * for await (const t of manager.subscribe<Trade>(spec, { capacity: 10_000, signal })) handle(t);
   */
  subscribe<T = TMessage>(
    spec: WsChannelSpec,
    options: BoundedStreamOptions<T> = {},
  ): BoundedStream<T> {
    let ch = this.#channels.get(spec.key);
    if (ch !== undefined && ch.fan === undefined) {
      throw createError('INVALID_ARGUMENT', `channel "${spec.key}" is taken by a raw handler`, {
        context: { argument: 'spec.key' },
      });
    }
    if (this.#terminal !== undefined) {
      // Stopped or closed: a reader that reports why, without touching the registry.
      const dead = new FanOut<T>(() => undefined).reader(options);
      if (this.#state === 'closed') dead.end();
      else dead.fail(this.#terminal);
      return dead;
    }
    if (ch === undefined) {
      const key = spec.key;
      const fan: FanOut<TMessage> = new FanOut<TMessage>(() => this.#removeChannel(key));
      ch = { spec, deliver: (m) => fan.push(m), fan, fail: undefined, sentEpoch: -1 };
      const reader = (fan as unknown as FanOut<T>).reader(options);
      if (reader.closed) return reader;
      this.#addChannel(ch);
      return reader;
    }
    return (ch.fan as unknown as FanOut<T>).reader(options);
  }

  /**
   * Low-level: registers a raw handler for a channel key (one per key; used by the pool and by
   * adapters that fan out themselves). Returns the function that unsubscribes.
   *
   * @example
   * const off = manager.addChannel(spec, (m) => book.apply(m));
   */
  addChannel(
    spec: WsChannelSpec,
    deliver: (message: TMessage) => void,
    fail?: (error: TickwireError) => void,
  ): () => void {
    if (this.#channels.has(spec.key)) {
      throw createError('INVALID_ARGUMENT', `channel "${spec.key}" is already subscribed`, {
        context: { argument: 'spec.key' },
      });
    }
    const ch: Channel<TMessage> = { spec, deliver, fan: undefined, fail, sentEpoch: -1 };
    this.#addChannel(ch);
    return () => {
      if (this.#channels.get(spec.key) === ch) this.#removeChannel(spec.key);
    };
  }

  /**
   * Sends one frame (objects as JSON) through the pre-processors and the paced queue.
   * While disconnected: with replay `full_buffer` the frame waits in a bounded buffer and
   * goes out after the reconnect in priority order; otherwise it fails with
   * `WS_NOT_CONNECTED`.
   */
  async send(frame: unknown, options: WsSendOptions = {}): Promise<void> {
    await this.#enqueue(frame, options.priority ?? 0, { kind: 'user' }, options.signal);
  }

  /**
   * Sends a request built with a fresh correlation id and resolves with the matching
   * response. Rejects with `WS_REQUEST_TIMEOUT`, the response's error (`EXCHANGE_ERROR` by
   * default), `WS_CLOSED` when the socket drops first, or `ABORTED`.
   *
   * @example
   * const res = await manager.request<{ result: { serverTime: number } }>((id) => ({ id, method: 'time' }));
   */
  request<TResponse = unknown>(
    build: (id: number) => unknown,
    options: WsRequestOptions = {},
  ): Promise<TResponse> {
    const id = ++this.#rpcId;
    const timeoutMs = options.timeoutMs ?? this.#o.rpc?.timeoutMs ?? 10_000;
    const { response, cancel } = this.#awaitResponse(id, timeoutMs, options.signal);
    this.#enqueue(build(id), options.priority ?? 0, { kind: 'rpc' }, options.signal).catch(cancel);
    return response as Promise<TResponse>;
  }

  /** Registers a pending response for `id`; `cancel` rejects it early. */
  #awaitResponse(
    id: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): { response: Promise<unknown>; cancel: (e: unknown) => void } {
    let cancel: (e: unknown) => void = () => undefined;
    const response = new Promise<unknown>((resolve, reject) => {
      if (signal?.aborted) return reject(createError('ABORTED', 'request aborted'));
      const onAbort = (): void => settle(createError('ABORTED', 'request aborted'));
      const settle = (e: unknown, value?: unknown): void => {
        const p = this.#pending.get(String(id));
        if (p === undefined) return;
        this.#pending.delete(String(id));
        clearTimeout(p.timer);
        signal?.removeEventListener('abort', onAbort);
        if (e === undefined) resolve(value);
        else reject(e);
      };
      cancel = (e) => settle(e);
      const timer = setTimeout(
        () =>
          settle(
            createError(
              'WS_REQUEST_TIMEOUT',
              `no response to request ${id} within ${timeoutMs} ms`,
              {
                context: { requestId: id, timeoutMs },
              },
            ),
          ),
        timeoutMs,
      );
      this.#pending.set(String(id), {
        resolve: (v) => settle(undefined, v),
        reject: (e) => settle(e),
        timer,
        sentAt: Date.now(),
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return { response, cancel };
  }

  // An acknowledged subscribe: an error answer fails the channels' readers and drops them.
  #watchAck(chs: readonly Channel<TMessage>[], id: number): (e: unknown) => void {
    const { response, cancel } = this.#awaitResponse(id, this.#o.rpc?.timeoutMs ?? 10_000);
    response.catch((e: unknown) => {
      const err = isTickwireError(e)
        ? e
        : createError('INTERNAL', 'subscribe acknowledgement failed', { cause: e });
      // A disconnect or an unsubscribe settles it; the registry resubscribes if still wanted.
      if (DISCONNECT_CODES.has(err.code) || err.code === 'ABORTED') return;
      if (err.code === 'WS_REQUEST_TIMEOUT') {
        this.events.emit({ type: 'error', error: err });
        return;
      }
      for (const ch of chs) {
        if (this.#channels.get(ch.spec.key) !== ch) continue;
        this.#channels.delete(ch.spec.key);
        if (ch.fan !== undefined) ch.fan.fail(err);
        else if (ch.fail !== undefined) ch.fail(err);
        else this.events.emit({ type: 'error', error: err });
      }
    });
    return cancel;
  }

  /** A snapshot of the counters and the connection quality. */
  stats(): WsStats {
    const drops: Record<string, number> = {};
    for (const [key, ch] of this.#channels) if (ch.fan !== undefined) drops[key] = ch.fan.dropped;
    const rtt = this.#rtt;
    return {
      messagesIn: this.#messagesIn,
      messagesOut: this.#messagesOut,
      bytesIn: this.#bytesIn,
      bytesOut: this.#bytesOut,
      reconnects: this.#reconnects,
      parseFailures: this.#parseFailures,
      tapped: this.#tapped,
      unroutable: this.#unroutable,
      dropsByChannel: drops,
      droppedBeforeRouting: this.#chainDropped,
      lastRttMs: rtt.lastMs,
      avgLatencyMs: rtt.avgMs,
      jitterMs: rtt.jitterMs,
      quality:
        rtt.avgMs === undefined
          ? undefined
          : rateQuality(rtt.avgMs, rtt.jitterMs ?? 0, this.#o.quality),
      lastReceivedAt: this.#conn?.lastReceivedAt,
    };
  }

  /**
   * Closes for good: the socket gets a 1000 close, readers end after their buffered values,
   * queued sends and pending requests fail with `CLOSED`.
   */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const wasStopped = this.#terminal !== undefined;
    this.#state = 'closed';
    const closed = createError('CLOSED', 'websocket manager closed');
    this.#terminal ??= closed;
    this.#lifetime.abort(closed);
    this.#limiter.clear(closed);
    this.#rejectPending(closed);
    for (const w of this.#openWaiters.splice(0)) w.reject(closed);
    const conn = this.#conn;
    let force: ReturnType<typeof setTimeout> | undefined;
    if (conn?.isOpen) {
      conn.close(1000, 'client closing');
      // A peer that never answers the close frame must not hold close() up.
      force = setTimeout(() => conn.terminate(), 2000);
    } else conn?.terminate();
    await this.#loop?.catch(() => undefined);
    if (force !== undefined) clearTimeout(force);
    if (!wasStopped) for (const ch of this.#channels.values()) ch.fan?.end();
    this.#channels.clear();
    this.events.end();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---------------------------------------------------------------- connection loop

  #ensureStarted(): void {
    if (this.#loop !== undefined || this.#terminal !== undefined) return;
    this.#loop = this.#run().catch((e: unknown) => {
      this.#stop(
        isTickwireError(e) ? e : createError('INTERNAL', 'websocket loop crashed', { cause: e }),
      );
    });
  }

  async #run(): Promise<void> {
    const signal = this.#lifetime.signal;
    let attempt = 0;
    while (!signal.aborted) {
      const wait = this.#breaker.waitMs(Date.now());
      if (wait > 0) {
        await sleep(wait, signal);
        if (signal.aborted) return;
        this.events.emit({ type: 'circuit', state: 'half-open' });
      }
      this.#state = this.#opens === 0 && attempt === 0 ? 'connecting' : 'reconnecting';
      this.events.emit({ type: 'connecting', url: this.url, attempt });
      const epoch = ++this.#epoch;
      const closed = new Promise<{ code: number; reason: string }>((resolve) => {
        this.#closedWaiter = resolve;
      });
      const conn = new WsConnection(
        {
          url: this.url,
          ...(this.#o.headers === undefined ? {} : { headers: this.#o.headers }),
          ...(this.#o.handshakeTimeoutMs === undefined
            ? {}
            : { handshakeTimeoutMs: this.#o.handshakeTimeoutMs }),
          ...(this.#o.perMessageDeflate === undefined
            ? {}
            : { perMessageDeflate: this.#o.perMessageDeflate }),
          ...(this.#o.highWatermarkBytes === undefined
            ? {}
            : { highWatermarkBytes: this.#o.highWatermarkBytes }),
          ...(this.#o.skipUtf8Validation === true ? { skipUtf8Validation: true } : {}),
          ...(this.#o.transport === undefined ? {} : { transport: this.#o.transport }),
          ...(this.#o.extraCaCertificates === undefined
            ? {}
            : { extraCaCertificates: this.#o.extraCaCertificates }),
        },
        {
          onMessage: this.#onMessage,
          onClose: (code, reason) => this.#closedWaiter?.({ code, reason }),
          onPong: () => this.#heartbeat?.pong(),
          onError: (e) => this.events.emit({ type: 'error', error: e }),
        },
      );
      this.#conn = conn;
      try {
        await conn.open({ signal });
      } catch (e) {
        if (signal.aborted) return;
        const err = isTickwireError(e)
          ? e
          : createError('TRANSPORT_CONNECTION_FAILED', 'connect failed', { cause: e });
        // A configuration error (a URL that is not ws:// or wss://, an option the transport
        // cannot honour) fails every attempt alike: stop instead of retrying forever.
        if (err.code === 'INVALID_ARGUMENT') {
          this.#stop(err);
          return;
        }
        this.events.emit({ type: 'error', error: err });
        if (this.#breaker.recordFailure(Date.now())) {
          this.events.emit({ type: 'circuit', state: 'open' });
        }
        attempt = await this.#backoffOrStop(signal);
        if (attempt < 0) return;
        continue;
      }
      if (signal.aborted) {
        conn.terminate();
        return;
      }
      if (this.#breaker.state(Date.now()) !== 'closed') {
        this.events.emit({ type: 'circuit', state: 'closed' });
      }
      this.#breaker.recordSuccess();
      this.#backoff.connected(Date.now());
      const reconnect = this.#opens > 0;
      this.#opens++;
      if (reconnect) this.#reconnects++;
      this.#state = 'open';
      publishOpen({ url: this.url, name: this.name });
      this.events.emit({ type: 'open', url: this.url, reconnect });
      for (const w of this.#openWaiters.splice(0)) w.resolve();
      this.#onOpened(conn, epoch, reconnect);

      const { code, reason } = await closed;
      this.#onClosed(code, reason);
      if (signal.aborted) return;
      if (isNoRetryCloseCode(code, this.#o.noRetryCloseCodes)) {
        this.#stop(
          createError(
            'WS_CLOSED_NO_RETRY',
            `server closed with ${code} (${reason || 'no reason'})`,
            {
              context: { code, reason },
            },
          ),
        );
        return;
      }
      attempt = await this.#backoffOrStop(signal);
      if (attempt < 0) return;
    }
  }

  /** Waits the next backoff delay; returns the attempt number, or −1 when stopped. */
  async #backoffOrStop(signal: AbortSignal): Promise<number> {
    if (this.#backoff.exhausted) {
      const attempts = this.#backoff.attempt;
      this.#stop(
        createError('WS_RECONNECT_EXHAUSTED', `gave up after ${attempts} reconnect attempts`, {
          context: { attempts },
        }),
      );
      return -1;
    }
    const delayMs = Math.round(this.#backoff.next());
    const attempt = this.#backoff.attempt;
    this.#state = 'reconnecting';
    publishReconnect({ url: this.url, name: this.name, attempt, delayMs });
    this.events.emit({ type: 'reconnecting', attempt, delayMs });
    await sleep(delayMs, signal);
    return signal.aborted ? -1 : attempt;
  }

  #onOpened(conn: WsConnection, epoch: number, reconnect: boolean): void {
    const hb = this.#o.heartbeat;
    if (hb !== false) {
      this.#heartbeat = new Heartbeat(hb ?? {}, {
        sendPing: () => this.#sendPing(hb ?? {}),
        onTimeout: () => {
          this.events.emit({
            type: 'error',
            error: createError('WS_HEARTBEAT_TIMEOUT', 'no pong within the heartbeat timeout', {
              context: { url: this.url },
            }),
          });
          conn.terminate();
        },
        onRoundTrip: (ms) => this.#rtt.record(ms),
      });
      this.#heartbeat.start();
    }
    this.#authed = this.#o.auth === undefined;
    this.#bufferedWhileDown = 0;
    this.#limiter.setGate((tag) => this.#mayGo(tag as JobTag));
    if (this.#o.auth !== undefined) void this.#login(conn, epoch);

    // Resubscribe everything the registry holds, paced by the limiter.
    const sends: Promise<unknown>[] = [];
    const due: Channel<TMessage>[] = [];
    for (const ch of this.#channels.values()) {
      if (ch.spec.subscribe !== undefined) due.push(ch);
      else ch.sentEpoch = epoch;
    }
    const batch = this.#o.batchSubscribe;
    if (batch === undefined) {
      for (const ch of due) sends.push(this.#sendSubscribe(ch).catch(() => undefined));
    } else {
      const size = Math.max(1, batch.maxPerFrame ?? 100);
      for (const isPrivate of [false, true]) {
        const group = due.filter((c) => (c.spec.private === true) === isPrivate);
        for (let i = 0; i < group.length; i += size) {
          const chunk = group.slice(i, i + size);
          sends.push(this.#sendSubscribeBatch(chunk, batch, isPrivate).catch(() => undefined));
        }
      }
    }
    if (reconnect) {
      const count = due.length;
      void Promise.all(sends).then(() => {
        if (this.#epoch === epoch && this.#state === 'open') {
          this.events.emit({ type: 'resubscribed', count });
          const replay = this.#o.replay;
          if (replay?.mode === 'sequence_id') {
            Promise.resolve(
              replay.onReplay(this.#lastSequence, { signal: this.#lifetime.signal }),
            ).catch((e: unknown) => this.#reportError(e, 'replay hook failed'));
          }
        }
      });
    }
  }

  #mayGo(tag: JobTag): boolean {
    if (this.#authed) return true;
    if (tag.kind === 'auth' || tag.kind === 'ping') return true;
    return tag.kind === 'sub' && tag.private !== true;
  }

  async #login(conn: WsConnection, epoch: number): Promise<void> {
    const auth = this.#o.auth!;
    try {
      const frame = await auth.login({ signal: this.#lifetime.signal });
      if (this.#epoch !== epoch) return;
      this.#authPending = true;
      const timeoutMs = auth.timeoutMs ?? 10_000;
      this.#authTimer = setTimeout(() => {
        if (this.#epoch !== epoch || !this.#authPending) return;
        this.#authPending = false;
        this.events.emit({
          type: 'error',
          error: createError('TRANSPORT_TIMEOUT', `login not acknowledged within ${timeoutMs} ms`),
        });
        conn.terminate();
      }, timeoutMs);
      await this.#enqueue(frame, AUTH_PRIORITY, { kind: 'auth' });
    } catch (e) {
      this.#reportError(e, 'login frame could not be built or sent');
    }
  }

  #onAuthAck(answer: 'ok' | 'rejected'): void {
    this.#authPending = false;
    if (this.#authTimer !== undefined) clearTimeout(this.#authTimer);
    if (answer === 'ok') {
      this.#authed = true;
      this.events.emit({ type: 'authenticated' });
      this.#limiter.setGate(undefined);
      return;
    }
    const err = createError('AUTH_INVALID_KEY', 'the exchange rejected the login frame');
    this.events.emit({ type: 'error', error: err });
    // Private channels cannot work on this connection: fail their readers, keep public ones.
    this.#limiter.removeWhere(
      (t) =>
        (t as JobTag).private === true ||
        (t as JobTag).kind === 'user' ||
        (t as JobTag).kind === 'rpc',
      err,
    );
    for (const [key, ch] of this.#channels) {
      if (ch.spec.private === true) {
        this.#channels.delete(key);
        ch.fan?.fail(err);
      }
    }
  }

  #sendPing(hb: HeartbeatConfig): boolean {
    if (hb.mode !== 'application') return this.#conn?.ping() ?? false;
    const frame = hb.ping !== undefined ? hb.ping() : (hb.payload ?? { op: 'ping' });
    this.#enqueue(frame, PING_PRIORITY, { kind: 'ping' }).catch(() => undefined);
    return true;
  }

  #onClosed(code: number, reason: string): void {
    this.#heartbeat?.stop();
    this.#heartbeat = undefined;
    if (this.#authTimer !== undefined) clearTimeout(this.#authTimer);
    this.#authPending = false;
    this.#authed = false;
    this.#backoff.disconnected(Date.now());
    this.#limiter.setGate(() => false);
    const closedErr = createError('WS_CLOSED', `websocket closed with ${code}`, {
      context: { code, reason },
    });
    // Subscribe frames not yet sent are rebuilt from the registry on the next connection.
    this.#limiter.removeWhere((t) => (t as JobTag).kind !== 'user', closedErr);
    if (this.#o.replay?.mode === 'full_buffer') {
      this.#bufferedWhileDown = this.#limiter.count((t) => (t as JobTag).kind === 'user');
    } else {
      this.#limiter.removeWhere(() => true, closedErr);
    }
    this.#rejectPending(closedErr);
    publishClose({ url: this.url, name: this.name, code, reason });
    if (this.#state !== 'closed') this.#state = 'reconnecting';
    this.events.emit({ type: 'closed', code, reason });
  }

  #stop(error: TickwireError): void {
    if (this.#terminal !== undefined) return;
    this.#terminal = error;
    if (this.#state !== 'closed') this.#state = 'stopped';
    this.#lifetime.abort(error);
    this.#limiter.clear(error);
    this.#rejectPending(error);
    for (const w of this.#openWaiters.splice(0)) w.reject(error);
    this.events.emit({ type: 'error', error });
    for (const ch of this.#channels.values()) ch.fan?.fail(error);
  }

  #rejectPending(error: TickwireError): void {
    for (const p of [...this.#pending.values()]) p.reject(error);
  }

  // ---------------------------------------------------------------- sending

  async #enqueue(
    frame: unknown,
    priority: number,
    tag: JobTag,
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.#terminal !== undefined) throw this.#terminal;
    let out: unknown = frame;
    if (this.#pre !== undefined) {
      const r = this.#pre(frame);
      out = isPromise<unknown>(r) ? await r : r;
      if (out === DROP) return;
    }
    const text = typeof out === 'string' ? out : JSON.stringify(out);
    if (this.#state !== 'open') {
      const replay = this.#o.replay;
      if (tag.kind !== 'user' || replay?.mode !== 'full_buffer') {
        if (this.#breaker.state(Date.now()) === 'open') {
          throw createError('WS_CIRCUIT_OPEN', 'circuit breaker open: not connected');
        }
        throw createError('WS_NOT_CONNECTED', 'websocket is not connected');
      }
      const capacity = replay.capacity ?? 1000;
      if (this.#bufferedWhileDown >= capacity) {
        throw createError('BUFFER_OVERFLOW', `replay buffer full (${capacity} frames)`, {
          context: { capacity },
        });
      }
      this.#bufferedWhileDown++;
    }
    const job = this.#limiter.schedule(() => this.#write(text), priority, tag);
    if (signal === undefined) return job;
    if (signal.aborted) throw createError('ABORTED', 'send aborted');
    // Abort only stops waiting; a frame already queued still goes out in order.
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(createError('ABORTED', 'send aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      job.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  #write(text: string): void {
    const conn = this.#conn;
    if (conn === undefined) throw createError('WS_NOT_CONNECTED', 'websocket is not connected');
    conn.send(text);
    this.#messagesOut++;
    this.#bytesOut += Buffer.byteLength(text);
  }

  #sendSubscribe(ch: Channel<TMessage>): Promise<void> {
    const epoch = this.#epoch;
    const acked = ch.spec.acknowledged === true;
    const id = acked ? ++this.#rpcId : 0;
    const frame = ch.spec.subscribe!(id);
    const cancel = acked ? this.#watchAck([ch], id) : undefined;
    return this.#enqueue(frame, 0, {
      kind: 'sub',
      key: ch.spec.key,
      private: ch.spec.private === true,
    }).then(
      () => {
        ch.sentEpoch = epoch;
      },
      (e: unknown) => {
        cancel?.(e);
        throw e;
      },
    );
  }

  #sendSubscribeBatch(
    chunk: readonly Channel<TMessage>[],
    batch: WsBatchSubscribe,
    isPrivate: boolean,
  ): Promise<void> {
    const epoch = this.#epoch;
    const acked = batch.acknowledged === true;
    const id = acked ? ++this.#rpcId : 0;
    const frame = batch.build(
      chunk.map((c) => c.spec),
      id,
    );
    const cancel = acked ? this.#watchAck(chunk, id) : undefined;
    return this.#enqueue(frame, 0, { kind: 'sub', private: isPrivate }).then(
      () => {
        for (const ch of chunk) {
          if (this.#channels.get(ch.spec.key) === ch) ch.sentEpoch = epoch;
          else if (ch.spec.unsubscribe !== undefined && this.#epoch === epoch) {
            // Left while its batch was waiting for its turn: undo it on the server.
            this.#enqueue(ch.spec.unsubscribe(), 0, { kind: 'sub', key: ch.spec.key }).catch(
              () => undefined,
            );
          }
        }
      },
      (e: unknown) => {
        cancel?.(e);
        throw e;
      },
    );
  }

  #addChannel(ch: Channel<TMessage>): void {
    this.#channels.set(ch.spec.key, ch);
    if (ch.spec.private === true && this.#o.auth === undefined) {
      const err = createError(
        'AUTH_MISSING_CREDENTIALS',
        `private channel "${ch.spec.key}" needs an auth config`,
      );
      this.#channels.delete(ch.spec.key);
      ch.fan?.fail(err);
      return;
    }
    if (this.#state === 'open' && ch.spec.subscribe !== undefined) {
      this.#sendSubscribe(ch).catch((e: unknown) => {
        // Dropped by a disconnect: the registry resubscribes on the next connection.
        if (isTickwireError(e) && DISCONNECT_CODES.has(e.code)) return;
        this.#reportError(e, 'subscribe failed');
      });
    }
    this.#ensureStarted();
  }

  #removeChannel(key: string): void {
    const ch = this.#channels.get(key);
    if (ch === undefined) return;
    this.#channels.delete(key);
    const gone = createError('CLOSED', `channel "${key}" unsubscribed`);
    const unsent = this.#limiter.removeWhere(
      (t) => (t as JobTag).kind === 'sub' && (t as JobTag).key === key,
      gone,
    );
    if (
      unsent === 0 &&
      ch.sentEpoch === this.#epoch &&
      this.#state === 'open' &&
      ch.spec.unsubscribe !== undefined
    ) {
      this.#enqueue(ch.spec.unsubscribe(), 0, { kind: 'sub', key }).catch(() => undefined);
    }
  }

  #reportError(e: unknown, what: string): void {
    const error = isTickwireError(e) ? e : createError('INTERNAL', what, { cause: e });
    this.events.emit({ type: 'error', error });
  }

  // ---------------------------------------------------------------- receiving (hot path)

  readonly #onMessage = (data: Buffer, isBinary: boolean): void => {
    this.#messagesIn++;
    this.#bytesIn += data.length;
    const hb = this.#heartbeat;
    let message: TMessage;
    try {
      const tap = this.#o.tap;
      if (
        tap !== undefined &&
        this.#chain === undefined &&
        tap(data, isBinary, this.#conn!.lastReceivedAt)
      ) {
        this.#tapped++;
        hb?.alive(this.#conn!.lastReceivedAt);
        return;
      }
      message = this.#decode(data, isBinary);
    } catch (e) {
      this.#parseFailures++;
      this.events.emit({
        type: 'error',
        error: createError(
          'MESSAGE_PARSE_FAILED',
          `frame is not valid ${e === NOT_UTF8 ? 'UTF-8' : 'JSON'}: ${preview(data)}`,
          {
            cause: e,
            context: { bytes: data.length },
          },
        ),
      });
      return;
    }
    if (hb !== undefined) {
      hb.alive(this.#conn!.lastReceivedAt);
      if (this.#pongMatcher !== undefined && this.#pongMatcher(message)) {
        hb.pong();
        return;
      }
    }
    if (this.#authPending) {
      const answer = this.#o.auth!.ack(message);
      if (answer !== undefined) {
        this.#onAuthAck(answer);
        return;
      }
    }
    if (this.#pending.size > 0) {
      const id = this.#idOf(message);
      const p = id === undefined ? undefined : this.#pending.get(String(id));
      if (p !== undefined) {
        this.#rtt.record(Date.now() - p.sentAt);
        const err = this.#errorOf(message);
        if (err === undefined) p.resolve(message);
        else p.reject(err);
        return;
      }
    }
    if (this.#sequenceOf !== undefined) {
      const seq = this.#sequenceOf(message);
      if (seq !== undefined) this.#lastSequence = seq;
    }
    if (this.#chain !== undefined) {
      this.#queueBehind(message);
      return;
    }
    const post = this.#post;
    if (post === undefined) {
      this.#route(message);
      return;
    }
    let out: TMessage | Drop | Promise<TMessage | Drop>;
    try {
      out = post(message);
    } catch (e) {
      this.#reportStageError(e);
      return;
    }
    if (out === DROP) return;
    if (isPromise<TMessage | Drop>(out)) this.#chainAfter(out);
    else this.#route(out);
  };

  // An async post-processor: later messages wait behind it so order is kept.
  #chainAfter(pending: Promise<TMessage | Drop>): void {
    const link: Promise<void> = pending.then(
      (out) => {
        if (out !== DROP) this.#route(out);
      },
      (e: unknown) => this.#reportStageError(e),
    );
    this.#chain = link;
    void link.then(() => {
      if (this.#chain === link) this.#chain = undefined;
    });
  }

  #queueBehind(message: TMessage): void {
    if (this.#chainDepth >= this.#maxChained) {
      // A slow async post-processor must not grow memory without bound.
      this.#chainDropped++;
      this.events.emit({
        type: 'error',
        error: createError(
          'BUFFER_OVERFLOW',
          `more than ${this.#maxChained} messages wait behind an async post-processor; dropped`,
          { context: { capacity: this.#maxChained } },
        ),
      });
      return;
    }
    this.#chainDepth++;
    const prev = this.#chain!;
    const link: Promise<void> = prev.then(() => {
      this.#chainDepth--;
      let out: TMessage | Drop | Promise<TMessage | Drop>;
      try {
        out = this.#post === undefined ? message : this.#post(message);
      } catch (e) {
        this.#reportStageError(e);
        return;
      }
      return Promise.resolve(out).then(
        (o) => {
          if (o !== DROP) this.#route(o);
        },
        (e: unknown) => this.#reportStageError(e),
      );
    });
    this.#chain = link;
    void link.then(() => {
      if (this.#chain === link) this.#chain = undefined;
    });
  }

  #reportStageError(e: unknown): void {
    this.events.emit({
      type: 'error',
      error: isTickwireError(e)
        ? e
        : createError('VALIDATION_FAILED', 'a websocket post-processor threw', {
            cause: e,
            context: { what: 'websocket post-processor', path: '' },
          }),
    });
  }

  #route(message: TMessage): void {
    let key: string | null | undefined;
    try {
      key = this.#router(message);
    } catch (e) {
      this.#unroutableFrame(message, e);
      return;
    }
    if (key === null) return;
    const ch = key === undefined ? undefined : this.#channels.get(key);
    if (ch === undefined) {
      this.#unroutableFrame(message, undefined, key);
      return;
    }
    ch.deliver(message);
  }

  #unroutableFrame(message: TMessage, cause: unknown, key?: string): void {
    this.#unroutable++;
    let text: string;
    try {
      text = JSON.stringify(message)?.slice(0, 120) ?? String(message);
    } catch {
      text = String(message);
    }
    this.events.emit({
      type: 'error',
      error: createError(
        'MESSAGE_UNROUTABLE',
        key === undefined ? `no route for frame: ${text}` : `no subscription for "${key}": ${text}`,
        { ...(cause === undefined ? {} : { cause }), context: key === undefined ? {} : { key } },
      ),
    });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'ws';
  }
}
