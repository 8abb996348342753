import type { AdapterStats, NonceUpdate } from '../../src/adapter/index.js';
import {
  ExchangeAdapter,
  type EndpointTable,
  type ExchangeAdapterOptions,
} from '../../src/adapter/exchange-adapter.js';
import { createError } from '../../src/errors/index.js';
import { Decimal, fromScaledInteger } from '../../src/numbers/index.js';
import type { RestManagerOptions } from '../../src/rest/rest-manager.js';
import { Throttler, type RateLimitPool } from '../../src/throttle/index.js';
import { createO2ResponseMapper } from './errors.js';
import { o2DepthPrecision } from './requests.js';
// ---- streams ----
import type { ChannelStream, SubscribeOptions } from '../../src/adapter/streaming.js';
import {
  O2Streams,
  type O2Channels,
  type O2StreamCounters,
  type O2StreamOptions,
} from './streams/o2-streams.js';
// ---- end streams ----
// ---- trading ----
import {
  o2OwnerRestOptions,
  resolveO2Credentials,
  type O2Credentials,
} from './trading/credentials.js';
import { O2_TRADING_ENDPOINTS } from './trading/endpoints.js';
import type { O2NonceManager } from './trading/nonce-manager.js';
import {
  O2Trading,
  type O2ActionsResult,
  type O2BatchAction,
  type O2MarketSummary,
  type O2OrderParams,
  type O2PlaceOrderResult,
  type O2SessionInfo,
} from './trading/o2-trading.js';
import type { Hex } from './crypto/index.js';
// ---- end trading ----
// ---- book ----
import type { BookLevelsInput, OrderBookView } from '../../src/book/index.js';
import {
  copyO2BookStats,
  createO2BookStats,
  toLevelInputs,
  watchO2OrderBook,
  type O2BookStats,
  type O2WatchOrderBookOptions,
} from './book/index.js';
// ---- end book ----
import {
  normalizeO2Balance,
  normalizeO2DepthResponse,
  normalizeO2Market,
  normalizeO2Order,
  normalizeO2Trade,
  O2AccountResponse,
  O2BalanceResponse,
  O2BarsResponse,
  O2DepthResponse,
  O2MarketsResponse,
  O2OrderResponse,
  O2OrdersResponse,
  O2TickerResponse,
  O2TradesResponse,
  type O2BalanceUpdate,
  type O2DepthUpdate,
  type O2MarketInfo,
  type O2OrderUpdate,
  type O2TradeUpdate,
} from './schemas/index.js';

/**
 * O2 networks (o2-protocol.md §1). The default is testnet, like the official SDK.
 *
 * @example
 * O2_NETWORKS.mainnet.restUrl; // 'https://api.o2.app'
 */
export const O2_NETWORKS = {
  mainnet: { restUrl: 'https://api.o2.app', wsUrl: 'wss://api.o2.app/v1/ws' },
  testnet: { restUrl: 'https://api.testnet.o2.app', wsUrl: 'wss://api.testnet.o2.app/v1/ws' },
  devnet: { restUrl: 'https://api.devnet.o2.app', wsUrl: 'wss://api.devnet.o2.app/v1/ws' },
} as const;

/**
 * An O2 network name.
 *
 * @example
 * const network: O2Network = 'mainnet';
 */
export type O2Network = keyof typeof O2_NETWORKS;

/**
 * O2's documented rate limits (o2-protocol.md §3) as throttler pools. Market-data reads
 * have no documented limit and are not throttled.
 *
 * @example
 * new Throttler({ pools: O2_RATE_LIMITS });
 */
export const O2_RATE_LIMITS: readonly RateLimitPool[] = [
  { id: 'session', limit: 5, intervalMs: 1000 },
  { id: 'sessionActions', limit: 5, intervalMs: 1000 },
  { id: 'createAccount', limit: 1, intervalMs: 1000 },
  { id: 'accountActions', limit: 10, intervalMs: 60_000 },
  { id: 'fees', limit: 5, intervalMs: 1000 },
  { id: 'aggregated', limit: 5, intervalMs: 1000 },
];

/**
 * The O2 REST endpoints this adapter calls, declared as data.
 *
 * @example
 * O2_ENDPOINTS.depth.path; // '/v1/depth'
 */
