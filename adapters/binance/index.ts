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
