import {
  createError,
  type ErrorCode,
  type ErrorContextOf,
  type TickwireError,
} from '../../../src/errors/index.js';
import { exchangeCodeAndMessage, retryAfterMs } from '../../../src/rest/response-errors.js';
import type { ExchangeErrorMapper } from '../../../src/rest/response-errors.js';

/**
 * How a Binance error code maps to a tickwire code: a fixed code, or one chosen by the
 * message (`-2010` and `-2011` cover several cases), or by whether the request was an
 * order (`-1006`/`-1007`: the outcome is unknown).
 */
type Rule = ErrorCode | ((message: string, isOrder: boolean) => ErrorCode);

const unknownOutcome: Rule = (_m, isOrder) =>
  isOrder ? 'ORDER_STATUS_UNKNOWN' : 'EXCHANGE_UNAVAILABLE';

/**
 * Binance Spot error codes (binance-spot.md §1) and the tickwire code each maps to. Codes
 * not listed become `EXCHANGE_ERROR`; the exchange's code and message are always kept in
 * `context.exchangeCode` / `context.exchangeMessage`.
 *
 * @example
 * BINANCE_ERROR_CODES[-1013]; // 'EXCHANGE_FILTER_FAILURE'
 */
export const BINANCE_ERROR_CODES: Readonly<Record<number, Rule>> = {
  [-1002]: 'AUTH_INVALID_KEY',
  [-1003]: 'RATE_LIMITED',
  [-1006]: unknownOutcome,
  [-1007]: unknownOutcome,
  [-1008]: 'EXCHANGE_UNAVAILABLE',
  [-1013]: 'EXCHANGE_FILTER_FAILURE',
  [-1015]: 'RATE_LIMITED',
  [-1021]: 'AUTH_TIMESTAMP_OUTSIDE_WINDOW',
  [-1022]: 'AUTH_INVALID_SIGNATURE',
  [-2010]: (m) =>
    /insufficient balance/i.test(m) ? 'EXCHANGE_INSUFFICIENT_FUNDS' : 'EXCHANGE_ORDER_REJECTED',
  [-2011]: (m) => (/unknown order/i.test(m) ? 'EXCHANGE_UNKNOWN_ORDER' : 'EXCHANGE_ORDER_REJECTED'),
  [-2013]: 'EXCHANGE_UNKNOWN_ORDER',
  [-2026]: 'EXCHANGE_UNKNOWN_ORDER',
  [-2014]: 'AUTH_INVALID_KEY',
  [-2015]: 'AUTH_INVALID_KEY',
};

/**
 * Where a Binance error came from: HTTP (or WS API) status, request method and path, and
 * whether it was an order placement (whose outcome `-1006`/`-1007` leave unknown).
 *
 * @example
 * const where: BinanceErrorSource = { status: 400, method: 'POST', url: '/api/v3/order', isOrder: true };
 */
export interface BinanceErrorSource {
  readonly status?: number;
  readonly method?: string;
  readonly url?: string;
  readonly isOrder?: boolean;
  /** For `RATE_LIMITED`: how long to wait, in ms. Default 0 (unknown). */
  readonly retryAfterMs?: number;
}

/**
 * The tickwire code for a Binance error code and message.
 *
 * @example
 * binanceErrorCode(-2010, 'Account has insufficient balance for requested action.'); // 'EXCHANGE_INSUFFICIENT_FUNDS'
 */
export function binanceErrorCode(code: number, message: string, isOrder = false): ErrorCode {
  const rule = BINANCE_ERROR_CODES[code];
  if (rule === undefined) return 'EXCHANGE_ERROR';
  return typeof rule === 'function' ? rule(message, isOrder) : rule;
}

/**
 * Builds the tickwire error for a Binance `{ code, msg }` answer (REST body or WS API
 * `error`), keeping Binance's code and message in the context. Never includes request
 * parameters, so no key or signature can leak.
 *
 * @example
 * throw createBinanceError({ code: -2011, msg: 'Unknown order sent.' }, { status: 400, method: 'DELETE', url: '/api/v3/order' });
 */
export function createBinanceError(
  body: { readonly code: number; readonly msg: string },
  source: BinanceErrorSource = {},
): TickwireError {
  const tcode = binanceErrorCode(body.code, body.msg, source.isOrder === true);
  const where =
    source.method === undefined ? 'binance' : `binance ${source.method} ${source.url ?? ''}`;
  const status = source.status === undefined ? '' : ` → ${source.status}`;
  const context = {
    exchange: 'binance',
    ...(source.method === undefined ? {} : { method: source.method }),
    ...(source.url === undefined ? {} : { url: source.url }),
    ...(source.status === undefined ? {} : { status: source.status }),
    exchangeCode: body.code,
    exchangeMessage: body.msg,
    ...(tcode === 'RATE_LIMITED' ? { retryAfterMs: source.retryAfterMs ?? 0 } : {}),
  } as ErrorContextOf<typeof tcode>;
  return createError(tcode, `${where}${status} [${body.code}]: ${body.msg}`, { context });
}

/**
 * The REST manager hook: maps a Binance 4xx body to its tickwire error (2xx answers pass;
 * the manager itself handles 418, 429 and 5xx). A body without Binance's `{ code, msg }`
 * falls back to the manager's default `EXCHANGE_ERROR`.
 *
 * @example
 * new RestManager({ baseUrl, mapExchangeError: mapBinanceResponse });
 */
export const mapBinanceResponse: ExchangeErrorMapper = (res) => {
  if (res.status < 400) return undefined;
  const { code, message } = exchangeCodeAndMessage(res.data);
  if (typeof code !== 'number') return undefined;
  const wait = retryAfterMs(res.headers, Date.now());
  return createBinanceError(
    { code, msg: message ?? '' },
    {
      status: res.status,
      method: res.request.method,
      url: res.request.path,
      isOrder: res.request.method === 'POST' && res.request.path.endsWith('/api/v3/order'),
      ...(wait === undefined ? {} : { retryAfterMs: wait }),
    },
  );
};
