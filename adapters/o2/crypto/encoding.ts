import { createError } from '../../../src/errors/index.js';

/**
 * The largest u64, also the `gas` placeholder of every session-action call (the server
 * overrides it).
 *
 * @example
 * U64_MAX === 2n ** 64n - 1n; // true
 */
export const U64_MAX = (1n << 64n) - 1n;

const encoder = new TextEncoder();

/**
 * Encodes an unsigned 64-bit integer as 8 big-endian bytes; `INVALID_ARGUMENT` naming
 * `field` when out of range.
 *
 * @example
 * u64(1_000_000_000n); // 00 00 00 00 3b 9a ca 00
 */
export function u64(value: bigint, field = 'value'): Uint8Array {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw createError('INVALID_ARGUMENT', `o2 ${field}: expected a u64 (0 ≤ n < 2^64)`, {
      context: { argument: field, exchange: 'o2' },
    });
  }
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, false);
  return out;
}

/**
 * A Sway function selector as O2 signs it: `u64(len(name)) ‖ utf8(name)` (not a hash).
 *
 * @example
 * functionSelector('create_order'); // 0x000000000000000c 6372656174655f6f72646572
 */
export function functionSelector(name: string): Uint8Array {
  const bytes = encoder.encode(name);
  return concatBytes([u64(BigInt(bytes.length)), bytes]);
}

/**
 * A Fuel `Identity`: `u64(0 = Address | 1 = ContractId) ‖ 32 bytes`.
 *
 * @example
 * encodeIdentity('ContractId', id).length; // 40
 */
export function encodeIdentity(kind: 'Address' | 'ContractId', id: Uint8Array): Uint8Array {
  return concatBytes([u64(kind === 'Address' ? 0n : 1n), id]);
}

/**
 * Concatenates byte arrays.
 *
 * @example
 * concatBytes([u64(1n), u64(2n)]).length; // 16
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
