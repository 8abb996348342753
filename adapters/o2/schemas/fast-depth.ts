import { parse } from '../../../src/schemas/index.js';
import { type O2DepthBook, O2DepthFrame, type O2DepthLevel } from './depth.js';
import { isScannedO2DepthDelta } from './fast-depth-text.js';
import { normalizeO2Depth, type O2DepthUpdate } from './normalize.js';

/**
 * A hand-written parser for the hot depth channel. It accepts exactly what
 * {@link O2DepthFrame} accepts and produces the same value; whenever a frame is anything but
 * the plain common case (a long integer string, an odd level, a missing book…) it hands the
 * frame to the zod schema, which then either accepts it or throws the precise
 * `VALIDATION_FAILED`. A property test keeps the two in agreement.
 */

// A non-empty run of ASCII digits (what `/^\d+$/` accepts), without a regex call.
function isDigits(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    if ((s.charCodeAt(i) - 48) >>> 0 > 9) return false;
  }
  return true;
}

// Digit strings shorter than 20 always fit a u64; longer ones go to the schema.
function u64(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length < 20 && isDigits(v) ? v : undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return undefined;
}

function opaque(v: unknown): string | undefined {
  if (typeof v === 'string') return isDigits(v) ? v : undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return undefined;
}

// The last timestamp string that passed: both timestamps of a frame, and the frames of one
// block, carry the same one, so most checks are one string comparison.
let lastTimestamp = '';
function timestamp(v: unknown): string | undefined {
  if (typeof v === 'string' && v === lastTimestamp && v !== '') return v;
  const t = opaque(v);
  if (typeof v === 'string' && t !== undefined) lastTimestamp = v;
  return t;
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

// The lower-cased market id of the last frame: every frame of a market names the same id,
// so the common case is one string comparison instead of a new lower-cased string.
let lastId = '';
let lastLower = '';
function lowerId(id: string): string {
  if (id !== lastId) {
    lastLower = id.toLowerCase();
    lastId = id;
  }
  return lastLower;
}

function fast(json: unknown): O2DepthFrame | undefined {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const f = json as Record<string, unknown>;
  const action = f['action'];
  if (action !== 'subscribe_depth' && action !== 'subscribe_depth_update') return undefined;
  const marketId = f['market_id'];
  if (typeof marketId !== 'string' || marketId === '') return undefined;
  const view = f['view'];
  const orders = f['orders'];
  const changes = f['changes'];
  const onchain = f['onchain_timestamp'];
  const seen = f['seen_timestamp'];
  if (
    changes !== undefined &&
    view === undefined &&
    orders === undefined &&
    onchain !== undefined &&
    seen !== undefined
  ) {
    // The common delta: one literal of a fixed shape (same keys as the schema's output).
    const b = book(changes);
    const o = opaque(onchain);
    const s = opaque(seen);
    if (b === undefined || o === undefined || s === undefined) return undefined;
    return {
      action,
      market_id: lowerId(marketId),
      changes: b,
      onchain_timestamp: o,
      seen_timestamp: s,
      kind: 'update',
    };
  }
  const out: Record<string, unknown> = { action, market_id: lowerId(marketId) };
  let hasBook = false;
  let hasChanges = false;
  if (view !== undefined) {
    const b = book(view);
    if (b === undefined) return undefined;
    out['view'] = b;
    hasBook = true;
  }
  if (orders !== undefined) {
    const b = book(orders);
    if (b === undefined) return undefined;
    out['orders'] = b;
    hasBook = true;
  }
  if (changes !== undefined) {
    const b = book(changes);
    if (b === undefined) return undefined;
    out['changes'] = b;
    hasChanges = true;
  }
  if (hasBook === hasChanges) return undefined; // neither or both: the schema explains
  if (onchain !== undefined) {
    const t = opaque(onchain);
    if (t === undefined) return undefined;
    out['onchain_timestamp'] = t;
  }
  if (seen !== undefined) {
    const t = opaque(seen);
    if (t === undefined) return undefined;
    out['seen_timestamp'] = t;
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

/**
 * Parses a decoded depth frame straight into its normalised update, exactly as
 * `normalizeO2Depth(parseO2DepthFrameFast(json), market, json, receivedAt)` would (a
 * property test keeps them equal), without the intermediate frame and book objects on the
 * common delta (changes without `precision`, both timestamps). Anything else takes that
 * general path, so malformed frames throw the same `VALIDATION_FAILED`.
 *
 * @example
 * const update = parseO2DepthUpdateFast(JSON.parse(text), 'fFUEL/fUSDC', Date.now());
 * update.kind; // 'snapshot' | 'delta'
 */
export function parseO2DepthUpdateFast(
  json: unknown,
  market: string,
  receivedAt: number,
): O2DepthUpdate {
  return (
    fastDelta(json, market, receivedAt) ??
    normalizeO2Depth(parseO2DepthFrameFast(json), market, json, receivedAt)
  );
}

function fastDelta(json: unknown, market: string, receivedAt: number): O2DepthUpdate | undefined {
  if (isScannedO2DepthDelta(json)) {
    // Read from the text and validated on the way: levels and timestamps as they are.
    return {
      kind: 'delta',
      market,
      marketId: lowerId(json.market_id),
      bids: json.changes.buys,
      asks: json.changes.sells,
      receivedAt,
      raw: json,
      onchainTimestamp: json.onchain_timestamp,
      seenTimestamp: json.seen_timestamp,
    };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const f = json as Record<string, unknown>;
  const action = f['action'];
  if (action !== 'subscribe_depth' && action !== 'subscribe_depth_update') return undefined;
  const marketId = f['market_id'];
  if (typeof marketId !== 'string' || marketId === '') return undefined;
  const changes = f['changes'];
  if (
    typeof changes !== 'object' ||
    changes === null ||
    Array.isArray(changes) ||
    f['view'] !== undefined ||
    f['orders'] !== undefined
  ) {
    return undefined;
  }
  const c = changes as { precision?: unknown; buys?: unknown; sells?: unknown };
  // A `precision` (or a present-but-undefined one) takes the general path.
  if (c.precision !== undefined) return undefined;
  const bids = levels(c.buys);
  const asks = bids === undefined ? undefined : levels(c.sells);
  if (bids === undefined || asks === undefined) return undefined;
  const onchain = timestamp(f['onchain_timestamp']);
  const seen = timestamp(f['seen_timestamp']);
  if (onchain === undefined || seen === undefined) return undefined;
  // Same keys, in the same order, as normalizeO2Depth's output for this frame.
  return {
    kind: 'delta',
    market,
    marketId: lowerId(marketId),
    bids,
    asks,
    receivedAt,
    raw: json,
    onchainTimestamp: onchain,
    seenTimestamp: seen,
  };
}
