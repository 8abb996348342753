import { type KeyObject, createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { createError } from '../errors/tickwire-error.js';
import { registerSecret } from '../errors/redact.js';
import type { Signer } from './signer.js';

// DER prefix of a PKCS#8 Ed25519 private key; the 32-byte seed follows it.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Options of {@link createEd25519Signer}.
 *
 * @example
 * const options: Ed25519SignerOptions = { apiKey, privateKey: readFileSync('key.pem', 'utf8') };
 */
export interface Ed25519SignerOptions {
  /** API key sent alongside signatures. No default. */
  readonly apiKey?: string;
  /**
   * The private key: a PKCS#8 PEM string, a `KeyObject`, or the raw 32-byte seed. Required.
   */
  readonly privateKey: string | KeyObject | Uint8Array;
}

/**
 * Builds a node:crypto private key from a raw 32-byte Ed25519 seed.
 *
 * @example
 * const key = ed25519KeyFromSeed(new Uint8Array(32).fill(7));
 */
export function ed25519KeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) {
    throw createError('AUTH_INVALID_KEY', `an Ed25519 seed has 32 bytes, got ${seed.length}`);
  }
  return createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}

/**
 * Creates a pure Ed25519 signer (no pre-hash) over the UTF-8 payload; the output is the
 * 88-character base64 signature. REST callers percent-encode it; WS API callers send it as is.
 * The private key material is registered for redaction.
 *
 * @example
 * const signer = createEd25519Signer({ apiKey, privateKey: pem });
 * signer.sign('symbol=BTCUSDT&timestamp=1668481559918');
 */
export function createEd25519Signer(options: Ed25519SignerOptions): Signer {
  const { apiKey, privateKey } = options;
  let key: KeyObject;
  try {
    if (privateKey instanceof Uint8Array) {
      registerSecret(privateKey);
      key = ed25519KeyFromSeed(privateKey);
    } else if (typeof privateKey === 'string') {
      registerSecret(privateKey);
      key = createPrivateKey(privateKey);
    } else {
      key = privateKey;
    }
  } catch (cause) {
    throw createError('AUTH_INVALID_KEY', 'the Ed25519 private key could not be read', { cause });
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
    throw createError('AUTH_INVALID_KEY', 'the private key is not an Ed25519 private key');
  }
  const der = key.export({ format: 'der', type: 'pkcs8' });
  registerSecret(new Uint8Array(der.subarray(PKCS8_ED25519_PREFIX.length)));
  if (apiKey !== undefined) registerSecret(apiKey);
  return {
    algorithm: 'Ed25519',
    ...(apiKey === undefined ? {} : { apiKey }),
    sign: function ed25519Sign(payload: string): string {
      return cryptoSign(null, Buffer.from(payload, 'utf8'), key).toString('base64');
    },
  };
}
