import {
  createError,
  type ErrorCode,
  type ErrorContextOf,
  type TickwireError,
} from '../../src/errors/index.js';
import { retryAfterMs, type ExchangeErrorMapper } from '../../src/rest/response-errors.js';
import type { RestResponse } from '../../src/rest/types.js';
import { O2ErrorBody } from './schemas/stream-frames.js';

/**
 * O2's numeric error codes (the shared error table of the official SDKs) and the tickwire
 * code each maps to. `argument` names the parameter for `INVALID_ARGUMENT` mappings.
 *
 * @example
 * O2_ERROR_CODES[4000]; // { name: 'InvalidSignature', code: 'AUTH_INVALID_SIGNATURE' }
 */
export const O2_ERROR_CODES: Readonly<
  Record<number, { readonly name: string; readonly code: ErrorCode; readonly argument?: string }>
> = {
  1000: { name: 'InternalError', code: 'EXCHANGE_UNAVAILABLE' },
  1001: { name: 'InvalidRequest', code: 'INVALID_ARGUMENT', argument: 'request' },
  1002: { name: 'ParseError', code: 'INVALID_ARGUMENT', argument: 'request' },
  1003: { name: 'RateLimitExceeded', code: 'RATE_LIMITED' },
  1004: { name: 'GeoRestricted', code: 'EXCHANGE_ERROR' },
  2000: { name: 'MarketNotFound', code: 'UNKNOWN_MARKET' },
  2001: { name: 'MarketPaused', code: 'EXCHANGE_ORDER_REJECTED' },
  2002: { name: 'MarketAlreadyExists', code: 'EXCHANGE_ERROR' },
  3000: { name: 'OrderNotFound', code: 'EXCHANGE_UNKNOWN_ORDER' },
  3001: { name: 'OrderNotActive', code: 'EXCHANGE_UNKNOWN_ORDER' },
  3002: { name: 'InvalidOrderParams', code: 'EXCHANGE_FILTER_FAILURE' },
  4000: { name: 'InvalidSignature', code: 'AUTH_INVALID_SIGNATURE' },
  4001: { name: 'InvalidSession', code: 'AUTH_SESSION_EXPIRED' },
  4002: { name: 'AccountNotFound', code: 'AUTH_INVALID_KEY' },
  4003: { name: 'WhitelistNotConfigured', code: 'AUTH_INVALID_KEY' },
  5000: { name: 'TradeNotFound', code: 'EXCHANGE_ERROR' },
  5001: { name: 'InvalidTradeCount', code: 'INVALID_ARGUMENT', argument: 'count' },
  6000: { name: 'AlreadySubscribed', code: 'EXCHANGE_ERROR' },
  6001: { name: 'TooManySubscriptions', code: 'EXCHANGE_ERROR' },
  6002: { name: 'SubscriptionError', code: 'EXCHANGE_ERROR' },
  7000: { name: 'InvalidAmount', code: 'INVALID_ARGUMENT', argument: 'amount' },
  7001: { name: 'InvalidTimeRange', code: 'INVALID_ARGUMENT', argument: 'from/to' },
  7002: { name: 'InvalidPagination', code: 'INVALID_ARGUMENT', argument: 'pagination' },
  7003: { name: 'NoActionsProvided', code: 'INVALID_ARGUMENT', argument: 'actions' },
  7004: { name: 'TooManyActions', code: 'INVALID_ARGUMENT', argument: 'actions' },
  8000: { name: 'BlockNotFound', code: 'EXCHANGE_ERROR' },
  8001: { name: 'EventsNotFound', code: 'EXCHANGE_ERROR' },
};

/**
 * Revert enums of the O2 contracts with their variants (protocol doc §8.7).
 *
 * @example
 * O2_REVERT_ENUMS['WithdrawError']; // ['AmountIsZero', 'NotEnoughBalance']
 */
export const O2_REVERT_ENUMS: Readonly<Record<string, readonly string[]>> = {
  OrderCreationError: [
    'InvalidOrderArgs',
    'InvalidInputAmount',
    'InvalidAsset',
    'PriceExceedsRange',
    'PricePrecision',
    'InvalidHeapPrices',
    'FractionalPrice',
    'OrderNotFilled',
    'OrderPartiallyFilled',
    'TraderNotWhiteListed',
    'TraderBlackListed',
    'InvalidMarketOrder',
    'InvalidMarketOrderArgs',
  ],
  OrderCancelError: ['NotOrderOwner'],
  NonceError: ['InvalidNonce'],
  SignerError: ['InvalidSigner'],
  SessionError: ['SessionInThePast', 'NoApprovedContractIdsProvided'],
  WithdrawError: ['AmountIsZero', 'NotEnoughBalance'],
  PauseError: ['Paused'],
};

