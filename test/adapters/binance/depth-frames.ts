// Generators of Binance diff depth frames in the plain compact form (binance-spot.md §6),
// shared by the fast parser's and the depth lane's property tests.
import fc from 'fast-check';

/** 1–12 decimal digits (leading and trailing zeros included). */
export const digitRun = fc
  .array(fc.constantFrom(...'0123456789'), { minLength: 1, maxLength: 12 })
  .map((a) => a.join(''));

/** `\d+(\.\d+)?`, as Binance writes prices and quantities. */
export const plainDecimal = fc
  .tuple(digitRun, fc.option(digitRun, { nil: undefined }))
  .map(([i, f]) => (f === undefined ? i : `${i}.${f}`));

/** One `[price, quantity]` level. */
export const level = fc.tuple(plainDecimal, plainDecimal);

/** A safe non-negative integer (E, U, u). */
export const safeId = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

/** A few native symbols. */
export const symbol = fc.constantFrom('BTCUSDT', 'ETHBTC', 'BNBUSDT', '1000SATSUSDT');

/** A diff depth payload's fields, with `level` as the level generator. */
export function depthOf(lv: fc.Arbitrary<[string, string]>) {
  return fc.record({
    E: safeId,
    s: symbol,
    U: safeId,
    u: safeId,
    b: fc.array(lv, { maxLength: 20 }),
    a: fc.array(lv, { maxLength: 20 }),
  });
}

/** A diff depth payload's fields. */
export const depth = depthOf(level);

/** Two combined stream names. */
export const streamName = fc.constantFrom('btcusdt@depth@100ms', 'ethbtc@depth');

/** The text of a depth frame as JSON.stringify writes it: combined or raw. */
export const frameText = fc.tuple(depth, fc.boolean(), streamName).map(([d, combined, stream]) => {
  const data = { e: 'depthUpdate', E: d.E, s: d.s, U: d.U, u: d.u, b: d.b, a: d.a };
  return JSON.stringify(combined ? { stream, data } : data);
});
