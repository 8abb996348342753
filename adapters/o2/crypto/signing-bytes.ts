import { createError } from '../../../src/errors/index.js';
import { concatBytes, encodeIdentity, functionSelector, u64 } from './encoding.js';
import { type Hex, toBytes32 } from './hex.js';

/**
 * One contract call of a session-actions transaction, as it is signed. Built from a wire
 * action by `actionToCall`.
 *
 * @example
 * const call = actionToCall({ CancelOrder: { order_id } }, market);
 */
export interface ContractCall {
  /** The called contract: the market's order-book `contract_id` (or the accounts registry). */
  readonly contractId: Hex;
  /** The Sway function name, e.g. `'create_order'`. */
  readonly selector: string;
  /** Coins forwarded with the call, in chain units. */
  readonly amount: bigint;
  /** The forwarded asset (32 zero bytes when nothing is forwarded). */
  readonly assetId: Hex;
  /** Gas limit; always `u64::MAX` (the server overrides it). */
  readonly gas: bigint;
  /** Encoded call arguments, or `null` for none. */
  readonly callData: Uint8Array | null;
}

/** Parameters of {@link buildSessionSigningBytes}. */
export interface SessionSigningParams {
  /** The trading account's current nonce. */
  readonly nonce: bigint;
  /** The chain id from `GET /v1/markets`. */
  readonly chainId: bigint;
  /** The session key's b256 address. */
  readonly sessionId: Hex;
  /** Session expiry, Unix seconds. */
  readonly expiry: bigint;
  /** Order-book contract ids (`market.contract_id`) the session may call. */
  readonly contractIds: readonly Hex[];
}

/**
 * The bytes an owner signs (personal-sign) to create a session (`set_session`):
 * `u64(nonce) ‖ u64(chain) ‖ selector("set_session") ‖ u64(1) ‖ Identity::Address(session)
 * ‖ u64(expiry) ‖ u64(n) ‖ contract ids`.
 *
 * @example
 * const sig = owner.personalSign(
 *   buildSessionSigningBytes({ nonce: 7n, chainId: 0n, sessionId, expiry: 1767225600n, contractIds: [book] }),
 * );
 */
export function buildSessionSigningBytes(p: SessionSigningParams): Uint8Array {
  return concatBytes([
    u64(p.nonce, 'nonce'),
    u64(p.chainId, 'chainId'),
    functionSelector('set_session'),
    u64(1n), // Option::Some
    encodeIdentity('Address', toBytes32(p.sessionId, 'sessionId')),
    u64(p.expiry, 'expiry'),
    u64(BigInt(p.contractIds.length)),
    ...p.contractIds.map((id, i) => toBytes32(id, `contractIds.${i}`)),
  ]);
}

/** Parameters of {@link buildWithdrawSigningBytes}. */
export interface WithdrawSigningParams {
  readonly nonce: bigint;
  readonly chainId: bigint;
  /** The recipient identity. */
  readonly to: { readonly kind: 'Address' | 'ContractId'; readonly id: Hex };
  readonly assetId: Hex;
  /** Amount in chain units. */
  readonly amount: bigint;
}

/**
 * The bytes an owner signs (personal-sign) to withdraw:
 * `u64(nonce) ‖ u64(chain) ‖ selector("withdraw") ‖ Identity(to) ‖ asset_id ‖ u64(amount)`.
 *
 * @example
 * const bytes = buildWithdrawSigningBytes({ nonce: 9n, chainId: 0n, to: { kind: 'Address', id: owner.b256Address }, assetId, amount: 1_250_000_000n });
 */
export function buildWithdrawSigningBytes(p: WithdrawSigningParams): Uint8Array {
  if (p.to.kind !== 'Address' && p.to.kind !== 'ContractId') {
    throw createError('INVALID_ARGUMENT', 'o2 to.kind: expected Address or ContractId', {
      context: { argument: 'to.kind', exchange: 'o2' },
    });
  }
  return concatBytes([
    u64(p.nonce, 'nonce'),
    u64(p.chainId, 'chainId'),
    functionSelector('withdraw'),
    encodeIdentity(p.to.kind, toBytes32(p.to.id, 'to.id')),
    toBytes32(p.assetId, 'assetId'),
    u64(p.amount, 'amount'),
  ]);
}

/**
 * The bytes a session key signs (raw sha256) for `POST /v1/session/actions`:
 * `u64(nonce) ‖ u64(n_calls) ‖ per call: contract_id ‖ u64(len(sel)) ‖ sel ‖ u64(amount)
 * ‖ asset_id ‖ u64(gas) ‖ option(call_data)`, where `sel = u64(len(name)) ‖ name`.
 *
 * @example
 * const sig = session.rawSign(buildActionsSigningBytes(8n, actions.map((a) => actionToCall(a, market))));
 */
export function buildActionsSigningBytes(
  nonce: bigint,
  calls: readonly ContractCall[],
): Uint8Array {
  const parts: Uint8Array[] = [u64(nonce, 'nonce'), u64(BigInt(calls.length))];
  calls.forEach((call, i) => {
    const selector = functionSelector(call.selector);
    parts.push(
      toBytes32(call.contractId, `calls.${i}.contractId`),
      u64(BigInt(selector.length)),
      selector,
      u64(call.amount, `calls.${i}.amount`),
      toBytes32(call.assetId, `calls.${i}.assetId`),
      u64(call.gas, `calls.${i}.gas`),
    );
    if (call.callData === null) parts.push(u64(0n));
    else parts.push(u64(1n), u64(BigInt(call.callData.length)), call.callData);
  });
  return concatBytes(parts);
}
