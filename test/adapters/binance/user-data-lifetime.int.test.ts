// Binance closes a WebSocket API connection after 24 h (binance-spot.md §2). With its DEFAULT
// lifetime settings the user data stream must start the make-before-break replacement
// before that — not after, not never — and finish it well inside the 24 h.
//
// Same approach as lifetime.int.test.ts (the market streams' pool): the socket is real (the
// simulator's Binance personality on 127.0.0.1) and jest's fake timers drive the clock;
// `nextTick`, `setImmediate` and `queueMicrotask` stay real so that sockets keep working.
// The 23 h 55 min are jumped with the synchronous `advanceTimersByTime`, so no socket I/O
// happens in the middle of the jump and what the stream did at each instant is read right
// after it. The stream's `rotateAt` exposes the scheduled instant. Two settings are moved
// out of the way, neither of them the lifetime's: the simulator's server pings (a server
// setting), and the client heartbeat (a 24 h jump without I/O would read as a dead socket
// and reconnect it, which re-arms the schedule for the new socket — correct, but not what
// is under test here).
import { ExchangeSimulator } from '../../../src/testing/index.js';
import { createHmacSigner } from '../../../src/auth/index.js';
import {
  binanceSimDemoAccount,
  binanceSimMarkets,
  createBinanceSimulatorProtocol,
} from '../../../adapters/binance/simulator/index.js';
import {
  BinanceUserDataStream,
  type BinanceUserDataEvent,
} from '../../../adapters/binance/streams/user-data.js';
import { ioUntil, nextEvent, pump } from './streams-helpers.js';

jest.setTimeout(30_000);

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The stream's defaults: 24 h lifetime, replaced 5 min ahead. */
const ROTATE_AFTER = DAY - 5 * 60_000;

let sim: ExchangeSimulator | undefined;
let uds: BinanceUserDataStream | undefined;

afterEach(async () => {
  try {
    if (uds !== undefined) await pump(uds.close());
  } finally {
    jest.useRealTimers();
    await sim?.close();
    uds = undefined;
    sim = undefined;
  }
});

describe('Binance user data stream: the 24 h connection lifetime (fake timers)', () => {
  it('the default settings start the make-before-break replacement 5 min before 24 h, and complete it', async () => {
    sim = await new ExchangeSimulator({
      protocol: createBinanceSimulatorProtocol({
        markets: [binanceSimMarkets[0]!],
        pingIntervalMs: 2 * DAY,
        pongTimeoutMs: 2 * DAY,
      }),
      seed: 5,
      eventsPerSecond: 0,
      // Read the clock on each use: the subscription's signed timestamp is checked against
      // it, and both must move with the fake clock.
      clock: () => Date.now(),
    }).start();
    jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });

    // No maxLifetimeMs / rotateBeforeMs: the defaults.
    const u = new BinanceUserDataStream({
      wsApiUrl: `${sim.wsUrl}/ws-api/v3`,
      signer: createHmacSigner({
        apiKey: binanceSimDemoAccount.apiKey,
        secret: binanceSimDemoAccount.secret as string,
      }),
      heartbeat: false,
    });
    uds = u;
    const log: BinanceUserDataEvent[] = [];
    u.events.on((e) => log.push(e));
    const connectingOf = (c: number): boolean =>
      log.some((e) => e.type === 'ws' && e.connection === c && e.event.type === 'connecting');
    const closedOf = (c: number): boolean =>
      log.some((e) => e.type === 'ws' && e.connection === c && e.event.type === 'closed');

    const orders = u.streamOrders()[Symbol.asyncIterator]();
    void orders.next().catch(() => undefined); // no order will come; ends at close
    await ioUntil(() => log.some((e) => e.type === 'subscribed'));
    expect(Date.now()).toBe(T0); // the fake clock has not moved: the socket opened at T0
    expect(u.rotateAt).toBe(T0 + ROTATE_AFTER);
    expect(u.rotateAt).toBeLessThan(T0 + DAY); // before Binance's 24 h, not after

    // Up to 1 ms before the instant: one socket, nothing started.
    jest.advanceTimersByTime(ROTATE_AFTER - 1);
    expect(connectingOf(2)).toBe(false);
    expect(u.rotateAt).toBe(T0 + ROTATE_AFTER);

    // At 23 h 55 min the replacement socket starts connecting; the old one is still open.
    jest.advanceTimersByTime(1);
    expect(connectingOf(2)).toBe(true);
    expect(closedOf(1)).toBe(false);
    expect(u.rotateAt).toBeUndefined(); // the replacement is running

    const rotated = await pump(nextEvent(u.events, (e) => e.type === 'rotated'));
    expect(rotated).toEqual({ type: 'rotated', reason: 'lifetime' });
    // Make-before-break: the new subscription was acknowledged before the old socket closed.
    const subscribed2 = log.findIndex((e) => e.type === 'subscribed' && e.connection === 2);
    const closed1 = log.findIndex(
      (e) => e.type === 'ws' && e.connection === 1 && e.event.type === 'closed',
    );
    expect(subscribed2).toBeGreaterThanOrEqual(0);
    expect(closed1).toBeGreaterThan(subscribed2);
    expect(Date.now()).toBeLessThan(T0 + DAY); // all of it well inside the 24 h
    expect(u.stats()).toMatchObject({ rotations: 1, gaps: 0, subscriptions: 2 });
    // The new socket has its own schedule, 23 h 55 min after it opened.
    expect(u.rotateAt).toBeGreaterThanOrEqual(T0 + 2 * ROTATE_AFTER);
    expect(u.rotateAt).toBeLessThan(T0 + ROTATE_AFTER + DAY);
  });
});
