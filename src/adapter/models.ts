import type { Decimal } from '../numbers/decimal.js';

/**
 * Normalised models every adapter yields. Prices, sizes and balances are exact: `Decimal`
 * on the slower account channels, exact wire strings on depth (the hot path), where a
 * book turns them into levels without allocating a Decimal per level. Every model keeps
 * the frame it came from in `raw`.
 */

/** A side of the book or of an order. */
export type OrderSide = 'buy' | 'sell';

/** A market as the adapter's registry knows it. */
export interface MarketInfo {
  /** Unified symbol, `BASE/QUOTE` (e.g. `'BTC/USDT'`, `'fFUEL/fUSDC'`). */
  readonly symbol: string;
  /** The exchange's own id (`'BTCUSDT'`, or O2's `0x…` market id). */
  readonly id: string;
  readonly base: string;
  readonly quote: string;
  /** Smallest price increment, as an exact decimal string, when the exchange has one. */
  readonly tickSize?: string;
  /** Smallest quantity increment, as an exact decimal string. */
  readonly stepSize?: string;
  /** Smallest order value in quote units, as an exact decimal string. */
  readonly minNotional?: string;
  /** The exchange's market object, unmodified. */
  readonly raw: unknown;
}

/** One price level: exact wire strings (an O2 chain integer or a Binance decimal). */
export interface DepthLevel {
  readonly price: string;
  readonly quantity: string;
}

/**
 * A depth message: a `snapshot` replaces the book, a `delta` sets the listed levels to
 * their new absolute size (zero removes the level).
 */
export interface DepthUpdate {
  readonly kind: 'snapshot' | 'delta';
  /** Unified symbol. */
  readonly market: string;
  readonly bids: readonly DepthLevel[];
  readonly asks: readonly DepthLevel[];
  /** Last update id this message brings the book to, where the exchange sequences depth. */
  readonly sequence?: bigint;
  /** First update id in this message (Binance `U`). */
  readonly firstSequence?: bigint;
  /** Exchange event time, epoch ms, when known. */
  readonly exchangeTime?: number;
  /** Local receive time, epoch ms. */
  readonly receivedAt: number;
  readonly raw: unknown;
}

/** A public trade. */
export interface Trade {
  readonly market: string;
  readonly id: string;
  readonly price: Decimal;
  readonly quantity: Decimal;
  /** The taker's side (the aggressor). */
  readonly side: OrderSide;
  /** Trade time, epoch ms. */
  readonly time: number;
  readonly raw: unknown;
}

/** Lifecycle state of an order, normalised across exchanges. */
export type OrderStatus =
  'open' | 'partially_filled' | 'filled' | 'cancelled' | 'rejected' | 'expired';

/** An update to one of the account's orders. */
export interface OrderUpdate {
  readonly market: string;
  readonly orderId: string;
  readonly clientOrderId?: string;
  readonly side: OrderSide;
  readonly status: OrderStatus;
  readonly price?: Decimal;
  readonly quantity: Decimal;
  /** Cumulative filled quantity (reconcile with this, never by summing fills). */
  readonly filledQuantity: Decimal;
  readonly lastFillPrice?: Decimal;
  readonly lastFillQuantity?: Decimal;
  /** Event time, epoch ms, when known. */
  readonly time?: number;
  readonly raw: unknown;
}

/** Absolute free and locked amounts of one asset after a change. */
export interface BalanceUpdate {
  readonly asset: string;
  readonly free: Decimal;
  readonly locked: Decimal;
  /** Event time, epoch ms, when known. */
  readonly time?: number;
  readonly raw: unknown;
}

/** A new account nonce (O2). */
export interface NonceUpdate {
  readonly account: string;
  readonly nonce: bigint;
  readonly raw: unknown;
}
