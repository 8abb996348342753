export { MarketRegistry } from './market-registry.js';
export type { MarketRegistryOptions } from './market-registry.js';
export type {
  BalanceUpdate,
  DepthLevel,
  DepthUpdate,
  MarketInfo,
  NonceUpdate,
  OrderSide,
  OrderStatus,
  OrderUpdate,
  Trade,
} from './models.js';
export { ExchangeAdapter } from './exchange-adapter.js';
export type {
  AdapterEvent,
  AdapterStats,
  ChannelMap,
  EndpointParams,
  EndpointTable,
  ExchangeAdapterOptions,
  SubscribeFn,
} from './exchange-adapter.js';
