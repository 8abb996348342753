import fc from 'fast-check';
import { OrderBook, type LevelInput } from '../../src/book/index.js';
import { isTickwireError } from '../../src/errors/index.js';
import { ReferenceBook } from './reference-book.js';

const U64_MAX = 2n ** 64n - 1n;
const bases = [
  1n,
  7n,
  10n,
  99n,
  100n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  2n ** 63n,
  U64_MAX - 8n,
];

/** A decimal string for base+offset scaled by 10^-scale, with random leading/trailing zeros. */
const priceArb = fc
  .record({
    base: fc.constantFrom(...bases),
    offset: fc.integer({ min: 0, max: 6 }),
    scale: fc.integer({ min: 0, max: 2 }),
    lead: fc.integer({ min: 0, max: 1 }),
    trail: fc.constantFrom(0, 1, 8),
  })
  .map(({ base, offset, scale, lead, trail }) =>
    decimalText(base + BigInt(offset), scale, lead, trail),
  );

const qtyArb = fc.oneof(
  fc.constantFrom('0', '0.00000000', '0.0', '00'),
  fc
    .record({
      n: fc.bigInt({ min: 1n, max: 10n ** 12n }),
      scale: fc.integer({ min: 0, max: 8 }),
      trail: fc.constantFrom(0, 2),
    })
    .map(({ n, scale, trail }) => decimalText(n, scale, 0, trail)),
);

function decimalText(n: bigint, scale: number, lead: number, trail: number): string {
  let digits = n.toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  if (trail > 0) digits += (digits.includes('.') ? '' : '.') + '0'.repeat(trail);
  return '0'.repeat(lead) + digits;
}

const levelsArb = fc.array(fc.tuple(priceArb, qtyArb) as fc.Arbitrary<LevelInput>, {
  maxLength: 12,
});
const opArb = fc.record({
  kind: fc.constantFrom('snapshot', 'delta', 'delta', 'delta'),
  bids: levelsArb,
  asks: levelsArb,
});

function expectSame(book: OrderBook, ref: ReferenceBook): void {
  const pairs = (side: readonly { price: string; quantity: string }[]): [string, string][] =>
    side.map((l) => [l.price, l.quantity]);
  const bids = ref.sorted('bids');
  const asks = ref.sorted('asks');
  expect(pairs(book.bids())).toEqual(bids);
  expect(pairs(book.asks())).toEqual(asks);
  expect(pairs(book.bids(3))).toEqual(bids.slice(0, 3));
  expect(book.bestBid?.price).toBe(bids[0]?.[0]);
  expect(book.bestAsk?.price).toBe(asks[0]?.[0]);
  expect(book.levelCount).toEqual({ bids: bids.length, asks: asks.length });
  const crossed =
    bids[0] !== undefined &&
    asks[0] !== undefined &&
    book.bestBid!.priceDecimal.greaterThanOrEqualTo(asks[0][0]);
  expect(book.isCrossed).toBe(crossed);
}

