import {
  ConflatingIterator,
  createSequencedBookSync,
  createSnapshotResetBookSync,
  type OrderBookView,
} from '../../src/book/index.js';
import { isTickwireError } from '../../src/errors/index.js';

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('ConflatingIterator', () => {
  it('reads only when asked: a slow consumer gets the latest value, never a backlog', async () => {
    let state = 0;
    let reads = 0;
    const it = new ConflatingIterator(() => {
      reads++;
      return state;
    });
    for (let i = 1; i <= 1000; i++) {
      state = i;
      it.notify();
    }
    expect(reads).toBe(0);
    await expect(it.next()).resolves.toEqual({ value: 1000, done: false });
    expect(reads).toBe(1);
    const pending = it.next();
    state = 1001;
    it.notify();
    state = 1002;
    it.notify(); // after the waiter was served: marks dirty again
    await expect(pending).resolves.toEqual({ value: 1001, done: false });
    await expect(it.next()).resolves.toEqual({ value: 1002, done: false });
  });

  it('serves concurrent next() calls the same value, ends on end(), fails once on fail()', async () => {
    const it = new ConflatingIterator(() => 'v');
    const a = it.next();
    const b = it.next();
    it.notify();
    await expect(Promise.all([a, b])).resolves.toEqual([
      { value: 'v', done: false },
      { value: 'v', done: false },
    ]);
    const c = it.next();
    it.end();
    await expect(c).resolves.toEqual({ value: undefined, done: true });
    const it2 = new ConflatingIterator(() => 1);
    it2.fail(new Error('boom'));
    await expect(it2.next()).rejects.toThrow('boom');
    await expect(it2.next()).resolves.toMatchObject({ done: true });
  });

  it('rejects with ABORTED on abort and calls onClose exactly once', async () => {
    const ac = new AbortController();
    let closed = 0;
    const it = new ConflatingIterator(() => 1, { signal: ac.signal, onClose: () => closed++ });
    const pending = it.next();
    ac.abort(new Error('stop'));
    const error = await pending.catch((e: unknown) => e);
    expect(isTickwireError(error, 'ABORTED')).toBe(true);
    await it.return();
    expect(closed).toBe(1);
    const pre = new ConflatingIterator(() => 1, { signal: AbortSignal.abort() });
    expect(isTickwireError(await pre.next().catch((e: unknown) => e), 'ABORTED')).toBe(true);
  });
});

describe('watchOrderBook', () => {
  it('yields nothing before the first sync, then immutable conflated views, then a desync view', async () => {
    const fetches: ((s: {
      lastUpdateId: number;
      bids: [string, string][];
      asks: [string, string][];
    }) => void)[] = [];
    const sync = createSequencedBookSync({
      market: 'BTC/USDT',
      fetchSnapshot: () => new Promise((resolve) => fetches.push(resolve)),
    });
    const it = sync.watchOrderBook({ depth: 2 });
    let first: OrderBookView | undefined;
    const firstP = it.next().then((r) => (first = r.value as OrderBookView));
    sync.push({ firstUpdateId: 1, lastUpdateId: 1, bids: [], asks: [] });
    await settle();
    expect(first).toBeUndefined(); // not synced yet
    fetches[0]!({
      lastUpdateId: 1,
      bids: [
        ['10', '1'],
        ['9', '1'],
        ['8', '1'],
      ],
      asks: [['11', '1']],
    });
    await firstP;
    expect(first!.isSynced).toBe(true);
    expect(first!.bids().map((l) => l.price)).toEqual(['10', '9']); // depth 2
    expect(first!.levelCount.bids).toBe(3);
    for (let u = 2; u <= 500; u++) {
      sync.push({ firstUpdateId: u, lastUpdateId: u, bids: [['10', String(u)]], asks: [] });
    }
    const latest = (await it.next()).value as OrderBookView;
    expect(latest.sequence).toBe(500);
    expect(latest.bestBid?.quantity).toBe('500');
    expect(first!.bestBid?.quantity).toBe('1'); // the earlier view did not change
    sync.push({ firstUpdateId: 600, lastUpdateId: 600, bids: [], asks: [] }); // gap
    const desynced = (await it.next()).value as OrderBookView;
    expect(desynced.isSynced).toBe(false);
    expect(desynced.bids()).toEqual([]);
    sync.close();
    await expect(it.next()).resolves.toMatchObject({ done: true });
  });

  it('ends the iterator when the loop breaks, and yields at once when already synced', async () => {
    const sync = createSnapshotResetBookSync({ market: 'X/Y' });
    sync.applySnapshot({ bids: [['1', '1']], asks: [['2', '1']] });
    const seen: string[] = [];
    const watcher = sync.watchOrderBook();
    for await (const view of watcher) {
      seen.push(view.bestBid!.price);
      break;
    }
    expect(seen).toEqual(['1']);
    sync.applyDelta({ bids: [['1', '2']], asks: [] });
    await expect(watcher.next()).resolves.toMatchObject({ done: true });
    // A broken-out watcher is gone; a new one starts from the current book.
    sync.applyDelta({ bids: [['1.5', '1']], asks: [] });
    const it = sync.watchOrderBook();
    expect(((await it.next()).value as OrderBookView).bestBid?.price).toBe('1.5');
    await it.return!();
    sync.close();
    const after = sync.watchOrderBook();
    await expect(after.next()).resolves.toMatchObject({ done: true });
  });

  it('ends watchers when the strategy is closed through its signal', async () => {
    const ac = new AbortController();
    const sync = createSnapshotResetBookSync({ market: 'X/Y', signal: ac.signal });
    const it = sync.watchOrderBook();
    const pending = it.next();
    ac.abort();
    await expect(pending).resolves.toMatchObject({ done: true });
  });
});
