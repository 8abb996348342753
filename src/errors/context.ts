import type { ErrorCode } from './codes.js';

/** Context fields every error may carry. */
export interface BaseErrorContext {
  /** Exchange name, when the error concerns one (`'binance'`, `'o2'`). */
  readonly exchange?: string;
  /** HTTP method and URL (credentials redacted) for REST errors. */
  readonly method?: string;
  readonly url?: string;
  /** HTTP status, when one was received. */
  readonly status?: number;
  readonly [key: string]: unknown;
}

/**
 * Context fields specific to a code. Codes not listed here carry only
 * {@link BaseErrorContext}.
 */
export interface ErrorContextByCode {
  VALIDATION_FAILED: BaseErrorContext & {
    /** What was being parsed, e.g. `'binance depth snapshot'`. */
    readonly what: string;
    /** Dotted path of the first failing field (`'bids.0.1'`), `''` for the root. */
    readonly path: string;
    /** One line per failing field. */
    readonly issues?: readonly string[];
  };
  INVALID_ARGUMENT: BaseErrorContext & { readonly argument: string };
  ORDER_FILTER_FAILED: BaseErrorContext & { readonly filter: string; readonly market?: string };
  UNKNOWN_MARKET: BaseErrorContext & { readonly market: string };
  UNSUPPORTED_CHANNEL: BaseErrorContext & { readonly channel: string };
  RATE_LIMITED: BaseErrorContext & { readonly retryAfterMs: number; readonly pool?: string };
  IP_BANNED: BaseErrorContext & { readonly until: number; readonly host?: string };
  EXCHANGE_ERROR: BaseErrorContext & {
    readonly exchangeCode?: number | string;
    readonly exchangeMessage?: string;
  };
  WS_CLOSED: BaseErrorContext & { readonly code: number; readonly reason: string };
  WS_CLOSED_NO_RETRY: BaseErrorContext & { readonly code: number; readonly reason: string };
  WS_RECONNECT_EXHAUSTED: BaseErrorContext & { readonly attempts: number };
  BOOK_SEQUENCE_GAP: BaseErrorContext & {
    readonly market: string;
    readonly expected: string;
    readonly received: string;
  };
  BUFFER_OVERFLOW: BaseErrorContext & { readonly capacity: number };
  THROTTLE_QUEUE_FULL: BaseErrorContext & { readonly maxQueued: number };
}

/** The context type of errors with code `TCode`. */
export type ErrorContextOf<TCode extends ErrorCode> = TCode extends keyof ErrorContextByCode
  ? ErrorContextByCode[TCode]
  : BaseErrorContext;
