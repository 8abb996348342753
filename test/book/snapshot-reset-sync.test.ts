import fc from 'fast-check';
import {
  createSnapshotResetBookSync,
  okxBookChecksum,
  OrderBook,
  type BookLevelsInput,
  type LevelInput,
  type BookSyncEvent,
  type ResyncReason,
  type SnapshotResetBookSyncOptions,
} from '../../src/book/index.js';
import { createError, isTickwireError } from '../../src/errors/index.js';
import { Decimal } from '../../src/numbers/index.js';
import { ReferenceBook } from './reference-book.js';

interface PendingFetch {
  resolve(s: BookLevelsInput): void;
  reject(e: unknown): void;
  signal: AbortSignal;
}

function harness(extra: Partial<SnapshotResetBookSyncOptions> = {}, crossCheck = false) {
  const events: BookSyncEvent[] = [];
  const fetches: PendingFetch[] = [];
  const sync = createSnapshotResetBookSync({
    market: 'fFUEL/fUSDC',
    onEvent: (e) => events.push(e),
    ...(crossCheck
      ? {
          crossCheck: {
            fetchSnapshot: (signal: AbortSignal) =>
              new Promise<BookLevelsInput>((resolve, reject) =>
                fetches.push({ resolve, reject, signal }),
              ),
            intervalMs: 1000,
            depth: 2,
          },
        }
      : {}),
    ...extra,
  });
  return { sync, events, fetches };
}

const prices = (levels: readonly { price: string }[]): string[] => levels.map((l) => l.price);

afterEach(() => jest.useRealTimers());

