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
  let dot = false;
  let nonZero = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 48 && c <= 57) nonZero = true;
    else if (c === 48) continue;
    else if (c === 46 && !dot) dot = true;
    else return slowIsZero(text, field);
  }
  if (n === 0 || (dot && n === 1)) invalid(field, text);
  return !nonZero;
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
