export type { Signer, SignatureAlgorithm } from './signer.js';
export { createHmacSigner } from './hmac-signer.js';
export type { HmacSignerOptions } from './hmac-signer.js';
export { createEd25519Signer, ed25519KeyFromSeed } from './ed25519-signer.js';
export type { Ed25519SignerOptions } from './ed25519-signer.js';
export { percentEncode, paramText, encodeParams, wsApiSignaturePayload } from './payload.js';
export type { ParamValue, Params } from './payload.js';
export { ClockSync } from './clock-sync.js';
export type { ClockSyncOptions } from './clock-sync.js';
