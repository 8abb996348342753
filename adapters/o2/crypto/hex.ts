import { createError } from '../../../src/errors/index.js';

/** A `0x`-prefixed lower-case hex string. */
export type Hex = `0x${string}`;

const HEX_BODY = /^[0-9a-fA-F]*$/;

/**
 * Encodes bytes as lower-case `0x` hex.
 *
 * @example
 * bytesToHex(new Uint8Array([1, 255])); // '0x01ff'
 */
export function bytesToHex(bytes: Uint8Array): Hex {
  let out = '0x';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out as Hex;
}

/**
 * Decodes `0x` hex (either letter case) to bytes, checking the length when `length` is given.
 * Throws `INVALID_ARGUMENT` naming `field`; the value itself is never echoed (it may be a key).
 *
 * @example
 * hexToBytes('0x01ff', 'data'); // Uint8Array [1, 255]
 */
export function hexToBytes(hex: string, field: string, length?: number): Uint8Array {
  if (typeof hex !== 'string' || !hex.startsWith('0x')) {
    throw invalid(field, 'expected a 0x-prefixed hex string');
  }
  const body = hex.slice(2);
  if (body.length % 2 !== 0 || !HEX_BODY.test(body)) {
    throw invalid(field, 'expected an even number of hex digits');
  }
  if (length !== undefined && body.length !== length * 2) {
    throw invalid(field, `expected ${length} bytes, got ${body.length / 2}`);
  }
  const out = new Uint8Array(body.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(body.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Accepts a 32-byte value given as bytes or hex and returns a copy of the bytes.
 *
 * @example
 * toBytes32('0x' + '44'.repeat(32), 'contractId').length; // 32
 */
export function toBytes32(value: Uint8Array | string, field: string): Uint8Array {
  if (value instanceof Uint8Array) {
    if (value.length !== 32) throw invalid(field, `expected 32 bytes, got ${value.length}`);
    return Uint8Array.from(value);
  }
  return hexToBytes(value, field, 32);
}

function invalid(field: string, problem: string): Error {
  return createError('INVALID_ARGUMENT', `o2 ${field}: ${problem}`, {
    context: { argument: field, exchange: 'o2' },
  });
}
