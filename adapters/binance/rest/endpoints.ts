import type { EndpointTable } from '../../../src/adapter/exchange-adapter.js';
import { ThrottlePriority, type RateLimitPool } from '../../../src/throttle/index.js';
import {
  BinanceAccountResponse,
  BinanceAggTradesResponse,
  BinanceBookTickerResponse,
  BinanceDepthResponse,
  BinanceExchangeInfoResponse,
  BinanceKlinesResponse,
  BinanceOpenOrdersResponse,
  BinanceOrderResponse,
  BinancePingResponse,
  BinanceTimeResponse,
  BinanceTradesResponse,
} from './schemas.js';

/**
 * Throttler pool ids of the Binance adapter. An `exchangeInfo.rateLimits` entry becomes the
 * pool `<rateLimitType>_<intervalNum><S|M|H|D>`, the suffix Binance's usage headers carry
 * (`X-MBX-USED-WEIGHT-1M` → `REQUEST_WEIGHT_1M`, `X-MBX-ORDER-COUNT-10S` → `ORDERS_10S`).
 *
 * @example
 * throttler.stats().pools[BINANCE_POOLS.weight]?.used;
 */
export const BINANCE_POOLS = {
  /** REQUEST_WEIGHT per minute, per IP. */
  weight: 'REQUEST_WEIGHT_1M',
  /** RAW_REQUESTS per 5 minutes, per IP (REST only). */
  raw: 'RAW_REQUESTS_5M',
  /** ORDERS per 10 seconds, per account. */
  orders10s: 'ORDERS_10S',
  /** ORDERS per day, per account. */
  orders1d: 'ORDERS_1D',
} as const;

/**
 * The rate limits the adapter assumes until `exchangeInfo` has been loaded (binance-spot.md
 * §2, mid-2026): 6000 weight/min, 300 000 raw requests/5 min, 50 orders/10 s, 160 000
 * orders/day. {@link BinanceAdapter.loadMarkets} replaces them with the exchange's figures.
 *
 * @example
 * new Throttler({ pools: BINANCE_DEFAULT_RATE_LIMITS });
 */
export const BINANCE_DEFAULT_RATE_LIMITS: readonly RateLimitPool[] = [
  { id: BINANCE_POOLS.weight, limit: 6000, intervalMs: 60_000 },
  { id: BINANCE_POOLS.raw, limit: 300_000, intervalMs: 300_000 },
  { id: BINANCE_POOLS.orders10s, limit: 50, intervalMs: 10_000 },
  { id: BINANCE_POOLS.orders1d, limit: 160_000, intervalMs: 86_400_000 },
];

const raw = { pool: BINANCE_POOLS.raw, weight: 1 } as const;

/** A REQUEST_WEIGHT ticket (plus one raw request) at a priority. */
function weight(w: number, priority: number = ThrottlePriority.marketData) {
  return { key: BINANCE_POOLS.weight, weight: w, linked: [raw], priority } as const;
}

const account = ThrottlePriority.account;

/**
 * The Binance Spot REST endpoints the adapter calls, declared as data: path, weight (own
 * pool plus linked pools), signing, idempotency and response schema. Endpoints whose weight
 * depends on a parameter appear once per weight (`depth100` … `depth5000`,
 * `bookTicker` / `bookTickerAll`, `openOrders` / `openOrdersAll`).
 *
 * A new order costs 1 in both ORDERS pools and, pessimistically, 1 REQUEST_WEIGHT (only a
 * failed order is charged weight; the `X-MBX-*` headers correct the counts upward). Orders
 * and cancels are not idempotent: never re-sent automatically.
 *
 * @example
 * BINANCE_ENDPOINTS.depth500.throttle.weight; // 25
 */
