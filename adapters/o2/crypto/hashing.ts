import { sha256 as nobleSha256 } from '@noble/hashes/sha2';
import { keccak_256 } from '@noble/hashes/sha3';

const encoder = new TextEncoder();

/**
 * SHA-256 of `msg`.
 *
 * @example
 * sha256(new TextEncoder().encode('abc')).length; // 32
 */
export function sha256(msg: Uint8Array): Uint8Array {
  return nobleSha256(msg);
}

/**
 * Keccak-256 (the Ethereum variant, not NIST SHA3-256) of `msg`.
 *
 * @example
 * keccak256(new Uint8Array()).length; // 32
 */
export function keccak256(msg: Uint8Array): Uint8Array {
  return keccak_256(msg);
}

function prefixed(prefix: string, msg: Uint8Array): Uint8Array {
  const head = encoder.encode(`${prefix}${msg.length}`);
  const out = new Uint8Array(head.length + msg.length);
  out.set(head, 0);
  out.set(msg, head.length);
  return out;
}

/**
 * The Fuel personal-sign digest: `sha256("\x19Fuel Signed Message:\n" ‖ len ‖ msg)`, where
 * `len` is the decimal byte length of `msg`. Used by Fuel owners for session creation and
 * withdraw.
 *
 * @example
 * const digest = fuelPersonalSignDigest(buildSessionSigningBytes(params));
 */
export function fuelPersonalSignDigest(msg: Uint8Array): Uint8Array {
  return nobleSha256(prefixed('\x19Fuel Signed Message:\n', msg));
}

/**
 * The EIP-191 personal-sign digest: `keccak256("\x19Ethereum Signed Message:\n" ‖ len ‖ msg)`.
 * Used by EVM owners for session creation and withdraw.
 *
 * @example
 * const digest = evmPersonalSignDigest(buildWithdrawSigningBytes(params));
 */
export function evmPersonalSignDigest(msg: Uint8Array): Uint8Array {
  return keccak_256(prefixed('\x19Ethereum Signed Message:\n', msg));
}
