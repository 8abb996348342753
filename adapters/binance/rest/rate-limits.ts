import { createHeaderUsageReader, type UsageReader } from '../../../src/rest/response-errors.js';
import type { RateLimitPool } from '../../../src/throttle/index.js';
import { BINANCE_POOLS } from './endpoints.js';
import type { BinanceRateLimit } from './schemas.js';

const UNIT_MS: Readonly<Record<string, { ms: number; letter: string }>> = {
  SECOND: { ms: 1000, letter: 'S' },
  MINUTE: { ms: 60_000, letter: 'M' },
  HOUR: { ms: 3_600_000, letter: 'H' },
  DAY: { ms: 86_400_000, letter: 'D' },
};

/**
 * Turns `exchangeInfo.rateLimits` into throttler pools with the ids of
 * {@link BINANCE_POOLS} (`<rateLimitType>_<intervalNum><S|M|H|D>`). Entries with an unknown
 * interval or a non-positive limit are returned in `skipped` instead.
 *
 * @example
 * binanceRateLimitPools([{ rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 }]).pools;
 * // [{ id: 'ORDERS_10S', limit: 50, intervalMs: 10000 }]
 */
export function binanceRateLimitPools(limits: readonly BinanceRateLimit[]): {
  pools: RateLimitPool[];
  skipped: BinanceRateLimit[];
} {
  const pools: RateLimitPool[] = [];
  const skipped: BinanceRateLimit[] = [];
  for (const l of limits) {
    const unit = UNIT_MS[l.interval];
    if (unit === undefined || !(l.intervalNum > 0) || !(l.limit > 0)) {
      skipped.push(l);
      continue;
    }
    pools.push({
      id: `${l.rateLimitType}_${l.intervalNum}${unit.letter}`,
      limit: l.limit,
      intervalMs: l.intervalNum * unit.ms,
    });
  }
  return { pools, skipped };
}

/**
 * Reads `X-MBX-USED-WEIGHT-1M`, `X-MBX-ORDER-COUNT-10S` and `X-MBX-ORDER-COUNT-1D` into the
 * matching pools (the throttler only ever raises its counts).
 *
 * @example
 * new RestManager({ baseUrl, throttler, usageReader: binanceUsageReader });
 */
export const binanceUsageReader: UsageReader = createHeaderUsageReader({
  'X-MBX-USED-WEIGHT-1M': BINANCE_POOLS.weight,
  'X-MBX-ORDER-COUNT-10S': BINANCE_POOLS.orders10s,
  'X-MBX-ORDER-COUNT-1D': BINANCE_POOLS.orders1d,
});
