import fc from 'fast-check';
import {
  OrderBook,
  PreparedLevels,
  type BookLevelsInput,
  type BookUpdateMeta,
  type LevelInput,
  type SequencedBookSync,
  type SequencedDiff,
  type SequencedSnapshot,
} from '../../src/book/index.js';
import { createError } from '../../src/errors/index.js';
import { Decimal } from '../../src/numbers/index.js';
import { ReferenceBook } from './reference-book.js';
import { type PendingFetch, syncHarness as sharedSyncHarness } from './sync-harness.js';

// The prepared path (PreparedLevels → applyPreparedDelta / pushPrepared) must be
// indistinguishable from the string path it shortcuts. Each property drives two books or two
// syncs in lockstep, one per path, and compares everything a user can observe.

const TWO_53 = 2n ** 53n;

/**
 * The reference keying of a wire price, straight from the PreparedLevels contract: the digits
 * read as one integer once trailing fraction zeros are dropped, and the fraction digits left.
 * Undefined when that integer is not below 2^53 (a parser leaves such a frame to the general
 * path).
 */
function prepare(price: string): { digits: number; decimals: number } | undefined {
  const [int = '', frac = ''] = price.split('.');
  const kept = frac.replace(/0+$/, '');
  const digits = BigInt(int + kept);
  if (digits >= TWO_53) return undefined;
  return { digits: Number(digits), decimals: kept.length };
}

/**
 * Fills `out` with the levels as a wire parser would (bids, endBids, asks); false when a price
 * cannot be prepared, `out` then holding a partial fill that must not be used.
 */
function fill(
  out: PreparedLevels,
  bids: readonly LevelInput[],
  asks: readonly LevelInput[],
): boolean {
  out.reset();
  for (const [i, side] of [bids, asks].entries()) {
    if (i === 1) out.endBids();
    for (const [price, quantity] of side) {
      const key = prepare(price);
      if (key === undefined) return false;
      out.push(price, quantity, key.digits, key.decimals, new Decimal(quantity).isZero());
    }
  }
  return true;
}

function decimalText(n: bigint, scale: number, lead: number, trail: number): string {
  let text = n.toString();
  if (scale > 0) {
    text = text.padStart(scale + 1, '0');
    text = `${text.slice(0, -scale)}.${text.slice(-scale)}`;
  }
  if (trail > 0) text += (text.includes('.') ? '' : '.') + '0'.repeat(trail);
  return '0'.repeat(lead) + text;
}

const spelling = {
  lead: fc.constantFrom(0, 0, 0, 1, 2),
  trail: fc.constantFrom(0, 0, 1, 3),
};

/**
 * Prices: mostly a small pool (so that deltas hit existing levels, under several spellings
 * such as '007.5' and '7.50'), at 0–12 decimals (finer ones re-key the book); now and then an
 * integer near or beyond 2^53 or one whose key overflows 2^53 once scaled (string-key mode
 * until the next snapshot), or a 19–20 decimal price (beyond the scaled keys' 18 decimals).
 */
const plainPriceArb = (coarsePerFine: number): fc.Arbitrary<string> =>
  fc
    .record({
      n: fc.bigInt({ min: 0n, max: 40n }),
      scale: fc.oneof(
        { weight: coarsePerFine, arbitrary: fc.constantFrom(0, 0, 1, 2) },
        { weight: 1, arbitrary: fc.constantFrom(3, 5, 8, 12) },
      ),
      ...spelling,
    })
    .map(({ n, scale, lead, trail }) => decimalText(n, scale, lead, trail));
const exoticPriceArb = fc.oneof(
  fc
    .record({
      base: fc.constantFrom(10n ** 14n, TWO_53 - 1000n, TWO_53 - 3n, TWO_53, 2n ** 63n, 2n ** 64n),
      offset: fc.bigInt({ min: 0n, max: 3n }),
      scale: fc.constantFrom(0, 0, 1),
      ...spelling,
    })
    .map(({ base, offset, scale, lead, trail }) => decimalText(base + offset, scale, lead, trail)),
  fc
    .record({ n: fc.bigInt({ min: 1n, max: 9n }), scale: fc.constantFrom(19, 20) })
    .map(({ n, scale }) => decimalText(n, scale, 0, 0)),
);
/**
 * Most runs see an exotic price rarely (long stretches on scaled keys), some often; most see
 * few prices finer than 2 decimals (few re-keys), some mostly those (books at 12 decimals
 * taking 5 and 8 decimal prices on the prepared path).
 */
