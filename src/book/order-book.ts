import { createError } from '../errors/tickwire-error.js';
import type { Decimal } from '../numbers/decimal.js';
import type { BookLevel } from './book-level.js';
import { LevelNode, ScaledBookSide, StringBookSide, type BookSideReader } from './book-side.js';
import { midOf, OrderBookView, spreadOf, type OrderBookReader } from './order-book-view.js';
import type { PreparedLevels } from './prepared-levels.js';
import {
  canonicalDecimal,
  isZeroDecimal,
  MAX_KEY_SCALE,
  NEEDS_SCALE,
  NOT_SCALED,
  parseScaled,
  pow10,
  type DecimalKeySlot,
} from './price-key.js';

/**
 * One `[price, quantity]` level as it arrives on the wire (Binance, OKX and Kraken tuples;
 * extra elements are ignored). Both values are exact decimal strings; O2's u64 integer
 * strings beyond 2^53 are fine.
 *
 * @example
 * const level: LevelInput = ['30000.01000000', '0.50000000'];
 */
export type LevelInput = readonly [price: string, quantity: string, ...rest: readonly unknown[]];

/**
 * Levels for both sides, in any order. In a snapshot they are the whole book; in a delta
 * each quantity is the new absolute size at that price and zero removes the level.
 *
 * @example
 * const delta: BookLevelsInput = { bids: [['100.5', '0']], asks: [['101', '2.25']] };
 */
export interface BookLevelsInput {
  readonly bids: readonly LevelInput[];
  readonly asks: readonly LevelInput[];
}

/**
 * Metadata recorded with an update; omitted (or undefined) fields keep their previous value.
 *
 * @example
 * book.applyDelta(delta, { sequence: d.u, exchangeTime: d.E, receivedAt: Date.now() });
 */
export interface BookUpdateMeta {
  /** Exchange sequence after this update (Binance: `u`, or `lastUpdateId` for a snapshot). */
  readonly sequence?: number | undefined;
  /** Exchange event time, epoch ms. */
  readonly exchangeTime?: number | undefined;
  /** Local receive time, epoch ms. */
  readonly receivedAt?: number | undefined;
}

