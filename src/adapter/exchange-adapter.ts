import type { z } from 'zod';
import { createError } from '../errors/tickwire-error.js';
import type { RestBody, RestRequest } from '../rest/types.js';
import {
  RestManager,
  type RestEndpoint,
  type RestManagerOptions,
  type RestManagerStats,
} from '../rest/rest-manager.js';
import { EventStream } from '../stream/event-stream.js';
import { MarketRegistry } from './market-registry.js';
import type { MarketInfo } from './models.js';

/**
 * The channels an adapter streams: channel name → its subscription parameters and the
 * events it yields. Declared by each adapter; the streaming half (`subscribe`) is not part
 * of the base yet.
 *
 * @example
 * type MyChannels = {
 *   depth: { params: { market: string }; event: DepthUpdate };
 *   trades: { params: { market: string }; event: Trade };
 * };
 */
export type ChannelMap = Record<string, { readonly params: unknown; readonly event: unknown }>;

/**
 * The signature `subscribe` will have on adapters with streams: a channel of the adapter's
 * {@link ChannelMap}, its parameters, and an abort signal ending the iteration.
 *
 * @example
 * const subscribe: SubscribeFn<MyChannels> = (channel, params, { signal }) => stream(channel, params, signal);
 */
export type SubscribeFn<TChannels extends ChannelMap> = <TChannel extends keyof TChannels & string>(
  channel: TChannel,
  params: TChannels[TChannel]['params'],
  options: { readonly signal?: AbortSignal },
) => AsyncIterable<TChannels[TChannel]['event']>;

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
 * Lifecycle events of every adapter.
 *
 * @example
 * adapter.events.on('marketsLoaded', (e) => console.log(e.count));
 */
export type AdapterEvent =
  { readonly type: 'marketsLoaded'; readonly count: number } | { readonly type: 'closed' };

/**
 * Counters of an adapter.
 *
 * @example
 * const { rest, markets } = adapter.stats();
 */
export interface AdapterStats {
  /** The REST manager's counters (with the throttler's snapshot). */
  readonly rest: RestManagerStats;
  /** Markets known to the registry. */
  readonly markets: number;
  /** True once {@link ExchangeAdapter.close} was called. */
  readonly closed: boolean;
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

/**
 * The base every adapter subclasses: it owns the {@link RestManager}, the
 * {@link MarketRegistry} and the typed `events`, and calls REST endpoints declared as data
 * (an {@link EndpointTable}) through {@link ExchangeAdapter.call}. Subclasses supply
 * {@link ExchangeAdapter.fetchMarkets} and their typed methods.
 *
 * Streaming is not part of the base yet: there is deliberately no `subscribe` method (a
 * stub would only fail at run time); adapters declare their {@link ChannelMap} and
 * {@link SubscribeFn} is the signature it will have.
 *
 * @example
 * class DemoAdapter extends ExchangeAdapter<DemoChannels, typeof endpoints> {
 *   protected async fetchMarkets({ signal }: { signal?: AbortSignal }) {
 *     return (await this.call('markets', {}, { signal })).map(toMarketInfo);
 *   }
 * }
 * await using demo = new DemoAdapter({ exchange: 'demo', rest: { baseUrl }, endpoints });
 * await demo.loadMarkets({ signal });
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
   * Counters: the REST manager's (requests, retries, errors by code, throttler) and the
   * number of known markets.
   *
   * @example
   * adapter.stats().rest.errors.RATE_LIMITED;
   */
  stats(): AdapterStats {
    return { rest: this.#rest.stats(), markets: this.markets.list().length, closed: this.#closed };
  }

  /**
   * Closes the REST connection pools and ends `events`; later calls fail with `CLOSED`.
   * Idempotent.
   *
   * @example
   * await adapter.close();
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
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
