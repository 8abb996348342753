import { z } from 'zod';
import { O2Order, O2Trade } from './order.js';
import {
  LooseDecimal,
  O2Identity,
  O2Nonce,
  O2Side,
  OpaqueTimestamp,
  U128String,
  U64String,
  WireId,
} from './primitives.js';
import { O2BookBalance } from './stream-frames.js';

/**
 * A chain id: `"0x0000000000000000"` hex, decimal string or number; produced as a `bigint`.
 *
 * @example
 * O2ChainId.parse('0x0000000000000000'); // 0n
 */
export const O2ChainId = O2Nonce;
export type O2ChainId = z.output<typeof O2ChainId>;

/**
 * One asset of a market: `symbol`, `asset` id, `decimals`, `max_precision`.
 *
 * @example
 * O2MarketAsset.parse({ symbol: 'fUSDC', asset: '0x286c…', decimals: 9, max_precision: 9 });
 */
export const O2MarketAsset = z.object({
  symbol: z.string().min(1),
  asset: WireId,
  decimals: z.number().int().min(0).max(38),
  max_precision: z.number().int().min(0).max(38),
});
export type O2MarketAsset = z.output<typeof O2MarketAsset>;

/**
 * A market of `GET /v1/markets`. There is no `pair` on the wire (it is `base.symbol + "/" +
 * quote.symbol`). Fees and limits are chain integers (string or number).
 *
 * @example
 * const m = parse(O2Market, json, 'o2 market');
 */
export const O2Market = z
  .object({
    contract_id: WireId,
    market_id: WireId,
    whitelist_id: WireId.nullable().optional(),
    blacklist_id: WireId.nullable().optional(),
    maker_fee: U64String.optional(),
    taker_fee: U64String.optional(),
    min_order: U64String.optional(),
    dust: U64String.optional(),
    price_window: U64String.optional(),
    base: O2MarketAsset,
    quote: O2MarketAsset,
  })
  .refine((m) => m.quote.max_precision <= m.quote.decimals, {
    path: ['quote', 'max_precision'],
    message: 'max_precision must not exceed decimals',
  })
  .refine((m) => m.base.max_precision <= m.base.decimals, {
    path: ['base', 'max_precision'],
    message: 'max_precision must not exceed decimals',
  });
export type O2Market = z.output<typeof O2Market>;

/**
 * `GET /v1/markets`: registry ids, chain id and the markets.
 *
 * @example
 * const { chain_id, markets } = parse(O2MarketsResponse, body, 'o2 GET /v1/markets');
 */
export const O2MarketsResponse = z.object({
  books_registry_id: WireId.optional(),
  accounts_registry_id: WireId.optional(),
  trade_account_oracle_id: WireId.optional(),
  books_whitelist_id: WireId.nullable().optional(),
  books_blacklist_id: WireId.nullable().optional(),
  chain_id: O2ChainId,
  base_asset_id: WireId.optional(),
  markets: z.array(O2Market),
});
export type O2MarketsResponse = z.output<typeof O2MarketsResponse>;

const O2SummaryEntry = z.looseObject({
  market_id: WireId.optional(),
  // Rust shape
  high_price: LooseDecimal.optional(),
  low_price: LooseDecimal.optional(),
  last_price: LooseDecimal.optional(),
  volume_24h: LooseDecimal.optional(),
  change_24h: LooseDecimal.optional(),
  // TypeScript SDK shape
  price: LooseDecimal.optional(),
  price_change_percent_24h: LooseDecimal.optional(),
  highest_price_24h: LooseDecimal.optional(),
  lowest_price_24h: LooseDecimal.optional(),
  base_volume: LooseDecimal.optional(),
  quote_volume: LooseDecimal.optional(),
});

/**
 * `GET /v1/markets/summary`: an array (Rust SDK, believed right) or a single object (TS SDK
 * typing); produced as an array either way.
 *
 * @example
 * parse(O2MarketSummaryResponse, body, 'o2 summary')[0]?.last_price;
 */
export const O2MarketSummaryResponse = z
  .union([z.array(O2SummaryEntry), O2SummaryEntry])
  .transform((v) => (Array.isArray(v) ? v : [v]));
export type O2MarketSummaryResponse = z.output<typeof O2MarketSummaryResponse>;

const O2TickerEntry = z.looseObject({
  market_id: WireId.optional(),
  ask: LooseDecimal.optional(),
  ask_volume: LooseDecimal.optional(),
  average: LooseDecimal.optional(),
  base_volume: LooseDecimal.optional(),
  bid: LooseDecimal.optional(),
  bid_volume: LooseDecimal.optional(),
  change: LooseDecimal.optional(),
  close: LooseDecimal.optional(),
  high: LooseDecimal.optional(),
  last: LooseDecimal.optional(),
  low: LooseDecimal.optional(),
  open: LooseDecimal.optional(),
  percentage: LooseDecimal.optional(),
  previous_close: LooseDecimal.optional(),
  quote_volume: LooseDecimal.optional(),
  timestamp: OpaqueTimestamp.nullable().optional(),
  // TypeScript SDK typing
  last_price: LooseDecimal.optional(),
  best_ask: LooseDecimal.optional(),
  best_bid: LooseDecimal.optional(),
});

