import { createError, type TickwireError } from '../errors/tickwire-error.js';
import type { RestResponse } from './types.js';

/**
 * Maps an exchange's error response to a tickwire error, or returns `undefined` to let the
 * default apply. Called for every response except 418, 429 and 5xx (which the manager maps
 * itself); for a 2xx response a returned error is thrown too (exchanges that answer 200 with
 * an error body).
 *
 * @example
 * const mapBinanceError: ExchangeErrorMapper = (res) => {
 *   const code = (res.data as { code?: number }).code;
 *   if (code === -2010 && /insufficient balance/i.test(res.text)) {
 *     return createError('EXCHANGE_INSUFFICIENT_FUNDS', 'insufficient balance', {
 *       context: { exchangeCode: code, status: res.status },
 *     });
 *   }
 *   return undefined;
 * };
 */
export type ExchangeErrorMapper = (response: RestResponse) => TickwireError | undefined;

/**
 * Reads rate-limit usage from response headers, e.g. Binance's `X-MBX-USED-WEIGHT-1M`.
 *
 * @example
 * const read: UsageReader = (h) => [{ pool: 'REQUEST_WEIGHT', used: Number(h['x-mbx-used-weight-1m']) }];
 */
export type UsageReader = (
  headers: RestResponse['headers'],
) => Iterable<{ readonly pool: string; readonly used: number }>;

/**
 * Builds a {@link UsageReader} from a map of header name (any case) to pool id.
 *
 * @example
 * const read = createHeaderUsageReader({
 *   'X-MBX-USED-WEIGHT-1M': 'REQUEST_WEIGHT',
 *   'X-MBX-ORDER-COUNT-10S': 'ORDERS',
 * });
 */
export function createHeaderUsageReader(map: Readonly<Record<string, string>>): UsageReader {
  const pairs = Object.entries(map).map(([h, pool]) => [h.toLowerCase(), pool] as const);
  return function readUsageHeaders(headers) {
    const out: { pool: string; used: number }[] = [];
    for (const [h, pool] of pairs) {
      const raw = headers[h];
      const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
      if (value === undefined) continue;
      const used = Number(value);
      if (Number.isFinite(used) && used >= 0) out.push({ pool, used });
    }
    return out;
  };
}

/**
 * Milliseconds a `Retry-After` header asks for (delta seconds or an HTTP date), or
 * `undefined` when absent or unreadable.
 *
 * @example
 * retryAfterMs({ 'retry-after': '3' }, Date.now()); // 3000
 */
export function retryAfterMs(headers: RestResponse['headers'], now: number): number | undefined {
  const raw = headers['retry-after'];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The exchange's own `{ code, msg }` (or `message`) from an error body, when present.
 *
 * @example
 * exchangeCodeAndMessage({ code: -1121, msg: 'Invalid symbol.' }); // { code: -1121, message: 'Invalid symbol.' }
 */
export function exchangeCodeAndMessage(data: unknown): {
  code?: number | string;
  message?: string;
} {
  if (typeof data !== 'object' || data === null) return {};
  const d = data as Record<string, unknown>;
  const code =
    typeof d['code'] === 'number' || typeof d['code'] === 'string' ? d['code'] : undefined;
  const m = d['msg'] ?? d['message'] ?? d['error'];
  const message = typeof m === 'string' ? m : undefined;
  return {
    ...(code === undefined ? {} : { code }),
    ...(message === undefined ? {} : { message }),
  };
}

/**
 * The default mapping of a 4xx response: `EXCHANGE_ERROR` with the exchange's code and
 * message in context (or the status and the start of the body when it has neither).
 *
 * @example
 * throw defaultExchangeError(response, { method: 'GET', url: '/api/v3/depth' });
 */
export function defaultExchangeError(
  response: RestResponse,
  base: { readonly method: string; readonly url: string; readonly exchange?: string },
): TickwireError {
  const { code, message } = exchangeCodeAndMessage(response.data);
  const text = message ?? response.text.slice(0, 200);
  return createError(
    'EXCHANGE_ERROR',
    `${base.method} ${base.url} → ${response.status}${code === undefined ? '' : ` [${code}]`}: ${text}`,
    {
      context: {
        ...base,
        status: response.status,
        ...(code === undefined ? {} : { exchangeCode: code }),
        exchangeMessage: text,
      },
    },
  );
}
