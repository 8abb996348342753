import { createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify } from 'node:crypto';

/** How a simulated account signs: an HMAC secret, or an Ed25519 public key. */
export interface BinanceSimKey {
  readonly apiKey: string;
  /** HMAC-SHA256 secret. */
  readonly secret?: string;
  /** Ed25519 public key (PEM or KeyObject). */
  readonly ed25519PublicKey?: string | KeyObject;
}

/**
 * The REST signed payload (binance-spot.md §4.1): the raw query string and the raw body
 * joined with no separator, with the trailing `signature` parameter removed. Returns the
 * payload and the signature exactly as sent (still percent-encoded).
 */
export function splitRestSignature(
  rawQuery: string,
  rawBody: string,
): { payload: string; signature: string | undefined } {
  const strip = (text: string): { rest: string; sig: string | undefined } => {
    if (text === '') return { rest: '', sig: undefined };
    const parts = text.split('&');
    let sig: string | undefined;
    const rest = parts.filter((p) => {
      if (p.startsWith('signature=')) {
        sig = p.slice('signature='.length);
        return false;
      }
      return true;
    });
    return { rest: rest.join('&'), sig };
  };
  const q = strip(rawQuery);
  const b = strip(rawBody);
  return { payload: q.rest + b.rest, signature: q.sig ?? b.sig };
}

/** The WS API payload (§4.2): every param but `signature`, sorted by name, `k=v` joined, not encoded. */
export function wsApiPayload(params: Readonly<Record<string, unknown>>): string {
  return Object.keys(params)
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => `${k}=${String(params[k])}`)
    .join('&');
}

const keyCache = new WeakMap<object, KeyObject>();

function ed25519Key(key: BinanceSimKey): KeyObject | undefined {
  const k = key.ed25519PublicKey;
  if (k === undefined) return undefined;
  if (typeof k !== 'string') return k;
  let cached = keyCache.get(key);
  if (cached === undefined) {
    cached = createPublicKey(k);
    keyCache.set(key, cached);
  }
  return cached;
}

/**
 * Verifies a signature over `payload` with the account's key. `encoding` says how the
 * signature text is written: REST percent-encodes Ed25519's base64, the WS API does not.
 */
export function verifyBinanceSignature(
  key: BinanceSimKey,
  payload: string,
  signature: string,
  encoding: 'rest' | 'ws-api',
): boolean {
  if (key.secret !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(signature)) return false;
    const expected = createHmac('sha256', key.secret).update(payload, 'utf8').digest();
    return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
  }
  const pub = ed25519Key(key);
  if (pub === undefined) return false;
  let b64 = signature;
  if (encoding === 'rest') {
    try {
      b64 = decodeURIComponent(signature);
    } catch {
      return false;
    }
  }
  const sig = Buffer.from(b64, 'base64');
  if (sig.length !== 64) return false;
  try {
    return verify(null, Buffer.from(payload, 'utf8'), pub, sig);
  } catch {
    return false;
  }
}
