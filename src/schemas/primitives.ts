import { z } from 'zod';
import { isDecimalString } from '../numbers/decimal.js';

/**
 * A decimal number as an exact wire string (`"0.00120000"`, `"1e-8"`). Stays a string:
 * convert with `parseDecimal` when arithmetic is needed.
 */
export const DecimalString = z
  .string()
  .refine(isDecimalString, { message: 'expected a decimal string' });
export type DecimalString = z.infer<typeof DecimalString>;

/**
 * A decimal that may arrive as a JSON number or a string; always produced as the string
 * form. Numbers that are not safe integers or not finite are rejected.
 */
export const LenientDecimalString = z.union([
  DecimalString,
  z
    .number()
    .refine((n) => Number.isFinite(n) && (!Number.isInteger(n) || Number.isSafeInteger(n)), {
      message: 'expected a finite number within 2^53',
    })
    .transform((n) => String(n)),
]);
export type LenientDecimalString = z.infer<typeof LenientDecimalString>;

/** A non-negative integer as a decimal string (u64 chain integers beyond 2^53 included). */
export const IntegerString = z
  .string()
  .regex(/^\d+$/, { message: 'expected an unsigned integer string' });
export type IntegerString = z.infer<typeof IntegerString>;

/** An unsigned integer sent as a string or a safe JSON integer; produced as a string. */
export const LenientIntegerString = z.union([
  IntegerString,
  z
    .number()
    .int()
    .nonnegative()
    .refine(Number.isSafeInteger, { message: 'expected a safe integer' })
    .transform((n) => String(n)),
]);
export type LenientIntegerString = z.infer<typeof LenientIntegerString>;

/** Epoch milliseconds, as a JSON number or a numeric string; produced as a number. */
export const TimestampMs = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d{1,16}$/, { message: 'expected epoch milliseconds' })
    .transform((s) => Number(s)),
]);
export type TimestampMs = z.infer<typeof TimestampMs>;

/** An order side in any letter case (`"BUY"`, `"Buy"`, `"buy"`), produced lower-case. */
export const Side = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['buy', 'sell']));
export type Side = z.infer<typeof Side>;
