import fc from 'fast-check';
import { applyEdits, textEdits } from '../../../support/text-edits.js';
import {
  isScannedO2DepthDelta,
  O2ScannedDepthDelta,
  parseO2DepthDeltaText,
} from '../../../../adapters/o2/schemas/fast-depth-text.js';
import { parseO2DepthUpdateFast } from '../../../../adapters/o2/schemas/fast-depth.js';
import { O2DepthFrame } from '../../../../adapters/o2/schemas/index.js';
import { normalizeO2Depth } from '../../../../adapters/o2/schemas/normalize.js';
import { decodeO2Message } from '../../../../adapters/o2/streams/o2-streams.js';
import { parse } from '../../../../src/schemas/index.js';
import { wsFixtures } from '../load-fixtures.js';

type Outcome = { ok: true; value: unknown; keys: string } | { ok: false; error: string };

/** Own keys at every depth, in order: what toStrictEqual does not compare. */
function keyOrder(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(keyOrder).join(',')}]`;
  if (typeof v !== 'object' || v === null) return '';
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${k}${keyOrder(x)}`)
    .join(',')}}`;
}

function outcome(fn: () => unknown): Outcome {
  try {
    const value = fn();
    // A plain copy: the reader marks its value with a class, JSON.parse's is a plain object.
    const plain = JSON.parse(JSON.stringify(value)) as unknown;
    return { ok: true, value: plain, keys: keyOrder(value) };
  } catch (e) {
    return { ok: false, error: (e as Error).name };
  }
}

/** The reader either declines or returns exactly what JSON.parse returns; decode always agrees. */
function agree(text: string): unknown {
  const fast = parseO2DepthDeltaText(text);
  const slow = outcome(() => JSON.parse(text));
  if (fast !== undefined) {
    expect(slow.ok).toBe(true);
    expect(outcome(() => fast)).toStrictEqual(slow);
    // Only own data keys, each present in JSON.parse's value (no undefined-valued extras).
    expect(Object.keys(fast)).toStrictEqual(
      Object.keys((slow as { value: object }).value as object),
    );
  }
  expect(outcome(() => decodeO2Message(Buffer.from(text)))).toStrictEqual(slow);
  return fast;
}

const u64 = fc.bigInt({ min: 0n, max: 10n ** 19n - 1n }).map(String);
const level = fc.record({ price: u64, quantity: u64 });
const marketId = fc.constantFrom(
  '0xc0c5c48315d8cfff9f00777f81fdf04e9b4ef69e802a1a068549a8d6a06ee19f',
  '0x83adb781a3c7e8e541720cb9b1b036315eda75da1f7882cf83bc6852c0adc934',
  '0xABC',
  'market1',
);
const delta = fc.record({
  market_id: marketId,
  buys: fc.array(level, { maxLength: 6 }),
  sells: fc.array(level, { maxLength: 6 }),
  stamps: fc.option(fc.tuple(u64, fc.oneof(u64, fc.constant('same'))), { nil: undefined }),
});
const deltaText = delta.map((d) =>
  JSON.stringify({
    action: 'subscribe_depth_update',
    market_id: d.market_id,
    changes: { buys: d.buys, sells: d.sells },
    ...(d.stamps === undefined
      ? {}
      : {
          onchain_timestamp: d.stamps[0],
          seen_timestamp: d.stamps[1] === 'same' ? d.stamps[0] : d.stamps[1],
        }),
  }),
);

/** A plain copy (the update's `raw` is the reader's marked object on the fast path). */
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

/** The normalised update by the general path (JSON.parse, schema, normalise). */
function general(text: string): unknown {
  const json = JSON.parse(text) as unknown;
  return plain(normalizeO2Depth(parse(O2DepthFrame, json, 'o2 depth frame'), 'X/Y', json, 5));
}

describe('parseO2DepthDeltaText', () => {
  it('reads every depth delta fixture in the plain form exactly as JSON.parse does', () => {
    let read = 0;
    for (const f of wsFixtures('ws-depth')) {
      const text = JSON.stringify(f.frame);
      if (agree(text) !== undefined) read++;
    }
    // D3, D5, D6 and the other compact object-level deltas.
    expect(read).toBeGreaterThanOrEqual(3);
  });

  it('marks the common form (both timestamps) as validated, and only what it read', () => {
    const text =
      '{"action":"subscribe_depth_update","market_id":"0xc0c5","changes":{"buys":[{"price":"21300000","quantity":"1200000000000"}],"sells":[]},"onchain_timestamp":"1767225601000","seen_timestamp":"1767225601180"}';
    const fast = agree(text);
    expect(fast).toBeInstanceOf(O2ScannedDepthDelta);
    expect(isScannedO2DepthDelta(fast)).toBe(true);
    expect(isScannedO2DepthDelta(JSON.parse(text))).toBe(false);
    expect(isScannedO2DepthDelta({ ...(fast as object) })).toBe(false);
    // Without timestamps: read, but a plain object the parser validates as usual.
    const bare = agree(
      '{"action":"subscribe_depth_update","market_id":"0xabc","changes":{"buys":[{"price":"100","quantity":"600"}],"sells":[{"price":"101","quantity":"0"}]}}',
    );
    expect(bare).toBeDefined();
    expect(isScannedO2DepthDelta(bare)).toBe(false);
  });

  it('declines snapshots, other frames and every departure from the plain form', () => {
    const head = '{"action":"subscribe_depth_update","market_id":"0xabc","changes":';
    const stamps = ',"onchain_timestamp":"1","seen_timestamp":"2"}';
    for (const text of [
      '{"action":"subscribe_depth","market_id":"0xabc","view":{"buys":[],"sells":[]}}',
      '{"action":"subscribe_trades","market_id":"0xabc","trades":[]}',
      '',
      'null',
      `${head}{"precision":"10","buys":[],"sells":[]}}`, // precision: the schema decides
      `${head}{"buys":[["1","2"]],"sells":[]}${stamps}`, // tuple levels
      `${head}{"buys":[{"price":1,"quantity":"2"}],"sells":[]}${stamps}`, // number
      `${head}{"buys":[{"price":"","quantity":"2"}],"sells":[]}${stamps}`,
      `${head}{"buys":[{"price":"1.5","quantity":"2"}],"sells":[]}${stamps}`,
      `${head}{"buys":[{"price":"-1","quantity":"2"}],"sells":[]}${stamps}`,
      `${head}{"buys":[{"price":"18446744073709551616","quantity":"2"}],"sells":[]}${stamps}`,
      `${head}{"buys":[{"quantity":"2","price":"1"}],"sells":[]}${stamps}`, // key order
      `${head}{"buys":[{"price":"1","quantity":"2","x":1}],"sells":[]}${stamps}`,
      `${head}{"buys":[ ],"sells":[]}${stamps}`, // whitespace
      `${head}{"sells":[],"buys":[]}${stamps}`,
      `${head}{"buys":[],"sells":[]},"onchain_timestamp":"1"}`, // one timestamp only
      `${head}{"buys":[],"sells":[]},"seen_timestamp":"2","onchain_timestamp":"1"}`,
      `${head}{"buys":[],"sells":[]},"onchain_timestamp":"1","seen_timestamp":"2","x":1}`,
      `${head}{"buys":[],"sells":[]},"onchain_timestamp":"1","seen_timestamp":"2"}}`, // extra }
      `${head}{"buys":[],"sells":[]},"onchain_timestamp":"1","seen_timestamp":"2"`, // cut
      `${head}{"buys":[],"sells":[]}${stamps} `,
      '{"action":"subscribe_depth_update","market_id":"0x\\u0061bc","changes":{"buys":[],"sells":[]}}', // escape
      '{"action":"subscribe_depth_update","market_id":"0x\nabc","changes":{"buys":[],"sells":[]}}', // control char
      '{"action":"subscribe_depth_update","market_id":"0xabc","changes":{"buys":[],"sells":[]}}}',
    ]) {
      expect(agree(text)).toBeUndefined();
    }
  });

  it('leaves the PONG to the decoder', () => {
    expect(parseO2DepthDeltaText('PONG')).toBeUndefined();
  });

  it('reuses the cached market id only when the text names exactly that id', () => {
    const text = (id: string): string =>
      `{"action":"subscribe_depth_update","market_id":"${id}","changes":{"buys":[],"sells":[]},"onchain_timestamp":"1","seen_timestamp":"1"}`;
    expect((agree(text('0xabc')) as { market_id: string }).market_id).toBe('0xabc');
    expect((agree(text('0xabcd')) as { market_id: string }).market_id).toBe('0xabcd');
    expect((agree(text('0xab')) as { market_id: string }).market_id).toBe('0xab');
    expect((agree(text('0xab')) as { market_id: string }).market_id).toBe('0xab');
  });

  it('property: on generated deltas it returns what JSON.parse returns, and the fast update equals the general one', () => {
    fc.assert(
      fc.property(deltaText, (text) => {
        const fast = agree(text);
        expect(fast).toBeDefined();
        expect(plain(parseO2DepthUpdateFast(fast, 'X/Y', 5))).toStrictEqual(general(text));
      }),
      { numRuns: 500 },
    );
  });

  it('property: on mutated deltas it declines or agrees with JSON.parse, and never lets an invalid frame through', () => {
    fc.assert(
      fc.property(deltaText, textEdits, (text, edits) => {
        const t = applyEdits(text, edits);
        const fast = agree(t);
        if (fast !== undefined) {
          // Whatever it reads, the parser's result is the general path's.
          expect(plain(parseO2DepthUpdateFast(fast, 'X/Y', 5))).toStrictEqual(general(t));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