describe('SnapshotResetBookSync (O2)', () => {
  it('lets every snapshot frame replace the book, applies deltas, ignores deltas before a snapshot', () => {
    const { sync, events } = harness();
    sync.applyDelta({ bids: [['21300000', '5']], asks: [] });
    expect(sync.stats().deltasIgnored).toBe(1);
    expect(sync.isSynced).toBe(false);
    sync.applySnapshot({
      bids: [['21300000', '1500000000000']],
      asks: [['21310000', '800000000000']],
    });
    expect(sync.isSynced).toBe(true);
    expect(events.map((e) => e.type)).toEqual(['synced']);
    sync.applyDelta({ bids: [['21300000', '1200000000000']], asks: [['21310000', '0']] });
    expect(sync.book.bestBid?.quantity).toBe('1200000000000');
    expect(sync.book.bestAsk).toBeUndefined();
    sync.applySnapshot({ bids: [['18446744073709551615', '1']], asks: [] });
    expect(prices(sync.book.bids())).toEqual(['18446744073709551615']);
    expect(events.map((e) => e.type)).toEqual(['synced']); // still synced: no second event
    sync.close();
  });

  it('after a reconnect drops the book until the fresh snapshot replaces it', () => {
    const { sync, events } = harness();
    sync.applySnapshot({ bids: [['10', '1']], asks: [['11', '1']] });
    sync.resync('reconnect');
    expect(sync.isSynced).toBe(false);
    expect(sync.book.bids()).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'resyncing', reason: 'reconnect' });
    sync.applyDelta({ bids: [['9', '1']], asks: [] });
    expect(sync.book.bids()).toEqual([]);
    sync.applySnapshot({ bids: [['12', '1']], asks: [['13', '1']] });
    expect(sync.isSynced).toBe(true);
    expect(prices(sync.book.bids())).toEqual(['12']);
    expect(events.at(-1)).toMatchObject({ type: 'synced' });
    sync.close();
  });

  it('verifies a checksum and asks the transport to resync on a mismatch', () => {
    const asked: ResyncReason[] = [];
    const { sync, events } = harness({
      checksum: (book) => book.levelCount.bids + 100,
      requestResync: (r) => asked.push(r),
    });
    sync.applySnapshot({ bids: [['1', '1']], asks: [], checksum: 101 });
    expect(sync.isSynced).toBe(true);
    sync.applyDelta({ bids: [['2', '1']], asks: [], checksum: 102 });
    expect(sync.isSynced).toBe(true);
    sync.applyDelta({ bids: [['3', '1']], asks: [], checksum: 999 });
    expect(sync.isSynced).toBe(false);
    const e = events.at(-1);
    expect(e).toMatchObject({ type: 'resyncing', reason: 'checksum' });
    expect(isTickwireError((e as { error: unknown }).error, 'BOOK_CHECKSUM_MISMATCH')).toBe(true);
    expect(asked).toEqual(['checksum']);
    sync.close();
  });

  it('does not trust a book whose checksum function throws', () => {
    const asked: ResyncReason[] = [];
    const { sync, events } = harness({
      checksum: () => {
        throw new Error('checksum bug');
      },
      requestResync: (r) => asked.push(r),
    });
    sync.applySnapshot({ bids: [['1', '1']], asks: [], checksum: 1 });
    expect(sync.isSynced).toBe(false);
    expect(asked).toEqual(['checksum']);
    expect(isTickwireError((events.at(-1) as { error: unknown }).error, 'INTERNAL')).toBe(true);
    sync.close();
  });

  it('reports a malformed delta and resyncs, since the update cannot be recovered', () => {
    const asked: ResyncReason[] = [];
    const { sync, events } = harness({ requestResync: (r) => asked.push(r) });
    sync.applySnapshot({ bids: [['1', '1']], asks: [] });
    sync.applySnapshot({ bids: [['x', '1']], asks: [] });
    expect(sync.isSynced).toBe(true); // a bad snapshot leaves the good book
    expect(isTickwireError((events.at(-1) as { error: unknown }).error, 'VALIDATION_FAILED')).toBe(
      true,
    );
    sync.applyDelta({ bids: [['1', '-1']], asks: [] });
    expect(sync.isSynced).toBe(false);
    expect(asked).toEqual(['invalid-update']);
    sync.close();
  });

  describe('REST cross-check', () => {
    beforeEach(() => jest.useFakeTimers());

    it('reports drift only after two conclusive mismatches, then installs the REST book', async () => {
      const { sync, events, fetches } = harness({}, true);
      sync.applySnapshot({
        bids: [
          ['10', '1'],
          ['9', '1'],
        ],
        asks: [['11', '1']],
      });
      const remote = {
        bids: [
          ['10', '1'],
          ['9', '2'],
          ['8', '7'],
        ],
        asks: [['11.0', '1']],
      } as BookLevelsInput;
      await jest.advanceTimersByTimeAsync(1000);
      fetches[0]!.resolve(remote);
      await jest.advanceTimersByTimeAsync(0);
      expect(sync.stats().crossCheckMismatches).toBe(1);
      expect(events.filter((e) => e.type === 'resyncing')).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1000);
      fetches[1]!.resolve(remote);
      await jest.advanceTimersByTimeAsync(0);
      const drift = events.find((e) => e.type === 'resyncing');
      expect(drift).toMatchObject({ reason: 'drift' });
      const error = (drift as { error: unknown }).error;
      expect(isTickwireError(error, 'BOOK_DRIFT')).toBe(true);
      expect((error as Error).message).toMatch(/bid level 1: local 9 × 1, exchange 9 × 2/);
      expect(prices(sync.book.bids())).toEqual(['10', '9', '8']);
      expect(sync.isSynced).toBe(true);
      sync.close();
    });

    it('treats a check that raced an update as inconclusive, and a match as resetting the count', async () => {
      const { sync, events, fetches } = harness({}, true);
      sync.applySnapshot({ bids: [['10', '1']], asks: [['11', '1']] });
      await jest.advanceTimersByTimeAsync(1000);
      sync.applyDelta({ bids: [['10', '2']], asks: [] }); // in flight during the REST call
      fetches[0]!.resolve({ bids: [['10', '1']], asks: [['11', '1']] });
      await jest.advanceTimersByTimeAsync(0);
      expect(sync.stats()).toMatchObject({ crossChecksInconclusive: 1, crossCheckMismatches: 0 });
      await jest.advanceTimersByTimeAsync(1000);
      fetches[1]!.resolve({ bids: [['10', '3']], asks: [['11', '1']] }); // mismatch 1
      await jest.advanceTimersByTimeAsync(1000);
      fetches[2]!.resolve({ bids: [['10', '2']], asks: [['11', '1']] }); // match: count resets
      await jest.advanceTimersByTimeAsync(1000);
      fetches[3]!.resolve({ bids: [['10', '3']], asks: [['11', '1']] }); // mismatch 1 again
      await jest.advanceTimersByTimeAsync(0);
      expect(sync.stats()).toMatchObject({ crossCheckMismatches: 2, drifts: 0 });
      expect(events.filter((e) => e.type === 'resyncing')).toHaveLength(0);
      fetches.length = 0;
      sync.close();
      await jest.advanceTimersByTimeAsync(5000);
      expect(fetches).toHaveLength(0); // closing stops the checks
    });

    it('asks the transport for a fresh snapshot on drift when it can, and reports fetch errors', async () => {
      const asked: ResyncReason[] = [];
      const { sync, events, fetches } = harness({ requestResync: (r) => asked.push(r) }, true);
      sync.applySnapshot({ bids: [['10', '1']], asks: [] });
      await jest.advanceTimersByTimeAsync(1000);
      fetches[0]!.reject(createError('TRANSPORT_TIMEOUT', 'slow'));
      await jest.advanceTimersByTimeAsync(0);
      expect(events.at(-1)).toMatchObject({ type: 'error' });
      for (let i = 1; i <= 2; i++) {
        await jest.advanceTimersByTimeAsync(1000);
        fetches[i]!.resolve({ bids: [], asks: [] }); // the exchange's book is empty
        await jest.advanceTimersByTimeAsync(0);
      }
      // An empty remote side compares nothing: no drift from a truncated REST answer.
      expect(asked).toEqual([]);
      await jest.advanceTimersByTimeAsync(1000);
      fetches[3]!.resolve({ bids: [['11', '1']], asks: [] });
      await jest.advanceTimersByTimeAsync(1000);
      fetches[4]!.resolve({ bids: [['11', '1']], asks: [] });
      await jest.advanceTimersByTimeAsync(0);
      expect(asked).toEqual(['drift']);
      expect(sync.isSynced).toBe(false);
      sync.close();
    });
  });
});

