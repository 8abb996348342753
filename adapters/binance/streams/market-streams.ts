import type {
  ChannelRoute,
  DepthLevel,
  DepthUpdate,
  StreamConnection,
  Trade,
} from '../../../src/adapter/index.js';
import {
  type BookSyncEvent,
  type OrderBookView,
  PreparedLevels,
  type SequencedBookSync,
  type SequencedBookSyncStats,
  type SequencedSnapshot,
  createSequencedBookSync,
} from '../../../src/book/index.js';
import { createError, isTickwireError, type TickwireError } from '../../../src/errors/index.js';
import { Decimal } from '../../../src/numbers/index.js';
import { DROP } from '../../../src/pipeline/index.js';
import { BoundedStream, EventStream } from '../../../src/stream/index.js';
import {
  type BackoffConfig,
  type HeartbeatConfig,
  type WsChannelSpec,
  WsPool,
  type WsPoolEvent,
  type WsStats,
} from '../../../src/ws/index.js';
import {
  type BinanceCombinedFrame,
  type BinanceDepthUpdate,
  type BinanceTradeEvent,
  isBinanceDepthUpdate,
  isBinanceTradeEvent,
} from './wire.js';
import {
  decodeBinanceStreamText,
  isFastParsedDepth,
  scanBinanceDepthHead,
  scanBinanceDepthLevels,
  scannedDepth,
} from './fast-depth.js';

/**
 * A market as the streams need it: the unified symbol for the models and the native id
 * for stream names and REST.
 *
 * @example
 * const btc: BinanceMarketRef = { symbol: 'BTC/USDT', id: 'BTCUSDT' };
 */
export interface BinanceMarketRef {
  readonly symbol: string;
  readonly id: string;
}

/**
 * What the market streams need from the REST half, plus their settings.
 *
 * @example
 * const streams = new BinanceMarketStreams({
 *   wsUrl: 'wss://stream.binance.com:9443',
 *   resolveMarket: (s, o) => adapter.market(s, o),
 *   fetchDepthSnapshot: (id, limit, signal) => adapter.getDepth(id, { limit, signal }),
 * });
 */
export interface BinanceMarketStreamsOptions {
  /** Market-stream origin; `/stream` (combined frames) is appended. */
  readonly wsUrl: string;
  /** Resolves `BTC/USDT` or `BTCUSDT` to the market (`UNKNOWN_MARKET` otherwise). */
  readonly resolveMarket: (
    symbolOrId: string,
    options: { signal?: AbortSignal },
  ) => Promise<BinanceMarketRef>;
  /**
   * Fetches a REST depth snapshot (`GET /api/v3/depth`); the adapter sends it through its
   * throttler so the snapshot weight is accounted for. Must honour `signal`.
   */
  readonly fetchDepthSnapshot: (
    id: string,
    limit: number,
    signal: AbortSignal,
  ) => Promise<SequencedSnapshot>;
  /** Levels asked for in each snapshot (weight 5 / 25 / 50 / 250 by size). Default 1000 (levels, weight 50). */
  readonly depthSnapshotLimit?: number;
  /** Update speed of the diff stream. Default `'100ms'`. */
  readonly depthSpeed?: '100ms' | '1000ms';
  /** Streams per connection before the pool opens another. Default 1024 (streams). */
  readonly streamsPerConnection?: number;
  /** Streams listed in one SUBSCRIBE when resubscribing after a reconnect. Default 200 (streams). */
  readonly streamsPerSubscribe?: number;
  /** Client frames per second per connection (Binance disconnects above 5). Default 5 (messages/s). */
  readonly messagesPerSecond?: number;
  /**
   * Share of `messagesPerSecond` kept free for pongs and heartbeat pings, which count too.
   * Default 0.3 (so at most 4 paced frames in any second).
   */
  readonly sendHeadroom?: number;
  /** Connection lifetime; replaced make-before-break `rotateBeforeMs` earlier. Default 24 h (ms). */
  readonly maxLifetimeMs?: number;
  /** Default 300 000 (ms). */
  readonly rotateBeforeMs?: number;
  /**
   * Reconnect backoff. Default `{ base: 100, cap: 30_000 }` (ms, exponential with jitter):
   * a dropped book is rebuilt within about a second, and a failing endpoint is not hammered.
   */
  readonly backoff?: BackoffConfig;
  /** Client heartbeat after silence. Default `{ interval: 60_000, timeout: 10_000 }` (ms). */
  readonly heartbeat?: HeartbeatConfig | false;
  /** Frames buffered per stream for a slow reader. Default 10 000 (frames). */
  readonly bufferCapacity?: number;
  /** Diffs buffered while a snapshot is fetched. Default 10 000 (events). */
  readonly maxBufferedDiffs?: number;
  /** Least time between two snapshot fetches of one market. Default 250 (ms). */
  readonly minSnapshotIntervalMs?: number;
  /**
   * WebSocket client of the market-stream sockets: `'native'`, tickwire's own RFC 6455
   * client (about a quarter less CPU per depth update), or `'ws'`. Default `'native'`.
   */
  readonly transport?: 'ws' | 'native';
}

