import type { SimOrder } from './types.js';

/**
 * A mutable order held by the engine; {@link snapshotOrder} copies it for events.
 *
 * @example
 * const copy = snapshotOrder(live);
 */
export type LiveOrder = { -readonly [K in keyof SimOrder]: SimOrder[K] } & {
  fills: SimOrder['fills'][number][];
};

/**
 * One entry in a level's FIFO queue: a user order, or market-maker liquidity (no order).
 *
 * @example
 * const mine = level.queue.filter((e) => e.order?.account === 'A');
 */
export interface RestingEntry {
  readonly order: LiveOrder | undefined;
  remaining: bigint;
}

/**
 * A price level with its time-priority queue.
 *
 * @example
 * const level = sim.engine.market('BTCUSDT').bids.best(); // { price, total, queue }
 */
export interface BookLevel {
  readonly price: bigint;
  total: bigint;
  readonly queue: RestingEntry[];
}

/**
 * Copies a live order into an immutable snapshot.
 *
 * @example
 * emit({ type: 'order', order: snapshotOrder(live) });
 */
export function snapshotOrder(order: LiveOrder): SimOrder {
  return { ...order, fills: order.fills.slice() };
}

/**
 * One side of a price-time-priority book: levels keyed by scaled price, kept sorted best
 * first (bids descending, asks ascending).
 *
 * @example
 * const bids = new BookSide(true);
 * bids.ensure(100n).total; // 0n
 */
export class BookSide {
  readonly isBid: boolean;
  readonly #levels = new Map<bigint, BookLevel>();
  readonly #prices: bigint[] = [];

  constructor(isBid: boolean) {
    this.isBid = isBid;
  }

  /** Number of non-empty levels. */
  get size(): number {
    return this.#prices.length;
  }

  /** The level at `price`, if any. */
  get(price: bigint): BookLevel | undefined {
    return this.#levels.get(price);
  }

  /** The best level, if any. */
  best(): BookLevel | undefined {
    const p = this.#prices[0];
    return p === undefined ? undefined : this.#levels.get(p);
  }

  /** Price of the level at rank `index` (0 = best). */
  priceAt(index: number): bigint | undefined {
    return this.#prices[index];
  }

  /** Levels best first (at most `limit`). */
  levels(limit = Number.POSITIVE_INFINITY): BookLevel[] {
    const out: BookLevel[] = [];
    for (const p of this.#prices) {
      if (out.length >= limit) break;
      const level = this.#levels.get(p);
      if (level !== undefined) out.push(level);
    }
    return out;
  }

  /** True when `a` is a better price than `b` on this side. */
  better(a: bigint, b: bigint): boolean {
    return this.isBid ? a > b : a < b;
  }

  /** The level at `price`, created empty when missing. */
  ensure(price: bigint): BookLevel {
    let level = this.#levels.get(price);
    if (level !== undefined) return level;
    level = { price, total: 0n, queue: [] };
    this.#levels.set(price, level);
    let lo = 0;
    let hi = this.#prices.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.better(this.#prices[mid] as bigint, price)) lo = mid + 1;
      else hi = mid;
    }
    this.#prices.splice(lo, 0, price);
    return level;
  }

  /** Drops the level at `price` when its total is zero. */
  prune(price: bigint): void {
    const level = this.#levels.get(price);
    if (level === undefined || level.total > 0n) return;
    this.#levels.delete(price);
    const i = this.#prices.indexOf(price);
    if (i >= 0) this.#prices.splice(i, 1);
  }
}
