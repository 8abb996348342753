import { createError } from '../../src/errors/index.js';
import { Decimal, type DecimalLike, parseDecimal } from '../../src/numbers/index.js';

/**
 * Human ↔ chain scaling and the order rules O2 enforces on chain: tick
 * (`10^(quote.decimals − quote.max_precision)`), step (`10^(base.decimals −
 * base.max_precision)`), FractionalPrice (`price × quantity` divisible by
 * `10^base.decimals`) and `min_order` (`price × quantity / 10^base.decimals ≥ min_order`).
 * Nothing is rounded silently: a value that breaks a rule is an `ORDER_FILTER_FAILED` error
 * naming the rule; rounding is only done by the explicit `roundO2*` helpers.
 */

const U64_MAX = (1n << 64n) - 1n;

/**
 * The market fields scaling needs; a parsed `O2Market` fits.
 *
 * @example
 * const market: O2ScaleMarket = { market_id: '0x…', base: { decimals: 9, max_precision: 3 }, quote: { decimals: 9, max_precision: 9 }, min_order: '1000000000' };
 */
export interface O2ScaleMarket {
  /** Native id or symbol, used in error messages. */
  readonly market_id?: string;
  readonly base: { readonly decimals: number; readonly max_precision: number };
  readonly quote: { readonly decimals: number; readonly max_precision: number };
  /** Minimum order value in quote chain units. Default: no minimum. */
  readonly min_order?: string | bigint | undefined;
}

/** Rule names carried in `context.filter` of `ORDER_FILTER_FAILED`. */
export type O2OrderRule =
  'tick_size' | 'step_size' | 'fractional_price' | 'min_order' | 'u64_range';

/** Options of {@link checkO2Order} and {@link prepareO2Order}. */
export interface O2OrderCheckOptions {
  /**
   * Skip the FractionalPrice rule, for order books deployed with `ALLOW_FRACTIONAL_PRICE`.
   * Default: `false`.
   */
  readonly allowFractionalPrice?: boolean;
}

function pow10(n: number, field: string): bigint {
  if (!Number.isInteger(n) || n < 0 || n > 38) {
    throw createError('INVALID_ARGUMENT', `o2 market ${field}: expected an integer in 0..38`, {
      context: { argument: field, exchange: 'o2' },
    });
  }
  return 10n ** BigInt(n);
}

/**
 * The price tick in quote chain units: `10^(quote.decimals − quote.max_precision)`.
 *
 * @example
 * o2TickSize({ base: { decimals: 9, max_precision: 3 }, quote: { decimals: 9, max_precision: 9 } }); // 1n
 */
export function o2TickSize(market: O2ScaleMarket): bigint {
  return pow10(market.quote.decimals - market.quote.max_precision, 'quote.max_precision');
}

/**
 * The quantity step in base chain units: `10^(base.decimals − base.max_precision)`.
 *
 * @example
 * o2StepSize({ base: { decimals: 9, max_precision: 3 }, quote: { decimals: 9, max_precision: 9 } }); // 1000000n
 */
export function o2StepSize(market: O2ScaleMarket): bigint {
  return pow10(market.base.decimals - market.base.max_precision, 'base.max_precision');
}

function filterFailed(market: O2ScaleMarket, rule: O2OrderRule, problem: string): Error {
  const where = market.market_id === undefined ? '' : ` on ${market.market_id}`;
  return createError('ORDER_FILTER_FAILED', `o2 order${where}: ${problem} (${rule})`, {
    context: {
      filter: rule,
      exchange: 'o2',
      ...(market.market_id === undefined ? {} : { market: market.market_id }),
    },
  });
}

function humanUnit(chain: bigint, decimals: number): string {
  return new Decimal(chain.toString()).dividedBy(new Decimal(10).pow(decimals)).toFixed();
}

function scale(
  value: DecimalLike,
  decimals: number,
  unit: bigint,
  market: O2ScaleMarket,
  field: 'price' | 'quantity',
): bigint {
  const d = parseDecimal(value, field);
  if (d.isNegative() || d.isZero()) {
    throw createError('INVALID_ARGUMENT', `o2 order: ${field} must be positive`, {
      context: { argument: field, exchange: 'o2' },
    });
  }
  const rule: O2OrderRule = field === 'price' ? 'tick_size' : 'step_size';
  const scaled = d.times(new Decimal(10).pow(decimals));
  const what = field === 'price' ? 'tick' : 'step';
  const unitText = humanUnit(unit, decimals);
  if (!scaled.isInteger()) {
    throw filterFailed(
      market,
      rule,
      `${field} ${d.toFixed()} is not a multiple of the ${what} ${unitText}`,
    );
  }
  const chain = BigInt(scaled.toFixed(0));
  if (chain % unit !== 0n) {
    throw filterFailed(
      market,
      rule,
      `${field} ${d.toFixed()} is not a multiple of the ${what} ${unitText}`,
    );
  }
  if (chain > U64_MAX) {
    throw filterFailed(market, 'u64_range', `${field} ${d.toFixed()} does not fit a u64 on chain`);
  }
  return chain;
}

/**
 * Scales a human price to quote chain units, exactly; `ORDER_FILTER_FAILED` (`tick_size`)
 * when it is not a multiple of the tick.
 *
 * @example
 * scaleO2Price('0.0213', fuelUsdc); // 21300000n
 */
export function scaleO2Price(price: DecimalLike, market: O2ScaleMarket): bigint {
  return scale(price, market.quote.decimals, o2TickSize(market), market, 'price');
}

/**
 * Scales a human quantity to base chain units, exactly; `ORDER_FILTER_FAILED`
 * (`step_size`) when it is not a multiple of the step.
 *
 * @example
 * scaleO2Quantity('100', fuelUsdc); // 100000000000n
 */