/**
 * `GET /v1/markets/ticker`: an array with one object (bot + Rust shape) or a bare object;
 * produced as an array.
 *
 * @example
 * parse(O2TickerResponse, body, 'o2 ticker')[0]?.bid;
 */
export const O2TickerResponse = z
  .union([z.array(O2TickerEntry), O2TickerEntry])
  .transform((v) => (Array.isArray(v) ? v : [v]));
export type O2TickerResponse = z.output<typeof O2TickerResponse>;

/**
 * `GET /v1/trades` and `/v1/trades_by_account`: `{trades, market_id}` or a bare array;
 * produced as `{trades, market_id?}`.
 *
 * @example
 * parse(O2TradesResponse, body, 'o2 GET /v1/trades').trades;
 */
export const O2TradesResponse = z
  .union([
    z.object({ trades: z.array(O2Trade), market_id: WireId.optional() }),
    z.array(O2Trade).transform((trades) => ({ trades })),
  ])
  .transform((v): { trades: O2Trade[]; market_id?: string } =>
    'market_id' in v && v.market_id !== undefined
      ? { trades: v.trades, market_id: v.market_id }
      : { trades: v.trades },
  );
export type O2TradesResponse = z.output<typeof O2TradesResponse>;

/**
 * A candle in the Rust shape (`open/high/low/close` chain integers, `buy_volume`,
 * `sell_volume`, `timestamp` ms) or the TS/Python shape (`time` seconds, `volume`); prices
 * kept as exact strings.
 *
 * @example
 * O2Bar.parse({ time: 1767225600, open: '1', high: '2', low: '1', close: '2', volume: '5' });
 */
export const O2Bar = z.union([
  z.looseObject({
    timestamp: OpaqueTimestamp,
    open: LooseDecimal,
    high: LooseDecimal,
    low: LooseDecimal,
    close: LooseDecimal,
    buy_volume: LooseDecimal.optional(),
    sell_volume: LooseDecimal.optional(),
  }),
  z.looseObject({
    time: OpaqueTimestamp,
    open: LooseDecimal,
    high: LooseDecimal,
    low: LooseDecimal,
    close: LooseDecimal,
    volume: LooseDecimal.optional(),
  }),
]);
export type O2Bar = z.output<typeof O2Bar>;

/**
 * `GET /v1/bars`: the `{action, bars, market_id}` envelope or a bare array; produced as
 * `{bars, market_id?}`.
 *
 * @example
 * parse(O2BarsResponse, body, 'o2 GET /v1/bars').bars.length;
 */
export const O2BarsResponse = z
  .union([
    z.object({
      action: z.string().optional(),
      bars: z.array(O2Bar),
      market_id: WireId.optional(),
    }),
    z.array(O2Bar).transform((bars) => ({ bars })),
  ])
  .transform((v): { bars: O2Bar[]; market_id?: string } =>
    'market_id' in v && v.market_id !== undefined
      ? { bars: v.bars, market_id: v.market_id }
      : { bars: v.bars },
  );
export type O2BarsResponse = z.output<typeof O2BarsResponse>;

/**
 * `POST /v1/accounts`: the new (or existing) trading account and its nonce.
 *
 * @example
 * parse(O2CreateAccountResponse, { trade_account_id: '0x…', nonce: '0x0' }, 'o2').nonce; // 0n
 */
export const O2CreateAccountResponse = z.object({
  trade_account_id: WireId,
  nonce: O2Nonce.optional(),
});
export type O2CreateAccountResponse = z.output<typeof O2CreateAccountResponse>;

/**
 * A session as reported by `GET /v1/accounts`.
 *
 * @example
 * O2AccountSession.parse({ session_id: { Address: '0x…' }, contract_ids: [], expiry: '1767225600' });
 */
export const O2AccountSession = z.object({
  session_id: O2Identity,
  contract_ids: z.array(WireId),
  expiry: OpaqueTimestamp,
});
export type O2AccountSession = z.output<typeof O2AccountSession>;

/**
 * `GET /v1/accounts`: owner lookups may return `trade_account: null` (fetch again by
 * `trade_account_id` for the nonce).
 *
 * @example
 * parse(O2AccountResponse, body, 'o2 GET /v1/accounts').trade_account?.nonce;
 */
export const O2AccountResponse = z.object({
  trade_account_id: WireId.nullable().optional(),
  trade_account: z
    .object({
      last_modification: U128String.optional(),
      nonce: O2Nonce,
      owner: O2Identity.optional(),
      synced_with_network: z.boolean().optional(),
      sync_state: z.unknown().optional(),
    })
    .nullable()
    .optional(),
  session: O2AccountSession.nullable().optional(),
});
export type O2AccountResponse = z.output<typeof O2AccountResponse>;

