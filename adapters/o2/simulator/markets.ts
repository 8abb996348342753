import type { SimMarketSpec } from '../../../src/testing/index.js';

/**
 * The simulator's default O2 markets, with the ids used across `o2-protocol.md` §8:
 * fFUEL/fUSDC (`0xc0c5…e19f`, price ≈ 0.0213) and fETH/fUSDC (`0x83ad…c934`, ≈ 3150).
 * `extra` carries the order-book `contract_id` and each asset's `max_precision`.
 *
 * @example
 * createO2SimulatorProtocol({ markets: [o2SimMarkets[0]] });
 */
export const o2SimMarkets: readonly SimMarketSpec[] = [
  {
    id: '0xc0c5c48315d8cfff9f00777f81fdf04e9b4ef69e802a1a068549a8d6a06ee19f',
    base: {
      symbol: 'fFUEL',
      decimals: 9,
      id: '0xd1f9bfb9a67d8210d189f45395bcee7da5b14d09f6e23c0bd829403aaa811a4e',
    },
    quote: {
      symbol: 'fUSDC',
      decimals: 9,
      id: '0x286c479da40dc953bddc3bb4c453b608bba2e0ac483b077bd475174115395e6b',
    },
    priceDecimals: 9,
    tickSize: 10_000n,
    stepSize: 1_000_000n,
    lot: 100_000_000_000n,
    startPrice: 21_300_000n,
    extra: {
      contractId: '0x0fe74fdb3f7e7f3046c93e2257b32639f72cf544e3ae7a4a431a53fe8ef7990a',
      baseMaxPrecision: '3',
      quoteMaxPrecision: '9',
    },
  },
  {
    id: '0x83adb781a3c7e8e541720cb9b1b036315eda75da1f7882cf83bc6852c0adc934',
    base: {
      symbol: 'fETH',
      decimals: 9,
      id: '0x6a3f7c7e8d3b2f1e0c9a8b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f',
    },
    quote: {
      symbol: 'fUSDC',
      decimals: 9,
      id: '0x286c479da40dc953bddc3bb4c453b608bba2e0ac483b077bd475174115395e6b',
    },
    priceDecimals: 9,
    tickSize: 10_000_000n,
    stepSize: 1_000n,
    lot: 100_000_000n,
    startPrice: 3_150_000_000_000n,
    extra: {
      contractId: '0x5b0c1f9e2d4a6b8c0e1f3a5b7c9d1e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d',
      baseMaxPrecision: '6',
      quoteMaxPrecision: '9',
    },
  },
];