const RARE = 150;
const OFTEN = 8;
const COARSE = 60;
const FINE = 1;
/** Prices with about one exotic in `1 + plainPerExotic`, one fine in `1 + coarsePerFine`. */
const priceArb = (plainPerExotic: number, coarsePerFine = COARSE): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: plainPerExotic, arbitrary: plainPriceArb(coarsePerFine) },
    { weight: 1, arbitrary: exoticPriceArb },
  );

const zeroQtyArb = fc.constantFrom('0', '0.000', '00.0', '0.0', '00', '0.00000000');
const qtyArb = fc.oneof(
  { weight: 1, arbitrary: zeroQtyArb },
  {
    weight: 2,
    arbitrary: fc
      .record({
        n: fc.bigInt({ min: 1n, max: 99_999n }),
        scale: fc.integer({ min: 0, max: 8 }),
        lead: fc.constantFrom(0, 0, 1),
        trail: fc.constantFrom(0, 0, 2),
      })
      .map(({ n, scale, lead, trail }) => decimalText(n, scale, lead, trail)),
  },
);

const levelsArb = (
  maxLength: number,
  plainPerExotic: number,
  coarsePerFine = COARSE,
): fc.Arbitrary<LevelInput[]> =>
  fc.array(fc.tuple(priceArb(plainPerExotic, coarsePerFine), qtyArb) as fc.Arbitrary<LevelInput>, {
    maxLength,
  });

const metaArb: fc.Arbitrary<BookUpdateMeta> = fc.record(
  {
    sequence: fc.nat({ max: 1_000_000 }),
    exchangeTime: fc.nat({ max: 2_000_000_000_000 }),
    receivedAt: fc.nat({ max: 2_000_000_000_000 }),
  },
  { requiredKeys: [] },
);

const opArb = (plainPerExotic: number, coarsePerFine = COARSE) =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        kind: fc.constant('delta' as const),
        bids: levelsArb(6, plainPerExotic, coarsePerFine),
        asks: levelsArb(6, plainPerExotic, coarsePerFine),
        meta: metaArb,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('snapshot' as const),
        bids: levelsArb(8, plainPerExotic, coarsePerFine),
        asks: levelsArb(8, plainPerExotic, coarsePerFine),
        meta: metaArb,
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  );

const maxDepthArb = fc.constantFrom(Infinity, Infinity, 1, 3, 5);

type Pairs = [string, string][];
const pairs = (side: readonly { price: string; quantity: string }[]): Pairs =>
  side.map((l) => [l.price, l.quantity]);

/** Everything a reader can observe of a book (wire strings as stored, not canonicalised). */
function bookState(book: OrderBook) {
  return {
    bids: pairs(book.bids()),
    asks: pairs(book.asks()),
    bids2: pairs(book.bids(2)),
    asks2: pairs(book.asks(2)),
    bestBid: book.bestBid?.price,
    bestAsk: book.bestAsk?.price,
    levelCount: book.levelCount,
    isCrossed: book.isCrossed,
    isSynced: book.isSynced,
    sequence: book.sequence,
    exchangeTime: book.exchangeTime,
    receivedAt: book.receivedAt,
    version: book.version,
  };
}

/** Outcome tallies summed over a property's runs: proof that both branches really ran. */
interface Tally {
  prepared: number;
  refused: number;
  general: number;
}

/**
 * Applies one delta to `book` the way the Binance tap does: prepared when the parser could
 * key every price, falling back to `levels.toInput()` when the book refuses them; asserts a
 * refusal left the book exactly as it was (the same BookLevel objects included).
 */
