import * as zlib from 'node:zlib';
import type { OrderBookReader } from './order-book-view.js';

let table: Uint32Array | undefined;

function crc32Table(): Uint32Array {
  if (table !== undefined) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32 (IEEE 802.3, the zlib polynomial) of a byte string, as an unsigned 32-bit integer.
 * Pure JavaScript; {@link crc32} uses `node:zlib` instead when the runtime has it.
 *
 * @example
 * crc32Js(Buffer.from('123456789')); // 0xcbf43926
 */
export function crc32Js(bytes: Uint8Array): number {
  const t = crc32Table();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++)
    c = (t[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const nativeCrc32 = (zlib as { crc32?: (data: string | Uint8Array) => number }).crc32;

/**
 * CRC-32 of a UTF-8 string or bytes, unsigned (`zlib.crc32` on Node ≥ 20.15, else
 * {@link crc32Js}). OKX compares the signed form: `crc32(s) | 0`.
 *
 * @example
 * crc32('123456789'); // 3421780262
 */
export function crc32(data: string | Uint8Array): number {
  if (nativeCrc32 !== undefined) return nativeCrc32(data) >>> 0;
  return crc32Js(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
}

/**
 * Computes a book's checksum the way one exchange does, from the exact wire strings of the
 * top levels; compared (as unsigned 32-bit) with the checksum the exchange sends.
 *
 * @example
 * const top5: BookChecksum = (book) => okxBookChecksum(book, 5);
 */
export type BookChecksum = (book: OrderBookReader) => number;

/**
 * OKX's order book checksum: the top `depth` (default 25) levels interleaved as
 * `bidPrice:bidSize:askPrice:askSize:…` (a side that runs out is skipped), CRC-32 as a
 * signed 32-bit integer, exactly as OKX sends it in `checksum`.
 *
 * @example
 * const sync = createSnapshotResetBookSync({ market, checksum: okxBookChecksum, requestResync });
 */
export function okxBookChecksum(book: OrderBookReader, depth = 25): number {
  const bids = book.bids(depth);
  const asks = book.asks(depth);
  const parts: string[] = [];
  for (let i = 0; i < depth; i++) {
    const bid = bids[i];
    const ask = asks[i];
    if (bid === undefined && ask === undefined) break;
    if (bid !== undefined) parts.push(bid.price, bid.quantity);
    if (ask !== undefined) parts.push(ask.price, ask.quantity);
  }
  return crc32(parts.join(':')) | 0;
}

function krakenField(text: string): string {
  const digits = text.replace('.', '');
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  return digits.slice(i);
}

/**
 * Kraken's order book checksum (WebSocket v1 string levels): the top `depth` (default 10)
 * asks, lowest first, then bids, highest first; for each level its price and then its
 * volume with the decimal point and leading zeros removed, all concatenated; CRC-32,
 * unsigned.
 *
 * @example
 * const sync = createSnapshotResetBookSync({ market, checksum: krakenBookChecksum, requestResync });
 */
export function krakenBookChecksum(book: OrderBookReader, depth = 10): number {
  let text = '';
  for (const level of book.asks(depth))
    text += krakenField(level.price) + krakenField(level.quantity);
  for (const level of book.bids(depth))
    text += krakenField(level.price) + krakenField(level.quantity);
  return crc32(text);
}
