import type { KeyObject } from 'node:crypto';
import type { z } from 'zod';
import type {
  AdapterStats,
  BalanceUpdate,
  ChannelStream,
  DepthUpdate,
  OrderUpdate,
  SubscribeOptions,
  Trade,
} from '../../src/adapter/index.js';
import type { OrderBookView } from '../../src/book/index.js';
import {
  ExchangeAdapter,
  type EndpointParams,
  type ExchangeAdapterOptions,
} from '../../src/adapter/exchange-adapter.js';
import { ClockSync } from '../../src/auth/clock-sync.js';
import { createEd25519Signer } from '../../src/auth/ed25519-signer.js';
import { createHmacSigner } from '../../src/auth/hmac-signer.js';
import type { Signer } from '../../src/auth/signer.js';
import { createError, isTickwireError } from '../../src/errors/index.js';
import { createQuerySigner } from '../../src/rest/request-signer.js';
import type { RestManagerOptions } from '../../src/rest/rest-manager.js';
import { Throttler } from '../../src/throttle/index.js';
import {
  BINANCE_DEFAULT_RATE_LIMITS,
  BINANCE_ENDPOINTS,
  binanceDepthEndpoint,
} from './rest/endpoints.js';
import { type BinanceMarketInfo, normalizeBinanceMarket } from './rest/markets.js';
import { binanceRateLimitPools, binanceUsageReader } from './rest/rate-limits.js';
import {
  BinanceMarketStreams,
  type BinanceStreamSettings,
  BinanceUserDataStream,
  type BinanceWatchOrderBookOptions,
} from './streams/index.js';
import { mapBinanceResponse } from './rest/errors.js';
import { checkBinanceFilters } from './rest/filters.js';
import {
  binanceOrderRefQuery,
  buildBinanceOrder,
  type BinanceOrderRef,
  type BinancePlaceOrderParams,
} from './rest/orders.js';
import {
  normalizeBinanceAccount,
  normalizeBinanceAggTrade,
  normalizeBinanceBookTicker,
  normalizeBinanceDepth,
  normalizeBinanceKline,
  normalizeBinanceOrder,
  normalizeBinanceTrade,
  type BinanceAccount,
  type BinanceAggTrade,
  type BinanceBookTicker,
  type BinanceKline,
  type BinanceOrder,
} from './rest/normalize.js';

/**
 * Binance API credentials: an API key with its HMAC secret, or with an Ed25519 private key
 * (PKCS#8 PEM, `KeyObject` or 32-byte seed). Both are registered for redaction.
 *
 * @example
 * const hmac: BinanceCredentials = { apiKey, secret };
 * const ed25519: BinanceCredentials = { apiKey, privateKey: readFileSync('key.pem', 'utf8') };
 */
export type BinanceCredentials =
  | { readonly apiKey: string; readonly secret: string }
  | { readonly apiKey: string; readonly privateKey: string | KeyObject | Uint8Array };

/**
 * Options of {@link BinanceAdapter}.
 *
 * @example
 * new BinanceAdapter({ credentials: { apiKey, secret } });
 * new BinanceAdapter({ restUrl: sim.httpUrl, wsUrl: sim.wsUrl, wsApiUrl: `${sim.wsUrl}/ws-api/v3` });
 */
export interface BinanceAdapterOptions {
  /** REST origin; the adapter appends `/api/v3/…`. Default `'https://api.binance.com'`. */
  readonly restUrl?: string;
  /** Market-stream origin; `/ws` or `/stream?streams=` is appended. Default `'wss://stream.binance.com:9443'`. */
  readonly wsUrl?: string;
  /** WebSocket API URL (user data, order entry). Default `'wss://ws-api.binance.com:443/ws-api/v3'`. */
  readonly wsApiUrl?: string;
  /** API key with HMAC secret or Ed25519 private key; needed by signed calls. Default none. */
  readonly credentials?: BinanceCredentials;
  /** `recvWindow` sent with signed requests, in ms (at most 60 000). Default 5000. */
  readonly recvWindowMs?: number;
  /**
   * Measure the server clock offset (`GET /api/v3/time`) before the first signed call.
   * A `-1021` answer always re-syncs it. Default true.
   */
  readonly syncClockBeforeFirstSignedCall?: boolean;
  /**
   * A throttler to share with other adapters on the same IP. It must have the
   * {@link BINANCE_POOLS} pools. Default: a new one with {@link BINANCE_DEFAULT_RATE_LIMITS},
   * replaced by `exchangeInfo.rateLimits` on {@link BinanceAdapter.loadMarkets}.
   */
  readonly throttler?: Throttler;
  /** Market and user data stream settings (pacing, pool, snapshot depth, backoff…). Default: see {@link BinanceStreamSettings}. */
  readonly streams?: BinanceStreamSettings;
  /** Extra REST manager options (retry, connection, headers…). */
  readonly rest?: Omit<
    RestManagerOptions,
    'baseUrl' | 'throttler' | 'mapExchangeError' | 'signer' | 'usageReader' | 'clock'
  >;
}

