// O2Streams over the §8 fixtures, without sockets: how every frame shape is decoded, routed
// (market and account filtering) and turned into events by each channel's parser.
import {
  decodeO2Message,
  O2_PONG,
  o2ServerError,
  O2Streams,
  type O2Channels,
} from '../../../adapters/o2/streams/o2-streams.js';
import {
  normalizeO2Market,
  O2MarketsResponse,
  type O2MarketInfo,
} from '../../../adapters/o2/schemas/index.js';
import type { ChannelRoute } from '../../../src/adapter/index.js';
import { createError, isTickwireError, type TickwireError } from '../../../src/errors/index.js';
import { parse } from '../../../src/schemas/index.js';
import { byId, restFixtures, wireText, wsFixtures, type WsFixture } from './load-fixtures.js';

const MARKET = '0xc0c5c48315d8cfff9f00777f81fdf04e9b4ef69e802a1a068549a8d6a06ee19f';
const MARKET_2 = '0x83adb781a3c7e8e541720cb9b1b036315eda75da1f7882cf83bc6852c0adc934';
const ACCOUNT = '0xd3ca0cbf374bb2e11e1f554b088e0bc6b168b251b820a42a69624be4aa2f2a2f';
const OTHER = '0xaa57510b8cce0693db12e3affff64beb9e284a91aeb0eb446c5e3d709aeb4b7f';

const markets: readonly O2MarketInfo[] = parse(
  O2MarketsResponse,
  byId(restFixtures('rest-markets'), 'RM1').body,
  'markets',
).markets.map(normalizeO2Market);

let reported: TickwireError[];
let streams: O2Streams;

beforeEach(() => {
  reported = [];
  streams = new O2Streams(
    {
      market: (s) => {
        const m = markets.find((x) => x.symbol === s || x.id === s.toLowerCase());
        return m === undefined
          ? Promise.reject(createError('UNKNOWN_MARKET', s, { context: { market: s } }))
          : Promise.resolve(m);
      },
      loadMarkets: () => Promise.resolve(markets),
      reportError: (e) => reported.push(e),
    },
    'ws://127.0.0.1:9/v1/ws', // never connected: nothing here subscribes through the manager
  );
});

afterEach(async () => {
  await streams.manager.close();
});

const ctx = { signal: undefined };

async function route<K extends keyof O2Channels>(
  channel: K,
  params: O2Channels[K]['params'],
): Promise<ChannelRoute<O2Channels[K]['event']>> {
  const build = streams.channels[channel]!;
  return build(params, ctx);
}

function decoded(f: WsFixture): unknown {
  return decodeO2Message(Buffer.from(wireText(f)));
}

function events<T>(r: ChannelRoute<T>, f: WsFixture): T[] {
  const out = r.parse(decoded(f));
  return out === undefined ? [] : Array.isArray(out) ? (out as T[]) : [out as T];
}

function failure(fn: () => unknown): { code: string; path: unknown } {
  try {
    fn();
  } catch (e) {
    if (!isTickwireError(e)) throw e;
    return { code: e.code, path: (e.context as { path?: unknown }).path };
  }
  throw new Error('expected a failure');
}

describe('decodeO2Message and o2ServerError (fixtures/o2/ws-control.jsonl)', () => {
  const control = wsFixtures('ws-control');

  it('C1: PONG decodes to the heartbeat marker, which routes nowhere (null, not unroutable)', () => {
    const m = decoded(byId(control, 'C1'));
    expect(m).toBe(O2_PONG);
    expect(streams.routeKey(m)).toBeNull();
    expect(o2ServerError(m)).toBeUndefined();
  });

  it('C2–C4: {code,message} frames are EXCHANGE_ERROR with the O2 code', () => {
    for (const [id, code] of [
      ['C2', 6000],
      ['C3', 6001],
      ['C4', 6002],
    ] as const) {
      const e = o2ServerError(decoded(byId(control, id)));
      expect(e?.error.code).toBe('EXCHANGE_ERROR');
      expect(e?.error.context['exchangeCode']).toBe(code);
      expect(e?.resyncMarket).toBeUndefined();
    }
  });

  it('C5: an {"action":"error"} frame with resync_required names the market to resync', () => {
    const e = o2ServerError(decoded(byId(control, 'C5')));
    expect(e?.error.code).toBe('EXCHANGE_ERROR');
    expect(e?.resyncMarket).toBe('0xaaaa');
    expect(e?.error.context['resyncRequired']).toBe(true);
  });

  it('C6: an unknown action is no error and routes nowhere (undefined: counted as unroutable)', () => {
    const m = decoded(byId(control, 'C6'));
    expect(o2ServerError(m)).toBeUndefined();
    expect(streams.routeKey(m)).toBeUndefined();
  });

  it('C7: non-JSON text fails to decode (the manager counts MESSAGE_PARSE_FAILED)', () => {
    expect(() => decoded(byId(control, 'C7'))).toThrow(SyntaxError);
  });

  it('data frames are no errors; non-objects route nowhere', () => {
    for (const name of ['ws-depth', 'ws-trades', 'ws-orders', 'ws-balances', 'ws-nonce']) {
      for (const f of wsFixtures(name)) expect(o2ServerError(decoded(f))).toBeUndefined();
    }
    expect(streams.routeKey(42)).toBeUndefined();
    expect(streams.routeKey(null)).toBeUndefined();
    expect(streams.routeKey([1])).toBeUndefined();
  });
});