/**
 * Options of {@link OrderBook}.
 *
 * @example
 * const book = new OrderBook({ market: 'ETH/USDT', maxDepth: 20 });
 */
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
 * whose best price is at the end. Prices are keyed by the exact scaled integer
 * `price × 10^scale` while that stays below 2^53 (the scale grows as finer prices arrive),
 * else by their canonical decimal string; no `Decimal` and no float on the path. A delta is
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
  readonly #scaledBids = new ScaledBookSide('bids');
  readonly #scaledAsks = new ScaledBookSide('asks');
  readonly #stringBids = new StringBookSide('bids');
  readonly #stringAsks = new StringBookSide('asks');
  readonly #slot: DecimalKeySlot = { key: '', digits: 0 };
  readonly #scaled = { needed: 0 };
  // Key mode: scaled integers at #scale decimals, or canonical strings (see LevelNode).
  #numeric = true;
  #scale = 0;
  // Scratch for the validate-then-apply pass; reused across deltas.
  readonly #nums: number[] = [];
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
    let numeric = true;
    let scale = 0;
    for (;;) {
      const bids = this.#nodesOf(snapshot.bids, 'bid', numeric, scale);
      const asks =
        typeof bids === 'number' ? bids : this.#nodesOf(snapshot.asks, 'ask', numeric, scale);
      if (typeof bids !== 'number' && typeof asks !== 'number') {
        this.#numeric = numeric;
        this.#scale = scale;
        this.#clearSides();
        if (numeric) {
          this.#scaledBids.load(bids);
          this.#scaledAsks.load(asks);
        } else {
          this.#stringBids.load(bids);
          this.#stringAsks.load(asks);
        }
        break;
      }
      if (asks === NEEDS_SCALE && this.#scaled.needed <= MAX_KEY_SCALE) scale = this.#scaled.needed;
      else numeric = false;
    }
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
    const bids = delta.bids;
    const asks = delta.asks;
    let bidCount: number;
    let total: number;
    // A price finer than the current scale (or too large for it) re-keys the book and
    // restarts validation; that happens a handful of times in a book's life at most.
    do {
      bidCount = this.#prepare(bids, 0, 'bid');
      total = bidCount < 0 ? -1 : this.#prepare(asks, bidCount, 'ask');
    } while (total < 0);
    const zero = this.#zero;
    if (this.#numeric) {
      const nums = this.#nums;
      const bidSide = this.#scaledBids;
      const askSide = this.#scaledAsks;
      for (let i = 0; i < bidCount; i++) {
        const level = bids[i] as LevelInput;
        bidSide.update(nums[i] as number, level[0], level[1], zero[i] === true);
      }
      for (let i = bidCount; i < total; i++) {
        const level = asks[i - bidCount] as LevelInput;
        askSide.update(nums[i] as number, level[0], level[1], zero[i] === true);
      }
    } else {
      const keys = this.#keys;
      const digits = this.#digits;
      for (let i = 0; i < total; i++) {
        const isBid = i < bidCount;
        const side = isBid ? this.#stringBids : this.#stringAsks;
        const level = (isBid ? bids[i] : asks[i - bidCount]) as LevelInput;
        side.update(keys[i] as string, digits[i] as number, level[0], level[1], zero[i] === true);
      }
    }
    this.#truncate();
    this.#record(meta);
  }

  /**
   * {@link OrderBook.applyDelta} for levels a parser already validated and keyed (see
   * {@link PreparedLevels}): the same result, without tuples and without reading the strings
   * again. Returns false, with the book untouched, when it cannot take them as they are (a
   * price finer than the book's current key scale, a key at 2^53 or beyond, a book keyed by
   * strings); the caller then applies `levels.toInput()` with {@link OrderBook.applyDelta},
   * which re-keys the book.
   *
   * @example
   * if (!book.applyPreparedDelta(levels, meta)) book.applyDelta(levels.toInput(), meta);
   */
  applyPreparedDelta(levels: PreparedLevels, meta: BookUpdateMeta = {}): boolean {
    if (!this.#numeric) return false;
    const total = levels.count;
    const bidCount = levels.bidCount;
    const scale = this.#scale;
    const nums = this.#nums;
    const digits = levels.priceDigits;
    const decimals = levels.priceDecimals;
    for (let i = 0; i < total; i++) {
      const d = decimals[i] as number;
      if (d > scale) return false;
      const num = (digits[i] as number) * pow10(scale - d);
      if (num > Number.MAX_SAFE_INTEGER) return false;
      nums[i] = num;
    }
    const prices = levels.prices;
    const quantities = levels.quantities;
    const zero = levels.zero;
    const bidSide = this.#scaledBids;
    const askSide = this.#scaledAsks;
    for (let i = 0; i < bidCount; i++) {
      bidSide.update(
        nums[i] as number,
        prices[i] as string,
        quantities[i] as string,
        zero[i] === true,
      );
    }
    for (let i = bidCount; i < total; i++) {
      askSide.update(
        nums[i] as number,
        prices[i] as string,
        quantities[i] as string,
        zero[i] === true,
      );
    }
    this.#truncate();
    this.#record(meta);
    return true;
  }

  /** Empties the book and marks it not synced (a gap, a reset, a reconnect). */
  clear(): void {
    this.#clearSides();
    this.#synced = false;
    this.#sequence = undefined;
    this.#exchangeTime = undefined;
    this.#receivedAt = undefined;
    this.#version++;
  }

  get bestBid(): BookLevel | undefined {
    return this.#bidSide.best()?.toLevel();
  }

  get bestAsk(): BookLevel | undefined {
    return this.#askSide.best()?.toLevel();
  }

  get spread(): Decimal | undefined {
    return spreadOf(this.bestBid, this.bestAsk);
  }

  get mid(): Decimal | undefined {
    return midOf(this.bestBid, this.bestAsk);
  }

  bids(n = Infinity): readonly BookLevel[] {
    return this.#bidSide.top(n);
  }

  asks(n = Infinity): readonly BookLevel[] {
    return this.#askSide.top(n);
  }

  get levelCount(): { readonly bids: number; readonly asks: number } {
    return { bids: this.#bidSide.size, asks: this.#askSide.size };
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
    const bid = this.#bidSide.best();
    const ask = this.#askSide.best();
    if (bid === undefined || ask === undefined) return false;
    if (this.#numeric) return bid.num >= ask.num;
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
      bids: this.#bidSide.top(depth),
      asks: this.#askSide.top(depth),
      bidCount: this.#bidSide.size,
      askCount: this.#askSide.size,
      sequence: this.#sequence,
      exchangeTime: this.#exchangeTime,
      receivedAt: this.#receivedAt,
      isSynced: this.#synced,
      isCrossed: this.isCrossed,
    });
  }

  get #bidSide(): BookSideReader {
    return this.#numeric ? this.#scaledBids : this.#stringBids;
  }

  get #askSide(): BookSideReader {
    return this.#numeric ? this.#scaledAsks : this.#stringAsks;
  }

  #clearSides(): void {
    this.#scaledBids.clear();
    this.#scaledAsks.clear();
    this.#stringBids.clear();
    this.#stringAsks.clear();
  }

  #record(meta: BookUpdateMeta): void {
    if (meta.sequence !== undefined) this.#sequence = meta.sequence;
    if (meta.exchangeTime !== undefined) this.#exchangeTime = meta.exchangeTime;
    if (meta.receivedAt !== undefined) this.#receivedAt = meta.receivedAt;
    this.#version++;
  }

  #truncate(): void {
    if (this.#maxDepth !== Infinity) {
      this.#bidSide.truncate(this.#maxDepth);
      this.#askSide.truncate(this.#maxDepth);
    }
  }

  /**
   * Validates and keys `levels` into the scratch arrays from `offset`; returns the end
   * offset, or -1 when the book had to be re-keyed (the caller starts over).
   */
  #prepare(levels: readonly LevelInput[], offset: number, side: 'bid' | 'ask'): number {
    if (!Array.isArray(levels)) invalidLevels(side);
    const priceField = side === 'bid' ? 'bid price' : 'ask price';
    const qtyField = side === 'bid' ? 'bid quantity' : 'ask quantity';
    const zero = this.#zero;
    const n = levels.length;
    if (this.#numeric) {
      const nums = this.#nums;
      const scale = this.#scale;
      const scaled = this.#scaled;
      for (let i = 0; i < n; i++) {
        const level = levels[i];
        if (typeof level !== 'object' || level === null) invalidLevels(side);
        let num = parseScaled(level[0], scale, scaled);
        if (num === NOT_SCALED) {
          canonicalDecimal(level[0], priceField, this.#slot); // throws when malformed
          num = parseScaled(this.#slot.key, scale, scaled);
        }
        if (num < 0) {
          if (!(num === NEEDS_SCALE && this.#rescale(scaled.needed))) this.#toStringKeys();
          return -1;
        }
        nums[offset + i] = num;
        zero[offset + i] = isZeroDecimal(level[1], qtyField);
      }
    } else {
      const slot = this.#slot;
      const keys = this.#keys;
      const digits = this.#digits;
      for (let i = 0; i < n; i++) {
        const level = levels[i];
        if (typeof level !== 'object' || level === null) invalidLevels(side);
        canonicalDecimal(level[0], priceField, slot);
        keys[offset + i] = slot.key;
        digits[offset + i] = slot.digits;
        zero[offset + i] = isZeroDecimal(level[1], qtyField);
      }
    }
    return offset + n;
  }

  /** Re-keys every level at `needed` decimals; false when a key would reach 2^53. */
  #rescale(needed: number): boolean {
    if (needed > MAX_KEY_SCALE || needed <= this.#scale) return false;
    const factor = pow10(needed - this.#scale);
    const max = Math.max(this.#scaledBids.maxNum(), this.#scaledAsks.maxNum());
    if (max * factor > Number.MAX_SAFE_INTEGER) return false;
    this.#scaledBids.rescale(factor);
    this.#scaledAsks.rescale(factor);
    this.#scale = needed;
    return true;
  }

  /** Switches the book to canonical string keys (until the next snapshot). */
  #toStringKeys(): void {
    const slot = this.#slot;
    const bids = this.#scaledBids.all();
    const asks = this.#scaledAsks.all();
    for (const node of [...bids, ...asks]) {
      canonicalDecimal(node.price, 'price', slot);
      node.key = slot.key;
      node.digits = slot.digits;
    }
    this.#clearSides();
    this.#stringBids.load(bids);
    this.#stringAsks.load(asks);
    this.#numeric = false;
  }

  /** Nodes for a snapshot side, or NEEDS_SCALE / NOT_SCALED when `scale` cannot key them. */
  #nodesOf(
    levels: readonly LevelInput[],
    side: 'bid' | 'ask',
    numeric: boolean,
    scale: number,
  ): LevelNode[] | number {
    if (!Array.isArray(levels)) invalidLevels(side);
    const slot = this.#slot;
    const scaled = this.#scaled;
    const out: LevelNode[] = [];
    for (const level of levels) {
      if (typeof level !== 'object' || level === null) invalidLevels(side);
      canonicalDecimal(level[0], `${side} price`, slot);
      // A zero level still overrides an earlier entry at the same price; '' marks it for removal.
      const quantity = isZeroDecimal(level[1], `${side} quantity`) ? '' : level[1];
      if (numeric) {
        const num = parseScaled(slot.key, scale, scaled);
        if (num < 0) return num;
        out.push(new LevelNode(num, '', 0, level[0], quantity));
      } else {
        out.push(new LevelNode(0, slot.key, slot.digits, level[0], quantity));
      }
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
