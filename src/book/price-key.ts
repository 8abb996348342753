import { createError } from '../errors/tickwire-error.js';
import { Decimal, isDecimalString } from '../numbers/decimal.js';

/**
 * Output slot of {@link canonicalDecimal}: the canonical string and the number of digits in
 * its integer part. A slot is reused across calls so that the hot path allocates nothing but
 * the (sliced) key string.
 */
export interface DecimalKeySlot {
  /** Canonical form: no sign, no exponent, no leading zeros, no trailing fractional zeros. */
  key: string;
  /** Digits before the point in `key` (`'0.5'` → 1, `'21300000'` → 8). */
  digits: number;
}

function invalid(field: string, text: unknown): never {
  const shown = typeof text === 'string' ? JSON.stringify(text.slice(0, 64)) : String(text);
  throw createError(
    'VALIDATION_FAILED',
    `${field}: expected a non-negative decimal string, got ${shown}`,
    { context: { what: field, path: '', issues: ['expected a non-negative decimal string'] } },
  );
}

/**
 * Writes the canonical form of a non-negative decimal wire string into `out`. Two strings
 * denote the same number exactly when their keys are equal (`'4.0'`, `'4.00000000'` and
 * `'04'` all give `'4'`), and {@link compareDecimalKeys} orders keys numerically — for any
 * length of integer, u64 chain integers beyond 2^53 included. Plain digit strings take a
 * single scan; anything else (`'1e-8'`, `'.5'`, `'+3'`) goes through `Decimal`.
 *
 * @throws `VALIDATION_FAILED` when `text` is not a non-negative decimal string.
 * @example
 * const slot = { key: '', digits: 0 };
 * canonicalDecimal('4.00000000', 'price', slot); // slot.key === '4', slot.digits === 1
 */
export function canonicalDecimal(text: string, field: string, out: DecimalKeySlot): void {
  if (typeof text !== 'string') return slowCanonical(text, field, out);
  const n = text.length;
  let dot = -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (dot !== -1) return slowCanonical(text, field, out);
      dot = i;
    } else if (c < 48 || c > 57) {
      return slowCanonical(text, field, out);
    }
  }
  if (n === 0 || dot === 0) return slowCanonical(text, field, out);
  const intEnd = dot === -1 ? n : dot;
  let start = 0;
  while (start < intEnd - 1 && text.charCodeAt(start) === 48) start++;
  let end = n;
  if (dot !== -1) {
    while (end > dot + 1 && text.charCodeAt(end - 1) === 48) end--;
    if (end === dot + 1) end = dot;
  }
  out.key = start === 0 && end === n ? text : text.slice(start, end);
  out.digits = intEnd - start;
}

function slowCanonical(text: unknown, field: string, out: DecimalKeySlot): void {
  if (typeof text !== 'string' || !isDecimalString(text)) invalid(field, text);
  const d = new Decimal(text);
  if (!d.isFinite() || (d.isNegative() && !d.isZero())) invalid(field, text);
  const key = d.isZero() ? '0' : d.toFixed();
  const dot = key.indexOf('.');
  out.key = key;
  out.digits = dot === -1 ? key.length : dot;
}

/**
 * Orders two canonical keys numerically: negative when `a < b`, zero when equal.
 *
 * @example
 * compareDecimalKeys('10', 2, '9.99', 1); // > 0
 */
export function compareDecimalKeys(
  aKey: string,
  aDigits: number,
  bKey: string,
  bDigits: number,
): number {
  if (aDigits !== bDigits) return aDigits - bDigits;
  return aKey < bKey ? -1 : aKey > bKey ? 1 : 0;
}

/**
 * True when a non-negative decimal wire string is zero (`'0'`, `'0.00000000'`, `'0e5'`).
 * Validates the whole string, so a malformed quantity never reaches a book.
 *
 * @throws `VALIDATION_FAILED` when `text` is not a non-negative decimal string.
 * @example
 * isZeroDecimal('0.00000000', 'qty'); // true
 */