function applyPrepared(
  book: OrderBook,
  levels: PreparedLevels,
  delta: BookLevelsInput,
  meta: BookUpdateMeta,
  tally: Tally,
): void {
  if (!fill(levels, delta.bids, delta.asks)) {
    tally.general++;
    book.applyDelta(delta, meta);
    return;
  }
  const before = bookState(book);
  const bidObjects = book.bids();
  const askObjects = book.asks();
  if (book.applyPreparedDelta(levels, meta)) {
    tally.prepared++;
    return;
  }
  tally.refused++;
  expect(bookState(book)).toEqual(before);
  book.bids().forEach((level, i) => expect(level).toBe(bidObjects[i]));
  book.asks().forEach((level, i) => expect(level).toBe(askObjects[i]));
  book.applyDelta(levels.toInput(), meta);
}

describe('OrderBook.applyPreparedDelta', () => {
  it('ends every step equal to applyDelta on the same levels (property)', () => {
    const tally: Tally = { prepared: 0, refused: 0, general: 0 };
    fc.assert(
      fc.property(
        maxDepthArb,
        fc.oneof(
          { weight: 3, arbitrary: fc.array(opArb(RARE), { minLength: 8, maxLength: 20 }) },
          { weight: 1, arbitrary: fc.array(opArb(OFTEN), { minLength: 8, maxLength: 20 }) },
          { weight: 2, arbitrary: fc.array(opArb(RARE, FINE), { minLength: 8, maxLength: 20 }) },
        ),
        (maxDepth, ops) => {
          const general = new OrderBook({ maxDepth });
          const prepared = new OrderBook({ maxDepth });
          const ref = new ReferenceBook(maxDepth);
          const levels = new PreparedLevels();
          for (const op of ops) {
            if (op.kind === 'clear') {
              general.clear();
              prepared.clear();
              ref.snapshot([], []);
            } else if (op.kind === 'snapshot') {
              general.applySnapshot(op, op.meta);
              prepared.applySnapshot(op, op.meta);
              ref.snapshot(op.bids, op.asks);
            } else {
              general.applyDelta(op, op.meta);
              applyPrepared(prepared, levels, op, op.meta, tally);
              ref.delta(op.bids, op.asks);
            }
            expect(bookState(prepared)).toEqual(bookState(general));
          }
          // The string path itself is right (order-book.test.ts proves it in depth).
          expect(pairs(general.bids())).toEqual(ref.sorted('bids'));
          expect(pairs(general.asks())).toEqual(ref.sorted('asks'));
        },
      ),
      { numRuns: 60 },
    );
    // Both branches ran, and so did the parser's fallback (typical: 330 / 240 / 20).
    expect(tally.prepared).toBeGreaterThan(150);
    expect(tally.refused).toBeGreaterThan(100);
    expect(tally.general).toBeGreaterThan(5);
  });

  it('leaves the book untouched whenever it returns false (property)', () => {
    // Deltas of preparable prices only, so that every refusal comes from the book: a price
    // finer than its scale, a key beyond 2^53 at its scale, or string-key mode (entered
    // through a snapshot or a general-path delta holding a u64 price).
    const preparable = fc.array(
      fc
        .tuple(priceArb(OFTEN), qtyArb)
        .filter(([p]) => prepare(p) !== undefined) as fc.Arbitrary<LevelInput>,
      { maxLength: 6 },
    );
    const refusals = { finer: 0, total: 0 };
    fc.assert(
      fc.property(
        maxDepthArb,
        levelsArb(8, OFTEN),
        fc.array(fc.record({ bids: preparable, asks: preparable, meta: metaArb }), {
          maxLength: 15,
        }),
        (maxDepth, snapshotLevels, deltas) => {
          const book = new OrderBook({ maxDepth });
          book.applySnapshot({ bids: snapshotLevels, asks: snapshotLevels });
          const levels = new PreparedLevels();
          for (const delta of deltas) {
            expect(fill(levels, delta.bids, delta.asks)).toBe(true);
            const before = bookState(book);
            const objects = [...book.bids(), ...book.asks()];
            if (book.applyPreparedDelta(levels, delta.meta)) {
              expect(book.version).toBe(before.version + 1);
              continue;
            }
            refusals.total++;
            if (levels.priceDecimals.slice(0, levels.count).some((d) => d > 0)) refusals.finer++;
            expect(bookState(book)).toEqual(before);
            [...book.bids(), ...book.asks()].forEach((level, i) => expect(level).toBe(objects[i]));
            book.applyDelta(levels.toInput(), delta.meta);
          }
        },
      ),
      { numRuns: 60 },
    );
    // Typical: 240 refusals, 220 with a fraction digit, 20 of whole prices (key overflow or
    // string-key mode).
    expect(refusals.finer).toBeGreaterThan(80);
    expect(refusals.total - refusals.finer).toBeGreaterThan(2);
  });

  it('refuses a price finer than the key scale until the general path re-keyed the book', () => {
    const book = new OrderBook();
    book.applySnapshot({ bids: [['100.25', '1']], asks: [['100.30', '2']] }, { sequence: 1 });
    const levels = new PreparedLevels();
    const version = book.version;

    expect(fill(levels, [['100.12345', '3']], [])).toBe(true);
    expect(book.applyPreparedDelta(levels, { sequence: 2 })).toBe(false);
    expect(book.version).toBe(version);
    expect(book.sequence).toBe(1);
    expect(pairs(book.bids())).toEqual([['100.25', '1']]);

    book.applyDelta(levels.toInput(), { sequence: 2 }); // re-keys to 5 decimals
    expect(
      fill(
        levels,
        [
          ['100.12346', '4'],
          ['100.2', '5'],
        ],
        [['100.30000', '0']],
      ),
    ).toBe(true);
    expect(book.applyPreparedDelta(levels, { sequence: 3 })).toBe(true);
    expect(book.sequence).toBe(3);
    expect(pairs(book.bids())).toEqual([
      ['100.25', '1'],
      ['100.2', '5'],
      ['100.12346', '4'],
      ['100.12345', '3'],
    ]);
    expect(pairs(book.asks())).toEqual([]);
  });

  it('refuses a key at 2^53 or beyond, and every delta while the book is keyed by strings', () => {
    const book = new OrderBook();
    book.applySnapshot({ bids: [['1.25', '1']], asks: [['2', '1']] }); // scale 2
    const levels = new PreparedLevels();
    // 10^14 is a safe integer, but 10^16 (its key at 2 decimals) is not.
    expect(fill(levels, [], [['100000000000000', '1']])).toBe(true);
    expect(book.applyPreparedDelta(levels)).toBe(false);
    book.applyDelta(levels.toInput()); // the general path switches to string keys
    expect(pairs(book.asks())).toEqual([
      ['2', '1'],
      ['100000000000000', '1'],
    ]);

    const version = book.version;
    expect(fill(levels, [['1', '2']], [])).toBe(true); // coarse and tiny, still refused
    expect(book.applyPreparedDelta(levels)).toBe(false);
    expect(book.version).toBe(version);
    const coarse = levels.toInput();

    // Two safe integers whose keys at 5 decimals round to one double: taking them as they
    // are would merge two levels.
    book.applySnapshot({ bids: [['0.00001', '1']], asks: [] });
    expect(9007199254740002 * 1e5).toBe(9007199254740003 * 1e5);
    const close: LevelInput[] = [
      ['9007199254740002', '1'],
      ['9007199254740003', '2'],
    ];
    expect(fill(levels, [], close)).toBe(true);
    expect(book.applyPreparedDelta(levels)).toBe(false);
    book.applyDelta(levels.toInput());
    expect(pairs(book.asks())).toEqual(close);

    // A u64 snapshot keys by strings from the start.
    book.applySnapshot({ bids: [['1', '1']], asks: [['18446744073709551615', '1']] });
    expect(fill(levels, coarse.bids, coarse.asks)).toBe(true);
    expect(book.applyPreparedDelta(levels)).toBe(false);
    // A snapshot of small prices goes back to scaled keys.
    book.applySnapshot({ bids: [['1', '1']], asks: [['3', '1']] });
    expect(book.applyPreparedDelta(levels, { sequence: 9 })).toBe(true);
    expect(pairs(book.bids())).toEqual([['1', '2']]);
  });
});

