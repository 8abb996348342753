import fc from 'fast-check';
import {
  createSequencedBookSync,
  type BookSyncEvent,
  type LevelInput,
  type OrderBookReader,
  type SequencedDiff,
  type SequencedSnapshot,
} from '../../src/book/index.js';
import { createError, isTickwireError } from '../../src/errors/index.js';
import { Decimal } from '../../src/numbers/index.js';
import { ReferenceBook } from './reference-book.js';
import { type PendingFetch, syncHarness } from './sync-harness.js';

function harness(options: { maxBufferedDiffs?: number } = {}) {
  return syncHarness({
    retryDelayMs: 10,
    maxRetryDelayMs: 10,
    minSnapshotIntervalMs: 0,
    now: () => 42,
    ...options,
  });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

const diff = (
  U: number,
  u: number,
  bids: LevelInput[] = [],
  asks: LevelInput[] = [],
): SequencedDiff => ({
  firstUpdateId: U,
  lastUpdateId: u,
  bids,
  asks,
});

function levels(book: OrderBookReader): { bids: string[][]; asks: string[][] } {
  const canon = (l: { price: string; quantity: string }): string[] => [
    new Decimal(l.price).toFixed(),
    new Decimal(l.quantity).toFixed(),
  ];
  return { bids: book.bids().map(canon), asks: book.asks().map(canon) };
}

function refLevels(ref: ReferenceBook): { bids: string[][]; asks: string[][] } {
  const canon = ([p, q]: [string, string]): string[] => [
    new Decimal(p).toFixed(),
    new Decimal(q).toFixed(),
  ];
  return { bids: ref.sorted('bids').map(canon), asks: ref.sorted('asks').map(canon) };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('SequencedBookSync (binance-spot.md §7)', () => {
  it('buffers, fetches on the first diff, drops covered diffs and applies the straddling one', async () => {
    const { sync, fetches, events } = harness();
    expect(fetches).toHaveLength(0);
    sync.push(diff(98, 100, [['10', '1']])); // covered by the snapshot
    expect(fetches).toHaveLength(1);
    sync.push(diff(101, 103, [['10', '2']], [['11', '1']])); // straddles lastUpdateId 102
    sync.push(diff(104, 104, [['9', '1']]));
    expect(sync.isSynced).toBe(false);
    fetches[0]!.resolve({ lastUpdateId: 102, bids: [['10', '5']], asks: [['12', '1']] });
    await settle();
    expect(sync.isSynced).toBe(true);
    expect(sync.book.sequence).toBe(104);
    expect(levels(sync.book)).toEqual({
      bids: [
        ['10', '2'],
        ['9', '1'],
      ],
      asks: [
        ['11', '1'],
        ['12', '1'],
      ],
    });
    expect(events.map((e) => e.type)).toEqual(['synced']);
    expect(sync.stats()).toMatchObject({ diffsApplied: 2, diffsIgnored: 1, snapshotsRequested: 1 });
    sync.push(diff(105, 106, [['9', '0.00000000']]));
    expect(sync.book.sequence).toBe(106);
    expect(sync.book.bids().map((l) => l.price)).toEqual(['10']);
    expect(sync.book.receivedAt).toBe(42);
    sync.close();
  });

  it('refetches a snapshot older than the first buffered U', async () => {
    const { sync, fetches } = harness();
    sync.push(diff(101, 105));
    fetches[0]!.resolve({ lastUpdateId: 100, bids: [], asks: [] });
    await settle();
    expect(sync.isSynced).toBe(false);
    expect(sync.stats().snapshotsTooOld).toBe(1);
    expect(fetches).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(10);
    expect(fetches).toHaveLength(2);
    fetches[1]!.resolve({ lastUpdateId: 105, bids: [['1', '1']], asks: [] });
    await settle();
    expect(sync.isSynced).toBe(true);
    expect(sync.book.sequence).toBe(105);
    sync.close();
  });

  it('reports a gap as BOOK_SEQUENCE_GAP and resyncs, keeping the diff that revealed it', async () => {
    const { sync, fetches, events } = harness();
    sync.push(diff(11, 11));
    fetches[0]!.resolve({ lastUpdateId: 11, bids: [['1', '1']], asks: [] });
    await settle();
    expect(sync.isSynced).toBe(true);
    sync.push(diff(12, 12, [['2', '1']]));
    sync.push(diff(14, 15, [['3', '1']])); // 13 is missing
    expect(sync.isSynced).toBe(false);
    expect(sync.book.bids()).toEqual([]);
    const gap = events.find((e) => e.type === 'resyncing');
    expect(gap).toMatchObject({ type: 'resyncing', reason: 'gap' });
    const error = gap?.type === 'resyncing' ? gap.error : undefined;
    expect(isTickwireError(error, 'BOOK_SEQUENCE_GAP')).toBe(true);
    expect(error?.context).toMatchObject({ market: 'BTC/USDT', expected: '13', received: '14' });
    expect(sync.bufferedDiffs).toBe(1);
    expect(fetches).toHaveLength(2);
    fetches[1]!.resolve({
      lastUpdateId: 14,
      bids: [
        ['1', '1'],
        ['2', '1'],
        ['5', '1'],
      ],
      asks: [],
    });
    await settle();
    expect(sync.isSynced).toBe(true);
    expect(sync.book.sequence).toBe(15);
    expect(sync.book.bids().map((l) => l.price)).toEqual(['5', '3', '2', '1']);
    sync.close();
  });

  it('treats a first buffered diff that does not straddle the snapshot as a gap', async () => {
    const { sync, fetches, events } = harness();
    sync.push(diff(101, 101));
    sync.push(diff(103, 104)); // 102 lost while buffering
    fetches[0]!.resolve({ lastUpdateId: 101, bids: [], asks: [] });
    await settle();
    expect(sync.isSynced).toBe(false);
    expect(events.some((e) => e.type === 'resyncing' && e.reason === 'gap')).toBe(true);
    expect(fetches).toHaveLength(2);
    sync.close();
  });

  it('bounds the buffer while syncing by dropping the oldest diffs', () => {
    const { sync } = harness({ maxBufferedDiffs: 3 });
    for (let i = 1; i <= 10; i++) sync.push(diff(i, i));
    expect(sync.bufferedDiffs).toBe(3);
    expect(sync.stats().diffsDropped).toBe(7);
    sync.close();
  });

  it('retries a failed snapshot fetch after reporting it', async () => {
    const { sync, fetches, events } = harness();
    sync.push(diff(1, 1));
    fetches[0]!.reject(createError('TRANSPORT_TIMEOUT', 'timed out'));
    await settle();
    expect(events.at(-1)).toMatchObject({ type: 'error' });
    expect(isTickwireError((events.at(-1) as { error: unknown }).error, 'TRANSPORT_TIMEOUT')).toBe(
      true,
    );
    await jest.advanceTimersByTimeAsync(10);
    expect(fetches).toHaveLength(2);
    fetches[1]!.reject(new Error('plain'));
    await settle();
    expect(isTickwireError((events.at(-1) as { error: unknown }).error, 'INTERNAL')).toBe(true);
    sync.close();
  });

  it('resyncs on external request (reconnect), aborting an in-flight fetch', async () => {
    const { sync, fetches, events } = harness();
    sync.push(diff(1, 1));
    fetches[0]!.resolve({ lastUpdateId: 1, bids: [['1', '1']], asks: [] });
    await settle();
    sync.push(diff(2, 2));
    sync.resync('reconnect');
    expect(sync.isSynced).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'resyncing', reason: 'reconnect' });
    sync.push(diff(5, 5));
    expect(fetches).toHaveLength(2);
    sync.resync();
    expect(fetches[1]!.signal.aborted).toBe(true);
    fetches[1]!.resolve({ lastUpdateId: 9, bids: [], asks: [] }); // superseded: ignored
    await settle();
    expect(sync.isSynced).toBe(false);
    sync.close();
  });

  it('skips a malformed diff without touching the book, then resyncs on the hole it leaves', async () => {
    const { sync, fetches, events } = harness();
    sync.push(diff(1, 1));
    fetches[0]!.resolve({ lastUpdateId: 1, bids: [['1', '1']], asks: [] });
    await settle();
    sync.push(diff(2, 2, [['1', 'x']]));
    expect(sync.isSynced).toBe(true);
    expect(sync.book.sequence).toBe(1);
    expect(events.at(-1)).toMatchObject({ type: 'error' });
    sync.push(diff(3, 1)); // U > u
    expect(sync.stats().diffsInvalid).toBe(2);
    sync.push(diff(3, 3));
    expect(sync.isSynced).toBe(false);
    expect(events.at(-1)).toMatchObject({ type: 'resyncing', reason: 'gap' });
    sync.close();
  });

  it('resyncs on a crossed book and on a checksum mismatch', async () => {
    const events: BookSyncEvent[] = [];
    const fetches: PendingFetch[] = [];
    const sync = createSequencedBookSync({
      market: 'X/Y',
      fetchSnapshot: (signal) =>
        new Promise((resolve, reject) => fetches.push({ resolve, reject, signal })),
      checksum: (book) => book.levelCount.bids,
      onEvent: (e) => events.push(e),
      minSnapshotIntervalMs: 0,
    });
    sync.push(diff(1, 1));
    fetches[0]!.resolve({ lastUpdateId: 1, bids: [['1', '1']], asks: [['3', '1']] });
    await settle();
    sync.push({ ...diff(2, 2, [['2', '1']]), checksum: 2 });
    expect(sync.isSynced).toBe(true);
    sync.push({ ...diff(3, 3, [['2.5', '1']]), checksum: 2 });
    expect(sync.isSynced).toBe(false);
    const mismatch = events.at(-1);
    expect(mismatch).toMatchObject({ type: 'resyncing', reason: 'checksum' });
    expect(isTickwireError((mismatch as { error: unknown }).error, 'BOOK_CHECKSUM_MISMATCH')).toBe(
      true,
    );
    sync.push(diff(4, 4));
    fetches[1]!.resolve({ lastUpdateId: 4, bids: [['1', '1']], asks: [['3', '1']] });
    await settle();
    expect(sync.isSynced).toBe(true);
    sync.push(diff(5, 5, [['3', '1']]));
    expect(sync.isSynced).toBe(false);
    const crossed = events.at(-1);
    expect(crossed).toMatchObject({ type: 'resyncing', reason: 'crossed' });
    expect(isTickwireError((crossed as { error: unknown }).error, 'BOOK_CROSSED')).toBe(true);
    sync.close();
  });

  it('spaces snapshot fetches by minSnapshotIntervalMs when gaps repeat', async () => {
    const fetches: PendingFetch[] = [];
    const sync = createSequencedBookSync({
      market: 'X/Y',
      fetchSnapshot: (signal) =>
        new Promise((resolve, reject) => fetches.push({ resolve, reject, signal })),
      minSnapshotIntervalMs: 1000,
    });
    sync.push(diff(1, 1));
    expect(fetches).toHaveLength(1);
    fetches[0]!.resolve({ lastUpdateId: 1, bids: [], asks: [] });
    await settle();
    expect(sync.isSynced).toBe(true);
    sync.push(diff(5, 5)); // gap
    expect(sync.isSynced).toBe(false);
    expect(fetches).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(fetches).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(fetches).toHaveLength(2);
    sync.close();
  });

  it('closes on abort and ignores further input', () => {
    const ac = new AbortController();
    const sync = createSequencedBookSync({
      market: 'X/Y',
      fetchSnapshot: () => new Promise(() => undefined),
      signal: ac.signal,
    });
    sync.push(diff(1, 1));
    ac.abort();
    expect(sync.closed).toBe(true);
    sync.push(diff(2, 2));
    expect(sync.bufferedDiffs).toBe(0);
  });

  describe('fault injection (property)', () => {
    // Bids live on prices 1..8 and asks on 11..18, so the truth is never crossed.
    const side = (lo: number) =>
      fc.array(
        fc.tuple(
          fc
            .integer({ min: lo, max: lo + 7 })
            .chain((p) => fc.constantFrom(`${p}`, `${p}.0`, `${p}.00000000`)),
          fc.constantFrom('0', '0.00000000', '1', '2.5', '3.10'),
        ) as fc.Arbitrary<LevelInput>,
        { maxLength: 4 },
      );
    const eventArb = fc.record({
      span: fc.integer({ min: 0, max: 2 }),
      bids: side(1),
      asks: side(11),
    });
    const actionArb = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          t: fc.constant('deliver' as const),
          fault: fc.constantFrom('none', 'none', 'drop', 'dup', 'swap', 'old'),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          t: fc.constant('snapshot' as const),
          lag: fc.integer({ min: -1, max: 3 }),
        }),
      },
      { weight: 1, arbitrary: fc.constant({ t: 'fail' as const }) },
      { weight: 1, arbitrary: fc.constant({ t: 'reconnect' as const }) },
      { weight: 1, arbitrary: fc.constant({ t: 'tick' as const }) },
    );

    it('never reports synced with a wrong book, and always ends equal to the truth', async () => {
      // Proof that the faults really happen: summed over all runs.
      const seen = { gaps: 0, ignored: 0, tooOld: 0, syncedChecks: 0, resyncs: 0 };
      await fc.assert(
        fc.asyncProperty(
          side(1),
          side(11),
          fc.array(eventArb, { minLength: 10, maxLength: 40 }),
          fc.array(actionArb, { minLength: 20, maxLength: 80 }),
          async (initBids, initAsks, specs, actions) => {
            // The exchange: truth[i] is the book after event i (truth[0] = before any event).
            const ref = new ReferenceBook();
            ref.snapshot(initBids, initAsks);
            const ids = [100];
            const truth = [refLevels(ref)];
            const wire: [string, string][][][] = [[ref.sorted('bids'), ref.sorted('asks')]];
            const stream: SequencedDiff[] = [];
            // Two trailing empty events are always delivered after the faults, so that a
            // dropped last event is noticed, as the live stream would.
            const all = [
              ...specs,
              { span: 0, bids: [], asks: [] },
              { span: 0, bids: [], asks: [] },
            ];
            for (const s of all) {
              const U = ids.at(-1)! + 1;
              const u = U + s.span;
              ref.delta(s.bids, s.asks);
              stream.push(diff(U, u, s.bids, s.asks));
              ids.push(u);
              truth.push(refLevels(ref));
              wire.push([ref.sorted('bids'), ref.sorted('asks')]);
            }
            const truthAt = (seq: number) => truth[ids.indexOf(seq)];
            const snapshotAt = (i: number): SequencedSnapshot => ({
              lastUpdateId: ids[i]!,
              bids: wire[i]![0]!,
              asks: wire[i]![1]!,
            });

            const { sync, live } = harness();
            let next = 0; // next event the exchange sends
            const check = (): void => {
              if (!sync.isSynced) return;
              seen.syncedChecks++;
              const expected = truthAt(sync.book.sequence!);
              expect(expected).toBeDefined();
              expect(levels(sync.book)).toEqual(expected);
            };
            for (const a of actions) {
              if (a.t === 'deliver') {
                const e = stream[next];
                if (e === undefined || next >= stream.length - 2) continue;
                next++;
                if (a.fault === 'none') sync.push(e);
                else if (a.fault === 'dup') {
                  sync.push(e);
                  check();
                  sync.push(e);
                } else if (a.fault === 'swap' && next < stream.length - 2) {
                  sync.push(stream[next]!);
                  check();
                  sync.push(e);
                  next++;
                } else if (a.fault === 'old') {
                  sync.push(e);
                  check();
                  sync.push(stream[Math.floor(next / 2)]!);
                } // 'drop': never delivered
              } else if (a.t === 'snapshot') {
                const f = live();
                if (f !== undefined) {
                  // REST may lag the stream (too-old snapshots) or run one event ahead.
                  const i = Math.max(0, Math.min(stream.length, next - a.lag));
                  f.resolve(snapshotAt(i));
                  await settle();
                }
              } else if (a.t === 'fail') {
                live()?.reject(createError('TRANSPORT_TIMEOUT', 'injected'));
                await settle();
              } else if (a.t === 'reconnect') {
                sync.resync('reconnect');
              } else {
                await jest.advanceTimersByTimeAsync(10);
              }
              check();
            }
            // Faults stop: the rest of the stream arrives in order and REST answers fresh.
            while (next < stream.length) {
              sync.push(stream[next++]!);
              check();
            }
            for (let round = 0; round < 10 && !sync.isSynced; round++) {
              await jest.advanceTimersByTimeAsync(10);
              const f = live();
              if (f !== undefined) {
                f.resolve(snapshotAt(stream.length));
                await settle();
              }
              check();
            }
            expect(sync.isSynced).toBe(true);
            expect(sync.book.sequence).toBe(ids.at(-1));
            expect(levels(sync.book)).toEqual(truth.at(-1));
            const st = sync.stats();
            seen.gaps += st.gaps;
            seen.ignored += st.diffsIgnored;
            seen.tooOld += st.snapshotsTooOld;
            seen.resyncs += st.resyncs;
            sync.close();
          },
        ),
        { numRuns: 200 },
      );
      expect(seen.gaps).toBeGreaterThan(50);
      expect(seen.ignored).toBeGreaterThan(50);
      expect(seen.tooOld).toBeGreaterThan(10);
      expect(seen.resyncs).toBeGreaterThan(seen.gaps);
      expect(seen.syncedChecks).toBeGreaterThan(1000);
    }, 60_000);
  });
});
