// The Binance depth lane's scanners (scanBinanceDepthHead + scanBinanceDepthLevels): on
// generated and mutated frames they read exactly what JSON.parse reads, key each price as
// its digits and decimals, and never decline a frame the fast parser takes (when its prices
// fit the keyed form).
import fc from 'fast-check';
import { PreparedLevels } from '../../../src/book/index.js';
import {
  parseBinanceDepthFrameFast,
  scanBinanceDepthHead,
  scanBinanceDepthLevels,
  scannedDepth,
} from '../../../adapters/binance/streams/fast-depth.js';
import { applyEdits, textEdits } from '../../support/text-edits.js';
import { depthOf, level, streamName } from './depth-frames.js';

type Level = [string, string];
interface Frame {
  readonly stream: string;
  readonly data: {
    readonly e: string;
    readonly E: number;
    readonly s: string;
    readonly U: number;
    readonly u: number;
    readonly b: Level[];
    readonly a: Level[];
  };
}

const TWO_53 = 2n ** 53n;

/** The reference key of a price: its digits without trailing fraction zeros, and their decimals. */
function keyOf(price: string): { digits: bigint; decimals: number } {
  const [int, frac = ''] = price.split('.') as [string, string?];
  const f = frac.replace(/0+$/, '');
  return { digits: BigInt(int + f), decimals: f.length };
}

const isZero = (quantity: string): boolean => !/[1-9]/.test(quantity);
/**
 * Whether a price fits the keyed form: digits below 2^53 and at most 22 decimals (the scanner
 * declines a non-zero fraction digit after 22 or more zeros, e.g. `0.000…0001` with 23
 * decimals, which the fast parser takes; no exchange price has that many decimals).
 */
const fits = (price: string): boolean => {
  const k = keyOf(price);
  return k.digits < TWO_53 && k.decimals <= 22;
};

/** Levels whose prices fit the keyed form (digits below 2^53). */
const fittingLevel = level.filter(([p]) => fits(p));

/** Combined frames (the only form the lane reads) whose prices all fit. */
const combinedFrame = fc.tuple(depthOf(fittingLevel), streamName).map(([d, stream]) =>
  JSON.stringify({
    stream,
    data: { e: 'depthUpdate', E: d.E, s: d.s, U: d.U, u: d.u, b: d.b, a: d.a },
  }),
);

/** Combined frames with any plain prices (some too long to key). */
const anyCombinedFrame = fc.tuple(depthOf(level), streamName).map(([d, stream]) =>
  JSON.stringify({
    stream,
    data: { e: 'depthUpdate', E: d.E, s: d.s, U: d.U, u: d.u, b: d.b, a: d.a },
  }),
);

/** Mutation sources: mostly frames whose prices fit, so that edited ones are often still read. */
const mutable = fc.oneof(
  { arbitrary: combinedFrame, weight: 3 },
  { arbitrary: anyCombinedFrame, weight: 1 },
);

const levels = new PreparedLevels();

/** Both scans on `text`: true when both accept. */
function scan(text: string): boolean {
  const at = scanBinanceDepthHead(text);
  return at > 0 && scanBinanceDepthLevels(text, at, levels);
}

/** What the scans read equals `frame` (JSON.parse's value), key by key. */
function expectScannedEquals(frame: Frame): void {
  const d = frame.data;
  expect(scannedDepth).toEqual({ stream: frame.stream, E: d.E, U: d.U, u: d.u });
  const all = [...d.b, ...d.a];
  expect(levels.count).toBe(all.length);
  expect(levels.bidCount).toBe(d.b.length);
  const n = levels.count;
  expect(levels.prices.slice(0, n)).toEqual(all.map((l) => l[0]));
  expect(levels.quantities.slice(0, n)).toEqual(all.map((l) => l[1]));
  expect(levels.zero.slice(0, n)).toEqual(all.map((l) => isZero(l[1])));
  const keys = all.map((l) => keyOf(l[0]));
  expect(levels.priceDigits.slice(0, n).map((v) => BigInt(v))).toEqual(keys.map((k) => k.digits));
  expect(levels.priceDecimals.slice(0, n)).toEqual(keys.map((k) => k.decimals));
}

function parsed(text: string): Frame | undefined {
  try {
    return JSON.parse(text) as Frame;
  } catch {
    return undefined;
  }
}

