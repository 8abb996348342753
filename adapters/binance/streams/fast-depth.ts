import type { BinanceCombinedFrame, BinanceDepthUpdate } from './wire.js';

/**
 * A hand-written parser for the hot Binance diff depth frame (binance-spot.md §6, §7), in
 * both forms: combined `{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate",…}}` and
 * raw `{"e":"depthUpdate",…}`. It reads the text once, without `JSON.parse`, and builds the
 * same value `JSON.parse` would (same keys in the same order, the exact wire strings of every
 * price and quantity). It recognises only the plain compact form Binance sends — the keys
 * `e E s U u b a` in that order, safe integers without a leading zero,
 * decimal strings `\d+(\.\d+)?`, names without escapes — and returns `undefined` for anything
 * else, which then takes `JSON.parse` and the usual guards. A property test keeps it equal
 * to that generic path on generated frames and on mutated ones.
 */

const QUOTE = 0x22; // "
const COMMA = 0x2c; // ,
const DOT = 0x2e; // .
const OPEN_SQ = 0x5b; // [
const CLOSE_SQ = 0x5d; // ]
const CLOSE_CURLY = 0x7d; // }
const BACKSLASH = 0x5c;

const COMBINED_HEAD = '{"stream":"';
const DATA_KEY = ',"data":';
const DEPTH_HEAD = '{"e":"depthUpdate","E":';

// Parser state for one frame (module-level: the parser is synchronous and not re-entrant).
let src = '';
let pos = 0;

/** A JSON string without escapes or control characters; `undefined` otherwise. Starts after the opening quote. */
function plainString(): string | undefined {
  const s = src;
  const start = pos;
  const n = s.length;
  for (let i = start; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      pos = i + 1;
      return s.slice(start, i);
    }
    if (c < 0x20 || c === BACKSLASH || c > 0x7e) return undefined;
  }
  return undefined;
}

/** A non-negative safe integer of 1–16 digits without a leading zero; -1 otherwise. */
function integer(): number {
  const s = src;
  let i = pos;
  const start = i;
  let v = 0;
  for (;;) {
    const c = s.charCodeAt(i); // NaN past the end: not a digit
    if (!(c >= 48 && c <= 57)) break;
    v = v * 10 + (c - 48);
    i++;
  }
  const len = i - start;
  // Up to 16 digits the running value is exact while it stays safe, and a larger one can
  // only round up, so `v > MAX_SAFE_INTEGER` catches every unsafe one.
  if (len === 0 || len > 16 || v > Number.MAX_SAFE_INTEGER) return -1;
  if (len > 1 && s.charCodeAt(start) === 48) return -1;
  pos = i;
  return v;
}

// NaN (past the end) is not a digit.
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** `"<digits>[.<digits>]"` (the opening quote included); the text between the quotes, or `undefined`. */
function decimal(): string | undefined {
  const s = src;
  if (s.charCodeAt(pos) !== QUOTE) return undefined;
  const start = pos + 1;
  let i = start;
  while (isDigit(s.charCodeAt(i))) i++;
  if (i === start) return undefined;
  if (s.charCodeAt(i) === DOT) {
    const frac = ++i;
    while (isDigit(s.charCodeAt(i))) i++;
    if (i === frac) return undefined;
  }
  if (s.charCodeAt(i) !== QUOTE) return undefined;
  pos = i + 1;
  return s.slice(start, i);
}

/** `[["p","q"],…]`: the levels as `[price, quantity]` tuples, or `undefined`. */
function levels(): [string, string][] | undefined {
  const s = src;
  if (s.charCodeAt(pos) !== OPEN_SQ) return undefined;
  pos++;
  const out: [string, string][] = [];
  if (s.charCodeAt(pos) === CLOSE_SQ) {
    pos++;
    return out;
  }
  for (;;) {
    if (s.charCodeAt(pos) !== OPEN_SQ) return undefined;
    pos++;
    const price = decimal();
    if (price === undefined || s.charCodeAt(pos) !== COMMA) return undefined;
    pos++;
    const quantity = decimal();
    if (quantity === undefined || s.charCodeAt(pos) !== CLOSE_SQ) return undefined;
    pos++;
    out.push([price, quantity]);
    const c = s.charCodeAt(pos++);
    if (c === CLOSE_SQ) return out;
    if (c !== COMMA) return undefined;
  }
}

function expect(literal: string): boolean {
  if (!src.startsWith(literal, pos)) return false;
  pos += literal.length;
  return true;
}

/** The depth object at `pos` (through its closing brace), or `undefined`. */
function depthObject(): BinanceDepthUpdate | undefined {
  if (!expect(DEPTH_HEAD)) return undefined;
  const E = integer();
  if (E < 0 || !expect(',"s":"')) return undefined;
  const symbol = plainString();
  if (symbol === undefined || !expect(',"U":')) return undefined;
  const U = integer();
  if (U < 0 || !expect(',"u":')) return undefined;
  const u = integer();
  if (u < 0 || !expect(',"b":')) return undefined;
  const b = levels();
  if (b === undefined || !expect(',"a":')) return undefined;
  const a = levels();
  if (a === undefined || src.charCodeAt(pos) !== CLOSE_CURLY) return undefined;
  pos++;
  // Same keys in the same order as JSON.parse's object.
  return { e: 'depthUpdate', E, s: symbol, U, u, b, a };
}

// The last value the parser produced: {@link isFastParsedDepth} lets the hot path skip the
// guard for it (it was validated while being read; nobody mutates it).
let lastDepth: BinanceDepthUpdate | undefined;

/**
 * Parses the text of a Binance diff depth frame (combined or raw form) as `JSON.parse` would,
 * when it is in the plain compact form; `undefined` for anything else (other events, other
 * layouts, escapes, numbers or decimals in an unusual form, malformed JSON), which the caller
 * then hands to `JSON.parse`.
 *
 * @example
 * const m = parseBinanceDepthFrameFast(text) ?? JSON.parse(text);
 */
export function parseBinanceDepthFrameFast(
  text: string,
): BinanceCombinedFrame | BinanceDepthUpdate | undefined {
  src = text;
  pos = 0;
  try {
    if (text.startsWith(COMBINED_HEAD)) {
      pos = COMBINED_HEAD.length;
      const stream = plainString();
      if (stream === undefined || !expect(DATA_KEY)) return undefined;
      const data = depthObject();
      if (data === undefined || pos !== text.length - 1 || text.charCodeAt(pos) !== CLOSE_CURLY) {
        return undefined;
      }
      lastDepth = data;
      return { stream, data };
    }
    const data = depthObject();
    if (data === undefined || pos !== text.length) return undefined;
    lastDepth = data;
    return data;
  } finally {
    src = '';
  }
}

/**
 * True when `d` is the depth payload the fast parser produced last (already validated:
 * `U` / `u` safe integers, `b` / `a` lists of `[price, quantity]` decimal strings).
 *
 * @example
 * if (!isFastParsedDepth(d) && !isBinanceDepthUpdate(d)) report(d);
 */
export function isFastParsedDepth(d: unknown): d is BinanceDepthUpdate {
  return d === lastDepth && d !== undefined;
}

/**
 * The market-stream connection's frame decoder: the fast depth parser, else `JSON.parse` of
 * the UTF-8 text (so a malformed frame throws the same `SyntaxError` as the default decoder).
 *
 * @example
 * new WsPool({ urls, decode: decodeBinanceStreamFrame, router });
 */
export function decodeBinanceStreamFrame(data: Buffer): unknown {
  const text = data.toString();
  return parseBinanceDepthFrameFast(text) ?? (JSON.parse(text) as unknown);
}
