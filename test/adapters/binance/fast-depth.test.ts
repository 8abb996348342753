import fc from 'fast-check';
import { applyEdits, textEdits } from '../../support/text-edits.js';
import { frameText } from './depth-frames.js';
import {
  decodeBinanceStreamFrame,
  isFastParsedDepth,
  parseBinanceDepthFrameFast,
} from '../../../adapters/binance/streams/fast-depth.js';
import { isBinanceDepthUpdate } from '../../../adapters/binance/streams/wire.js';

type Outcome = { ok: true; value: unknown } | { ok: false; error: string };

function generic(text: string): Outcome {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: (e as Error).name };
  }
}

function decoded(text: string): Outcome {
  try {
    return { ok: true, value: decodeBinanceStreamFrame(Buffer.from(text)) };
  } catch (e) {
    return { ok: false, error: (e as Error).name };
  }
}

/** The fast parser either declines or returns exactly what JSON.parse returns; decode always agrees. */
function agree(text: string): unknown {
  const fast = parseBinanceDepthFrameFast(text);
  const slow = generic(text);
  if (fast !== undefined) {
    expect(slow.ok).toBe(true);
    expect(fast).toStrictEqual((slow as { value: unknown }).value);
  }
  expect(decoded(text)).toStrictEqual(slow);
  return fast;
}

const dataOf = (m: unknown): unknown =>
  (m as { data?: unknown }).data !== undefined ? (m as { data: unknown }).data : m;

describe('parseBinanceDepthFrameFast', () => {
  it('reads the documented diff depth example in both forms exactly as JSON.parse does', () => {
    const data =
      '{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}';
    const raw = agree(data);
    expect(raw).toStrictEqual({
      e: 'depthUpdate',
      E: 1672515782136,
      s: 'BNBBTC',
      U: 157,
      u: 160,
      b: [['0.0024', '10']],
      a: [['0.0026', '100']],
    });
    const combined = agree(`{"stream":"bnbbtc@depth@100ms","data":${data}}`);
    expect(combined).toStrictEqual({ stream: 'bnbbtc@depth@100ms', data: raw });
    expect(agree('{"e":"depthUpdate","E":1,"s":"X","U":0,"u":0,"b":[],"a":[]}')).toBeDefined();
    expect(
      agree('{"e":"depthUpdate","E":1,"s":"X","U":9007199254740991,"u":1,"b":[],"a":[]}'),
    ).toBeDefined();
  });

  it('declines every other frame (trades, acks, errors, shutdown notices)', () => {
    for (const text of [
      '{"stream":"btcusdt@trade","data":{"e":"trade","E":1,"s":"BTCUSDT","t":1,"p":"1","q":"1","T":1,"m":true}}',
      '{"result":null,"id":1}',
      '{"code":2,"msg":"Invalid request","id":3}',
      '{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1}}',
      '{"e":"serverShutdown","E":1}',
      '',
      'null',
    ]) {
      expect(agree(text)).toBeUndefined();
    }
  });

  it('declines frames outside the plain form so that the generic path (and its guards) decides', () => {
    const base = (patch: string): string =>
      `{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT",${patch}}}`;
    for (const text of [
      base('"U":1.0,"u":2,"b":[],"a":[]'), // a number JSON.parse reads as 1, not in plain form
      base('"U":01,"u":2,"b":[],"a":[]'), // invalid JSON
      base('"U":1e3,"u":2,"b":[],"a":[]'),
      base('"U":9007199254740992,"u":2,"b":[],"a":[]'), // 2^53: not a safe integer
      base('"U":99999999999999999,"u":2,"b":[],"a":[]'),
      base('"U":-1,"u":2,"b":[],"a":[]'),
      base('"U":1,"u":2,"b":[["1.","2"]],"a":[]'),
      base('"U":1,"u":2,"b":[[".5","2"]],"a":[]'),
      base('"U":1,"u":2,"b":[["-1","2"]],"a":[]'),
      base('"U":1,"u":2,"b":[["1e5","2"]],"a":[]'),
      base('"U":1,"u":2,"b":[["1","2","3"]],"a":[]'), // extra element
      base('"U":1,"u":2,"b":[[1,"2"]],"a":[]'),
      base('"U":1,"u":2,"b":[],"a":[],"x":1'), // extra key
      base('"u":2,"U":1,"b":[],"a":[]'), // other key order
      base('"U":1,"u":2,"b":[ ],"a":[]'), // whitespace
      base('"U":1,"u":2,"b":[],"a":[]') + ' ',
      '{"stream":"btc\\u0040depth","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[],"a":[]}}',
      '{"stream":"btcusdt@depth","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[],"a":[]}}}',
      '{"stream":"btcusdt@depth","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[],"a":[]}',
    ]) {
      expect(agree(text)).toBeUndefined();
    }
  });

  it('property: on generated frames it returns exactly what JSON.parse returns, and the guard holds', () => {
    fc.assert(
      fc.property(frameText, (text) => {
        const fast = agree(text);
        expect(fast).toBeDefined();
        const data = dataOf(fast);
        expect(isBinanceDepthUpdate(data)).toBe(true);
        // (agree() ran the parser again through the decoder: parse once more, then check.)
        expect(isFastParsedDepth(dataOf(parseBinanceDepthFrameFast(text)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('property: on mutated frames it declines or agrees with JSON.parse (never accepts what the generic path rejects or reads differently)', () => {
    fc.assert(
      fc.property(frameText, textEdits, (text, edits) => {
        const t = applyEdits(text, edits);
        const fast = agree(t);
        if (fast !== undefined) expect(isBinanceDepthUpdate(dataOf(fast))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('marks only its own last result as pre-validated', () => {
    const text = '{"e":"depthUpdate","E":1,"s":"X","U":1,"u":2,"b":[],"a":[]}';
    const fast = parseBinanceDepthFrameFast(text);
    expect(isFastParsedDepth(fast)).toBe(true);
    expect(isFastParsedDepth(JSON.parse(text))).toBe(false);
    expect(isFastParsedDepth(undefined)).toBe(false);
  });
});