describe('OrderBook', () => {
  it('equals a naive reference model after any snapshot/delta sequence (property)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 25 }), (ops) => {
        const book = new OrderBook();
        const ref = new ReferenceBook();
        for (const op of ops) {
          if (op.kind === 'snapshot') {
            book.applySnapshot(op);
            ref.snapshot(op.bids, op.asks);
          } else {
            book.applyDelta(op);
            ref.delta(op.bids, op.asks);
          }
          expectSame(book, ref);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('equals the reference model when truncated to a subscribed depth (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(opArb, { maxLength: 20 }),
        (depth, ops) => {
          const book = new OrderBook({ maxDepth: depth });
          const ref = new ReferenceBook(depth);
          for (const op of ops) {
            if (op.kind === 'snapshot') {
              book.applySnapshot(op);
              ref.snapshot(op.bids, op.asks);
            } else {
              book.applyDelta(op);
              ref.delta(op.bids, op.asks);
            }
            expectSame(book, ref);
            expect(book.levelCount.bids).toBeLessThanOrEqual(depth);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('equals the reference model on deep books updated near the top (property)', () => {
    // Deeper than the 32 best levels a scaled side keeps in order for reads, with inserts and
    // removals on both sides of that boundary, read at several depths after every delta.
    const tickArb = fc.integer({ min: 0, max: 120 });
    const deepQtyArb = fc.constantFrom('0', '0.00000000', '1', '2.5', '0.00000001', '7.10');
    const sideArb = fc.array(fc.tuple(tickArb, deepQtyArb), { maxLength: 15 });
    const price = (tick: number): string => `${100 + tick}.${tick % 2 === 0 ? '50' : '5'}`;
    const toLevels = (side: [number, string][]): LevelInput[] =>
      side.map(([tick, qty]) => [price(tick), qty]);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 90 }),
        fc.constantFrom(undefined, 5, 33, 40),
        fc.array(fc.record({ bids: sideArb, asks: sideArb }), { maxLength: 30 }),
        (depth, maxDepth, deltas) => {
          const book = new OrderBook(maxDepth === undefined ? {} : { maxDepth });
          const ref = new ReferenceBook(maxDepth);
          const snapshot: LevelInput[] = [];
          for (let t = 0; t < depth; t++) snapshot.push([price(t), '1']);
          book.applySnapshot({ bids: snapshot, asks: snapshot });
          ref.snapshot(snapshot, snapshot);
          for (const delta of deltas) {
            const bids = toLevels(delta.bids);
            const asks = toLevels(delta.asks);
            book.applyDelta({ bids, asks });
            ref.delta(bids, asks);
            const pairs = (side: readonly { price: string; quantity: string }[]): string[][] =>
              side.map((l) => [l.price, l.quantity]);
            const refBids = ref.sorted('bids');
            const refAsks = ref.sorted('asks');
            expect(pairs(book.bids())).toEqual(refBids);
            expect(pairs(book.asks())).toEqual(refAsks);
            for (const n of [1, 10, 31, 32, 33, 50]) {
              expect(pairs(book.bids(n))).toEqual(refBids.slice(0, n));
              expect(pairs(book.asks(n))).toEqual(refAsks.slice(0, n));
            }
            expect(book.bestBid?.price).toBe(refBids[0]?.[0]);
            expect(book.bestAsk?.price).toBe(refAsks[0]?.[0]);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('treats differently written equal prices as one level, and u64 prices beyond 2^53 exactly', () => {
    const book = new OrderBook();
    book.applySnapshot({
      bids: [
        ['4.0', '1'],
        ['9007199254740993', '1'],
        ['9007199254740992', '2'],
      ],
      asks: [['18446744073709551615', '3']],
    });
    book.applyDelta({ bids: [['4.00000000', '5.5']], asks: [] });
    expect(book.bids().map((l) => [l.price, l.quantity])).toEqual([
      ['9007199254740993', '1'],
      ['9007199254740992', '2'],
      ['4.00000000', '5.5'],
    ]);
    book.applyDelta({ bids: [['9007199254740993.000', '0.00000000']], asks: [] });
    expect(book.bestBid?.price).toBe('9007199254740992');
    expect(book.bestAsk?.priceDecimal.toFixed()).toBe('18446744073709551615');
    expect(book.spread?.toFixed()).toBe('18437736874454810623');
    expect(book.mid?.toFixed()).toBe('9227875636482146303.5');
  });

  it('re-keys to a finer scale and falls back to string keys without losing order', () => {
    const book = new OrderBook();
    const ref = new ReferenceBook();
    const steps: { bids: LevelInput[]; asks: LevelInput[] }[] = [
      {
        bids: [
          ['30000.01000000', '1'],
          ['29999.99000000', '2'],
        ],
        asks: [['30000.02000000', '1']],
      },
      {
        bids: [
          ['30000.015', '1'],
          ['30000.0100', '3'],
        ],
        asks: [['30000.0150001', '1']],
      }, // scale 2 → 7
      { bids: [['0.00000000000000000001', '1']], asks: [] }, // 20 decimals: string keys
      {
        bids: [
          ['30000.01', '0'],
          ['1', '4'],
        ],
        asks: [['9007199254740993', '1']],
      },
    ];
    book.applySnapshot(steps[0]!);
    ref.snapshot(steps[0]!.bids, steps[0]!.asks);
    expectSame(book, ref);
    for (const step of steps.slice(1)) {
      book.applyDelta(step);
      ref.delta(step.bids, step.asks);
      expectSame(book, ref);
    }
    // A fresh snapshot goes back to scaled keys; u64 prices beyond 2^53 stay exact either way.
    const snap = {
      bids: [
        ['9007199254740993', '1'],
        ['9007199254740992', '1'],
      ] as LevelInput[],
      asks: [],
    };
    book.applySnapshot(snap);
    ref.snapshot(snap.bids, snap.asks);
    expectSame(book, ref);
    book.applyDelta({ bids: [['9007199254740992.5', '2']], asks: [] });
    ref.delta([['9007199254740992.5', '2']], []);
    expectSame(book, ref);
  });

  it('detects a crossed book', () => {
    const book = new OrderBook();
    book.applySnapshot({ bids: [['99.5', '1']], asks: [['100', '1']] });
    expect(book.isCrossed).toBe(false);
    book.applyDelta({ bids: [['100.0', '2']], asks: [] });
    expect(book.isCrossed).toBe(true);
  });

  it('validates a whole delta before applying any of it', () => {
    const book = new OrderBook();
    book.applySnapshot({ bids: [['1', '1']], asks: [['2', '1']] });
    const before = book.view();
    for (const bad of [
      {
        bids: [
          ['1', '0'],
          ['1.5', '1'],
        ],
        asks: [['2', 'NaN']],
      },
      { bids: [['-1', '1']], asks: [] },
      { bids: [['1e', '1']], asks: [] },
      { bids: [[1 as unknown as string, '1']], asks: [] },
      { bids: 'nope' as unknown as LevelInput[], asks: [] },
    ] as const) {
      let caught: unknown;
      try {
        book.applyDelta(bad as unknown as { bids: LevelInput[]; asks: LevelInput[] });
      } catch (e) {
        caught = e;
      }
      expect(isTickwireError(caught, 'VALIDATION_FAILED')).toBe(true);
      expect(book.bids()).toEqual(before.bids());
      expect(book.asks()).toEqual(before.asks());
    }
  });

  it('accepts exponent and signless forms through the exact slow path', () => {
    const book = new OrderBook();
    book.applySnapshot({
      bids: [
        ['1e2', '1e-8'],
        ['.5', '+2'],
      ],
      asks: [],
    });
    book.applyDelta({ bids: [['100', '0e3']], asks: [] });
    expect(book.bids().map((l) => l.price)).toEqual(['.5']);
  });

  it('gives immutable views and records sequence and times', () => {
    const book = new OrderBook({ market: 'BTC/USDT' });
    expect(book.isSynced).toBe(false);
    book.applySnapshot(
      {
        bids: [
          ['10', '1'],
          ['9', '1'],
        ],
        asks: [['11', '1']],
      },
      { sequence: 5, exchangeTime: 1000, receivedAt: 1001 },
    );
    const view = book.view(1);
    book.applyDelta(
      { bids: [['10', '0']], asks: [['11', '3']] },
      { sequence: 6, receivedAt: 1002 },
    );
    expect(view.bids().map((l) => l.price)).toEqual(['10']);
    expect(view.asks()[0]?.quantity).toBe('1');
    expect(view.levelCount).toEqual({ bids: 2, asks: 1 });
    expect(view.sequence).toBe(5);
    expect(view.isSynced).toBe(true);
    expect(view.spread?.toFixed()).toBe('1');
    expect(Object.isFrozen(view.bids())).toBe(true);
    expect(book.sequence).toBe(6);
    expect(book.exchangeTime).toBe(1000);
    expect(book.receivedAt).toBe(1002);
    expect(book.market).toBe('BTC/USDT');
    expect(book.bestBid?.toJSON()).toEqual({ price: '9', quantity: '1' });
    book.clear();
    expect(book.isSynced).toBe(false);
    expect(book.bestBid).toBeUndefined();
    expect(book.spread).toBeUndefined();
  });

  it('returns no levels for a non-positive count', () => {
    const book = new OrderBook();
    book.applySnapshot({
      bids: [
        ['1', '1'],
        ['2', '1'],
      ],
      asks: [['3', '1']],
    });
    expect(book.bids(0)).toEqual([]);
    expect(book.bids(-1)).toEqual([]);
    expect(book.view().bids(-1)).toEqual([]);
    expect(
      book
        .view()
        .bids(1)
        .map((l) => l.price),
    ).toEqual(['2']);
  });

  it('rejects a bad maxDepth', () => {
    expect(() => new OrderBook({ maxDepth: 0 })).toThrow(/maxDepth/);
    expect(() => new OrderBook({ maxDepth: 1.5 })).toThrow(/maxDepth/);
  });
});