/**
 * The channels Binance streams; the streaming half fills in their parameters and events.
 *
 * @example
 * type DepthParams = BinanceChannels['depth']['params'];
 */
export type BinanceChannels = {
  depth: { readonly params: { readonly market: string }; readonly event: DepthUpdate };
  trades: { readonly params: { readonly market: string }; readonly event: Trade };
  orders: { readonly params: Record<string, never>; readonly event: OrderUpdate };
  balances: { readonly params: Record<string, never>; readonly event: BalanceUpdate };
};

type Signal = { signal?: AbortSignal };

/** Endpoints that need a signature. */
type SignedEndpoint = {
  [K in keyof typeof BINANCE_ENDPOINTS]: (typeof BINANCE_ENDPOINTS)[K] extends {
    readonly isAuthRequired: true;
  }
    ? K
    : never;
}[keyof typeof BINANCE_ENDPOINTS];

/**
 * Binance Spot adapter: REST market data and signed trading with exchange filters checked
 * before sending, rate limits from `exchangeInfo` in the throttler, usage headers fed back,
 * HMAC or Ed25519 signing with clock re-sync. Markets are accepted as unified symbols
 * (`BTC/USDT`) or native ids (`BTCUSDT`).
 *
 * @example
 * await using binance = new BinanceAdapter({ credentials: { apiKey, secret } });
 * const book = await binance.getDepth('BTC/USDT', { limit: 100, signal });
 */
export class BinanceAdapter extends ExchangeAdapter<
  BinanceChannels,
  typeof BINANCE_ENDPOINTS,
  BinanceMarketInfo
