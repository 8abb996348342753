// DepthVerifier: periodic REST verification of an O2 book under fake timers, with a fake
// REST fetcher the test answers by hand (so "in flight" is exactly controlled).
import {
  createO2BookVerifyStats,
  DepthVerifier,
  type O2BookVerifyOptions,
} from '../../../adapters/o2/book/depth-verifier.js';
import { OrderBook, type BookLevelsInput } from '../../../src/book/index.js';

interface Pending {
  depth: number | undefined;
  signal: AbortSignal;
  resolve(v: BookLevelsInput): void;
  reject(e: unknown): void;
}

const SNAP: BookLevelsInput = {
  bids: [
    ['100', '5'],
    ['99', '7'],
    ['98', '1'],
  ],
  asks: [
    ['101', '4'],
    ['102', '8'],
  ],
};

function harness(options: O2BookVerifyOptions = {}) {
  const book = new OrderBook({ market: 'fFUEL/fUSDC' });
  book.applySnapshot(SNAP);
  const pending: Pending[] = [];
  const drifts: string[] = [];
  const errors: unknown[] = [];
  const stats = createO2BookVerifyStats();
  const verifier = new DepthVerifier({
    book,
    stats,
    options: { intervalMs: 1000, settleMs: 200, ...options },
    fetchDepth: (depth, signal) =>
      new Promise((resolve, reject) => pending.push({ depth, signal, resolve, reject })),
    onDrift: (d) => drifts.push(d),
    onError: (e) => errors.push(e),
  });
  const delta = (d: BookLevelsInput): void => {
    book.applyDelta(d);
    verifier.observe();
  };
  const take = (): Pending => {
    const p = pending.shift();
    if (p === undefined) throw new Error('no REST request pending');
    return p;
  };
  return { book, verifier, pending, drifts, errors, stats, delta, take };
}

/** The answer REST would give for `book` now. */
function restOf(book: OrderBook): BookLevelsInput {
  return {
    bids: book.bids().map((l) => [l.price, l.quantity] as const),
    asks: book.asks().map((l) => [l.price, l.quantity] as const),
  };
}

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