export const BINANCE_ENDPOINTS = {
  ping: {
    method: 'GET',
    path: '/api/v3/ping',
    what: 'binance ping',
    schema: BinancePingResponse,
    throttle: weight(1, ThrottlePriority.normal),
  },
  time: {
    method: 'GET',
    path: '/api/v3/time',
    what: 'binance server time',
    schema: BinanceTimeResponse,
    throttle: weight(1, ThrottlePriority.account),
  },
  exchangeInfo: {
    method: 'GET',
    path: '/api/v3/exchangeInfo',
    what: 'binance exchangeInfo',
    schema: BinanceExchangeInfoResponse,
    throttle: weight(20),
  },
  depth100: {
    method: 'GET',
    path: '/api/v3/depth',
    what: 'binance depth snapshot',
    schema: BinanceDepthResponse,
    throttle: weight(5),
  },
  depth500: {
    method: 'GET',
    path: '/api/v3/depth',
    what: 'binance depth snapshot',
    schema: BinanceDepthResponse,
    throttle: weight(25),
  },
  depth1000: {
    method: 'GET',
    path: '/api/v3/depth',
    what: 'binance depth snapshot',
    schema: BinanceDepthResponse,
    throttle: weight(50),
  },
  depth5000: {
    method: 'GET',
    path: '/api/v3/depth',
    what: 'binance depth snapshot',
    schema: BinanceDepthResponse,
    throttle: weight(250),
  },
  trades: {
    method: 'GET',
    path: '/api/v3/trades',
    what: 'binance trades',
    schema: BinanceTradesResponse,
    throttle: weight(25),
  },
  aggTrades: {
    method: 'GET',
    path: '/api/v3/aggTrades',
    what: 'binance aggTrades',
    schema: BinanceAggTradesResponse,
    throttle: weight(4),
  },
  klines: {
    method: 'GET',
    path: '/api/v3/klines',
    what: 'binance klines',
    schema: BinanceKlinesResponse,
    throttle: weight(2),
  },
  bookTicker: {
    method: 'GET',
    path: '/api/v3/ticker/bookTicker',
    what: 'binance bookTicker',
    schema: BinanceBookTickerResponse,
    throttle: weight(2),
  },
  bookTickerAll: {
    method: 'GET',
    path: '/api/v3/ticker/bookTicker',
    what: 'binance bookTicker',
    schema: BinanceBookTickerResponse,
    throttle: weight(4),
  },
  placeOrder: {
    method: 'POST',
    path: '/api/v3/order',
    what: 'binance new order',
    schema: BinanceOrderResponse,
    isAuthRequired: true,
    idempotent: false,
    throttle: {
      key: BINANCE_POOLS.orders10s,
      weight: 1,
      linked: [
        { pool: BINANCE_POOLS.orders1d, weight: 1 },
        { pool: BINANCE_POOLS.weight, weight: 1 },
        raw,
      ],
      priority: ThrottlePriority.order,
    },
  },
  cancelOrder: {
    method: 'DELETE',
    path: '/api/v3/order',
    what: 'binance cancel order',
    schema: BinanceOrderResponse,
    isAuthRequired: true,
    idempotent: false,
    throttle: weight(1, ThrottlePriority.cancel),
  },
  getOrder: {
    method: 'GET',
    path: '/api/v3/order',
    what: 'binance order',
    schema: BinanceOrderResponse,
    isAuthRequired: true,
    throttle: weight(4, account),
  },
  openOrders: {
    method: 'GET',
    path: '/api/v3/openOrders',
    what: 'binance open orders',
    schema: BinanceOpenOrdersResponse,
    isAuthRequired: true,
    throttle: weight(6, account),
  },
  openOrdersAll: {
    method: 'GET',
    path: '/api/v3/openOrders',
    what: 'binance open orders',
    schema: BinanceOpenOrdersResponse,
    isAuthRequired: true,
    throttle: weight(80, account),
  },
  account: {
    method: 'GET',
    path: '/api/v3/account',
    what: 'binance account',
    schema: BinanceAccountResponse,
    isAuthRequired: true,
    throttle: weight(20, account),
  },
} as const satisfies EndpointTable;

/**
 * The depth endpoint (and so the weight) for a snapshot `limit` (binance-spot.md §2:
 * 1–100 → 5, 101–500 → 25, 501–1000 → 50, 1001–5000 → 250).
 *
 * @example
 * binanceDepthEndpoint(1000); // 'depth1000'
 */
export function binanceDepthEndpoint(
  limit: number,
): 'depth100' | 'depth500' | 'depth1000' | 'depth5000' {
  if (limit <= 100) return 'depth100';
  if (limit <= 500) return 'depth500';
  if (limit <= 1000) return 'depth1000';
  return 'depth5000';
}
