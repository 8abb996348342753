// The O2 signing layer: hashes, Fuel compact signatures, wallets and session keys, and the
// exact byte layouts signed for session creation, withdraw and session actions
// (o2-protocol.md §4). The adapter and the exchange simulator both depend on these names.
export type { Hex } from './hex.js';
export { bytesToHex, hexToBytes } from './hex.js';
export { sha256, keccak256, fuelPersonalSignDigest, evmPersonalSignDigest } from './hashing.js';
export {
  fuelCompactSign,
  recoverPublicKey,
  b256FromPublicKey,
  evmB256FromPublicKey,
  publicKeyFromPrivateKey,
} from './signature.js';
export type { O2Wallet, SessionKey } from './wallets.js';
export {
  createFuelWallet,
  createEvmWallet,
  generateFuelWallet,
  createSessionKey,
} from './wallets.js';
export { U64_MAX, u64, functionSelector, encodeIdentity, concatBytes } from './encoding.js';
export type { ContractCall, SessionSigningParams, WithdrawSigningParams } from './signing-bytes.js';
export {
  buildSessionSigningBytes,
  buildWithdrawSigningBytes,
  buildActionsSigningBytes,
} from './signing-bytes.js';
export type { SigningMarket } from './action-to-call.js';
export { actionToCall } from './action-to-call.js';
