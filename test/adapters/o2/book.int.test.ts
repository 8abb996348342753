// O2Adapter.watchOrderBook against the simulator's O2 personality over real sockets on
// 127.0.0.1: the book equals the simulator's truth after a burst; a depth frame dropped
// silently is found by REST verification and repaired by a resync with a `resynced` event;
// a busy market during verification is not taken for drift; verification off makes no REST
// depth call. Waits on events and counters, never on fixed sleeps.
import { O2Adapter } from '../../../adapters/o2/o2-adapter.js';
import { createO2SimulatorProtocol, o2SimMarkets } from '../../../adapters/o2/simulator/index.js';
import type { AdapterEvent } from '../../../src/adapter/index.js';
import type { OrderBookView } from '../../../src/book/index.js';
import { ExchangeSimulator } from '../../../src/testing/index.js';

jest.setTimeout(30_000);

const MARKET = o2SimMarkets[0]!;
const SYMBOL = 'fFUEL/fUSDC';

let sim: ExchangeSimulator;
const adapters: O2Adapter[] = [];
const controllers: AbortController[] = [];

async function startSim(eventsPerSecond: number): Promise<void> {
  sim = await new ExchangeSimulator({
    protocol: createO2SimulatorProtocol({ markets: [MARKET] }),
    seed: 21,
    eventsPerSecond,
    levels: 8,
  }).start();
}

function adapter(): O2Adapter {
  const o2 = new O2Adapter({
    restUrl: sim.httpUrl,
    wsUrl: `${sim.wsUrl}/v1/ws`,
    rest: { retry: { maxAttempts: 1 } },
  });
  adapters.push(o2);
  return o2;
}

function signal(): AbortSignal {
  const c = new AbortController();
  controllers.push(c);
  return c.signal;
}

afterEach(async () => {
  for (const c of controllers.splice(0)) c.abort();
  for (const o2 of adapters.splice(0)) await o2.close();
  await sim.close();
});

type Levels = readonly (readonly [string, string])[];
const sideOf = (levels: readonly { price: string; quantity: string }[]): Levels =>
  levels.map((l) => [l.price, l.quantity] as const);
const truth = (): { bids: Levels; asks: Levels } => {
  const b = sim.book(MARKET.id);
  return { bids: b.bids, asks: b.asks };
};
const local = (v: OrderBookView): { bids: Levels; asks: Levels } => ({
  bids: sideOf(v.bids()),
  asks: sideOf(v.asks()),
});

/**
 * Reads a watch in the background and keeps its latest view, so a test can wait on
 * conditions over views and counters (the jest timeout fails a test that never gets there).
 */
