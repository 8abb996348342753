import { formatScaled, parseScaled } from '../../../src/testing/format.js';
import type { SimContext, SimMarketSpec, SimOrder } from '../../../src/testing/index.js';
import { binanceSimMarkets } from './markets.js';
import type { BinanceSimKey } from './signing.js';

/**
 * A simulated Binance account: its API key, how it signs, and its opening balances
 * (asset → human decimal string).
 *
 * @example
 * const account: BinanceSimAccount = { apiKey: 'k', secret: 's', balances: { USDT: '1000' } };
 */
export interface BinanceSimAccount extends BinanceSimKey {
  readonly balances?: Readonly<Record<string, string>>;
}

/**
 * The account the Binance personality creates when none is configured: HMAC key
 * `tickwire-sim-key` / secret `tickwire-sim-secret`, 100 000 USDT, 10 BTC, 100 ETH.
 *
 * @example
 * const { apiKey, secret } = binanceSimDemoAccount;
 */
export const binanceSimDemoAccount: BinanceSimAccount = {
  apiKey: 'tickwire-sim-key',
  secret: 'tickwire-sim-secret',
  balances: { USDT: '100000', BTC: '10', ETH: '100' },
};

/**
 * Options of the Binance personality.
 *
 * @example
 * createBinanceSimulatorProtocol({ pingIntervalMs: 1000, accounts: [binanceSimDemoAccount] });
 */
export interface BinanceSimulatorOptions {
  /** Markets to run. Default {@link binanceSimMarkets} (BTCUSDT, ETHUSDT). */
  readonly markets?: readonly SimMarketSpec[];
  /** Accounts. Default `[binanceSimDemoAccount]`. */
  readonly accounts?: readonly BinanceSimAccount[];
  /** Server ping interval on stream and WS API sockets (ms). Default 20 000. */
  readonly pingIntervalMs?: number;
  /** Disconnect when no pong arrives within this long after a ping (ms). Default 60 000. */
  readonly pongTimeoutMs?: number;
  /** Incoming messages per second per stream connection before a disconnect. Default 5. */
  readonly maxMessagesPerSecond?: number;
  /** Streams per connection. Default 1024. */
  readonly maxStreamsPerConnection?: number;
  /** REQUEST_WEIGHT per minute per IP. Default 6000. */
  readonly weightLimit?: number;
  /** ORDERS per 10 s per account. Default 50. */
  readonly ordersPer10s?: number;
  /** ORDERS per day per account. Default 160 000. */
  readonly ordersPerDay?: number;
}

/** A Binance error answer: HTTP status (or WS API status) and Binance's code and message. */
export interface BinanceSimError {
  readonly status: number;
  readonly code: number;
  readonly msg: string;
}

/** Builds a {@link BinanceSimError}. */
export function binanceError(status: number, code: number, msg: string): BinanceSimError {
  return { status, code, msg };
}

/** True when `value` is a {@link BinanceSimError}. */
export function isBinanceError(value: unknown): value is BinanceSimError {
  return (
    typeof value === 'object' &&
    value !== null &&
    'code' in value &&
    'msg' in value &&
    'status' in value
  );
}

/** Shared state of one Binance personality: options, keys, formatting and id counters. */
export class BinanceSimState {
  readonly markets: readonly SimMarketSpec[];
  readonly accounts: readonly BinanceSimAccount[];
  readonly keys = new Map<string, BinanceSimAccount>();
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly maxMessagesPerSecond: number;
  readonly maxStreams: number;
  readonly weightLimit: number;
  readonly ordersPer10s: number;
  readonly ordersPerDay: number;
  /** Cancel client ids by order id, set just before a cancel so the event can carry it. */
  readonly cancelIds = new Map<number, string>();
  #executionId = 0;
  readonly #executionIds = new WeakMap<object, number>();
  #ctx: SimContext | undefined;

  constructor(options: BinanceSimulatorOptions) {
    this.markets = options.markets ?? binanceSimMarkets;
    this.accounts = options.accounts ?? [binanceSimDemoAccount];
    for (const a of this.accounts) this.keys.set(a.apiKey, a);
    this.pingIntervalMs = options.pingIntervalMs ?? 20_000;
    this.pongTimeoutMs = options.pongTimeoutMs ?? 60_000;
    this.maxMessagesPerSecond = options.maxMessagesPerSecond ?? 5;
    this.maxStreams = options.maxStreamsPerConnection ?? 1024;
    this.weightLimit = options.weightLimit ?? 6000;
    this.ordersPer10s = options.ordersPer10s ?? 50;
    this.ordersPerDay = options.ordersPerDay ?? 160_000;
  }