export function scaleO2Quantity(quantity: DecimalLike, market: O2ScaleMarket): bigint {
  return scale(quantity, market.base.decimals, o2StepSize(market), market, 'quantity');
}

/**
 * A quote chain integer (price) in human units.
 *
 * @example
 * unscaleO2Price(21300000n, fuelUsdc).toFixed(); // '0.0213'
 */
export function unscaleO2Price(chain: bigint | string, market: O2ScaleMarket): Decimal {
  return new Decimal(chain.toString()).dividedBy(new Decimal(10).pow(market.quote.decimals));
}

/**
 * A base chain integer (quantity) in human units.
 *
 * @example
 * unscaleO2Quantity(100000000000n, fuelUsdc).toFixed(); // '100'
 */
export function unscaleO2Quantity(chain: bigint | string, market: O2ScaleMarket): Decimal {
  return new Decimal(chain.toString()).dividedBy(new Decimal(10).pow(market.base.decimals));
}

/**
 * Rounds a human price to the tick, explicitly (`'floor'` or `'ceil'`), and scales it.
 *
 * @example
 * roundO2Price('0.02134567891', usdcMarket, 'floor'); // 21345678n
 */
export function roundO2Price(
  price: DecimalLike,
  market: O2ScaleMarket,
  mode: 'floor' | 'ceil',
): bigint {
  return roundTo(price, market.quote.decimals, o2TickSize(market), mode, 'price');
}

/**
 * Rounds a human quantity to the step, explicitly (`'floor'` or `'ceil'`), and scales it.
 *
 * @example
 * roundO2Quantity('1.23456', fuelUsdc, 'floor'); // 1234000000n
 */
export function roundO2Quantity(
  quantity: DecimalLike,
  market: O2ScaleMarket,
  mode: 'floor' | 'ceil',
): bigint {
  return roundTo(quantity, market.base.decimals, o2StepSize(market), mode, 'quantity');
}

function roundTo(
  value: DecimalLike,
  decimals: number,
  unit: bigint,
  mode: 'floor' | 'ceil',
  field: string,
): bigint {
  const units = parseDecimal(value, field)
    .times(new Decimal(10).pow(decimals))
    .dividedBy(unit.toString());
  const rounded = mode === 'floor' ? units.floor() : units.ceil();
  return BigInt(rounded.toFixed(0)) * unit;
}

/**
 * The order value in quote chain units, `price × quantity / 10^base.decimals` (integer
 * division, as the contract computes the amount a buy locks).
 *
 * @example
 * o2OrderValue(20000000n, 100000000000n, fuelUsdc); // 2000000000n
 */
export function o2OrderValue(price: bigint, quantity: bigint, market: O2ScaleMarket): bigint {
  return (price * quantity) / pow10(market.base.decimals, 'base.decimals');
}

/**
 * Checks chain-unit price and quantity against every O2 rule (tick, step, u64 range,
 * FractionalPrice, min_order); throws `ORDER_FILTER_FAILED` naming the first rule broken.
 *
 * @example
 * checkO2Order({ price: 21300000n, quantity: 1500000000000n }, fuelUsdc);
 */
export function checkO2Order(
  order: { readonly price: bigint; readonly quantity: bigint },
  market: O2ScaleMarket,
  options: O2OrderCheckOptions = {},
): void {
  const { price, quantity } = order;
  if (price <= 0n || quantity <= 0n) {
    throw createError('INVALID_ARGUMENT', 'o2 order: price and quantity must be positive', {
      context: { argument: price <= 0n ? 'price' : 'quantity', exchange: 'o2' },
    });
  }
  if (price > U64_MAX || quantity > U64_MAX) {
    throw filterFailed(market, 'u64_range', 'price and quantity must fit a u64');
  }
  const tick = o2TickSize(market);
  if (price % tick !== 0n) {
    throw filterFailed(market, 'tick_size', `price ${price} is not a multiple of the tick ${tick}`);
  }
  const step = o2StepSize(market);
  if (quantity % step !== 0n) {
    throw filterFailed(
      market,
      'step_size',
      `quantity ${quantity} is not a multiple of the step ${step}`,
    );
  }
  const baseUnit = pow10(market.base.decimals, 'base.decimals');
  if (options.allowFractionalPrice !== true && (price * quantity) % baseUnit !== 0n) {
    throw filterFailed(
      market,
      'fractional_price',
      `price × quantity (${price} × ${quantity}) is not divisible by 10^${market.base.decimals}`,
    );
  }
  if (market.min_order !== undefined) {
    const min = BigInt(market.min_order);
    const value = (price * quantity) / baseUnit;
    if (value < min) {
      throw filterFailed(market, 'min_order', `order value ${value} is below min_order ${min}`);
    }
  }
  if ((price * quantity) / baseUnit > U64_MAX) {
    throw filterFailed(market, 'u64_range', 'order value does not fit a u64');
  }
}

/**
 * Scales a human price and quantity exactly and checks every O2 rule; returns the chain
 * integers to sign and send.
 *
 * @example
 * prepareO2Order({ price: '0.0213', quantity: '1500' }, fuelUsdc); // { price: 21300000n, quantity: 1500000000000n }
 */
export function prepareO2Order(
  order: { readonly price: DecimalLike; readonly quantity: DecimalLike },
  market: O2ScaleMarket,
  options: O2OrderCheckOptions = {},
): { price: bigint; quantity: bigint } {
  const price = scaleO2Price(order.price, market);
  const quantity = scaleO2Quantity(order.quantity, market);
  checkO2Order({ price, quantity }, market, options);
  return { price, quantity };
}
