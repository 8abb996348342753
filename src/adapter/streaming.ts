import { createError, isTickwireError, type TickwireError } from '../errors/index.js';
import type { BoundedStream, BoundedStreamOptions, OverflowPolicy } from '../stream/index.js';
import type { WsChannelSpec, WsEvent } from '../ws/ws-types.js';
import type { WsStats } from '../ws/ws-stats.js';

/**
 * A WebSocket source an adapter streams from: a `WsManager` or a `WsPool` (anything that
 * subscribes a {@link WsChannelSpec} to a ref-counted bounded reader, reports lifecycle
 * events, counts and closes).
 *
 * @example
 * const source: StreamConnection = new WsManager({ url, router: (m: { stream: string }) => m.stream });
 */
export interface StreamConnection {
  /** Subscribes (ref-counted per `spec.key`) and returns one bounded reader of raw messages. */
  subscribe<T>(spec: WsChannelSpec, options?: BoundedStreamOptions<T>): BoundedStream<T>;
  /** Lifecycle events (`WsEvent`, optionally tagged, plus pool-only events that are ignored). */
  readonly events: {
    on(listener: (event: WsEvent | { readonly type: string }) => void): () => void;
  };
  /** A manager's counters, or a pool's per-member counters. */
  stats(): WsStats | readonly { readonly stats: WsStats }[];
  /** Closes for good; live readers end. */
  close(): Promise<void>;
}

/**
 * How one subscription of a channel is carried: which connection, which upstream
 * subscription ({@link WsChannelSpec}: routing key, subscribe/unsubscribe frames, private),
 * and how a routed raw message becomes the channel's events. Returned by a
 * {@link ChannelTable} entry for concrete parameters.
 *
 * @example
 * const route: ChannelRoute<Trade> = {
 *   connection: 'public',
 *   spec: { key: `trades:${id}`, subscribe: () => ({ op: 'sub', id }), unsubscribe: () => ({ op: 'unsub', id }) },
 *   parse: (m) => (m as { trades: unknown[] }).trades.map(toTrade),
 * };
 */
export interface ChannelRoute<TEvent, TMessage = unknown> {
  /** Name of the connection (see `ExchangeAdapter.addConnection`). */
  readonly connection: string;
  /** The upstream subscription; readers of one `spec.key` share it (ref-counted). */
  readonly spec: WsChannelSpec;
  /**
   * Readers of one key must agree on it (e.g. O2 depth precision: one subscription per market
   * and socket). A different variant for a live key fails the new reader with
   * `INVALID_ARGUMENT`. Default none.
   */
  readonly variant?: string;
  /**
   * Called when this reader joins an upstream subscription other readers already hold (no
   * subscribe frame goes out for it), e.g. to ask the exchange for a fresh snapshot that a
   * newcomer needs. Default none.
   */
  readonly onJoin?: () => void;
  /**
   * One routed message → zero, one or several events. Throw (ideally a `VALIDATION_FAILED`
   * {@link TickwireError}) for a malformed message: it is counted once, reported on the
   * adapter's `events` as `error`, and the stream goes on with the next message.
   */
  readonly parse: (message: TMessage) => TEvent | readonly TEvent[] | undefined;
}

/**
 * An adapter's channels as data: channel name → builder of the {@link ChannelRoute} for the
 * subscription's parameters (may be async, e.g. to resolve a market). A channel missing here
 * is `UNSUPPORTED_CHANNEL`.
 *
 * @example
 * const channels: ChannelTable<{ trades: { params: { market: string }; event: Trade } }> = {
 *   trades: async ({ market }, { signal }) => {
 *     const m = await adapter.market(market, { signal });
 *     return { connection: 'public', spec: tradeSpec(m.id), parse: (msg) => toTrade(msg, m) };
 *   },
 * };
 */
export type ChannelTable<
  TChannels extends Record<string, { readonly params: unknown; readonly event: unknown }>,
> = {
  readonly [K in keyof TChannels]?: (
    params: TChannels[K]['params'],
    context: { readonly signal: AbortSignal | undefined },
  ) => ChannelRoute<TChannels[K]['event']> | Promise<ChannelRoute<TChannels[K]['event']>>;
};

/**
 * Options of one `subscribe` / `stream*` call.
 *
 * @example
 * for await (const t of adapter.subscribe('trades', { market }, { signal, capacity: 10_000 })) …
 */
export interface SubscribeOptions {
  /** Ends the loop: pending and later `next()` reject with `ABORTED`; the reader is released. */
  readonly signal?: AbortSignal;
  /** Most raw frames held for a slow reader (a frame may carry several events). Default 1000 (frames). */
  readonly capacity?: number;
  /** What a full buffer does. Default `'drop_oldest'` (drops are counted in `stats()`). */
  readonly overflow?: OverflowPolicy;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });
