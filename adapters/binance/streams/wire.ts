import { z } from 'zod';
import type { LevelInput } from '../../../src/book/index.js';

// Wire shapes of the Binance market streams and user data events (binance-spot.md §6, §8).
// The market streams are the hot path: they are checked by hand (a few typeof tests per
// frame); the user data events are rare and go through zod.

/**
 * A combined-stream frame: `{"stream":"btcusdt@depth@100ms","data":{…}}`.
 *
 * @example
 * const frame: BinanceCombinedFrame = { stream: 'btcusdt@trade', data: { e: 'trade' } };
 */
export interface BinanceCombinedFrame {
  readonly stream: string;
  readonly data: unknown;
}

/**
 * A `depthUpdate` event of the diff stream `<symbol>@depth@100ms`.
 *
 * @example
 * const d: BinanceDepthUpdate = { e: 'depthUpdate', E: 1, s: 'BTCUSDT', U: 157, u: 160, b: [], a: [] };
 */
export interface BinanceDepthUpdate {
  readonly e: 'depthUpdate';
  readonly E: number;
  readonly s: string;
  readonly U: number;
  readonly u: number;
  readonly b: readonly LevelInput[];
  readonly a: readonly LevelInput[];
}

/**
 * A `trade` event of `<symbol>@trade`.
 *
 * @example
 * const t: BinanceTradeEvent = { e: 'trade', E: 1, s: 'BTCUSDT', t: 12, p: '1.0', q: '2', T: 1, m: true };
 */
export interface BinanceTradeEvent {
  readonly e: 'trade';
  readonly E: number;
  readonly s: string;
  readonly t: number;
  readonly p: string;
  readonly q: string;
  readonly T: number;
  readonly m: boolean;
}

function isLevels(v: unknown): v is readonly LevelInput[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) {
    const l: unknown = v[i];
    if (!Array.isArray(l) || typeof l[0] !== 'string' || typeof l[1] !== 'string') return false;
  }
  return true;
}

/**
 * True when `d` has the fields the depth sync relies on (`U`, `u` integers, `b` / `a` lists
 * of `[price, qty]` strings). The book itself validates each number as it applies it.
 *
 * @example
 * if (!isBinanceDepthUpdate(frame.data)) report(frame);
 */
export function isBinanceDepthUpdate(d: unknown): d is BinanceDepthUpdate {
  if (typeof d !== 'object' || d === null) return false;
  const o = d as Record<string, unknown>;
  return (
    o.e === 'depthUpdate' &&
    Number.isSafeInteger(o.U) &&
    Number.isSafeInteger(o.u) &&
    isLevels(o.b) &&
    isLevels(o.a)
  );
}

/**
 * True when `d` is a well-formed `trade` event.
 *
 * @example
 * if (isBinanceTradeEvent(frame.data)) handle(frame.data);
 */
export function isBinanceTradeEvent(d: unknown): d is BinanceTradeEvent {
  if (typeof d !== 'object' || d === null) return false;
  const o = d as Record<string, unknown>;
  return (
    o.e === 'trade' &&
    typeof o.s === 'string' &&
    Number.isSafeInteger(o.t) &&
    typeof o.p === 'string' &&
    typeof o.q === 'string' &&
    typeof o.T === 'number' &&
    typeof o.m === 'boolean'
  );
}

const decimalString = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string');

/**
 * The `executionReport` user data event (fields tickwire reads; others pass through).
 *
 * @example
 * const report = parse(BinanceExecutionReport, frame.event, 'binance executionReport');
 */
export const BinanceExecutionReport = z.looseObject({
  e: z.literal('executionReport'),
  E: z.number(),
  s: z.string(),
  c: z.string(),
  S: z.enum(['BUY', 'SELL']),
  o: z.string(),
  q: decimalString,
  p: decimalString,
  C: z.string().nullish(),
  x: z.string(),
  X: z.string(),
  i: z.number().int(),
  l: decimalString,
  z: decimalString,
  L: decimalString,
  T: z.number().optional(),
  t: z.number().int().optional(),
});
/** The `executionReport` user data event. */
export type BinanceExecutionReport = z.infer<typeof BinanceExecutionReport>;

/**
 * The `outboundAccountPosition` user data event: absolute free / locked per asset.
 *
 * @example
 * const pos = parse(BinanceAccountPosition, frame.event, 'binance outboundAccountPosition');
 */
export const BinanceAccountPosition = z.looseObject({
  e: z.literal('outboundAccountPosition'),
  E: z.number(),
  u: z.number().optional(),
  B: z.array(z.looseObject({ a: z.string(), f: decimalString, l: decimalString })),
});
/** The `outboundAccountPosition` user data event. */
export type BinanceAccountPosition = z.infer<typeof BinanceAccountPosition>;

/**
 * The `balanceUpdate` user data event: a **delta** `d` of one asset.
 *
 * @example
 * const delta = parse(BinanceBalanceDelta, frame.event, 'binance balanceUpdate');
 */
export const BinanceBalanceDelta = z.looseObject({
  e: z.literal('balanceUpdate'),
  E: z.number(),
  a: z.string(),
  d: decimalString,
  T: z.number().optional(),
});
/** The `balanceUpdate` user data event. */
export type BinanceBalanceDelta = z.infer<typeof BinanceBalanceDelta>;
