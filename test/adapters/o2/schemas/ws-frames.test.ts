import {
  normalizeO2Balance,
  normalizeO2Depth,
  normalizeO2Nonce,
  normalizeO2Order,
  normalizeO2Trade,
  O2DepthFrame,
  type O2ServerFrame,
  parseO2ServerFrame,
  parseO2ServerMessage,
} from '../../../../adapters/o2/schemas/index.js';
import { isTickwireError } from '../../../../src/errors/index.js';
import { parse } from '../../../../src/schemas/index.js';
import { byId, wireText, wsFixtures } from '../load-fixtures.js';

const MARKET = '0xc0c5c48315d8cfff9f00777f81fdf04e9b4ef69e802a1a068549a8d6a06ee19f';
const FUEL_USDC = { symbol: 'fFUEL/fUSDC', baseDecimals: 9, quoteDecimals: 9 };

function only<T extends O2ServerFrame['type']>(
  msg: O2ServerFrame,
  type: T,
): Extract<O2ServerFrame, { type: T }> {
  expect(msg.type).toBe(type);
  return msg as Extract<O2ServerFrame, { type: T }>;
}

function rejection(fn: () => unknown): { code: string; path: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (!isTickwireError(e)) throw e;
    return {
      code: e.code,
      path: String((e.context as { path?: unknown }).path ?? ''),
      message: e.message,
    };
  }
  throw new Error('expected a rejection');
}

