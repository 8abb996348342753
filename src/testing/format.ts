/**
 * Formats a scaled integer as a fixed-point decimal string with exactly `places`
 * decimals (padding with zeros, truncating extra digits). Exact: no floats involved.
 *
 * @example
 * formatScaled(6000001n, 2, 8); // '60000.01000000'
 * formatScaled(5n, 8, 8);       // '0.00000005'
 */
export function formatScaled(value: bigint, decimals: number, places: number): string {
  const negative = value < 0n;
  let digits = (negative ? -value : value).toString();
  if (decimals > 0) digits = digits.padStart(decimals + 1, '0');
  let int = decimals > 0 ? digits.slice(0, digits.length - decimals) : digits;
  let frac = decimals > 0 ? digits.slice(digits.length - decimals) : '';
  if (frac.length < places) frac = frac.padEnd(places, '0');
  else frac = frac.slice(0, places);
  if (int === '') int = '0';
  const text = places > 0 ? `${int}.${frac}` : int;
  return negative ? `-${text}` : text;
}

/**
 * Parses a plain decimal string into an integer scaled by `decimals`; returns undefined
 * when the text is not a plain non-negative decimal or has more than `decimals` decimals
 * (after trimming trailing zeros).
 *
 * @example
 * parseScaled('60000.01', 2); // 6000001n
 * parseScaled('0.001', 2);    // undefined (too precise)
 */
export function parseScaled(text: string, decimals: number): bigint | undefined {
  const m = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (m === null) return undefined;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  if (frac.length > decimals) return undefined;
  return BigInt((m[1] ?? '0') + frac.padEnd(decimals, '0'));
}
