import type { OrderBookReader } from '../../src/index.js';
import type { O2Adapter } from '../../adapters/o2/index.js';

/**
 * The maintained order book of one O2 market, as the demo reads it: the adapter's
 * self-verifying `watchOrderBook` (a fresh snapshot after every reconnect; checked against
 * REST depth every 2 s, so a book that silently missed frames is rebuilt — the demo's
 * `resynced` events).
 *
 * @example
 * for await (const book of booksOf(o2, 'fFUEL/fUSDC', 5, signal)) console.log(book.bestBid?.price);
 */
export function booksOf(
  o2: O2Adapter,
  market: string,
  depth: number,
  signal: AbortSignal,
): AsyncIterable<OrderBookReader> {
  return o2.watchOrderBook(market, { depth, verify: { intervalMs: 2000 }, signal });
}