/**
 * Stream settings an adapter passes through (everything but the URL and the two REST hooks).
 * `backoff`, `maxLifetimeMs` and `rotateBeforeMs` apply to the user data stream's WebSocket
 * API connection too.
 *
 * @example
 * new BinanceAdapter({ streams: { depthSnapshotLimit: 5000, backoff: { base: 250 } } });
 */
export type BinanceStreamSettings = Omit<
  BinanceMarketStreamsOptions,
  'wsUrl' | 'resolveMarket' | 'fetchDepthSnapshot'
>;

/**
 * Events of the market streams: book sync transitions per market, frames that failed
 * validation (counted, skipped), and every pool connection event.
 *
 * @example
 * streams.events.on('resyncing', (e) => log.warn(e.market, e.reason, e.error?.code));
 */
export type BinanceStreamEvent =
  | Extract<BookSyncEvent, { readonly type: 'synced' | 'resyncing' }>
  | { readonly type: 'error'; readonly market?: string; readonly error: TickwireError }
  | { readonly type: 'ws'; readonly event: WsPoolEvent };

/**
 * Counters of the market streams.
 *
 * @example
 * const { invalidFrames, books } = streams.stats();
 */
export interface BinanceMarketStreamsStats {
  /** Stream frames whose payload failed validation (skipped and reported). */
  readonly invalidFrames: number;
  /** Depth updates a `streamDepth` reader could not keep (it then got a fresh snapshot). */
  readonly depthReaderOverflows: number;
  /** Per market (unified symbol): the book sync counters and its current sequence. */
  readonly books: Readonly<
    Record<string, SequencedBookSyncStats & { readonly sequence: number | undefined }>
  >;
  /** Per pool connection. */
  readonly connections: readonly { id: number; url: string; stats: WsStats }[];
}

/** Options of `streamDepth` / `streamTrades`. */
export interface BinanceStreamOptions {
  readonly signal?: AbortSignal;
  /** Values buffered for a slow reader. Default 10 000. */
  readonly capacity?: number;
}

/** Options of `watchOrderBook`. */
export interface BinanceWatchOrderBookOptions {
  readonly signal?: AbortSignal;
  /** Levels per side in each view. Default: all (unit: levels). */
  readonly depth?: number;
}

interface StreamMessage {
  readonly stream?: unknown;
  readonly data?: unknown;
  readonly id?: unknown;
  readonly code?: unknown;
  readonly msg?: unknown;
  readonly e?: unknown;
}

interface DepthReader {
  readonly stream: BoundedStream<DepthUpdate>;
  primed: boolean;
}

