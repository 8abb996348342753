import { createError } from '../../../src/errors/index.js';
import { parse } from '../../../src/schemas/index.js';
import type { O2DepthFrame } from './depth.js';
import { parseO2DepthFrameFast } from './fast-depth.js';
import {
  O2ActionErrorFrame,
  O2BalancesFrame,
  O2ErrorBody,
  O2NonceFrame,
  O2OrdersFrame,
  O2TradesFrame,
} from './stream-frames.js';

/**
 * One classified server message. `pong` is the plain-text heartbeat reply; `error` is a
 * `{code,message}` body or an `{"action":"error"}` frame; `unknown` is any other action
 * (to be counted and logged, not treated as data).
 */
export type O2ServerFrame =
  | { readonly type: 'pong' }
  | { readonly type: 'depth'; readonly frame: O2DepthFrame }
  | { readonly type: 'orders'; readonly frame: O2OrdersFrame }
  | { readonly type: 'trades'; readonly frame: O2TradesFrame }
  | { readonly type: 'balances'; readonly frame: O2BalancesFrame }
  | { readonly type: 'nonce'; readonly frame: O2NonceFrame }
  | { readonly type: 'error'; readonly frame: O2ErrorBody | O2ActionErrorFrame }
  | { readonly type: 'unknown'; readonly action: string | undefined; readonly frame: unknown };

/**
 * The frame type each data action routes to (aliases included).
 *
 * @example
 * O2_ACTION_ROUTES['trades']; // 'trades' (the TS SDK's alias of subscribe_trades)
 */
export const O2_ACTION_ROUTES = {
  subscribe_depth: 'depth',
  subscribe_depth_update: 'depth',
  subscribe_orders: 'orders',
  subscribe_trades: 'trades',
  trades: 'trades',
  subscribe_balances: 'balances',
  subscribe_nonce: 'nonce',
  nonce: 'nonce',
} as const;

/**
 * Parses one text message from the O2 socket: `PONG` → `{type:'pong'}`, anything else
 * must be JSON (`MESSAGE_PARSE_FAILED` otherwise) and is classified by
 * {@link parseO2ServerFrame}.
 *
 * @example
 * const msg = parseO2ServerMessage(data.toString());
 * if (msg.type === 'depth') book.apply(msg.frame);
 */
export function parseO2ServerMessage(text: string): O2ServerFrame {
  if (text === 'PONG') return { type: 'pong' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw createError(
      'MESSAGE_PARSE_FAILED',
      `o2 socket: frame is not JSON (${text.length} chars)`,
      {
        context: { exchange: 'o2', preview: text.slice(0, 80) },
        cause: e,
      },
    );
  }
  return parseO2ServerFrame(json);
}

/**
 * Validates and classifies one decoded O2 server frame by its `action` (and aliases).
 * A malformed data frame throws `VALIDATION_FAILED` naming the failing field
 * (e.g. `orders.0.side`).
 *
 * @example
 * const f = parseO2ServerFrame(JSON.parse(text));
 * if (f.type === 'trades') for (const t of f.frame.trades) console.log(t.price);
 */
export function parseO2ServerFrame(json: unknown): O2ServerFrame {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw createError('VALIDATION_FAILED', 'o2 server frame: expected a JSON object', {
      context: { exchange: 'o2', what: 'o2 server frame', path: '' },
    });
  }
  const action = (json as { action?: unknown }).action;
  if (action === undefined && ('code' in json || 'message' in json || 'error' in json)) {
    return { type: 'error', frame: parse(O2ErrorBody, json, 'o2 error frame') };
  }
  if (typeof action !== 'string') {
    return { type: 'unknown', action: undefined, frame: json };
  }
  const route = (O2_ACTION_ROUTES as Record<string, string | undefined>)[action];
  switch (route) {
    case 'depth':
      return { type: 'depth', frame: parseO2DepthFrameFast(json, `o2 ${action} frame`) };
    case 'orders':
      return { type: 'orders', frame: parse(O2OrdersFrame, json, `o2 ${action} frame`) };
    case 'trades':
      return { type: 'trades', frame: parse(O2TradesFrame, json, `o2 ${action} frame`) };
    case 'balances':
      return { type: 'balances', frame: parse(O2BalancesFrame, json, `o2 ${action} frame`) };
    case 'nonce':
      return { type: 'nonce', frame: parse(O2NonceFrame, json, `o2 ${action} frame`) };
    default:
      if (action === 'error') {
        return { type: 'error', frame: parse(O2ActionErrorFrame, json, 'o2 error frame') };
      }
      return { type: 'unknown', action, frame: json };
  }
}
