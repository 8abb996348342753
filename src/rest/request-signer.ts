import type { ClockSync } from '../auth/clock-sync.js';
import { encodeParams, percentEncode } from '../auth/payload.js';
import type { Signer } from '../auth/signer.js';
import { createError } from '../errors/tickwire-error.js';
import type { MaybePromise } from '../pipeline/processor.js';
import type { RestBody, RestRequest } from './types.js';

/**
 * The signing step of the REST pipeline: returns the request as it must be sent (signed
 * query, auth headers). Runs after the pre-processors, once per attempt, so every retry
 * carries a fresh timestamp.
 *
 * @example
 * const addBearer: RequestSigner = (req) => ({ ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } });
 */
export type RequestSigner = (
  request: RestRequest,
  options: { signal?: AbortSignal },
) => MaybePromise<RestRequest>;

/**
 * Options of {@link createQuerySigner}.
 *
 * @example
 * const options: QuerySignerOptions = { signer: createHmacSigner({ apiKey, secret }), clock };
 */
export interface QuerySignerOptions {
  /** Signs the canonical payload. Required. */
  readonly signer: Signer;
  /**
   * Supplies `timestamp` and `recvWindow`. Default: the local clock (`Date.now()`) and a
   * 5000 ms window.
   */
  readonly clock?: Pick<ClockSync, 'timestamp' | 'recvWindowMs'>;
  /** Header carrying `signer.apiKey`. Default `'X-MBX-APIKEY'`; `null` sends none. */
  readonly apiKeyHeader?: string | null;
  /** Query name of the signature. Default `'signature'`. */
  readonly signatureParam?: string;
  /** Query name of the timestamp. Default `'timestamp'`. */
  readonly timestampParam?: string;
  /** Query name of the receive window; `null` sends none. Default `'recvWindow'`. */
  readonly recvWindowParam?: string | null;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Request fields the signer passes through unchanged (copied one by one in `signQuery`). */
type Copied = 'isAuthRequired' | 'throttle' | 'idempotent' | 'what' | 'timeoutMs';
// Fails to compile when RestRequest gains a field the signer neither rewrites nor copies:
// add it to `Copied` and to the copies at the end of `signQuery`.
type Unhandled = Exclude<
  keyof RestRequest,
  'method' | 'path' | 'query' | 'rawQuery' | 'body' | 'headers' | Copied
>;
const exhaustive: [Unhandled] extends [never] ? true : never = true;
void exhaustive;

function bodyText(body: RestBody): { text: string; contentType: string } {
  if ('form' in body) {
    return { text: encodeParams(body.form), contentType: 'application/x-www-form-urlencoded' };
  }
  if ('json' in body) return { text: JSON.stringify(body.json), contentType: 'application/json' };
  return { text: body.text, contentType: body.contentType ?? 'text/plain;charset=utf-8' };
}

/**
 * Binance's REST signing rule (also used by many exchanges that copied it): the query is
 * percent-encoded, `recvWindow` and `timestamp` are appended, the signed payload is the
 * query string followed directly by the body, and `signature=<percent-encoded signature>`
 * goes last. The request leaves with exactly the bytes that were signed (`rawQuery`, body as
 * text), so no URL helper can re-encode them.
 *
 * @example
 * const rest = new RestManager({
 *   baseUrl: 'https://api.binance.com',
 *   signer: createQuerySigner({ signer: createEd25519Signer({ apiKey, privateKey }), clock }),
 * });
 */
export function createQuerySigner(options: QuerySignerOptions): RequestSigner {
  const { signer } = options;
  const clock = options.clock ?? { timestamp: () => Date.now(), recvWindowMs: 5000 };
  const apiKeyHeader = options.apiKeyHeader === undefined ? 'X-MBX-APIKEY' : options.apiKeyHeader;
  const signaturePrefix = `&${percentEncode(options.signatureParam ?? 'signature')}=`;
  // Names are encoded once here, not per signed request.
  const timestampPrefix = `${percentEncode(options.timestampParam ?? 'timestamp')}=`;
  const recvWindowParam =
    options.recvWindowParam === undefined ? 'recvWindow' : options.recvWindowParam;
  const recvWindowPrefix = recvWindowParam === null ? null : `${percentEncode(recvWindowParam)}=`;
  // The API key header alone (no caller headers) is the same object for every request while
  // the key is: built again only when `signer.apiKey` changes. Nothing request-specific in it.
  let keyOnly: Readonly<Record<string, string>> | undefined;
  let keyOnlyFor: string | undefined;
  return function signQuery(request: RestRequest): RestRequest {
    const apiKey = signer.apiKey;
    if (apiKeyHeader !== null && apiKey === undefined) {
      throw createError('AUTH_MISSING_CREDENTIALS', 'the signer has no API key', {
        context: { method: request.method, url: request.path },
      });
    }
    let query = request.query === undefined ? '' : encodeParams(request.query);
    if (request.rawQuery !== undefined && request.rawQuery !== '') {
      query = query === '' ? request.rawQuery : `${query}&${request.rawQuery}`;
    }
    const stamp =
      recvWindowPrefix === null
        ? timestampPrefix + String(clock.timestamp())
        : recvWindowPrefix +
          String(clock.recvWindowMs) +
          '&' +
          timestampPrefix +
          String(clock.timestamp());
    query = query === '' ? stamp : query + '&' + stamp;
    const body = request.body === undefined ? undefined : bodyText(request.body);
    const signature = percentEncode(signer.sign(body === undefined ? query : query + body.text));
    let headers = request.headers;
    if (apiKeyHeader !== null) {
      if (headers !== undefined) headers = { ...headers, [apiKeyHeader]: apiKey as string };
      else {
        if (keyOnly === undefined || keyOnlyFor !== apiKey) {
          keyOnly = Object.freeze({ [apiKeyHeader]: apiKey as string });
          keyOnlyFor = apiKey;
        }
        headers = keyOnly;
      }
    }
    // Field by field rather than `{ ...rest }`: this runs once per signed request.
    const out: Mutable<RestRequest> = {
      method: request.method,
      path: request.path,
      rawQuery: query + signaturePrefix + signature,
    };
    if (body !== undefined) out.body = { text: body.text, contentType: body.contentType };
    if (headers !== undefined) out.headers = headers;
    // Spelled out (a loop over COPIED with keyed access cost ~1.3k instructions per request).
    if (request.isAuthRequired !== undefined) out.isAuthRequired = request.isAuthRequired;
    if (request.throttle !== undefined) out.throttle = request.throttle;
    if (request.idempotent !== undefined) out.idempotent = request.idempotent;
    if (request.what !== undefined) out.what = request.what;
    if (request.timeoutMs !== undefined) out.timeoutMs = request.timeoutMs;
    return out;
  };
}
