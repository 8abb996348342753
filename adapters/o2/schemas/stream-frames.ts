import { z } from 'zod';
import { O2Order, O2Trade } from './order.js';
import { O2Identity, O2Nonce, OpaqueTimestamp, U128String, WireId } from './primitives.js';

const timestamps = {
  onchain_timestamp: OpaqueTimestamp.optional(),
  seen_timestamp: OpaqueTimestamp.optional(),
};

/**
 * WS `subscribe_orders` frame: one or more order snapshots of the subscribed accounts.
 *
 * @example
 * parse(O2OrdersFrame, json, 'o2 orders frame').orders[0]?.order_id;
 */
export const O2OrdersFrame = z.object({
  action: z.literal('subscribe_orders'),
  orders: z.array(O2Order),
  ...timestamps,
});
export type O2OrdersFrame = z.output<typeof O2OrdersFrame>;

/**
 * WS trades frame, `subscribe_trades` or its alias `trades`.
 *
 * @example
 * parse(O2TradesFrame, json, 'o2 trades frame').trades.length;
 */
export const O2TradesFrame = z.object({
  action: z.enum(['subscribe_trades', 'trades']),
  market_id: WireId,
  trades: z.array(O2Trade),
  ...timestamps,
});
export type O2TradesFrame = z.output<typeof O2TradesFrame>;

/**
 * One order book's share of a balance: `locked`, `unlocked`, accrued `fee`.
 *
 * @example
 * O2BookBalance.parse({ locked: '0', unlocked: '5', fee: '0' });
 */
export const O2BookBalance = z.object({
  locked: U128String,
  unlocked: U128String,
  fee: U128String.optional(),
});
export type O2BookBalance = z.output<typeof O2BookBalance>;

/**
 * One asset's balance entry of a `subscribe_balances` frame. `total_unlocked` already
 * includes `trading_account_balance`.
 *
 * @example
 * parse(O2BalanceEntry, entry, 'o2 balance').total_unlocked;
 */
export const O2BalanceEntry = z.object({
  identity: O2Identity,
  asset_id: WireId,
  total_locked: U128String,
  total_unlocked: U128String,
  trading_account_balance: U128String.optional(),
  order_books: z.record(z.string(), O2BookBalance).optional(),
});
export type O2BalanceEntry = z.output<typeof O2BalanceEntry>;

/**
 * WS `subscribe_balances` frame (note the singular key `balance`, an array).
 *
 * @example
 * parse(O2BalancesFrame, json, 'o2 balances frame').balance[0]?.asset_id;
 */
export const O2BalancesFrame = z.object({
  action: z.literal('subscribe_balances'),
  balance: z.array(O2BalanceEntry),
  ...timestamps,
});
export type O2BalancesFrame = z.output<typeof O2BalancesFrame>;

/**
 * WS nonce frame, `subscribe_nonce` or its alias `nonce`; `nonce` as number, decimal or hex,
 * produced as a `bigint`.
 *
 * @example
 * parse(O2NonceFrame, json, 'o2 nonce frame').nonce; // 8n
 */
export const O2NonceFrame = z.object({
  action: z.enum(['subscribe_nonce', 'nonce']),
  contract_id: WireId,
  nonce: O2Nonce,
  ...timestamps,
});
export type O2NonceFrame = z.output<typeof O2NonceFrame>;

/**
 * An error body, REST or WS: `{"code": 6000, "message": "…"}` (some 5xx use `error` instead
 * of `message`; reverts add `reason` and `receipts`).
 *
 * @example
 * parse(O2ErrorBody, { code: 1003, message: 'Too many requests' }, 'o2 error');
 */
export const O2ErrorBody = z
  .object({
    code: z.number().int().optional(),
    message: z.string().optional(),
    error: z.string().optional(),
    reason: z.string().nullable().optional(),
    receipts: z.unknown().optional(),
  })
  .refine((b) => b.code !== undefined || b.message !== undefined || b.error !== undefined, {
    message: 'expected an error body with "code", "message" or "error"',
  });
export type O2ErrorBody = z.output<typeof O2ErrorBody>;

/**
 * The (unverified, third-party) socket error frame `{"action":"error", …}`, e.g. with
 * `resync_required: true`. Extra fields are kept.
 *
 * @example
 * parse(O2ActionErrorFrame, { action: 'error', resync_required: true }, 'o2 frame');
 */
export const O2ActionErrorFrame = z.looseObject({
  action: z.literal('error'),
  market_id: WireId.optional(),
  code: z.number().int().optional(),
  message: z.string().optional(),
  resync_required: z.boolean().optional(),
});
export type O2ActionErrorFrame = z.output<typeof O2ActionErrorFrame>;
