import fc from 'fast-check';
import { O2DepthFrame, parseO2DepthFrameFast } from '../../../../adapters/o2/schemas/index.js';
import { parseO2DepthUpdateFast } from '../../../../adapters/o2/schemas/fast-depth.js';
import { normalizeO2Depth } from '../../../../adapters/o2/schemas/normalize.js';
import { isTickwireError } from '../../../../src/errors/index.js';
import { parse } from '../../../../src/schemas/index.js';
import { wsFixtures } from '../load-fixtures.js';

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

function run(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (!isTickwireError(e)) throw e;
    return { ok: false, code: e.code, message: e.message };
  }
}

function agree(json: unknown): void {
  const slow = run(() => parse(O2DepthFrame, json, 'o2 depth frame'));
  const fast = run(() => parseO2DepthFrameFast(json));
  expect(fast).toStrictEqual(slow);
}

const digits = fc.oneof(
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String),
  fc.constantFrom('18446744073709551616', '00000000000000000000001', '007', '', '1.5', '-1', 'x'),
);
const num = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 40 }),
  fc.constantFrom(2 ** 53, -1, 0.5, Number.MAX_SAFE_INTEGER),
);
const value = fc.oneof(
  { weight: 6, arbitrary: digits },
  { weight: 2, arbitrary: num },
  {
    weight: 1,
    arbitrary: fc.constantFrom(null, true, {}, []),
  },
);
const level = fc.oneof(
  { weight: 4, arbitrary: fc.record({ price: value, quantity: value }) },
  { weight: 2, arbitrary: fc.tuple(value, value) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({ price: value }),
      fc.tuple(value),
      fc.tuple(value, value, value),
      fc.record({ price: value, quantity: value, extra: value }),
      fc.constant(null),
    ),
  },
);
const book = fc.record(
  {
    precision: fc.oneof(fc.integer(), fc.constantFrom('10', null, true)),
    buys: fc.oneof(
      { weight: 5, arbitrary: fc.array(level, { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.constant(null) },
    ),
    sells: fc.array(level, { maxLength: 4 }),
  },
  { requiredKeys: ['buys', 'sells'] },
);
const frame = fc.record(
  {
    action: fc.constantFrom('subscribe_depth', 'subscribe_depth_update', 'subscribe_trades', 7),
    market_id: fc.constantFrom('0xC0C5', 'market1', '', 5),
    view: book,
    orders: book,
    changes: book,
    onchain_timestamp: value,
    seen_timestamp: value,
    other: fc.constant('ignored'),
  },
  { requiredKeys: ['action', 'market_id'] },
);

describe('parseO2DepthFrameFast', () => {
  it('agrees with the zod schema on every depth fixture', () => {
    for (const f of wsFixtures('ws-depth')) agree(f.frame);
  });

  it('property: agrees with the zod schema (value or error) on generated frames', () => {
    fc.assert(
      fc.property(frame, (f) => {
        agree(JSON.parse(JSON.stringify(f)));
      }),
      { numRuns: 400 },
    );
  });

  it('property: agrees on well-formed frames (the fast path itself)', () => {
    const u64 = fc.oneof(
      fc.bigInt({ min: 0n, max: 10n ** 19n - 1n }).map(String),
      fc.integer({ min: 0, max: 2 ** 40 }),
    );
    const lvl = fc.oneof(fc.record({ price: u64, quantity: u64 }), fc.tuple(u64, u64));
    const b = fc.record({
      buys: fc.array(lvl, { maxLength: 6 }),
      sells: fc.array(lvl, { maxLength: 6 }),
    });
    const good = fc.oneof(
      fc.record({
        action: fc.constant('subscribe_depth'),
        market_id: fc.constant('0xAB'),
        view: b,
        seen_timestamp: u64,
      }),
      fc.record({ action: fc.constant('subscribe_depth'), market_id: fc.constant('m'), orders: b }),
      fc.record({
        action: fc.constant('subscribe_depth_update'),
        market_id: fc.constant('0xab'),
        changes: b,
        onchain_timestamp: u64,
      }),
    );
    fc.assert(
      fc.property(good, (f) => {
        const out = parseO2DepthFrameFast(f);
        expect(out).toStrictEqual(parse(O2DepthFrame, f, 'o2 depth frame'));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees on non-object input', () => {
    for (const v of [null, 1, 'x', [], [{}]]) agree(v);
  });
});

describe('parseO2DepthUpdateFast', () => {
  // The reference: the zod schema, then the normaliser.
  function agreeUpdate(json: unknown): void {
    const slow = run(() =>
      normalizeO2Depth(parse(O2DepthFrame, json, 'o2 depth frame'), 'fFUEL/fUSDC', json, 42),
    );
    const fast = run(() => parseO2DepthUpdateFast(json, 'fFUEL/fUSDC', 42));
    expect(fast).toStrictEqual(slow);
  }

  it('agrees with schema + normaliser on every depth fixture and on non-objects', () => {
    for (const f of wsFixtures('ws-depth')) agreeUpdate(f.frame);
    for (const v of [null, 1, 'x', [], [{}]]) agreeUpdate(v);
  });

  it('property: agrees (value or error) on generated frames', () => {
    fc.assert(
      fc.property(frame, (f) => {
        agreeUpdate(JSON.parse(JSON.stringify(f)));
      }),
      { numRuns: 400 },
    );
  });

  it('a timestamp that passed before does not vouch for a different one (cached check)', () => {
    const delta = (onchain: unknown, seen: unknown) => ({
      action: 'subscribe_depth_update',
      market_id: '0xAB',
      changes: { buys: [{ price: '5', quantity: '1' }], sells: [] },
      onchain_timestamp: onchain,
      seen_timestamp: seen,
    });
    for (const [onchain, seen] of [
      ['1234', '1234'],
      ['12x4', '1234'],
      ['1234', '-234'],
      ['1234', ''],
      ['', '1234'],
      ['1234', 1234],
      ['1235', '1234'],
    ] as const) {
      agreeUpdate(delta(onchain, seen));
    }
  });

  it('property: agrees on well-formed deltas with both timestamps (the direct path), ids of any case in any order', () => {
    const u64 = fc.oneof(
      fc.bigInt({ min: 0n, max: 10n ** 19n - 1n }).map(String),
      fc.integer({ min: 0, max: 2 ** 40 }),
    );
    const lvl = fc.oneof(fc.record({ price: u64, quantity: u64 }), fc.tuple(u64, u64));
    const delta = fc.record({
      action: fc.constantFrom('subscribe_depth_update', 'subscribe_depth'),
      market_id: fc.constantFrom('0xAB', '0xab', '0xCD', '0xAb'),
      changes: fc.record(
        {
          buys: fc.array(lvl, { maxLength: 6 }),
          sells: fc.array(lvl, { maxLength: 6 }),
          precision: fc.constantFrom(10, '10'),
        },
        { requiredKeys: ['buys', 'sells'] },
      ),
      onchain_timestamp: u64,
      seen_timestamp: u64,
    });
    fc.assert(
      fc.property(fc.array(delta, { minLength: 1, maxLength: 5 }), (frames) => {
        for (const f of frames) agreeUpdate(f);
      }),
      { numRuns: 300 },
    );
  });
});