export const O2_ENDPOINTS = {
  markets: { method: 'GET', path: '/v1/markets', what: 'o2 markets', schema: O2MarketsResponse },
  ticker: {
    method: 'GET',
    path: '/v1/markets/ticker',
    what: 'o2 ticker',
    schema: O2TickerResponse,
  },
  depth: { method: 'GET', path: '/v1/depth', what: 'o2 depth', schema: O2DepthResponse },
  trades: { method: 'GET', path: '/v1/trades', what: 'o2 trades', schema: O2TradesResponse },
  bars: { method: 'GET', path: '/v1/bars', what: 'o2 bars', schema: O2BarsResponse },
  account: {
    method: 'GET',
    path: '/v1/accounts',
    what: 'o2 account',
    schema: O2AccountResponse,
  },
  balance: { method: 'GET', path: '/v1/balance', what: 'o2 balance', schema: O2BalanceResponse },
  orders: { method: 'GET', path: '/v1/orders', what: 'o2 orders', schema: O2OrdersResponse },
  order: { method: 'GET', path: '/v1/order', what: 'o2 order', schema: O2OrderResponse },
  // ---- trading ----: summary, createAccount, session, sessionActions
  ...O2_TRADING_ENDPOINTS,
} as const satisfies EndpointTable;

// ---- streams ----: the channel map lives with the streams (./streams/o2-streams.ts)
export type { O2Channels } from './streams/o2-streams.js';

/**
 * Options of {@link O2Adapter}.
 *
 * @example
 * new O2Adapter({ network: 'mainnet' });
 * new O2Adapter({ restUrl: sim.httpUrl, wsUrl: sim.wsUrl });
 */
export interface O2AdapterOptions {
  /** Network; ignored for the URL given explicitly. Default `'testnet'`. */
  readonly network?: O2Network;
  /** REST base URL. Default: the network's. */
  readonly restUrl?: string;
  /** WebSocket URL (for the streaming half). Default: the network's. */
  readonly wsUrl?: string;
  /** The socket's heartbeat and reconnect settings (`PING` every 30 s, never gives up). */
  readonly stream?: O2StreamOptions;
  /**
   * Extra REST manager options (retry, connection, headers…). `retry.defaultRetryAfterMs`
   * (default 1000) is also how long a rate-limit answer (code 1003) without `Retry-After`
   * pauses its throttler pools.
   */
  readonly rest?: Omit<RestManagerOptions, 'baseUrl' | 'throttler' | 'mapExchangeError'>;
  /** Owner credentials for trading (a private key with its kind, or a signer). Default none (read-only). */
  readonly credentials?: O2Credentials;
}

/**
 * A ticker in human units (prices scaled by the quote decimals, base volume by the base
 * decimals); fields the server left out are absent.
 *
 * @example
 * (await o2.getTicker('fFUEL/fUSDC')).bid?.toFixed();
 */
export interface O2Ticker {
  readonly market: string;
  readonly bid?: Decimal;
  readonly bidVolume?: Decimal;
  readonly ask?: Decimal;
  readonly askVolume?: Decimal;
  readonly open?: Decimal;
  readonly high?: Decimal;
  readonly low?: Decimal;
  readonly last?: Decimal;
  readonly baseVolume?: Decimal;
  readonly quoteVolume?: Decimal;
  readonly raw: unknown;
}

/**
 * A candle in human units; `time` is the bar's start, epoch ms.
 *
 * @example
 * (await o2.getBars('fFUEL/fUSDC', { resolution: '1m' }))[0]?.close.toFixed();
 */
export interface O2Candle {
  readonly time: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  /** Base volume (buy + sell when the server splits it). */
  readonly volume?: Decimal;
  readonly buyVolume?: Decimal;
  readonly sellVolume?: Decimal;
  readonly raw: unknown;
}

/**
 * Where the next page of trades starts (O2's `start_timestamp` + `start_trade_id`).
 *
 * @example
 * const page2 = await o2.getTrades('fFUEL/fUSDC', { cursor: page1.next });
 */
export interface O2TradesCursor {
  readonly timestamp: number;
  readonly tradeId: string;
}

/**
 * A page of trades and the cursor of the next one (absent on a short page).
 *
 * @example
 * const { trades, next } = await o2.getTrades('fFUEL/fUSDC', { count: 50 });
 */
export interface O2TradesPage {
  readonly trades: readonly O2TradeUpdate[];
  readonly next?: O2TradesCursor;
}

/**
 * A trading account as `GET /v1/accounts` describes it.
 *
 * @example
 * (await o2.getAccount({ owner })).nonce; // 0n
 */
