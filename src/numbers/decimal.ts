import DecimalJs from 'decimal.js';
import { createError } from '../errors/tickwire-error.js';

/**
 * tickwire's own Decimal constructor: a `decimal.js` clone, so that no global
 * `Decimal.set` in the host application can change how tickwire rounds. 100 significant
 * digits hold any u128 chain integer scaled by up to 18 decimals exactly.
 *
 * @example
 * const price = new Decimal('21300.25');
 * price.times('0.5').toFixed(); // '10650.125'
 */
export const Decimal = DecimalJs.clone({
  precision: 100,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -100,
  toExpPos: 100,
});
/** An exact decimal number (instance of tickwire's {@link Decimal}). */
export type Decimal = DecimalJs;

/** Anything tickwire accepts as an exact number. */
export type DecimalLike = string | number | bigint | Decimal;

// Plain decimal, optional sign, optional fraction, optional exponent. No spaces, no
// thousands separators, no hex, no NaN / Infinity.
const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const UNSIGNED_INT_RE = /^\d+$/;
const HEX_RE = /^0[xX][0-9a-fA-F]+$/;

function invalid(field: string, input: unknown, expected: string): never {
  const shown = typeof input === 'string' ? JSON.stringify(input.slice(0, 64)) : String(input);
  throw createError('VALIDATION_FAILED', `${field}: expected ${expected}, got ${shown}`, {
    context: { what: field, path: '', issues: [`expected ${expected}`] },
  });
}

/** True when `text` is a plain (or scientific-notation) decimal string. */
export function isDecimalString(text: string): boolean {
  return DECIMAL_RE.test(text);
}

/**
 * Parses a wire value into an exact {@link Decimal}. Accepts decimal strings (with or
 * without exponent), bigints, Decimals, and JSON numbers that are exactly representable
 * (finite; integers must be safe). Anything else is a `VALIDATION_FAILED` error naming
 * `field`.
 *
 * @example
 * parseDecimal('0.01000000', 'tickSize').toFixed(); // '0.01'
 * parseDecimal('1e-8', 'qty').toFixed();           // '0.00000001'
 */
export function parseDecimal(input: unknown, field: string): Decimal {
  if (typeof input === 'string') {
    if (!DECIMAL_RE.test(input)) invalid(field, input, 'a decimal string');
    return new Decimal(input);
  }
  if (typeof input === 'bigint') return new Decimal(input.toString());
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) invalid(field, input, 'a finite number');
    if (Number.isInteger(input) && !Number.isSafeInteger(input)) {
      invalid(field, input, 'an integer within 2^53 (send large values as strings)');
    }
    return new Decimal(String(input));
  }
  if (Decimal.isDecimal(input)) {
    const d = input as Decimal;
    if (!d.isFinite()) invalid(field, d.toString(), 'a finite decimal');
    return new Decimal(d);
  }
  return invalid(field, input, 'a decimal string');
}

/**
 * Parses a non-negative integer (O2's u64 / u128 chain integers, nonces, ids) into a
 * `bigint`, exactly. Strings of decimal digits always; hex strings (`0x…`) when
 * `allowHex`; JSON numbers only when they are safe integers.
 *
 * @example
 * parseUnsignedInteger('18446744073709551616', 'total_unlocked'); // 18446744073709551616n
 */
export function parseUnsignedInteger(
  input: unknown,
  field: string,
  options: { allowHex?: boolean } = {},
): bigint {
  if (typeof input === 'string') {
    if (UNSIGNED_INT_RE.test(input)) return BigInt(input);
    if (options.allowHex === true && HEX_RE.test(input)) return BigInt(input);
    return invalid(
      field,
      input,
      options.allowHex === true
        ? 'an unsigned integer (decimal or 0x hex)'
        : 'an unsigned integer string',
    );
  }
  if (typeof input === 'bigint') {
    if (input < 0n) invalid(field, input, 'a non-negative integer');
    return input;
  }
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input < 0) {
      invalid(field, input, 'a non-negative safe integer (send large values as strings)');
    }
    return BigInt(input);
  }
  return invalid(field, input, 'an unsigned integer string');
}

function pow10(decimals: number): bigint {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77) {
    throw createError('INVALID_ARGUMENT', `decimals must be an integer in 0..77, got ${decimals}`, {
      context: { argument: 'decimals' },
    });
  }
  return 10n ** BigInt(decimals);
}

/**
 * Converts a chain integer scaled by `decimals` into its exact human value.
 *
 * @example
 * fromScaledInteger('21300000', 9, 'price').toFixed(); // '0.0213'
 */
export function fromScaledInteger(input: unknown, decimals: number, field: string): Decimal {
  const n = parseUnsignedInteger(input, field);
  pow10(decimals);
  return new Decimal(n.toString()).dividedBy(new Decimal(10).pow(decimals));
}

/** How {@link toScaledInteger} treats digits beyond `decimals`. */
export type ScaleRounding = 'exact' | 'floor' | 'ceil';

/**
 * Converts a human value into a chain integer scaled by `decimals`. With `'exact'` (the
 * default) extra digits are an error; `'floor'` / `'ceil'` round toward −∞ / +∞.
 *
 * @example
 * toScaledInteger('0.02', 9, 'price'); // 20000000n
 */
export function toScaledInteger(
  input: DecimalLike,
  decimals: number,
  field: string,
  rounding: ScaleRounding = 'exact',
): bigint {
  const value = parseDecimal(input, field);
  const scaled = value.times(new Decimal(10).pow(decimals));
  pow10(decimals);
  let integral: Decimal;
  if (scaled.isInteger()) integral = scaled;
  else if (rounding === 'floor') integral = scaled.floor();
  else if (rounding === 'ceil') integral = scaled.ceil();
  else {
    return invalid(field, value.toFixed(), `at most ${decimals} decimal places`);
  }
  return BigInt(integral.toFixed(0));
}

/**
 * Formats an exact value as a plain decimal string: no exponent, no trailing zeros
 * (`'0.01000000'` → `'0.01'`), `'0'` for zero.
 */
export function formatDecimal(input: DecimalLike): string {
  const d =
    input instanceof Object && Decimal.isDecimal(input)
      ? (input as Decimal)
      : parseDecimal(input, 'value');
  return d.isZero() ? '0' : d.toFixed();
}

/** Number of decimal places in a step such as `'0.01000000'` (→ 2), ignoring trailing zeros. */
export function decimalPlaces(input: DecimalLike): number {
  return parseDecimal(input, 'step').decimalPlaces();
}
