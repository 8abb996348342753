export { createBinanceSimulatorProtocol } from './protocol.js';
export { binanceSimMarkets } from './markets.js';
export { binanceSimDemoAccount } from './state.js';
export type { BinanceSimAccount, BinanceSimulatorOptions } from './state.js';
