// O2Adapter streams against the simulator's O2 personality over real sockets on 127.0.0.1.
// The personality is wrapped to record what each client socket sends (subscribe, unsubscribe,
// PING) and to let a test push extra frames (server error frames, malformed data) to it.
import { O2Adapter } from '../../../adapters/o2/o2-adapter.js';
import {
  createO2SimulatorProtocol,
  o2SimId,
  o2SimMarkets,
} from '../../../adapters/o2/simulator/index.js';
import type { AdapterEvent } from '../../../src/adapter/index.js';
import { isTickwireError } from '../../../src/errors/index.js';
import {
  ExchangeSimulator,
  type SimEvent,
  type SimSession,
  type SimSocket,
  type SimulatorProtocol,
} from '../../../src/testing/index.js';

const FUEL = o2SimMarkets[0]!; // fFUEL/fUSDC
const ETH = o2SimMarkets[1]!; // fETH/fUSDC
const ACCOUNT_1 = o2SimId('streams:account:1');
const ACCOUNT_2 = o2SimId('streams:account:2');

interface ClientFrame {
  readonly socket: number;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

/** Records every client text frame per socket; keeps the sockets to push frames to them. */
class Recorder {
  readonly frames: ClientFrame[] = [];
  readonly sockets = new Map<number, SimSocket>();
  #waiters: (() => void)[] = [];

  wrap(inner: SimulatorProtocol): SimulatorProtocol {
    return {
      exchange: inner.exchange,
      markets: inner.markets,
      init: (ctx) => inner.init(ctx),
      handleHttp: (req, ctx) => inner.handleHttp(req, ctx),
      acceptUpgrade: (url) => inner.acceptUpgrade(url),
      faultBody: (kind, retryAfterSeconds) => inner.faultBody(kind, retryAfterSeconds),
      formatLevel: (m, p, q) => inner.formatLevel(m, p, q),
      openSession: (socket, ctx): SimSession => {
        this.sockets.set(socket.id, socket);
        const s = inner.openSession(socket, ctx);
        return {
          onMessage: (text) => {
            let json: Record<string, unknown> | undefined;
            try {
              json = JSON.parse(text) as Record<string, unknown>;
            } catch {
              json = undefined;
            }
            this.frames.push({ socket: socket.id, text, json });
            for (const w of this.#waiters.splice(0)) w();
            s.onMessage(text);
          },
          onEvent: (e) => s.onEvent(e),
          onClose: () => {
            this.sockets.delete(socket.id);
            s.onClose();
          },
        };
      },
    };
  }

  count(pred: (f: ClientFrame) => boolean): number {
    return this.frames.filter(pred).length;
  }

  /** Resolves once `pred` holds over the recorded frames (checked after each new frame). */
  async until(pred: () => boolean): Promise<void> {
    while (!pred()) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Sends a frame to every open client socket (as server data). */
  push(text: string): void {
    for (const s of this.sockets.values()) s.send(text);
  }
}

const action =
  (a: string, extra: Record<string, unknown> = {}) =>
  (f: ClientFrame) =>
    f.json?.['action'] === a &&
    Object.entries(extra).every(([k, v]) => JSON.stringify(f.json?.[k]) === JSON.stringify(v));

let sim: ExchangeSimulator;
let rec: Recorder;
let o2: O2Adapter | undefined;

async function startSim(options: { inactivityTimeoutMs?: number } = {}): Promise<void> {
  rec = new Recorder();
  sim = await new ExchangeSimulator({
    protocol: rec.wrap(
      createO2SimulatorProtocol({
        accounts: [
          { owner: o2SimId('streams:owner:1'), tradeAccountId: ACCOUNT_1 },
          { owner: o2SimId('streams:owner:2'), tradeAccountId: ACCOUNT_2 },
        ],
        ...options,
      }),
    ),
    seed: 11,
    eventsPerSecond: 0,
    levels: 6,
  }).start();
}

function adapter(extra: { pingIntervalMs?: number } = {}): O2Adapter {
  o2 = new O2Adapter({
    restUrl: sim.httpUrl,
    wsUrl: `${sim.wsUrl}/v1/ws`,
    stream: {
      backoff: { base: 20, cap: 100, jitter: 0 },
      circuitBreaker: { openMs: 50 },
      ...extra,
    },
  });
  return o2;
}

afterEach(async () => {
  await o2?.close();
  o2 = undefined;
  await sim.close();
});

/** Market events of `type` the engine generates during `fn`, per market. */
function collect(fn: () => void): SimEvent[] {
  const events: SimEvent[] = [];
  const off = sim.onEvent((e) => events.push(e));
  try {
    fn();
  } finally {
    off();
  }
  return events;
}

/** Steps the engine until both markets produced depth and trade events. */
function stepUntilBothMarketsMove(): SimEvent[] {
  const all: SimEvent[] = [];
  for (let i = 0; i < 50; i++) {
    all.push(...collect(() => sim.step(50)));
    const has = (type: string, market: string) =>
      all.some((e) => e.type === type && 'market' in e && e.market === market);
    if (
      has('depth', FUEL.id) &&
      has('depth', ETH.id) &&
      has('trade', FUEL.id) &&
      has('trade', ETH.id)
    ) {
      return all;
    }
  }
  throw new Error('the simulator did not move both markets');
}

/** Steps until the market trades; returns how many trades its frames carry. */
function collectTrades(market: string): number {
  for (let i = 0; i < 500; i++) {
    const n = collect(() => sim.step(5))
      .filter((e) => e.type === 'trade' && e.market === market)
      .reduce((sum, e) => sum + (e.type === 'trade' ? e.trades.length : 0), 0);
    if (n > 0) return n;
  }
  throw new Error(`no trade on ${market}`);
}

function nextEvent<T extends AdapterEvent['type']>(
  a: O2Adapter,
  type: T,
  pred: (e: Extract<AdapterEvent, { type: T }>) => boolean = () => true,
): Promise<Extract<AdapterEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = a.events.on(type, (e) => {
      if (!pred(e)) return;
      off();
      resolve(e);
    });
  });
}

