// The O2 book watch over a hand-fed depth source and a hand-answered REST fetcher, under
// fake timers: syncing, verification on/off, drift → resubscribe → `resynced`, the REST
// fallback when no fresh snapshot comes, crossed books, ending and failing.
import {
  createO2BookStats,
  watchO2OrderBook,
  type O2BookEvent,
  type O2WatchOrderBookOptions,
} from '../../../adapters/o2/book/watch-book.js';
import type { DepthUpdate } from '../../../src/adapter/index.js';
import type { BookLevelsInput, OrderBookView } from '../../../src/book/index.js';
import { createError, isTickwireError } from '../../../src/errors/index.js';
import { BoundedStream } from '../../../src/stream/index.js';

type Lv = readonly (readonly [string, string])[];
const levels = (l: Lv) => l.map(([price, quantity]) => ({ price, quantity }));
const snapshot = (bids: Lv, asks: Lv): DepthUpdate => ({
  kind: 'snapshot',
  market: 'fFUEL/fUSDC',
  bids: levels(bids),
  asks: levels(asks),
  receivedAt: 1,
  raw: null,
});
const delta = (bids: Lv, asks: Lv): DepthUpdate => ({ ...snapshot(bids, asks), kind: 'delta' });

const BIDS: Lv = [
  ['100', '5'],
  ['99', '7'],
];
const ASKS: Lv = [
  ['101', '4'],
  ['102', '8'],
];

interface Pending {
  depth: number | undefined;
  signal: AbortSignal;
  resolve(v: BookLevelsInput): void;
  reject(e: unknown): void;
}

function harness(options: O2WatchOrderBookOptions = {}) {
  const streams: { stream: BoundedStream<DepthUpdate>; signal: AbortSignal }[] = [];
  const pending: Pending[] = [];
  const events: O2BookEvent[] = [];
  const stats = createO2BookStats();
  const views = watchO2OrderBook(
    {
      market: 'fFUEL/fUSDC',
      openDepth: (signal) => {
        const stream = new BoundedStream<DepthUpdate>({ signal });
        streams.push({ stream, signal });
        return stream;
      },
      fetchDepth: (depth, signal) =>
        new Promise((resolve, reject) => pending.push({ depth, signal, resolve, reject })),
    },
    { ...options, verify: { intervalMs: 1000, settleMs: 100, ...options.verify } },
    (e) => events.push(e),
    stats,
  );
  const current = (): BoundedStream<DepthUpdate> => streams[streams.length - 1]!.stream;
  const take = (): Pending => {
    const p = pending.shift();
    if (p === undefined) throw new Error('no REST request pending');
    return p;
  };
  return { views, streams, pending, events, stats, current, take };
}

/**
 * The next view. Views are taken on a (fake) setImmediate, which the fake clock runs only
 * when it moves, so it moves by 1 ms.
 */
async function nextView(views: AsyncIterator<OrderBookView>): Promise<OrderBookView> {
  const pending = views.next();
  await jest.advanceTimersByTimeAsync(1);
  const r = await pending;
  if (r.done === true) throw new Error('the watch ended');
  return r.value;
}

