import {
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

/**
 * Counters a live view shows.
 *
 * @example
 * const { messagesIn, reconnects } = feed.counters();
 */
export interface FeedCounters {
  /** WebSocket messages received, all connections. */
  readonly messagesIn: number;
  /** Successful reconnects, all connections. */
  readonly reconnects: number;
}

/**
 * The streams of one exchange connection, as the `stream` and `book` commands use them.
 *
 * @example
 * for await (const t of feed.trades(market, signal)) console.log(t.price.toFixed());
 */
export interface LiveFeed {
  /** The exchange's markets (loaded once). */
  markets(signal: AbortSignal): Promise<readonly MarketInfo[]>;
  depth(market: MarketInfo, signal: AbortSignal): AsyncIterable<DepthUpdate>;
  trades(market: MarketInfo, signal: AbortSignal): AsyncIterable<Trade>;
  /** The adapter's maintained book: a view of the top `depth` levels after every change. */
  books(market: MarketInfo, depth: number, signal: AbortSignal): AsyncIterable<OrderBookReader>;
  counters(): FeedCounters;
  onEvent(listener: (event: AdapterEvent) => void): () => void;
  close(): Promise<void>;
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
    books: (m, depth, signal) => o2.watchOrderBook(m.symbol, { depth, signal }),
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
    books: (m, depth, signal) => binance.watchOrderBook(m.symbol, { depth, signal }),
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
