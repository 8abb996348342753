import type { z } from 'zod';
import type { TickwireError } from '../errors/tickwire-error.js';
import { createError, isTickwireError } from '../errors/tickwire-error.js';
import type { RestBody, RestRequest } from '../rest/types.js';
import {
  RestManager,
  type RestEndpoint,
  type RestManagerOptions,
  type RestManagerStats,
} from '../rest/rest-manager.js';
import type { BoundedStream } from '../stream/bounded-stream.js';
import { EventStream } from '../stream/event-stream.js';
import { EMPTY_WS_STATS, type WsStats } from '../ws/ws-stats.js';
import type { WsEvent } from '../ws/ws-types.js';
import { MarketRegistry } from './market-registry.js';
import type { MarketInfo } from './models.js';
import {
  type ChannelRoute,
  ChannelStream,
  type ChannelStreamHost,
  type ChannelTable,
  type StreamConnection,
  type SubscribeOptions,
} from './streaming.js';

/**
 * The channels an adapter streams: channel name → its subscription parameters and the
 * events it yields. Declared by each adapter; `subscribe` is typed by it and the adapter's
 * {@link ChannelTable} says how each channel is carried.
 *
 * @example
 * type MyChannels = {
 *   depth: { params: { market: string }; event: DepthUpdate };
 *   trades: { params: { market: string }; event: Trade };
 * };
 */
export type ChannelMap = Record<string, { readonly params: unknown; readonly event: unknown }>;

/**
 * The signature of {@link ExchangeAdapter.subscribe}: a channel of the adapter's
 * {@link ChannelMap}, its parameters, and the reader's options (abort signal, buffer).
 *
 * @example
 * const subscribe: SubscribeFn<MyChannels> = (channel, params, options) => adapter.subscribe(channel, params, options);
 */
export type SubscribeFn<TChannels extends ChannelMap> = <TChannel extends keyof TChannels & string>(
  channel: TChannel,
  params: TChannels[TChannel]['params'],
  options?: SubscribeOptions,
) => ChannelStream<TChannels[TChannel]['event']>;

/**
 * An adapter's REST endpoints declared as data: name → method, path, throttle ticket
 * (weight, pool, priority), `isAuthRequired`, `idempotent` and the response schema.
 *
 * @example
 * const endpoints = {
 *   time: { method: 'GET', path: '/api/v3/time', schema: ServerTime, throttle: { key: 'REQUEST_WEIGHT', weight: 1 } },
 * } satisfies EndpointTable;
 */
export type EndpointTable = Readonly<Record<string, RestEndpoint<z.ZodType>>>;

/**
 * Parameters of one endpoint call (see {@link ExchangeAdapter.call}).
 *
 * @example
 * const params: EndpointParams = { query: { market_id: '0x…' } };
 */
export interface EndpointParams {
  readonly query?: RestRequest['query'];
  readonly body?: RestBody;
}

/**
 * Lifecycle events of every adapter. Connection events name the connection (see
 * {@link ExchangeAdapter.addConnection}); `closed` without `connection` is the adapter's
 * own close (the last event). `resynced` is emitted by book maintenance when a local book
 * was rebuilt from a fresh snapshot. `error` carries every streaming error (unparseable or
 * malformed frames, server error frames, failed subscriptions); the stream goes on.
 *
 * @example
 * adapter.events.on('marketsLoaded', (e) => console.log(e.count));
 * adapter.events.on('reconnecting', (e) => console.log(e.connection, e.attempt, e.delayMs));
 * adapter.events.on('error', (e) => console.warn(e.error.code, e.channel));
 */