export interface O2Account {
  readonly tradeAccountId?: string;
  readonly nonce?: bigint;
  readonly raw: unknown;
}

type Signal = { signal?: AbortSignal };

/**
 * O2 (Fuel order book) adapter: REST market data and account reads, normalised and exact.
 * Markets are accepted as unified symbols (`fFUEL/fUSDC`, also `FUEL/USDC`) or native
 * `0x…` ids. Streams (`streamDepth`, `streamTrades`, `streamOrders`, `streamBalances`,
 * `streamNonce`, or the generic `subscribe`) share one socket (see {@link O2Streams}).
 *
 * @example
 * await using o2 = new O2Adapter({ network: 'testnet' });
 * const book = await o2.getDepth('FUEL/USDC', { limit: 10, signal });
 */
export class O2Adapter extends ExchangeAdapter<O2Channels, typeof O2_ENDPOINTS, O2MarketInfo> {
  /** REST base URL in use. */
  readonly restUrl: string;
  /** The throttler with O2's documented limits; {@link O2Adapter.close} closes it. */
  readonly throttler: Throttler;
  /** WebSocket URL of the streams. */
  readonly wsUrl: string;

  constructor(options: O2AdapterOptions = {}) {
    const network = O2_NETWORKS[options.network ?? 'testnet'];
    const restUrl = options.restUrl ?? network.restUrl;
    const credentials = resolveO2Credentials(options.credentials); // ---- trading ----
    // The limits are small integers: a margin would round the 1/s pool down to zero.
    const throttler = new Throttler({ pools: O2_RATE_LIMITS, marginRatio: 0, name: 'o2' });
    // A 1003 answer at any status pauses its pools (see createO2ResponseMapper); counted here.
    const rateLimits = { count: 0 };
    const mapExchangeError = createO2ResponseMapper({
      throttler,
      defaultRetryAfterMs: options.rest?.retry?.defaultRetryAfterMs ?? 1000,
      onRateLimited: () => void rateLimits.count++,
    });
    const base: ExchangeAdapterOptions<O2Channels, typeof O2_ENDPOINTS> = {
      exchange: 'o2',
      endpoints: O2_ENDPOINTS,
      channels: ['depth', 'trades', 'orders', 'balances', 'nonce'],
      aliases: o2Aliases,
      rest: {
        ...options.rest,
        ...o2OwnerRestOptions(credentials?.owner, options.rest?.headers), // ---- trading ----
        baseUrl: restUrl,
        throttler,
        mapExchangeError,
      },
    };
    super(base);
    this.throttler = throttler;
    this.#rateLimits = rateLimits;
    this.#trading = new O2Trading(this.#tradingHost(), credentials); // ---- trading ----
    this.restUrl = restUrl;
    this.wsUrl = options.wsUrl ?? network.wsUrl;
    // ---- streams ----
    this.#streams = new O2Streams(
      {
        market: (m, o) => this.market(m, o),
        loadMarkets: (o) => this.loadMarkets(o),
        reportError: (e) => this.reportStreamError(e, { connection: 'o2' }),
      },
      this.wsUrl,
      options.stream,
    );
    this.addConnection('o2', this.#streams.manager);
    this.defineChannels(this.#streams.channels);
    // ---- end streams ----
  }

  protected async fetchMarkets(options: Signal): Promise<readonly O2MarketInfo[]> {
    const body = await this.call('markets', {}, options);
    return body.markets.map(normalizeO2Market);
  }

  /**
   * Every market (cached; `reload` fetches again).
   *
   * @example
   * const markets = await o2.getMarkets({ signal });
   */
  getMarkets(
    options: { reload?: boolean; signal?: AbortSignal } = {},
  ): Promise<readonly O2MarketInfo[]> {
    return this.loadMarkets(options);
  }

  /**
   * A depth snapshot: exact chain-integer level strings, best first. `precision` is the
   * grouping level (1 = finest, `10`), `limit` levels per side (also enforced locally).
   *
   * @example
   * const { bids, asks } = await o2.getDepth('fFUEL/fUSDC', { limit: 5, signal });
   */
  async getDepth(
    market: string,
    options: { precision?: number; limit?: number; signal?: AbortSignal } = {},
  ): Promise<O2DepthUpdate> {
    const m = await this.market(market, options);
    const precision = o2DepthPrecision(options.precision ?? 1);
    const body = await this.call(
      'depth',
      { query: { market_id: m.id, precision, limit: options.limit } },
      options,
    );
    const snap = normalizeO2DepthResponse(body, m.symbol, body);
    const limit = options.limit;
    if (limit === undefined) return snap;
    return { ...snap, bids: snap.bids.slice(0, limit), asks: snap.asks.slice(0, limit) };
  }

  /**
   * A page of public trades, newest first by default; pass the returned `next` as `cursor`
   * for the following page. `count` at most 50.
   *
   * @example
   * let page = await o2.getTrades('fFUEL/fUSDC', { count: 50 });
   * if (page.next) page = await o2.getTrades('fFUEL/fUSDC', { cursor: page.next });
   */
  async getTrades(
    market: string,
    options: {
      count?: number;
      cursor?: O2TradesCursor;
      direction?: 'asc' | 'desc';
      signal?: AbortSignal;
    } = {},
  ): Promise<O2TradesPage> {
    const count = options.count ?? 50;
    if (!Number.isInteger(count) || count < 1 || count > 50) {
      throw createError('INVALID_ARGUMENT', `o2: trades count must be 1 to 50, got ${count}`, {
        context: { argument: 'count', exchange: 'o2' },
      });
    }
    const m = await this.market(market, options);
    const body = await this.call(
      'trades',
      {
        query: {
          market_id: m.id,
          direction: options.direction ?? 'desc',
          count,
          start_timestamp: options.cursor?.timestamp,
          start_trade_id: options.cursor?.tradeId,
        },
      },
      options,
    );
    const trades = body.trades.map((t) => normalizeO2Trade(t, m));
    const last = trades[trades.length - 1];
    return last === undefined || trades.length < count
      ? { trades }
      : { trades, next: { timestamp: last.time, tradeId: last.id } };
  }

  /**
   * The 24 h ticker in human units.
   *
   * @example
   * const { bid, ask, last } = await o2.getTicker('fFUEL/fUSDC', { signal });
   */
  async getTicker(market: string, options: Signal = {}): Promise<O2Ticker> {
    const m = await this.market(market, options);
    const body = await this.call('ticker', { query: { market_id: m.id } }, options);
    const t = body[0];
    if (t === undefined) {
      throw createError('VALIDATION_FAILED', 'o2 ticker: empty response', {
        context: { exchange: 'o2', what: 'o2 ticker', path: '0' },
      });
    }
    const price = (v: string | null | undefined, f: string): Decimal | undefined =>
      human(v, m.quoteDecimals, f);
    const size = (v: string | null | undefined, f: string): Decimal | undefined =>
      human(v, m.baseDecimals, f);
    return compact({
      market: m.symbol,
      bid: price(t.bid ?? t.best_bid, 'bid'),
      bidVolume: size(t.bid_volume, 'bid_volume'),
      ask: price(t.ask ?? t.best_ask, 'ask'),
      askVolume: size(t.ask_volume, 'ask_volume'),
      open: price(t.open, 'open'),
      high: price(t.high, 'high'),
      low: price(t.low, 'low'),
      last: price(t.last ?? t.last_price, 'last'),
      baseVolume: size(t.base_volume, 'base_volume'),
      quoteVolume: price(t.quote_volume, 'quote_volume'),
      raw: body,
    }) as O2Ticker;
  }

  /**
   * Candles between `from` and `to` (epoch ms), oldest first.
   *
   * @example
   * const bars = await o2.getBars('fFUEL/fUSDC', { resolution: '1m', from: Date.now() - 3_600_000, to: Date.now() });
   */
  async getBars(
    market: string,
    options: {
      resolution: string;
      from?: number;
      to?: number;
      countBack?: number;
      signal?: AbortSignal;
    },
  ): Promise<readonly O2Candle[]> {
    const m = await this.market(market, options);
    const body = await this.call(
      'bars',
      {
        query: {
          market_id: m.id,
          from: options.from ?? 0,
          to: options.to ?? Date.now(),
          resolution: options.resolution,
          count_back: options.countBack,
        },
      },
      options,
    );
    return body.bars.map((b): O2Candle => {
      const price = (v: string | null, f: string): Decimal =>
        human(v, m.quoteDecimals, f) ?? missing(f);
      const size = (v: string | null | undefined, f: string): Decimal | undefined =>
        human(v, m.baseDecimals, f);
      const v = b as {
        buy_volume?: string | null;
        sell_volume?: string | null;
        volume?: string | null;
      };
      const buy = size(v.buy_volume, 'buy_volume');
      const sell = size(v.sell_volume, 'sell_volume');
      const volume =
        v.volume !== undefined
          ? size(v.volume, 'volume')
          : buy !== undefined && sell !== undefined
            ? buy.plus(sell)
            : undefined;
      const time = 'timestamp' in b ? Number(b.timestamp) : Number(b.time) * 1000;
      return compact({
        time,
        open: price(b.open, 'open'),
        high: price(b.high, 'high'),
        low: price(b.low, 'low'),
        close: price(b.close, 'close'),
        volume,
        buyVolume: buy,
        sellVolume: sell,
        raw: b,
      }) as O2Candle;
    });
  }

  /**
   * A trading account by owner address or trade-account id.
   *
   * @example
   * const { tradeAccountId, nonce } = await o2.getAccount({ owner: wallet.b256Address });
   */
  async getAccount(
    who: { readonly owner: string } | { readonly tradeAccountId: string },
    options: Signal = {},
  ): Promise<O2Account> {
    const query = 'owner' in who ? { owner: who.owner } : { trade_account_id: who.tradeAccountId };
    const body = await this.call('account', { query }, options);
    return compact({
      tradeAccountId: body.trade_account_id ?? undefined,
      nonce: body.trade_account?.nonce,
      raw: body,
    }) as O2Account;
  }

  /**
   * The balance of one asset (symbol such as `fUSDC`, or `0x…` asset id) in a trading
   * account, in human units.
   *
   * @example
   * (await o2.getBalance('fUSDC', { tradeAccountId })).free.toFixed();
   */
  async getBalance(
    asset: string,
    options: { tradeAccountId: string; signal?: AbortSignal },
  ): Promise<O2BalanceUpdate> {
    await this.loadMarkets(options);
    const a = this.#asset(asset);
    const body = await this.call(
      'balance',
      { query: { asset_id: a.id, contract: options.tradeAccountId } },
      options,
    );
    return normalizeO2Balance(
      { ...body, identity: { ContractId: options.tradeAccountId }, asset_id: a.id },
      { symbol: a.symbol, decimals: a.decimals },
      body,
    );
  }

  /**
   * The account's orders on a market, newest first by default (`count` at most 200).
   *
   * @example
   * const open = await o2.getOrders('fFUEL/fUSDC', { tradeAccountId, isOpen: true });
   */
  async getOrders(
    market: string,
    options: {
      tradeAccountId: string;
      count?: number;
      isOpen?: boolean;
      direction?: 'asc' | 'desc';
      signal?: AbortSignal;
    },
  ): Promise<readonly O2OrderUpdate[]> {
    const m = await this.market(market, options);
    const body = await this.call(
      'orders',
      {
        query: {
          market_id: m.id,
          contract: options.tradeAccountId,
          direction: options.direction ?? 'desc',
          count: options.count ?? 20,
          is_open: options.isOpen,
        },
      },
      options,
    );
    return body.orders.map((o) => normalizeO2Order(o, m));
  }

  /**
   * One order by id.
   *
   * @example
   * const order = await o2.getOrder('fFUEL/fUSDC', '0x…', { signal });
   */
  async getOrder(market: string, orderId: string, options: Signal = {}): Promise<O2OrderUpdate> {
    const m = await this.market(market, options);
    const body = await this.call(
      'order',
      { query: { market_id: m.id, order_id: orderId } },
      options,
    );
    return normalizeO2Order(body.order, m);
  }

  // ---- trading ----
  // Owner wallet, sessions, session actions and nonces live in ./trading/ (O2Trading); the
  // adapter only delegates.
  readonly #trading: O2Trading;
  readonly #rateLimits: { readonly count: number };

  #tradingHost(): ConstructorParameters<typeof O2Trading>[0] {
    return {
      call: (name, params, options) => this.call(name, params, options),
      market: (market, options) => this.market(market, options),
      markets: (options) => this.loadMarkets(options),
    };
  }

