// Summary statistics shared by the bench suites.

/** Min / median / max of a set of runs. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

/** The median (NaN for no values). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Min, median and max. */
export function spread(xs: readonly number[]): Spread {
  return { min: Math.min(...xs), median: median(xs), max: Math.max(...xs) };
}

/** Rounded to 2 decimals, for printing. */
export const r2 = (x: number): number => Math.round(x * 100) / 100;
