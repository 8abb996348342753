import { createError } from '../errors/tickwire-error.js';
import type { Decimal } from '../numbers/decimal.js';
import type { BookLevel } from './book-level.js';
import { BookSide, LevelNode } from './book-side.js';
import { midOf, OrderBookView, spreadOf, type OrderBookReader } from './order-book-view.js';
import { canonicalDecimal, isZeroDecimal, type DecimalKeySlot } from './price-key.js';

/**
 * One `[price, quantity]` level as it arrives on the wire (Binance, OKX and Kraken tuples;
 * extra elements are ignored). Both values are exact decimal strings; O2's u64 integer
 * strings beyond 2^53 are fine.
 */
export type LevelInput = readonly [price: string, quantity: string, ...rest: readonly unknown[]];

/**
 * Levels for both sides, in any order. In a snapshot they are the whole book; in a delta
 * each quantity is the new absolute size at that price and zero removes the level.
 */
export interface BookLevelsInput {
  readonly bids: readonly LevelInput[];
  readonly asks: readonly LevelInput[];
}

/** Metadata recorded with an update; omitted fields keep their previous value. */
export interface BookUpdateMeta {
  /** Exchange sequence after this update (Binance: `u`, or `lastUpdateId` for a snapshot). */
  readonly sequence?: number;
  /** Exchange event time, epoch ms. */
  readonly exchangeTime?: number;
  /** Local receive time, epoch ms. */
  readonly receivedAt?: number;
}

/** Options of {@link OrderBook}. */
export interface OrderBookOptions {
  /** Unified market symbol, reported in views and errors. Default: none. */
  readonly market?: string;
  /**
   * Levels kept per side (the subscribed depth); worse levels are dropped after every
   * update. Default: `Infinity` (unit: levels).
   */
  readonly maxDepth?: number;
}

/**
 * An exact L2 order book: levels keyed by their exact price (decimal strings that differ
 * only in trailing or leading zeros are one level; u64 integer prices beyond 2^53 compare
 * exactly). Best bid and best ask are O(1); an update is a binary search in a sorted array
 * whose best price is at the end, with no `Decimal` and no float on the path. A delta is
 * validated in full before any of it is applied, so a malformed frame leaves the book as it
 * was. This object is the **live** book; {@link OrderBook.view} takes an immutable snapshot.
 *
 * @example
 * const book = new OrderBook({ market: 'BTC/USDT' });
 * book.applySnapshot({ bids: [['30000.00', '1.5']], asks: [['30000.01', '2']] }, { sequence: 10 });
 * book.applyDelta({ bids: [['30000.00000000', '0.00000000']], asks: [] }, { sequence: 11 });
 * book.bestBid; // undefined: the level was removed
 */
export class OrderBook implements OrderBookReader {
  readonly market: string | undefined;
  readonly #maxDepth: number;
  readonly #bids = new BookSide('bids');
  readonly #asks = new BookSide('asks');
  readonly #slot: DecimalKeySlot = { key: '', digits: 0 };
  // Scratch for the validate-then-apply pass; reused across deltas.
  readonly #keys: string[] = [];
  readonly #digits: number[] = [];
  readonly #zero: boolean[] = [];
  #synced = false;
  #sequence: number | undefined = undefined;
  #exchangeTime: number | undefined = undefined;
  #receivedAt: number | undefined = undefined;
  #version = 0;

  constructor(options: OrderBookOptions = {}) {
    this.market = options.market;
    const depth = options.maxDepth ?? Infinity;
    if (!(depth >= 1) || (depth !== Infinity && !Number.isInteger(depth))) {
      throw createError('INVALID_ARGUMENT', `maxDepth must be a positive integer, got ${depth}`, {
        context: { argument: 'maxDepth' },
      });
    }
    this.#maxDepth = depth;
  }

  /**
   * Replaces the whole book with `snapshot` (zero-size levels are skipped) and marks it
   * synced. On a malformed level it throws and the book is left unchanged.
   *
   * @throws `VALIDATION_FAILED` naming the bad field.
   */
  applySnapshot(snapshot: BookLevelsInput, meta: BookUpdateMeta = {}): void {
    const bids = this.#nodesOf(snapshot.bids, 'bid');
    const asks = this.#nodesOf(snapshot.asks, 'ask');
    this.#bids.load(bids);
    this.#asks.load(asks);
    this.#truncate();
    this.#synced = true;
    this.#sequence = undefined;
    this.#exchangeTime = undefined;
    this.#receivedAt = undefined;
    this.#record(meta);
  }

