import { z } from 'zod';
import { OpaqueTimestamp, U64String, WireId } from './primitives.js';

/**
 * One depth level, as an object `{price, quantity}` (SDK tests) or a tuple `[price, qty]`
 * (the official bot's REST typing); produced as `{price, quantity}` exact strings.
 *
 * @example
 * O2DepthLevel.parse(['21300000', '1500000000000']); // { price: '21300000', quantity: '1500000000000' }
 */
export const O2DepthLevel = z.preprocess(
  // Tuples are rewritten first so that errors name `price` / `quantity` in both forms.
  (v) => (Array.isArray(v) && v.length === 2 ? { price: v[0], quantity: v[1] } : v),
  z.object({ price: U64String, quantity: U64String }),
);
export type O2DepthLevel = z.output<typeof O2DepthLevel>;

/**
 * A book or a set of changes: `buys` (bids) and `sells` (asks), plus the optional numeric
 * `precision` of a snapshot view.
 *
 * @example
 * O2DepthBook.parse({ buys: [], sells: [] });
 */
export const O2DepthBook = z.object({
  precision: z.union([z.number(), z.string()]).optional(),
  buys: z.array(O2DepthLevel),
  sells: z.array(O2DepthLevel),
});
export type O2DepthBook = z.output<typeof O2DepthBook>;

const depthAction = z.enum(['subscribe_depth', 'subscribe_depth_update']);

/**
 * A WS depth frame, snapshot or update. The kind is decided by the payload key — `view` or
 * `orders` is a full book (reset), `changes` is an incremental update — not by `action`
 * alone: an SDK test sends `subscribe_depth` with `changes` (fixture D10).
 *
 * @example
 * const frame = parse(O2DepthFrame, json, 'o2 depth frame');
 * frame.kind; // 'snapshot' (view/orders) or 'update' (changes)
 */
export const O2DepthFrame = z
  .object({
    action: depthAction,
    market_id: WireId,
    view: O2DepthBook.optional(),
    orders: O2DepthBook.optional(),
    changes: O2DepthBook.optional(),
    onchain_timestamp: OpaqueTimestamp.optional(),
    seen_timestamp: OpaqueTimestamp.optional(),
  })
  .superRefine((f, ctx) => {
    const book = f.view ?? f.orders;
    if (book === undefined && f.changes === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['view'],
        message: 'expected a book under "view", "orders" or "changes"',
      });
    } else if (book !== undefined && f.changes !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['changes'],
        message: 'a depth frame carries either a book or changes, not both',
      });
    }
  })
  .transform((f) => ({
    ...f,
    kind:
      f.view !== undefined || f.orders !== undefined ? ('snapshot' as const) : ('update' as const),
  }));
export type O2DepthFrame = z.output<typeof O2DepthFrame>;

/**
 * `GET /v1/depth`: the book under `orders` (docs), `view`, or at the top level; levels as
 * objects or tuples. Produced as `{market_id?, buys, sells}`.
 *
 * @example
 * const depth = parse(O2DepthResponse, body, 'o2 GET /v1/depth');
 * depth.buys[0]?.price;
 */
export const O2DepthResponse = z
  .object({
    action: z.string().optional(),
    market_id: WireId.optional(),
    orders: O2DepthBook.optional(),
    view: O2DepthBook.optional(),
    buys: z.array(O2DepthLevel).optional(),
    sells: z.array(O2DepthLevel).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.orders === undefined && r.view === undefined && r.buys === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['orders'],
        message: 'expected a book under "orders", "view" or top-level "buys"/"sells"',
      });
    }
  })
  .transform((r) => {
    const book = r.orders ?? r.view;
    return {
      ...(r.market_id === undefined ? {} : { market_id: r.market_id }),
      buys: book?.buys ?? r.buys ?? [],
      sells: book?.sells ?? r.sells ?? [],
    };
  });
export type O2DepthResponse = z.output<typeof O2DepthResponse>;