  /**
   * The trading session in use, or `undefined` before {@link O2Adapter.createSession}.
   *
   * @example
   * o2.session?.expiresAt;
   */
  get session(): O2SessionInfo | undefined {
    return this.#trading.session;
  }

  /**
   * The per-account nonce manager of the trading actions.
   *
   * @example
   * o2.nonces.peek(tradeAccountId); // the nonce the next action will sign
   */
  get nonces(): O2NonceManager {
    return this.#trading.nonces;
  }

  /**
   * The owner's b256 address (`O2-Owner-Id`), when credentials were given.
   *
   * @example
   * o2.ownerAddress; // '0x…'
   */
  get ownerAddress(): Hex | undefined {
    return this.#trading.owner?.b256Address;
  }

  /**
   * The 24 h market summary in human units.
   *
   * @example
   * const { high, low, last } = await o2.getMarketSummary('fFUEL/fUSDC', { signal });
   */
  getMarketSummary(market: string, options: Signal = {}): Promise<O2MarketSummary> {
    return this.#trading.getMarketSummary(market, options);
  }

  /**
   * Creates the owner's trading account (`POST /v1/accounts`; the existing one if any).
   *
   * @example
   * const { tradeAccountId } = await o2.createAccount({ signal });
   */
  createAccount(options: Signal = {}): Promise<{ tradeAccountId: Hex; nonce?: bigint }> {
    return this.#trading.createAccount(options);
  }