/**
 * `GET /v1/balance`: per-book `locked/unlocked/fee` plus totals (may exceed u64).
 *
 * @example
 * parse(O2BalanceResponse, body, 'o2 GET /v1/balance').total_unlocked;
 */
export const O2BalanceResponse = z.object({
  order_books: z.record(z.string(), O2BookBalance).optional(),
  total_locked: U128String,
  total_unlocked: U128String,
  trading_account_balance: U128String.optional(),
  block_timestamp: OpaqueTimestamp.nullable().optional(),
  event_timestamp: OpaqueTimestamp.nullable().optional(),
});
export type O2BalanceResponse = z.output<typeof O2BalanceResponse>;

/**
 * `GET /v1/orders`: the account's orders on one market.
 *
 * @example
 * parse(O2OrdersResponse, body, 'o2 GET /v1/orders').orders;
 */
export const O2OrdersResponse = z.object({
  identity: O2Identity.optional(),
  market_id: WireId.optional(),
  orders: z.array(O2Order),
});
export type O2OrdersResponse = z.output<typeof O2OrdersResponse>;

/**
 * `GET /v1/order`: `{order}`.
 *
 * @example
 * parse(O2OrderResponse, body, 'o2 GET /v1/order').order.order_id;
 */
export const O2OrderResponse = z.object({ order: O2Order });
export type O2OrderResponse = z.output<typeof O2OrderResponse>;

/**
 * `PUT /v1/session`: the session-creation transaction.
 *
 * @example
 * parse(O2SessionResponse, body, 'o2 PUT /v1/session').tx_id;
 */
export const O2SessionResponse = z.object({
  tx_id: WireId,
  trade_account_id: WireId.optional(),
  contract_ids: z.array(WireId).optional(),
  session_id: O2Identity.optional(),
  session_expiry: OpaqueTimestamp.optional(),
});
export type O2SessionResponse = z.output<typeof O2SessionResponse>;

/**
 * `POST /v1/accounts/withdraw`: `{tx_id}`.
 *
 * @example
 * parse(O2WithdrawResponse, body, 'o2 withdraw').tx_id;
 */
export const O2WithdrawResponse = z.object({ tx_id: WireId });
export type O2WithdrawResponse = z.output<typeof O2WithdrawResponse>;

const REVERT_TEXT = /Revert\(|LogResult|Panic|revert/;

/**
 * `POST /v1/session/actions`, one of three outcomes:
 * `success` (`{tx_id, orders?}`), `preflight` (`{code, message}`, often with HTTP 200; the
 * nonce is not consumed) or `reverted` (`{message, reason, receipts}`, or `code: 1000` with
 * revert text; the nonce is consumed).
 *
 * @example
 * const r = parse(O2SessionActionsResponse, body, 'o2 POST /v1/session/actions');
 * if (r.outcome === 'success') console.log(r.tx_id);
 */
export const O2SessionActionsResponse = z.union([
  z
    .object({ tx_id: WireId, orders: z.array(O2Order).optional() })
    .transform((r) => ({ outcome: 'success' as const, ...r })),
  z
    .object({
      code: z.number().int().optional(),
      message: z.string().optional(),
      reason: z.string(),
      receipts: z.unknown().optional(),
    })
    .transform((r) => ({ outcome: 'reverted' as const, ...r })),
  z
    .object({
      code: z.number().int(),
      message: z.string().optional(),
      error: z.string().optional(),
    })
    .transform((r) =>
      r.code === 1000 && REVERT_TEXT.test(r.message ?? r.error ?? '')
        ? { outcome: 'reverted' as const, ...r, reason: r.message ?? r.error ?? '' }
        : { outcome: 'preflight' as const, ...r },
    ),
]);
export type O2SessionActionsResponse = z.output<typeof O2SessionActionsResponse>;

const O2AggregatedTrade = z.looseObject({
  trade_id: z.union([z.string().min(1), z.number().int().nonnegative().transform(String)]),
  type: O2Side,
  price: LooseDecimal,
  quantity: LooseDecimal.optional(),
  total: LooseDecimal.optional(),
  base_volume: LooseDecimal.optional(),
  quote_volume: LooseDecimal.optional(),
  timestamp: OpaqueTimestamp,
});

/**
 * `GET /v1/aggregated/trades`: `{trades}` or a bare array of `{trade_id, price, type, …}`
 * (`type` is the side, any case); produced as `{trades}`.
 *
 * @example
 * parse(O2AggregatedTradesResponse, body, 'o2 aggregated trades').trades[0]?.type; // 'sell'
 */
export const O2AggregatedTradesResponse = z
  .union([
    z.object({ trades: z.array(O2AggregatedTrade) }),
    z.array(O2AggregatedTrade).transform((trades) => ({ trades })),
  ])
  .transform((v) => ({ trades: v.trades }));
export type O2AggregatedTradesResponse = z.output<typeof O2AggregatedTradesResponse>;