function reader(views: AsyncIterableIterator<OrderBookView>) {
  let latest: OrderBookView | undefined;
  let waiters: (() => void)[] = [];
  let ended = false;
  const wake = (): void => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  void (async () => {
    try {
      for await (const v of views) {
        latest = v;
        wake();
      }
    } catch {
      // aborted at the end of the test
    }
    ended = true;
    wake();
  })();
  return {
    get latest(): OrderBookView | undefined {
      return latest;
    },
    /** Resolves with the latest view once `done(view)` holds. */
    async until(done: (view: OrderBookView) => boolean): Promise<OrderBookView> {
      for (;;) {
        if (latest !== undefined && done(latest)) return latest;
        if (ended) throw new Error('the book watch ended');
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    /**
     * Resolves with the view after `count` updates: waits for the counter, then lets the
     * reader take the view of that last update (already in the iterator, a microtask away).
     */
    async after(o2: O2Adapter, count: number): Promise<OrderBookView> {
      await this.until(() => o2.bookStats().updates >= count);
      await new Promise((resolve) => setImmediate(resolve));
      return latest!;
    },
  };
}

/** Frames the simulator sent so far: with one socket and one depth subscription, all depth. */
const framesSent = (): number => sim.stats().framesSent;

describe('O2Adapter.watchOrderBook against the simulator', () => {
  it('the book equals the simulator truth after a burst', async () => {
    await startSim(0);
    const o2 = adapter();
    const views = reader(
      o2.watchOrderBook(SYMBOL, { verify: { enabled: false }, signal: signal() }),
    );
    const first = await views.until((v) => v.isSynced);
    expect(local(first)).toEqual(truth());
    sim.step(500);
    const sent = framesSent();
    expect(sent).toBeGreaterThan(100);
    const last = await views.after(o2, sent);
    expect(last.isSynced).toBe(true);
    expect(local(last)).toEqual(truth());
    expect(o2.bookStats()).toMatchObject({ active: 1, snapshots: 1, updates: sent });
    expect(o2.stats().books).toEqual(o2.bookStats());
  });

  it('a silently dropped depth frame is found by verification and resynced, with a `resynced` event', async () => {
    await startSim(0);
    const o2 = adapter();
    const events: AdapterEvent[] = [];
    o2.events.on((e) => events.push(e));
    const views = reader(
      o2.watchOrderBook(SYMBOL, {
        verify: { intervalMs: 50, settleMs: 100, depth: 50 },
        signal: signal(),
      }),
    );
    await views.until((v) => v.isSynced);
    // Drop one depth frame, then let at least one more through; repeat until the book the
    // client ends with differs from the truth (a later frame may repair the dropped level).
    for (;;) {
      const skipped = sim.stats().faults.skipSequence;
      sim.inject({ kind: 'skipSequence', count: 1 });
      while (sim.stats().faults.skipSequence === skipped) sim.step(1);
      const before = framesSent();
      while (framesSent() === before) sim.step(1);
      const v = await views.after(o2, framesSent());
      if (o2.bookStats().resyncs.drift > 0) break; // already caught: fine as well
      if (JSON.stringify(local(v)) !== JSON.stringify(truth())) break;
    }
    expect(sim.stats().faults.skipSequence).toBeGreaterThan(0);
    // Verification notices, resubscribes, and the fresh snapshot is the truth.
    const resynced = await new Promise<AdapterEvent>((resolve) => {
      const found = events.find((e) => e.type === 'resynced');
      if (found !== undefined) resolve(found);
      else o2.events.on('resynced', resolve);
    });
    expect(resynced).toEqual({
      type: 'resynced',
      market: SYMBOL,
      reason: 'drift',
      channel: 'depth',
    });
    const drift = events.find((e) => e.type === 'error' && e.error.code === 'BOOK_DRIFT');
    expect(drift).toBeDefined();
    const healed = await views.until((v) => v.isSynced && o2.bookStats().snapshots === 2);
    expect(local(healed)).toEqual(truth());
    const stats = o2.bookStats();
    expect(stats.resyncs.drift).toBe(1);
    expect(stats.snapshots).toBe(2);
    expect(stats.verification.drifts).toBe(1);
    expect(stats.verification.mismatches).toBeGreaterThanOrEqual(2);
  });

  it('updates in flight during verification are not taken for drift (busy market)', async () => {
    await startSim(400);
    const o2 = adapter();
    const views = reader(
      o2.watchOrderBook(SYMBOL, { verify: { intervalMs: 20, settleMs: 1000 }, signal: signal() }),
    );
    await views.until((v) => v.isSynced);
    // Every depth answer travels 15 ms back (a slow way back, not a slow server): the
    // simulator's ~6 events meanwhile reach the book over the socket first, so each answer
    // shows a state the book already left — the updates in flight.
    sim.inject({ kind: 'slowResponse', count: 1000, delayMs: 15, phase: 'after' });
    // Keep reading while the simulator keeps the market busy, until several checks passed
    // with the book moving under them.
    await views.until(() => {
      const v = o2.bookStats().verification;
      return v.matches >= 8 && v.matchesInFlight >= 2;
    });
    const stats = o2.bookStats();
    expect(stats.verification.drifts).toBe(0);
    expect(stats.verification.mismatches).toBe(0);
    expect(stats.resyncs).toEqual({ drift: 0, gap: 0, crossed: 0, 'invalid-update': 0 });
    expect(stats.snapshots).toBe(1);
  });

  it('verification off: no REST depth request (while a verifying adapter on the same market makes several)', async () => {
    await startSim(200);
    const quiet = adapter();
    const checking = adapter();
    const quietViews = reader(
      quiet.watchOrderBook(SYMBOL, { verify: { enabled: false }, signal: signal() }),
    );
    const checkingViews = reader(
      checking.watchOrderBook(SYMBOL, { verify: { intervalMs: 10 }, signal: signal() }),
    );
    await quietViews.until((v) => v.isSynced);
    const requestsAfterSync = quiet.stats().rest.requests;
    await checkingViews.until(() => checking.bookStats().verification.checks >= 3);
    await quietViews.until(() => quiet.bookStats().updates >= 20);
    expect(quiet.bookStats().verification.checks).toBe(0);
    expect(quiet.stats().rest.requests).toBe(requestsAfterSync);
    expect(checking.stats().rest.requests).toBeGreaterThanOrEqual(requestsAfterSync + 3);
  });

  it('leaving the loop ends the watch', async () => {
    await startSim(50);
    const o2 = adapter();
    for await (const view of o2.watchOrderBook(SYMBOL, { verify: { enabled: false } })) {
      if (view.isSynced) break;
    }
    expect(o2.bookStats().active).toBe(0);
  });
});