  /**
   * The owner's trading account id: from the credentials, looked up by owner, or created.
   *
   * @example
   * const account = await o2.tradeAccountId();
   */
  tradeAccountId(options: Signal = {}): Promise<Hex> {
    return this.#trading.tradeAccountId(options);
  }

  /**
   * Opens a trading session signed by the owner (see {@link O2Trading.createSession}).
   *
   * @example
   * await o2.createSession({ markets: ['fFUEL/fUSDC'], expiry: Date.now() + 86_400_000 });
   */
  createSession(
    params: { markets?: readonly string[]; expiry?: Date | number; signal?: AbortSignal } = {},
  ): Promise<O2SessionInfo> {
    return this.#trading.createSession(params);
  }

  /**
   * Places an order through the session (see {@link O2Trading.placeOrder}).
   *
   * @example
   * const { order } = await o2.placeOrder({ market: 'fFUEL/fUSDC', side: 'buy', price: '0.0213', quantity: '100' });
   */
  placeOrder(params: O2OrderParams & { signal?: AbortSignal }): Promise<O2PlaceOrderResult> {
    return this.#trading.placeOrder(params);
  }

  /**
   * Cancels an order through the session.
   *
   * @example
   * await o2.cancelOrder({ market: 'fFUEL/fUSDC', orderId });
   */
  cancelOrder(params: {
    market: string;
    orderId: string;
    signal?: AbortSignal;
  }): Promise<O2ActionsResult> {
    return this.#trading.cancelOrder(params);
  }

