import type { SimMarketSpec } from '../../../src/testing/index.js';

/**
 * The simulator's default Binance markets: BTCUSDT (tick 0.01, step 0.00001) and ETHUSDT
 * (tick 0.01, step 0.0001), all assets kept with 8 decimals as Binance prints them.
 *
 * @example
 * createBinanceSimulatorProtocol({ markets: [binanceSimMarkets[0]] });
 */
export const binanceSimMarkets: readonly SimMarketSpec[] = [
  {
    id: 'BTCUSDT',
    base: { symbol: 'BTC', decimals: 8 },
    quote: { symbol: 'USDT', decimals: 8 },
    priceDecimals: 2,
    tickSize: 1n,
    stepSize: 1000n,
    lot: 100_000n,
    startPrice: 6_000_000n,
  },
  {
    id: 'ETHUSDT',
    base: { symbol: 'ETH', decimals: 8 },
    quote: { symbol: 'USDT', decimals: 8 },
    priceDecimals: 2,
    tickSize: 1n,
    stepSize: 10_000n,
    lot: 1_000_000n,
    startPrice: 300_000n,
  },
];
