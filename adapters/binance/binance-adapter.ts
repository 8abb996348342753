import type { KeyObject } from 'node:crypto';
import type { BalanceUpdate, DepthUpdate, OrderUpdate, Trade } from '../../src/adapter/index.js';
import {
  ExchangeAdapter,
  type ExchangeAdapterOptions,
} from '../../src/adapter/exchange-adapter.js';
import { ClockSync } from '../../src/auth/clock-sync.js';
import { createEd25519Signer } from '../../src/auth/ed25519-signer.js';
import { createHmacSigner } from '../../src/auth/hmac-signer.js';
import type { Signer } from '../../src/auth/signer.js';
import { createQuerySigner } from '../../src/rest/request-signer.js';
import type { RestManagerOptions } from '../../src/rest/rest-manager.js';
import { Throttler } from '../../src/throttle/index.js';
import { BINANCE_DEFAULT_RATE_LIMITS, BINANCE_ENDPOINTS } from './rest/endpoints.js';
import { type BinanceMarketInfo, normalizeBinanceMarket } from './rest/markets.js';
import { binanceRateLimitPools, binanceUsageReader } from './rest/rate-limits.js';

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
   * A throttler to share with other adapters on the same IP. It must have the
   * {@link BINANCE_POOLS} pools. Default: a new one with {@link BINANCE_DEFAULT_RATE_LIMITS},
   * replaced by `exchangeInfo.rateLimits` on {@link BinanceAdapter.loadMarkets}.
   */
  readonly throttler?: Throttler;
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
        ...(signer === undefined ? {} : { signer: createQuerySigner({ signer, clock }) }),
      },
    };
    super(base);
    fetchServerTime = async (o) => (await this.call('time', {}, o)).serverTime;
    this.restUrl = restUrl;
    this.wsUrl = options.wsUrl ?? 'wss://stream.binance.com:9443';
    this.wsApiUrl = options.wsApiUrl ?? 'wss://ws-api.binance.com:443/ws-api/v3';
    this.throttler = throttler;
    this.clock = clock;
    this.signer = signer;
  }

  protected async fetchMarkets(options: Signal): Promise<readonly BinanceMarketInfo[]> {
    const info = await this.call('exchangeInfo', {}, options);
    const { pools } = binanceRateLimitPools(info.rateLimits);
    for (const pool of pools) this.throttler.upsertPool(pool);
    return info.symbols.map(normalizeBinanceMarket);
  }
}

function createSigner(credentials: BinanceCredentials | undefined): Signer | undefined {
  if (credentials === undefined) return undefined;
  if ('secret' in credentials) {
    return createHmacSigner({ apiKey: credentials.apiKey, secret: credentials.secret });
  }
  return createEd25519Signer({ apiKey: credentials.apiKey, privateKey: credentials.privateKey });
}
