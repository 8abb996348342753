/**
 * Which close codes end the manager instead of reconnecting.
 *
 * @example
 * const stop: NoRetryCloseCodes = (code) => code === 1008 || (code >= 4000 && code < 4100);
 */
export type NoRetryCloseCodes = readonly number[] | ((code: number) => boolean);

/**
 * The default: 1008 (policy violation) and the auth-style application codes 4001
 * (unauthorized), 4003 (forbidden) and 4401 / 4403 (HTTP-mirroring variants).
 *
 * @example
 * isNoRetryCloseCode(1008); // true
 */
export const DEFAULT_NO_RETRY_CLOSE_CODES: readonly number[] = [1008, 4001, 4003, 4401, 4403];

/**
 * True when `code` means "do not reconnect" under `rule`.
 *
 * @example
 * isNoRetryCloseCode(4100, (c) => c >= 4000); // true
 */
export function isNoRetryCloseCode(
  code: number,
  rule: NoRetryCloseCodes = DEFAULT_NO_RETRY_CLOSE_CODES,
): boolean {
  return typeof rule === 'function' ? rule(code) : rule.includes(code);
}

/**
 * The class of a close code, for events and logs.
 *
 * @example
 * closeCodeClass(1011); // 'server-error'
 */
export function closeCodeClass(
  code: number,
):
  | 'normal'
  | 'going-away'
  | 'abnormal'
  | 'protocol'
  | 'policy'
  | 'server-error'
  | 'application'
  | 'other' {
  if (code === 1000) return 'normal';
  if (code === 1001) return 'going-away';
  if (code === 1005 || code === 1006) return 'abnormal';
  if (code === 1002 || code === 1003 || code === 1007 || code === 1009 || code === 1010)
    return 'protocol';
  if (code === 1008) return 'policy';
  if (code >= 1011 && code <= 1015) return 'server-error';
  if (code >= 4000 && code <= 4999) return 'application';
  return 'other';
}
