import { createHmac, type KeyObject, sign } from 'node:crypto';

/** Percent-encodes like binance-spot.md §4.1 (unreserved characters stay). */
function enc(v: string): string {
  return encodeURIComponent(v).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** A signed REST query string (HMAC hex, or Ed25519 base64 percent-encoded), signature last. */
export function signedQuery(
  params: Record<string, string | number>,
  key: { secret: string } | { privateKey: KeyObject },
): string {
  const payload = Object.entries(params)
    .map(([k, v]) => `${k}=${enc(String(v))}`)
    .join('&');
  const signature =
    'secret' in key
      ? createHmac('sha256', key.secret).update(payload).digest('hex')
      : enc(sign(null, Buffer.from(payload), key.privateKey).toString('base64'));
  return `${payload}&signature=${signature}`;
}

/** WS API params with `signature` (sorted, unencoded payload, §4.2). */
export function signedWsParams(
  params: Record<string, string | number>,
  key: { secret: string } | { privateKey: KeyObject },
): Record<string, string | number> {
  const payload = Object.keys(params)
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
  const signature =
    'secret' in key
      ? createHmac('sha256', key.secret).update(payload).digest('hex')
      : sign(null, Buffer.from(payload), key.privateKey).toString('base64');
  return { ...params, signature };
}
