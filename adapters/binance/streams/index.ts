export { BinanceMarketStreams } from './market-streams.js';
export type {
  BinanceMarketRef,
  BinanceMarketStreamsOptions,
  BinanceMarketStreamsStats,
  BinanceStreamEvent,
  BinanceStreamOptions,
  BinanceStreamSettings,
  BinanceWatchOrderBookOptions,
} from './market-streams.js';
export { BinanceUserDataStream, binanceUserDataEventKey, toOrderUpdate } from './user-data.js';
export type {
  BinanceUserDataEvent,
  BinanceUserDataStats,
  BinanceUserDataStreamOptions,
} from './user-data.js';