describe('routing keys of every data fixture', () => {
  it('market keys stay right across interleaved markets, id case variants and many ids (cached keys)', () => {
    const depth = (id: unknown) => ({ action: 'subscribe_depth_update', market_id: id });
    const trades = (id: unknown) => ({ action: 'trades', market_id: id });
    for (let round = 0; round < 3; round++) {
      expect(streams.routeKey(depth(MARKET))).toBe(`depth:${MARKET}`);
      expect(streams.routeKey(depth(MARKET_2.toUpperCase()))).toBe(`depth:${MARKET_2}`);
      expect(streams.routeKey(trades(MARKET))).toBe(`trades:${MARKET}`);
      expect(streams.routeKey(depth(MARKET_2))).toBe(`depth:${MARKET_2}`);
      expect(streams.routeKey(depth(7))).toBeUndefined();
    }
    // More distinct ids than the cache holds: every key is still computed right.
    for (let i = 0; i < 2100; i++) {
      const id = `0xAB${i.toString(16)}`;
      expect(streams.routeKey(depth(id))).toBe(`depth:${id.toLowerCase()}`);
    }
    expect(streams.routeKey(depth(MARKET))).toBe(`depth:${MARKET}`);
  });

  it('depth and trades by lowercase market id (D9 goes to the other market: no cross-talk)', () => {
    const depth = wsFixtures('ws-depth');
    for (const id of ['D4', 'D5', 'D6', 'D7', 'D8']) {
      expect(streams.routeKey(decoded(byId(depth, id)))).toBe(`depth:${MARKET}`);
    }
    expect(streams.routeKey(decoded(byId(depth, 'D9')))).toBe(`depth:${MARKET_2}`);
    expect(streams.routeKey(decoded(byId(depth, 'D10')))).toBe('depth:market1');
    const trades = wsFixtures('ws-trades');
    for (const id of ['T2', 'T3', 'T4', 'T6']) {
      expect(streams.routeKey(decoded(byId(trades, id)))).toBe(`trades:${MARKET}`);
    }
    expect(streams.routeKey(decoded(byId(trades, 'T5')))).toBe('trades:0xaaaa');
  });

  it('balances and nonce by identity (ContractId or Address; the "nonce" alias too)', () => {
    const balances = wsFixtures('ws-balances');
    expect(streams.routeKey(decoded(byId(balances, 'B1')))).toBe('balances:test_address');
    for (const id of ['B2', 'B3', 'B4', 'B5']) {
      expect(streams.routeKey(decoded(byId(balances, id)))).toBe(`balances:${ACCOUNT}`);
    }
    const nonce = wsFixtures('ws-nonce');
    expect(streams.routeKey(decoded(byId(nonce, 'N1')))).toBe('nonce:contract123');
    for (const id of ['N2', 'N3', 'N4', 'N5']) {
      expect(streams.routeKey(decoded(byId(nonce, id)))).toBe(`nonce:${ACCOUNT}`);
    }
  });

  it('orders by the order identity; without one only when a single account is subscribed', async () => {
    const orders = wsFixtures('ws-orders');
    expect(streams.routeKey(decoded(byId(orders, 'O4')))).toBe(`orders:${ACCOUNT}`);
    // O5 carries no identity: ambiguous with no (or several) orders subscriptions.
    expect(streams.routeKey(decoded(byId(orders, 'O5')))).toBeUndefined();
    const one = await route('orders', { account: ACCOUNT });
    one.spec.subscribe!(0);
    expect(streams.routeKey(decoded(byId(orders, 'O5')))).toBe(`orders:${ACCOUNT}`);
    const two = await route('orders', { account: OTHER });
    two.spec.subscribe!(0);
    expect(streams.routeKey(decoded(byId(orders, 'O5')))).toBeUndefined();
  });
});