export type AdapterEvent =
  | { readonly type: 'marketsLoaded'; readonly count: number }
  | {
      readonly type: 'connecting';
      readonly connection: string;
      readonly url: string;
      readonly attempt: number;
    }
  | {
      readonly type: 'open';
      readonly connection: string;
      readonly url: string;
      readonly reconnect: boolean;
    }
  | {
      readonly type: 'reconnecting';
      readonly connection: string;
      readonly attempt: number;
      readonly delayMs: number;
    }
  | { readonly type: 'resubscribed'; readonly connection: string; readonly count: number }
  | {
      readonly type: 'resynced';
      readonly market: string;
      readonly reason: string;
      readonly channel?: string;
    }
  | {
      readonly type: 'closed';
      readonly connection?: string;
      readonly code?: number;
      readonly reason?: string;
    }
  | {
      readonly type: 'error';
      readonly error: TickwireError;
      readonly connection?: string;
      readonly channel?: string;
    };

/**
 * Streaming counters of an adapter.
 *
 * @example
 * const { live, errors } = adapter.stats().streams;
 */
export interface AdapterStreamStats {
  /** Readers currently live (subscribed, not yet ended or left), per channel. */
  readonly live: Readonly<Record<string, number>>;
  /** Frames that failed their channel's parser (each frame counted once). */
  readonly parseFailures: number;
  /** Streaming errors reported on `events`, by error code. */
  readonly errors: Readonly<Record<string, number>>;
}

/**
 * Counters of an adapter.
 *
 * @example
 * const { rest, markets, ws, streams } = adapter.stats();
 */
export interface AdapterStats {
  /** The REST manager's counters (with the throttler's snapshot). */
  readonly rest: RestManagerStats;
  /** Markets known to the registry. */
  readonly markets: number;
  /** True once {@link ExchangeAdapter.close} was called. */
  readonly closed: boolean;
  /** Each connection's WebSocket counters (a pool's members summed), by connection name. */
  readonly ws: Readonly<Record<string, WsStats>>;
  /** Streaming counters. */
  readonly streams: AdapterStreamStats;
}

/**
 * Options of {@link ExchangeAdapter}.
 *
 * @example
 * const options: ExchangeAdapterOptions<typeof endpoints> = {
 *   exchange: 'demo',
 *   rest: { baseUrl: 'https://api.example.com' },
 *   endpoints,
 *   channels: ['depth'],
 * };
 */
export interface ExchangeAdapterOptions<
  TChannels extends ChannelMap,
  TEndpoints extends EndpointTable,
> {
  /** Exchange name used in errors and the registry. Required. */
  readonly exchange: string;
  /** Options of the adapter's REST manager (base URL, throttler, error mapper…). Required. */
  readonly rest: RestManagerOptions;
  /** The endpoint table. Required. */
  readonly endpoints: TEndpoints;
  /** Channel names of the adapter's {@link ChannelMap}. Default none. */
  readonly channels?: readonly (keyof TChannels & string)[];
  /** Extra spellings of a market for the registry. Default none. */
  readonly aliases?: (market: MarketInfo) => readonly string[];
}

interface Feed {
  readonly variant: string | undefined;
  readonly readers: Set<ChannelStream<unknown>>;
  lastFailed: unknown;
}

