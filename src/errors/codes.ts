/**
 * The catalogue of tickwire error codes. Codes are API: they are never renamed or reused.
 * Each entry gives the category (which subclass users can catch), whether the operation
 * that failed may succeed if retried, and the one-sentence summary shown in the README.
 */
export type ErrorCategory = 'transport' | 'exchange' | 'validation' | 'auth' | 'client';

interface CodeSpec {
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly summary: string;
}

function spec(category: ErrorCategory, retryable: boolean, summary: string): CodeSpec {
  return { category, retryable, summary };
}

export const errorCatalogue = {
  // validation: the input (ours or the exchange's) does not have the expected shape
  VALIDATION_FAILED: spec(
    'validation',
    false,
    'A value did not match its schema (a wire frame, a response body or a parsed number); the message names the field.',
  ),
  INVALID_ARGUMENT: spec(
    'validation',
    false,
    'A caller passed a parameter that cannot be used (wrong type, out of range, missing).',
  ),
  ORDER_FILTER_FAILED: spec(
    'validation',
    false,
    'An order broke a market rule (tick size, step size, minimum notional or order size) and was not sent; the message names the rule.',
  ),
  UNKNOWN_MARKET: spec(
    'validation',
    false,
    'A market symbol or id is not known to the adapter’s market registry.',
  ),
  UNSUPPORTED_CHANNEL: spec(
    'validation',
    false,
    'The exchange has no such stream or channel (for example `streamNonce` on Binance).',
  ),
  MESSAGE_PARSE_FAILED: spec(
    'validation',
    false,
    'An incoming WebSocket frame was not valid JSON (or not the expected text); it was counted and skipped.',
  ),
  MESSAGE_UNROUTABLE: spec(
    'validation',
    false,
    'An incoming frame parsed but matched no channel or pending request; it was counted and skipped.',
  ),

  // transport: the connection, not the exchange, failed
  TRANSPORT_TIMEOUT: spec(
    'transport',
    true,
    'A connect, header or body timeout elapsed before the server answered.',
  ),
  TRANSPORT_CONNECTION_FAILED: spec(
    'transport',
    true,
    'The connection could not be opened or was reset (refused, DNS, TLS, socket closed mid-request).',
  ),
  ABORTED: spec(
    'client',
    false,
    'The caller’s AbortSignal fired; the operation was cancelled (while queued or in flight).',
  ),
  WS_HEARTBEAT_TIMEOUT: spec(
    'transport',
    true,
    'No pong (or other liveness signal) arrived within the heartbeat timeout; the socket was terminated and reconnected.',
  ),
  WS_CLOSED: spec(
    'transport',
    true,
    'The WebSocket closed; `context.code` and `context.reason` carry the close frame.',
  ),
  WS_CLOSED_NO_RETRY: spec(
    'transport',
    false,
    'The server closed with a code that means “do not reconnect” (policy violation, authentication); the manager stopped.',
  ),
  WS_RECONNECT_EXHAUSTED: spec(
    'transport',
    false,
    'The reconnect policy’s `maxAttempts` was used up; the manager stopped.',
  ),
  WS_CIRCUIT_OPEN: spec(
    'transport',
    true,
    'The circuit breaker is open after repeated connection failures; calls fail fast until its half-open probe succeeds.',
  ),
  WS_NOT_CONNECTED: spec(
    'transport',
    true,
    'A frame had to be sent now but no socket is open (and replay was not enabled for it).',
  ),
  WS_BACKPRESSURE: spec(
    'transport',
    true,
    'The socket’s send buffer is above its high watermark; the frame was not queued.',
  ),
  WS_REQUEST_TIMEOUT: spec(
    'transport',
    true,
    'A WebSocket request/response call got no response with its correlation id in time.',
  ),
  STREAM_GAP: spec(
    'transport',
    true,
    'A private stream was without a subscription for a while (`context.since` to `until`); events may be missing, reconcile over REST.',
  ),

  // exchange: the exchange answered, and the answer is an error
  EXCHANGE_ERROR: spec(
    'exchange',
    false,
    'The exchange rejected the request; `context.exchangeCode` and `context.exchangeMessage` carry its own code and text.',
  ),
  EXCHANGE_UNAVAILABLE: spec(
    'exchange',
    true,
    'The exchange answered 5xx (or “server busy”) to a request that is safe to retry.',
  ),
  RATE_LIMITED: spec(
    'exchange',
    true,
    'The exchange answered 429 (or its rate-limit code); `context.retryAfterMs` says how long the pool is paused.',
  ),
  IP_BANNED: spec(
    'exchange',
    false,
    'The exchange banned this IP (HTTP 418); every request to that host fails until `context.until` (epoch ms).',
  ),
  ORDER_STATUS_UNKNOWN: spec(
    'exchange',
    false,
    'A non-idempotent request (an order) timed out or got 5xx: the order may or may not exist; reconcile before retrying.',
  ),
  EXCHANGE_INSUFFICIENT_FUNDS: spec(
    'exchange',
    false,
    'The account has too little free balance for the order.',
  ),
  EXCHANGE_UNKNOWN_ORDER: spec(
    'exchange',
    false,
    'The order to cancel or query is not known to the exchange (wrong id, or already final).',
  ),
  EXCHANGE_FILTER_FAILURE: spec(
    'exchange',
    false,
    'The exchange rejected the order for breaking one of its filters (price, lot size, notional…).',
  ),
  EXCHANGE_ORDER_REJECTED: spec(
    'exchange',
    false,
    'The matching engine rejected the order (market closed, would take as post-only, duplicate client id…).',
  ),
  EXCHANGE_REVERTED: spec(
    'exchange',
    false,
    'An on-chain transaction reverted (O2); `context.reason` names the decoded revert where known.',
  ),

  // auth: credentials, signatures, clocks
  AUTH_MISSING_CREDENTIALS: spec(
    'auth',
    false,
    'A signed endpoint or private stream was called without credentials configured.',
  ),
  AUTH_INVALID_KEY: spec(
    'auth',
    false,
    'The API key or private key is malformed, unknown to the exchange, or lacks the permission.',
  ),
  AUTH_INVALID_SIGNATURE: spec(
    'auth',
    false,
    'The exchange could not verify the request signature.',
  ),
  AUTH_TIMESTAMP_OUTSIDE_WINDOW: spec(
    'auth',
    true,
    'The signed timestamp fell outside the exchange’s receive window; the clock offset is re-measured.',
  ),
  AUTH_SESSION_EXPIRED: spec(
    'auth',
    false,
    'The trading session (O2) has expired or is not valid for the market.',
  ),
  NONCE_MISMATCH: spec(
    'auth',
    true,
    'The exchange rejected the account nonce; the nonce manager re-reads it before the next action.',
  ),

  // client: state inside tickwire
  THROTTLE_QUEUE_FULL: spec(
    'client',
    true,
    'The throttler’s bounded queue is full; the request was not queued.',
  ),
  BUFFER_OVERFLOW: spec(
    'client',
    false,
    'A bounded stream buffer overflowed with the `error` policy; the consumer fell too far behind.',
  ),
  BOOK_SEQUENCE_GAP: spec(
    'client',
    true,
    'A diff did not follow the previous one (`U > lastUpdateId + 1`); the book is discarded and resynced.',
  ),
  BOOK_CHECKSUM_MISMATCH: spec(
    'client',
    true,
    'The book’s checksum did not match the exchange’s; the book is resynced.',
  ),
  BOOK_DRIFT: spec(
    'client',
    true,
    'A periodic REST cross-check found the local book different from the exchange’s; the book is resynced.',
  ),
  BOOK_CROSSED: spec(
    'client',
    true,
    'The local book became crossed (best bid ≥ best ask), which a correct book never is; it is resynced.',
  ),
  CLOSED: spec(
    'client',
    false,
    'The manager, adapter or stream was closed; no further calls are possible on it.',
  ),
  INTERNAL: spec(
    'client',
    false,
    'An invariant inside tickwire broke; this is a bug, please report it with the context.',
  ),
} as const satisfies Record<string, CodeSpec>;

/** Every stable tickwire error code. */
export type ErrorCode = keyof typeof errorCatalogue;

/** All codes, in catalogue order. */
export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

/** True when `value` is one of the catalogue's codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(errorCatalogue, value);
}
