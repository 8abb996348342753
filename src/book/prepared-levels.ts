import type { BookLevelsInput, LevelInput } from './order-book.js';

/**
 * The levels of one delta as a wire parser read them, already validated and keyed, in
 * reusable parallel arrays: the hot-path form of {@link BookLevelsInput}. A parser that scans
 * the frame's text once can hand the book each price as the exact integer of its digits
 * (`priceDigits`, trailing fraction zeros dropped) with the number of fraction digits kept
 * (`priceDecimals`), and whether the quantity is zero, so that
 * {@link OrderBook.applyPreparedDelta} neither allocates `[price, quantity]` tuples nor reads
 * the strings again. One instance is reused for every frame of a connection: its content is
 * valid until the next {@link PreparedLevels.reset}.
 *
 * The parser vouches for the arrays: `price` is a plain decimal (`\d+(\.\d+)?`) whose digits,
 * read as an integer without the trailing fraction zeros, are `priceDigits` (an exact integer
 * below 2^53) with `priceDecimals` fraction digits left; `zero` says whether `quantity` is a
 * zero decimal. A property test keeps each parser that fills one equal to the string path.
 *
 * @example
 * const levels = new PreparedLevels();
 * levels.reset();
 * levels.push('30000.10', '0.5', 300001, 1, false); // a bid
 * levels.endBids();
 * levels.push('30000.20', '0', 300002, 1, true); // an ask removed
 * book.applyPreparedDelta(levels, { sequence: 11 }) || book.applyDelta(levels.toInput());
 */
export class PreparedLevels {
  /** Levels pushed since the last reset (bids first). */
  count = 0;
  /** How many of them are bids (set by {@link PreparedLevels.endBids}). */
  bidCount = 0;
  readonly prices: string[] = [];
  readonly quantities: string[] = [];
  readonly priceDigits: number[] = [];
  readonly priceDecimals: number[] = [];
  readonly zero: boolean[] = [];

  /** Empties the levels (the arrays keep their capacity). */
  reset(): void {
    this.count = 0;
    this.bidCount = 0;
  }

  /** Appends one level; bids first, then {@link PreparedLevels.endBids}, then asks. */
  push(price: string, quantity: string, digits: number, decimals: number, zero: boolean): void {
    const i = this.count++;
    this.prices[i] = price;
    this.quantities[i] = quantity;
    this.priceDigits[i] = digits;
    this.priceDecimals[i] = decimals;
    this.zero[i] = zero;
  }

  /** Marks the levels pushed so far as the bids. */
  endBids(): void {
    this.bidCount = this.count;
  }

  /** The same levels as fresh `[price, quantity]` tuples (for the general path, or to keep). */
  toInput(): BookLevelsInput {
    const bids: LevelInput[] = [];
    const asks: LevelInput[] = [];
    for (let i = 0; i < this.count; i++) {
      const level: LevelInput = [this.prices[i] as string, this.quantities[i] as string];
      if (i < this.bidCount) bids.push(level);
      else asks.push(level);
    }
    return { bids, asks };
  }
}
