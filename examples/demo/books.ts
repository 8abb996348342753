import { OrderBook, type OrderBookReader } from '../../src/index.js';
import type { O2Adapter } from '../../adapters/o2/index.js';

/**
 * Maintained order books of one O2 market: the book after every depth update (a snapshot
 * replaces it — the first one, and a fresh one after every reconnect — a delta sets the
 * listed levels).
 *
 * @example
 * for await (const book of booksOf(o2, 'fFUEL/fUSDC', 5, signal)) console.log(book.bestBid?.price);
 */
export async function* booksOf(
  o2: O2Adapter,
  market: string,
  _depth: number,
  signal: AbortSignal,
): AsyncGenerator<OrderBookReader> {
  const book = new OrderBook({ market });
  for await (const u of o2.streamDepth(market, { signal })) {
    const levels = {
      bids: u.bids.map((l) => [l.price, l.quantity] as const),
      asks: u.asks.map((l) => [l.price, l.quantity] as const),
    };
    if (u.kind === 'snapshot') book.applySnapshot(levels, { receivedAt: u.receivedAt });
    else if (book.isSynced) book.applyDelta(levels, { receivedAt: u.receivedAt });
    else continue;
    yield book;
  }
}
