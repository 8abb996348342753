import { z } from 'zod';
import { DecimalString } from '../../../src/schemas/index.js';

/**
 * Binance Spot REST response schemas (binance-spot.md §3, §5). Prices, quantities and
 * amounts stay exact wire strings; ids and times are JSON numbers. Objects pass unknown
 * keys (Binance adds fields without notice).
 */

/** A safe integer id or epoch ms as Binance sends it (a JSON number). */
const Int = z.number().int().refine(Number.isSafeInteger, { message: 'expected a safe integer' });

/**
 * `GET /api/v3/ping`: an empty object.
 *
 * @example
 * BinancePingResponse.parse({});
 */
export const BinancePingResponse = z.looseObject({});
export type BinancePingResponse = z.output<typeof BinancePingResponse>;

/**
 * `GET /api/v3/time`.
 *
 * @example
 * BinanceTimeResponse.parse({ serverTime: 1499827319559 }).serverTime;
 */
export const BinanceTimeResponse = z.looseObject({ serverTime: Int });
export type BinanceTimeResponse = z.output<typeof BinanceTimeResponse>;

/**
 * One entry of `exchangeInfo.rateLimits`.
 *
 * @example
 * BinanceRateLimit.parse({ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 });
 */
export const BinanceRateLimit = z.looseObject({
  rateLimitType: z.string(),
  interval: z.string(),
  intervalNum: Int,
  limit: Int,
});
export type BinanceRateLimit = z.output<typeof BinanceRateLimit>;

/**
 * One symbol filter of `exchangeInfo` (`filterType` plus its fields; unknown types pass).
 *
 * @example
 * BinanceFilter.parse({ filterType: 'PRICE_FILTER', minPrice: '0.01', maxPrice: '1000000', tickSize: '0.01' });
 */
export const BinanceFilter = z.looseObject({ filterType: z.string() });
export type BinanceFilter = z.output<typeof BinanceFilter>;

/**
 * One `exchangeInfo.symbols[]` entry.
 *
 * @example
 * BinanceSymbolInfo.parse({ symbol: 'BTCUSDT', status: 'TRADING', baseAsset: 'BTC', quoteAsset: 'USDT', filters: [] });
 */
export const BinanceSymbolInfo = z.looseObject({
  symbol: z.string().min(1),
  status: z.string(),
  baseAsset: z.string().min(1),
  quoteAsset: z.string().min(1),
  baseAssetPrecision: Int.optional(),
  quoteAssetPrecision: Int.optional(),
  orderTypes: z.array(z.string()).optional(),
  filters: z.array(BinanceFilter),
});
export type BinanceSymbolInfo = z.output<typeof BinanceSymbolInfo>;

/**
 * `GET /api/v3/exchangeInfo`.
 *
 * @example
 * const info = BinanceExchangeInfoResponse.parse(body);
 */
export const BinanceExchangeInfoResponse = z.looseObject({
  timezone: z.string().optional(),
  serverTime: Int.optional(),
  rateLimits: z.array(BinanceRateLimit),
  symbols: z.array(BinanceSymbolInfo),
});
export type BinanceExchangeInfoResponse = z.output<typeof BinanceExchangeInfoResponse>;

/** A `[price, quantity]` level, exact strings. */
const Level = z.tuple([DecimalString, DecimalString]);

/**
 * `GET /api/v3/depth`.
 *
 * @example
 * BinanceDepthResponse.parse({ lastUpdateId: 1027024, bids: [['4.00000000', '431.00000000']], asks: [] });
 */
export const BinanceDepthResponse = z.looseObject({
  lastUpdateId: Int,
  bids: z.array(Level),
  asks: z.array(Level),
});
export type BinanceDepthResponse = z.output<typeof BinanceDepthResponse>;

/**
 * One entry of `GET /api/v3/trades`.
 *
 * @example
 * BinanceTradeEntry.parse({ id: 1, price: '4.1', qty: '12', quoteQty: '49.2', time: 1499865549590, isBuyerMaker: true, isBestMatch: true });
 */
export const BinanceTradeEntry = z.looseObject({
  id: Int,
  price: DecimalString,
  qty: DecimalString,
  quoteQty: DecimalString.optional(),
  time: Int,
  isBuyerMaker: z.boolean(),
});
export type BinanceTradeEntry = z.output<typeof BinanceTradeEntry>;

/**
 * `GET /api/v3/trades`.
 *
 * @example
 * BinanceTradesResponse.parse([]);
 */
export const BinanceTradesResponse = z.array(BinanceTradeEntry);
export type BinanceTradesResponse = z.output<typeof BinanceTradesResponse>;

/**
 * One entry of `GET /api/v3/aggTrades` (`a` aggregate id, `f`/`l` first/last trade ids,
 * `m` buyer was maker).
 *
 * @example
 * BinanceAggTradeEntry.parse({ a: 26129, p: '0.01633102', q: '4.70443515', f: 27781, l: 27781, T: 1498793709153, m: true });
 */
export const BinanceAggTradeEntry = z.looseObject({
  a: Int,
  p: DecimalString,
  q: DecimalString,
  f: Int,
  l: Int,
  T: Int,
  m: z.boolean(),
});
export type BinanceAggTradeEntry = z.output<typeof BinanceAggTradeEntry>;

