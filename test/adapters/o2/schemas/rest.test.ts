import {
  normalizeO2DepthResponse,
  normalizeO2Market,
  O2AggregatedTradesResponse,
  normalizeO2Order,
  O2AccountResponse,
  O2BalanceResponse,
  O2BarsResponse,
  O2CreateAccountResponse,
  O2DepthResponse,
  O2MarketsResponse,
  O2MarketSummaryResponse,
  O2OrderResponse,
  O2OrdersResponse,
  O2SessionActionsResponse,
  O2SessionResponse,
  O2TickerResponse,
  O2TradesResponse,
  O2WithdrawResponse,
} from '../../../../adapters/o2/schemas/index.js';
import { isTickwireError } from '../../../../src/errors/index.js';
import { parse } from '../../../../src/schemas/index.js';
import { byId, restFixtures } from '../load-fixtures.js';

const MARKET = '0xc0c5c48315d8cfff9f00777f81fdf04e9b4ef69e802a1a068549a8d6a06ee19f';
const TA = '0xd3ca0cbf374bb2e11e1f554b088e0bc6b168b251b820a42a69624be4aa2f2a2f';

function body(file: string, id: string): unknown {
  return byId(restFixtures(file), id).body;
}

function failure(fn: () => unknown): { code: string; path: string } {
  try {
    fn();
  } catch (e) {
    if (!isTickwireError(e)) throw e;
    return { code: e.code, path: String((e.context as { path?: unknown }).path) };
  }
  throw new Error('expected a failure');
}

