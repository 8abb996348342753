// Binance closes a stream connection after 24 h (binance-spot.md). The market streams' pool
// must start the make-before-break replacement BEFORE that — not after, not never — with
// the default settings (the adapter passes none of its own).
//
// Why this shape: WsManager has no socket factory to fake, so the connection is real (the
// simulator's Binance personality on 127.0.0.1), and jest's fake timers drive the clock.
// `nextTick`, `setImmediate` and `queueMicrotask` stay real so that sockets and streams keep
// working; everything on `setTimeout` / `setInterval` / `Date` (the pool's lifetime timer,
// the heartbeat, backoff, the handover's alignment poll) runs on the fake clock. The 24 h
// are jumped with the synchronous `advanceTimersByTime`, so no socket I/O can happen in the
// middle of the jump: what the pool did at each instant is read right after it.
// The pool's `members()` exposes each connection's `rotateAt` (the scheduled instant), the
// one seam added to WsPool for this. The simulator's own server pings are pushed out of the
// way (its ping interval is a server setting); the client keeps its default heartbeat, which
// sees 24 h of silence and reconnects the socket — that does not move the pool's schedule,
// which is per pool connection.
import { ExchangeSimulator } from '../../../src/testing/index.js';
import {
  binanceSimMarkets,
  createBinanceSimulatorProtocol,
} from '../../../adapters/binance/simulator/index.js';
import {
  BinanceMarketStreams,
  type BinanceStreamEvent,
} from '../../../adapters/binance/streams/index.js';
import type { WsPoolEvent } from '../../../src/ws/index.js';
import { depthFetcher, ioUntil, nextEvent, pump, resolverFor } from './streams-helpers.js';

jest.setTimeout(30_000);

const BTC = binanceSimMarkets[0]!;
const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** WsPool's defaults, which the Binance market streams keep: 24 h lifetime, 5 min ahead. */
const ROTATE_AFTER = DAY - 5 * 60_000;

let sim: ExchangeSimulator | undefined;
let streams: BinanceMarketStreams | undefined;

afterEach(async () => {
  try {
    if (streams !== undefined) await pump(streams.close());
  } finally {
    jest.useRealTimers();
    await sim?.close();
    streams = undefined;
    sim = undefined;
  }
});

const isWs = (
  e: BinanceStreamEvent,
): e is Extract<BinanceStreamEvent, { type: 'ws' }> & { event: WsPoolEvent } => e.type === 'ws';

describe('Binance market streams: the 24 h connection lifetime (fake timers)', () => {
  it('the default pool schedules the make-before-break replacement 5 min before 24 h, and starts it exactly then', async () => {
    // Real timers while the server starts; its server-side ping is out of the way for 2 days.
    sim = await new ExchangeSimulator({
      protocol: createBinanceSimulatorProtocol({
        markets: [BTC],
        pingIntervalMs: 2 * DAY,
        pongTimeoutMs: 2 * DAY,
      }),
      seed: 3,
      eventsPerSecond: 0,
    }).start();
    jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });

    const depth = depthFetcher(sim.httpUrl);
    // Default settings: no maxLifetimeMs / rotateBeforeMs, the default heartbeat and backoff.
    const s = new BinanceMarketStreams({
      wsUrl: sim.wsUrl,
      resolveMarket: resolverFor([BTC]),
      fetchDepthSnapshot: depth.fetch,
    });
    streams = s;
    const poolEvents: WsPoolEvent[] = [];
    s.events.on((e) => {
      if (isWs(e)) poolEvents.push(e.event);
    });

    const opened = nextEvent(s.events, (e) => isWs(e) && e.event.type === 'open');
    const trades = s.streamTrades('BTC/USDT')[Symbol.asyncIterator]();
    // Starts the subscription; no trade will come (the reader ends when the streams close).
    void trades.next().catch(() => undefined);
    await opened;
    // The SUBSCRIBE's acknowledgement is the first frame in.
    await ioUntil(() => (s.pool.stats()[0]?.stats.messagesIn ?? 0) >= 1);

    const [first] = s.pool.members();
    expect(s.pool.members()).toHaveLength(1);
    expect(first).toMatchObject({ id: 1, channels: 1, rotateAt: T0 + ROTATE_AFTER });
    expect(first!.rotateAt).toBeLessThan(T0 + DAY); // before Binance's 24 h, not after

    // Up to 1 ms before the scheduled instant: still the one connection, nothing rotated.
    jest.advanceTimersByTime(ROTATE_AFTER - 1);
    expect(Date.now()).toBe(T0 + ROTATE_AFTER - 1);
    expect(s.pool.members().map((m) => m.id)).toEqual([1]);
    expect(s.pool.members()[0]!.rotateAt).toBe(T0 + ROTATE_AFTER);
    expect(poolEvents.some((e) => e.type === 'rotated')).toBe(false);

    // At 23 h 55 min the replacement is opened while the old connection is still a member
    // (make-before-break); the replacement gets its own schedule, 23 h 55 min later.
    jest.advanceTimersByTime(1);
    expect(s.pool.members()).toEqual([
      { id: 1, url: first!.url, channels: 1, rotateAt: undefined },
      { id: 2, url: first!.url, channels: 1, rotateAt: T0 + 2 * ROTATE_AFTER },
    ]);

    // The handover completes: the quiet market gives nothing to align on, so the switch is
    // forced after the handover timeout; then the old connection is closed.
    const rotated = nextEvent(s.events, (e) => isWs(e) && e.event.type === 'rotated');
    const event = (await pump(rotated)) as { event: WsPoolEvent };
    expect(event.event).toMatchObject({ type: 'rotated', from: 1, to: 2, forced: 1 });
    expect(s.pool.members().map((m) => m.id)).toEqual([2]);
    expect(Date.now()).toBeLessThan(T0 + DAY); // all of it well inside the 24 h
  });
});
