import { Decimal } from '../numbers/decimal.js';

/**
 * One price level of an order book, as exact values. `price` and `quantity` are the strings
 * the exchange last sent for this level (what checksums are computed over); the `Decimal`
 * forms are built on first access only. Instances never change: an update to the level
 * produces a new `BookLevel`.
 *
 * @example
 * const best = book.bestBid;
 * if (best) console.log(best.price, best.quantityDecimal.times(best.priceDecimal).toFixed());
 */
export class BookLevel {
  /** The price as the exchange last sent it for this level (`'30000.01000000'`). */
  readonly price: string;
  /** The absolute size at this price, as the exchange sent it. */
  readonly quantity: string;
  #priceDecimal: Decimal | undefined;
  #quantityDecimal: Decimal | undefined;

  constructor(price: string, quantity: string) {
    this.price = price;
    this.quantity = quantity;
  }

  /** The price as an exact {@link Decimal} (computed once, on first access). */
  get priceDecimal(): Decimal {
    return (this.#priceDecimal ??= new Decimal(this.price));
  }

  /** The quantity as an exact {@link Decimal} (computed once, on first access). */
  get quantityDecimal(): Decimal {
    return (this.#quantityDecimal ??= new Decimal(this.quantity));
  }

  /** `{ price, quantity }` as exact strings. */
  toJSON(): { price: string; quantity: string } {
    return { price: this.price, quantity: this.quantity };
  }
}
