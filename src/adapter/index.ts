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
export { ChannelStream } from './streaming.js';
export type {
  ChannelRoute,
  ChannelStreamHost,
  ChannelTable,
  StreamConnection,
  SubscribeOptions,
} from './streaming.js';
export type {
  AdapterEvent,
  AdapterStats,
  AdapterStreamStats,
  ChannelMap,
  EndpointParams,
  EndpointTable,
  ExchangeAdapterOptions,
  SubscribeFn,
} from './exchange-adapter.js';