describe('PreparedLevels', () => {
  it('toInput gives back the pushed levels as fresh tuples, and a reset hides older ones (property)', () => {
    const sideArb = fc.array(
      fc
        .tuple(priceArb(OFTEN), qtyArb)
        .filter(([p]) => prepare(p) !== undefined) as fc.Arbitrary<LevelInput>,
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ bids: sideArb, asks: sideArb }), { minLength: 1, maxLength: 5 }),
        (frames) => {
          const levels = new PreparedLevels();
          const book = new OrderBook();
          const general = new OrderBook();
          for (const { bids, asks } of frames) {
            expect(fill(levels, bids, asks)).toBe(true);
            expect(levels.count).toBe(bids.length + asks.length);
            expect(levels.bidCount).toBe(bids.length);
            const input = levels.toInput();
            expect(input).toEqual({ bids, asks });
            // Fresh tuples: neither the caller's arrays nor the levels' own.
            if (bids.length > 0) expect(input.bids[0]).not.toBe(bids[0]);
            expect(levels.toInput().bids).not.toBe(input.bids);
            // What a reused instance applies is this frame only.
            book.applySnapshot({ bids: [], asks: [] });
            general.applySnapshot({ bids: [], asks: [] });
            if (!book.applyPreparedDelta(levels)) book.applyDelta(levels.toInput());
            general.applyDelta({ bids, asks });
            expect(bookState(book)).toEqual(bookState(general));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a reset empties both sides, and levels pushed without endBids are asks', () => {
    const levels = new PreparedLevels();
    expect(
      fill(
        levels,
        [
          ['1.5', '1'],
          ['2', '0'],
        ],
        [['3', '1']],
      ),
    ).toBe(true);
    levels.reset();
    expect(levels.toInput()).toEqual({ bids: [], asks: [] });
    levels.push('4', '2', 4, 0, false);
    expect(levels.toInput()).toEqual({ bids: [], asks: [['4', '2']] });

    const book = new OrderBook();
    book.applySnapshot({ bids: [['1', '1']], asks: [['5', '1']] });
    expect(book.applyPreparedDelta(levels)).toBe(true);
    expect(pairs(book.bids())).toEqual([['1', '1']]);
    expect(pairs(book.asks())).toEqual([
      ['4', '2'],
      ['5', '1'],
    ]);
  });
});

