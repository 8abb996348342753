/**
 * A query or form parameter value. Arrays are sent as their JSON text (Binance's
 * `symbols=["A","B"]`); `undefined` drops the parameter.
 *
 * @example
 * const params: Record<string, ParamValue> = { symbol: 'BTCUSDT', limit: 100 };
 */
export type ParamValue = string | number | bigint | boolean | readonly string[] | undefined;

/**
 * Parameters in the order they are sent: a record (insertion order) or a list of pairs.
 *
 * @example
 * const params: Params = [['symbol', 'BTCUSDT'], ['side', 'BUY']];
 */
export type Params =
  Readonly<Record<string, ParamValue>> | readonly (readonly [string, ParamValue])[];

const UNRESERVED = /^[A-Za-z0-9\-_.~]*$/;

/**
 * Percent-encodes a string as UTF-8, leaving only RFC 3986 unreserved characters
 * (`A-Z a-z 0-9 - _ . ~`). A space becomes `%20`, never `+`.
 *
 * @example
 * percentEncode('１'); // '%EF%BC%91'
 */
export function percentEncode(text: string): string {
  if (UNRESERVED.test(text)) return text;
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The text form of a parameter value (`undefined` for a dropped one).
 *
 * @example
 * paramText(['BTCUSDT', 'ETHUSDT']); // '["BTCUSDT","ETHUSDT"]'
 */
export function paramText(value: ParamValue): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

function entriesOf(params: Params): readonly (readonly [string, ParamValue])[] {
  return Array.isArray(params)
    ? (params as readonly (readonly [string, ParamValue])[])
    : Object.entries(params as Readonly<Record<string, ParamValue>>);
}

/**
 * Binance's REST canonical form: `k=v&k=v` in the given order, every key and value
 * percent-encoded as UTF-8 (mandatory since 2026-01-15). The signed payload is this query
 * string followed directly by the encoded body; the same bytes must be sent.
 *
 * @example
 * encodeParams({ symbol: 'LTCBTC', side: 'BUY' }); // 'symbol=LTCBTC&side=BUY'
 */
export function encodeParams(params: Params): string {
  let out = '';
  if (Array.isArray(params)) {
    for (const [k, v] of params as readonly (readonly [string, ParamValue])[]) {
      out = appendParam(out, k, v);
    }
    return out;
  }
  // Keys then lookups rather than Object.entries: no [k, v] array per parameter on the
  // per-request signing path. Same own enumerable string keys, same order.
  const record = params as Readonly<Record<string, ParamValue>>;
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) out = appendParam(out, keys[i]!, record[keys[i]!]);
  return out;
}

function appendParam(out: string, key: string, value: ParamValue): string {
  const text = paramText(value);
  if (text === undefined) return out;
  return `${out}${out.length > 0 ? '&' : ''}${percentEncode(key)}=${percentEncode(text)}`;
}

/**
 * Binance's WS API signature payload: every parameter except `signature`, sorted by name,
 * joined as `k=v&…` **without** percent-encoding.
 *
 * @example
 * wsApiSignaturePayload({ symbol: 'BTCUSDT', apiKey: 'k', timestamp: 1 });
 * // 'apiKey=k&symbol=BTCUSDT&timestamp=1'
 */
export function wsApiSignaturePayload(params: Params): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of entriesOf(params)) {
    if (k === 'signature') continue;
    const text = paramText(v);
    if (text !== undefined) pairs.push([k, text]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}
