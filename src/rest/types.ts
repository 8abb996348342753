import type { Params } from '../auth/payload.js';
import type { LinkedWeight } from '../throttle/throttler.js';

/**
 * HTTP methods the REST stack sends.
 *
 * @example
 * const method: HttpMethod = 'POST';
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/**
 * A request body: JSON (serialised by the stack), text (sent as is), or form parameters
 * (`application/x-www-form-urlencoded`, percent-encoded like the query).
 *
 * @example
 * const body: RestBody = { json: { market: 'fFUEL/fUSDC', price: '0.05' } };
 */
export type RestBody =
  | { readonly json: unknown }
  | { readonly text: string; readonly contentType?: string }
  | { readonly form: Params };

/**
 * A REST request as it flows through the manager's pipeline. Pre-processors and the
 * signer return modified copies; nothing mutates a request in place.
 *
 * @example
 * const request: RestRequest = {
 *   method: 'GET',
 *   path: '/api/v3/depth',
 *   query: { symbol: 'BTCUSDT', limit: 100 },
 *   throttle: { key: 'REQUEST_WEIGHT', weight: 5 },
 *   idempotent: true,
 * };
 */
export interface RestRequest {
  /** HTTP method. */
  readonly method: HttpMethod;
  /**
   * A path on the manager's `baseUrl` (`/api/v3/depth`) or an absolute URL (its origin gets
   * its own connection pool). May already carry a query string.
   */
  readonly path: string;
  /** Query parameters in send order; percent-encoded by the stack. Default none. */
  readonly query?: Params;
  /**
   * An already encoded query string appended after `query` (what a signer produces: the
   * exact bytes it signed). Default none.
   */
  readonly rawQuery?: string;
  /** Request body. Default none. */
  readonly body?: RestBody;
  /** Extra headers (lower- or mixed-case names). Default none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Whether the manager's signer must sign this request. Default false. */
  readonly isAuthRequired?: boolean;
  /**
   * Rate-limit cost: the own pool, its weight, linked pools and priority (0 most urgent).
   * Default: the manager's `defaultThrottle`, or no throttling without a throttler.
   */
  readonly throttle?: {
    readonly key: string;
    readonly weight?: number;
    readonly linked?: readonly LinkedWeight[];
    readonly priority?: number;
  };
  /**
   * True when sending twice cannot do harm (reads, cancels by client id…): such requests
   * are retried on connection errors, timeouts, 5xx and 429. Default: true for GET, false
   * otherwise (an order is never re-sent automatically).
   */
  readonly idempotent?: boolean;
  /** What the response is, for error messages (`'binance depth snapshot'`). Default `METHOD path`. */
  readonly what?: string;
  /**
   * Headers and body timeout of this request, in ms (e.g. shorter for orders). Default: the
   * connection's `headersTimeoutMs` / `bodyTimeoutMs`.
   */
  readonly timeoutMs?: number;
}

/**
 * A response as it flows through the post-processors. `data` is the parsed JSON body (or
 * the text when the body is not JSON).
 *
 * @example
 * const stripEnvelope: Stage<RestResponse> = (res) => ({ ...res, data: (res.data as { result: unknown }).result });
 */
export interface RestResponse {
  /** HTTP status. */
  readonly status: number;
  /** Response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The raw body text. */
  readonly text: string;
  /** The parsed JSON body, or `text` when it is not JSON. */
  readonly data: unknown;
  /** The request as sent (after pre-processors and signer). */
  readonly request: RestRequest;
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** Round-trip time of this attempt, in ms. */
  readonly durationMs: number;
}