/**
 * `GET /api/v3/aggTrades`.
 *
 * @example
 * BinanceAggTradesResponse.parse([]);
 */
export const BinanceAggTradesResponse = z.array(BinanceAggTradeEntry);
export type BinanceAggTradesResponse = z.output<typeof BinanceAggTradesResponse>;

/**
 * One kline row: `[openTime, open, high, low, close, volume, closeTime, quoteVolume,
 * trades, takerBuyBase, takerBuyQuote, ignore]`.
 *
 * @example
 * BinanceKlineRow.parse([1499040000000, '0.01', '0.02', '0.01', '0.015', '148976', 1499644799999, '2434', 308, '1756', '28', '0']);
 */
export const BinanceKlineRow = z
  .tuple([
    Int,
    DecimalString,
    DecimalString,
    DecimalString,
    DecimalString,
    DecimalString,
    Int,
    DecimalString,
    Int,
    DecimalString,
    DecimalString,
  ])
  .rest(z.unknown());
export type BinanceKlineRow = z.output<typeof BinanceKlineRow>;

/**
 * `GET /api/v3/klines`.
 *
 * @example
 * BinanceKlinesResponse.parse([]);
 */
export const BinanceKlinesResponse = z.array(BinanceKlineRow);
export type BinanceKlinesResponse = z.output<typeof BinanceKlinesResponse>;

/**
 * One book ticker.
 *
 * @example
 * BinanceBookTickerEntry.parse({ symbol: 'LTCBTC', bidPrice: '4', bidQty: '431', askPrice: '4.000002', askQty: '9' });
 */
export const BinanceBookTickerEntry = z.looseObject({
  symbol: z.string(),
  bidPrice: DecimalString,
  bidQty: DecimalString,
  askPrice: DecimalString,
  askQty: DecimalString,
});
export type BinanceBookTickerEntry = z.output<typeof BinanceBookTickerEntry>;

/**
 * `GET /api/v3/ticker/bookTicker`: one object with `symbol`, an array without.
 *
 * @example
 * BinanceBookTickerResponse.parse([]);
 */
export const BinanceBookTickerResponse = z.union([
  BinanceBookTickerEntry,
  z.array(BinanceBookTickerEntry),
]);
export type BinanceBookTickerResponse = z.output<typeof BinanceBookTickerResponse>;

/**
 * One fill of a FULL order response.
 *
 * @example
 * BinanceFill.parse({ price: '4000', qty: '1', commission: '4', commissionAsset: 'USDT', tradeId: 56 });
 */
export const BinanceFill = z.looseObject({
  price: DecimalString,
  qty: DecimalString,
  commission: DecimalString,
  commissionAsset: z.string(),
  tradeId: Int.optional(),
});
export type BinanceFill = z.output<typeof BinanceFill>;

/**
 * An order as `POST/DELETE/GET /api/v3/order` and `GET /api/v3/openOrders` return it: the
 * ACK fields always, the RESULT fields (status, quantities…) when the response type has
 * them, `fills` for FULL.
 *
 * @example
 * BinanceOrderResponse.parse({ symbol: 'BTCUSDT', orderId: 28, clientOrderId: 'my-1', transactTime: 1507725176595 });
 */
export const BinanceOrderResponse = z.looseObject({
  symbol: z.string(),
  orderId: Int,
  orderListId: Int.optional(),
  clientOrderId: z.string(),
  origClientOrderId: z.string().optional(),
  transactTime: Int.optional(),
  time: Int.optional(),
  updateTime: Int.optional(),
  price: DecimalString.optional(),
  origQty: DecimalString.optional(),
  executedQty: DecimalString.optional(),
  cummulativeQuoteQty: z.string().optional(),
  status: z.string().optional(),
  timeInForce: z.string().optional(),
  type: z.string().optional(),
  side: z.enum(['BUY', 'SELL']).optional(),
  fills: z.array(BinanceFill).optional(),
});
export type BinanceOrderResponse = z.output<typeof BinanceOrderResponse>;

/**
 * `GET /api/v3/openOrders`.
 *
 * @example
 * BinanceOpenOrdersResponse.parse([]);
 */
export const BinanceOpenOrdersResponse = z.array(BinanceOrderResponse);
export type BinanceOpenOrdersResponse = z.output<typeof BinanceOpenOrdersResponse>;

/**
 * `GET /api/v3/account` (the fields the adapter reads; the rest passes through).
 *
 * @example
 * BinanceAccountResponse.parse({ canTrade: true, updateTime: 0, accountType: 'SPOT', balances: [] });
 */
export const BinanceAccountResponse = z.looseObject({
  makerCommission: z.number().optional(),
  takerCommission: z.number().optional(),
  canTrade: z.boolean(),
  canWithdraw: z.boolean().optional(),
  canDeposit: z.boolean().optional(),
  updateTime: Int,
  accountType: z.string(),
  balances: z.array(
    z.looseObject({ asset: z.string(), free: DecimalString, locked: DecimalString }),
  ),
  permissions: z.array(z.string()).optional(),
  uid: Int.optional(),
});
export type BinanceAccountResponse = z.output<typeof BinanceAccountResponse>;