describe('SnapshotResetBookSync with an OKX-style checksum (property)', () => {
  const side = (lo: number) =>
    fc.array(
      fc.tuple(
        fc.integer({ min: lo, max: lo + 9 }).map(String),
        fc.constantFrom('0', '1', '2.5', '3.10', '0.000'),
      ) as fc.Arbitrary<LevelInput>,
      { maxLength: 4 },
    );
  const stepArb = fc.record({
    kind: fc.constantFrom('delta', 'delta', 'delta', 'snapshot'),
    bids: side(1),
    asks: side(20),
    drop: fc.boolean(),
  });

  it('is never synced with a book that differs from the exchange, and recovers on resubscribe', () => {
    let mismatches = 0;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 40 }), (steps) => {
        const truth = new ReferenceBook();
        const checksumOf = (ref: ReferenceBook): number => {
          const b = new OrderBook();
          b.applySnapshot({ bids: ref.sorted('bids'), asks: ref.sorted('asks') });
          return okxBookChecksum(b);
        };
        let resubscribed = 0;
        const sync = createSnapshotResetBookSync({
          market: 'X/Y',
          checksum: okxBookChecksum,
          requestResync: () => resubscribed++,
        });
        const snapshotFrame = () => ({
          bids: truth.sorted('bids'),
          asks: truth.sorted('asks'),
          checksum: checksumOf(truth),
        });
        truth.snapshot([], []);
        sync.applySnapshot(snapshotFrame());
        let answered = 0;
        for (const step of steps) {
          if (step.kind === 'snapshot') {
            truth.snapshot(step.bids, step.asks);
            if (!step.drop) sync.applySnapshot(snapshotFrame());
          } else {
            truth.delta(step.bids, step.asks);
            const frame = { bids: step.bids, asks: step.asks, checksum: checksumOf(truth) };
            if (!step.drop) sync.applyDelta(frame);
          }
          const answering = resubscribed > answered;
          if (answering) {
            answered = resubscribed;
            sync.applySnapshot(snapshotFrame()); // the exchange answers a resubscribe
          }
          // A dropped frame cannot be noticed before the next one arrives; after every
          // delivered frame (or resubscribe answer) a synced book must equal the exchange's.
          if (sync.isSynced && (!step.drop || answering)) {
            const canon = (levels: readonly { price: string; quantity: string }[]) =>
              levels.map((l) => [l.price, new Decimal(l.quantity).toFixed()]);
            expect(canon(sync.book.bids())).toEqual(
              canon(truth.sorted('bids').map(([price, quantity]) => ({ price, quantity }))),
            );
            expect(canon(sync.book.asks())).toEqual(
              canon(truth.sorted('asks').map(([price, quantity]) => ({ price, quantity }))),
            );
          }
        }
        mismatches += sync.stats().resyncs;
        sync.close();
      }),
      { numRuns: 300 },
    );
    expect(mismatches).toBeGreaterThan(100); // the dropped frames really were caught
  });
});
