import {
  OrderBook,
  type AdapterEvent,
  type DepthUpdate,
  type MarketInfo,
  type OrderBookReader,
  type Trade,
} from '../src/index.js';
import { UsageError } from './errors.js';
import type { Endpoints, ExchangeSpec } from './exchanges.js';

/** Counters a live view shows. */
export interface FeedCounters {
  /** WebSocket messages received, all connections. */
  readonly messagesIn: number;
  /** Successful reconnects, all connections. */
  readonly reconnects: number;
}

/** The streams of one exchange connection, as the `stream` and `book` commands use them. */
export interface LiveFeed {
  depth(market: MarketInfo, signal: AbortSignal): AsyncIterable<DepthUpdate>;
  trades(market: MarketInfo, signal: AbortSignal): AsyncIterable<Trade>;
  /** A maintained book: the same reader yielded after every change. */
  books(market: MarketInfo, signal: AbortSignal): AsyncIterable<OrderBookReader>;
  counters(): FeedCounters;
  onEvent(listener: (event: AdapterEvent) => void): () => void;
  close(): Promise<void>;
}

/**
 * A maintained book from a depth stream (snapshot replaces, delta sets levels), for
 * exchanges whose adapter has no `watchOrderBook` yet.
 *
 * @example
 * for await (const book of booksFromDepth(feed.depth(m, signal))) render(book);
 */
export async function* booksFromDepth(
  updates: AsyncIterable<DepthUpdate>,
): AsyncGenerator<OrderBookReader> {
  const book = new OrderBook();
  for await (const u of updates) {
    const levels = {
      bids: u.bids.map((l) => [l.price, l.quantity] as const),
      asks: u.asks.map((l) => [l.price, l.quantity] as const),
    };
    if (u.kind === 'snapshot') book.applySnapshot(levels);
    else if (book.isSynced) book.applyDelta(levels);
    else continue;
    yield book;
  }
}

/**
 * Opens the streams of `spec` at `endpoints`; an exchange whose adapter has no streams yet
 * is a usage error (exit 2) that says so.
 *
 * @example
 * await using feed = openFeed(spec, endpoints, 'stream');
 */
export function openFeed(spec: ExchangeSpec, _endpoints: Endpoints, command: string): LiveFeed {
  throw new UsageError(
    `${spec.name} streams are not available in this version yet (record, replay and simulate work)`,
    command,
  );
}