// ---------------------------------------------------------------------------------------
// SequencedBookSync.pushPrepared against push
// ---------------------------------------------------------------------------------------

function syncHarness(maxDepth: number) {
  // The default clock (Date.now), faked: both syncs read the same time.
  return sharedSyncHarness({
    maxDepth,
    maxBufferedDiffs: 6,
    retryDelayMs: 10,
    maxRetryDelayMs: 40,
    minSnapshotIntervalMs: 15,
  });
}

function syncState(h: ReturnType<typeof syncHarness>) {
  const { sync } = h;
  return {
    book: bookState(sync.book),
    isSynced: sync.isSynced,
    buffered: sync.bufferedDiffs,
    stats: sync.stats(),
    fetches: h.fetches.length,
    live: h.live() !== undefined,
    events: h.events.map((e) =>
      e.type === 'synced'
        ? [e.type, e.sequence]
        : e.type === 'resyncing'
          ? [e.type, e.reason, e.error?.code]
          : [e.type, e.error.code],
    ),
  };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('SequencedBookSync.pushPrepared', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  // Bids on 1..9 and asks on 11..19 (several spellings, some finer than the book's scale),
  // a few u64 asks (string keys); zero sizes in several spellings. The book only crosses
  // through the 'crossing' fault.
  const price = (lo: number) =>
    fc
      .record({
        p: fc.integer({ min: lo, max: lo + 8 }),
        frac: fc.oneof(
          { weight: 12, arbitrary: fc.constantFrom('', '', '.0', '.50', '.5', '.25') },
          { weight: 1, arbitrary: fc.constantFrom('.12345', '.000000000001') },
        ),
        lead: fc.constantFrom('', '', '0', '00'),
      })
      .map(({ p, frac, lead }) => `${lead}${p}${frac}`);
  const bigAsk = fc.constantFrom('18446744073709551615', '9007199254740993');
  const side = (prices: fc.Arbitrary<string>) =>
    fc.array(fc.tuple(prices, qtyArb) as fc.Arbitrary<LevelInput>, { maxLength: 4 });
  const eventArb = (plainPerBig: number) =>
    fc.record({
      span: fc.integer({ min: 0, max: 2 }),
      bids: side(price(1)),
      asks: side(
        fc.oneof({ weight: plainPerBig, arbitrary: price(11) }, { weight: 1, arbitrary: bigAsk }),
      ),
      timed: fc.boolean(),
      stamped: fc.boolean(),
    });
  const streamArb = fc.oneof(
    { weight: 3, arbitrary: fc.array(eventArb(RARE), { minLength: 10, maxLength: 40 }) },
    { weight: 1, arbitrary: fc.array(eventArb(OFTEN * 2), { minLength: 10, maxLength: 40 }) },
  );
  const actionArb = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({
        t: fc.constant('deliver' as const),
        fault: fc.constantFrom(
          ...['none', 'none', 'none', 'none', 'none'],
          ...['drop', 'drop', 'dup', 'swap', 'old', 'invalid', 'crossing', 'crossing'],
        ),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        t: fc.constant('snapshot' as const),
        lag: fc.constantFrom(-1, 0, 0, 0, 1, 3),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ t: 'fail' as const }) },
    { weight: 1, arbitrary: fc.constant({ t: 'reconnect' as const }) },
    { weight: 2, arbitrary: fc.constant({ t: 'tick' as const }) },
  );

  it('behaves exactly like push on the same diff stream with faults (property)', async () => {
    const seen = {
      whileSynced: 0,
      whileSyncing: 0,
      prepared: 0,
      refused: 0,
      general: 0,
      gaps: 0,
      crossed: 0,
      ignored: 0,
      synced: 0,
    };
    await fc.assert(
      fc.asyncProperty(
        maxDepthArb,
        side(price(1)),
        side(price(11)),
        streamArb,
        fc.array(actionArb, { minLength: 20, maxLength: 60 }),
        async (maxDepth, initBids, initAsks, specs, actions) => {
          // The exchange: its diff stream, and the snapshot after each diff.
          const ref = new ReferenceBook();
          ref.snapshot(initBids, initAsks);
          const snapshots: SequencedSnapshot[] = [
            { lastUpdateId: 100, bids: ref.sorted('bids'), asks: ref.sorted('asks') },
          ];
          const stream: SequencedDiff[] = [];
          const end = { span: 0, bids: [], asks: [], timed: false, stamped: false };
          for (const s of [...specs, end]) {
            const U = snapshots.at(-1)!.lastUpdateId + 1;
            const u = U + s.span;
            stream.push({
              firstUpdateId: U,
              lastUpdateId: u,
              bids: s.bids,
              asks: s.asks,
              ...(s.timed ? { exchangeTime: U * 7 } : {}),
              // A receive time of the socket read; else the sync's clock (faked).
              ...(s.stamped ? { receivedAt: U * 3 } : {}),
            });
            ref.delta(s.bids, s.asks);
            snapshots.push({ lastUpdateId: u, bids: ref.sorted('bids'), asks: ref.sorted('asks') });
          }

          const a = syncHarness(maxDepth); // push
          const b = syncHarness(maxDepth); // pushPrepared when the parser could key the frame
          const spy = jest.spyOn(b.sync.book, 'applyPreparedDelta');
          const levels = new PreparedLevels();
          const deliver = (diff: SequencedDiff): void => {
            if (a.sync.isSynced) seen.whileSynced++;
            else seen.whileSyncing++;
            a.sync.push(diff);
            pushPrepared(b.sync, levels, diff, seen);
            expect(syncState(b)).toEqual(syncState(a));
          };
          const bothLive = (): [PendingFetch, PendingFetch] | undefined => {
            const fa = a.live();
            const fb = b.live();
            expect(fb === undefined).toBe(fa === undefined);
            return fa === undefined || fb === undefined ? undefined : [fa, fb];
          };
          const resolveBoth = async (i: number): Promise<void> => {
            const pending = bothLive();
            if (pending === undefined) return;
            // Separate copies: neither sync may see what the other did to its snapshot.
            pending[0].resolve(structuredClone(snapshots[i]!));
            pending[1].resolve(structuredClone(snapshots[i]!));
            await settle();
          };

          let next = 0;
          const last = stream.length - 1; // the trailing empty diff, kept for the end
          for (const action of actions) {
            if (action.t === 'deliver') {
              const e = stream[next];
              if (e === undefined || next >= last) continue;
              next++;
              if (action.fault === 'none') deliver(e);
              else if (action.fault === 'dup') {
                deliver(e);
                deliver(e);
              } else if (action.fault === 'swap' && next < last) {
                deliver(stream[next]!);
                deliver(e);
                next++;
              } else if (action.fault === 'old') {
                deliver(e);
                deliver(stream[Math.floor(next / 2)]!);
              } else if (action.fault === 'invalid') {
                deliver({ ...e, firstUpdateId: e.lastUpdateId + 1 });
                deliver(e);
              } else if (action.fault === 'crossing') {
                // A diff the exchange got wrong: its last bid is above its last ask.
                deliver({ ...e, bids: [...e.bids, ['25.5', '1']], asks: [...e.asks, ['12', '1']] });
              } // 'drop': never delivered
            } else if (action.t === 'snapshot') {
              await resolveBoth(Math.max(0, Math.min(snapshots.length - 1, next - action.lag)));
            } else if (action.t === 'fail') {
              const pending = bothLive();
              pending?.[0].reject(createError('TRANSPORT_TIMEOUT', 'injected'));
              pending?.[1].reject(createError('TRANSPORT_TIMEOUT', 'injected'));
              await settle();
            } else if (action.t === 'reconnect') {
              a.sync.resync('reconnect');
              b.sync.resync('reconnect');
            } else {
              await jest.advanceTimersByTimeAsync(20);
            }
            expect(syncState(b)).toEqual(syncState(a));
          }
          // Faults stop: the rest arrives in order and REST answers with the book as of the
          // last diff sent, so that both syncs settle into the steady state.
          const resync = async (): Promise<void> => {
            for (let round = 0; round < 10 && !a.sync.isSynced; round++) {
              await jest.advanceTimersByTimeAsync(20);
              await resolveBoth(next);
              expect(syncState(b)).toEqual(syncState(a));
            }
          };
          while (next < stream.length) {
            deliver(stream[next++]!);
            await resync();
          }
          expect(a.sync.isSynced).toBe(true);
          expect(a.sync.book.sequence).toBe(snapshots.at(-1)!.lastUpdateId);

          a.sync.close();
          b.sync.close();
          deliver(stream.at(-1)!); // ignored by both once closed
          const st = a.sync.stats();
          seen.crossed += a.events.filter(
            (e) => e.type === 'resyncing' && e.reason === 'crossed',
          ).length;
          seen.gaps += st.gaps;
          seen.ignored += st.diffsIgnored;
          seen.synced += a.events.filter((e) => e.type === 'synced').length;
          for (const r of spy.mock.results) {
            if (r.value === true) seen.prepared++;
            else seen.refused++;
          }
        },
      ),
      { numRuns: 25 },
    );
    // The faults and both branches of pushPrepared really happened (typical: 170 diffs sent
    // while synced, 90 prepared, 35 refused, 20 general, 12 gaps, 12 crossed, 190 ignored,
    // 55 synced).
    expect(seen.whileSynced).toBeGreaterThan(60);
    expect(seen.prepared).toBeGreaterThan(25);
    expect(seen.refused).toBeGreaterThan(4);
    expect(seen.general).toBeGreaterThan(2);
    expect(seen.gaps).toBeGreaterThan(2);
    expect(seen.crossed).toBeGreaterThan(1);
    expect(seen.ignored).toBeGreaterThan(60);
    expect(seen.synced).toBeGreaterThan(20);
  });
});

/** What the Binance tap does with one diff frame: prepared when it keyed every price, else push. */
function pushPrepared(
  sync: SequencedBookSync,
  levels: PreparedLevels,
  diff: SequencedDiff,
  seen: { general: number },
): void {
  if (fill(levels, diff.bids, diff.asks)) {
    sync.pushPrepared(
      diff.firstUpdateId,
      diff.lastUpdateId,
      levels,
      diff.exchangeTime,
      diff.receivedAt,
    );
  } else {
    seen.general++;
    sync.push(diff);
  }
  // The parser reuses its levels for the next frame at once: scribble over them.
  levels.reset();
  levels.push('999', '999', 999, 0, false);
  levels.endBids();
}
