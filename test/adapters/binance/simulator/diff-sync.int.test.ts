// A raw `ws` client (no tickwire code) follows the Binance personality's diff stream with
// the documented sync algorithm (binance-spot.md §7) and must end equal to sim.book().
import { createHmac } from 'node:crypto';
import { WebSocket } from 'ws';
import { ExchangeSimulator } from '../../../../src/testing/index.js';
import {
  binanceSimDemoAccount,
  binanceSimMarkets,
  createBinanceSimulatorProtocol,
} from '../../../../adapters/binance/simulator/index.js';

// Loopback sockets on a shared 2-core machine: allow for a slow neighbour.
jest.setTimeout(30_000);

interface DepthEvent {
  U: number;
  u: number;
  b: [string, string][];
  a: [string, string][];
}

/** The local book of §7, keyed by the wire price string. */
class LocalBook {
  bids = new Map<string, string>();
  asks = new Map<string, string>();
  bookId = -1;
  apply(side: Map<string, string>, levels: [string, string][]): void {
    for (const [p, q] of levels) {
      if (Number(q) === 0) side.delete(p);
      else side.set(p, q);
    }
  }
  sorted(side: 'bids' | 'asks'): [string, string][] {
    const entries = [...this[side].entries()];
    // Prices have the same number of decimals, so comparing them as scaled integers is exact.
    const key = (p: string): bigint => BigInt(p.replace('.', ''));
    entries.sort((x, y) =>
      side === 'bids' ? Number(key(y[0]) - key(x[0])) : Number(key(x[0]) - key(y[0])),
    );
    return entries;
  }
}

/**
 * Runs §7 until `done()`; returns the book and how many gaps forced a restart. The caller
 * decides when to stop: when `bookId` reaches the simulator's final sequence.
 */
async function follow(
  sim: ExchangeSimulator,
  symbol: string,
  until: (book: LocalBook) => boolean,
  onSynced: () => void = () => {},
): Promise<{ book: LocalBook; restarts: number }> {
  let restarts = 0;
  for (;;) {
    const result = await syncOnce(sim, symbol, until, onSynced);
    if (result !== 'gap') return { book: result, restarts };
    restarts += 1;
    if (restarts > 10) throw new Error('too many restarts');
  }
}