const top = (v: OrderBookView) => ({
  bids: v.bids().map((l) => [l.price, l.quantity]),
  asks: v.asks().map((l) => [l.price, l.quantity]),
});

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('watchO2OrderBook', () => {
  it('yields the book once a snapshot is in; deltas before it are counted and ignored', async () => {
    const h = harness();
    await jest.advanceTimersByTimeAsync(0);
    expect(h.streams).toHaveLength(1);
    h.current().push(delta([['100', '1']], []));
    h.current().push(snapshot(BIDS, ASKS));
    h.current().push(delta([['100', '0']], [['103', '1']]));
    await jest.advanceTimersByTimeAsync(0);
    const view = await nextView(h.views);
    expect(view.isSynced).toBe(true);
    expect(top(view)).toEqual({
      bids: [['99', '7']],
      asks: [
        ['101', '4'],
        ['102', '8'],
        ['103', '1'],
      ],
    });
    expect(h.stats).toMatchObject({ active: 1, updates: 3, snapshots: 1, deltasIgnored: 1 });
    await h.views.return!();
    expect(h.streams[0]!.signal.aborted).toBe(true);
    expect(h.stats.active).toBe(0);
  });

  it('verify off: no REST depth request, however long it runs', async () => {
    const h = harness({ verify: { enabled: false } });
    h.current().push(snapshot(BIDS, ASKS));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(h.pending).toHaveLength(0);
    expect(h.stats.verification.checks).toBe(0);
    await h.views.return!();
  });

  it('drift: two failed checks → BOOK_DRIFT error, book discarded, resubscribe, `resynced` after the fresh snapshot', async () => {
    const h = harness();
    await jest.advanceTimersByTimeAsync(0);
    h.current().push(snapshot(BIDS, ASKS));
    await jest.advanceTimersByTimeAsync(0);
    expect((await nextView(h.views)).isSynced).toBe(true);
    const exchange = { bids: [['100', '5']], asks: ASKS } as const; // the 99 bid is gone
    for (let i = 0; i < 2; i++) {
      await jest.advanceTimersByTimeAsync(1000);
      h.take().resolve(exchange);
      await jest.advanceTimersByTimeAsync(100);
    }
    expect(h.stats.verification).toMatchObject({ checks: 2, mismatches: 2, drifts: 1 });
    const drift = h.events.find((e) => e.type === 'error');
    expect(drift?.type === 'error' && drift.error.code).toBe('BOOK_DRIFT');
    expect((await nextView(h.views)).isSynced).toBe(false);
    expect(h.streams).toHaveLength(2);
    expect(h.streams[0]!.signal.aborted).toBe(true);
    expect(h.events.some((e) => e.type === 'resynced')).toBe(false);
    h.current().push(snapshot([['100', '5']], ASKS));
    await jest.advanceTimersByTimeAsync(0);
    const view = await nextView(h.views);
    expect(view.isSynced).toBe(true);
    expect(top(view).bids).toEqual([['100', '5']]);
    expect(h.events.filter((e) => e.type === 'resynced')).toEqual([
      { type: 'resynced', market: 'fFUEL/fUSDC', reason: 'drift', channel: 'depth' },
    ]);
    expect(h.stats.resyncs.drift).toBe(1);
    await h.views.return!();
  });

  it('no fresh snapshot after a resubscribe (a shared upstream subscription): rebuilt from full REST depth', async () => {
    const h = harness({ verify: { confirmations: 1 } });
    await jest.advanceTimersByTimeAsync(0);
    h.current().push(snapshot(BIDS, ASKS));
    await jest.advanceTimersByTimeAsync(1000);
    h.take().resolve({ bids: [], asks: [] });
    await jest.advanceTimersByTimeAsync(100);
    expect(h.stats.verification.drifts).toBe(1);
    expect(h.streams).toHaveLength(2);
    h.current().push(delta([['98', '1']], [])); // deltas only: ignored
    await jest.advanceTimersByTimeAsync(1999);
    expect(h.pending).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    const full = h.take();
    expect(full.depth).toBeUndefined();
    full.resolve({ bids: [['98', '1']], asks: [['101', '4']] });
    await jest.advanceTimersByTimeAsync(0);
    expect(h.events.filter((e) => e.type === 'resynced')).toHaveLength(1);
    h.current().push(delta([['97', '2']], []));
    await jest.advanceTimersByTimeAsync(0);
    let view = await nextView(h.views);
    while (view.bids().length < 2) view = await nextView(h.views);
    expect(top(view)).toEqual({
      bids: [
        ['98', '1'],
        ['97', '2'],
      ],
      asks: [['101', '4']],
    });
    await h.views.return!();
  });

  it('a crossed book resyncs with a BOOK_CROSSED error event', async () => {
    const h = harness({ verify: { enabled: false } });
    await jest.advanceTimersByTimeAsync(0);
    h.current().push(snapshot(BIDS, ASKS));
    h.current().push(delta([['101', '1']], []));
    await jest.advanceTimersByTimeAsync(0);
    const e = h.events.find((x) => x.type === 'error');
    expect(e?.type === 'error' && e.error.code).toBe('BOOK_CROSSED');
    expect(h.stats.resyncs.crossed).toBe(1);
    expect(h.streams).toHaveLength(2);
    h.current().push(snapshot(BIDS, ASKS));
    await jest.advanceTimersByTimeAsync(0);
    expect(h.events.filter((x) => x.type === 'resynced')).toEqual([
      { type: 'resynced', market: 'fFUEL/fUSDC', reason: 'crossed', channel: 'depth' },
    ]);
    await h.views.return!();
  });

  it('a `process` post-processor sees every update; `undefined` skips one (counted)', async () => {
    const seen: string[] = [];
    const streams: BoundedStream<DepthUpdate>[] = [];
    const stats = createO2BookStats();
    const views = watchO2OrderBook(
      {
        market: 'fFUEL/fUSDC',
        openDepth: (signal) => {
          const s = new BoundedStream<DepthUpdate>({ signal });
          streams.push(s);
          return s;
        },
        fetchDepth: () => Promise.reject(new Error('no REST here')),
        process: (u) => {
          seen.push(u.kind);
          return u.bids.some((l) => l.price === '98') ? undefined : u;
        },
      },
      { verify: { enabled: false } },
      () => undefined,
      stats,
    );
    await jest.advanceTimersByTimeAsync(0);
    streams[0]!.push(snapshot(BIDS, ASKS));
    streams[0]!.push(delta([['98', '1']], []));
    streams[0]!.push(delta([['97', '1']], []));
    await jest.advanceTimersByTimeAsync(0);
    const view = await nextView(views);
    expect(seen).toEqual(['snapshot', 'delta', 'delta']);
    expect(top(view).bids).toEqual([...BIDS, ['97', '1']]);
    expect(stats).toMatchObject({ updates: 2, skipped: 1 });
    await views.return!();
  });

  it('frames dropped by a full stream buffer resync the book (gap) with a BOOK_SEQUENCE_GAP error', async () => {
    const streams: BoundedStream<DepthUpdate>[] = [];
    const events: O2BookEvent[] = [];
    const stats = createO2BookStats();
    const views = watchO2OrderBook(
      {
        market: 'fFUEL/fUSDC',
        openDepth: (signal) => {
          const s = new BoundedStream<DepthUpdate>({ signal, capacity: 1 });
          streams.push(s);
          return s;
        },
        fetchDepth: () => Promise.reject(new Error('no REST here')),
      },
      { verify: { enabled: false } },
      (e) => events.push(e),
      stats,
    );
    await jest.advanceTimersByTimeAsync(0);
    streams[0]!.push(snapshot(BIDS, ASKS));
    await jest.advanceTimersByTimeAsync(0);
    // A burst the reader cannot take in time: the buffer (1) drops the oldest.
    streams[0]!.push(delta([['98', '1']], []));
    streams[0]!.push(delta([['97', '1']], []));
    streams[0]!.push(delta([['96', '1']], []));
    await jest.advanceTimersByTimeAsync(0);
    expect(streams[0]!.dropped).toBeGreaterThan(0);
    expect(stats.resyncs.gap).toBe(1);
    const gap = events.find((e) => e.type === 'error');
    expect(gap?.type === 'error' && gap.error.code).toBe('BOOK_SEQUENCE_GAP');
    expect(streams).toHaveLength(2);
    streams[1]!.push(snapshot(BIDS, ASKS));
    await jest.advanceTimersByTimeAsync(0);
    expect(events.filter((e) => e.type === 'resynced')).toEqual([
      { type: 'resynced', market: 'fFUEL/fUSDC', reason: 'gap', channel: 'depth' },
    ]);
    await views.return!();
  });

  it('the watch ends when the source ends, and fails with the source error', async () => {
    const a = harness({ verify: { enabled: false } });
    await jest.advanceTimersByTimeAsync(0);
    a.current().push(snapshot(BIDS, ASKS));
    a.current().end();
    await jest.advanceTimersByTimeAsync(0);
    expect(a.stats.active).toBe(0);
    expect((await a.views.next()).done).toBe(true);

    const b = harness({ verify: { enabled: false } });
    await jest.advanceTimersByTimeAsync(0);
    b.current().fail(createError('CLOSED', 'adapter closed'));
    await jest.advanceTimersByTimeAsync(0);
    const error: unknown = await b.views.next().catch((e: unknown) => e);
    expect(isTickwireError(error) && error.code).toBe('CLOSED');
  });

  it('aborting the signal ends the watch, its stream and a REST check in flight', async () => {
    const controller = new AbortController();
    const h = harness({ signal: controller.signal });
    await jest.advanceTimersByTimeAsync(0);
    h.current().push(snapshot(BIDS, ASKS));
    await jest.advanceTimersByTimeAsync(1000);
    const req = h.take();
    const pendingNext = h.views.next();
    await pendingNext; // the snapshot view
    const waiting = h.views.next().catch((e: unknown) => e);
    controller.abort();
    const error = await waiting;
    expect(isTickwireError(error) && error.code).toBe('ABORTED');
    expect(req.signal.aborted).toBe(true);
    expect(h.streams[0]!.signal.aborted).toBe(true);
    expect(h.stats.active).toBe(0);
  });
});
