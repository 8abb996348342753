import { z } from 'zod';

/**
 * O2 wire primitives. Chain integers never pass through a JS float: strings stay exact
 * strings, and JSON numbers are accepted only when they are safe integers (a larger number
 * was already rounded by `JSON.parse`, so accepting it would hide a wrong value).
 */

const U64_MAX = (1n << 64n) - 1n;
const DIGITS = /^\d+$/;

function safeUnsignedNumber(field: string) {
  return z
    .number()
    .refine((n) => Number.isSafeInteger(n) && n >= 0, {
      message: `expected ${field} as a string or a safe non-negative integer`,
    })
    .transform((n) => String(n));
}

/**
 * A u64 chain integer (price, quantity, nonce-like counters) as a decimal string, or a safe
 * JSON integer; produced as the exact decimal string.
 *
 * @example
 * U64String.parse(21300000); // '21300000'
 */
export const U64String = z.union([
  z
    .string()
    .regex(DIGITS, { message: 'expected an unsigned integer string' })
    // zod runs refinements even after the regex failed; only compare valid digits.
    .refine((s) => !DIGITS.test(s) || BigInt(s) <= U64_MAX, {
      message: 'expected a u64 (< 2^64)',
    }),
  safeUnsignedNumber('a u64'),
]);
export type U64String = z.output<typeof U64String>;

/**
 * An unbounded unsigned chain integer (balances, trade totals: may exceed u64) as a decimal
 * string, or a safe JSON integer; produced as the exact decimal string.
 *
 * @example
 * U128String.parse('18446744073709551616'); // unchanged
 */
export const U128String = z.union([
  z.string().regex(DIGITS, { message: 'expected an unsigned integer string' }),
  safeUnsignedNumber('an integer'),
]);
export type U128String = z.output<typeof U128String>;

/**
 * A timestamp whose unit is not documented (`onchain_timestamp`, `seen_timestamp`, order
 * `timestamp`): kept as an opaque decimal string.
 *
 * @example
 * OpaqueTimestamp.parse(1767225600000); // '1767225600000'
 */
export const OpaqueTimestamp = U128String;
export type OpaqueTimestamp = z.output<typeof OpaqueTimestamp>;

/**
 * An id on the wire (market, order, contract, asset, tx): a non-empty string, lower-cased so
 * that `0XAB…` and `0xab…` compare equal. SDK test fixtures use non-hex ids (`"market1"`),
 * so hex is not enforced here.
 *
 * @example
 * WireId.parse('0XAAAA'); // '0xaaaa'
 */
export const WireId = z
  .string()
  .min(1, { message: 'expected a non-empty id' })
  .transform((s) => s.toLowerCase());
export type WireId = z.output<typeof WireId>;

/**
 * A Fuel `Identity`: `{"Address": id}` or `{"ContractId": id}`.
 *
 * @example
 * O2Identity.parse({ ContractId: '0xd3ca…' });
 */
export const O2Identity = z.union([
  z.strictObject({ Address: WireId }),
  z.strictObject({ ContractId: WireId }),
]);
export type O2Identity = z.output<typeof O2Identity>;

/**
 * An account nonce: JSON number, decimal string or `0x` hex string (the API is
 * inconsistent); produced as a `bigint`.
 *
 * @example
 * O2Nonce.parse('0xa'); // 10n
 */
export const O2Nonce = z.union([
  z
    .string()
    .regex(/^(\d+|0[xX][0-9a-fA-F]+)$/, { message: 'expected a decimal or 0x hex nonce' })
    .transform((s) => BigInt(s)),
  z
    .number()
    .refine((n) => Number.isSafeInteger(n) && n >= 0, { message: 'expected a safe integer' })
    .transform((n) => BigInt(n)),
]);
export type O2Nonce = z.output<typeof O2Nonce>;

/**
 * An order or trade side in any letter case, produced lower-case.
 *
 * @example
 * O2Side.parse('Sell'); // 'sell'
 */
export const O2Side = z
  .string({ message: 'expected "buy" or "sell"' })
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['buy', 'sell']));
export type O2Side = z.output<typeof O2Side>;

/**
 * A decimal value on a loosely typed REST field (ticker, summary, bars): decimal string or
 * finite JSON number; `null` allowed. Produced as a string (or `null`).
 *
 * @example
 * LooseDecimal.parse(0.47); // '0.47'
 */
export const LooseDecimal = z.union([
  z.string().regex(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/, {
    message: 'expected a decimal string',
  }),
  z
    .number()
    .refine((n) => Number.isFinite(n) && (!Number.isInteger(n) || Number.isSafeInteger(n)), {
      message: 'expected a finite number within 2^53',
    })
    .transform((n) => String(n)),
  z.null(),
]);
export type LooseDecimal = z.output<typeof LooseDecimal>;
