import { z } from 'zod';
import {
  O2Identity,
  O2Side,
  OpaqueTimestamp,
  U128String,
  U64String,
  WireId,
} from './primitives.js';

/**
 * An order type: `"Spot" | "Market" | "FillOrKill" | "PostOnly"`, `{"Limit":[price, ts]}` or
 * `{"BoundedMarket":{max_price, min_price}}` (prices may arrive as JSON numbers).
 *
 * @example
 * O2OrderType.parse({ BoundedMarket: { max_price: 23000000, min_price: 19000000 } });
 */
export const O2OrderType = z.union([
  z.enum(['Spot', 'Market', 'FillOrKill', 'PostOnly']),
  z.strictObject({ Limit: z.tuple([U64String, OpaqueTimestamp]) }),
  z.strictObject({ BoundedMarket: z.object({ max_price: U64String, min_price: U64String }) }),
]);
export type O2OrderType = z.output<typeof O2OrderType>;

/**
 * `desired_quantity`: `{"Base":{remaining_quantity}}` (sells) or
 * `{"Quote":{desired_base_quantity: {"Quantity": n} | "Infinite", remaining_quote_token}}` (buys).
 *
 * @example
 * O2DesiredQuantity.parse({ Base: { remaining_quantity: '2000000000000' } });
 */
export const O2DesiredQuantity = z.union([
  z.strictObject({ Base: z.object({ remaining_quantity: U128String }) }),
  z.strictObject({
    Quote: z.object({
      desired_base_quantity: z.union([
        z.literal('Infinite'),
        z.strictObject({ Quantity: U128String }),
      ]),
      remaining_quote_token: U128String,
    }),
  }),
]);
export type O2DesiredQuantity = z.output<typeof O2DesiredQuantity>;

/**
 * One fill of an order, as listed in `fills`.
 *
 * @example
 * O2OrderFill.parse({ price: '21300000', quantity: '300000000000', timestamp: '1767225601000' });
 */
export const O2OrderFill = z.object({
  order_id: WireId.optional(),
  price: U64String,
  quantity: U64String,
  timestamp: OpaqueTimestamp.optional(),
});
export type O2OrderFill = z.output<typeof O2OrderFill>;

/**
 * An order (WS `subscribe_orders`, `GET /v1/orders`, `GET /v1/order`, session-action
 * results). Only `order_id` and `side` are required; `order_type` is sometimes omitted by
 * the API. Unknown fields are dropped (the raw frame is kept by the normaliser).
 *
 * @example
 * const order = parse(O2Order, json, 'o2 order');
 */
export const O2Order = z.object({
  order_id: WireId,
  side: O2Side,
  order_type: O2OrderType.optional(),
  market_id: WireId.optional(),
  price: U64String.optional(),
  quantity: U64String.optional(),
  quantity_fill: U64String.optional(),
  price_fill: U64String.optional(),
  timestamp: OpaqueTimestamp.optional(),
  close: z.boolean().optional(),
  partially_filled: z.boolean().optional(),
  cancel: z.boolean().optional(),
  desired_quantity: O2DesiredQuantity.optional(),
  base_decimals: z.number().int().nonnegative().optional(),
  account: O2Identity.optional(),
  owner: O2Identity.optional(),
  fill: z.unknown().optional(),
  fills: z.array(O2OrderFill).optional(),
  history: z
    .array(
      z.looseObject({
        type: z.string().optional(),
        status: z.string().optional(),
        tx_id: WireId.optional(),
      }),
    )
    .optional(),
  order_tx_history: z.unknown().optional(),
});
export type O2Order = z.output<typeof O2Order>;

/**
 * A public trade (WS `subscribe_trades`, `GET /v1/trades`). `side` is the maker's side;
 * `timestamp` is epoch milliseconds (number or string); `total` may exceed u64.
 *
 * @example
 * const trade = parse(O2Trade, json, 'o2 trade');
 */
export const O2Trade = z.object({
  trade_id: z.union([z.string().min(1), z.number().int().nonnegative().transform(String)]),
  side: O2Side.optional(),
  price: U64String,
  quantity: U64String,
  total: U128String.optional(),
  timestamp: z.union([
    z.number().int().nonnegative().refine(Number.isSafeInteger, { message: 'unsafe integer' }),
    z
      .string()
      .regex(/^\d{1,16}$/, { message: 'expected epoch milliseconds' })
      .transform(Number),
  ]),
  maker: O2Identity.optional(),
  taker: O2Identity.optional(),
  trader_side: z.enum(['maker', 'taker', 'both']).optional(),
});
export type O2Trade = z.output<typeof O2Trade>;