  /**
   * Settles a market's proceeds back to the trading account.
   *
   * @example
   * await o2.settleBalance({ market: 'fFUEL/fUSDC' });
   */
  settleBalance(params: { market: string; signal?: AbortSignal }): Promise<O2ActionsResult> {
    return this.#trading.settleBalance(params);
  }

  /**
   * Up to 5 actions across up to 5 markets in one transaction (see {@link O2Trading.batch}).
   *
   * @example
   * await o2.batch([{ type: 'cancel', market: 'fFUEL/fUSDC', orderId }, { type: 'settle', market: 'fFUEL/fUSDC' }]);
   */
  batch(actions: readonly O2BatchAction[], options: Signal = {}): Promise<O2ActionsResult> {
    return this.#trading.batch(actions, options);
  }
  // ---- end trading ----

  // ---- streams ----
  // One socket for every channel; routing, ref-counting and frame handling live in
  // ./streams/o2-streams.ts (O2Streams); the adapter only exposes typed methods.
  readonly #streams: O2Streams;

  /**
   * Depth of one market: a snapshot first (also after every reconnect, or when the server
   * asks for a resync), then deltas with absolute sizes (`"0"` removes a level). Levels are
   * exact chain-integer strings; only this market's frames, even with other markets on the
   * socket. `precision` is the grouping level (1 = finest, the default); readers of one
   * market must use the same precision. Leaving the loop unsubscribes when it was the last
   * reader.
   *
   * @example
   * for await (const d of o2.streamDepth('fFUEL/fUSDC', { signal })) book.apply(d);
   */
  streamDepth(
    market: string,
    options: SubscribeOptions & { readonly precision?: number } = {},
  ): ChannelStream<O2Channels['depth']['event']> {
    const { precision, ...rest } = options;
    return this.subscribe(
      'depth',
      precision === undefined ? { market } : { market, precision },
      rest,
    );
  }

