/**
 * Signs a payload with one key. The payload is the exact text the exchange verifies; the
 * signature is returned in the signer's native text form (hex for HMAC-SHA256, base64 for
 * Ed25519). Transport rules (percent-encoding for REST, JSON string for a WS API) belong to
 * the caller, see `createQuerySigner` in `src/rest/`.
 *
 * Signers register their secret with `registerSecret` at construction, so the secret never
 * appears in an error, a log line or a diagnostics event.
 *
 * @example
 * const signer: Signer = createHmacSigner({ apiKey, secret });
 * const signature = signer.sign('symbol=BTCUSDT&timestamp=1499827319559');
 */
export interface Signer {
  /** Which algorithm this signer uses. */
  readonly algorithm: SignatureAlgorithm;
  /** The API key sent with signed requests (e.g. Binance's `X-MBX-APIKEY`), if any. */
  readonly apiKey?: string;
  /** Signs the UTF-8 bytes of `payload`; returns hex (HMAC) or base64 (Ed25519). */
  sign(payload: string): string;
}

/**
 * The algorithms tickwire signers implement.
 *
 * @example
 * const alg: SignatureAlgorithm = 'Ed25519';
 */
export type SignatureAlgorithm = 'HMAC-SHA256' | 'Ed25519';
