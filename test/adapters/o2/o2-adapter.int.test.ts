// O2Adapter's REST half against the simulator's O2 personality over real HTTP on 127.0.0.1.
import { channel } from 'node:diagnostics_channel';
import { ExchangeSimulator } from '../../../src/testing/index.js';
import { createO2SimulatorProtocol, o2SimMarkets } from '../../../adapters/o2/simulator/index.js';
import { O2Adapter } from '../../../adapters/o2/o2-adapter.js';
import { Decimal, fromScaledInteger } from '../../../src/numbers/index.js';
import type { RestRequestEvent } from '../../../src/rest/index.js';
import { createFuelWallet, createSessionKey, type Hex } from '../../../adapters/o2/crypto/index.js';
import {
  createO2SessionActionsRequest,
  createO2SessionRequest,
  o2CreateOrderAction,
  o2SettleBalanceAction,
} from '../../../adapters/o2/requests.js';
import { prepareO2Order, unscaleO2Price } from '../../../adapters/o2/scaling.js';
import { O2MarketsResponse, O2SessionActionsResponse } from '../../../adapters/o2/schemas/index.js';
import { parse } from '../../../src/schemas/index.js';

jest.setTimeout(30_000);

const MARKET = o2SimMarkets[0]!;
const OWNER = `0x${'a1'.repeat(32)}`;
const ACCOUNT = `0x${'b2'.repeat(32)}`;

let sim: ExchangeSimulator;
let o2: O2Adapter;

beforeEach(async () => {
  sim = await new ExchangeSimulator({
    protocol: createO2SimulatorProtocol({ accounts: [{ owner: OWNER, tradeAccountId: ACCOUNT }] }),
    seed: 11,
    eventsPerSecond: 0,
    levels: 6,
  }).start();
  o2 = new O2Adapter({
    restUrl: sim.httpUrl,
    wsUrl: sim.wsUrl,
    rest: { retry: { maxAttempts: 1 } },
  });
});

afterEach(async () => {
  await o2.close();
  await sim.close();
});

async function raw(path: string): Promise<unknown> {
  const res = await fetch(`${sim.httpUrl}${path}`);
  return (await res.json()) as unknown;
}

const human = (v: string): string => fromScaledInteger(v, 9, 'v').toFixed();