  /**
   * Public trades of one market, in human units (`side` is the taker's; O2's own maker
   * side is `makerSide`); `time` is epoch ms.
   *
   * @example
   * for await (const t of o2.streamTrades('fFUEL/fUSDC', { signal })) console.log(t.price.toFixed());
   */
  streamTrades(
    market: string,
    options: SubscribeOptions = {},
  ): ChannelStream<O2Channels['trades']['event']> {
    return this.subscribe('trades', { market }, options);
  }

  /**
   * Order updates of a trading account (`0x…` contract id), in human units. Pass `market`
   * to keep only that market's orders (and to scale orders the server sent without a
   * `market_id`).
   *
   * @example
   * for await (const o of o2.streamOrders(tradeAccountId, { signal })) console.log(o.orderId, o.status);
   */
  streamOrders(
    account: string,
    options: SubscribeOptions & { readonly market?: string } = {},
  ): ChannelStream<O2Channels['orders']['event']> {
    const { market, ...rest } = options;
    return this.subscribe('orders', market === undefined ? { account } : { account, market }, rest);
  }

  /**
   * Balance updates of a trading account: absolute free (`total_unlocked`) and locked
   * amounts per asset, in human units, with the per-order-book split.
   *
   * @example
   * for await (const b of o2.streamBalances(tradeAccountId, { signal })) console.log(b.asset, b.free.toFixed());
   */
  streamBalances(
    account: string,
    options: SubscribeOptions = {},
  ): ChannelStream<O2Channels['balances']['event']> {
    return this.subscribe('balances', { account }, options);
  }

  /**
   * Nonce updates of a trading account (`bigint`).
   *
   * @example
   * for await (const n of o2.streamNonce(tradeAccountId, { signal })) console.log(n.nonce);
   */
  streamNonce(account: string, options: SubscribeOptions = {}): ChannelStream<NonceUpdate> {
    return this.subscribe('nonce', { account }, options);
  }

  /**
   * The base counters plus the O2 socket's own (server error frames, late frames skipped,
   * snapshot requests) and `rateLimited`: REST answers with O2's rate-limit code 1003 at a
   * status other than 429, each of which paused its throttler pools (a 429 is paused by the
   * REST manager itself and shows in `rest.errors.RATE_LIMITED` or `rest.retries`).
   *
   * @example
   * const { ws, streams, o2Streams, books, rateLimited } = o2.stats();
   */
  override stats(): AdapterStats & {
    readonly o2Streams: O2StreamCounters;
    readonly books: O2BookStats;
    readonly rateLimited: number;
  } {
    return {
      ...super.stats(),
      o2Streams: this.#streams.counters(),
      books: this.bookStats(),
      rateLimited: this.#rateLimits.count,
    };
  }

  /**
   * Ends every stream and book, closes the socket and the REST pools, then the throttler
   * (requests still queued in it fail with `CLOSED`). Idempotent.
   *
   * @example
   * await o2.close();
   */
  override async close(): Promise<void> {
    await super.close();
    await this.throttler.close();
  }
  // ---- end streams ----

  // ---- book ----
  // Self-verifying order books over streamDepth; the machinery lives in ./book/.
  readonly #bookStats = createO2BookStats();