  /**
   * Applies absolute sizes: a non-zero quantity sets the level, zero (`'0'`, `'0.00000000'`)
   * removes it (removing an absent level is a no-op). The whole delta is validated first; on
   * a malformed level it throws and the book is left unchanged.
   *
   * @throws `VALIDATION_FAILED` naming the bad field.
   */
  applyDelta(delta: BookLevelsInput, meta: BookUpdateMeta = {}): void {
    const bidCount = this.#prepare(delta.bids, 0, 'bid');
    const total = this.#prepare(delta.asks, bidCount, 'ask');
    const keys = this.#keys;
    const digits = this.#digits;
    const zero = this.#zero;
    const bids = delta.bids;
    const asks = delta.asks;
    for (let i = 0; i < bidCount; i++) {
      const level = bids[i] as LevelInput;
      this.#bids.update(
        keys[i] as string,
        digits[i] as number,
        level[0],
        level[1],
        zero[i] === true,
      );
    }
    for (let i = bidCount; i < total; i++) {
      const level = asks[i - bidCount] as LevelInput;
      this.#asks.update(
        keys[i] as string,
        digits[i] as number,
        level[0],
        level[1],
        zero[i] === true,
      );
    }
    this.#truncate();
    this.#record(meta);
  }

  /** Empties the book and marks it not synced (a gap, a reset, a reconnect). */
  clear(): void {
    this.#bids.clear();
    this.#asks.clear();
    this.#synced = false;
    this.#sequence = undefined;
    this.#exchangeTime = undefined;
    this.#receivedAt = undefined;
    this.#version++;
  }

  get bestBid(): BookLevel | undefined {
    return this.#bids.best()?.toLevel();
  }

  get bestAsk(): BookLevel | undefined {
    return this.#asks.best()?.toLevel();
  }

  get spread(): Decimal | undefined {
    return spreadOf(this.bestBid, this.bestAsk);
  }

  get mid(): Decimal | undefined {
    return midOf(this.bestBid, this.bestAsk);
  }

  bids(n = Infinity): readonly BookLevel[] {
    return this.#bids.top(n);
  }

  asks(n = Infinity): readonly BookLevel[] {
    return this.#asks.top(n);
  }

  get levelCount(): { readonly bids: number; readonly asks: number } {
    return { bids: this.#bids.size, asks: this.#asks.size };
  }

  get sequence(): number | undefined {
    return this.#sequence;
  }

  get exchangeTime(): number | undefined {
    return this.#exchangeTime;
  }

  get receivedAt(): number | undefined {
    return this.#receivedAt;
  }

  get isSynced(): boolean {
    return this.#synced;
  }

  /** Increments on every change (snapshot, delta, clear); lets a checker see if anything moved. */
  get version(): number {
    return this.#version;
  }

  get isCrossed(): boolean {
    const bid = this.#bids.best();
    const ask = this.#asks.best();
    if (bid === undefined || ask === undefined) return false;
    if (bid.digits !== ask.digits) return bid.digits > ask.digits;
    return bid.key >= ask.key;
  }

  /**
   * An immutable snapshot of the book with at most `depth` levels per side (default: all).
   *
   * @example
   * const top = book.view(20);
   */
  view(depth = Infinity): OrderBookView {
    return new OrderBookView({
      market: this.market,
      bids: this.#bids.top(depth),
      asks: this.#asks.top(depth),
      bidCount: this.#bids.size,
      askCount: this.#asks.size,
      sequence: this.#sequence,
      exchangeTime: this.#exchangeTime,
      receivedAt: this.#receivedAt,
      isSynced: this.#synced,
      isCrossed: this.isCrossed,
    });
  }

  #record(meta: BookUpdateMeta): void {
    if (meta.sequence !== undefined) this.#sequence = meta.sequence;
    if (meta.exchangeTime !== undefined) this.#exchangeTime = meta.exchangeTime;
    if (meta.receivedAt !== undefined) this.#receivedAt = meta.receivedAt;
    this.#version++;
  }

  #truncate(): void {
    if (this.#maxDepth !== Infinity) {
      this.#bids.truncate(this.#maxDepth);
      this.#asks.truncate(this.#maxDepth);
    }
  }

  #prepare(levels: readonly LevelInput[], offset: number, side: 'bid' | 'ask'): number {
    if (!Array.isArray(levels)) invalidLevels(side);
    const slot = this.#slot;
    const keys = this.#keys;
    const digits = this.#digits;
    const zero = this.#zero;
    const n = levels.length;
    for (let i = 0; i < n; i++) {
      const level = levels[i];
      if (typeof level !== 'object' || level === null) invalidLevels(side);
      canonicalDecimal(level[0], side === 'bid' ? 'bid price' : 'ask price', slot);
      keys[offset + i] = slot.key;
      digits[offset + i] = slot.digits;
      zero[offset + i] = isZeroDecimal(level[1], side === 'bid' ? 'bid quantity' : 'ask quantity');
    }
    return offset + n;
  }

  #nodesOf(levels: readonly LevelInput[], side: 'bid' | 'ask'): LevelNode[] {
    if (!Array.isArray(levels)) invalidLevels(side);
    const slot = this.#slot;
    const out: LevelNode[] = [];
    for (const level of levels) {
      if (typeof level !== 'object' || level === null) invalidLevels(side);
      canonicalDecimal(level[0], `${side} price`, slot);
      // A zero level still overrides an earlier entry at the same price; '' marks it for removal.
      const quantity = isZeroDecimal(level[1], `${side} quantity`) ? '' : level[1];
      out.push(new LevelNode(slot.key, slot.digits, level[0], quantity));
    }
    return out;
  }
}

function invalidLevels(side: 'bid' | 'ask'): never {
  throw createError(
    'VALIDATION_FAILED',
    `${side}s: expected an array of [price, quantity] levels`,
    {
      context: { what: `${side}s`, path: '', issues: ['expected an array of [price, quantity]'] },
    },
  );
}
