// `tickwire/adapters/binance`: the Binance Spot adapter and the simulator personality.
// Named exports only.
export {
  createBinanceSimulatorProtocol,
  binanceSimMarkets,
  binanceSimDemoAccount,
} from './simulator/index.js';
export type { BinanceSimAccount, BinanceSimulatorOptions } from './simulator/index.js';
export { BinanceAdapter } from './binance-adapter.js';
export type {
  BinanceAdapterOptions,
  BinanceChannels,
  BinanceCredentials,
} from './binance-adapter.js';
export {
  BINANCE_ENDPOINTS,
  BINANCE_POOLS,
  BINANCE_DEFAULT_RATE_LIMITS,
  binanceDepthEndpoint,
} from './rest/endpoints.js';
export { binanceRateLimitPools, binanceUsageReader } from './rest/rate-limits.js';
export { normalizeBinanceMarket } from './rest/markets.js';
export type { BinanceMarketInfo, BinanceSymbolFilters } from './rest/markets.js';
export {
  BINANCE_ERROR_CODES,
  binanceErrorCode,
  createBinanceError,
  mapBinanceResponse,
} from './rest/errors.js';
export type { BinanceErrorSource } from './rest/errors.js';
export { checkBinanceFilters } from './rest/filters.js';
export type { BinanceFilterInput } from './rest/filters.js';
export { newBinanceClientOrderId } from './rest/orders.js';
export type { BinanceAmount, BinanceOrderRef, BinancePlaceOrderParams } from './rest/orders.js';
export { BINANCE_ORDER_STATUS, normalizeBinanceOrder } from './rest/normalize.js';
export type {
  BinanceAccount,
  BinanceAggTrade,
  BinanceBookTicker,
  BinanceFill,
  BinanceKline,
  BinanceOrder,
} from './rest/normalize.js';
export {
  BinanceMarketStreams,
  BinanceUserDataStream,
  binanceUserDataEventKey,
  toOrderUpdate,
} from './streams/index.js';
export type {
  BinanceMarketRef,
  BinanceMarketStreamsOptions,
  BinanceMarketStreamsStats,
  BinanceStreamEvent,
  BinanceStreamOptions,
  BinanceStreamSettings,
  BinanceUserDataEvent,
  BinanceUserDataStats,
  BinanceUserDataStreamOptions,
  BinanceWatchOrderBookOptions,
} from './streams/index.js';
