import {
  OrderBook,
  type AdapterEvent,
  type DepthUpdate,
  type MarketInfo,
  type OrderBookReader,
  type Trade,
  type WsStats,
} from '../src/index.js';
import { BinanceAdapter } from '../adapters/binance/index.js';
import { O2Adapter } from '../adapters/o2/index.js';
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
  /** The exchange's markets (loaded once). */
  markets(signal: AbortSignal): Promise<readonly MarketInfo[]>;
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

function sumWs(stats: { ws: Readonly<Record<string, WsStats>> }): FeedCounters {
  let messagesIn = 0;
  let reconnects = 0;
  for (const s of Object.values(stats.ws)) {
    messagesIn += s.messagesIn;
    reconnects += s.reconnects;
  }
  return { messagesIn, reconnects };
}

function o2Feed(endpoints: Endpoints): LiveFeed {
  const o2 = new O2Adapter({ restUrl: endpoints.restUrl, wsUrl: endpoints.wsUrl });
  return {
    markets: (signal) => o2.getMarkets({ signal }),
    depth: (m, signal) => o2.streamDepth(m.symbol, { signal }),
    trades: (m, signal) => o2.streamTrades(m.symbol, { signal }),
    books: (m, signal) => booksFromDepth(o2.streamDepth(m.symbol, { signal })),
    counters: () => sumWs(o2.stats()),
    onEvent: (listener) => o2.events.on(listener),
    close: () => o2.close(),
  };
}

function binanceFeed(endpoints: Endpoints): LiveFeed {
  const binance = new BinanceAdapter({ restUrl: endpoints.restUrl, wsUrl: endpoints.wsUrl });
  return {
    markets: (signal) => binance.loadMarkets({ signal }),
    depth: (m, signal) => binance.streamDepth(m.symbol, { signal }),
    trades: (m, signal) => binance.streamTrades(m.symbol, { signal }),
    books: (m, signal) => binance.watchOrderBook(m.symbol, { signal }),
    counters: () => sumWs(binance.stats()),
    onEvent: (listener) => binance.events.on(listener),
    close: () => binance.close(),
  };
}

/**
 * Opens the streams of `spec` at `endpoints`.
 *
 * @example
 * const feed = openFeed(spec, endpoints, 'stream');
 * try { for await (const t of feed.trades(market, signal)) print(t); } finally { await feed.close(); }
 */
export function openFeed(spec: ExchangeSpec, endpoints: Endpoints, command: string): LiveFeed {
  switch (spec.name) {
    case 'o2':
      return o2Feed(endpoints);
    case 'binance':
      return binanceFeed(endpoints);
    default:
      throw new UsageError(`${String(spec.name)} has no streams`, command);
  }
}
