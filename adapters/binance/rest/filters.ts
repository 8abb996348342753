import { createError } from '../../../src/errors/index.js';
import { Decimal } from '../../../src/numbers/index.js';
import type { BinanceMarketInfo } from './markets.js';

/**
 * What the pre-send filter check needs of an order: its type and the exact price,
 * quantity or quote amount.
 *
 * @example
 * const order: BinanceFilterInput = { type: 'LIMIT', price: new Decimal('60000.01'), quantity: new Decimal('0.001') };
 */
export interface BinanceFilterInput {
  /** Binance order type (`LIMIT`, `LIMIT_MAKER`, `MARKET`). */
  readonly type: string;
  readonly price?: Decimal;
  readonly quantity?: Decimal;
}

function fail(
  market: BinanceMarketInfo,
  filter: string,
  field: string,
  detail: string,
  value: Decimal,
): never {
  throw createError(
    'ORDER_FILTER_FAILED',
    `binance ${market.id}: ${filter}: ${field} ${value.toFixed()} ${detail}; the order was not sent`,
    {
      context: {
        exchange: 'binance',
        market: market.symbol,
        filter,
        field,
        value: value.toFixed(),
      },
    },
  );
}

/** A rule whose bound is zero is switched off (binance-spot.md §3). */
function on(bound: string): Decimal | undefined {
  const d = new Decimal(bound);
  return d.isZero() ? undefined : d;
}

function checkRange(
  market: BinanceMarketInfo,
  filter: string,
  field: string,
  value: Decimal,
  min: string,
  max: string,
  step: string,
): void {
  const lo = on(min);
  const hi = on(max);
  const st = on(step);
  if (lo !== undefined && value.lessThan(lo)) fail(market, filter, field, `is below ${min}`, value);
  if (hi !== undefined && value.greaterThan(hi)) {
    fail(market, filter, field, `is above ${max}`, value);
  }
  if (st !== undefined && !value.modulo(st).isZero()) {
    fail(market, filter, field, `is not a multiple of ${step}`, value);
  }
}

/**
 * Checks an order against the market's filters before it is sent, exactly (Decimal
 * arithmetic): `PRICE_FILTER` (min, max, tick), `LOT_SIZE` (min, max, step),
 * `MARKET_LOT_SIZE` for MARKET orders, and the minimum / maximum of `NOTIONAL` and
 * `MIN_NOTIONAL` for orders with a price. A MARKET order's notional needs the exchange's
 * average price, so the server checks it (`-1013` → `EXCHANGE_FILTER_FAILURE`). Throws
 * `ORDER_FILTER_FAILED` with `context.filter` naming the filter.
 *
 * @example
 * checkBinanceFilters(market, { type: 'LIMIT', price: new Decimal('60000.001'), quantity: new Decimal('1') });
 * // throws ORDER_FILTER_FAILED: PRICE_FILTER: price 60000.001 is not a multiple of 0.01000000
 */
export function checkBinanceFilters(market: BinanceMarketInfo, order: BinanceFilterInput): void {
  const f = market.filters;
  const isMarket = order.type === 'MARKET';
  const { price, quantity } = order;
  if (price !== undefined && f.price !== undefined) {
    const p = f.price;
    checkRange(market, 'PRICE_FILTER', 'price', price, p.minPrice, p.maxPrice, p.tickSize);
  }
  if (quantity !== undefined) {
    if (f.lot !== undefined) {
      const l = f.lot;
      checkRange(market, 'LOT_SIZE', 'quantity', quantity, l.minQty, l.maxQty, l.stepSize);
    }
    if (isMarket && f.marketLot !== undefined) {
      const l = f.marketLot;
      checkRange(market, 'MARKET_LOT_SIZE', 'quantity', quantity, l.minQty, l.maxQty, l.stepSize);
    }
  }
  if (isMarket || price === undefined || quantity === undefined) return;
  const notional = price.times(quantity);
  if (f.minNotional !== undefined) {
    const min = on(f.minNotional.minNotional);
    if (min !== undefined && notional.lessThan(min)) {
      fail(market, 'MIN_NOTIONAL', 'notional', `is below ${f.minNotional.minNotional}`, notional);
    }
  }
  if (f.notional !== undefined) {
    const n = f.notional;
    const min = on(n.minNotional);
    const max = n.maxNotional === undefined ? undefined : on(n.maxNotional);
    if (min !== undefined && notional.lessThan(min)) {
      fail(market, 'NOTIONAL', 'notional', `is below ${n.minNotional}`, notional);
    }
    if (max !== undefined && notional.greaterThan(max)) {
      fail(market, 'NOTIONAL', 'notional', `is above ${n.maxNotional ?? ''}`, notional);
    }
  }
}