  /**
   * A live order book of one market, kept with O2's snapshot-reset strategy over
   * {@link O2Adapter.streamDepth} and verified against REST depth. Yields immutable views
   * as the book changes, conflated (a slow reader gets the latest book, never a backlog);
   * nothing before the first snapshot, and a view with `isSynced: false` while the book is
   * being rebuilt.
   *
   * O2 depth frames carry no sequence numbers and the server's write buffer is 4 KiB, so a
   * lost frame leaves a book that looks fine and is wrong. Every `verify.intervalMs` (5 s by
   * default) the book is compared with `GET /v1/depth` (top `verify.depth` levels per side,
   * through the adapter's REST manager and throttler). The answer describes the exchange at
   * some instant of the round trip while updates are still in flight, so it is matched
   * against every state the book passes through from the request until `verify.settleMs`
   * after the answer; only when none matches is the check a mismatch, and only
   * `verify.confirmations` mismatches in a row (2) are drift. Drift (or a crossed book, an
   * unusable delta, frames dropped by a full buffer) discards the book and resubscribes for
   * a fresh snapshot (rebuilt from REST depth if none comes within 2 s); `events` gets an
   * `error` (`BOOK_DRIFT`…) and then `{ type: 'resynced', market, reason, channel: 'depth' }`
   * once the book is whole again; {@link O2Adapter.bookStats} counts it all.
   * `verify: { enabled: false }` makes no REST depth call at all.
   *
   * Every update passes through {@link O2Adapter.processBookUpdate} first. Leaving the loop,
   * `return()` or aborting `signal` ends the watch and leaves the stream.
   *
   * @example
   * for await (const book of o2.watchOrderBook('fFUEL/fUSDC', { depth: 10, signal })) {
   *   if (book.isSynced) quote(book.bestBid?.priceDecimal, book.bestAsk?.priceDecimal);
   * }
   * o2.events.on('resynced', (e) => log.warn(`${e.market} rebuilt: ${e.reason}`));
   */
  watchOrderBook(
    market: string,
    options: O2WatchOrderBookOptions = {},
  ): AsyncIterableIterator<OrderBookView> {
    const precision = options.precision === undefined ? {} : { precision: options.precision };
    return watchO2OrderBook(
      {
        market,
        openDepth: (signal) => this.streamDepth(market, { ...precision, signal }),
        fetchDepth: async (depth, signal): Promise<BookLevelsInput> => {
          const limit = depth === undefined ? {} : { limit: depth };
          const d = await this.getDepth(market, { ...precision, ...limit, signal });
          return { bids: toLevelInputs(d.bids), asks: toLevelInputs(d.asks) };
        },
        process: (update) => this.processBookUpdate(update),
      },
      options,
      (event) => this.events.emit(event),
      this.#bookStats,
    );
  }

  /**
   * The post-processor hook of {@link O2Adapter.watchOrderBook}: every depth update passes
   * through it before the book applies it. Returns the update to apply (this one, or a
   * changed copy), or `undefined` to skip it (counted in `bookStats().skipped`; a skipped
   * delta leaves the book wrong until verification resyncs it). Default: the update as is.
   * Override it in a subclass to observe or adjust the feed without copying the adapter
   * (see `examples/o2-subclass.ts`).
   *
   * @example
   * class TimedO2 extends O2Adapter {
   *   protected override processBookUpdate(u: O2DepthUpdate): O2DepthUpdate | undefined {
   *     metrics.observe(u.receivedAt - Number(u.seenTimestamp));
   *     return super.processBookUpdate(u);
   *   }
   * }
   */
  protected processBookUpdate(update: O2DepthUpdate): O2DepthUpdate | undefined {
    return update;
  }

  /**
   * Counters of the order books this adapter keeps: live watches, updates and snapshots
   * applied, resyncs by reason, REST verification (checks, matches, mismatches, drifts).
   *
   * @example
   * const { resyncs, verification } = o2.bookStats();
   */
  bookStats(): O2BookStats {
    return copyO2BookStats(this.#bookStats);
  }
  // ---- end book ----

  #asset(asset: string): { id: string; symbol: string; decimals: number } {
    const key = asset.trim().toLowerCase();
    for (const m of this.markets.list() as readonly O2MarketInfo[]) {
      for (const a of [
        { id: m.baseAssetId, symbol: m.base, decimals: m.baseDecimals },
        { id: m.quoteAssetId, symbol: m.quote, decimals: m.quoteDecimals },
      ]) {
        if (a.id.toLowerCase() === key || a.symbol.toLowerCase() === key) return a;
      }
    }
    throw createError('INVALID_ARGUMENT', `o2: unknown asset ${JSON.stringify(asset)}`, {
      context: { argument: 'asset', exchange: 'o2' },
    });
  }
}

/** `FUEL/USDC` for `fFUEL/fUSDC` (testnet symbols carry an `f` prefix). */
function o2Aliases(m: { base: string; quote: string }): readonly string[] {
  const strip = (s: string): string => (/^f[A-Z]/.test(s) ? s.slice(1) : s);
  const alias = `${strip(m.base)}/${strip(m.quote)}`;
  return alias === `${m.base}/${m.quote}` ? [] : [alias];
}

/** A wire value in human units: chain integers are scaled, decimals with a point kept. */
function human(v: string | null | undefined, decimals: number, field: string): Decimal | undefined {
  if (v === undefined || v === null) return undefined;
  return /^\d+$/.test(v) ? fromScaledInteger(v, decimals, field) : new Decimal(v);
}

function missing(field: string): never {
  throw createError('VALIDATION_FAILED', `o2: ${field} is missing`, {
    context: { exchange: 'o2', what: 'o2 bar', path: field },
  });
}

function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
