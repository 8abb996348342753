import { z } from 'zod';
import { O2Identity, WireId } from './primitives.js';

/**
 * Client → server messages: request bodies the adapter sends (and the simulator checks) and
 * the socket's subscribe / unsubscribe frames. Stricter than the response schemas: these
 * are what we produce, so the wire form is exact (capitalised sides, decimal-string
 * integers, `0x` hex ids).
 */

const Hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, { message: 'expected 0x + 64 hex digits' });
const Hex32Identity = z.union([
  z.strictObject({ Address: Hex32 }),
  z.strictObject({ ContractId: Hex32 }),
]);
const DecimalU64 = z
  .string()
  .regex(/^\d+$/, { message: 'expected an unsigned integer string' })
  .refine((s) => !/^\d+$/.test(s) || BigInt(s) < 1n << 64n, { message: 'expected a u64' });
const Signature = z.strictObject({
  Secp256k1: z.string().regex(/^0x[0-9a-fA-F]{128}$/, { message: 'expected 0x + 128 hex digits' }),
});

/**
 * An order type as sent: `"Spot" | "Market" | "FillOrKill" | "PostOnly"`, `{"Limit":[price,
 * ts]}` or `{"BoundedMarket":{max_price, min_price}}` with decimal-string integers.
 *
 * @example
 * O2WireOrderType.parse({ Limit: ['21300000', '1767225600'] });
 */
export const O2WireOrderType = z.union([
  z.enum(['Spot', 'Market', 'FillOrKill', 'PostOnly']),
  z.strictObject({ Limit: z.tuple([DecimalU64, DecimalU64]) }),
  z.strictObject({
    BoundedMarket: z.strictObject({ max_price: DecimalU64, min_price: DecimalU64 }),
  }),
]);
export type O2WireOrderType = z.output<typeof O2WireOrderType>;

/**
 * One session action as sent: `CreateOrder` (side capitalised), `CancelOrder`,
 * `SettleBalance` or `RegisterReferer` (`to`, or `referer` as the docs write it).
 *
 * @example
 * O2WireAction.parse({ CancelOrder: { order_id: '0x' + 'b1'.repeat(32) } });
 */
export const O2WireAction = z.union([
  z.strictObject({
    CreateOrder: z.strictObject({
      side: z.enum(['Buy', 'Sell']),
      price: DecimalU64,
      quantity: DecimalU64,
      order_type: O2WireOrderType,
    }),
  }),
  z.strictObject({ CancelOrder: z.strictObject({ order_id: Hex32 }) }),
  z.strictObject({ SettleBalance: z.strictObject({ to: Hex32Identity }) }),
  z.strictObject({
    RegisterReferer: z.union([
      z.strictObject({ to: Hex32Identity }),
      z.strictObject({ referer: Hex32Identity }),
    ]),
  }),
]);
export type O2WireAction = z.output<typeof O2WireAction>;

/**
 * Most actions, and most market groups, one `POST /v1/session/actions` may carry.
 *
 * @example
 * if (batch.length > O2_MAX_ACTIONS) splitIntoRequests(batch);
 */
export const O2_MAX_ACTIONS = 5;

/**
 * `POST /v1/session/actions` body: at most 5 actions in total across at most 5 market
 * groups (7004 `TooManyActions` otherwise; 7003 when empty).
 *
 * @example
 * parse(O2SessionActionsRequest, body, 'o2 session actions request');
 */
export const O2SessionActionsRequest = z
  .object({
    actions: z
      .array(z.object({ market_id: Hex32, actions: z.array(O2WireAction).min(1) }))
      .min(1)
      .max(O2_MAX_ACTIONS),
    signature: Signature,
    nonce: DecimalU64,
    trade_account_id: Hex32,
    session_id: z.strictObject({ Address: Hex32 }),
    collect_orders: z.boolean().optional(),
    variable_outputs: z.number().int().nonnegative().optional(),
    min_gas_limit: DecimalU64.optional(),
    estimate_gas_usage: z.boolean().optional(),
  })
  .refine((r) => r.actions.reduce((n, g) => n + g.actions.length, 0) <= O2_MAX_ACTIONS, {
    path: ['actions'],
    message: `at most ${O2_MAX_ACTIONS} actions per request`,
  });
export type O2SessionActionsRequest = z.output<typeof O2SessionActionsRequest>;

/**
 * `PUT /v1/session` body.
 *
 * @example
 * parse(O2SessionRequest, body, 'o2 session request');
 */
export const O2SessionRequest = z.object({
  contract_id: Hex32,
  session_id: z.strictObject({ Address: Hex32 }),
  signature: Signature,
  contract_ids: z.array(Hex32).min(1),
  nonce: DecimalU64,
  expiry: DecimalU64,
});
export type O2SessionRequest = z.output<typeof O2SessionRequest>;

/**
 * `POST /v1/accounts/withdraw` body.
 *
 * @example
 * parse(O2WithdrawRequest, body, 'o2 withdraw request');
 */
export const O2WithdrawRequest = z.object({
  trade_account_id: Hex32,
  signature: Signature,
  nonce: DecimalU64,
  to: Hex32Identity,
  asset_id: Hex32,
  amount: DecimalU64,
});
export type O2WithdrawRequest = z.output<typeof O2WithdrawRequest>;

const identities = z.array(O2Identity).min(1).max(10);

/**
 * A client → server socket frame (subscribe / unsubscribe); at most 10 identities per
 * request. `precision` is the wire string `10^level`.
 *
 * @example
 * parse(O2ClientFrame, { action: 'subscribe_depth', market_id: '0x…', precision: '10' }, 'frame');
 */
export const O2ClientFrame = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('subscribe_depth'),
    market_id: WireId,
    precision: z.string().regex(/^10{1,18}$/, { message: 'expected "10" … "10^18"' }),
  }),
  z.strictObject({ action: z.literal('unsubscribe_depth'), market_id: WireId }),
  z.strictObject({ action: z.literal('subscribe_trades'), market_id: WireId }),
  z.strictObject({ action: z.literal('unsubscribe_trades'), market_id: WireId }),
  z.strictObject({ action: z.literal('subscribe_orders'), identities }),
  z.strictObject({ action: z.literal('unsubscribe_orders') }),
  z.strictObject({ action: z.literal('subscribe_balances'), identities }),
  z.strictObject({ action: z.literal('unsubscribe_balances'), identities }),
  z.strictObject({ action: z.literal('subscribe_nonce'), identities }),
  z.strictObject({ action: z.literal('unsubscribe_nonce'), identities }),
]);
export type O2ClientFrame = z.output<typeof O2ClientFrame>;
