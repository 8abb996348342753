import type {
  BalanceUpdate,
  MarketInfo,
  DepthUpdate,
  NonceUpdate,
  OrderStatus,
  OrderUpdate,
  Trade,
} from '../../../src/adapter/index.js';
import { createError } from '../../../src/errors/index.js';
import { Decimal, fromScaledInteger } from '../../../src/numbers/index.js';
import type { O2DepthFrame, O2DepthResponse } from './depth.js';
import type { O2Order, O2Trade } from './order.js';
import type { O2Identity } from './primitives.js';
import type { O2Market } from './rest.js';
import type { O2BalanceEntry, O2NonceFrame } from './stream-frames.js';

/**
 * What a normaliser needs to know about a market: its unified symbol and the decimals that
 * scale chain integers to human units.
 *
 * @example
 * const m: O2MarketDecimals = { symbol: 'fFUEL/fUSDC', baseDecimals: 9, quoteDecimals: 9 };
 */
export interface O2MarketDecimals {
  readonly symbol: string;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
}

/** O2 depth: levels stay exact chain-integer strings; O2's own timestamps are kept opaque. */
export interface O2DepthUpdate extends DepthUpdate {
  /** Native market id (`0x…`). */
  readonly marketId: string;
  /** Snapshot view precision, when the server sent one. */
  readonly precision?: number | string;
  /** `onchain_timestamp` / `seen_timestamp`, unit undocumented: opaque decimal strings. */
  readonly onchainTimestamp?: string;
  readonly seenTimestamp?: string;
}

/**
 * Turns a parsed depth frame into a {@link DepthUpdate}: `buys` → `bids`, `sells` → `asks`,
 * `snapshot` (a full reset) or `delta` (absolute sizes, `"0"` removes the level). The level
 * arrays of the parsed frame are reused, not copied (this is the hot path).
 *
 * @example
 * const update = normalizeO2Depth(parse(O2DepthFrame, json, 'o2 depth'), 'fFUEL/fUSDC', json);
 */
export function normalizeO2Depth(
  frame: O2DepthFrame,
  market: string,
  raw: unknown = frame,
  receivedAt: number = Date.now(),
): O2DepthUpdate {
  const book = frame.view ?? frame.orders ?? frame.changes;
  const out: {
    -readonly [K in keyof O2DepthUpdate]: O2DepthUpdate[K];
  } = {
    kind: frame.kind === 'snapshot' ? 'snapshot' : 'delta',
    market,
    marketId: frame.market_id,
    bids: book?.buys ?? [],
    asks: book?.sells ?? [],
    receivedAt,
    raw,
  };
  if (book?.precision !== undefined) out.precision = book.precision;
  if (frame.onchain_timestamp !== undefined) out.onchainTimestamp = frame.onchain_timestamp;
  if (frame.seen_timestamp !== undefined) out.seenTimestamp = frame.seen_timestamp;
  return out;
}

/**
 * Turns a parsed `GET /v1/depth` body into a snapshot {@link DepthUpdate}.
 *
 * @example
 * const snap = normalizeO2DepthResponse(parse(O2DepthResponse, body, 'o2 depth'), 'fFUEL/fUSDC');
 */
export function normalizeO2DepthResponse(
  response: O2DepthResponse,
  market: string,
  raw: unknown = response,
  receivedAt: number = Date.now(),
): O2DepthUpdate {
  return {
    kind: 'snapshot',
    market,
    marketId: response.market_id ?? '',
    bids: response.buys,
    asks: response.sells,
    receivedAt,
    raw,
  };
}

/**
 * The status of an O2 order, as the official bot derives it: `cancel` → cancelled, else
 * `close` → filled, else `partially_filled` → partially filled, else open.
 *
 * @example
 * deriveO2OrderStatus({ close: true, cancel: true }); // 'cancelled'
 */
export function deriveO2OrderStatus(
  order: Pick<O2Order, 'cancel' | 'close' | 'partially_filled'>,
): OrderStatus {
  if (order.cancel === true) return 'cancelled';
  if (order.close === true) return 'filled';
  if (order.partially_filled === true) return 'partially_filled';
  return 'open';
}