// Never an event or a raw frame: poll's own "nothing buffered" marker.
const EMPTY: unique symbol = Symbol('ChannelStream.empty');

/**
 * What a {@link ChannelStream} reports back to its adapter (implemented by
 * `ExchangeAdapter`; only needed to build a `ChannelStream` outside an adapter).
 *
 * @example
 * const host: ChannelStreamHost<unknown> = {
 *   attach: (route, stream) => manager.subscribe(route.spec, stream.readerOptions),
 *   parseFailed: (_route, _message, error) => console.warn(error.code),
 *   detach: () => undefined,
 * };
 */
export interface ChannelStreamHost<TMessage> {
  /** Attaches a resolved route; returns the raw reader, or throws (conflict, closed…). */
  attach(
    route: ChannelRoute<unknown, TMessage>,
    stream: ChannelStream<unknown>,
  ): BoundedStream<TMessage>;
  /** A message failed to parse (called once per reader; the host counts each message once). */
  parseFailed(
    route: ChannelRoute<unknown, TMessage>,
    message: TMessage,
    error: TickwireError,
  ): void;
  /** The reader is done (ended, failed, aborted or left). */
  detach(stream: ChannelStream<unknown>): void;
}

/**
 * The typed stream `subscribe` and the `stream*()` methods return: a `for await` iterator of
 * one channel's events. The route is resolved (markets loaded…) in the background and the
 * upstream subscription starts at once, so nothing is lost between the call and the first
 * `next()`. Leaving the loop, aborting, or closing the adapter releases the reader; the
 * unsubscribe frame goes out when the last reader of the same subscription leaves. A
 * malformed frame is reported on the adapter's events and skipped; the stream goes on.
 *
 * @example
 * const stream = adapter.subscribe('trades', { market: 'BTC/USDT' }, { signal });
 * for await (const trade of stream) console.log(trade.price.toFixed());
 * stream.dropped; // frames dropped by the overflow policy
 */
export class ChannelStream<TEvent> implements AsyncIterableIterator<TEvent> {
  /** Channel name. */
  readonly channel: string;
  readonly #host: ChannelStreamHost<unknown>;
  readonly #options: SubscribeOptions;
  #route: ChannelRoute<TEvent> | undefined;
  #inner: BoundedStream<unknown> | undefined;
  #ready: Promise<void>;
  #markReady: () => void = () => undefined;
  #error: TickwireError | undefined;
  #done = false;
  #pending: readonly TEvent[] | undefined;
  #pendingAt = 0;
  #onAbort: (() => void) | undefined;