describe('O2 REST response schemas (fixtures/o2/rest-*.json)', () => {
  it('every REST fixture parses with its schema', () => {
    const table: [string, Parameters<typeof parse>[0]][] = [
      ['rest-markets', O2MarketsResponse],
      ['rest-summary', O2MarketSummaryResponse],
      ['rest-ticker', O2TickerResponse],
      ['rest-depth', O2DepthResponse],
      ['rest-trades', O2TradesResponse],
      ['rest-aggregated-trades', O2AggregatedTradesResponse],
      ['rest-bars', O2BarsResponse],
      ['rest-balance', O2BalanceResponse],
      ['rest-session', O2SessionResponse],
      ['rest-session-actions', O2SessionActionsResponse],
      ['rest-withdraw', O2WithdrawResponse],
    ];
    for (const [file, schema] of table) {
      for (const f of restFixtures(file)) expect(() => parse(schema, f.body, f.id)).not.toThrow();
    }
  });

  it('markets: chain id as hex or decimal, integers as strings or numbers', () => {
    const m1 = parse(O2MarketsResponse, body('rest-markets', 'RM1'), 'markets');
    expect(m1.chain_id).toBe(0n);
    expect(m1.markets).toHaveLength(2);
    expect(m1.markets[0]).toMatchObject({
      market_id: MARKET,
      min_order: '1000000000',
      base: { symbol: 'fFUEL', decimals: 9, max_precision: 3 },
    });
    const m2 = parse(O2MarketsResponse, body('rest-markets', 'RM2'), 'markets');
    expect(m2.chain_id).toBe(9889n);
    expect(m2.markets[0]!.taker_fee).toBe('100');
    expect(m2.books_whitelist_id).toBe(`0x${'a4'.repeat(32)}`);
  });

  it('markets normalise to the registry form with human tick, step and min notional', () => {
    const [fuel, eth] = parse(
      O2MarketsResponse,
      body('rest-markets', 'RM1'),
      'markets',
    ).markets.map(normalizeO2Market);
    expect(fuel).toMatchObject({
      symbol: 'fFUEL/fUSDC',
      id: MARKET,
      base: 'fFUEL',
      quote: 'fUSDC',
      tickSize: '0.000000001',
      stepSize: '0.001',
      minNotional: '1',
      contractId: '0x0fe74fdb3f7e7f3046c93e2257b32639f72cf544e3ae7a4a431a53fe8ef7990a',
      baseDecimals: 9,
    });
    expect(eth).toMatchObject({ symbol: 'fETH/fUSDC', stepSize: '0.000001' });
  });

  it('markets: max_precision above decimals is rejected naming the field', () => {
    const bad = structuredClone(body('rest-markets', 'RM1')) as {
      markets: { quote: { max_precision: number } }[];
    };
    bad.markets[0]!.quote.max_precision = 12;
    expect(failure(() => parse(O2MarketsResponse, bad, 'markets'))).toEqual({
      code: 'VALIDATION_FAILED',
      path: 'markets.0.quote.max_precision',
    });
  });

  it('summary: Rust array and TS object both become an array', () => {
    const rs = parse(O2MarketSummaryResponse, body('rest-summary', 'RS1'), 's');
    expect(rs[0]).toMatchObject({ last_price: '21300000', change_24h: '0.47' });
    const ts = parse(O2MarketSummaryResponse, body('rest-summary', 'RS2'), 's');
    expect(ts).toHaveLength(1);
    expect(ts[0]).toMatchObject({ price: '21300000', price_change_percent_24h: '0.47' });
  });

  it('ticker: one-element array (bot) and bare object (TS) both become an array', () => {
    expect(parse(O2TickerResponse, body('rest-ticker', 'RT1'), 't')[0]).toMatchObject({
      bid: '21300000',
      ask: '21310000',
      percentage: '0.47',
      timestamp: '1767225600000',
    });
    expect(parse(O2TickerResponse, body('rest-ticker', 'RT2'), 't')[0]).toMatchObject({
      best_bid: '21300000',
    });
  });

  it('depth: "orders", "view" and top-level books; object and tuple levels', () => {
    const rd1 = parse(O2DepthResponse, body('rest-depth', 'RD1'), 'd');
    const rd2 = parse(O2DepthResponse, body('rest-depth', 'RD2'), 'd');
    expect(rd1).toEqual(rd2);
    expect(rd1.market_id).toBe(MARKET);
    const snap = normalizeO2DepthResponse(rd1, 'fFUEL/fUSDC');
    expect(snap).toMatchObject({
      kind: 'snapshot',
      bids: [{ price: '21300000', quantity: '1500000000000' }],
      asks: [{ price: '21310000', quantity: '800000000000' }],
    });
    expect(parse(O2DepthResponse, body('rest-depth', 'RD3'), 'd').sells).toEqual([]);
    const top = parse(O2DepthResponse, body('rest-depth', 'RD4'), 'd');
    expect(top.buys).toEqual([{ price: '21290000', quantity: '4200000000000' }]);
    expect(failure(() => parse(O2DepthResponse, { action: 'depth' }, 'd')).path).toBe('orders');
  });

  it('trades: wrapped and bare arrays; account trades keep trader_side', () => {
    const wrapped = parse(O2TradesResponse, body('rest-trades', 'RTR1'), 't');
    expect(wrapped.trades[0]).toMatchObject({ side: 'buy', timestamp: 1700000000, total: '200' });
    const bare = parse(O2TradesResponse, body('rest-trades', 'RTR2'), 't');
    expect(bare.market_id).toBeUndefined();
    expect(bare.trades[0]!.trade_id).toBe('184467');
    const acct = parse(O2TradesResponse, body('rest-trades', 'RTR3'), 't');
    expect(acct.market_id).toBe(MARKET);
    expect(acct.trades[0]!.trader_side).toBe('taker');
  });

  it('aggregated trades: "type" is the side; wrapped and bare', () => {
    const ts = parse(O2AggregatedTradesResponse, body('rest-aggregated-trades', 'RAT1'), 'a');
    expect(ts.trades[0]).toMatchObject({ trade_id: '2', type: 'sell', total: '12' });
    const rs = parse(O2AggregatedTradesResponse, body('rest-aggregated-trades', 'RAT2'), 'a');
    expect(rs.trades[0]).toMatchObject({
      type: 'buy',
      base_volume: '300',
      timestamp: '1767225601000',
    });
  });

  it('bars: Rust envelope and TS bare array', () => {
    const rs = parse(O2BarsResponse, body('rest-bars', 'RB1'), 'b');
    expect(rs.market_id).toBe(MARKET);
    expect(rs.bars[0]).toMatchObject({ close: '21300000', timestamp: '1767225600000' });
    const ts = parse(O2BarsResponse, body('rest-bars', 'RB2'), 'b');
    expect(ts.bars[0]).toMatchObject({ time: '1767225600', close: '0.0213', volume: '5400000' });
  });

  it('accounts: null trade_account on owner lookups; nonce as number or hex', () => {
    const owner = parse(O2AccountResponse, body('rest-accounts', 'RA1'), 'a');
    expect(owner).toEqual({ trade_account_id: TA, trade_account: null, session: null });
    const byId = parse(O2AccountResponse, body('rest-accounts', 'RA2'), 'a');
    expect(byId.trade_account?.nonce).toBe(42n);
    const withSession = parse(O2AccountResponse, body('rest-accounts', 'RA3'), 'a');
    expect(withSession.trade_account?.nonce).toBe(42n);
    expect(withSession.session?.expiry).toBe('1769817600');
    const created = parse(O2CreateAccountResponse, body('rest-accounts', 'RA4'), 'a');
    expect(created.nonce).toBe(0n);
    expect(parse(O2AccountResponse, body('rest-accounts', 'RA5'), 'a').trade_account_id).toBeNull();
  });

  it('balance: totals exact beyond 2^53', () => {
    const b = parse(O2BalanceResponse, body('rest-balance', 'RBAL2'), 'b');
    expect(b.total_unlocked).toBe('18446744073709551616');
    const b1 = parse(O2BalanceResponse, body('rest-balance', 'RBAL1'), 'b');
    expect(b1.order_books?.['0x9ad52fb8']).toEqual({
      locked: '2000000000',
      unlocked: '34878720000',
      fee: '500000',
    });
  });

  it('orders and order: statuses derive from the flags', () => {
    const list = parse(O2OrdersResponse, byId(restFixtures('rest-orders'), 'RO1').body, 'o');
    const m = { symbol: 'fFUEL/fUSDC', baseDecimals: 9, quoteDecimals: 9 };
    expect(list.orders.map((o) => normalizeO2Order(o, m).status)).toEqual(['open', 'cancelled']);
    expect(list.orders[1]!.order_type).toEqual({ Limit: ['21400000', '1767225600'] });
    const one = parse(O2OrderResponse, byId(restFixtures('rest-orders'), 'RO2').body, 'o');
    expect(normalizeO2Order(one.order, m).status).toBe('partially_filled');
  });

  it('session actions: success, pre-flight and on-chain revert are told apart', () => {
    const outcome = (id: string) =>
      parse(O2SessionActionsResponse, body('rest-session-actions', id), id).outcome;
    expect(outcome('RSA1')).toBe('success');
    expect(outcome('RSA7')).toBe('success');
    expect(outcome('RSA2')).toBe('preflight');
    expect(outcome('RSA3')).toBe('preflight');
    expect(outcome('RSA6')).toBe('preflight');
    expect(outcome('RSA4')).toBe('reverted');
    expect(outcome('RSA5')).toBe('reverted');
    expect(outcome('RSA8')).toBe('reverted');
    const ok = parse(O2SessionActionsResponse, body('rest-session-actions', 'RSA1'), 's');
    if (ok.outcome !== 'success') throw new Error('expected success');
    expect(ok.orders?.[0]?.order_id).toBe(
      '0xb1bb2be555ba4355812b504f717b94a1cae3b464027d3bdce0ae78b7f2b34521',
    );
    expect(failure(() => parse(O2SessionActionsResponse, { hello: 1 }, 's')).code).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('session and withdraw responses', () => {
    expect(parse(O2SessionResponse, body('rest-session', 'RSE1'), 's').session_id).toEqual({
      Address: '0xe047c8ffeb69e4f853676b3efb1d59fe8d42bf46234d0277c2faca79628fae24',
    });
    expect(parse(O2WithdrawResponse, body('rest-withdraw', 'RW1'), 'w').tx_id).toMatch(/^0x/);
  });
});