  get ctx(): SimContext {
    if (this.#ctx === undefined) throw new Error('binance simulator: not initialised');
    return this.#ctx;
  }

  init(ctx: SimContext): void {
    this.#ctx = ctx;
    for (const a of this.accounts) {
      const balances: Record<string, bigint> = {};
      for (const [asset, amount] of Object.entries(a.balances ?? {})) {
        const scaled = parseScaled(amount, this.assetDecimals(asset));
        if (scaled !== undefined) balances[asset] = scaled;
      }
      ctx.engine.createAccount(a.apiKey, balances);
    }
  }

  nextExecutionId(): number {
    return ++this.#executionId;
  }

  /**
   * The execution id (`I`) of one engine event: the same for every subscription that
   * receives it (two sockets of one account see one execution, not two).
   */
  executionIdOf(event: object): number {
    let id = this.#executionIds.get(event);
    if (id === undefined) {
      id = this.nextExecutionId();
      this.#executionIds.set(event, id);
    }
    return id;
  }

  market(symbol: string | undefined): SimMarketSpec | undefined {
    if (symbol === undefined) return undefined;
    return this.markets.find((m) => m.id === symbol);
  }

  assetDecimals(asset: string): number {
    for (const m of this.markets) {
      if (m.base.symbol === asset) return m.base.decimals;
      if (m.quote.symbol === asset) return m.quote.decimals;
    }
    return 8;
  }

  /** Binance prints every price, quantity and amount with 8 decimals. */
  price(m: SimMarketSpec, v: bigint): string {
    return formatScaled(v, m.priceDecimals, 8);
  }

  qty(m: SimMarketSpec, v: bigint): string {
    return formatScaled(v, m.base.decimals, 8);
  }

  quote(m: SimMarketSpec, v: bigint): string {
    return formatScaled(v, m.quote.decimals, 8);
  }

  amount(asset: string, v: bigint): string {
    return formatScaled(v, this.assetDecimals(asset), 8);
  }

  orderType(o: SimOrder): string {
    if (o.type === 'market') return 'MARKET';
    return o.postOnly ? 'LIMIT_MAKER' : 'LIMIT';
  }

  /** Filters of a market, as exchangeInfo lists them. */
  filters(m: SimMarketSpec): object[] {
    const tick = formatScaled(m.tickSize, m.priceDecimals, 8);
    const step = formatScaled(m.stepSize, m.base.decimals, 8);
    return [
      { filterType: 'PRICE_FILTER', minPrice: tick, maxPrice: '1000000.00000000', tickSize: tick },
      { filterType: 'LOT_SIZE', minQty: step, maxQty: '9000.00000000', stepSize: step },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      {
        filterType: 'MARKET_LOT_SIZE',
        minQty: '0.00000000',
        maxQty: '100.00000000',
        stepSize: '0.00000000',
      },
      {
        filterType: 'NOTIONAL',
        minNotional: '5.00000000',
        applyMinToMarket: true,
        maxNotional: '9000000.00000000',
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
    ];
  }

  rateLimits(): object[] {
    return [
      {
        rateLimitType: 'REQUEST_WEIGHT',
        interval: 'MINUTE',
        intervalNum: 1,
        limit: this.weightLimit,
      },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: this.ordersPer10s },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: this.ordersPerDay },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 300_000 },
    ];
  }

  exchangeInfo(symbols: readonly SimMarketSpec[]): object {
    return {
      timezone: 'UTC',
      serverTime: this.ctx.now(),
      rateLimits: this.rateLimits(),
      exchangeFilters: [],
      symbols: symbols.map((m) => ({
        symbol: m.id,
        status: 'TRADING',
        baseAsset: m.base.symbol,
        baseAssetPrecision: 8,
        quoteAsset: m.quote.symbol,
        quotePrecision: 8,
        quoteAssetPrecision: 8,
        baseCommissionPrecision: 8,
        quoteCommissionPrecision: 8,
        orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
        icebergAllowed: false,
        ocoAllowed: false,
        otoAllowed: false,
        quoteOrderQtyMarketAllowed: true,
        allowTrailingStop: false,
        cancelReplaceAllowed: false,
        amendAllowed: false,
        isSpotTradingAllowed: true,
        isMarginTradingAllowed: false,
        filters: this.filters(m),
        permissions: [],
        permissionSets: [['SPOT']],
        defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
        allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
      })),
    };
  }
}