> {
  /** REST origin in use. */
  readonly restUrl: string;
  /** Market-stream origin in use. */
  readonly wsUrl: string;
  /** WebSocket API URL in use. */
  readonly wsApiUrl: string;
  /** The throttler every REST call goes through. */
  readonly throttler: Throttler;
  /** Server clock offset used for signed timestamps; re-synced on `-1021`. */
  readonly clock: ClockSync;
  /** The request signer, when credentials were given (shared with the WS API half). */
  protected readonly signer: Signer | undefined;
  readonly #syncClockFirst: boolean;
  /** The throttler was made here (not shared by the caller): closing the adapter closes it. */
  readonly #ownsThrottler: boolean;
  readonly #streams: BinanceMarketStreams;
  readonly #userData: BinanceUserDataStream;
  #clockResyncs = 0;

  constructor(options: BinanceAdapterOptions = {}) {
    const restUrl = options.restUrl ?? 'https://api.binance.com';
    const throttler =
      options.throttler ?? new Throttler({ pools: BINANCE_DEFAULT_RATE_LIMITS, name: 'binance' });
    const signer = createSigner(options.credentials);
    // The clock reads the server time through this adapter's throttled `time` endpoint,
    // which exists only once `super()` returned.
    let fetchServerTime: (o: Signal) => Promise<number> = () => Promise.resolve(Date.now());
    const clock = new ClockSync({
      fetchServerTime: (o) => fetchServerTime(o),
      ...(options.recvWindowMs === undefined ? {} : { recvWindowMs: options.recvWindowMs }),
    });
    const base: ExchangeAdapterOptions<BinanceChannels, typeof BINANCE_ENDPOINTS> = {
      exchange: 'binance',
      endpoints: BINANCE_ENDPOINTS,
      channels: ['depth', 'trades', 'orders', 'balances'],
      rest: {
        ...options.rest,
        baseUrl: restUrl,
        throttler,
        usageReader: binanceUsageReader,
        mapExchangeError: mapBinanceResponse,
        ...(signer === undefined ? {} : { signer: createQuerySigner({ signer, clock }) }),
      },
    };
    super(base);
    fetchServerTime = async (o) => (await this.call('time', {}, o)).serverTime;
    this.restUrl = restUrl;
    this.wsUrl = options.wsUrl ?? 'wss://stream.binance.com:9443';
    this.wsApiUrl = options.wsApiUrl ?? 'wss://ws-api.binance.com:443/ws-api/v3';
    this.throttler = throttler;
    this.#ownsThrottler = options.throttler === undefined;
    this.clock = clock;
    this.signer = signer;
    this.#syncClockFirst = options.syncClockBeforeFirstSignedCall ?? true;
    // WebSocket half: market streams on a pool of combined-stream sockets, user data on the
    // WebSocket API; both connect on the first subscription.
    this.#streams = new BinanceMarketStreams({
      ...options.streams,
      wsUrl: this.wsUrl,
      resolveMarket: (symbol, o) => this.market(symbol, o),
      fetchDepthSnapshot: (id, limit, signal) =>
        this.call(binanceDepthEndpoint(limit), { query: { symbol: id, limit } }, { signal }),
    });
    this.#userData = new BinanceUserDataStream({
      wsApiUrl: this.wsApiUrl,
      signer,
      timestamp: () => clock.timestamp(),
      symbolOf: (id) => this.markets.find(id)?.symbol ?? id,
      ...(options.streams?.backoff === undefined ? {} : { backoff: options.streams.backoff }),
      // The WebSocket API has the same 24 h connection lifetime as the market streams.
      ...(options.streams?.maxLifetimeMs === undefined
        ? {}
        : { maxLifetimeMs: options.streams.maxLifetimeMs }),
      ...(options.streams?.rotateBeforeMs === undefined
        ? {}
        : { rotateBeforeMs: options.streams.rotateBeforeMs }),
    });
    this.#streams.events.on((e) => {
      if (e.type === 'resyncing') {
        this.events.emit({
          type: 'resynced',
          market: e.market,
          reason: e.reason,
          channel: 'depth',
        });
        if (e.error !== undefined) this.reportStreamError(e.error, { channel: 'depth' });
      } else if (e.type === 'error') this.reportStreamError(e.error, { channel: 'depth' });
    });
    this.addConnection('public', this.#streams.pool);
    this.addConnection('depth', this.#streams.depthConnection);
    this.addConnection('user', this.#userData.connection);
    this.defineChannels({
      depth: async ({ market }, { signal }) =>
        this.#streams.depthRoute(await this.market(market, signalOf({ signal })), 'depth'),
      trades: async ({ market }, { signal }) =>
        this.#streams.tradesRoute(await this.market(market, signalOf({ signal })), 'public'),
      orders: () => this.#userData.route<OrderUpdate>('orders', 'user'),
      balances: () => this.#userData.route<BalanceUpdate>('balances', 'user'),
    });
  }

  /** How many times a `-1021` answer made the adapter re-sync its clock. */
  get clockResyncs(): number {
    return this.#clockResyncs;
  }

  protected async fetchMarkets(options: Signal): Promise<readonly BinanceMarketInfo[]> {
    const info = await this.call('exchangeInfo', {}, options);
    const { pools } = binanceRateLimitPools(info.rateLimits);
    for (const pool of pools) this.throttler.upsertPool(pool);
    return info.symbols.map(normalizeBinanceMarket);
  }

  /**
   * Every market (cached; `reload` fetches `exchangeInfo` again and re-installs its rate
   * limits).
   *
   * @example
   * const markets = await binance.getMarkets({ signal });
   */
  getMarkets(
    options: { reload?: boolean; signal?: AbortSignal } = {},
  ): Promise<readonly BinanceMarketInfo[]> {
    return this.loadMarkets(options);
  }

  /**
   * `GET /api/v3/ping`: resolves when the REST API answers.
   *
   * @example
   * await binance.ping({ signal });
   */
  async ping(options: Signal = {}): Promise<void> {
    await this.call('ping', {}, options);
  }

  /**
   * The exchange's clock, epoch ms (`GET /api/v3/time`).
   *
   * @example
   * const serverTime = await binance.getServerTime();
   */
  async getServerTime(options: Signal = {}): Promise<number> {
    return (await this.call('time', {}, options)).serverTime;
  }

  /**
   * Measures the clock offset used for signed timestamps now; resolves with it (ms). Signed
   * calls do this once before the first of them and again after a `-1021`.
   *
   * @example
   * const offsetMs = await binance.syncClock({ signal });
   */
  syncClock(options: Signal = {}): Promise<number> {
    return this.clock.sync(options);
  }

  /**
   * A depth snapshot: exact level strings, best first, `sequence` = `lastUpdateId`. The
   * weight follows `limit` (1–100: 5, ≤ 500: 25, ≤ 1000: 50, ≤ 5000: 250).
   *
   * @example
   * const { bids, asks, sequence } = await binance.getDepth('BTC/USDT', { limit: 100, signal });
   */
  async getDepth(
    market: string,
    options: { limit?: number; signal?: AbortSignal } = {},
  ): Promise<DepthUpdate> {
    const limit = options.limit ?? 100;
    checkLimit('limit', limit, 5000);
    const m = await this.market(market, options);
    const body = await this.call(
      binanceDepthEndpoint(limit),
      { query: { symbol: m.id, limit } },
      options,
    );
    return normalizeBinanceDepth(body, m.symbol, Date.now());
  }

  /**
   * Recent public trades, oldest first (`limit` default 500, at most 1000).
   *
   * @example
   * const trades = await binance.getTrades('BTC/USDT', { limit: 100 });
   */
  async getTrades(
    market: string,
    options: { limit?: number; signal?: AbortSignal } = {},
  ): Promise<readonly Trade[]> {
    if (options.limit !== undefined) checkLimit('limit', options.limit, 1000);
    const m = await this.market(market, options);
    const body = await this.call(
      'trades',
      { query: { symbol: m.id, limit: options.limit } },
      options,
    );
    return body.map((t) => normalizeBinanceTrade(t, m.symbol));
  }

  /**
   * Aggregate trades, oldest first; bounds inclusive (`limit` at most 1000).
   *
   * @example
   * const page = await binance.getAggTrades('BTC/USDT', { fromId: 26129, limit: 500 });
   */
  async getAggTrades(
    market: string,
    options: {
      fromId?: number;
      startTime?: number;
      endTime?: number;
      limit?: number;
      signal?: AbortSignal;
    } = {},
  ): Promise<readonly BinanceAggTrade[]> {
    if (options.limit !== undefined) checkLimit('limit', options.limit, 1000);
    const m = await this.market(market, options);
    const body = await this.call(
      'aggTrades',
      {
        query: {
          symbol: m.id,
          fromId: options.fromId,
          startTime: options.startTime,
          endTime: options.endTime,
          limit: options.limit,
        },
      },
      options,
    );
    return body.map((t) => normalizeBinanceAggTrade(t, m.symbol));
  }

  /**
   * Candles, oldest first (`interval` such as `'1m'`, `'1h'`, `'1d'`; `limit` at most 1000).
   *
   * @example
   * const candles = await binance.getKlines('BTC/USDT', { interval: '1m', limit: 60 });
   */
  async getKlines(
    market: string,
    options: {
      interval: string;
      startTime?: number;
      endTime?: number;
      timeZone?: string;
      limit?: number;
      signal?: AbortSignal;
    },
  ): Promise<readonly BinanceKline[]> {
    if (options.limit !== undefined) checkLimit('limit', options.limit, 1000);
    const m = await this.market(market, options);
    const body = await this.call(
      'klines',
      {
        query: {
          symbol: m.id,
          interval: options.interval,
          startTime: options.startTime,
          endTime: options.endTime,
          timeZone: options.timeZone,
          limit: options.limit,
        },
      },
      options,
    );
    return body.map(normalizeBinanceKline);
  }

  /**
   * The best bid and ask of one market (weight 2).
   *
   * @example
   * const { bidPrice, askPrice } = await binance.getBookTicker('BTC/USDT');
   */
  async getBookTicker(market: string, options: Signal = {}): Promise<BinanceBookTicker> {
    const m = await this.market(market, options);
    const body = await this.call('bookTicker', { query: { symbol: m.id } }, options);
    const entry = Array.isArray(body) ? body[0] : body;
    if (entry === undefined) {
      throw createError('VALIDATION_FAILED', 'binance bookTicker: empty response', {
        context: { exchange: 'binance', what: 'binance bookTicker', path: '' },
      });
    }
    return normalizeBinanceBookTicker(entry, m.symbol);
  }

  /**
   * Best bid and ask of several markets, or of every market when `markets` is omitted
   * (weight 4).
   *
   * @example
   * const tickers = await binance.getBookTickers(['BTC/USDT', 'ETHUSDT']);
   */
  async getBookTickers(
    markets?: readonly string[],
    options: Signal = {},
  ): Promise<readonly BinanceBookTicker[]> {
    await this.loadMarkets(options);
    const ids = markets?.map((s) => this.markets.resolve(s).id);
    const body = await this.call(
      'bookTickerAll',
      { query: { symbols: ids === undefined ? undefined : ids } },
      options,
    );
    const list = Array.isArray(body) ? body : [body];
    return list.map((t) =>
      normalizeBinanceBookTicker(t, this.markets.find(t.symbol)?.symbol ?? t.symbol),
    );
  }

  /**
   * Places an order (`POST /api/v3/order`, signed). The market's filters are checked first:
   * a violation is `ORDER_FILTER_FAILED` naming the filter, and nothing is sent. The order
   * is never re-sent automatically: a timeout or 5xx after sending is
   * `ORDER_STATUS_UNKNOWN` with `context.clientOrderId` to reconcile with
   * {@link BinanceAdapter.getOrder}; a `-1021` re-syncs the clock but is not retried.
   *
   * @example
   * const order = await binance.placeOrder({
   *   market: 'BTC/USDT', side: 'buy', type: 'limit', price: '60000', quantity: '0.001',
   *   clientOrderId: 'bot-42', signal,
   * });
   */
  async placeOrder(params: BinancePlaceOrderParams): Promise<BinanceOrder> {
    const options = signalOf(params);
    this.#requireCredentials();
    const m = await this.market(params.market, options);
    const { query, filterInput, clientOrderId } = buildBinanceOrder(m, params);
    checkBinanceFilters(m, filterInput);
    try {
      const body = await this.#signed('placeOrder', { query }, options);
      return normalizeBinanceOrder(body, m.symbol);
    } catch (e) {
      if (!isTickwireError(e, 'ORDER_STATUS_UNKNOWN')) throw e;
      throw createError(
        'ORDER_STATUS_UNKNOWN',
        `${e.message}; reconcile with getOrder({ market: '${m.symbol}', clientOrderId: '${clientOrderId}' })`,
        { context: { ...e.context, market: m.symbol, clientOrderId }, cause: e },
      );
    }
  }

  /**
   * Cancels an order by `orderId` or `clientOrderId` (`DELETE /api/v3/order`, signed);
   * `EXCHANGE_UNKNOWN_ORDER` when it is unknown or already final. Not retried
   * automatically.
   *
   * @example
   * const cancelled = await binance.cancelOrder({ market: 'BTC/USDT', clientOrderId: 'bot-42' });
   */
  async cancelOrder(ref: BinanceOrderRef): Promise<BinanceOrder> {
    const options = signalOf(ref);
    this.#requireCredentials();
    const m = await this.market(ref.market, options);
    const query = { symbol: m.id, ...binanceOrderRefQuery(ref) };
    const body = await this.#signed('cancelOrder', { query }, options);
    return normalizeBinanceOrder(body, m.symbol);
  }

  /**
   * One order by `orderId` or `clientOrderId` (`GET /api/v3/order`, signed);
   * `EXCHANGE_UNKNOWN_ORDER` when the exchange does not know it.
   *
   * @example
   * const order = await binance.getOrder({ market: 'BTC/USDT', orderId: 28 });
   */
  async getOrder(ref: BinanceOrderRef): Promise<BinanceOrder> {
    const options = signalOf(ref);
    this.#requireCredentials();
    const m = await this.market(ref.market, options);
    const query = { symbol: m.id, ...binanceOrderRefQuery(ref) };
    const body = await this.#signed('getOrder', { query }, options);
    return normalizeBinanceOrder(body, m.symbol);
  }

  /**
   * Open orders of one market (weight 6), or of every market when `market` is omitted
   * (weight 80).
   *
   * @example
   * const open = await binance.getOpenOrders('BTC/USDT');
   */
  async getOpenOrders(market?: string, options: Signal = {}): Promise<readonly BinanceOrder[]> {
    this.#requireCredentials();
    if (market === undefined) {
      await this.loadMarkets(options);
      const body = await this.#signed('openOrdersAll', {}, options);
      return body.map((o) =>
        normalizeBinanceOrder(o, this.markets.find(o.symbol)?.symbol ?? o.symbol),
      );
    }
    const m = await this.market(market, options);
    const body = await this.#signed('openOrders', { query: { symbol: m.id } }, options);
    return body.map((o) => normalizeBinanceOrder(o, m.symbol));
  }

  /**
   * The account: permissions and exact balances (`GET /api/v3/account`, signed, weight 20).
   *
   * @example
   * const { balances } = await binance.getAccount({ omitZeroBalances: true });
   */
  async getAccount(
    options: { omitZeroBalances?: boolean; signal?: AbortSignal } = {},
  ): Promise<BinanceAccount> {
    this.#requireCredentials();
    const query = { omitZeroBalances: options.omitZeroBalances };
    const body = await this.#signed('account', { query }, signalOf(options));
    return normalizeBinanceAccount(body);
  }

  #requireCredentials(): void {
    if (this.signer === undefined) {
      throw createError(
        'AUTH_MISSING_CREDENTIALS',
        'binance: this call is signed; pass credentials to the BinanceAdapter',
        { context: { exchange: 'binance' } },
      );
    }
  }

  // ---- streams ----

  /**
   * Depth of one market (`BTC/USDT` or `BTCUSDT`): a `snapshot` first, then every `delta`
   * in sequence (`sequence` = `u`, `firstSequence` = `U`); after a gap, a reconnect or a
   * reader overflow, a fresh `snapshot` before further deltas. The snapshot comes from
   * `GET /api/v3/depth` through the throttler.
   *
   * @example
   * for await (const d of binance.streamDepth('BTC/USDT', { signal })) book.apply(d);
   */
  streamDepth(market: string, options: SubscribeOptions = {}): ChannelStream<DepthUpdate> {
    return this.subscribe('depth', { market }, options);
  }

  /**
   * A maintained local order book (the documented snapshot + diff procedure), as
   * conflated immutable views; `view.sequence` is the last applied update id `u`. After a
   * gap (`BOOK_SEQUENCE_GAP` on `events`) a view with `isSynced: false` comes, then synced
   * views again from a fresh snapshot.
   *
   * @example
   * for await (const book of binance.watchOrderBook('BTC/USDT', { depth: 10, signal })) {
   *   console.log(book.sequence, book.bestBid?.price, book.bestAsk?.price);
   * }
   */
  watchOrderBook(
    market: string,
    options: BinanceWatchOrderBookOptions = {},
  ): AsyncGenerator<OrderBookView, void, undefined> {
    return this.#streams.watchOrderBook(market, options);
  }

  /**
   * The current view of a market's book while a `watchOrderBook` or `streamDepth` reader
   * keeps it (`undefined` otherwise): a full-depth read without waiting for the next change.
   *
   * @example
   * const top = binance.orderBookView('BTC/USDT', 5)?.bids();
   */
  orderBookView(market: string, depth?: number): OrderBookView | undefined {
    return this.#streams.bookView(market, depth);
  }

  /**
   * Public trades of one market (`<symbol>@trade`); `side` is the taker's.
   *
   * @example
   * for await (const t of binance.streamTrades('BTC/USDT', { signal })) console.log(t.price.toFixed());
   */
  streamTrades(market: string, options: SubscribeOptions = {}): ChannelStream<Trade> {
    return this.subscribe('trades', { market }, options);
  }

  /**
   * The account's order updates (`executionReport` over the WebSocket API user data
   * stream, subscribed with `userDataStream.subscribe.signature` on every connect).
   * Needs credentials.
   *
   * @example
   * for await (const o of binance.streamOrders({ signal })) console.log(o.orderId, o.status);
   */
  streamOrders(options: SubscribeOptions = {}): ChannelStream<OrderUpdate> {
    return this.subscribe('orders', {}, options);
  }

  /**
   * The account's balances as they change (absolute free / locked per asset). Needs
   * credentials.
   *
   * @example
   * for await (const b of binance.streamBalances({ signal })) console.log(b.asset, b.free.toFixed());
   */
  streamBalances(options: SubscribeOptions = {}): ChannelStream<BalanceUpdate> {
    return this.subscribe('balances', {}, options);
  }

  /**
   * Events of the user data stream: `subscribed` after every (re)connect's
   * `userDataStream.subscribe.signature` is acknowledged, `terminated`, `error`, `rotated`
   * (the socket was replaced make-before-break: before its 24 h lifetime or on
   * `serverShutdown`, nothing lost or doubled) and `userDataGap` (the socket dropped or the
   * subscription ended unexpectedly: events between `since` and `until` may be missing, so
   * reconcile orders and balances over REST).
   *
   * @example
   * binance.userDataEvents.on('subscribed', (e) => console.log('user data', e.subscriptionId));
   */
  get userDataEvents(): BinanceUserDataStream['events'] {
    return this.#userData.events;
  }

  /**
   * Binance has no account nonce: always throws `UNSUPPORTED_CHANNEL`.
   *
   * @example
   * try { binance.streamNonce(); } catch (e) { isTickwireError(e, 'UNSUPPORTED_CHANNEL'); }
   */
  streamNonce(_account?: string, _options: SubscribeOptions = {}): never {
    throw createError(
      'UNSUPPORTED_CHANNEL',
      'binance: there is no nonce stream (nonces are an O2 concept)',
      { context: { exchange: 'binance', channel: 'nonce' } },
    );
  }

  /**
   * The base counters plus the market streams' (books, invalid frames) and the user data
   * stream's (subscriptions, events).
   *
   * @example
   * binance.stats().binanceStreams.books['BTC/USDT']?.sequence;
   */
  override stats(): AdapterStats & {
    readonly binanceStreams: ReturnType<BinanceMarketStreams['stats']>;
    readonly userData: ReturnType<BinanceUserDataStream['stats']>;
  } {
    return {
      ...super.stats(),
      binanceStreams: this.#streams.stats(),
      userData: this.#userData.stats(),
    };
  }

  override async close(): Promise<void> {
    await super.close();
    await Promise.all([this.#streams.close(), this.#userData.close()]);
    // Requests still queued in our own throttler fail with CLOSED; a shared one stays open.
    if (this.#ownsThrottler) await this.throttler.close();
  }
  // ---- end streams ----

  /**
   * A signed call: the clock is synced before the first one; a `-1021` re-syncs it and is
   * retried once for idempotent endpoints only (never for an order).
   */
  async #signed<TName extends SignedEndpoint>(
    name: TName,
    params: EndpointParams,
    options: Signal,
  ): Promise<z.output<(typeof BINANCE_ENDPOINTS)[TName]['schema']>> {
    if (this.#syncClockFirst && this.clock.syncedAt === undefined) await this.clock.sync(options);
    try {
      return await this.call(name, params, options);
    } catch (e) {
      if (!isTickwireError(e, 'AUTH_TIMESTAMP_OUTSIDE_WINDOW')) throw e;
      this.#clockResyncs++;
      await this.clock.sync(options);
      const endpoint: { readonly method: string; readonly idempotent?: boolean } =
        BINANCE_ENDPOINTS[name];
      if (!(endpoint.idempotent ?? endpoint.method === 'GET')) throw e;
      return this.call(name, params, options);
    }
  }
}

function createSigner(credentials: BinanceCredentials | undefined): Signer | undefined {
  if (credentials === undefined) return undefined;
  if ('secret' in credentials) {
    return createHmacSigner({ apiKey: credentials.apiKey, secret: credentials.secret });
  }
  return createEd25519Signer({ apiKey: credentials.apiKey, privateKey: credentials.privateKey });
}

function checkLimit(argument: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw createError(
      'INVALID_ARGUMENT',
      `binance: ${argument} must be an integer from 1 to ${max}`,
      {
        context: { exchange: 'binance', argument },
      },
    );
  }
}

function signalOf(o: { readonly signal?: AbortSignal | undefined }): Signal {
  return o.signal === undefined ? {} : { signal: o.signal };
}