describe('scanBinanceDepthHead / scanBinanceDepthLevels', () => {
  it('reads the documented example: head fields, levels, keys and zero flags', () => {
    const text =
      '{"stream":"bnbbtc@depth@100ms","data":{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"],["0.00230","0.000"]],"a":[["26.000","100"]]}}';
    expect(scan(text)).toBe(true);
    expect(scannedDepth).toEqual({
      stream: 'bnbbtc@depth@100ms',
      E: 1672515782136,
      U: 157,
      u: 160,
    });
    expect(levels.bidCount).toBe(2);
    expect(levels.count).toBe(3);
    expect(levels.priceDigits.slice(0, 3)).toEqual([24, 23, 26]);
    expect(levels.priceDecimals.slice(0, 3)).toEqual([4, 4, 0]);
    expect(levels.zero.slice(0, 3)).toEqual([false, true, false]);
  });

  it('declines raw frames, other events, and prices whose digits reach 2^53', () => {
    const raw = '{"e":"depthUpdate","E":1,"s":"X","U":1,"u":2,"b":[],"a":[]}';
    expect(scanBinanceDepthHead(raw)).toBe(-1);
    expect(
      scanBinanceDepthHead(
        '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1","q":"1","T":1,"m":true}}',
      ),
    ).toBe(-1);
    const big = (price: string): string =>
      `{"stream":"x@depth","data":{"e":"depthUpdate","E":1,"s":"X","U":1,"u":2,"b":[["${price}","1"]],"a":[]}}`;
    expect(scan(big('9007199254740991'))).toBe(true); // 2^53 - 1
    expect(scan(big('900719925474099.10'))).toBe(true); // trailing zero dropped: 2^53 - 1
    expect(scan(big('9007199254740992'))).toBe(false); // 2^53
    expect(scan(big('90071992547409.920'))).toBe(false);
    expect(parseBinanceDepthFrameFast(big('9007199254740992'))).toBeDefined(); // the slow lane reads it
  });

  it('property: on generated combined frames both scans accept and read what JSON.parse reads', () => {
    fc.assert(
      fc.property(combinedFrame, (text) => {
        expect(scan(text)).toBe(true);
        expectScannedEquals(JSON.parse(text) as Frame);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: on mutated frames, when both scans accept, JSON.parse succeeds and agrees', () => {
    let accepted = 0;
    fc.assert(
      fc.property(mutable, textEdits, fc.boolean(), (text, edits, warm) => {
        // A warm cache (the original frame scanned first) takes the cached-head paths.
        if (warm) scan(text);
        const t = applyEdits(text, edits);
        if (!scan(t)) return;
        accepted++;
        const frame = parsed(t);
        expect(frame).toBeDefined();
        expectScannedEquals(frame!);
      }),
      { numRuns: 5000 },
    );
    // Not vacuous: many edited frames (an edited digit, a dropped level) are still read.
    expect(accepted).toBeGreaterThan(250);
  });

  it('property: a combined frame the fast parser takes, with prices that fit, is taken by the scans too', () => {
    let taken = 0;
    fc.assert(
      fc.property(mutable, textEdits, fc.boolean(), (text, edits, warm) => {
        if (warm) scan(text);
        const t = applyEdits(text, edits);
        const fast = parseBinanceDepthFrameFast(t) as Frame | undefined;
        if (fast === undefined || !('stream' in fast)) return;
        if (![...fast.data.b, ...fast.data.a].every(([p]) => fits(p))) return;
        taken++;
        expect(scan(t)).toBe(true);
        expectScannedEquals(fast);
      }),
      { numRuns: 5000 },
    );
    expect(taken).toBeGreaterThan(250);
  });

  it('property: alternating streams and symbols, every frame reads its own stream (no stale cache)', () => {
    // Names that are prefixes of one another, so a cache compared too loosely would match.
    const streams = fc.constantFrom('btcusdt@depth', 'btcusdt@depth@100ms', 'ethbtc@depth');
    const symbols = fc.constantFrom('BTCUSDT', 'BTCUSDTX', 'ETHBTC');
    const frame = fc.tuple(depthOf(fittingLevel), streams, symbols).map(([d, stream, s]) => ({
      stream,
      data: { e: 'depthUpdate', E: d.E, s, U: d.U, u: d.u, b: d.b, a: d.a },
    }));
    fc.assert(
      fc.property(fc.array(frame, { minLength: 2, maxLength: 12 }), (frames) => {
        for (const f of frames) {
          const text = JSON.stringify(f);
          expect(scan(text)).toBe(true);
          expectScannedEquals(f);
          // The fast parser keeps its own stream / symbol cache: same check.
          expect(parseBinanceDepthFrameFast(text)).toStrictEqual(f);
        }
      }),
      { numRuns: 200 },
    );
  });
});
