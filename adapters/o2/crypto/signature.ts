import { secp256k1 } from '@noble/curves/secp256k1';
import { createError } from '../../../src/errors/index.js';
import { keccak256, sha256 } from './hashing.js';
import { bytesToHex, type Hex, hexToBytes } from './hex.js';

/**
 * Signs a 32-byte digest with secp256k1 and returns the Fuel compact encoding: deterministic
 * (RFC 6979), low-S, `r ‖ s` with the recovery id in the top bit of `s[0]`, as `0x` + 128 hex.
 * The digest is signed as is (no further hashing).
 *
 * @example
 * const sig = fuelCompactSign(privateKey, sha256(bytes)); // '0x…' (128 hex digits)
 */
export function fuelCompactSign(privateKey: Uint8Array, digest: Uint8Array): Hex {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) {
    throw createError('INVALID_ARGUMENT', 'o2 signing: the digest must be 32 bytes', {
      context: { argument: 'digest', exchange: 'o2' },
    });
  }
  assertPrivateKey(privateKey);
  const sig = secp256k1.sign(digest, privateKey, {
    prehash: false,
    lowS: true,
    extraEntropy: false,
  });
  const compact = sig.toBytes('compact');
  // s is low (top bit clear), so the top bit of s[0] is free for the recovery id.
  compact[32] = ((sig.recovery & 1) << 7) | ((compact[32] ?? 0) & 0x7f);
  return bytesToHex(compact);
}

/**
 * Recovers the 65-byte uncompressed public key (`0x04 ‖ x ‖ y`) that produced a Fuel compact
 * signature over `digest`. Throws `AUTH_INVALID_SIGNATURE` when the signature is malformed or
 * recovers no point.
 *
 * @example
 * const owner = b256FromPublicKey(recoverPublicKey(fuelPersonalSignDigest(bytes), sig));
 */
export function recoverPublicKey(digest: Uint8Array, signature: Hex): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = hexToBytes(signature, 'signature', 64);
  } catch (e) {
    throw badSignature('the signature must be 0x + 128 hex digits', e);
  }
  if (!(digest instanceof Uint8Array) || digest.length !== 32) {
    throw createError('INVALID_ARGUMENT', 'o2 signature recovery: the digest must be 32 bytes', {
      context: { argument: 'digest', exchange: 'o2' },
    });
  }
  const recovery = (bytes[32] ?? 0) >> 7;
  bytes[32] = (bytes[32] ?? 0) & 0x7f;
  try {
    const sig = secp256k1.Signature.fromBytes(bytes, 'compact').addRecoveryBit(recovery);
    return sig.recoverPublicKey(digest).toBytes(false);
  } catch (e) {
    throw badSignature('the signature does not recover a public key', e);
  }
}

/**
 * The Fuel address (b256) of a public key: `sha256(pub[1..65])`.
 *
 * @example
 * b256FromPublicKey(secp256k1.getPublicKey(key, false)); // '0x…' (64 hex digits)
 */
export function b256FromPublicKey(publicKey65: Uint8Array): Hex {
  return bytesToHex(sha256(publicKeyBody(publicKey65)));
}

/**
 * The O2 b256 identity of an EVM key: 12 zero bytes ‖ the 20-byte EVM address
 * (the last 20 bytes of `keccak256(pub[1..65])`).
 *
 * @example
 * evmB256FromPublicKey(pub); // '0x000000000000000000000000<40 hex>'
 */
export function evmB256FromPublicKey(publicKey65: Uint8Array): Hex {
  const out = new Uint8Array(32);
  out.set(keccak256(publicKeyBody(publicKey65)).subarray(12), 12);
  return bytesToHex(out);
}

/**
 * The 65-byte uncompressed public key of a private key.
 *
 * @example
 * publicKeyFromPrivateKey(key)[0]; // 4
 */
export function publicKeyFromPrivateKey(privateKey: Uint8Array): Uint8Array {
  assertPrivateKey(privateKey);
  return secp256k1.getPublicKey(privateKey, false);
}

function publicKeyBody(publicKey65: Uint8Array): Uint8Array {
  if (!(publicKey65 instanceof Uint8Array) || publicKey65.length !== 65 || publicKey65[0] !== 4) {
    throw createError(
      'INVALID_ARGUMENT',
      'o2 public key: expected 65 bytes, uncompressed (0x04 prefix)',
      { context: { argument: 'publicKey', exchange: 'o2' } },
    );
  }
  return publicKey65.subarray(1);
}

/**
 * Throws `AUTH_INVALID_KEY` (never echoing the key) unless it is a valid secp256k1 scalar.
 *
 * @example
 * assertPrivateKey(new Uint8Array(32)); // throws: zero is not a valid key
 */
export function assertPrivateKey(privateKey: Uint8Array): void {
  if (
    !(privateKey instanceof Uint8Array) ||
    privateKey.length !== 32 ||
    !secp256k1.utils.isValidSecretKey(privateKey)
  ) {
    throw createError(
      'AUTH_INVALID_KEY',
      'o2 private key: expected 32 bytes, a valid secp256k1 scalar (1 ≤ k < n)',
      { context: { exchange: 'o2' } },
    );
  }
}

function badSignature(problem: string, cause: unknown): Error {
  return createError('AUTH_INVALID_SIGNATURE', `o2 signature: ${problem}`, {
    context: { exchange: 'o2' },
    cause,
  });
}