async function take<T>(it: AsyncIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done === true) break;
    out.push(r.value);
  }
  return out;
}

describe('O2Adapter streams against the simulator', () => {
  beforeEach(() => startSim());

  it('depth and trades of two markets on one socket: typed, exact, no cross-talk', async () => {
    const o = adapter();
    const startedAt = Date.now();
    const fuelDepth = o.streamDepth('fFUEL/fUSDC');
    const ethDepth = o.streamDepth(ETH.id);
    const fuelTrades = o.streamTrades('FUEL/USDC');
    const ethTrades = o.streamTrades('fETH/fUSDC');

    // Snapshots first: the server has both depth subscriptions before any event is generated.
    const [fuelSnap] = await take(fuelDepth, 1);
    const [ethSnap] = await take(ethDepth, 1);
    expect(fuelSnap).toMatchObject({ kind: 'snapshot', market: 'fFUEL/fUSDC', marketId: FUEL.id });
    expect(ethSnap).toMatchObject({ kind: 'snapshot', market: 'fETH/fUSDC', marketId: ETH.id });
    const truth = sim.book(FUEL.id);
    expect(fuelSnap!.bids[0]).toEqual({ price: truth.bids[0]![0], quantity: truth.bids[0]![1] });
    // The receive stamp of the socket read: after the subscription, not after now.
    expect(fuelSnap!.receivedAt).toBeGreaterThanOrEqual(startedAt);
    expect(fuelSnap!.receivedAt).toBeLessThanOrEqual(Date.now());
    await rec.until(
      () =>
        rec.count(action('subscribe_trades', { market_id: FUEL.id })) === 1 &&
        rec.count(action('subscribe_trades', { market_id: ETH.id })) === 1,
    );
    expect(rec.sockets.size).toBe(1); // one socket carries all four

    const events = stepUntilBothMarketsMove();
    const depthCount = (m: string) =>
      events.filter((e) => e.type === 'depth' && e.market === m).length;
    const tradesOf = (m: string) =>
      events.flatMap((e) => (e.type === 'trade' && e.market === m ? e.trades : []));

    const fuelDeltas = await take(fuelDepth, depthCount(FUEL.id));
    const ethDeltas = await take(ethDepth, depthCount(ETH.id));
    expect(fuelDeltas.every((d) => d.kind === 'delta' && d.marketId === FUEL.id)).toBe(true);
    expect(ethDeltas.every((d) => d.kind === 'delta' && d.marketId === ETH.id)).toBe(true);

    const fuelT = await take(fuelTrades, tradesOf(FUEL.id).length);
    const ethT = await take(ethTrades, tradesOf(ETH.id).length);
    expect(fuelT.every((t) => t.market === 'fFUEL/fUSDC')).toBe(true);
    expect(ethT.every((t) => t.market === 'fETH/fUSDC')).toBe(true);
    const first = tradesOf(FUEL.id)[0]!;
    // Exact decimals: chain integers scaled by 9 decimals, no float on the way.
    expect(fuelT[0]!.id).toBe(String(first.id));
    expect(fuelT[0]!.side).toBe(first.takerSide);
    expect(fuelT[0]!.price.mul(1e9).toFixed()).toBe(first.price.toString());
    expect(fuelT[0]!.quantity.mul(1e9).toFixed()).toBe(first.quantity.toString());
    expect(typeof fuelT[0]!.time).toBe('number');
    expect(fuelT[0]!.raw).toMatchObject({ action: 'subscribe_trades', market_id: FUEL.id });

    // Nothing was lost or misrouted on the way.
    const stats = o.stats();
    expect(stats.ws['o2']!.unroutable).toBe(0);
    expect(stats.ws['o2']!.parseFailures).toBe(0);
    expect(stats.streams.errors).toEqual({});
    expect(stats.o2Streams.serverErrors).toBe(0);
  });

  it('leaving a loop unsubscribes; the refcount keeps it while another reader remains', async () => {
    const o = adapter();
    const a = o.streamTrades('fFUEL/fUSDC');
    const b = o.streamTrades('fFUEL/fUSDC');
    await rec.until(() => rec.count(action('subscribe_trades')) === 1);

    const fuelTrades = (): number => {
      let n = 0;
      for (let i = 0; i < 200 && n === 0; i++) {
        n = collect(() => sim.step(10))
          .filter((e) => e.type === 'trade' && e.market === FUEL.id)
          .reduce((sum, e) => sum + (e.type === 'trade' ? e.trades.length : 0), 0);
      }
      return n;
    };
    const firstBatch = fuelTrades();
    expect(firstBatch).toBeGreaterThan(0);
    let seenByA = 0;
    for await (const t of a) {
      expect(t.market).toBe('fFUEL/fUSDC');
      seenByA++;
      break; // leaving the loop releases a
    }
    expect(seenByA).toBe(1);
    // b still receives everything (the first batch, then more): the server still has it.
    expect(await take(b, firstBatch)).toHaveLength(firstBatch);
    const secondBatch = fuelTrades();
    const got = await take(b, secondBatch);
    expect(got.every((t) => t.market === 'fFUEL/fUSDC')).toBe(true);
    expect(rec.count(action('unsubscribe_trades'))).toBe(0);

    await b.return();
    await rec.until(() => rec.count(action('unsubscribe_trades', { market_id: FUEL.id })) === 1);
    expect(rec.count(action('subscribe_trades'))).toBe(1);
    expect(o.stats().streams.live).toEqual({});
  });

  it('a reader joining a live depth subscription gets a fresh snapshot; precisions must agree', async () => {
    const o = adapter();
    const a = o.streamDepth('fFUEL/fUSDC');
    expect((await take(a, 1))[0]!.kind).toBe('snapshot');
    const b = o.streamDepth('fFUEL/fUSDC');
    expect((await take(b, 1))[0]!.kind).toBe('snapshot');
    // a sees the reset too: every subscribe_depth frame is a full snapshot.
    expect((await take(a, 1))[0]!.kind).toBe('snapshot');
    expect(o.stats().o2Streams.snapshotRequests).toBe(1);
    expect(o.stats().o2Streams.serverErrors).toBe(0); // no AlreadySubscribed (6000)

    // The server says the book needs a resync: a fresh snapshot for both readers.
    rec.push(JSON.stringify({ action: 'error', market_id: FUEL.id, resync_required: true }));
    expect((await take(a, 1))[0]!.kind).toBe('snapshot');
    expect((await take(b, 1))[0]!.kind).toBe('snapshot');
    expect(o.stats().o2Streams).toMatchObject({ snapshotRequests: 2, serverErrors: 1 });

    await expect(o.streamDepth('fFUEL/fUSDC', { precision: 2 }).next()).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('orders, balances and nonce of one account; unsubscribe_orders only after the last orders reader', async () => {
    const o = adapter();
    const orders1 = o.streamOrders(ACCOUNT_1);
    const orders2 = o.streamOrders(ACCOUNT_2);
    const balances = o.streamBalances(ACCOUNT_1);
    const nonce = o.streamNonce(ACCOUNT_1);
    await rec.until(
      () =>
        rec.count(action('subscribe_orders')) === 2 &&
        rec.count(action('subscribe_balances')) === 1 &&
        rec.count(action('subscribe_nonce')) === 1,
    );
    const low = BigInt(sim.book(FUEL.id).bids.at(-1)![0]) - FUEL.tickSize * 10n;
    const placed = sim.engine.placeOrder({
      account: ACCOUNT_1,
      market: FUEL.id,
      side: 'buy',
      type: 'limit',
      price: low,
      quantity: FUEL.lot,
      clientOrderId: o2SimId('streams:order:1'),
    });
    expect(placed.ok).toBe(true);
    sim.engine.placeOrder({
      account: ACCOUNT_2,
      market: FUEL.id,
      side: 'buy',
      type: 'limit',
      price: low,
      quantity: FUEL.lot,
      clientOrderId: o2SimId('streams:order:2'),
    });
    sim.engine.bumpNonce(ACCOUNT_1);

    const [order] = await take(orders1, 1);
    expect(order).toMatchObject({
      market: 'fFUEL/fUSDC',
      orderId: o2SimId('streams:order:1'),
      side: 'buy',
      status: 'open',
    });
    expect(order!.price!.mul(1e9).toFixed()).toBe(low.toString());
    expect(order!.quantity.mul(1e9).toFixed()).toBe(FUEL.lot.toString());
    const [order2] = await take(orders2, 1);
    expect(order2!.orderId).toBe(o2SimId('streams:order:2'));

    const [bal] = await take(balances, 1);
    expect(bal!.asset).toBe('fUSDC');
    const truth = sim.engine.balances(ACCOUNT_1).find((b) => b.asset === 'fUSDC')!;
    expect(bal!.locked.mul(1e9).toFixed()).toBe(truth.locked.toString());
    expect(bal!.free.mul(1e9).toFixed()).toBe(truth.free.toString());

    const [n] = await take(nonce, 1);
    expect(n).toMatchObject({ account: ACCOUNT_1, nonce: sim.engine.nonce(ACCOUNT_1) });

    // Account 1 leaves: unsubscribe_orders would also end account 2's orders: not sent.
    await orders1.return();
    sim.engine.placeOrder({
      account: ACCOUNT_2,
      market: FUEL.id,
      side: 'buy',
      type: 'limit',
      price: low,
      quantity: FUEL.lot,
      clientOrderId: o2SimId('streams:order:3'),
    });
    expect((await take(orders2, 1))[0]!.orderId).toBe(o2SimId('streams:order:3'));
    expect(rec.count(action('unsubscribe_orders'))).toBe(0);
    // Account 1's order frames still come (the server keeps it); skipped and counted.
    sim.engine.placeOrder({
      account: ACCOUNT_1,
      market: FUEL.id,
      side: 'buy',
      type: 'limit',
      price: low,
      quantity: FUEL.lot,
      clientOrderId: o2SimId('streams:order:4'),
    });
    sim.engine.bumpNonce(ACCOUNT_1);
    await take(nonce, 1); // sent after the orders frame on the same socket
    expect(o.stats().o2Streams.lateFrames).toBeGreaterThanOrEqual(1);
    expect(o.stats().ws['o2']!.unroutable).toBe(0);

    // Account 1 comes back while the server still has it: no duplicate subscribe (6000).
    const again = o.streamOrders(ACCOUNT_1);
    sim.engine.placeOrder({
      account: ACCOUNT_1,
      market: FUEL.id,
      side: 'buy',
      type: 'limit',
      price: low,
      quantity: FUEL.lot,
      clientOrderId: o2SimId('streams:order:5'),
    });
    expect((await take(again, 1))[0]!.orderId).toBe(o2SimId('streams:order:5'));
    expect(rec.count(action('subscribe_orders'))).toBe(2);

    await again.return();
    await orders2.return();
    await rec.until(() => rec.count(action('unsubscribe_orders')) === 1);
    await balances.return();
    await nonce.return();
    await rec.until(
      () =>
        rec.count(action('unsubscribe_balances', { identities: [{ ContractId: ACCOUNT_1 }] })) ===
          1 &&
        rec.count(action('unsubscribe_nonce', { identities: [{ ContractId: ACCOUNT_1 }] })) === 1,
    );
    expect(o.stats().o2Streams.serverErrors).toBe(0);
  });

  it('reconnects after the simulator drops the connection, resubscribes, and data flows again', async () => {
    const o = adapter();
    const depth = o.streamDepth('fFUEL/fUSDC');
    const trades = o.streamTrades('fFUEL/fUSDC');
    expect((await take(depth, 1))[0]!.kind).toBe('snapshot');
    await rec.until(() => rec.count(action('subscribe_trades')) === 1);

    const resubscribed = nextEvent(o, 'resubscribed');
    const reconnecting = nextEvent(o, 'reconnecting');
    sim.inject({ kind: 'dropConnections' });
    expect(await reconnecting).toMatchObject({ connection: 'o2', attempt: 1 });
    expect(await resubscribed).toEqual({ type: 'resubscribed', connection: 'o2', count: 2 });
    // A fresh snapshot after the resubscribe.
    expect((await take(depth, 1))[0]!.kind).toBe('snapshot');
    await rec.until(() => rec.count(action('subscribe_trades')) === 2);
    const events = stepUntilBothMarketsMove();
    const n = events
      .filter((e) => e.type === 'trade' && e.market === FUEL.id)
      .flatMap((e) => (e.type === 'trade' ? e.trades : [])).length;
    const got = await take(trades, n);
    expect(got).toHaveLength(n);
    expect(o.stats().ws['o2']!.reconnects).toBe(1);
  });

  it('reconnect never gives up by default: 12 refused attempts (the official SDK stops at 10), then data again', async () => {
    const o = adapter();
    const trades = o.streamTrades('fFUEL/fUSDC');
    await rec.until(() => rec.count(action('subscribe_trades')) === 1);
    let attempts = 0;
    o.events.on('reconnecting', () => attempts++);
    const resubscribed = nextEvent(o, 'resubscribed');
    sim.inject({ kind: 'refuseConnections', count: 12 });
    sim.inject({ kind: 'dropConnections' });
    await resubscribed;
    expect(attempts).toBeGreaterThanOrEqual(13);
    expect(sim.stats().faults['refuseConnections']).toBe(12);
    await rec.until(() => rec.count(action('subscribe_trades')) === 2);
    const n = collectTrades(FUEL.id);
    expect(await take(trades, n)).toHaveLength(n);
  });

  it('malformed frames and server error frames: typed errors, counted, the stream goes on', async () => {
    const o = adapter();
    const errors: { code: string; exchangeCode: unknown }[] = [];
    o.events.on('error', (e) =>
      errors.push({ code: e.error.code, exchangeCode: e.error.context['exchangeCode'] }),
    );
    const trades = o.streamTrades('fFUEL/fUSDC');
    await rec.until(() => rec.count(action('subscribe_trades')) === 1);

    // Not JSON: the simulator truncates the next data frame (a real trade), then sends it whole.
    sim.inject({ kind: 'malformedFrames', count: 1 });
    let real: SimEvent | undefined;
    for (let i = 0; i < 500 && real === undefined; i++) {
      real = collect(() => sim.step(1)).find((e) => e.type === 'trade' && e.market === FUEL.id);
    }
    if (real?.type !== 'trade') throw new Error('no trade on fFUEL/fUSDC');
    const whole = await take(trades, real.trades.length);
    expect(whole.map((t) => t.id)).toEqual(real.trades.map((t) => String(t.id)));

    // Valid JSON, invalid data: a float price (VALIDATION_FAILED naming the field).
    rec.push(
      JSON.stringify({
        action: 'subscribe_trades',
        market_id: FUEL.id,
        trades: [{ trade_id: '1', side: 'buy', price: 0.5, quantity: '1', timestamp: 1 }],
      }),
    );
    // Server error frames: the documented {code,message} and the {"action":"error"} form.
    rec.push(JSON.stringify({ code: 6002, message: 'General subscription error' }));
    rec.push(JSON.stringify({ action: 'error', market_id: FUEL.id, resync_required: true }));
    // The stream goes on.
    rec.push(
      JSON.stringify({
        action: 'subscribe_trades',
        market_id: FUEL.id,
        trades: [
          { trade_id: '2', side: 'sell', price: '21300000', quantity: '1000000', timestamp: 5 },
        ],
      }),
    );
    const [t] = await take(trades, 1);
    expect(t).toMatchObject({ id: '2', side: 'buy', makerSide: 'sell', time: 5 });
    expect(t!.price.toFixed()).toBe('0.0213');

    expect(errors.map((e) => e.code).sort()).toEqual(
      ['EXCHANGE_ERROR', 'EXCHANGE_ERROR', 'MESSAGE_PARSE_FAILED', 'VALIDATION_FAILED'].sort(),
    );
    expect(errors.find((e) => e.exchangeCode === 6002)).toBeDefined();
    const stats = o.stats();
    expect(stats.ws['o2']!.parseFailures).toBe(1);
    expect(stats.streams.parseFailures).toBe(1);
    expect(stats.o2Streams.serverErrors).toBe(2);
    expect(stats.streams.errors).toEqual({
      EXCHANGE_ERROR: 2,
      MESSAGE_PARSE_FAILED: 1,
      VALIDATION_FAILED: 1,
    });
  });

  it('an unknown channel is UNSUPPORTED_CHANNEL; a bad account is INVALID_ARGUMENT', async () => {
    const o = adapter();
    let caught: unknown;
    try {
      o.subscribe('candles' as 'depth', { market: 'fFUEL/fUSDC' });
    } catch (e) {
      caught = e;
    }
    expect(isTickwireError(caught) && caught.code).toBe('UNSUPPORTED_CHANNEL');
    await expect(o.streamNonce('not-an-account').next()).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(o.streamTrades('NOPE/NOPE').next()).rejects.toMatchObject({
      code: 'UNKNOWN_MARKET',
    });
  });

  it('close() ends live loops', async () => {
    const o = adapter();
    const depth = o.streamDepth('fFUEL/fUSDC');
    const trades = o.streamTrades('fETH/fUSDC');
    await take(depth, 1);
    const loops = [depth, trades].map(async (s) => {
      let n = 0;
      for await (const _ of s) n++;
      return n;
    });
    await o.close();
    await expect(Promise.all(loops)).resolves.toHaveLength(2);
    expect(o.stats().streams.live).toEqual({});
  });
});

describe('O2 heartbeat', () => {
  beforeEach(() => startSim({ inactivityTimeoutMs: 400 }));

  it('sends a text PING on schedule, so the server never closes the socket for inactivity', async () => {
    const o = adapter({ pingIntervalMs: 100 });
    const closed: AdapterEvent[] = [];
    o.events.on('closed', (e) => closed.push(e));
    const trades = o.streamTrades('fFUEL/fUSDC');
    await rec.until(() => rec.count(action('subscribe_trades')) === 1);
    // Ten PINGs span 1 s, well past the 400 ms inactivity timeout.
    await rec.until(() => rec.count((f) => f.text === 'PING') >= 10);
    expect(closed).toEqual([]);
    expect(sim.stats().violations['inactivityTimeout'] ?? 0).toBe(0);
    // PONG answers were matched (round trips recorded), never parsed as JSON.
    expect(o.stats().ws['o2']!.lastRttMs).toBeDefined();
    expect(o.stats().ws['o2']!.parseFailures).toBe(0);
    await trades.return();
  });
});