describe('channel parsers over the fixtures', () => {
  it('depth: a snapshot first (view, orders, tuple levels), deltas after; deltas before it are skipped and counted', async () => {
    const depth = wsFixtures('ws-depth');
    const r = await route('depth', { market: 'fFUEL/fUSDC' });
    expect(events(r, byId(depth, 'D5'))).toEqual([]);
    expect(streams.counters().deltasBeforeSnapshot).toBe(1);
    const [snap] = events(r, byId(depth, 'D4'));
    expect(snap).toMatchObject({ kind: 'snapshot', market: 'fFUEL/fUSDC', marketId: MARKET });
    expect(snap!.bids[0]).toEqual({ price: '21300000', quantity: '1500000000000' });
    expect(snap!.asks).toHaveLength(3);
    expect(snap!.seenTimestamp).toBe('1767225600215');
    const [d6] = events(r, byId(depth, 'D6'));
    expect(d6).toMatchObject({ kind: 'delta', asks: [{ price: '21310000', quantity: '0' }] });
    expect(events(r, byId(depth, 'D7'))[0]!.kind).toBe('snapshot');
    const [tuple] = events(r, byId(depth, 'D8'));
    expect(tuple!.bids).toEqual([{ price: '21300000', quantity: '1500000000000' }]);
    expect(tuple!.raw).toEqual(byId(depth, 'D8').frame);
  });

  it('depth: a malformed level throws VALIDATION_FAILED naming it (the base counts and skips it)', async () => {
    const r = await route('depth', { market: MARKET });
    const bad = {
      action: 'subscribe_depth',
      market_id: MARKET,
      view: { buys: [{ price: '1.5', quantity: '1' }], sells: [] },
    };
    expect(failure(() => r.parse(bad))).toEqual({
      code: 'VALIDATION_FAILED',
      path: 'view.buys.0.price',
    });
    expect(r.variant).toBe('precision 10');
  });

  it('depth precision: the subscribe frame carries the wire value; out of range is INVALID_ARGUMENT', async () => {
    const r = await route('depth', { market: MARKET, precision: 3 });
    expect(r.spec.subscribe!(0)).toEqual({
      action: 'subscribe_depth',
      market_id: MARKET,
      precision: '1000',
    });
    expect(r.spec.unsubscribe!()).toEqual({ action: 'unsubscribe_depth', market_id: MARKET });
    await expect(route('depth', { market: MARKET, precision: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('trades: T2–T4 and the T6 alias in human units, taker side, ms time; T5 yields nothing', async () => {
    const trades = wsFixtures('ws-trades');
    const r = await route('trades', { market: 'fFUEL/fUSDC' });
    const [t2] = events(r, byId(trades, 'T2'));
    expect(t2).toMatchObject({ id: '184467', side: 'sell', makerSide: 'buy', time: 1767225601000 });
    expect(t2!.price.toFixed()).toBe('0.0213');
    expect(t2!.quantity.toFixed()).toBe('300');
    expect(t2!.total?.toFixed()).toBe('6.39');
    expect(events(r, byId(trades, 'T3')).map((t) => t.id)).toEqual(['184468', '184469']);
    expect(events(r, byId(trades, 'T4'))[0]).toMatchObject({ side: 'sell', time: 1767225606000 });
    expect(events(r, byId(trades, 'T5'))).toEqual([]);
    expect(events(r, byId(trades, 'T6'))[0]!.raw).toMatchObject({ action: 'trades' });
    // T1 has no side: it cannot be normalised.
    expect(failure(() => r.parse(decoded(byId(trades, 'T1')))).code).toBe('VALIDATION_FAILED');
  });

  it('orders: statuses, exact amounts, the account filter and orders without market_id', async () => {
    const orders = wsFixtures('ws-orders');
    const mine = await route('orders', { account: ACCOUNT });
    const [o4] = events(mine, byId(orders, 'O4'));
    expect(o4).toMatchObject({ market: 'fFUEL/fUSDC', side: 'buy', status: 'open' });
    expect(o4!.price?.toFixed()).toBe('0.0213');
    expect(o4!.quantity.toFixed()).toBe('1500');
    const [o5] = events(mine, byId(orders, 'O5'));
    expect(o5).toMatchObject({ status: 'partially_filled' });
    expect(o5!.filledQuantity.toFixed()).toBe('300');
    // O6 has no market_id and two markets are known: it cannot be scaled without `market`.
    expect(failure(() => mine.parse(decoded(byId(orders, 'O6'))))).toEqual({
      code: 'VALIDATION_FAILED',
      path: 'orders.market_id',
    });
    const scoped = await route('orders', { account: ACCOUNT, market: 'fFUEL/fUSDC' });
    expect(events(scoped, byId(orders, 'O6'))[0]).toMatchObject({ status: 'filled' });
    expect(events(scoped, byId(orders, 'O7'))[0]).toMatchObject({
      side: 'sell',
      status: 'cancelled',
    });
    expect(events(scoped, byId(orders, 'O8'))[0]!.orderType).toEqual({
      BoundedMarket: { max_price: '23000000', min_price: '19000000' },
    });
    // Another account's order (O4 is owned by ACCOUNT) is filtered out.
    const theirs = await route('orders', { account: OTHER });
    expect(events(theirs, byId(orders, 'O4'))).toEqual([]);
    // O2 (side null) is malformed.
    expect(failure(() => mine.parse(decoded(byId(orders, 'O2')))).code).toBe('VALIDATION_FAILED');
  });

  it('balances: free = total_unlocked, exact beyond 2^53, numbers accepted, other identities filtered', async () => {
    const balances = wsFixtures('ws-balances');
    const r = await route('balances', { account: ACCOUNT });
    const [b2] = events(r, byId(balances, 'B2'));
    expect(b2).toMatchObject({ asset: 'fUSDC' });
    expect(b2!.free.toFixed()).toBe('34.87872');
    expect(b2!.locked.toFixed()).toBe('2');
    expect(events(r, byId(balances, 'B3')).map((b) => b.asset)).toEqual(['fFUEL', 'fUSDC']);
    expect(events(r, byId(balances, 'B4'))[0]!.free.toFixed()).toBe('100');
    expect(events(r, byId(balances, 'B5'))[0]!.free.toFixed()).toBe('18446744073.709551616');
    expect(events(r, byId(balances, 'B1'))).toEqual([]); // another identity
  });

  it('balances: an asset no market knows is VALIDATION_FAILED naming the entry', async () => {
    const r = await route('balances', { account: ACCOUNT });
    const frame = {
      action: 'subscribe_balances',
      balance: [
        {
          identity: { ContractId: ACCOUNT },
          asset_id: '0x01',
          total_locked: '0',
          total_unlocked: '1',
        },
      ],
    };
    expect(failure(() => r.parse(frame))).toEqual({
      code: 'VALIDATION_FAILED',
      path: 'balance.0.asset_id',
    });
  });

  it('nonce: decimal, number, hex and the alias become bigints; other accounts yield nothing', async () => {
    const nonce = wsFixtures('ws-nonce');
    const r = await route('nonce', { account: ACCOUNT.toUpperCase().replace('0X', '0x') });
    expect(['N2', 'N3', 'N4', 'N5'].map((id) => events(r, byId(nonce, id))[0]!.nonce)).toEqual([
      8n,
      9n,
      10n,
      11n,
    ]);
    expect(events(r, byId(nonce, 'N1'))).toEqual([]);
    await expect(route('nonce', { account: 'contract123' })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('subscription frames and connection-global unsubscribe_orders', () => {
  it('orders: the second account leaving sends unsubscribe_orders; the first leaving sends nothing', async () => {
    const a = await route('orders', { account: ACCOUNT });
    const b = await route('orders', { account: OTHER });
    expect(a.spec.subscribe!(0)).toEqual({
      action: 'subscribe_orders',
      identities: [{ ContractId: ACCOUNT }],
    });
    b.spec.subscribe!(0);
    const skipped = a.spec.unsubscribe!();
    expect(typeof skipped).toBe('symbol'); // dropped by the socket's pre-processor
    // Late frames of the account that left are skipped (counted), not unroutable.
    const o4 = decoded(byId(wsFixtures('ws-orders'), 'O4'));
    expect(streams.routeKey(o4)).toBeNull();
    expect(streams.counters().lateFrames).toBe(1);
    // Coming back while the server still has it: no second subscribe (would be 6000).
    expect(typeof a.spec.subscribe!(0)).toBe('symbol');
    expect(streams.routeKey(o4)).toBe(`orders:${ACCOUNT}`);
    expect(typeof a.spec.unsubscribe!()).toBe('symbol');
    expect(b.spec.unsubscribe!()).toEqual({ action: 'unsubscribe_orders' });
    // Now both are gone from the server: the next subscribe is a real frame again.
    expect(a.spec.subscribe!(0)).toMatchObject({ action: 'subscribe_orders' });
  });

  it('balances and nonce unsubscribe per identity', async () => {
    const b = await route('balances', { account: ACCOUNT });
    const n = await route('nonce', { account: ACCOUNT });
    expect(b.spec.unsubscribe!()).toEqual({
      action: 'unsubscribe_balances',
      identities: [{ ContractId: ACCOUNT }],
    });
    expect(n.spec.subscribe!(0)).toEqual({
      action: 'subscribe_nonce',
      identities: [{ ContractId: ACCOUNT }],
    });
  });

  it('unknown markets fail the route with UNKNOWN_MARKET', async () => {
    await expect(route('trades', { market: 'NOPE/NOPE' })).rejects.toMatchObject({
      code: 'UNKNOWN_MARKET',
    });
    expect(reported).toEqual([]);
  });
});