/**
 * The base every adapter subclasses: it owns the {@link RestManager}, the
 * {@link MarketRegistry}, the WebSocket connections and the typed `events`; it calls REST
 * endpoints declared as data (an {@link EndpointTable}) through {@link ExchangeAdapter.call}
 * and streams channels declared as data (a {@link ChannelTable}) through
 * {@link ExchangeAdapter.subscribe}. Subclasses supply {@link ExchangeAdapter.fetchMarkets}
 * and their typed methods.
 *
 * How an adapter plugs its channels in: register each WebSocket source under a name with
 * {@link ExchangeAdapter.addConnection} (a `WsManager`, or a `WsPool` for sharded
 * streams; its router maps each message to a routing key), then give
 * {@link ExchangeAdapter.defineChannels} one builder per channel returning a
 * {@link ChannelRoute}: the connection name, the {@link WsChannelSpec} (routing key,
 * subscribe/unsubscribe frames, `private`, `acknowledged`), and `parse` (routed message →
 * events). Readers of one key share one upstream subscription (ref-counted); the last one
 * leaving sends the unsubscribe frame.
 *
 * @example
 * class DemoAdapter extends ExchangeAdapter<DemoChannels, typeof endpoints> {
 *   constructor(o: { restUrl: string; wsUrl: string }) {
 *     super({ exchange: 'demo', rest: { baseUrl: o.restUrl }, endpoints, channels: ['trades'] });
 *     this.addConnection('public', new WsManager({ url: o.wsUrl, router: (m: { ch: string }) => m.ch }));
 *     this.defineChannels({
 *       trades: async ({ market }, { signal }) => {
 *         const m = await this.market(market, { signal });
 *         return {
 *           connection: 'public',
 *           spec: {
 *             key: `trades.${m.id}`,
 *             subscribe: () => ({ sub: `trades.${m.id}` }),
 *             unsubscribe: () => ({ unsub: `trades.${m.id}` }),
 *           },
 *           parse: (msg) => toTrade(msg as WireTrade, m),
 *         };
 *       },
 *     });
 *   }
 *   protected async fetchMarkets({ signal }: { signal?: AbortSignal }) {
 *     return (await this.call('markets', {}, { signal })).map(toMarketInfo);
 *   }
 *   streamTrades(market: string, options?: SubscribeOptions) {
 *     return this.subscribe('trades', { market }, options);
 *   }
 * }
 * await using demo = new DemoAdapter({ restUrl, wsUrl });
 * for await (const t of demo.streamTrades('BTC/USDT', { signal })) console.log(t.price.toFixed());
 */
export abstract class ExchangeAdapter<
  TChannels extends ChannelMap,
  TEndpoints extends EndpointTable = EndpointTable,
  TMarket extends MarketInfo = MarketInfo,