const toLevels = (levels: readonly (readonly [string, string, ...unknown[]])[]): DepthLevel[] =>
  levels.map((l) => ({ price: l[0], quantity: l[1] }));

/**
 * Binance Spot market streams over combined-stream connections (`/stream`): live
 * SUBSCRIBE / UNSUBSCRIBE acknowledged by id, paced under the 5 messages/s limit (with
 * room for pongs), sharded at 1024 streams per connection, replaced make-before-break
 * before the 24 h lifetime and on `serverShutdown`, server pings answered by `ws`.
 * Depth uses the documented snapshot + diff procedure (binance-spot.md §7) through one
 * {@link SequencedBookSync} per market, shared by every `streamDepth` and
 * `watchOrderBook` reader of that market.
 *
 * @example
 * for await (const view of streams.watchOrderBook('BTC/USDT', { depth: 10, signal })) {
 *   console.log(view.sequence, view.bestBid?.price, view.bestAsk?.price);
 * }
 */
export class BinanceMarketStreams {
  /** Sync transitions, skipped frames and connection events. */
  readonly events = new EventStream<BinanceStreamEvent>();
  readonly #o: BinanceMarketStreamsOptions;
  readonly #pool: WsPool<StreamMessage>;
  readonly #feeds = new Map<string, DepthFeed>();
  readonly #depthByStream = new Map<string, DepthFeed>();
  // Scratch levels of the tap (one frame at a time: the pool's sockets deliver synchronously).
  readonly #prepared = new PreparedLevels();
  #tappedData: Buffer | undefined = undefined;
  #tappedText = '';
  // The tap's last stream → feed lookup (cleared whenever the map changes).
  #lastFeedStream = '';
  #lastFeed: DepthFeed | undefined = undefined;
  #unsubscribeId = 0;
  #invalidFrames = 0;
  #overflows = 0;
  #closed = false;

