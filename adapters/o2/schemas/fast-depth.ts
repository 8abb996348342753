import { parse } from '../../../src/schemas/index.js';
import { type O2DepthBook, O2DepthFrame, type O2DepthLevel } from './depth.js';

/**
 * A hand-written parser for the hot depth channel. It accepts exactly what
 * {@link O2DepthFrame} accepts and produces the same value; whenever a frame is anything but
 * the plain common case (a long integer string, an odd level, a missing book…) it hands the
 * frame to the zod schema, which then either accepts it or throws the precise
 * `VALIDATION_FAILED`. A property test keeps the two in agreement.
 */

const DIGITS = /^\d+$/;

// Digit strings shorter than 20 always fit a u64; longer ones go to the schema.
function u64(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length < 20 && DIGITS.test(v) ? v : undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return undefined;
}

function opaque(v: unknown): string | undefined {
  if (typeof v === 'string') return DIGITS.test(v) ? v : undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return undefined;
}

function levels(list: unknown): O2DepthLevel[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const out: O2DepthLevel[] = new Array<O2DepthLevel>(list.length);
  for (let i = 0; i < list.length; i++) {
    const l: unknown = list[i];
    let price: string | undefined;
    let quantity: string | undefined;
    if (Array.isArray(l)) {
      if (l.length !== 2) return undefined;
      price = u64(l[0]);
      quantity = u64(l[1]);
    } else if (typeof l === 'object' && l !== null) {
      price = u64((l as { price?: unknown }).price);
      quantity = u64((l as { quantity?: unknown }).quantity);
    }
    if (price === undefined || quantity === undefined) return undefined;
    out[i] = { price, quantity };
  }
  return out;
}

function book(v: unknown): O2DepthBook | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const b = v as { precision?: unknown; buys?: unknown; sells?: unknown };
  const buys = levels(b.buys);
  const sells = buys === undefined ? undefined : levels(b.sells);
  if (buys === undefined || sells === undefined) return undefined;
  const p = b.precision;
  if (p === undefined) return 'precision' in b ? undefined : { buys, sells };
  if (typeof p !== 'number' && typeof p !== 'string') return undefined;
  return { precision: p, buys, sells };
}

function fast(json: unknown): O2DepthFrame | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const f = json as Record<string, unknown>;
  const action = f['action'];
  if (action !== 'subscribe_depth' && action !== 'subscribe_depth_update') return undefined;
  const marketId = f['market_id'];
  if (typeof marketId !== 'string' || marketId === '') return undefined;
  const out: Record<string, unknown> = { action, market_id: marketId.toLowerCase() };
  let hasBook = false;
  for (const key of ['view', 'orders', 'changes'] as const) {
    if (!(key in f)) continue;
    const raw = f[key];
    if (raw === undefined) continue;
    const b = book(raw);
    if (b === undefined) return undefined;
    out[key] = b;
    if (key !== 'changes') hasBook = true;
  }
  if (hasBook === 'changes' in out) return undefined; // neither or both: the schema explains
  for (const key of ['onchain_timestamp', 'seen_timestamp'] as const) {
    const raw = f[key];
    if (raw === undefined) continue;
    const t = opaque(raw);
    if (t === undefined) return undefined;
    out[key] = t;
  }
  out['kind'] = hasBook ? 'snapshot' : 'update';
  return out as O2DepthFrame;
}

/**
 * Parses a decoded depth frame like `parse(O2DepthFrame, json, what)`, several times faster
 * on the common case.
 *
 * @example
 * const frame = parseO2DepthFrameFast(JSON.parse(text));
 * frame.kind; // 'snapshot' | 'update'
 */
export function parseO2DepthFrameFast(json: unknown, what = 'o2 depth frame'): O2DepthFrame {
  return fast(json) ?? parse(O2DepthFrame, json, what);
}