/** An O2 order update: the unified fields plus O2's chain-level details. */
export interface O2OrderUpdate extends OrderUpdate {
  /** Native market id, when the frame named one. */
  readonly marketId?: string;
  /** The order type as on the wire (`'Spot'`, `{Limit: […]}`…), when sent. */
  readonly orderType?: O2Order['order_type'];
  /** The order `timestamp`, unit undocumented: an opaque decimal string. */
  readonly timestamp?: string;
  /** Owner / account identity, when sent. */
  readonly account?: O2Identity;
}

/**
 * Turns a parsed order into an {@link OrderUpdate} in human units. `quantity` is required
 * (a missing one is `VALIDATION_FAILED`: reporting 0 would be wrong); a missing
 * `quantity_fill` means nothing filled.
 *
 * @example
 * const update = normalizeO2Order(order, { symbol: 'fFUEL/fUSDC', baseDecimals: 9, quoteDecimals: 9 });
 * update.status; // 'open' | 'partially_filled' | 'filled' | 'cancelled'
 */
export function normalizeO2Order(
  order: O2Order,
  market: O2MarketDecimals,
  raw: unknown = order,
): O2OrderUpdate {
  if (order.quantity === undefined) {
    throw createError('VALIDATION_FAILED', 'o2 order: quantity is missing', {
      context: { exchange: 'o2', what: 'o2 order', path: 'quantity' },
    });
  }
  const lastFill = order.fills?.[order.fills.length - 1];
  const base = (v: string, f: string): Decimal => fromScaledInteger(v, market.baseDecimals, f);
  const quote = (v: string, f: string): Decimal => fromScaledInteger(v, market.quoteDecimals, f);
  const account = order.account ?? order.owner;
  return {
    market: market.symbol,
    orderId: order.order_id,
    side: order.side,
    status: deriveO2OrderStatus(order),
    quantity: base(order.quantity, 'quantity'),
    filledQuantity: base(order.quantity_fill ?? '0', 'quantity_fill'),
    raw,
    ...(order.price === undefined ? {} : { price: quote(order.price, 'price') }),
    ...(lastFill === undefined
      ? {}
      : {
          lastFillPrice: quote(lastFill.price, 'fills.price'),
          lastFillQuantity: base(lastFill.quantity, 'fills.quantity'),
        }),
    ...(order.market_id === undefined ? {} : { marketId: order.market_id }),
    ...(order.order_type === undefined ? {} : { orderType: order.order_type }),
    ...(order.timestamp === undefined ? {} : { timestamp: order.timestamp }),
    ...(account === undefined ? {} : { account }),
  };
}

/** An O2 public trade: the unified fields plus O2's maker side and identities. */
export interface O2TradeUpdate extends Trade {
  /** The maker's side as sent by O2 (`side` on the wire); `side` is the taker's. */
  readonly makerSide: 'buy' | 'sell';
  /** Quote amount in human units, when sent (`total`). */
  readonly total?: Decimal;
  readonly maker?: O2Identity;
  readonly taker?: O2Identity;
  /** On account-scoped queries: which side this account was on. */
  readonly traderSide?: 'maker' | 'taker' | 'both';
}

/**
 * Turns a parsed trade into a {@link Trade} in human units. O2's `side` is the maker's, so
 * the unified `side` (the taker's) is its opposite. A trade without `side` cannot be
 * normalised (`VALIDATION_FAILED`).
 *
 * @example
 * const t = normalizeO2Trade(trade, { symbol: 'fFUEL/fUSDC', baseDecimals: 9, quoteDecimals: 9 });
 * t.time; // epoch ms
 */
export function normalizeO2Trade(
  trade: O2Trade,
  market: O2MarketDecimals,
  raw: unknown = trade,
): O2TradeUpdate {
  if (trade.side === undefined) {
    throw createError('VALIDATION_FAILED', 'o2 trade: side is missing', {
      context: { exchange: 'o2', what: 'o2 trade', path: 'side' },
    });
  }
  return {
    market: market.symbol,
    id: trade.trade_id,
    price: fromScaledInteger(trade.price, market.quoteDecimals, 'price'),
    quantity: fromScaledInteger(trade.quantity, market.baseDecimals, 'quantity'),
    side: trade.side === 'buy' ? 'sell' : 'buy',
    makerSide: trade.side,
    time: trade.timestamp,
    raw,
    ...(trade.total === undefined
      ? {}
      : { total: fromScaledInteger(trade.total, market.quoteDecimals, 'total') }),
    ...(trade.maker === undefined ? {} : { maker: trade.maker }),
    ...(trade.taker === undefined ? {} : { taker: trade.taker }),
    ...(trade.trader_side === undefined ? {} : { traderSide: trade.trader_side }),
  };
}