  constructor(options: BinanceMarketStreamsOptions) {
    this.#o = options;
    const batch = Math.max(1, options.streamsPerSubscribe ?? 200);
    this.#pool = new WsPool<StreamMessage>({
      urls: [`${options.wsUrl.replace(/\/+$/, '')}/stream`],
      name: 'binance-streams',
      router: (m) => this.#route(m),
      streamsPerConnection: options.streamsPerConnection ?? 1024,
      ...(options.maxLifetimeMs === undefined ? {} : { maxLifetimeMs: options.maxLifetimeMs }),
      ...(options.rotateBeforeMs === undefined ? {} : { rotateBeforeMs: options.rotateBeforeMs }),
      backoff: options.backoff ?? { base: 100, cap: 30_000 },
      heartbeat: options.heartbeat ?? { interval: 60_000, timeout: 10_000 },
      sendLimit: {
        messagesPerSecond: options.messagesPerSecond ?? 5,
        headroom: options.sendHeadroom ?? 0.3,
      },
      batchSubscribe: {
        maxPerFrame: batch,
        acknowledged: true,
        build: (specs, id) => ({ method: 'SUBSCRIBE', params: specs.map((s) => s.key), id }),
      },
      rpc: { errorOf: controlError },
      // Hottest path: a plain depth frame of a book nobody reads deltas from goes from its
      // text straight into the book's sync (keyed while read, no message object).
      tap: (data, _isBinary, receivedAt) => this.#tap(data, receivedAt),
      // ws's UTF-8 pass over every frame is redundant for the frames the tap takes: it reads
      // every character and accepts nothing but ASCII, so a frame with an invalid byte (which
      // decodes to U+FFFD) is never taken. Frames handed on are validated before decode.
      skipUtf8Validation: true,
      // tickwire's own frame reader: each frame is a view of the socket read, not a
      // Buffer cut out by ws's receiver stream (the larger part of the per-frame cost).
      transport: options.transport ?? 'native',
      // Depth frames are read by a hand-written parser (exact strings, validated as read);
      // every other frame, and any depth frame not in the plain compact form, by JSON.parse.
      decode: (data) => {
        // The tap already decoded the text of the frame it handed on.
        const text = data === this.#tappedData ? this.#tappedText : data.toString();
        this.#tappedData = undefined;
        this.#tappedText = '';
        return decodeBinanceStreamText(text) as StreamMessage;
      },
      // Hot path: a depth frame goes straight into its market's book sync, synchronously,
      // instead of through a per-frame async iterator (the stream's reader only holds the
      // subscription). During a make-before-break handover both sockets feed the sync, which
      // ignores the diffs it already applied.
      postProcessors: [
        (m) => {
          const stream = m.stream;
          if (typeof stream === 'string') {
            const feed = this.#depthByStream.get(stream);
            if (feed !== undefined) {
              feed.onFrame(m.data);
              return DROP;
            }
          }
          return m;
        },
      ],
      identityOf: (m) => {
        const d = m.data as { u?: unknown; t?: unknown; E?: unknown } | undefined;
        return `${String(m.stream)}|${String(d?.u ?? d?.t ?? d?.E)}`;
      },
    });
    this.#pool.events.on((event) => {
      this.events.emit({ type: 'ws', event });
      // A new socket after a drop: whatever was missed is unknown, so every book starts over.
      if (event.type === 'open' && event.reconnect) {
        for (const feed of this.#feeds.values()) feed.sync.resync('reconnect');
      }
    });
  }

  /** The connection pool (for stats and tests). */
  get pool(): WsPool<unknown> {
    return this.#pool as WsPool<unknown>;
  }

  /**
   * The depth feeds as a {@link StreamConnection} for an adapter's channel table: a spec
   * keyed `depth:<id>` (see {@link BinanceMarketStreams.depthRoute}) yields that market's
   * {@link DepthUpdate}s. Its connection events and counters are the pool's (register the
   * pool too); closing it closes these streams.
   *
   * @example
   * this.addConnection('depth', streams.depthConnection);
   */
  get depthConnection(): StreamConnection {
    return this.#depthConnection;
  }

  readonly #depthConnection: StreamConnection = {
    subscribe: <T>(
      spec: WsChannelSpec,
      options: { signal?: AbortSignal; capacity?: number } = {},
    ) => {
      const market = this.#routed.get(spec.key);
      const feed = market === undefined || this.#closed ? undefined : this.#feedFor(market);
      if (feed === undefined) {
        const dead = new BoundedStream<T>({});
        dead.fail(createError('CLOSED', `binance depth ${spec.key}: no such feed`));
        return dead;
      }
      feed.retain();
      return feed.addReader(options, () => feed.release()) as unknown as BoundedStream<T>;
    },
    events: { on: () => () => undefined } as StreamConnection['events'],
    stats: () => [],
    close: () => this.close(),
  };

  readonly #routed = new Map<string, BinanceMarketRef>();

  /**
   * The channel route of a market's depth on {@link BinanceMarketStreams.depthConnection}
   * registered under `connection`.
   *
   * @example
   * depth: async ({ market }, { signal }) => streams.depthRoute(await adapter.market(market, { signal }), 'depth'),
   */
  depthRoute(market: BinanceMarketRef, connection: string): ChannelRoute<DepthUpdate> {
    const key = `depth:${market.id}`;
    this.#routed.set(key, { symbol: market.symbol, id: market.id });
    return { connection, spec: { key }, parse: (m) => m as DepthUpdate };
  }

  /**
   * The channel route of a market's trades on {@link BinanceMarketStreams.pool} registered
   * under `connection`; a malformed frame throws `VALIDATION_FAILED` (counted by the adapter).
   *
   * @example
   * trades: async ({ market }, { signal }) => streams.tradesRoute(await adapter.market(market, { signal }), 'public'),
   */
  tradesRoute(market: BinanceMarketRef, connection: string): ChannelRoute<Trade> {
    const symbol = market.symbol;
    return {
      connection,
      spec: this.#spec(`${market.id.toLowerCase()}@trade`),
      parse: (m) => {
        const d = (m as BinanceCombinedFrame).data;
        if (!isBinanceTradeEvent(d)) {
          throw createError('VALIDATION_FAILED', `binance trade frame skipped: not a trade event`, {
            context: { what: 'binance trade frame', path: 'data', market: symbol },
          });
        }
        return toTrade(symbol, d);
      },
    };
  }

  /**
   * Depth of one market: a `snapshot` first, then every `delta` in sequence; after a gap,
   * a reconnect or a reader overflow, a fresh `snapshot` before further deltas. Each
   * update carries `sequence` (`u`) and, for deltas, `firstSequence` (`U`).
   *
   * @example
   * for await (const u of streams.streamDepth('BTC/USDT', { signal })) apply(u);
   */
  async *streamDepth(
    symbol: string,
    options: BinanceStreamOptions = {},
  ): AsyncGenerator<DepthUpdate, void, undefined> {
    const feed = await this.#acquire(symbol, options.signal);
    try {
      const stream = feed.addReader(options);
      yield* stream;
      if (feed.failure !== undefined) throw feed.failure;
    } finally {
      feed.release();
    }
  }

  /**
   * A maintained local order book of one market, as immutable views (conflated: a slow
   * reader gets the latest book, never a backlog). Each view's `sequence` is the last
   * applied update id `u`; after a gap a view with `isSynced: false` comes first, then
   * synced views again once a fresh snapshot is applied.
   *
   * @example
   * for await (const book of streams.watchOrderBook('BTCUSDT', { depth: 10 })) use(book.bestBid);
   */
  async *watchOrderBook(
    symbol: string,
    options: BinanceWatchOrderBookOptions = {},
  ): AsyncGenerator<OrderBookView, void, undefined> {
    const feed = await this.#acquire(symbol, options.signal);
    try {
      yield* feed.sync.watchOrderBook({
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.depth === undefined ? {} : { depth: options.depth }),
      });
      if (feed.failure !== undefined) throw feed.failure;
    } finally {
      feed.release();
    }
  }

  /**
   * Public trades of one market (`<symbol>@trade`).
   *
   * @example
   * for await (const t of streams.streamTrades('BTC/USDT', { signal })) console.log(t.price.toFixed());
   */
  async *streamTrades(
    symbol: string,
    options: BinanceStreamOptions = {},
  ): AsyncGenerator<Trade, void, undefined> {
    const market = await this.#resolve(symbol, options.signal);
    const reader = this.#subscribe(`${market.id.toLowerCase()}@trade`, options);
    for await (const frame of reader) {
      const d = frame.data;
      if (!isBinanceTradeEvent(d)) {
        this.reportInvalid(market.symbol, frame, 'trade');
        continue;
      }
      yield toTrade(market.symbol, d);
    }
  }

  /**
   * The current view of a market's book (unified symbol or native id), when some reader
   * keeps it; `undefined` otherwise.
   *
   * @example
   * streams.bookView('BTC/USDT')?.sequence;
   */
  bookView(symbolOrId: string, depth?: number): OrderBookView | undefined {
    const key = symbolOrId.toUpperCase();
    for (const feed of this.#feeds.values()) {
      const m = feed.market;
      if (m.symbol.toUpperCase() === key || m.id === key) return feed.sync.view(depth);
    }
    return undefined;
  }

  /** Counters (see {@link BinanceMarketStreamsStats}). */
  stats(): BinanceMarketStreamsStats {
    const books: Record<string, SequencedBookSyncStats & { sequence: number | undefined }> = {};
    for (const feed of this.#feeds.values()) {
      books[feed.market.symbol] = { ...feed.sync.stats(), sequence: feed.sync.book.sequence };
    }
    return {
      invalidFrames: this.#invalidFrames,
      depthReaderOverflows: this.#overflows,
      books,
      connections: this.#pool.stats(),
    };
  }

  /** Ends every stream and closes the connections. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const feed of [...this.#feeds.values()]) feed.close();
    this.#feeds.clear();
    await this.#pool.close();
    this.events.end();
  }

  // ---------------------------------------------------------------- internals

  /** @internal */
  reportInvalid(market: string, frame: unknown, what: string): void {
    this.#invalidFrames++;
    let text: string;
    try {
      text = JSON.stringify(frame).slice(0, 120);
    } catch {
      text = String(frame);
    }
    this.events.emit({
      type: 'error',
      market,
      error: createError('VALIDATION_FAILED', `binance ${what} frame skipped: ${text}`, {
        context: { what: `binance ${what} frame`, path: 'data', market },
      }),
    });
  }

  /** @internal */
  countOverflow(): void {
    this.#overflows++;
  }

  /** @internal */
  emitSync(e: BookSyncEvent): void {
    this.events.emit(e);
  }

  /**
   * The pool's tap: a depth frame in the plain form, for a market whose deltas nobody reads
   * (`watchOrderBook` only), is scanned and keyed in one pass and pushed into the book's
   * sync; true when it was. Anything else is handed on to `decode` with its text.
   */
  #tap(data: Buffer, receivedAt: number): boolean {
    const text = data.toString();
    const at = scanBinanceDepthHead(text);
    if (at > 0) {
      // Every frame of a connection usually names the same stream: skip the map for it.
      const stream = scannedDepth.stream;
      let feed = this.#lastFeed;
      if (stream !== this.#lastFeedStream || feed === undefined) {
        feed = this.#depthByStream.get(stream);
        this.#lastFeed = feed;
        this.#lastFeedStream = stream;
      }
      if (feed?.takesPrepared === true && scanBinanceDepthLevels(text, at, this.#prepared)) {
        const d = scannedDepth;
        feed.sync.pushPrepared(d.U, d.u, this.#prepared, d.E, receivedAt);
        return true;
      }
    }
    this.#tappedData = data;
    this.#tappedText = text;
    return false;
  }

  #route(m: StreamMessage): string | null | undefined {
    const stream = m.stream;
    if (typeof stream === 'string') {
      if (stream === '!serverShutdown') {
        this.#onShutdown();
        return null;
      }
      return stream;
    }
    if (m.e === 'serverShutdown') {
      this.#onShutdown();
      return null;
    }
    // Answers to requests nobody waits for (UNSUBSCRIBE) are expected; anything else is not.
    return m.id !== undefined ? null : undefined;
  }

  #onShutdown(): void {
    for (const member of this.#pool.members()) {
      this.#pool.rotate(member.id).catch((e: unknown) => {
        this.events.emit({
          type: 'error',
          error: isTickwireError(e)
            ? e
            : createError('INTERNAL', 'connection rotation failed', { cause: e }),
        });
      });
    }
  }

  #spec(name: string): WsChannelSpec {
    return {
      key: name,
      acknowledged: true,
      subscribe: (id) => ({ method: 'SUBSCRIBE', params: [name], id }),
      unsubscribe: () => ({
        method: 'UNSUBSCRIBE',
        params: [name],
        id: `u${++this.#unsubscribeId}`,
      }),
    };
  }

  #subscribe(name: string, options: BinanceStreamOptions): BoundedStream<BinanceCombinedFrame> {
    if (this.#closed) throw createError('CLOSED', 'binance market streams closed');
    return this.#pool.subscribe<BinanceCombinedFrame>(this.#spec(name), {
      capacity: options.capacity ?? this.#o.bufferCapacity ?? 10_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }

  async #resolve(symbol: string, signal: AbortSignal | undefined): Promise<BinanceMarketRef> {
    if (this.#closed) throw createError('CLOSED', 'binance market streams closed');
    return this.#o.resolveMarket(symbol, signal === undefined ? {} : { signal });
  }

  async #acquire(symbol: string, signal: AbortSignal | undefined): Promise<DepthFeed> {
    const market = await this.#resolve(symbol, signal);
    if (this.#closed) throw createError('CLOSED', 'binance market streams closed');
    const feed = this.#feedFor(market);
    feed.retain();
    return feed;
  }

  #feedFor(market: BinanceMarketRef): DepthFeed {
    let feed = this.#feeds.get(market.id);
    if (feed === undefined) {
      const name = `${market.id.toLowerCase()}@depth@${this.#o.depthSpeed ?? '100ms'}`;
      const created = new DepthFeed(this, market, this.#o, () => {
        this.#feeds.delete(market.id);
        if (this.#depthByStream.get(name) === created) this.#depthByStream.delete(name);
        this.#lastFeed = undefined;
      });
      feed = created;
      this.#feeds.set(market.id, feed);
      this.#depthByStream.set(name, feed);
      this.#lastFeed = undefined;
      feed.start(this.#subscribe(name, { capacity: 16 }));
    }
    return feed;
  }
}

