import { generateKeyPairSync } from 'node:crypto';
import type { z } from 'zod';
import { ExchangeSimulator } from '../../../../src/testing/index.js';
import {
  binanceSimDemoAccount,
  createBinanceSimulatorProtocol,
} from '../../../../adapters/binance/simulator/index.js';
import {
  closeSocket,
  type FrameCollector,
  keysOf,
  openCollector,
} from '../../../testing/ws-helpers.js';
import * as F from './binance-frames.js';
import { signedQuery, signedWsParams } from './sign.js';

// Loopback sockets on a shared 2-core machine: allow for a slow neighbour.
jest.setTimeout(30_000);

const ed = generateKeyPairSync('ed25519');
const ED_KEY = 'ed25519-key';
const hmac = { secret: binanceSimDemoAccount.secret as string };

let sim: ExchangeSimulator;
const sockets: FrameCollector[] = [];

async function open(path: string): Promise<FrameCollector> {
  const c = await openCollector(`${sim.wsUrl}${path}`);
  sockets.push(c);
  return c;
}

async function rest(method: string, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${sim.httpUrl}${path}`, { method, headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

function signedRest(
  method: string,
  path: string,
  params: Record<string, string | number>,
  key = hmac,
  apiKey = binanceSimDemoAccount.apiKey,
) {
  return rest(method, `${path}?${signedQuery({ ...params, timestamp: Date.now() }, key)}`, {
    'X-MBX-APIKEY': apiKey,
  });
}

/** Parses with the schema and checks the keys come in the documented order. */
function expectShape(schema: z.ZodType, value: unknown, example?: unknown): void {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`${JSON.stringify(value)}\n${r.error.message}`);
  if (example !== undefined) expect(keysOf(value)).toEqual(keysOf(example));
}

beforeAll(async () => {
  sim = await new ExchangeSimulator({
    protocol: createBinanceSimulatorProtocol({
      accounts: [
        binanceSimDemoAccount,
        {
          apiKey: ED_KEY,
          ed25519PublicKey: ed.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          balances: { USDT: '50000', BTC: '1' },
        },
      ],
    }),
    seed: 3,
    eventsPerSecond: 0,
    levels: 10,
  }).start();
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((c) => closeSocket(c.ws)));
});

afterAll(async () => {
  await sim.close();
});

describe('Binance personality: frame shapes match binance-spot.md', () => {
  it('the test schemas accept the documented examples', () => {
    const d = F.docExamples;
    expectShape(F.DepthUpdate, d.depthUpdate);
    expectShape(F.TradeEvent, d.trade);
    expectShape(F.AggTradeEvent, d.aggTrade);
    expectShape(F.BookTickerEvent, d.bookTicker);
    expectShape(F.PartialDepth, d.partialDepth);
    expectShape(F.RestDepth, d.restDepth);
    expectShape(F.RestTrade, d.restTrade);
    expectShape(F.RestAggTrade, d.restAggTrade);
    expectShape(F.RestBookTicker, d.restBookTicker);
    expectShape(F.ServerTime, d.serverTime);
    for (const r of d.rateLimits) expectShape(F.RateLimit, r);
    expectShape(F.ControlResult, d.subscribeResult);
    expectShape(F.ControlResult, d.listResult);
    expectShape(F.ControlError, d.controlError);
    expectShape(F.ErrorBody, d.restError);
    expectShape(F.UserDataFrame, d.executionReport);
    expectShape(F.ExecutionReport, d.executionReport.event);
    expectShape(F.AccountPosition, d.accountPosition);
    expectShape(F.WsApiOk, d.udsSubscribed);
    expectShape(F.SessionStatus, d.logon.result);
    expectShape(F.WsApiError, d.wsApiError);
    expectShape(F.StreamTerminated, d.streamTerminated);
  });

  it('combined market streams: depthUpdate, trade, aggTrade, bookTicker and partial depth', async () => {
    const c = await open(
      '/stream?streams=btcusdt@depth@100ms/btcusdt@trade/btcusdt@aggTrade/btcusdt@bookTicker/btcusdt@depth5',
    );
    sim.step(200);
    await c.waitFor((f) => f.includes('"aggTrade"'));
    const seen = new Set<string>();
    for (const text of c.frames) {
      const frame = JSON.parse(text) as { stream: string; data: unknown };
      expectShape(F.Combined, frame, { stream: '', data: {} });
      seen.add(frame.stream);
      if (frame.stream === 'btcusdt@depth@100ms')
        expectShape(F.DepthUpdate, frame.data, F.docExamples.depthUpdate);
      else if (frame.stream === 'btcusdt@trade')
        expectShape(F.TradeEvent, frame.data, F.docExamples.trade);
      else if (frame.stream === 'btcusdt@aggTrade')
        expectShape(F.AggTradeEvent, frame.data, F.docExamples.aggTrade);
      else if (frame.stream === 'btcusdt@bookTicker')
        expectShape(F.BookTickerEvent, frame.data, F.docExamples.bookTicker);
      else if (frame.stream === 'btcusdt@depth5') {
        expectShape(F.PartialDepth, frame.data, F.docExamples.partialDepth);
        expect((frame.data as { bids: unknown[] }).bids.length).toBeLessThanOrEqual(5);
      } else throw new Error(`unexpected stream ${frame.stream}`);
    }
    expect([...seen].sort()).toEqual(
      [
        'btcusdt@aggTrade',
        'btcusdt@bookTicker',
        'btcusdt@depth5',
        'btcusdt@depth@100ms',
        'btcusdt@trade',
      ].sort(),
    );
  });

  it('raw streams are the bare event; U/u are contiguous', async () => {
    const c = await open('/ws/btcusdt@depth');
    sim.step(100);
    await c.waitForCount(20);
    let prevU: number | undefined;
    for (const text of c.frames) {
      const e = F.DepthUpdate.parse(JSON.parse(text));
      expect(e.s).toBe('BTCUSDT');
      expect(e.U).toBeLessThanOrEqual(e.u);
      if (prevU !== undefined) expect(e.U).toBe(prevU + 1);
      prevU = e.u;
    }
  });

  it('SUBSCRIBE, LIST_SUBSCRIPTIONS, UNSUBSCRIBE, SET_PROPERTY with ids, and control errors', async () => {
    const c = await open('/ws');
    c.ws.send(
      JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'ethusdt@depth'], id: 1 }),
    );
    expect(JSON.parse(await c.waitFor((f) => f.includes('"id":1')))).toEqual({
      result: null,
      id: 1,
    });
    c.ws.send(JSON.stringify({ method: 'LIST_SUBSCRIPTIONS', id: 'list2' }));
    const list = JSON.parse(await c.waitFor((f) => f.includes('"list2"')));
    expectShape(F.ControlResult, list, F.docExamples.listResult);
    expect(list.result).toEqual(['btcusdt@trade', 'ethusdt@depth']);
    c.ws.send(JSON.stringify({ method: 'UNSUBSCRIBE', params: ['ethusdt@depth'], id: 3 }));
    await c.waitFor((f) => f.includes('"id":3'));
    c.ws.send(JSON.stringify({ method: 'SET_PROPERTY', params: ['combined', true], id: 4 }));
    await c.waitFor((f) => f.includes('"id":4'));
    // Over 5 messages/s the connection would be dropped: wait for the next second.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
    c.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['nosuch@trade'], id: 5 }));
    const err = JSON.parse(await c.waitFor((f) => f.includes('"id":5')));
    expectShape(F.ControlError, err, F.docExamples.controlError);
    expect(err.code).toBe(2);
    c.ws.send('{not json');
    expect(JSON.parse(await c.waitFor((f) => f.includes('"code":3')))).toMatchObject({
      code: 3,
      id: null,
    });
    const from = c.frames.length;
    sim.step(60);
    const trade = JSON.parse(await c.waitFor((f) => f.includes('@trade'), 5000, from));
    expect(trade.stream).toBe('btcusdt@trade');
    expectShape(F.TradeEvent, trade.data, F.docExamples.trade);
  });
});

describe('Binance personality: REST', () => {
  it('public endpoints, weights and the usage header', async () => {
    expect((await rest('GET', '/api/v3/ping')).body).toEqual({});
    expectShape(F.ServerTime, (await rest('GET', '/api/v3/time')).body);
    const info = await rest('GET', '/api/v3/exchangeInfo');
    expectShape(F.ExchangeInfo, info.body);
    const infoBody = F.ExchangeInfo.parse(info.body);
    expect(infoBody.rateLimits).toEqual(F.docExamples.rateLimits);
    const filterTypes = infoBody.symbols[0]!.filters.map((f) => f.filterType);
    expect(filterTypes).toEqual(
      expect.arrayContaining(['PRICE_FILTER', 'LOT_SIZE', 'MARKET_LOT_SIZE', 'NOTIONAL']),
    );

    const before = Number((await rest('GET', '/api/v3/ping')).headers.get('x-mbx-used-weight-1m'));
    const d1 = await rest('GET', '/api/v3/depth?symbol=BTCUSDT&limit=100');
    expectShape(F.RestDepth, d1.body, F.docExamples.restDepth);
    expect(Number(d1.headers.get('x-mbx-used-weight-1m'))).toBe(before + 5);
    const d2 = await rest('GET', '/api/v3/depth?symbol=BTCUSDT&limit=5000');
    expect(Number(d2.headers.get('x-mbx-used-weight-1m'))).toBe(before + 5 + 250);
    expect(F.RestDepth.parse(d2.body).lastUpdateId).toBe(sim.book('BTCUSDT').sequence);

    sim.step(100);
    const trades = (await rest('GET', '/api/v3/trades?symbol=BTCUSDT&limit=5')).body as unknown[];
    expect(trades.length).toBeGreaterThan(0);
    for (const t of trades) expectShape(F.RestTrade, t, F.docExamples.restTrade);
    for (const t of (await rest('GET', '/api/v3/aggTrades?symbol=BTCUSDT')).body as unknown[]) {
      expectShape(F.RestAggTrade, t, F.docExamples.restAggTrade);
    }
    const klines = (await rest('GET', '/api/v3/klines?symbol=BTCUSDT&interval=1m'))
      .body as unknown[];
    expect(klines.length).toBeGreaterThan(0);
    for (const k of klines) F.Kline.parse(k);
    expectShape(
      F.RestBookTicker,
      (await rest('GET', '/api/v3/ticker/bookTicker?symbol=BTCUSDT')).body,
      F.docExamples.restBookTicker,
    );
    expect(((await rest('GET', '/api/v3/ticker/bookTicker')).body as unknown[]).length).toBe(2);
    const bad = await rest('GET', '/api/v3/depth?symbol=NOPE');
    expect(bad.status).toBe(400);
    expectShape(F.ErrorBody, bad.body, F.docExamples.restError);
    expect(bad.body).toEqual({ code: -1121, msg: 'Invalid symbol.' });
  });

  it('signed order endpoints: place (FULL/RESULT/ACK), query, openOrders, cancel, account and order-count headers', async () => {
    const ask = sim.book('BTCUSDT').asks[0]![0];
    const full = await signedRest('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.00100',
      price: ask,
    });
    expect(full.status).toBe(200);
    expectShape(F.OrderFull, full.body);
    expect((full.body as { fills: unknown[] }).fills.length).toBeGreaterThan(0);
    expect(full.headers.get('x-mbx-order-count-10s')).toBe('1');
    expect(full.headers.get('x-mbx-order-count-1d')).toBe('1');

    const bid = sim.book('BTCUSDT').bids.at(-1)![0];
    const result = await signedRest('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: bid,
      newOrderRespType: 'RESULT',
      newClientOrderId: 'my-order-1',
    });
    expectShape(F.OrderResult, result.body);
    expect(result.body).toMatchObject({
      status: 'NEW',
      clientOrderId: 'my-order-1',
      type: 'LIMIT',
    });
    const ack = await signedRest('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT_MAKER',
      quantity: '0.001',
      price: '70000',
    });
    expectShape(F.OrderAck, ack.body);

    const orderId = (result.body as { orderId: number }).orderId;
    const q = await signedRest('GET', '/api/v3/order', { symbol: 'BTCUSDT', orderId });
    expectShape(F.QueryOrder, q.body);
    const open = (await signedRest('GET', '/api/v3/openOrders', { symbol: 'BTCUSDT' }))
      .body as unknown[];
    expect(open.length).toBe(2);
    for (const o of open) expectShape(F.QueryOrder, o);
    const cancel = await signedRest('DELETE', '/api/v3/order', {
      symbol: 'BTCUSDT',
      origClientOrderId: 'my-order-1',
      newClientOrderId: 'cancel-1',
    });
    expectShape(F.CancelResult, cancel.body);
    expect(cancel.body).toMatchObject({
      status: 'CANCELED',
      origClientOrderId: 'my-order-1',
      clientOrderId: 'cancel-1',
    });
    const again = await signedRest('DELETE', '/api/v3/order', { symbol: 'BTCUSDT', orderId });
    expect(again.body).toEqual({ code: -2011, msg: 'Unknown order sent.' });
    const account = await signedRest('GET', '/api/v3/account', { omitZeroBalances: 'true' });
    expectShape(F.Account, account.body);
    const btc = (
      account.body as { balances: { asset: string; free: string; locked: string }[] }
    ).balances.find((b) => b.asset === 'BTC');
    // Bought 0.001 BTC, then locked 0.001 BTC in the resting LIMIT_MAKER sell.
    expect(btc).toEqual({ asset: 'BTC', free: '10.00000000', locked: '0.00100000' });

    const lot = await signedRest('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.0000001',
      price: bid,
    });
    expect(lot.body).toEqual({ code: -1013, msg: 'Filter failure: LOT_SIZE' });
    const poor = await signedRest('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '100',
      price: bid,
    });
    expect(poor.body).toEqual({
      code: -2010,
      msg: 'Account has insufficient balance for requested action.',
    });
  });

  it('accepts the signed payload in a form body (query + body signed together) and quoteOrderQty market orders', async () => {
    const body = signedQuery(
      {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quoteOrderQty: '100',
        timestamp: Date.now(),
      },
      hmac,
    );
    const res = await fetch(`${sim.httpUrl}/api/v3/order`, {
      method: 'POST',
      headers: {
        'X-MBX-APIKEY': binanceSimDemoAccount.apiKey,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body,
    });
    expect(res.status).toBe(200);
    const order = F.OrderFull.parse(await res.json());
    expect(order.status).toBe('FILLED');
    expect(Number(order.cummulativeQuoteQty)).toBeLessThanOrEqual(100);
    expect(Number(order.cummulativeQuoteQty)).toBeGreaterThan(99);
  });

  it('signatures: HMAC and Ed25519 accepted; a bad one is -1022, an unknown key -2015, a stale timestamp -1021', async () => {
    const ok = await signedRest('GET', '/api/v3/account', {});
    expect(ok.status).toBe(200);
    const edOk = await signedRest(
      'GET',
      '/api/v3/account',
      {},
      { privateKey: ed.privateKey } as never,
      ED_KEY,
    );
    expect(edOk.status).toBe(200);
    const wrong = await signedRest('GET', '/api/v3/account', {}, { secret: 'not-the-secret' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ code: -1022, msg: 'Signature for this request is not valid.' });
    const other = generateKeyPairSync('ed25519');
    const edBad = await signedRest(
      'GET',
      '/api/v3/account',
      {},
      { privateKey: other.privateKey } as never,
      ED_KEY,
    );
    expect((edBad.body as { code: number }).code).toBe(-1022);
    const unknown = await signedRest('GET', '/api/v3/account', {}, hmac, 'who-is-this');
    expect(unknown.status).toBe(401);
    expect((unknown.body as { code: number }).code).toBe(-2015);
    const stale = await rest(
      'GET',
      `/api/v3/account?${signedQuery({ timestamp: Date.now() - 10_000 }, hmac)}`,
      { 'X-MBX-APIKEY': binanceSimDemoAccount.apiKey },
    );
    expect((stale.body as { code: number }).code).toBe(-1021);
  });
});

describe('Binance personality: WebSocket API and user data stream', () => {
  it('userDataStream.subscribe.signature, then executionReport and outboundAccountPosition wrapped with the subscriptionId', async () => {
    const c = await open('/ws-api/v3');
    c.ws.send(
      JSON.stringify({
        id: 'uds-1',
        method: 'userDataStream.subscribe.signature',
        params: signedWsParams(
          { apiKey: binanceSimDemoAccount.apiKey, timestamp: Date.now() },
          hmac,
        ),
      }),
    );
    const sub = JSON.parse(await c.waitFor((f) => f.includes('"uds-1"')));
    expectShape(F.WsApiOk, sub);
    expect(keysOf(sub).slice(0, 3)).toEqual(keysOf(F.docExamples.udsSubscribed));
    expect(sub.result).toEqual({ subscriptionId: 0 });

    const bid = sim.book('BTCUSDT').bids[3]![0];
    await signedRest('POST', '/api/v3/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.002',
      price: bid,
      newClientOrderId: 'uds-order',
    });
    const report = JSON.parse(await c.waitFor((f) => f.includes('executionReport')));
    expectShape(F.UserDataFrame, report, F.docExamples.executionReport);
    expectShape(F.ExecutionReport, report.event, F.docExamples.executionReport.event);
    expect(report.event).toMatchObject({ x: 'NEW', X: 'NEW', c: 'uds-order', S: 'BUY', w: true });
    const position = JSON.parse(await c.waitFor((f) => f.includes('outboundAccountPosition')));
    expectShape(F.AccountPosition, position.event, F.docExamples.accountPosition);

    c.ws.send(
      JSON.stringify({
        id: 9,
        method: 'order.place',
        params: signedWsParams(
          {
            apiKey: binanceSimDemoAccount.apiKey,
            symbol: 'BTCUSDT',
            side: 'BUY',
            type: 'LIMIT',
            timeInForce: 'GTC',
            quantity: '500',
            price: bid,
            timestamp: Date.now(),
          },
          hmac,
        ),
      }),
    );
    const rejected = JSON.parse(await c.waitFor((f) => f.startsWith('{"id":9')));
    expectShape(F.WsApiError, rejected, F.docExamples.wsApiError);
    expect(rejected.error).toEqual({
      code: -2010,
      msg: 'Account has insufficient balance for requested action.',
    });

    c.ws.send(JSON.stringify({ id: 10, method: 'userDataStream.unsubscribe' }));
    const terminated = JSON.parse(await c.waitFor((f) => f.includes('eventStreamTerminated')));
    expectShape(F.StreamTerminated, terminated.event, F.docExamples.streamTerminated);
  });

  it('session.logon (Ed25519 only) then userDataStream.subscribe and order.place with only a timestamp', async () => {
    const c = await open('/ws-api/v3?returnRateLimits=false');
    c.ws.send(
      JSON.stringify({
        id: 'hmac',
        method: 'session.logon',
        params: signedWsParams(
          { apiKey: binanceSimDemoAccount.apiKey, timestamp: Date.now() },
          hmac,
        ),
      }),
    );
    expect(JSON.parse(await c.waitFor((f) => f.includes('"hmac"'))).status).toBe(400);
    c.ws.send(
      JSON.stringify({
        id: 'logon-1',
        method: 'session.logon',
        params: signedWsParams({ apiKey: ED_KEY, timestamp: Date.now() }, {
          privateKey: ed.privateKey,
        } as never),
      }),
    );
    const logon = JSON.parse(await c.waitFor((f) => f.includes('"logon-1"')));
    expectShape(F.WsApiOk, logon, F.docExamples.logon);
    expectShape(F.SessionStatus, logon.result, F.docExamples.logon.result);
    expect(logon.result.apiKey).toBe(ED_KEY);
    c.ws.send(JSON.stringify({ id: 'sub', method: 'userDataStream.subscribe' }));
    expect(JSON.parse(await c.waitFor((f) => f.includes('"sub"'))).result).toEqual({
      subscriptionId: 0,
    });
    const bid = sim.book('BTCUSDT').bids[4]![0];
    c.ws.send(
      JSON.stringify({
        id: 'place',
        method: 'order.place',
        params: {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          quantity: '0.001',
          price: bid,
          timestamp: Date.now(),
        },
      }),
    );
    const placed = JSON.parse(await c.waitFor((f) => f.includes('"place"')));
    expect(placed.status).toBe(200);
    expectShape(F.OrderFull, placed.result);
    const report = JSON.parse(await c.waitFor((f) => f.includes('executionReport')));
    expect(report).toMatchObject({ subscriptionId: 0, event: { e: 'executionReport', x: 'NEW' } });
  });
});