  /** Created by `ExchangeAdapter.subscribe` (or a custom {@link ChannelStreamHost}). */
  constructor(
    channel: string,
    host: ChannelStreamHost<unknown>,
    route: Promise<ChannelRoute<TEvent>>,
    options: SubscribeOptions,
  ) {
    this.channel = channel;
    this.#host = host;
    this.#options = options;
    this.#ready = new Promise<void>((resolve) => {
      this.#markReady = resolve;
    });
    const signal = options.signal;
    if (signal?.aborted === true) {
      this.#abort();
      return;
    }
    if (signal !== undefined) {
      this.#onAbort = () => this.#abort();
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
    route.then(
      (r) => this.#attach(r),
      (e: unknown) => this.fail(toError(e, `${channel}: the subscription could not be set up`)),
    );
  }

  /** The resolved route (connection, upstream key); `undefined` until resolved. */
  get route(): ChannelRoute<TEvent> | undefined {
    return this.#route;
  }

  /** Raw frames dropped by the overflow policy. */
  get dropped(): number {
    return this.#inner?.dropped ?? 0;
  }

  /** True once the stream will yield nothing more. */
  get closed(): boolean {
    return this.#done || this.#inner?.closed === true;
  }

  /** Ends the stream with `error` (after what is already buffered when attached). */
  fail(error: TickwireError): void {
    if (this.#done) return;
    if (this.#inner !== undefined) {
      this.#inner.fail(error);
      return;
    }
    this.#error = error;
    this.#finish();
  }

  /** Ends the stream normally (after what is already buffered). */
  end(): void {
    if (this.#done) return;
    if (this.#inner !== undefined) {
      this.#inner.end();
      return;
    }
    this.#finish();
  }

  /**
   * The next event when it can be had synchronously (a frame is already buffered and
   * parses to events); `undefined` when the caller must `await next()` instead (nothing
   * buffered yet, not attached yet, ended, failed or aborted). Malformed frames met on the
   * way are reported and skipped exactly as by `next()`. Lets a consumer drain a burst of
   * frames without one promise per event.
   *
   * @example
   * let r = stream.tryNext();
   * if (r === undefined) r = await stream.next();
   */
  tryNext(): IteratorYieldResult<TEvent> | undefined {
    const value = this.poll<typeof EMPTY>(EMPTY);
    return value === EMPTY ? undefined : { value, done: false };
  }

  /**
   * Like {@link ChannelStream.tryNext} without the result object: the next event, or
   * `empty` (a marker of the caller's choosing that is never an event) when the caller
   * must `await next()` instead.
   *
   * @example
   * const NONE = Symbol('none');
   * const event = stream.poll(NONE);
   * if (event === NONE) await stream.next();
   */
  poll<E>(empty: E): TEvent | E {
    const pending = this.#pending;
    if (pending !== undefined) {
      const value = pending[this.#pendingAt++]!;
      if (this.#pendingAt >= pending.length) this.#pending = undefined;
      return value;
    }
    const inner = this.#inner;
    if (inner === undefined) return empty;
    for (;;) {
      const message = inner.poll<unknown>(EMPTY);
      if (message === EMPTY) return empty;
      const value = this.#parse(message);
      if (value !== EMPTY) return value;
    }
  }

  next(): Promise<IteratorResult<TEvent>> {
    // A buffered frame is parsed right here: no promise hop per frame.
    const ready = this.tryNext();
    if (ready !== undefined) return Promise.resolve(ready);
    const inner = this.#inner;
    if (inner === undefined) {
      if (this.#done) return this.#terminal();
      return this.#ready.then(() => this.next());
    }
    return inner.next().then(
      (r) => (r.done === true ? this.#innerDone() : this.#consume(r.value)),
      (e: unknown) => {
        this.#done = true;
        this.#detach();
        throw e;
      },
    );
  }

  return(): Promise<IteratorResult<TEvent>> {
    this.#pending = undefined;
    if (this.#inner !== undefined) void this.#inner.return();
    this.#error = undefined;
    this.#finish();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<TEvent>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #consume(message: unknown): Promise<IteratorResult<TEvent>> {
    const value = this.#parse(message);
    return value === EMPTY ? this.next() : Promise.resolve({ value, done: false });
  }

  /** One raw frame → its first event (the rest kept pending); EMPTY when it yields none. */
  #parse(message: unknown): TEvent | typeof EMPTY {
    const route = this.#route!;
    let out: TEvent | readonly TEvent[] | undefined;
    try {
      out = route.parse(message);
    } catch (e) {
      this.#host.parseFailed(
        route as ChannelRoute<unknown>,
        message,
        toError(e, `${this.channel}: a frame could not be parsed`),
      );
      return EMPTY;
    }
    if (out === undefined) return EMPTY;
    if (Array.isArray(out)) {
      const list = out as readonly TEvent[];
      if (list.length === 0) return EMPTY;
      if (list.length > 1) {
        this.#pending = list;
        this.#pendingAt = 1;
      }
      return list[0]!;
    }
    return out as TEvent;
  }

  #attach(route: ChannelRoute<TEvent>): void {
    if (this.#done) return;
    try {
      this.#route = route;
      this.#inner = this.#host.attach(
        route as ChannelRoute<unknown>,
        this as ChannelStream<unknown>,
      );
    } catch (e) {
      this.#route = undefined;
      this.fail(toError(e, `${this.channel}: the subscription could not be set up`));
      return;
    }
    this.#markReady();
  }

  /** The raw reader's options: capacity, overflow and signal of this subscription (for the host). */
  get readerOptions(): BoundedStreamOptions<unknown> {
    const o = this.#options;
    return {
      ...(o.capacity === undefined ? {} : { capacity: o.capacity }),
      ...(o.overflow === undefined ? {} : { overflow: o.overflow }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    };
  }

  #innerDone(): Promise<IteratorResult<TEvent>> {
    this.#done = true;
    this.#detach();
    return Promise.resolve(DONE);
  }

  #terminal(): Promise<IteratorResult<TEvent>> {
    const e = this.#error;
    if (e !== undefined) {
      this.#error = undefined;
      return Promise.reject(e);
    }
    return Promise.resolve(DONE);
  }

  #abort(): void {
    if (this.#done) return;
    if (this.#inner !== undefined) {
      // The raw reader saw the same signal (it rejects with ABORTED and releases itself).
      this.#done = true;
      this.#detach();
      return;
    }
    const reason = this.#options.signal?.reason as unknown;
    this.#error = createError('ABORTED', 'stream aborted by its signal', {
      ...(reason === undefined ? {} : { cause: reason }),
    });
    this.#finish();
  }

  #finish(): void {
    this.#done = true;
    this.#markReady();
    this.#detach();
  }

  #detach(): void {
    if (this.#onAbort !== undefined) {
      this.#options.signal?.removeEventListener('abort', this.#onAbort);
      this.#onAbort = undefined;
    }
    this.#host.detach(this as ChannelStream<unknown>);
  }
}

function toError(e: unknown, message: string): TickwireError {
  return isTickwireError(e) ? e : createError('INTERNAL', message, { cause: e });
}