export function isZeroDecimal(text: string, field: string): boolean {
  if (typeof text !== 'string') return slowIsZero(text, field);
  const n = text.length;
  // One branch per digit: `d >>> 0 <= 9` is true exactly for '0'..'9'; OR-ing the digits
  // tells zero from non-zero without a second test.
  let digits = 0;
  let dot = false;
  for (let i = 0; i < n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d >>> 0 <= 9) digits |= d;
    else if (d === -2 && !dot) dot = true;
    else return slowIsZero(text, field);
  }
  if (n === 0 || (dot && n === 1)) invalid(field, text);
  return digits === 0;
}

function slowIsZero(text: unknown, field: string): boolean {
  const slot: DecimalKeySlot = { key: '', digits: 0 };
  slowCanonical(text, field, slot);
  return slot.key === '0';
}

/**
 * The canonical form of a non-negative decimal string (see {@link canonicalDecimal}).
 *
 * @example
 * canonicalDecimalString('0021300000.000'); // '21300000'
 */
export function canonicalDecimalString(text: string, field = 'value'): string {
  const slot: DecimalKeySlot = { key: '', digits: 0 };
  canonicalDecimal(text, field, slot);
  return slot.key;
}

/** Largest integer a JS number holds exactly (2^53 − 1). */
const MAX_EXACT = Number.MAX_SAFE_INTEGER;

/** Powers of ten, exact as doubles up to 10^22; scaled keys use at most {@link MAX_KEY_SCALE}. */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Most decimal places a scaled-integer key may use before a book falls back to string keys. */
export const MAX_KEY_SCALE = 18;

/** {@link parseScaled}: the text needs more decimals than `scale` (see `out.needed`). */
export const NEEDS_SCALE = -1;
/** {@link parseScaled}: not a plain digit string, or too large for an exact scaled key. */
export const NOT_SCALED = -2;

/**
 * Parses a plain decimal string (`'30000.01000000'`) into the exact integer
 * `value × 10^scale`, returned as a JS number only when below 2^53 (so exact). Returns
 * {@link NEEDS_SCALE} with `out.needed` set when the text has significant digits beyond
 * `scale` decimals, and {@link NOT_SCALED} when the text is not plain digits (exponents,
 * signs, garbage: the caller takes the exact slow path) or the key would reach 2^53.
 *
 * @example
 * parseScaled('30000.01000000', 2, out); // 3000001
 */
export function parseScaled(text: string, scale: number, out: { needed: number }): number {
  if (typeof text !== 'string') return NOT_SCALED;
  const n = text.length;
  // Three tight loops (integer digits, the first `scale` decimals, the rest) instead of one
  // loop testing the position of every character: this runs for every level of every delta.
  let acc = 0;
  let i = 0;
  let d = 0;
  for (; i < n; i++) {
    d = text.charCodeAt(i) - 48;
    if (d >>> 0 > 9) break;
    acc = acc * 10 + d;
  }
  let used = 0;
  if (i < n) {
    if (d !== -2 || i === 0) return NOT_SCALED; // not a '.', or nothing before it
    const dot = i++;
    const end = n < dot + 1 + scale ? n : dot + 1 + scale;
    for (; i < end; i++) {
      d = text.charCodeAt(i) - 48;
      if (d >>> 0 > 9) return NOT_SCALED;
      acc = acc * 10 + d;
    }
    used = end - dot - 1;
    let lastNonZero = 0;
    for (; i < n; i++) {
      d = text.charCodeAt(i) - 48;
      if (d === 0) continue;
      if (d >>> 0 > 9) return NOT_SCALED;
      lastNonZero = i - dot;
    }
    if (lastNonZero !== 0) {
      out.needed = lastNonZero;
      return NEEDS_SCALE;
    }
  } else if (n === 0) {
    return NOT_SCALED;
  }
  // Every partial sum is below the final one, so a final value under 2^53 was exact throughout.
  if (used < scale) acc *= POW10[scale - used] as number;
  return acc > MAX_EXACT ? NOT_SCALED : acc;
}

/**
 * `10^n` as an exact double (`n` ≤ 22), from a table.
 *
 * @example
 * pow10(8); // 100000000
 */
export function pow10(n: number): number {
  return POW10[n] as number;
}