describe('O2 fixture files', () => {
  it('hold every §8 fixture id, in order, each with provenance', () => {
    const ids = (name: string) => wsFixtures(name).map((f) => f.id);
    const seq = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${i + 1}`);
    expect(ids('ws-depth')).toEqual(seq('D', 10));
    expect(ids('ws-orders')).toEqual(seq('O', 8));
    expect(ids('ws-trades')).toEqual(seq('T', 6));
    expect(ids('ws-balances')).toEqual(seq('B', 5));
    expect(ids('ws-nonce')).toEqual(seq('N', 5));
    expect(ids('ws-control')).toEqual(seq('C', 7));
    for (const name of ['ws-depth', 'ws-orders', 'ws-trades', 'ws-balances', 'ws-nonce']) {
      for (const f of wsFixtures(name)) {
        expect(f.provenance).not.toBe('');
        expect(f.frame).toBeDefined();
      }
    }
  });

  it('every data fixture except the malformed O2 parses', () => {
    for (const name of ['ws-depth', 'ws-orders', 'ws-trades', 'ws-balances', 'ws-nonce']) {
      for (const f of wsFixtures(name)) {
        if (f.id === 'O2') continue;
        expect(() => parseO2ServerMessage(wireText(f))).not.toThrow();
      }
    }
  });
});

describe('O2 depth frames (fixtures/o2/ws-depth.jsonl)', () => {
  const fx = wsFixtures('ws-depth');
  const depth = (id: string) => only(parseO2ServerMessage(wireText(byId(fx, id))), 'depth').frame;

  it('parses every depth fixture', () => {
    expect(fx.map((f) => f.id)).toEqual([
      'D1',
      'D2',
      'D3',
      'D4',
      'D5',
      'D6',
      'D7',
      'D8',
      'D9',
      'D10',
    ]);
    for (const f of fx) expect(parseO2ServerMessage(wireText(f)).type).toBe('depth');
  });

  it('D1: an empty snapshot is a reset with no levels', () => {
    const u = normalizeO2Depth(depth('D1'), 'm');
    expect(u).toMatchObject({ kind: 'snapshot', bids: [], asks: [], marketId: 'market1' });
  });

  it('D2: keeps the numeric view precision', () => {
    expect(normalizeO2Depth(depth('D2'), 'm').precision).toBe(3);
  });

  it('D4: object levels become bids/asks of exact strings, best first', () => {
    const u = normalizeO2Depth(depth('D4'), 'fFUEL/fUSDC', undefined, 42);
    expect(u.kind).toBe('snapshot');
    expect(u.marketId).toBe(MARKET);
    expect(u.receivedAt).toBe(42);
    expect(u.bids.map((l) => l.price)).toEqual(['21300000', '21290000', '21250000']);
    expect(u.asks[0]).toEqual({ price: '21310000', quantity: '800000000000' });
    expect(u.bids[2]).toEqual({ price: '21250000', quantity: '10000000000000' });
    expect(u.onchainTimestamp).toBe('1767225600000');
    expect(u.seenTimestamp).toBe('1767225600215');
  });

  it('D3/D5/D6: updates are deltas with absolute sizes and "0" removals', () => {
    const d3 = normalizeO2Depth(depth('D3'), 'm');
    expect(d3.kind).toBe('delta');
    expect(d3.asks).toEqual([{ price: '101', quantity: '0' }]);
    const d5 = normalizeO2Depth(depth('D5'), 'm');
    expect(d5.bids).toEqual([{ price: '21300000', quantity: '1200000000000' }]);
    expect(d5.asks).toEqual([]);
    const d6 = normalizeO2Depth(depth('D6'), 'm');
    expect(d6.bids).toEqual([{ price: '21320000', quantity: '300000000000' }]);
    expect(d6.asks).toEqual([{ price: '21310000', quantity: '0' }]);
  });

  it('D7: a book under "orders" is a snapshot like one under "view"', () => {
    const d7 = normalizeO2Depth(depth('D7'), 'm');
    expect(d7.kind).toBe('snapshot');
    expect(d7.bids).toEqual([{ price: '21300000', quantity: '1500000000000' }]);
    expect(d7.asks).toEqual([{ price: '21310000', quantity: '800000000000' }]);
  });

  it('D8: tuple levels parse to the same levels as object levels', () => {
    const d8 = normalizeO2Depth(depth('D8'), 'm');
    const d7 = normalizeO2Depth(depth('D7'), 'm');
    expect(d8.bids).toEqual(d7.bids);
    expect(d8.asks).toEqual(d7.asks);
  });

  it('D9: keeps the other market id so the consumer can filter cross-talk', () => {
    expect(depth('D9').market_id).toBe(
      '0x83adb781a3c7e8e541720cb9b1b036315eda75da1f7882cf83bc6852c0adc934',
    );
    expect(depth('D9').market_id).not.toBe(MARKET);
  });

  it('D10: "changes" under subscribe_depth is keyed off the payload → an update', () => {
    const f = depth('D10');
    expect(f.action).toBe('subscribe_depth');
    expect(f.kind).toBe('update');
    expect(normalizeO2Depth(f, 'm')).toMatchObject({
      kind: 'delta',
      bids: [{ price: '101', quantity: '5' }],
    });
  });

  it('and "view" under subscribe_depth_update is a snapshot', () => {
    const f = parse(
      O2DepthFrame,
      { action: 'subscribe_depth_update', market_id: '0xab', view: { buys: [], sells: [] } },
      'd',
    );
    expect(f.kind).toBe('snapshot');
  });

  it('accepts numeric prices and quantities within 2^53', () => {
    const f = parseO2ServerFrame({
      action: 'subscribe_depth',
      market_id: '0xAB',
      view: { buys: [{ price: 21300000, quantity: 5 }], sells: [[21310000, '7']] },
    });
    const d = only(f, 'depth').frame;
    expect(d.market_id).toBe('0xab');
    expect(normalizeO2Depth(d, 'm').bids).toEqual([{ price: '21300000', quantity: '5' }]);
    expect(normalizeO2Depth(d, 'm').asks).toEqual([{ price: '21310000', quantity: '7' }]);
  });

  it('rejects levels that would be wrong, naming the field', () => {
    const base = { action: 'subscribe_depth', market_id: '0xab' };
    const unsafe = rejection(() =>
      parseO2ServerFrame({
        ...base,
        view: { buys: [{ price: 2 ** 60, quantity: '1' }], sells: [] },
      }),
    );
    expect(unsafe.code).toBe('VALIDATION_FAILED');
    expect(unsafe.path).toBe('view.buys.0.price');
    const float = rejection(() =>
      parseO2ServerFrame({ ...base, changes: { buys: [], sells: [['0.5', '1']] } }),
    );
    expect(float.path).toBe('changes.sells.0.price');
    const overU64 = rejection(() =>
      parseO2ServerFrame({
        ...base,
        view: { buys: [{ price: '18446744073709551616', quantity: '1' }], sells: [] },
      }),
    );
    expect(overU64.path).toBe('view.buys.0.price');
    const noBook = rejection(() => parseO2ServerFrame(base));
    expect(noBook).toMatchObject({ code: 'VALIDATION_FAILED', path: 'view' });
    const both = rejection(() =>
      parseO2ServerFrame({
        ...base,
        view: { buys: [], sells: [] },
        changes: { buys: [], sells: [] },
      }),
    );
    expect(both.path).toBe('changes');
  });
});

describe('O2 order frames (fixtures/o2/ws-orders.jsonl)', () => {
  const fx = wsFixtures('ws-orders');
  const orders = (id: string) =>
    only(parseO2ServerMessage(wireText(byId(fx, id))), 'orders').frame.orders;

  it('O1/O3: minimal orders parse; status is open', () => {
    const [o1] = orders('O1');
    expect(o1).toMatchObject({ order_id: '0x1', side: 'buy', order_type: 'Spot', close: false });
    expect(normalizeO2Order(o1!, FUEL_USDC).status).toBe('open');
    const [o3] = orders('O3');
    expect(o3).toMatchObject({ order_id: 'order123', market_id: 'market1', quantity: '10' });
  });

  it('O2: a malformed order is VALIDATION_FAILED naming orders.0.side', () => {
    const r = rejection(() => parseO2ServerMessage(wireText(byId(fx, 'O2'))));
    expect(r.code).toBe('VALIDATION_FAILED');
    expect(r.path).toBe('orders.0.side');
    expect(r.message).toContain('orders.0.side');
  });

  it('O4: a resting PostOnly buy with Quote desired quantity and history', () => {
    const [o] = orders('O4');
    expect(o!.desired_quantity).toEqual({
      Quote: {
        desired_base_quantity: { Quantity: '1500000000000' },
        remaining_quote_token: '31950000000',
      },
    });
    expect(o!.owner).toEqual({
      ContractId: '0xd3ca0cbf374bb2e11e1f554b088e0bc6b168b251b820a42a69624be4aa2f2a2f',
    });
    const u = normalizeO2Order(o!, FUEL_USDC);
    expect(u.status).toBe('open');
    expect(u.price!.toFixed()).toBe('0.0213');
    expect(u.quantity.toFixed()).toBe('1500');
    expect(u.filledQuantity.toFixed()).toBe('0');
    expect(u.orderType).toBe('PostOnly');
    expect(u.timestamp).toBe('1767225600000');
  });

  it('O5: partially filled, with the last fill', () => {
    const u = normalizeO2Order(orders('O5')[0]!, FUEL_USDC);
    expect(u.status).toBe('partially_filled');
    expect(u.filledQuantity.toFixed()).toBe('300');
    expect(u.lastFillPrice!.toFixed()).toBe('0.0213');
    expect(u.lastFillQuantity!.toFixed()).toBe('300');
  });

  it('O6: close → filled', () => {
    expect(normalizeO2Order(orders('O6')[0]!, FUEL_USDC).status).toBe('filled');
  });

  it('O7: cancel wins over close; capitalised side normalised', () => {
    const [o] = orders('O7');
    expect(o!.side).toBe('sell');
    expect(o!.desired_quantity).toEqual({ Base: { remaining_quantity: '2000000000000' } });
    expect(normalizeO2Order(o!, FUEL_USDC).status).toBe('cancelled');
  });

  it('O8: BoundedMarket with numeric prices and an Infinite quote quantity', () => {
    const [o] = orders('O8');
    expect(o!.order_type).toEqual({
      BoundedMarket: { max_price: '23000000', min_price: '19000000' },
    });
    expect(o!.desired_quantity).toEqual({
      Quote: { desired_base_quantity: 'Infinite', remaining_quote_token: '90000000000' },
    });
  });

  it('accepts every string order type', () => {
    for (const t of ['Spot', 'Market', 'FillOrKill', 'PostOnly']) {
      const f = parseO2ServerFrame({
        action: 'subscribe_orders',
        orders: [{ order_id: '0x1', side: 'sell', order_type: t }],
      });
      expect(only(f, 'orders').frame.orders[0]!.order_type).toBe(t);
    }
  });

  it('accepts Limit order types and omitted order_type; rejects unknown ones', () => {
    const ok = parseO2ServerFrame({
      action: 'subscribe_orders',
      orders: [
        { order_id: '0xA', side: 'BUY', order_type: { Limit: ['21300000', 1767225600] } },
        { order_id: '0xb', side: 'sell' },
      ],
    });
    const list = only(ok, 'orders').frame.orders;
    expect(list[0]!.order_type).toEqual({ Limit: ['21300000', '1767225600'] });
    expect(list[0]!.order_id).toBe('0xa');
    expect(list[1]!.order_type).toBeUndefined();
    const bad = rejection(() =>
      parseO2ServerFrame({
        action: 'subscribe_orders',
        orders: [{ order_id: '0x1', side: 'buy', order_type: 'Iceberg' }],
      }),
    );
    expect(bad.path).toBe('orders.0.order_type');
  });
});

describe('O2 trade frames (fixtures/o2/ws-trades.jsonl)', () => {
  const fx = wsFixtures('ws-trades');
  const trades = (id: string) => only(parseO2ServerMessage(wireText(byId(fx, id))), 'trades').frame;

  it('T1: string timestamp, no side (parses; cannot be normalised)', () => {
    const t = trades('T1').trades[0]!;
    expect(t.timestamp).toBe(1234567890);
    expect(t.side).toBeUndefined();
    expect(rejection(() => normalizeO2Trade(t, FUEL_USDC))).toMatchObject({
      code: 'VALIDATION_FAILED',
      path: 'side',
    });
  });

  it('T2: numeric timestamp is epoch ms; side is the maker side, taker side is the opposite', () => {
    const t = normalizeO2Trade(trades('T2').trades[0]!, FUEL_USDC);
    expect(t.time).toBe(1767225601000);
    expect(t.makerSide).toBe('buy');
    expect(t.side).toBe('sell');
    expect(t.price.toFixed()).toBe('0.0213');
    expect(t.quantity.toFixed()).toBe('300');
    expect(t.total!.toFixed()).toBe('6.39');
    expect(t.id).toBe('184467');
  });

  it('T3: two fills with maker/taker identities', () => {
    const f = trades('T3');
    expect(f.trades).toHaveLength(2);
    const t = normalizeO2Trade(f.trades[1]!, FUEL_USDC);
    expect(t.maker).toEqual({
      ContractId: '0xaa57510b8cce0693db12e3affff64beb9e284a91aeb0eb446c5e3d709aeb4b7f',
    });
    expect(t.side).toBe('buy');
  });

  it('T4: string timestamp and capitalised side', () => {
    const t = trades('T4').trades[0]!;
    expect(t.timestamp).toBe(1767225606000);
    expect(t.side).toBe('buy');
  });

  it('T5: empty trades; T6: the "trades" alias action', () => {
    expect(trades('T5').trades).toEqual([]);
    expect(trades('T6').action).toBe('trades');
    expect(trades('T6').trades[0]!.quantity).toBe('2000000');
  });

  it('keeps totals beyond u64 exact and rejects float prices', () => {
    const ok = parseO2ServerFrame({
      action: 'subscribe_trades',
      market_id: '0xab',
      trades: [
        {
          trade_id: 7,
          side: 'sell',
          price: '1',
          quantity: '1',
          total: '340282366920938463463374607431768211455',
          timestamp: '1',
        },
      ],
    });
    const t = only(ok, 'trades').frame.trades[0]!;
    expect(t.total).toBe('340282366920938463463374607431768211455');
    expect(t.trade_id).toBe('7');
    const bad = rejection(() =>
      parseO2ServerFrame({
        action: 'subscribe_trades',
        market_id: '0xab',
        trades: [{ trade_id: '1', price: 1.5, quantity: '1', timestamp: 1 }],
      }),
    );
    expect(bad.path).toBe('trades.0.price');
  });
});

describe('O2 balance frames (fixtures/o2/ws-balances.jsonl)', () => {
  const fx = wsFixtures('ws-balances');
  const balance = (id: string) =>
    only(parseO2ServerMessage(wireText(byId(fx, id))), 'balances').frame.balance;
  const USDC = { symbol: 'fUSDC', decimals: 9 };

  it('B1: the RS test shape', () => {
    expect(balance('B1')[0]).toMatchObject({ asset_id: 'asset123', total_unlocked: '200' });
  });

  it('B2: free is total_unlocked (already includes trading_account_balance)', () => {
    const b = normalizeO2Balance(balance('B2')[0]!, USDC);
    expect(b.free.toFixed()).toBe('34.87872');
    expect(b.locked.toFixed()).toBe('2');
    const book =
      b.orderBooks['0x0fe74fdb3f7e7f3046c93e2257b32639f72cf544e3ae7a4a431a53fe8ef7990a']!;
    expect(book.fee.toFixed()).toBe('0.0005');
    expect(book.unlocked.toFixed()).toBe('9.87872');
  });

  it('B3: one entry per asset in one frame', () => {
    expect(balance('B3').map((b) => b.asset_id)).toEqual([
      '0xd1f9bfb9a67d8210d189f45395bcee7da5b14d09f6e23c0bd829403aaa811a4e',
      '0x286c479da40dc953bddc3bb4c453b608bba2e0ac483b077bd475174115395e6b',
    ]);
  });

  it('B4: JSON numbers and empty order_books', () => {
    const [b] = balance('B4');
    expect(b!.total_unlocked).toBe('100000000000');
    expect(normalizeO2Balance(b!, USDC).orderBooks).toEqual({});
  });

  it('B5: values beyond 2^53 stay exact', () => {
    const [b] = balance('B5');
    expect(b!.total_unlocked).toBe('18446744073709551616');
    expect(normalizeO2Balance(b!, { symbol: 'fFUEL', decimals: 9 }).free.toFixed()).toBe(
      '18446744073.709551616',
    );
  });

  it('rejects a number beyond 2^53 (already rounded by JSON.parse)', () => {
    const text =
      '{"action":"subscribe_balances","balance":[{"identity":{"ContractId":"0x1"},"asset_id":"0x2","total_locked":0,"total_unlocked":18446744073709551616}]}';
    expect(rejection(() => parseO2ServerMessage(text)).path).toBe('balance.0.total_unlocked');
  });
});

describe('O2 nonce frames (fixtures/o2/ws-nonce.jsonl)', () => {
  const fx = wsFixtures('ws-nonce');
  const nonce = (id: string) => only(parseO2ServerMessage(wireText(byId(fx, id))), 'nonce').frame;

  it('N1–N5: decimal string, number, hex and the "nonce" alias all become bigints', () => {
    expect(nonce('N1').nonce).toBe(42n);
    expect(nonce('N2').nonce).toBe(8n);
    expect(nonce('N3').nonce).toBe(9n);
    expect(nonce('N4').nonce).toBe(10n);
    expect(nonce('N5').action).toBe('nonce');
    expect(normalizeO2Nonce(nonce('N5'))).toMatchObject({
      account: '0xd3ca0cbf374bb2e11e1f554b088e0bc6b168b251b820a42a69624be4aa2f2a2f',
      nonce: 11n,
    });
  });

  it('rejects a fractional or negative nonce', () => {
    const f = { action: 'subscribe_nonce', contract_id: '0x1' };
    expect(rejection(() => parseO2ServerFrame({ ...f, nonce: '1.5' })).path).toBe('nonce');
    expect(rejection(() => parseO2ServerFrame({ ...f, nonce: -1 })).path).toBe('nonce');
  });
});

describe('O2 control frames (fixtures/o2/ws-control.jsonl)', () => {
  const fx = wsFixtures('ws-control');
  const msg = (id: string) => parseO2ServerMessage(wireText(byId(fx, id)));

  it('C1: PONG is the heartbeat reply', () => {
    expect(msg('C1')).toEqual({ type: 'pong' });
  });

  it('C2–C4: {code,message} error frames', () => {
    expect(only(msg('C2'), 'error').frame).toMatchObject({ code: 6000 });
    expect(only(msg('C3'), 'error').frame).toMatchObject({ code: 6001 });
    expect(only(msg('C4'), 'error').frame).toMatchObject({
      code: 6002,
      message: 'General subscription error',
    });
  });

  it('C5: {"action":"error"} frames keep their extra fields', () => {
    const f = only(msg('C5'), 'error').frame;
    expect(f).toMatchObject({
      action: 'error',
      market_id: '0xaaaa',
      resync_required: true,
      turbo: true,
    });
  });

  it('C6: an unknown action is classified, not thrown', () => {
    const f = only(msg('C6'), 'unknown');
    expect(f.action).toBe('subscribe_candles');
  });

  it('C7: non-JSON text is MESSAGE_PARSE_FAILED', () => {
    expect(rejection(() => msg('C7')).code).toBe('MESSAGE_PARSE_FAILED');
  });

  it('non-object JSON is VALIDATION_FAILED; objects without action are unknown', () => {
    expect(rejection(() => parseO2ServerMessage('[1,2]')).code).toBe('VALIDATION_FAILED');
    expect(parseO2ServerFrame({ hello: 1 })).toMatchObject({ type: 'unknown', action: undefined });
  });
});