// ABI log ids whose variant order is known; the only one documented is WithdrawError's.
const LOG_ID_ENUMS: Readonly<Record<string, { enumName: string; variants: readonly string[] }>> = {
  '14888260448086063780': {
    enumName: 'WithdrawError',
    variants: ['AmountIsZero', 'NotEnoughBalance'],
  },
};

/**
 * Sway revert signal constants (`Revert(n)`), by decimal value.
 *
 * @example
 * O2_REVERT_SIGNALS['18446744073709486086']; // 'REVERT_WITH_LOG' (0xffffffffffff0006)
 */
export const O2_REVERT_SIGNALS: Readonly<Record<string, string>> = {
  '18446744073709486080': 'FAILED_REQUIRE',
  '18446744073709486081': 'FAILED_TRANSFER_TO_ADDRESS',
  '18446744073709486083': 'FAILED_ASSERT_EQ',
  '18446744073709486084': 'FAILED_ASSERT',
  '18446744073709486085': 'FAILED_ASSERT_NE',
  '18446744073709486086': 'REVERT_WITH_LOG',
};

/** What could be read out of an on-chain revert's `reason` text. */
export interface O2RevertInfo {
  /** `Enum::Variant` (e.g. `WithdrawError::NotEnoughBalance`), or a bare variant name when its enum is unknown. */
  readonly name?: string;
  /** The revert signal's name (e.g. `REVERT_WITH_LOG`), when it is a known constant. */
  readonly signal?: string;
  /** The `Revert(n)` value as a decimal string. */
  readonly signalValue?: string;
  /** `rb` ids of the `LogData` receipts. */
  readonly logIds: readonly string[];
}

const variantOwner = new Map<string, string>();
for (const [enumName, variants] of Object.entries(O2_REVERT_ENUMS)) {
  for (const v of variants) variantOwner.set(v, enumName);
}

/**
 * Decodes the fuels-rs debug text of a revert (`LogResult { results: [Ok("…")] }`,
 * `Revert(n)`, `LogData { rb: <log id>, data: Some(Bytes(…)) }`) into names where the
 * protocol doc allows it.
 *
 * @example
 * decodeO2Revert('LogResult { results: [Ok("NotEnoughBalance")] } and error: Revert(18446744073709486086)');
 * // { name: 'WithdrawError::NotEnoughBalance', signal: 'REVERT_WITH_LOG', signalValue: '18446744073709486086', logIds: [] }
 */
export function decodeO2Revert(reason: string): O2RevertInfo {
  let name: string | undefined;
  const qualified = /\b([A-Z][A-Za-z]*Error)::([A-Z][A-Za-z]*)\b/.exec(reason);
  if (qualified !== null && O2_REVERT_ENUMS[qualified[1] ?? '']?.includes(qualified[2] ?? '')) {
    name = `${qualified[1]}::${qualified[2]}`;
  }
  if (name === undefined) {
    const ok = /Ok\("([A-Za-z_][A-Za-z0-9_]*)"\)/.exec(reason)?.[1];
    if (ok !== undefined) {
      const owner = variantOwner.get(ok);
      name = owner === undefined ? ok : `${owner}::${ok}`;
    }
  }
  const logIds: string[] = [];
  for (const m of reason.matchAll(
    /LogData \{[^}]*?\brb: (\d+)[^}]*?data: Some\(Bytes\(([0-9a-fA-F]*)\)\)/g,
  )) {
    const id = m[1] ?? '';
    logIds.push(id);
    const known = LOG_ID_ENUMS[id];
    const data = m[2] ?? '';
    if (name === undefined && known !== undefined && data.length >= 16) {
      const variant = known.variants[Number(BigInt(`0x${data.slice(0, 16)}`))];
      if (variant !== undefined) name = `${known.enumName}::${variant}`;
    }
  }
  const signalValue = /\bRevert\((\d+)\)/.exec(reason)?.[1];
  const signal = signalValue === undefined ? undefined : O2_REVERT_SIGNALS[signalValue];
  return {
    logIds,
    ...(name === undefined ? {} : { name }),
    ...(signal === undefined ? {} : { signal }),
    ...(signalValue === undefined ? {} : { signalValue }),
  };
}