function syncOnce(
  sim: ExchangeSimulator,
  symbol: string,
  until: (book: LocalBook) => boolean,
  onSynced: () => void,
): Promise<LocalBook | 'gap'> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${sim.wsUrl}/ws/${symbol.toLowerCase()}@depth@100ms`);
    const buffer: DepthEvent[] = [];
    let book: LocalBook | undefined;
    // The last events may belong to another market: check the stop condition on a timer too.
    const poll = setInterval(() => {
      if (book !== undefined && until(book)) finish(book);
    }, 10);
    const finish = (v: LocalBook | 'gap'): void => {
      clearInterval(poll);
      ws.removeAllListeners('message');
      ws.terminate();
      resolve(v);
    };
    const applyEvent = (b: LocalBook, e: DepthEvent): boolean => {
      if (e.u < b.bookId) return true; // stale
      if (e.U > b.bookId + 1) return false; // gap: restart from step 1
      b.apply(b.bids, e.b);
      b.apply(b.asks, e.a);
      b.bookId = e.u;
      return true;
    };
    ws.on('message', (data) => {
      const e = JSON.parse(data.toString()) as DepthEvent;
      if (book === undefined) {
        buffer.push(e);
        return;
      }
      if (!applyEvent(book, e)) return finish('gap');
      if (until(book)) finish(book);
    });
    ws.on('error', reject);
    ws.once('open', async () => {
      try {
        // Step 1: wait for the first buffered event, note its U.
        while (buffer.length === 0) await new Promise((r) => setTimeout(r, 5));
        const firstU = buffer[0]!.U;
        let snap: { lastUpdateId: number; bids: [string, string][]; asks: [string, string][] };
        do {
          // Step 2 (and 3: refetch while the snapshot is older than the first event).
          snap = (await (
            await fetch(`${sim.httpUrl}/api/v3/depth?symbol=${symbol}&limit=5000`)
          ).json()) as typeof snap;
        } while (snap.lastUpdateId < firstU);
        const b = new LocalBook();
        // Step 5: the snapshot.
        b.apply(b.bids, snap.bids);
        b.apply(b.asks, snap.asks);
        b.bookId = snap.lastUpdateId;
        // Step 4: drop u <= lastUpdateId; the first kept one must straddle lastUpdateId + 1.
        const kept = buffer.filter((e) => e.u > snap.lastUpdateId);
        if (kept.length > 0) {
          const first = kept[0]!;
          expect(first.U).toBeLessThanOrEqual(snap.lastUpdateId + 1);
          expect(first.u).toBeGreaterThanOrEqual(snap.lastUpdateId + 1);
        }
        // Step 6: buffered, then live.
        for (const e of kept) if (!applyEvent(b, e)) return finish('gap');
        book = b;
        onSynced();
        if (until(book)) finish(book);
      } catch (err) {
        reject(err);
      }
    });
  });
}

function sign(params: Record<string, string | number>): string {
  const q = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  return `${q}&signature=${createHmac('sha256', binanceSimDemoAccount.secret as string)
    .update(q)
    .digest('hex')}`;
}

describe('a raw ws client following the diff stream (binance-spot.md §7)', () => {
  let sim: ExchangeSimulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('ends equal to sim.book() while the market runs and orders trade', async () => {
    sim = await new ExchangeSimulator({
      protocol: createBinanceSimulatorProtocol(),
      seed: 11,
      levels: 30,
      eventsPerSecond: 1000,
      maxEvents: 1500,
    }).start();
    const s = sim;
    let ordersDone = false;
    // Stop only once nothing can change the book any more: the market ended and the bot is done.
    const following = follow(
      s,
      'BTCUSDT',
      (b) =>
        ordersDone && s.stats().eventsGenerated >= 1500 && b.bookId === s.book('BTCUSDT').sequence,
    );
    // Orders from a bot rest on and take from the same book while the client follows it.
    for (let i = 0; i < 20; i++) {
      const level = i % 2 === 0 ? s.book('BTCUSDT').asks[0] : s.book('BTCUSDT').bids[5];
      const side = i % 2 === 0 ? 'BUY' : 'SELL';
      const res = await fetch(
        `${s.httpUrl}/api/v3/order?${sign({ symbol: 'BTCUSDT', side, type: 'LIMIT', timeInForce: 'GTC', quantity: '0.0015', price: level![0], timestamp: Date.now() })}`,
        { method: 'POST', headers: { 'X-MBX-APIKEY': binanceSimDemoAccount.apiKey } },
      );
      expect(res.status).toBe(200);
    }
    ordersDone = true;
    await s.finished;
    const { book, restarts } = await following;
    expect(restarts).toBe(0);
    const truth = s.book('BTCUSDT');
    expect(book.bookId).toBe(truth.sequence);
    expect(book.sorted('bids')).toEqual(truth.bids);
    expect(book.sorted('asks')).toEqual(truth.asks);
    expect(truth.bids.length).toBeGreaterThan(10);
  });

  it('detects a skipped sequence (U > bookId + 1), restarts from step 1 and still ends equal', async () => {
    sim = await new ExchangeSimulator({
      protocol: createBinanceSimulatorProtocol({ markets: [binanceSimMarkets[1]!] }),
      seed: 12,
      eventsPerSecond: 500,
      maxEvents: 600,
    }).start();
    const s = sim;
    let injected = false;
    const { book, restarts } = await follow(
      s,
      'ETHUSDT',
      (b) => s.stats().eventsGenerated >= 600 && b.bookId === s.book('ETHUSDT').sequence,
      () => {
        if (!injected) s.inject({ kind: 'skipSequence', count: 1 });
        injected = true;
      },
    );
    expect(s.stats().faults.skipSequence).toBe(1);
    expect(restarts).toBeGreaterThanOrEqual(1);
    const truth = s.book('ETHUSDT');
    expect(book.sorted('bids')).toEqual(truth.bids);
    expect(book.sorted('asks')).toEqual(truth.asks);
  });
});
