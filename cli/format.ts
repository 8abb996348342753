import type { DepthUpdate, MarketInfo, OrderBookReader, Trade } from '../src/index.js';
import type { ExchangeSpec } from './exchanges.js';
import type { PanelLevel } from './ui/book-panel.js';

/** A depth update as one JSON line: levels as `[price, quantity]` human decimal strings. */
export interface DepthLine {
  readonly exchange: string;
  readonly channel: 'depth';
  readonly market: string;
  readonly kind: 'snapshot' | 'delta';
  readonly bids: readonly (readonly [string, string])[];
  readonly asks: readonly (readonly [string, string])[];
  readonly sequence?: string;
  readonly exchangeTime?: number;
  readonly receivedAt: number;
}

/** A trade as one JSON line: price and quantity as exact decimal strings. */
export interface TradeLine {
  readonly exchange: string;
  readonly channel: 'trades';
  readonly market: string;
  readonly id: string;
  readonly price: string;
  readonly quantity: string;
  readonly side: 'buy' | 'sell';
  readonly time: number;
}

/**
 * The JSON-line form of a depth update (exact human units; O2 chain integers are scaled).
 *
 * @example
 * io.out(JSON.stringify(depthLine(spec, market, update)));
 */
export function depthLine(spec: ExchangeSpec, market: MarketInfo, u: DepthUpdate): DepthLine {
  const side = (levels: DepthUpdate['bids']): (readonly [string, string])[] =>
    levels.map(
      (l) => [spec.humanPrice(market, l.price), spec.humanQuantity(market, l.quantity)] as const,
    );
  return {
    exchange: spec.name,
    channel: 'depth',
    market: u.market,
    kind: u.kind,
    bids: side(u.bids),
    asks: side(u.asks),
    ...(u.sequence === undefined ? {} : { sequence: u.sequence.toString() }),
    ...(u.exchangeTime === undefined ? {} : { exchangeTime: u.exchangeTime }),
    receivedAt: u.receivedAt,
  };
}

/**
 * The JSON-line form of a trade.
 *
 * @example
 * io.out(JSON.stringify(tradeLine(spec, trade)));
 */
export function tradeLine(spec: ExchangeSpec, t: Trade): TradeLine {
  return {
    exchange: spec.name,
    channel: 'trades',
    market: t.market,
    id: t.id,
    price: t.price.toFixed(),
    quantity: t.quantity.toFixed(),
    side: t.side,
    time: t.time,
  };
}

/**
 * `HH:MM:SS.mmm` local time of an epoch-ms timestamp.
 *
 * @example
 * clock(Date.now()); // '14:03:07.215'
 */
export function clock(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * The top `depth` levels of each side of a book in human units.
 *
 * @example
 * const { bids, asks } = humanLevels(spec, market, book, 5);
 */
export function humanLevels(
  spec: ExchangeSpec,
  market: MarketInfo,
  book: OrderBookReader,
  depth: number,
): { bids: PanelLevel[]; asks: PanelLevel[] } {
  const side = (levels: readonly { price: string; quantity: string }[]): PanelLevel[] =>
    levels.map((l) => ({
      price: spec.humanPrice(market, l.price),
      quantity: spec.humanQuantity(market, l.quantity),
    }));
  return { bids: side(book.bids(depth)), asks: side(book.asks(depth)) };
}
