// `tickwire/adapters/binance`: the Binance Spot simulator personality so far; the adapter
// itself arrives with issue #8. Named exports only.
export {
  createBinanceSimulatorProtocol,
  binanceSimMarkets,
  binanceSimDemoAccount,
} from './simulator/index.js';
export type { BinanceSimAccount, BinanceSimulatorOptions } from './simulator/index.js';