/** Request details that make a mapped error actionable. */
export interface O2ErrorInfo {
  /** HTTP status of the response, when there was one. */
  readonly status?: number;
  readonly method?: string;
  readonly url?: string;
  /** The market the request was about (used by `UNKNOWN_MARKET`). */
  readonly market?: string;
  /** Pause after a rate limit, from headers when the server sent one. Default: 1000 ms. */
  readonly retryAfterMs?: number;
  /** The throttler pool the request drew on (put in a `RATE_LIMITED` context). */
  readonly pool?: string;
  readonly cause?: unknown;
}

const REVERT_TEXT = /Revert\(|LogResult|revert/i;
const MAX_REASON_CHARS = 500;

/**
 * Maps an O2 error body (`{code, message}`, `{message, reason, receipts}`, `code: 1000` with
 * revert text, or a non-JSON body with an HTTP status) to a tickwire error. Reverts become
 * `EXCHANGE_REVERTED` with `context.reason` set to the decoded name (`NonceError::InvalidNonce`
 * becomes `NONCE_MISMATCH`); every error carries `context.exchangeCode` and
 * `context.exchangeMessage` when the body had them.
 *
 * @example
 * const err = mapO2Error({ code: 1003, message: 'Too many requests' }, { status: 429 });
 * err.code; // 'RATE_LIMITED'
 */
export function mapO2Error(body: unknown, info: O2ErrorInfo = {}): TickwireError {
  const base: Record<string, unknown> = { exchange: 'o2' };
  if (info.status !== undefined) base['status'] = info.status;
  if (info.method !== undefined) base['method'] = info.method;
  if (info.url !== undefined) base['url'] = info.url;
  const parsed = O2ErrorBody.safeParse(body);
  if (!parsed.success) return fromStatus(body, base, info);
  const b = parsed.data;
  const text = b.message ?? b.error ?? '';
  if (b.code !== undefined) base['exchangeCode'] = b.code;
  if (text !== '') base['exchangeMessage'] = text;

  const reasonText =
    typeof b.reason === 'string' && b.reason !== ''
      ? b.reason
      : (b.code === undefined || b.code === 1000) && REVERT_TEXT.test(text)
        ? text
        : undefined;
  if (reasonText !== undefined) return fromRevert(reasonText, text, base, info);

  if (b.code === undefined) return fromStatus(body, base, info);
  const known = O2_ERROR_CODES[b.code];
  const code: ErrorCode =
    known?.code ?? (b.code >= 7000 && b.code < 8000 ? 'INVALID_ARGUMENT' : 'EXCHANGE_ERROR');
  const label = known === undefined ? `code ${b.code}` : `${b.code} ${known.name}`;
  if (known !== undefined) base['o2Error'] = known.name;
  let suffix = '';
  if (code === 'RATE_LIMITED') {
    const wait = info.retryAfterMs ?? 1000;
    base['retryAfterMs'] = wait;
    if (info.pool !== undefined) base['pool'] = info.pool;
    suffix = ` (wait ${wait} ms${info.pool === undefined ? '' : `; pool ${info.pool} paused`})`;
  }
  if (code === 'UNKNOWN_MARKET') base['market'] = info.market ?? '';
  if (code === 'INVALID_ARGUMENT') base['argument'] = known?.argument ?? 'request';
  return build(code, `o2: ${label}${text === '' ? '' : `: ${text}`}${suffix}`, base, info.cause);
}

/**
 * What {@link createO2ResponseMapper} reports for each 1003 answer.
 *
 * @example
 * createO2ResponseMapper({ throttler, onRateLimited: (n) => log.warn(n.url, n.pools, n.retryAfterMs) });
 */
export interface O2RateLimitNotice {
  /** HTTP status the 1003 came with (O2 sends 200, 400 or 429). */
  readonly status: number;
  readonly method: string;
  readonly url: string;
  /** Pools paused (the request's throttle key and linked pools; empty when it has none). */
  readonly pools: readonly string[];
  /** How long they were paused: `Retry-After` when sent, else the default. */
  readonly retryAfterMs: number;
}

/**
 * Options of {@link createO2ResponseMapper}.
 *
 * @example
 * const options: O2ResponseMapperOptions = { throttler, defaultRetryAfterMs: 1000 };
 */
export interface O2ResponseMapperOptions {
  /** Throttler whose pools a 1003 answer pauses. Default none (nothing is paused). */
  readonly throttler?: { pause(poolIds: readonly string[], ms: number): void };
  /** Pause after a 1003 answer without `Retry-After`, in ms. Default 1000. */
  readonly defaultRetryAfterMs?: number;
  /** Called once per 1003 answer the mapper handles (counters, logs). Default none. */
  readonly onRateLimited?: (notice: O2RateLimitNotice) => void;
}

/**
 * The O2 adapter's `mapExchangeError` hook for its REST manager. Error statuses go through
 * {@link mapO2Error}. A body with `code: 1003` is O2's rate limit whatever the HTTP status
 * (o2-protocol.md §3: the official TS SDK reads only the body code), so at a 2xx status too
 * it becomes `RATE_LIMITED`, and it pauses the request's throttler pools for `Retry-After`
 * (else `defaultRetryAfterMs`) so that queued requests wait instead of hammering. Nothing is
 * retried here: the REST manager throws mapped errors at once (`POST /v1/session/actions`
 * must never be re-sent automatically). A 429 never reaches the mapper: the REST manager
 * pauses the pools itself and retries idempotent requests. Other 2xx bodies are left to
 * the schemas (session routes send pre-flight rejections with 200).
 *
 * @example
 * const rest = new RestManager({
 *   baseUrl: 'https://api.o2.app',
 *   throttler,
 *   mapExchangeError: createO2ResponseMapper({ throttler, onRateLimited: () => count++ }),
 * });
 */
export function createO2ResponseMapper(options: O2ResponseMapperOptions = {}): ExchangeErrorMapper {
  const defaultMs = options.defaultRetryAfterMs ?? 1000;
  return function mapO2Response(res: RestResponse): TickwireError | undefined {
    const { method, path: url } = res.request;
    const data = res.data;
    const isRateLimit =
      typeof data === 'object' && data !== null && (data as { code?: unknown }).code === 1003;
    if (!isRateLimit) {
      return res.status < 400 ? undefined : mapO2Error(data, { status: res.status, method, url });
    }
    const retryAfter = retryAfterMs(res.headers, Date.now()) ?? defaultMs;
    const throttle = res.request.throttle;
    const pools =
      throttle === undefined ? [] : [throttle.key, ...(throttle.linked ?? []).map((l) => l.pool)];
    if (pools.length > 0) options.throttler?.pause(pools, retryAfter);
    options.onRateLimited?.({ status: res.status, method, url, pools, retryAfterMs: retryAfter });
    return mapO2Error(data, {
      status: res.status,
      method,
      url,
      retryAfterMs: retryAfter,
      ...(throttle === undefined ? {} : { pool: throttle.key }),
    });
  };
}

function fromRevert(
  reason: string,
  message: string,
  base: Record<string, unknown>,
  info: O2ErrorInfo,
): TickwireError {
  const decoded = decodeO2Revert(reason);
  const shown = decoded.name ?? decoded.signal ?? truncate(reason);
  const context = {
    ...base,
    reason: shown,
    revert: { ...decoded, raw: truncate(reason) },
  };
  const suffix = message !== '' && message !== reason ? ` (${truncate(message)})` : '';
  if (decoded.name === 'NonceError::InvalidNonce') {
    return build(
      'NONCE_MISMATCH',
      `o2: transaction reverted: ${shown}${suffix}`,
      context,
      info.cause,
    );
  }
  return build(
    'EXCHANGE_REVERTED',
    `o2: transaction reverted: ${shown}${suffix}`,
    context,
    info.cause,
  );
}

function fromStatus(
  body: unknown,
  base: Record<string, unknown>,
  info: O2ErrorInfo,
): TickwireError {
  const status = info.status;
  const preview = typeof body === 'string' ? truncate(body, 120) : '';
  if (preview !== '') base['exchangeMessage'] = preview;
  if (status === 429) {
    return build(
      'RATE_LIMITED',
      'o2: HTTP 429 rate limited',
      {
        ...base,
        retryAfterMs: info.retryAfterMs ?? 1000,
      },
      info.cause,
    );
  }
  if (status !== undefined && status >= 500) {
    return build('EXCHANGE_UNAVAILABLE', `o2: HTTP ${status}`, base, info.cause);
  }
  return build(
    'EXCHANGE_ERROR',
    `o2: unrecognised error response${status === undefined ? '' : ` (HTTP ${status})`}`,
    base,
    info.cause,
  );
}

function build(
  code: ErrorCode,
  message: string,
  context: Record<string, unknown>,
  cause: unknown,
): TickwireError {
  return createError(code, message, {
    context: context as ErrorContextOf<ErrorCode>,
    ...(cause === undefined ? {} : { cause }),
  });
}

function truncate(text: string, max = MAX_REASON_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