/** What a balance normaliser needs to know about an asset. */
export interface O2AssetDecimals {
  /** Symbol reported as `asset` (e.g. `'fUSDC'`). */
  readonly symbol: string;
  readonly decimals: number;
}

/** An O2 balance: unified free/locked plus the per-order-book split in human units. */
export interface O2BalanceUpdate extends BalanceUpdate {
  readonly assetId: string;
  readonly identity: O2Identity;
  /** Per order-book contract: locked, unlocked and accrued fee. */
  readonly orderBooks: Readonly<
    Record<string, { readonly locked: Decimal; readonly unlocked: Decimal; readonly fee: Decimal }>
  >;
}

/**
 * Turns one balance entry into a {@link BalanceUpdate}: free = `total_unlocked` (it already
 * includes `trading_account_balance`), locked = `total_locked`; exact beyond 2^53.
 *
 * @example
 * normalizeO2Balance(entry, { symbol: 'fUSDC', decimals: 9 }).free.toFixed();
 */
export function normalizeO2Balance(
  entry: O2BalanceEntry,
  asset: O2AssetDecimals,
  raw: unknown = entry,
): O2BalanceUpdate {
  const scale = (v: string, f: string): Decimal => fromScaledInteger(v, asset.decimals, f);
  const orderBooks: Record<string, { locked: Decimal; unlocked: Decimal; fee: Decimal }> = {};
  for (const [id, b] of Object.entries(entry.order_books ?? {})) {
    orderBooks[id.toLowerCase()] = {
      locked: scale(b.locked, 'locked'),
      unlocked: scale(b.unlocked, 'unlocked'),
      fee: scale(b.fee ?? '0', 'fee'),
    };
  }
  return {
    asset: asset.symbol,
    assetId: entry.asset_id,
    identity: entry.identity,
    free: scale(entry.total_unlocked, 'total_unlocked'),
    locked: scale(entry.total_locked, 'total_locked'),
    orderBooks,
    raw,
  };
}

/**
 * Turns a parsed nonce frame into a {@link NonceUpdate}.
 *
 * @example
 * normalizeO2Nonce(parse(O2NonceFrame, json, 'o2 nonce')).nonce; // 10n for "0xa"
 */
export function normalizeO2Nonce(frame: O2NonceFrame, raw: unknown = frame): NonceUpdate {
  return { account: frame.contract_id, nonce: frame.nonce, raw };
}

/** An O2 market in the registry's unified form, plus what signing and scaling need. */
export interface O2MarketInfo extends MarketInfo {
  /** The order-book contract id (what sessions allow and actions call). */
  readonly contractId: string;
  readonly baseAssetId: string;
  readonly quoteAssetId: string;
  readonly baseDecimals: number;
  readonly quoteDecimals: number;
  readonly baseMaxPrecision: number;
  readonly quoteMaxPrecision: number;
}

/**
 * Turns a parsed `GET /v1/markets` entry into a {@link MarketInfo}: symbol
 * `BASE/QUOTE` from the asset symbols (there is no `pair` on the wire), tick and step as
 * human decimals, `min_order` as the minimum notional in quote units.
 *
 * @example
 * registry.set(parse(O2MarketsResponse, body, 'o2 markets').markets.map(normalizeO2Market));
 */
export function normalizeO2Market(market: O2Market): O2MarketInfo {
  // tick = 10^(decimals − max_precision) chain units = 10^−max_precision human units
  const unit = (maxPrecision: number): string => new Decimal(10).pow(-maxPrecision).toFixed();
  return {
    symbol: `${market.base.symbol}/${market.quote.symbol}`,
    id: market.market_id,
    base: market.base.symbol,
    quote: market.quote.symbol,
    tickSize: unit(market.quote.max_precision),
    stepSize: unit(market.base.max_precision),
    ...(market.min_order === undefined
      ? {}
      : {
          minNotional: fromScaledInteger(
            market.min_order,
            market.quote.decimals,
            'min_order',
          ).toFixed(),
        }),
    contractId: market.contract_id,
    baseAssetId: market.base.asset,
    quoteAssetId: market.quote.asset,
    baseDecimals: market.base.decimals,
    quoteDecimals: market.quote.decimals,
    baseMaxPrecision: market.base.max_precision,
    quoteMaxPrecision: market.quote.max_precision,
    raw: market,
  };
}