> {
  /** Lifecycle events; ended by {@link ExchangeAdapter.close}. */
  readonly events = new EventStream<AdapterEvent>();
  /** The adapter's markets, filled by {@link ExchangeAdapter.loadMarkets}. */
  readonly markets: MarketRegistry;
  /** Channel names this adapter declares. */
  readonly channels: readonly (keyof TChannels & string)[];
  /** Exchange name. */
  readonly exchange: string;
  readonly #rest: RestManager;
  readonly #endpoints: TEndpoints;
  readonly #connections = new Map<string, { source: StreamConnection; off: () => void }>();
  readonly #feeds = new Map<string, Feed>();
  readonly #streams = new Map<ChannelStream<unknown>, Feed | undefined>();
  readonly #streamErrors: Record<string, number> = {};
  #table: ChannelTable<TChannels> = {};
  #parseFailures = 0;
  #loading: Promise<readonly TMarket[]> | undefined;
  #closed = false;

  constructor(options: ExchangeAdapterOptions<TChannels, TEndpoints>) {
    this.exchange = options.exchange;
    this.#rest = new RestManager({ exchange: options.exchange, ...options.rest });
    this.#endpoints = options.endpoints;
    this.channels = (options.channels ?? []).slice();
    this.markets = new MarketRegistry({
      exchange: options.exchange,
      ...(options.aliases === undefined ? {} : { aliases: options.aliases }),
    });
  }

  /**
   * Fetches every market from the exchange (called by {@link ExchangeAdapter.loadMarkets}).
   *
   * @example
   * protected async fetchMarkets({ signal }) { return (await this.call('markets', {}, { signal })).map(toInfo); }
   */
  protected abstract fetchMarkets(options: { signal?: AbortSignal }): Promise<readonly TMarket[]>;

  /**
   * Calls the endpoint `name` of the table with its parameters through the REST manager
   * (throttle, signing, retries, error mapping, schema parse).
   *
   * @example
   * const body = await this.call('depth', { query: { market_id: id } }, { signal });
   */
  protected call<TName extends keyof TEndpoints & string>(
    name: TName,
    params: EndpointParams,
    options: { signal?: AbortSignal | undefined } = {},
  ): Promise<z.output<TEndpoints[TName]['schema']>> {
    const endpoint = this.#endpoints[name];
    if (endpoint === undefined) {
      return Promise.reject(
        createError('INVALID_ARGUMENT', `${this.exchange}: no endpoint named ${name}`, {
          context: { argument: 'endpoint', exchange: this.exchange },
        }),
      );
    }
    if (this.#closed) {
      return Promise.reject(createError('CLOSED', `${this.exchange}: the adapter was closed`));
    }
    return this.#rest.call(endpoint, {
      ...params,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    }) as Promise<z.output<TEndpoints[TName]['schema']>>;
  }

  /**
   * Loads the markets into the registry once (concurrent callers share the request);
   * `reload` fetches them again.
   *
   * @example
   * const markets = await adapter.loadMarkets({ signal });
   * await adapter.loadMarkets({ reload: true, signal });
   */
  loadMarkets(
    options: { reload?: boolean; signal?: AbortSignal } = {},
  ): Promise<readonly TMarket[]> {
    if (this.#loading !== undefined && options.reload !== true) return this.#loading;
    const loading = this.fetchMarkets(
      options.signal === undefined ? {} : { signal: options.signal },
    ).then(
      (list) => {
        this.markets.set(list);
        this.events.emit({ type: 'marketsLoaded', count: list.length });
        return list;
      },
      (e: unknown) => {
        if (this.#loading === loading) this.#loading = undefined;
        throw e;
      },
    );
    this.#loading = loading;
    return loading;
  }

  /**
   * The market for a unified symbol, native id or alias, loading the markets first when
   * needed; `UNKNOWN_MARKET` when there is none.
   *
   * @example
   * const m = await adapter.market('BTC/USDT', { signal });
   */
  async market(symbolOrId: string, options: { signal?: AbortSignal } = {}): Promise<TMarket> {
    await this.loadMarkets(options);
    return this.markets.resolve(symbolOrId) as TMarket;
  }

  /**
   * Registers a WebSocket source under `name` (routes name it in `connection`): its
   * lifecycle events are forwarded to {@link ExchangeAdapter.events} tagged with the name,
   * its counters appear in `stats().ws`, and {@link ExchangeAdapter.close} closes it.
   * Sources connect lazily, on the first subscription.
   *
   * @example
   * this.addConnection('public', new WsManager({ url, router: (m: { stream: string }) => m.stream }));
   */
  protected addConnection<TSource extends StreamConnection>(
    name: string,
    source: TSource,
  ): TSource {
    if (this.#connections.has(name)) {
      throw createError(
        'INVALID_ARGUMENT',
        `${this.exchange}: connection "${name}" already exists`,
        {
          context: { argument: 'name', exchange: this.exchange },
        },
      );
    }
    const off = source.events.on((e) => this.#forward(name, e));
    this.#connections.set(name, { source, off });
    return source;
  }

  /**
   * Declares how each channel is carried (see {@link ChannelTable}); call it in the
   * subclass constructor. Channels missing from the table are `UNSUPPORTED_CHANNEL`.
   *
   * @example
   * this.defineChannels({ trades: (params, ctx) => this.tradesRoute(params, ctx) });
   */
  protected defineChannels(table: ChannelTable<TChannels>): void {
    this.#table = table;
  }

  /**
   * Reports a streaming error (e.g. a server error frame the router set aside): counted in
   * `stats().streams.errors` by code and emitted on {@link ExchangeAdapter.events}.
   *
   * @example
   * this.reportStreamError(mapO2Error(frame), { connection: 'o2' });
   */
  protected reportStreamError(
    error: TickwireError,
    where: { connection?: string; channel?: string } = {},
  ): void {
    this.#streamErrors[error.code] = (this.#streamErrors[error.code] ?? 0) + 1;
    this.events.emit({
      type: 'error',
      error,
      ...(where.connection === undefined ? {} : { connection: where.connection }),
      ...(where.channel === undefined ? {} : { channel: where.channel }),
    });
  }

  /**
   * Streams one channel: a typed {@link ChannelStream} of the channel's events for `params`.
   * Readers of the same upstream subscription share it; leaving the loop (or aborting)
   * releases the reader and the unsubscribe frame goes out when the last one leaves.
   * A channel the adapter does not carry throws `UNSUPPORTED_CHANNEL`; setup failures (an
   * unknown market…) end the stream with their typed error; after
   * {@link ExchangeAdapter.close} the stream fails with `CLOSED`.
   *
   * @example
   * for await (const d of adapter.subscribe('depth', { market: 'BTC/USDT' }, { signal })) book.apply(d);
   */
  subscribe<TChannel extends keyof TChannels & string>(
    channel: TChannel,
    params: TChannels[TChannel]['params'],
    options: SubscribeOptions = {},
  ): ChannelStream<TChannels[TChannel]['event']> {
    const build = Object.prototype.hasOwnProperty.call(this.#table, channel)
      ? this.#table[channel]
      : undefined;
    if (typeof build !== 'function') {
      throw createError(
        'UNSUPPORTED_CHANNEL',
        `${this.exchange}: no channel named ${JSON.stringify(channel)}`,
        { context: { exchange: this.exchange, channel: String(channel) } },
      );
    }
    const route: Promise<ChannelRoute<TChannels[TChannel]['event']>> = this.#closed
      ? Promise.reject(createError('CLOSED', `${this.exchange}: the adapter was closed`))
      : Promise.resolve().then(() => build(params, { signal: options.signal }));
    const stream = new ChannelStream<TChannels[TChannel]['event']>(
      channel,
      this.#host as ChannelStreamHost<unknown>,
      route,
      options,
    );
    if (!stream.closed) this.#streams.set(stream as ChannelStream<unknown>, undefined);
    return stream;
  }

  readonly #host: ChannelStreamHost<unknown> = {
    attach: (route, stream) => this.#attach(route, stream),
    parseFailed: (route, message, error) => {
      const feed = this.#feeds.get(feedKey(route));
      if (feed !== undefined) {
        // Every reader of a key parses the same message object: count and report it once.
        if (feed.lastFailed === message) return;
        feed.lastFailed = message;
      }
      this.#parseFailures++;
      this.reportStreamError(error, { connection: route.connection });
    },
    detach: (stream) => {
      if (!this.#streams.has(stream)) return;
      const feed = this.#streams.get(stream);
      this.#streams.delete(stream);
      if (feed === undefined) return;
      feed.readers.delete(stream);
      if (feed.readers.size === 0) {
        const key = feedKey(stream.route!);
        if (this.#feeds.get(key) === feed) this.#feeds.delete(key);
      }
    },
  };

  #attach(route: ChannelRoute<unknown>, stream: ChannelStream<unknown>): BoundedStream<unknown> {
    if (this.#closed) throw createError('CLOSED', `${this.exchange}: the adapter was closed`);
    const conn = this.#connections.get(route.connection);
    if (conn === undefined) {
      throw createError(
        'INVALID_ARGUMENT',
        `${this.exchange}: channel ${stream.channel} names no connection "${route.connection}"`,
        { context: { argument: 'connection', exchange: this.exchange } },
      );
    }
    const key = feedKey(route);
    let feed = this.#feeds.get(key);
    if (feed !== undefined && feed.readers.size > 0 && feed.variant !== route.variant) {
      throw createError(
        'INVALID_ARGUMENT',
        `${this.exchange}: ${stream.channel} "${route.spec.key}" is already streamed as ${feed.variant ?? 'default'}, not ${route.variant ?? 'default'}`,
        { context: { argument: 'params', exchange: this.exchange } },
      );
    }
    const inner = conn.source.subscribe<unknown>(route.spec, stream.readerOptions);
    if (inner.closed) return inner;
    if (feed === undefined || feed.readers.size === 0) {
      feed = { variant: route.variant, readers: new Set(), lastFailed: undefined };
      this.#feeds.set(key, feed);
    } else if (route.onJoin !== undefined) {
      try {
        route.onJoin();
      } catch (e) {
        this.reportStreamError(
          isTickwireError(e) ? e : createError('INTERNAL', 'onJoin hook threw', { cause: e }),
          { connection: route.connection, channel: stream.channel },
        );
      }
    }
    feed.readers.add(stream);
    if (this.#streams.has(stream)) this.#streams.set(stream, feed);
    return inner;
  }

  #forward(connection: string, e: { readonly type: string }): void {
    const w = e as WsEvent;
    switch (w.type) {
      case 'connecting':
        this.events.emit({ type: 'connecting', connection, url: w.url, attempt: w.attempt });
        return;
      case 'open':
        this.events.emit({ type: 'open', connection, url: w.url, reconnect: w.reconnect });
        return;
      case 'reconnecting':
        this.events.emit({
          type: 'reconnecting',
          connection,
          attempt: w.attempt,
          delayMs: w.delayMs,
        });
        return;
      case 'resubscribed':
        this.events.emit({ type: 'resubscribed', connection, count: w.count });
        return;
      case 'closed':
        this.events.emit({ type: 'closed', connection, code: w.code, reason: w.reason });
        return;
      case 'error':
        this.reportStreamError(w.error, { connection });
        return;
      default:
        return;
    }
  }

  /**
   * Counters: the REST manager's (requests, retries, errors by code, throttler) and the
   * number of known markets.
   *
   * @example
   * adapter.stats().rest.errors.RATE_LIMITED;
   */
  stats(): AdapterStats {
    const ws: Record<string, WsStats> = {};
    for (const [name, { source }] of this.#connections) ws[name] = sumWsStats(source.stats());
    const live: Record<string, number> = {};
    for (const s of this.#streams.keys()) live[s.channel] = (live[s.channel] ?? 0) + 1;
    return {
      rest: this.#rest.stats(),
      markets: this.markets.list().length,
      closed: this.#closed,
      ws,
      streams: { live, parseFailures: this.#parseFailures, errors: { ...this.#streamErrors } },
    };
  }

  /**
   * Ends every live stream (after what each has buffered), closes the WebSocket
   * connections and the REST connection pools, and ends `events`; later calls fail with
   * `CLOSED`. Idempotent.
   *
   * @example
   * await adapter.close();
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of [...this.#streams.keys()]) s.end();
    await Promise.all(
      [...this.#connections.values()].map(({ source }) => source.close().catch(() => undefined)),
    );
    for (const { off } of this.#connections.values()) off();
    await this.#rest.close();
    this.events.emit({ type: 'closed' });
    this.events.end();
  }

  /**
   * `await using adapter = new …Adapter(…)` closes it at the end of the scope.
   *
   * @example
   * await using adapter = new O2Adapter();
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function feedKey(route: ChannelRoute<unknown>): string {
  return `${route.connection}\u0000${route.spec.key}`;
}

/** A manager's counters as they are; a pool's members summed (latency: the worst member). */
function sumWsStats(s: WsStats | readonly { readonly stats: WsStats }[]): WsStats {
  if (!Array.isArray(s)) return s as WsStats;
  let out: WsStats = EMPTY_WS_STATS;
  for (const { stats: m } of s as readonly { readonly stats: WsStats }[]) {
    out = {
      messagesIn: out.messagesIn + m.messagesIn,
      messagesOut: out.messagesOut + m.messagesOut,
      bytesIn: out.bytesIn + m.bytesIn,
      bytesOut: out.bytesOut + m.bytesOut,
      reconnects: out.reconnects + m.reconnects,
      parseFailures: out.parseFailures + m.parseFailures,
      tapped: out.tapped + m.tapped,
      unroutable: out.unroutable + m.unroutable,
      droppedBeforeRouting: out.droppedBeforeRouting + m.droppedBeforeRouting,
      dropsByChannel: { ...out.dropsByChannel, ...m.dropsByChannel },
      lastRttMs: max(out.lastRttMs, m.lastRttMs),
      avgLatencyMs: max(out.avgLatencyMs, m.avgLatencyMs),
      jitterMs: max(out.jitterMs, m.jitterMs),
      quality: m.quality ?? out.quality,
      lastReceivedAt: max(out.lastReceivedAt, m.lastReceivedAt),
    };
  }
  return out;
}

function max(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}
