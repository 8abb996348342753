import type { Decimal } from '../numbers/decimal.js';
import type { BookLevel } from './book-level.js';

/**
 * What a bot reads from a book: implemented live by {@link OrderBook} and as an immutable
 * snapshot by {@link OrderBookView}. Levels are best first; every value is exact.
 *
 * @example
 * function logTop(book: OrderBookReader): void {
 *   console.log(book.bestBid?.price, book.bestAsk?.price, book.spread?.toFixed());
 * }
 */
export interface OrderBookReader {
  /** Unified market symbol, when the book was given one. */
  readonly market: string | undefined;
  /** Highest bid, or `undefined` when the bid side is empty. */
  readonly bestBid: BookLevel | undefined;
  /** Lowest ask, or `undefined` when the ask side is empty. */
  readonly bestAsk: BookLevel | undefined;
  /** `bestAsk − bestBid`, exact; `undefined` unless both sides have a level. */
  readonly spread: Decimal | undefined;
  /** `(bestBid + bestAsk) / 2`, exact; `undefined` unless both sides have a level. */
  readonly mid: Decimal | undefined;
  /** The best `n` bids (default: all), highest first. */
  bids(n?: number): readonly BookLevel[];
  /** The best `n` asks (default: all), lowest first. */
  asks(n?: number): readonly BookLevel[];
  /** Number of levels on each side. */
  readonly levelCount: { readonly bids: number; readonly asks: number };
  /** Exchange sequence of the last applied update (Binance: its `u`), if the exchange has one. */
  readonly sequence: number | undefined;
  /** Exchange timestamp of the last applied update (epoch ms), when the exchange sends one. */
  readonly exchangeTime: number | undefined;
  /** Local receive time of the last applied update (epoch ms). */
  readonly receivedAt: number | undefined;
  /** True when the book is known to match the exchange (a snapshot was applied and no gap, mismatch or reset happened since). */
  readonly isSynced: boolean;
  /** True when best bid ≥ best ask, which a correct book never is. */
  readonly isCrossed: boolean;
}

/** Fields of an {@link OrderBookView}, as captured from a live book. */
export interface OrderBookViewInit {
  readonly market: string | undefined;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
  readonly bidCount: number;
  readonly askCount: number;
  readonly sequence: number | undefined;
  readonly exchangeTime: number | undefined;
  readonly receivedAt: number | undefined;
  readonly isSynced: boolean;
  readonly isCrossed: boolean;
}

/**
 * An immutable snapshot of a book: later updates to the live book never change it. Made by
 * {@link OrderBook.view} and yielded by `watchOrderBook`. When taken with a depth limit,
 * `bids()` / `asks()` hold at most that many levels while `levelCount` still reports the
 * live book's full size.
 *
 * @example
 * const view = book.view(10);
 * book.applyDelta({ bids: [['100', '0']], asks: [] });
 * view.bids(1); // unchanged
 */
export class OrderBookView implements OrderBookReader {
  readonly market: string | undefined;
  readonly sequence: number | undefined;
  readonly exchangeTime: number | undefined;
  readonly receivedAt: number | undefined;
  readonly isSynced: boolean;
  readonly isCrossed: boolean;
  readonly levelCount: { readonly bids: number; readonly asks: number };
  readonly #bids: readonly BookLevel[];
  readonly #asks: readonly BookLevel[];
  #spread: Decimal | undefined;
  #mid: Decimal | undefined;

  constructor(init: OrderBookViewInit) {
    this.market = init.market;
    this.#bids = Object.freeze(init.bids.slice());
    this.#asks = Object.freeze(init.asks.slice());
    this.levelCount = Object.freeze({ bids: init.bidCount, asks: init.askCount });
    this.sequence = init.sequence;
    this.exchangeTime = init.exchangeTime;
    this.receivedAt = init.receivedAt;
    this.isSynced = init.isSynced;
    this.isCrossed = init.isCrossed;
  }

  get bestBid(): BookLevel | undefined {
    return this.#bids[0];
  }

  get bestAsk(): BookLevel | undefined {
    return this.#asks[0];
  }

  get spread(): Decimal | undefined {
    return (this.#spread ??= spreadOf(this.bestBid, this.bestAsk));
  }

  get mid(): Decimal | undefined {
    return (this.#mid ??= midOf(this.bestBid, this.bestAsk));
  }

  bids(n?: number): readonly BookLevel[] {
    return firstLevels(this.#bids, n);
  }

  asks(n?: number): readonly BookLevel[] {
    return firstLevels(this.#asks, n);
  }
}

function firstLevels(levels: readonly BookLevel[], n: number | undefined): readonly BookLevel[] {
  if (n === undefined || n >= levels.length) return levels;
  return n > 0 ? levels.slice(0, n) : [];
}

/** Exact spread of two best levels, `undefined` when one is missing. */
export function spreadOf(
  bid: BookLevel | undefined,
  ask: BookLevel | undefined,
): Decimal | undefined {
  if (bid === undefined || ask === undefined) return undefined;
  return ask.priceDecimal.minus(bid.priceDecimal);
}

/** Exact mid price of two best levels, `undefined` when one is missing. */
export function midOf(bid: BookLevel | undefined, ask: BookLevel | undefined): Decimal | undefined {
  if (bid === undefined || ask === undefined) return undefined;
  return ask.priceDecimal.plus(bid.priceDecimal).dividedBy(2);
}