describe('DepthVerifier', () => {
  it('checks every intervalMs and passes when REST agrees (levels in any order, zero sizes ignored)', async () => {
    const h = harness({ depth: 10 });
    h.verifier.start();
    await jest.advanceTimersByTimeAsync(999);
    expect(h.pending).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    const req = h.take();
    expect(req.depth).toBe(10);
    req.resolve({
      bids: [
        ['098', '1'],
        ['100', '5.0'],
        ['99', '7'],
        ['97', '0'],
      ],
      asks: [
        ['102', '8'],
        ['101', '4'],
      ],
    });
    await jest.advanceTimersByTimeAsync(0);
    expect(h.stats).toMatchObject({
      checks: 1,
      matches: 1,
      matchesInFlight: 0,
      mismatches: 0,
      drifts: 0,
    });
    // The next check starts an interval after this one ended.
    await jest.advanceTimersByTimeAsync(1000);
    expect(h.pending).toHaveLength(1);
    h.verifier.close();
    expect(h.pending[0]!.signal.aborted).toBe(true);
  });

  it('compares exact values: local levels with leading zeros or trailing decimals match the canonical answer', async () => {
    const h = harness({ confirmations: 1 });
    h.book.applySnapshot({ bids: [['0100', '5.00']], asks: [['101.0', '04']] });
    h.verifier.start();
    await jest.advanceTimersByTimeAsync(1000);
    h.take().resolve({ bids: [['100', '5']], asks: [['101', '4']] });
    await jest.advanceTimersByTimeAsync(0);
    expect(h.stats).toMatchObject({ matches: 1, mismatches: 0 });
    await jest.advanceTimersByTimeAsync(1000);
    h.take().resolve({ bids: [['100', '5']], asks: [['101', '4.5']] });
    await jest.advanceTimersByTimeAsync(200);
    expect(h.stats).toMatchObject({ matches: 1, mismatches: 1, drifts: 1 });
    expect(h.drifts).toEqual(['ask level 0: local 101 × 4, exchange 101 × 4.5']);
    h.verifier.close();
  });

  it('declares drift only after `confirmations` mismatches in a row, naming the first difference', async () => {
    const h = harness();
    h.verifier.start();
    const wrong = {
      bids: [
        ['100', '5'],
        ['99', '6'],
        ['98', '1'],
      ],
      asks: SNAP.asks,
    } as const;
    await jest.advanceTimersByTimeAsync(1000);
    h.take().resolve(wrong);
    await jest.advanceTimersByTimeAsync(199);
    expect(h.stats.mismatches).toBe(0); // still settling
    await jest.advanceTimersByTimeAsync(1);
    expect(h.stats).toMatchObject({ mismatches: 1, drifts: 0 });
    expect(h.verifier.pendingMismatches).toBe(1);
    expect(h.drifts).toEqual([]);
    await jest.advanceTimersByTimeAsync(1000);
    h.take().resolve(wrong);
    await jest.advanceTimersByTimeAsync(200);
    expect(h.stats).toMatchObject({ checks: 2, mismatches: 2, drifts: 1 });
    expect(h.drifts).toEqual(['bid level 1: local 99 × 7, exchange 99 × 6']);
    h.verifier.close();
  });

  it('a passing check resets the mismatch count', async () => {
    const h = harness({ confirmations: 2 });
    h.verifier.start();
    const wrong = { bids: [['100', '1']], asks: [] } as const;
    for (const answer of [wrong, SNAP, wrong, SNAP, wrong]) {
      await jest.advanceTimersByTimeAsync(1000);
      h.take().resolve(answer);
      await jest.advanceTimersByTimeAsync(200);
    }
    expect(h.stats).toMatchObject({ checks: 5, matches: 2, mismatches: 3, drifts: 0 });
    h.verifier.close();
  });

  it('a fresh snapshot forgets the mismatches counted against the old book', async () => {
    const h = harness({ confirmations: 2 });
    h.verifier.start();
    const wrong = { bids: [['100', '1']], asks: [] } as const;
    await jest.advanceTimersByTimeAsync(1000);
    h.take().resolve(wrong);
    await jest.advanceTimersByTimeAsync(200);
    expect(h.verifier.pendingMismatches).toBe(1);
    h.book.applySnapshot(SNAP);
    h.verifier.snapshotApplied();
    expect(h.verifier.pendingMismatches).toBe(0);
    await jest.advanceTimersByTimeAsync(1000);
    h.take().resolve(wrong);
    await jest.advanceTimersByTimeAsync(200);
    expect(h.stats).toMatchObject({ mismatches: 2, drifts: 0 });
    h.verifier.close();
  });

  it('a REST answer equal to a state the book passed through during the round trip is a match', async () => {
    const h = harness({ confirmations: 1 });
    h.verifier.start();
    await jest.advanceTimersByTimeAsync(1000);
    const req = h.take();
    // Updates in flight: the exchange answered at the state after the first delta, the
    // stream had already brought two more by the time the answer arrived.
    h.delta({ bids: [['100', '3']], asks: [] });
    const answer = restOf(h.book);
    h.delta({ bids: [['99', '0']], asks: [['103', '2']] });
    h.delta({ bids: [], asks: [['101', '0']] });
    req.resolve(answer);
    await jest.advanceTimersByTimeAsync(500);
    expect(h.stats).toMatchObject({ matches: 1, matchesInFlight: 1, mismatches: 0, drifts: 0 });
    h.verifier.close();
  });

  it('a REST answer ahead of the stream is a match once the stream catches up within settleMs', async () => {
    const h = harness({ confirmations: 1 });
    h.verifier.start();
    await jest.advanceTimersByTimeAsync(1000);
    const req = h.take();
    const ahead = new OrderBook();
    ahead.applySnapshot(SNAP);
    ahead.applyDelta({ bids: [['100', '0']], asks: [] });
    req.resolve(restOf(ahead));
    await jest.advanceTimersByTimeAsync(150);
    expect(h.stats.matches + h.stats.mismatches).toBe(0);
    h.delta({ bids: [['100', '0']], asks: [] }); // the frame that was still on the wire
    await jest.advanceTimersByTimeAsync(0);
    expect(h.stats).toMatchObject({ matches: 1, matchesInFlight: 1, mismatches: 0 });
    h.verifier.close();
  });

  it('a busy book never matching the answer is still a mismatch (drift is not hidden by traffic)', async () => {
    const h = harness({ confirmations: 1 });
    h.verifier.start();
    await jest.advanceTimersByTimeAsync(1000);
    const req = h.take();
    req.resolve({
      bids: [
        ['100', '5'],
        ['99', '7'],
        ['98', '1'],
        ['50', '1'],
      ],
      asks: SNAP.asks,
    });
    for (let i = 0; i < 10; i++) {
      h.delta({ bids: [], asks: [['105', String(i + 1)]] });
      await jest.advanceTimersByTimeAsync(20);
    }
    expect(h.stats).toMatchObject({ mismatches: 1, drifts: 1 });
    expect(h.drifts[0]).toBe('bid level 3: local none, exchange 50 × 1');
    h.verifier.close();
  });

  it('compares only `depth` levels per side', async () => {
    const h = harness({ depth: 2, confirmations: 1 });
    h.verifier.start();
    await jest.advanceTimersByTimeAsync(1000);
    h.take().resolve({
      bids: [
        ['100', '5'],
        ['99', '7'],
      ],
      asks: [
        ['101', '4'],
        ['102', '8'],
      ],
    });
    await jest.advanceTimersByTimeAsync(200);
    expect(h.stats).toMatchObject({ matches: 1, mismatches: 0 });
    h.verifier.close();
  });

  it('a failed request is an error (reported), not a mismatch; checking goes on', async () => {
    const h = harness({ confirmations: 1 });
    h.verifier.start();
    await jest.advanceTimersByTimeAsync(1000);
    const boom = new Error('down');
    h.take().reject(boom);
    await jest.advanceTimersByTimeAsync(0);
    expect(h.errors).toEqual([boom]);
    expect(h.stats).toMatchObject({ checks: 1, errors: 1, mismatches: 0, inconclusive: 0 });
    await jest.advanceTimersByTimeAsync(1000);
    h.take().resolve(SNAP);
    await jest.advanceTimersByTimeAsync(0);
    expect(h.stats.matches).toBe(1);
    h.verifier.close();
  });

  it('a reset (resync) during a check makes it inconclusive and aborts the request', async () => {
    const h = harness({ confirmations: 1 });
    h.verifier.start();
    await jest.advanceTimersByTimeAsync(1000);
    const req = h.take();
    h.book.clear();
    h.verifier.reset();
    expect(req.signal.aborted).toBe(true);
    req.resolve({ bids: [], asks: [] });
    await jest.advanceTimersByTimeAsync(500);
    expect(h.stats).toMatchObject({ inconclusive: 1, mismatches: 0, drifts: 0 });
    // No check while the book is unsynced; one again once it is.
    await jest.advanceTimersByTimeAsync(2000);
    expect(h.pending).toHaveLength(0);
    h.book.applySnapshot(SNAP);
    await jest.advanceTimersByTimeAsync(1000);
    expect(h.pending).toHaveLength(1);
    h.verifier.close();
  });

  it('more changes than maxStates in one round trip is inconclusive', async () => {
    const h = harness({ maxStates: 3, confirmations: 1 });
    h.verifier.start();
    await jest.advanceTimersByTimeAsync(1000);
    const req = h.take();
    for (let i = 1; i <= 5; i++) h.delta({ bids: [], asks: [['110', String(i)]] });
    req.resolve({ bids: [['1', '1']], asks: [] });
    await jest.advanceTimersByTimeAsync(500);
    expect(h.stats).toMatchObject({ inconclusive: 1, mismatches: 0, drifts: 0 });
    h.verifier.close();
  });
});