/** One market's diff stream and book, shared by its readers. */
class DepthFeed {
  readonly market: BinanceMarketRef;
  readonly sync: SequencedBookSync;
  failure: TickwireError | undefined;
  readonly #owner: BinanceMarketStreams;
  readonly #onGone: () => void;
  readonly #readers = new Set<DepthReader>();
  #frames: BoundedStream<BinanceCombinedFrame> | undefined;
  #refs = 0;
  #lastEmitted = -1;
  #closed = false;

  constructor(
    owner: BinanceMarketStreams,
    market: BinanceMarketRef,
    o: BinanceMarketStreamsOptions,
    onGone: () => void,
  ) {
    this.#owner = owner;
    this.market = market;
    this.#onGone = onGone;
    const limit = o.depthSnapshotLimit ?? 1000;
    this.sync = createSequencedBookSync({
      market: market.symbol,
      fetchSnapshot: (signal) => o.fetchDepthSnapshot(market.id, limit, signal),
      maxBufferedDiffs: o.maxBufferedDiffs ?? 10_000,
      minSnapshotIntervalMs: o.minSnapshotIntervalMs ?? 250,
      retryDelayMs: 100,
      onEvent: (e) => this.#onSyncEvent(e),
    });
  }

  start(frames: BoundedStream<BinanceCombinedFrame>): void {
    this.#frames = frames;
    void this.#pump(frames);
  }

