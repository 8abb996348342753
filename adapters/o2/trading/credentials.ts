import { createError, registerSecret } from '../../../src/errors/index.js';
import { createEvmWallet, createFuelWallet, type Hex, type O2Wallet } from '../crypto/index.js';

/**
 * Owner credentials of an {@link O2Adapter}: the owner's private key (32 bytes, `0x` hex or
 * bytes) with its kind, or a ready signer (an {@link O2Wallet}, e.g. one backed by a KMS).
 * A Fuel-native owner signs with the Fuel personal-sign digest, an EVM owner with EIP-191;
 * session keys are always generated locally. The key is registered for redaction and kept
 * only inside the wallet's closure.
 *
 * @example
 * new O2Adapter({ credentials: { owner: process.env.O2_OWNER_KEY as Hex, kind: 'fuel' } });
 * new O2Adapter({ credentials: { owner: createEvmWallet(key), tradeAccountId } });
 */
export type O2Credentials =
  | {
      /** The owner's private key. */
      readonly owner: Hex | Uint8Array;
      /** Which signature scheme the owner uses. Default `'fuel'`. */
      readonly kind?: 'fuel' | 'evm';
      /** The trading account; default: looked up (or created) by owner on first use. */
      readonly tradeAccountId?: Hex;
    }
  | {
      /** A signer; its `kind` decides the digest. */
      readonly owner: O2Wallet;
      readonly tradeAccountId?: Hex;
    };

function isWallet(owner: unknown): owner is O2Wallet {
  return (
    typeof owner === 'object' &&
    owner !== null &&
    !(owner instanceof Uint8Array) &&
    typeof (owner as { personalSign?: unknown }).personalSign === 'function'
  );
}

/**
 * The owner wallet of some credentials; `INVALID_ARGUMENT` (without the key in the message)
 * when the key is not a valid secp256k1 private key.
 *
 * @example
 * const wallet = o2OwnerWallet({ owner: key, kind: 'evm' });
 * wallet.b256Address; // the zero-padded EVM address
 */
export function o2OwnerWallet(credentials: O2Credentials): O2Wallet {
  const owner = credentials.owner;
  if (isWallet(owner)) {
    if (!/^0x[0-9a-f]{64}$/.test(owner.b256Address)) {
      throw createError('INVALID_ARGUMENT', 'o2 credentials: the signer has no b256 address', {
        context: { argument: 'credentials.owner', exchange: 'o2' },
      });
    }
    return owner;
  }
  if (typeof owner === 'string') registerSecret(owner);
  const kind = 'kind' in credentials ? (credentials.kind ?? 'fuel') : 'fuel';
  if (kind !== 'fuel' && kind !== 'evm') {
    throw createError('INVALID_ARGUMENT', `o2 credentials: kind must be 'fuel' or 'evm'`, {
      context: { argument: 'credentials.kind', exchange: 'o2' },
    });
  }
  // The wallet constructors reject a bad key with INVALID_ARGUMENT that never quotes it.
  return kind === 'evm' ? createEvmWallet(owner) : createFuelWallet(owner);
}

/**
 * Credentials with the owner turned into a wallet (validated once, at adapter construction).
 *
 * @example
 * const resolved = resolveO2Credentials({ owner: key, kind: 'fuel' });
 * resolved?.owner.b256Address;
 */
export function resolveO2Credentials(
  credentials: O2Credentials | undefined,
): { readonly owner: O2Wallet; readonly tradeAccountId?: Hex } | undefined {
  if (credentials === undefined) return undefined;
  const owner = o2OwnerWallet(credentials);
  const account = credentials.tradeAccountId;
  return account === undefined
    ? { owner }
    : { owner, tradeAccountId: account.toLowerCase() as Hex };
}

/**
 * REST options adding the `O2-Owner-Id` header (the owner's b256 address, also O2's
 * rate-limit key) to every request when there is an owner.
 *
 * @example
 * const rest = { ...options.rest, ...o2OwnerRestOptions(owner, options.rest?.headers) };
 */
export function o2OwnerRestOptions(
  owner: O2Wallet | undefined,
  headers: Readonly<Record<string, string>> | undefined,
): { headers?: Readonly<Record<string, string>> } {
  if (owner === undefined) return {};
  return { headers: { ...headers, 'O2-Owner-Id': owner.b256Address } };
}