describe('O2Adapter (REST) against the simulator', () => {
  it('getMarkets normalises and caches the markets; reload fetches again', async () => {
    const markets = await o2.getMarkets();
    expect(markets.map((m) => m.id)).toEqual(o2SimMarkets.map((m) => m.id));
    expect(markets[0]).toMatchObject({
      symbol: 'fFUEL/fUSDC',
      base: 'fFUEL',
      quote: 'fUSDC',
      baseDecimals: 9,
      quoteDecimals: 9,
      contractId: MARKET.extra!.contractId,
    });
    const before = o2.stats().rest.requests;
    await o2.getMarkets();
    expect(o2.stats().rest.requests).toBe(before);
    await o2.getMarkets({ reload: true });
    expect(o2.stats().rest.requests).toBe(before + 1);
    expect(o2.stats().markets).toBe(o2SimMarkets.length);
  });

  it('getDepth equals the simulator book, by symbol, alias or native id', async () => {
    const truth = sim.book(MARKET.id, 4);
    const levels = (side: readonly (readonly [string, string])[]) =>
      side.map(([price, quantity]) => ({ price, quantity }));
    for (const market of ['fFUEL/fUSDC', 'FUEL/USDC', MARKET.id]) {
      const depth = await o2.getDepth(market, { limit: 4 });
      expect(depth).toMatchObject({
        kind: 'snapshot',
        market: 'fFUEL/fUSDC',
        marketId: MARKET.id,
        bids: levels(truth.bids),
        asks: levels(truth.asks),
      });
    }
    const full = await o2.getDepth('fFUEL/fUSDC', { precision: 1 });
    expect(full.bids).toEqual(levels(sim.book(MARKET.id).bids));
  });

  it('getTrades returns the served trades in human units and pages with a cursor', async () => {
    sim.step(300);
    const body = (await raw(`/v1/trades?market_id=${MARKET.id}&direction=desc&count=3`)) as {
      trades: {
        trade_id: string;
        price: string;
        quantity: string;
        side: string;
        timestamp: number;
      }[];
    };
    expect(body.trades.length).toBe(3);
    const page = await o2.getTrades('FUEL/USDC', { count: 3 });
    expect(page.trades.map((t) => t.id)).toEqual(body.trades.map((t) => t.trade_id));
    page.trades.forEach((t, i) => {
      const w = body.trades[i]!;
      expect(t.price.toFixed()).toBe(human(w.price));
      expect(t.quantity.toFixed()).toBe(human(w.quantity));
      expect(t.makerSide).toBe(w.side);
      expect(t.side).not.toBe(w.side);
      expect(t.time).toBe(w.timestamp);
    });
    const last = page.trades[2]!;
    expect(page.next).toEqual({ timestamp: last.time, tradeId: last.id });

    const urls: string[] = [];
    const onRequest = (m: unknown): void => {
      urls.push((m as RestRequestEvent).url);
    };
    channel('tickwire:rest:request').subscribe(onRequest);
    try {
      await o2.getTrades('fFUEL/fUSDC', { count: 3, cursor: page.next! });
    } finally {
      channel('tickwire:rest:request').unsubscribe(onRequest);
    }
    expect(urls[0]).toContain(`start_timestamp=${last.time}`);
    expect(urls[0]).toContain(`start_trade_id=${last.id}`);
    await expect(o2.getTrades('fFUEL/fUSDC', { count: 51 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('getTicker and getBars agree with the book and the trades', async () => {
    sim.step(300);
    const book = sim.book(MARKET.id, 1);
    const ticker = await o2.getTicker('fFUEL/fUSDC');
    expect(ticker.market).toBe('fFUEL/fUSDC');
    expect(ticker.bid?.toFixed()).toBe(human(book.bids[0]![0]));
    expect(ticker.ask?.toFixed()).toBe(human(book.asks[0]![0]));
    expect(ticker.bidVolume?.toFixed()).toBe(human(book.bids[0]![1]));

    const trades = (await o2.getTrades('fFUEL/fUSDC', { count: 1 })).trades;
    const bars = await o2.getBars('fFUEL/fUSDC', { resolution: '1m' });
    expect(bars.length).toBeGreaterThan(0);
    const bar = bars[bars.length - 1]!;
    expect(bar.close.toFixed()).toBe(trades[0]!.price.toFixed());
    expect(bar.high.gte(bar.low)).toBe(true);
    expect(bar.volume?.toFixed()).toBe(bar.buyVolume!.plus(bar.sellVolume!).toFixed());
    expect(bar.time % 60_000).toBe(0);
  });

  it('getAccount, getBalance, getOrders and getOrder read the account', async () => {
    expect(await o2.getAccount({ owner: OWNER })).toMatchObject({ tradeAccountId: ACCOUNT });
    expect(await o2.getAccount({ tradeAccountId: ACCOUNT })).toMatchObject({
      tradeAccountId: ACCOUNT,
      nonce: 0n,
    });
    const usdc = await o2.getBalance('fUSDC', { tradeAccountId: ACCOUNT });
    expect(usdc.asset).toBe('fUSDC');
    expect(usdc.free.eq(new Decimal('1000000'))).toBe(true);
    expect(usdc.locked.toFixed()).toBe('0');
    const byId = await o2.getBalance(MARKET.base.id!, { tradeAccountId: ACCOUNT });
    expect(byId.asset).toBe('fFUEL');
    expect(await o2.getOrders('fFUEL/fUSDC', { tradeAccountId: ACCOUNT })).toEqual([]);
    await expect(o2.getOrder('fFUEL/fUSDC', `0x${'99'.repeat(32)}`)).rejects.toMatchObject({
      code: 'EXCHANGE_UNKNOWN_ORDER',
    });
  });

  it('getOrders and getOrder return an order placed through a signed session', async () => {
    const send = async (method: string, path: string, body: unknown, owner: string) => {
      const res = await fetch(`${sim.httpUrl}${path}`, {
        method,
        headers: { 'Content-Type': 'application/json', 'O2-Owner-Id': owner },
        body: JSON.stringify(body),
      });
      return (await res.json()) as unknown;
    };
    const m = parse(O2MarketsResponse, await raw('/v1/markets'), 'markets').markets[0]!;
    const owner = createFuelWallet(`0x${'c3'.repeat(32)}`);
    const created = (await send(
      'POST',
      '/v1/accounts',
      { identity: { Address: owner.b256Address } },
      owner.b256Address,
    )) as { trade_account_id: Hex };
    const account = created.trade_account_id;
    const session = createSessionKey();
    await send(
      'PUT',
      '/v1/session',
      createO2SessionRequest({
        owner,
        tradeAccountId: account,
        sessionKey: session,
        contractIds: [m.contract_id as Hex],
        nonce: (await o2.getAccount({ tradeAccountId: account })).nonce!,
        chainId: 0n,
        expiry: BigInt(Math.floor(Date.now() / 1000) + 3600),
      }),
      owner.b256Address,
    );
    const depth = await o2.getDepth('fFUEL/fUSDC');
    const market = await o2.market('fFUEL/fUSDC');
    const order = prepareO2Order(
      {
        price: unscaleO2Price(depth.bids[depth.bids.length - 1]!.price, m),
        quantity: market.stepSize!,
      },
      { ...m, min_order: undefined },
    );
    const placed = parse(
      O2SessionActionsResponse,
      await send(
        'POST',
        '/v1/session/actions',
        createO2SessionActionsRequest({
          sessionKey: session,
          tradeAccountId: account,
          nonce: (await o2.getAccount({ tradeAccountId: account })).nonce!,
          groups: [
            {
              market: {
                marketId: m.market_id as Hex,
                contractId: m.contract_id as Hex,
                baseAssetId: m.base.asset as Hex,
                quoteAssetId: m.quote.asset as Hex,
                baseDecimals: m.base.decimals,
              },
              actions: [
                o2SettleBalanceAction(account),
                o2CreateOrderAction({ side: 'buy', ...order, orderType: 'Spot' }),
              ],
            },
          ],
          collectOrders: true,
        }),
        owner.b256Address,
      ),
      'actions',
    );
    if (placed.outcome !== 'success') throw new Error(`order not placed: ${placed.outcome}`);
    const orderId = placed.orders![0]!.order_id;

    const orders = await o2.getOrders('FUEL/USDC', { tradeAccountId: account, isOpen: true });
    expect(orders).toHaveLength(1);
    const expected = {
      market: 'fFUEL/fUSDC',
      orderId,
      side: 'buy',
      status: 'open',
    };
    expect(orders[0]).toMatchObject(expected);
    expect(orders[0]!.price!.toFixed()).toBe(human(String(order.price)));
    expect(orders[0]!.quantity.toFixed()).toBe(human(String(order.quantity)));
    expect(orders[0]!.filledQuantity.toFixed()).toBe('0');
    const one = await o2.getOrder(m.market_id, orderId);
    expect(one).toMatchObject(expected);
    expect(one.price!.eq(orders[0]!.price!)).toBe(true);
  });

  it('an unknown market is UNKNOWN_MARKET; a 429 is RATE_LIMITED', async () => {
    await expect(o2.getDepth('NOPE/USDC')).rejects.toMatchObject({ code: 'UNKNOWN_MARKET' });
    await o2.getMarkets();
    sim.inject({ kind: 'rateLimit', count: 1, retryAfterSeconds: 1 });
    await expect(o2.getDepth('fFUEL/fUSDC')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(o2.stats().rest.errors.RATE_LIMITED).toBe(1);
  });

  it('close() and await using release the adapter; calls after close fail with CLOSED', async () => {
    const events: string[] = [];
    {
      await using scoped = new O2Adapter({ restUrl: sim.httpUrl });
      scoped.events.on((e) => events.push(e.type));
      await scoped.getDepth('fFUEL/fUSDC', { limit: 1 });
    }
    expect(events).toEqual(['marketsLoaded', 'closed']);
    await o2.getMarkets();
    await o2.close();
    await o2.close();
    expect(o2.stats().closed).toBe(true);
    await expect(o2.getMarkets({ reload: true })).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
