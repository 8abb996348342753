import { secp256k1 } from '@noble/curves/secp256k1';
import { registerSecret } from '../../../src/errors/index.js';
import { evmPersonalSignDigest, fuelPersonalSignDigest, sha256 } from './hashing.js';
import { type Hex, hexToBytes } from './hex.js';
import {
  assertPrivateKey,
  b256FromPublicKey,
  evmB256FromPublicKey,
  fuelCompactSign,
  publicKeyFromPrivateKey,
} from './signature.js';

/**
 * An O2 owner wallet: the key that creates trading sessions and signs withdrawals. The
 * private key lives only in a closure and is registered for redaction.
 *
 * @example
 * const owner = createFuelWallet(process.env.O2_OWNER_KEY as Hex);
 * const sig = owner.personalSign(buildSessionSigningBytes(params));
 */
export interface O2Wallet {
  /** `'fuel'` signs with the Fuel personal-sign digest, `'evm'` with EIP-191. */
  readonly kind: 'fuel' | 'evm';
  /** The b256 identity used in `O2-Owner-Id` and `{"Address": …}` (zero-padded for EVM). */
  readonly b256Address: Hex;
  /** The 20-byte EVM address (lower-case), for EVM wallets only. */
  readonly evmAddress?: Hex;
  /** Signs `message` with the wallet's personal-sign digest; Fuel compact signature. */
  personalSign(message: Uint8Array): Hex;
}

/**
 * A session key: signs session actions with `sha256(message)` (no prefix). Always Fuel-native.
 *
 * @example
 * const session = createSessionKey();
 * const sig = session.rawSign(buildActionsSigningBytes(nonce, calls));
 */
export interface SessionKey {
  /** The b256 address sent as `session_id: {"Address": …}`. */
  readonly b256Address: Hex;
  /** Signs `sha256(message)`; Fuel compact signature. */
  rawSign(message: Uint8Array): Hex;
}

function importKey(privateKey: Uint8Array | Hex): Uint8Array {
  const key =
    typeof privateKey === 'string'
      ? hexToBytes(privateKey, 'privateKey', 32)
      : Uint8Array.from(privateKey);
  assertPrivateKey(key);
  registerSecret(key);
  return key;
}

/**
 * Creates a Fuel-native owner wallet from a 32-byte private key (bytes or `0x` hex).
 *
 * @example
 * const owner = createFuelWallet('0x' + 'de'.repeat(32) as Hex);
 * owner.b256Address; // sha256 of the public key
 */
export function createFuelWallet(privateKey: Uint8Array | Hex): O2Wallet {
  const key = importKey(privateKey);
  const b256Address = b256FromPublicKey(publicKeyFromPrivateKey(key));
  return Object.freeze({
    kind: 'fuel' as const,
    b256Address,
    personalSign(message: Uint8Array): Hex {
      return fuelCompactSign(key, fuelPersonalSignDigest(message));
    },
  });
}

/**
 * Creates an EVM owner wallet (EIP-191 personal-sign) from a 32-byte private key.
 *
 * @example
 * const owner = createEvmWallet(process.env.EVM_KEY as Hex);
 * owner.evmAddress; // '0x…' (40 hex)
 * owner.b256Address; // '0x000000000000000000000000' + the 40 hex above
 */
export function createEvmWallet(privateKey: Uint8Array | Hex): O2Wallet {
  const key = importKey(privateKey);
  const b256Address = evmB256FromPublicKey(publicKeyFromPrivateKey(key));
  const evmAddress = `0x${b256Address.slice(26)}` as Hex;
  return Object.freeze({
    kind: 'evm' as const,
    b256Address,
    evmAddress,
    personalSign(message: Uint8Array): Hex {
      return fuelCompactSign(key, evmPersonalSignDigest(message));
    },
  });
}

/**
 * Generates a random Fuel-native owner wallet. `privateKey` is a non-enumerable property (so
 * logging the wallet does not print it) and is registered for redaction.
 *
 * @example
 * const { privateKey, b256Address } = generateFuelWallet();
 */
export function generateFuelWallet(): O2Wallet & { readonly privateKey: Uint8Array } {
  const key = secp256k1.utils.randomSecretKey();
  const wallet = createFuelWallet(key);
  const out = { kind: wallet.kind, b256Address: wallet.b256Address } as O2Wallet & {
    privateKey: Uint8Array;
  };
  Object.defineProperty(out, 'personalSign', { value: wallet.personalSign, enumerable: true });
  Object.defineProperty(out, 'privateKey', { value: key, enumerable: false });
  return Object.freeze(out);
}

/**
 * Creates a session key from a 32-byte private key, or a random one when omitted.
 *
 * @example
 * const session = createSessionKey();
 * session.b256Address; // goes into `session_id: {"Address": …}`
 */
export function createSessionKey(privateKey?: Uint8Array | Hex): SessionKey {
  const key = importKey(privateKey ?? secp256k1.utils.randomSecretKey());
  const b256Address = b256FromPublicKey(publicKeyFromPrivateKey(key));
  return Object.freeze({
    b256Address,
    rawSign(message: Uint8Array): Hex {
      return fuelCompactSign(key, sha256(message));
    },
  });
}