  retain(): void {
    this.#refs++;
  }

  release(): void {
    if (--this.#refs <= 0) this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#onGone();
    void this.#frames?.return();
    this.sync.close();
    for (const r of this.#readers) {
      if (this.failure !== undefined) r.stream.fail(this.failure);
      else r.stream.end();
    }
    this.#readers.clear();
  }

  addReader(options: BinanceStreamOptions, onRelease?: () => void): BoundedStream<DepthUpdate> {
    const holder: { reader?: DepthReader } = {};
    const stream = new BoundedStream<DepthUpdate>(
      {
        capacity: options.capacity ?? 10_000,
        overflow: 'drop_oldest',
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      () => {
        if (holder.reader !== undefined) this.#readers.delete(holder.reader);
        onRelease?.();
      },
    );
    const reader: DepthReader = { stream, primed: false };
    holder.reader = reader;
    if (this.#closed) {
      stream.end();
      return stream;
    }
    this.#readers.add(reader);
    if (this.sync.isSynced) this.#prime(reader);
    return stream;
  }

  async #pump(frames: BoundedStream<BinanceCombinedFrame>): Promise<void> {
    try {
      // Frames normally never reach this reader (the post-processor feeds the sync); it holds
      // the subscription and learns when it ends or fails.
      for await (const frame of frames) this.onFrame(frame.data);
    } catch (e) {
      if (this.#closed) return;
      this.failure = isTickwireError(e)
        ? e
        : createError('INTERNAL', 'binance depth stream failed', { cause: e });
      this.#owner.events.emit({ type: 'error', market: this.market.symbol, error: this.failure });
      this.close();
    }
  }

  /** Whether the pool's tap may feed the sync directly: nobody reads this market's deltas. */
  get takesPrepared(): boolean {
    return this.#readers.size === 0 && !this.#closed;
  }

  /** One depth payload (hot path: called by the connection's post-processor). */
  onFrame(d: unknown): void {
    if (!isFastParsedDepth(d) && !isBinanceDepthUpdate(d)) {
      this.#owner.reportInvalid(this.market.symbol, d, 'depthUpdate');
      return;
    }
    const exchangeTime = d.E;
    this.sync.push(
      typeof exchangeTime === 'number'
        ? { firstUpdateId: d.U, lastUpdateId: d.u, bids: d.b, asks: d.a, exchangeTime }
        : { firstUpdateId: d.U, lastUpdateId: d.u, bids: d.b, asks: d.a },
    );
    if (this.#readers.size > 0) this.#emitDelta(d);
  }

  #emitDelta(d: BinanceDepthUpdate): void {
    if (!this.sync.isSynced || this.sync.book.sequence !== d.u || d.u <= this.#lastEmitted) return;
    this.#lastEmitted = d.u;
    const update: DepthUpdate = {
      kind: 'delta',
      market: this.market.symbol,
      bids: toLevels(d.b),
      asks: toLevels(d.a),
      sequence: BigInt(d.u),
      firstSequence: BigInt(d.U),
      ...(typeof d.E === 'number' ? { exchangeTime: d.E } : {}),
      receivedAt: this.sync.book.receivedAt ?? Date.now(),
      raw: d,
    };
    for (const r of this.#readers) {
      if (!r.primed) continue;
      const before = r.stream.dropped;
      r.stream.push(update);
      // The reader lost an update: what it holds no longer adds up, so it gets a snapshot.
      if (r.stream.dropped !== before) {
        this.#owner.countOverflow();
        this.#prime(r);
      }
    }
  }

  #prime(r: DepthReader): void {
    const view = this.sync.view();
    const sequence = view.sequence;
    r.primed = true;
    if (sequence !== undefined && sequence > this.#lastEmitted) this.#lastEmitted = sequence;
    r.stream.push({
      kind: 'snapshot',
      market: this.market.symbol,
      bids: view.bids().map((l) => ({ price: l.price, quantity: l.quantity })),
      asks: view.asks().map((l) => ({ price: l.price, quantity: l.quantity })),
      ...(sequence === undefined ? {} : { sequence: BigInt(sequence) }),
      ...(view.exchangeTime === undefined ? {} : { exchangeTime: view.exchangeTime }),
      receivedAt: view.receivedAt ?? Date.now(),
      raw: undefined,
    });
  }

  #onSyncEvent(e: BookSyncEvent): void {
    if (e.type === 'synced') {
      for (const r of this.#readers) this.#prime(r);
    } else if (e.type === 'resyncing') {
      for (const r of this.#readers) r.primed = false;
    }
    this.#owner.emitSync(e);
  }
}

function toTrade(market: string, d: BinanceTradeEvent): Trade {
  return {
    market,
    id: String(d.t),
    price: new Decimal(d.p),
    quantity: new Decimal(d.q),
    side: d.m ? 'sell' : 'buy',
    time: d.T,
    raw: d,
  };
}

function controlError(m: unknown): TickwireError | undefined {
  const r = m as { code?: unknown; msg?: unknown; error?: unknown } | null;
  if (typeof r?.code === 'number' && typeof r.msg === 'string') {
    return createError('EXCHANGE_ERROR', `binance stream request failed: ${r.msg}`, {
      context: { exchangeCode: r.code, exchangeMessage: r.msg },
    });
  }
  return undefined;
}
