import { ExchangeSimulator } from '../../../../src/testing/index.js';
import {
  createO2SimulatorProtocol,
  o2SimMarkets,
} from '../../../../adapters/o2/simulator/index.js';
import {
  actionToCall,
  buildActionsSigningBytes,
  buildSessionSigningBytes,
  buildWithdrawSigningBytes,
  createEvmWallet,
  createFuelWallet,
  createSessionKey,
  type Hex,
  type O2Wallet,
  type SessionKey,
} from '../../../../adapters/o2/crypto/index.js';
import {
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
  parseO2ServerMessage,
} from '../../../../adapters/o2/schemas/index.js';
import {
  closeSocket,
  type FrameCollector,
  keysOf,
  openCollector,
} from '../../../testing/ws-helpers.js';

// Loopback sockets on a shared 2-core machine: allow for a slow neighbour.
jest.setTimeout(30_000);

const MARKET = o2SimMarkets[0]!;
const CONTRACT = MARKET.extra!.contractId as Hex;
const signingMarket = {
  contractId: CONTRACT,
  baseAssetId: MARKET.base.id as Hex,
  quoteAssetId: MARKET.quote.id as Hex,
  baseDecimals: MARKET.base.decimals,
};

// Examples from o2-protocol.md §8, to compare key order with.
const doc = {
  D4: {
    action: 'subscribe_depth',
    market_id: '',
    view: { buys: [{ price: '', quantity: '' }], sells: [] },
    onchain_timestamp: '',
    seen_timestamp: '',
  },
  D5: {
    action: 'subscribe_depth_update',
    market_id: '',
    changes: { buys: [], sells: [] },
    onchain_timestamp: '',
    seen_timestamp: '',
  },
  T2: {
    action: 'subscribe_trades',
    market_id: '',
    trades: [
      {
        trade_id: '184467',
        side: 'buy',
        price: '21300000',
        quantity: '300000000000',
        total: '6390000000',
        timestamp: 1767225601000,
      },
    ],
    onchain_timestamp: '',
    seen_timestamp: '',
  },
  O4: {
    order_id: '',
    market_id: '',
    owner: {},
    side: '',
    order_type: '',
    price: '',
    quantity: '',
    quantity_fill: '',
    price_fill: '',
    timestamp: '',
    close: false,
    partially_filled: false,
    cancel: false,
    desired_quantity: {},
    fills: [],
    history: [],
  },
  B2: {
    identity: {},
    asset_id: '',
    total_locked: '',
    total_unlocked: '',
    trading_account_balance: '',
    order_books: {},
  },
  N2: {
    action: 'subscribe_nonce',
    contract_id: '',
    nonce: '8',
    onchain_timestamp: '',
    seen_timestamp: '',
  },
  restDepth: { action: 'depth', market_id: '', orders: { buys: [], sells: [] } },
  ticker: [
    'ask',
    'ask_volume',
    'average',
    'base_volume',
    'bid',
    'bid_volume',
    'change',
    'close',
    'high',
    'last',
    'low',
    'open',
    'percentage',
    'previous_close',
    'quote_volume',
    'timestamp',
  ],
  balance: { order_books: {}, total_locked: '', total_unlocked: '', trading_account_balance: '' },
};

let sim: ExchangeSimulator;
const sockets: FrameCollector[] = [];

async function http(method: string, path: string, body?: unknown, owner?: string) {
  const res = await fetch(`${sim.httpUrl}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(owner !== undefined ? { 'O2-Owner-Id': owner } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function ws(): Promise<FrameCollector> {
  const c = await openCollector(`${sim.wsUrl}/v1/ws`);
  sockets.push(c);
  return c;
}

async function setupAccount(owner: O2Wallet): Promise<Hex> {
  const r = await http('POST', '/v1/accounts', { identity: { Address: owner.b256Address } });
  expect(r.status).toBe(200);
  O2CreateAccountResponse.parse(r.body);
  return r.body.trade_account_id as Hex;
}

async function nonceOf(account: Hex): Promise<bigint> {
  const r = await http('GET', `/v1/accounts?trade_account_id=${account}`);
  return BigInt(O2AccountResponse.parse(r.body).trade_account!.nonce as never);
}

async function createSession(owner: O2Wallet, account: Hex, session: SessionKey, tamper = false) {
  const nonce = await nonceOf(account);
  const expiry = BigInt(Math.floor(Date.now() / 1000) + 3600);
  const bytes = buildSessionSigningBytes({
    nonce,
    chainId: 0n,
    sessionId: session.b256Address,
    expiry,
    contractIds: [CONTRACT],
  });
  let sig = owner.personalSign(bytes);
  if (tamper) sig = `0x${sig.slice(2, 10)}${sig[10] === '0' ? '1' : '0'}${sig.slice(11)}` as Hex;
  return http(
    'PUT',
    '/v1/session',
    {
      contract_id: account,
      session_id: { Address: session.b256Address },
      signature: { Secp256k1: sig },
      contract_ids: [CONTRACT],
      nonce: nonce.toString(),
      expiry: expiry.toString(),
    },
    owner.b256Address,
  );
}

async function actions(
  owner: O2Wallet,
  account: Hex,
  session: SessionKey,
  list: unknown[],
  signer: SessionKey = session,
) {
  const nonce = await nonceOf(account);
  const calls = list.map((a) => actionToCall(a, signingMarket));
  const sig = signer.rawSign(buildActionsSigningBytes(nonce, calls));
  return http(
    'POST',
    '/v1/session/actions',
    {
      actions: [{ market_id: MARKET.id, actions: list }],
      signature: { Secp256k1: sig },
      nonce: nonce.toString(),
      trade_account_id: account,
      session_id: { Address: session.b256Address },
      collect_orders: true,
    },
    owner.b256Address,
  );
}

beforeAll(async () => {
  sim = await new ExchangeSimulator({
    protocol: createO2SimulatorProtocol(),
    seed: 21,
    eventsPerSecond: 0,
    levels: 8,
  }).start();
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((c) => closeSocket(c.ws)));
});
afterAll(async () => {
  await sim.close();
});

describe('O2 personality: REST market data matches o2-protocol.md', () => {
  it('markets, depth, trades, bars, ticker, summary', async () => {
    sim.step(200);
    const markets = O2MarketsResponse.parse((await http('GET', '/v1/markets')).body);
    expect(markets.markets.map((m) => m.market_id)).toEqual(o2SimMarkets.map((m) => m.id));
    expect(markets.markets[0]).toMatchObject({
      contract_id: CONTRACT,
      base: { symbol: 'fFUEL', decimals: 9, max_precision: 3 },
    });
    const depth = (await http('GET', `/v1/depth?market_id=${MARKET.id}&precision=10`)).body;
    O2DepthResponse.parse(depth);
    expect(keysOf(depth)).toEqual(keysOf(doc.restDepth));
    const truth = sim.book(MARKET.id);
    const orders = depth.orders as {
      buys: { price: string; quantity: string }[];
      sells: { price: string; quantity: string }[];
    };
    expect(orders.buys.map((l) => [l.price, l.quantity])).toEqual(truth.bids);
    expect(orders.sells.map((l) => [l.price, l.quantity])).toEqual(truth.asks);
    const grouped = (await http('GET', `/v1/depth?market_id=${MARKET.id}&precision=100000`)).body
      .orders as typeof orders;
    expect(grouped.buys.every((l) => BigInt(l.price) % 100000n === 0n)).toBe(true);
    const sum = (ls: { quantity: string }[]) => ls.reduce((s, l) => s + BigInt(l.quantity), 0n);
    expect(sum(grouped.buys)).toBe(sum(orders.buys));

    const trades = (await http('GET', `/v1/trades?market_id=${MARKET.id}&direction=desc&count=5`))
      .body;
    const parsedTrades = O2TradesResponse.parse(trades);
    expect(parsedTrades.trades).toHaveLength(5);
    expect(keysOf((trades.trades as unknown[])[0])).toEqual(keysOf(doc.T2.trades[0]));
    expect(
      (await http('GET', `/v1/trades?market_id=${MARKET.id}&direction=desc&count=51`)).body,
    ).toEqual({ code: 5001, message: 'Invalid trade count' });
    const bars = O2BarsResponse.parse(
      (
        await http(
          'GET',
          `/v1/bars?market_id=${MARKET.id}&from=0&to=${Date.now() + 1000}&resolution=1m`,
        )
      ).body,
    );
    expect(bars.bars.length).toBeGreaterThan(0);
    const ticker = (await http('GET', `/v1/markets/ticker?market_id=${MARKET.id}`))
      .body as unknown as unknown[];
    O2TickerResponse.parse(ticker);
    expect(keysOf(ticker[0])).toEqual(doc.ticker);
    O2MarketSummaryResponse.parse(
      (await http('GET', `/v1/markets/summary?market_id=${MARKET.id}`)).body,
    );
    expect((await http('GET', '/health')).body).toEqual({ status: 'ok' });
    const acct = `0x${'77'.repeat(32)}`;
    expect((await http('POST', '/analytics/v1/whitelist', { tradeAccount: acct })).body).toEqual({
      success: true,
      tradeAccount: acct,
      alreadyWhitelisted: false,
    });
    expect(
      (await http('POST', '/analytics/v1/whitelist', { tradeAccount: acct })).body,
    ).toMatchObject({
      alreadyWhitelisted: true,
    });
    const none = await http(
      'GET',
      `/v1/trades_by_account?market_id=${MARKET.id}&contract=${acct}&direction=desc&count=10`,
    );
    expect(none.body).toEqual({ trades: [], market_id: MARKET.id });
  });
});

describe('O2 personality: sessions, actions, nonce and account streams', () => {
  const owner = createFuelWallet(`0x${'de'.repeat(32)}`);
  const session = createSessionKey(`0x${'01'.repeat(32)}`);
  let account: Hex;

  beforeAll(async () => {
    account = await setupAccount(owner);
  });

  it('rejects a session signed by someone else with 4000 and keeps the nonce', async () => {
    const bad = await createSession(owner, account, session, true);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 4000, message: 'Signature verification failed' });
    expect(await nonceOf(account)).toBe(0n);
  });

  it('creates a session (nonce +1), trades through session actions (nonce +1 each) and streams orders, balances and nonce', async () => {
    const c = await ws();
    const identities = [{ ContractId: account }];
    c.ws.send(JSON.stringify({ action: 'subscribe_nonce', identities }));
    c.ws.send(JSON.stringify({ action: 'subscribe_orders', identities }));
    c.ws.send(JSON.stringify({ action: 'subscribe_balances', identities }));
    c.ws.send('PING');
    await c.waitFor((f) => f === 'PONG');

    const created = await createSession(owner, account, session);
    expect(created.status).toBe(200);
    O2SessionResponse.parse(created.body);
    expect(await nonceOf(account)).toBe(1n);
    const nonceFrame = await c.waitFor((f) => f.includes('subscribe_nonce'));
    expect(keysOf(JSON.parse(nonceFrame))).toEqual(keysOf(doc.N2));
    expect(parseO2ServerMessage(nonceFrame)).toMatchObject({ type: 'nonce' });
    expect(JSON.parse(nonceFrame).nonce).toBe('1');

    const bid = BigInt(sim.book(MARKET.id).bids[2]![0]);
    const placed = await actions(owner, account, session, [
      { SettleBalance: { to: { ContractId: account } } },
      {
        CreateOrder: {
          side: 'Buy',
          price: bid.toString(),
          quantity: '2000000000',
          order_type: 'Spot',
        },
      },
    ]);
    expect(placed.status).toBe(200);
    const res = O2SessionActionsResponse.parse(placed.body);
    expect(res).toMatchObject({ orders: [expect.objectContaining({ close: false })] });
    const order = (placed.body.orders as Record<string, unknown>[])[0]!;
    expect(keysOf(order)).toEqual(keysOf(doc.O4));
    expect(await nonceOf(account)).toBe(2n);

    const orderFrame = await c.waitFor((f) => f.includes('subscribe_orders'));
    expect(parseO2ServerMessage(orderFrame)).toMatchObject({ type: 'orders' });
    const balanceFrame = await c.waitFor((f) => f.includes('subscribe_balances'));
    expect(parseO2ServerMessage(balanceFrame)).toMatchObject({ type: 'balances' });
    const entry = JSON.parse(balanceFrame).balance[0];
    expect(keysOf(entry)).toEqual(keysOf(doc.B2));
    expect(BigInt(entry.total_locked)).toBe((bid * 2000000000n) / 10n ** 9n);

    const one = O2OrderResponse.parse(
      (await http('GET', `/v1/order?market_id=${MARKET.id}&order_id=${order.order_id as string}`))
        .body,
    );
    expect(one.order).toMatchObject({ order_id: order.order_id });
    const open = O2OrdersResponse.parse(
      (
        await http(
          'GET',
          `/v1/orders?market_id=${MARKET.id}&contract=${account}&direction=desc&count=10&is_open=true`,
        )
      ).body,
    );
    expect(open.orders).toHaveLength(1);
    const balance = (
      await http('GET', `/v1/balance?asset_id=${MARKET.quote.id}&contract=${account}`)
    ).body;
    O2BalanceResponse.parse(balance);
    expect(keysOf(balance)).toEqual(keysOf(doc.balance));

    // A bad session signature is a pre-flight rejection: 4000, nonce not consumed.
    const wrongKey = createSessionKey(`0x${'02'.repeat(32)}`);
    const rejected = await actions(
      owner,
      account,
      session,
      [{ CancelOrder: { order_id: order.order_id } }],
      wrongKey,
    );
    expect(rejected.body).toEqual({ code: 4000, message: 'Signature verification failed' });
    expect(await nonceOf(account)).toBe(2n);

    // A post-only order that would cross reverts on chain: the nonce is consumed.
    const ask = sim.book(MARKET.id).asks[0]![0];
    const reverted = await actions(owner, account, session, [
      { CreateOrder: { side: 'Buy', price: ask, quantity: '1000000000', order_type: 'PostOnly' } },
    ]);
    expect(reverted.status).toBe(400);
    expect(reverted.body).toMatchObject({
      code: 1000,
      reason: 'OrderCreationError::OrderPartiallyFilled',
    });
    expect(await nonceOf(account)).toBe(3n);

    const cancelled = await actions(owner, account, session, [
      { CancelOrder: { order_id: order.order_id } },
    ]);
    expect(cancelled.status).toBe(200);
    expect((cancelled.body.orders as Record<string, unknown>[])[0]).toMatchObject({
      cancel: true,
      close: true,
    });
    expect(await nonceOf(account)).toBe(4n);
    await c.waitFor((f) => f.includes('"cancel":true'));

    const tooMany = await actions(
      owner,
      account,
      session,
      Array.from({ length: 6 }, () => ({ SettleBalance: { to: { ContractId: account } } })),
    );
    expect(tooMany.body).toEqual({ code: 7004, message: 'Too many actions' });
  });

  it('withdraws with an owner signature: debits the balance and consumes a nonce; reverts consume one too', async () => {
    const quote = MARKET.quote.id as Hex;
    const withdraw = async (amount: bigint, signer: O2Wallet = owner) => {
      const nonce = await nonceOf(account);
      const to = { kind: 'Address' as const, id: owner.b256Address };
      const sig = signer.personalSign(
        buildWithdrawSigningBytes({ nonce, chainId: 0n, to, assetId: quote, amount }),
      );
      return http(
        'POST',
        '/v1/accounts/withdraw',
        {
          trade_account_id: account,
          signature: { Secp256k1: sig },
          nonce: nonce.toString(),
          to: { Address: owner.b256Address },
          asset_id: quote,
          amount: amount.toString(),
        },
        owner.b256Address,
      );
    };
    const before = O2BalanceResponse.parse(
      (await http('GET', `/v1/balance?asset_id=${quote}&contract=${account}`)).body,
    );
    const n0 = await nonceOf(account);
    const okRes = await withdraw(1_250_000_000n);
    expect(okRes.status).toBe(200);
    expect(okRes.body).toEqual({ tx_id: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    const after = O2BalanceResponse.parse(
      (await http('GET', `/v1/balance?asset_id=${quote}&contract=${account}`)).body,
    );
    expect(BigInt(after.total_unlocked as never)).toBe(
      BigInt(before.total_unlocked as never) - 1_250_000_000n,
    );
    expect(await nonceOf(account)).toBe(n0 + 1n);
    const forged = await withdraw(1n, createFuelWallet(`0x${'cd'.repeat(32)}`));
    expect(forged.body).toEqual({ code: 4000, message: 'Signature verification failed' });
    expect(await nonceOf(account)).toBe(n0 + 1n);
    const tooMuch = await withdraw(10n ** 18n);
    expect(tooMuch.body).toMatchObject({ code: 1000, reason: 'WithdrawError::NotEnoughBalance' });
    expect(await nonceOf(account)).toBe(n0 + 2n);
  });

  it('accepts a session signed by an EVM owner (keccak personal sign, zero-padded b256)', async () => {
    const evm = createEvmWallet(`0x${'ab'.repeat(32)}`);
    const acct = await setupAccount(evm);
    const r = await createSession(evm, acct, createSessionKey());
    expect(r.status).toBe(200);
    expect(await nonceOf(acct)).toBe(1n);
  });
});

describe('O2 personality: socket', () => {
  it('depth snapshot then subscribe_depth_update; a client applying them ends equal to sim.book()', async () => {
    const c = await ws();
    c.ws.send(JSON.stringify({ action: 'subscribe_depth', market_id: MARKET.id, precision: '10' }));
    c.ws.send(JSON.stringify({ action: 'subscribe_trades', market_id: MARKET.id }));
    const snapText = await c.waitFor((f) => f.includes('"subscribe_depth"'));
    expect(keysOf(JSON.parse(snapText))).toEqual(keysOf(doc.D4));
    c.ws.send(JSON.stringify({ action: 'subscribe_depth', market_id: MARKET.id, precision: '10' }));
    expect(JSON.parse(await c.waitFor((f) => f.includes('"code"')))).toEqual({
      code: 6000,
      message: 'Already subscribed to this topic',
    });
    const have = c.frames.length;
    const sentBefore = sim.stats().framesSent;
    sim.step(150);
    const expected = sim.stats().framesSent - sentBefore;
    await c.waitForCount(have + expected);
    const bids = new Map<string, string>();
    const asks = new Map<string, string>();
    let sawUpdate = false;
    for (const text of c.frames) {
      const frame = parseO2ServerMessage(text);
      if (frame.type === 'error') continue;
      expect(frame.type === 'depth' || frame.type === 'trades').toBe(true);
      const raw = JSON.parse(text);
      if (raw.action === 'subscribe_trades') expect(keysOf(raw)).toEqual(keysOf(doc.T2));
      if (raw.action === 'subscribe_depth_update') {
        expect(keysOf(raw)).toEqual(keysOf(doc.D5));
        sawUpdate = true;
      }
      const book = raw.view ?? raw.changes;
      if (book === undefined) continue;
      if (raw.view !== undefined) {
        bids.clear();
        asks.clear();
      }
      for (const [side, map] of [
        [book.buys, bids],
        [book.sells, asks],
      ] as const) {
        for (const l of side as { price: string; quantity: string }[]) {
          if (l.quantity === '0') map.delete(l.price);
          else map.set(l.price, l.quantity);
        }
      }
    }
    expect(sawUpdate).toBe(true);
    expect(expected).toBeGreaterThan(0);
    const truth = sim.book(MARKET.id);
    const sorted = (m: Map<string, string>, desc: boolean) =>
      [...m.entries()].sort((a, b) =>
        BigInt(a[0]) < BigInt(b[0]) ? (desc ? 1 : -1) : desc ? -1 : 1,
      );
    expect(sorted(bids, true)).toEqual(truth.bids);
    expect(sorted(asks, false)).toEqual(truth.asks);
  });

  it('groups depth by precision on the socket the same way as REST, and unsubscribe stops the frames', async () => {
    const c = await ws();
    c.ws.send(
      JSON.stringify({ action: 'subscribe_depth', market_id: MARKET.id, precision: '100000' }),
    );
    c.ws.send(JSON.stringify({ action: 'subscribe_trades', market_id: MARKET.id }));
    await c.waitFor((f) => f.includes('"subscribe_depth"'));
    const have = c.frames.length;
    const sentBefore = sim.stats().framesSent;
    sim.step(200);
    await c.waitForCount(have + sim.stats().framesSent - sentBefore);
    const bids = new Map<string, string>();
    const asks = new Map<string, string>();
    for (const text of c.frames) {
      const raw = JSON.parse(text);
      const book = raw.view ?? raw.changes;
      if (book === undefined) continue;
      for (const [side, map] of [
        [book.buys, bids],
        [book.sells, asks],
      ] as const) {
        for (const l of side as { price: string; quantity: string }[]) {
          expect(BigInt(l.price) % 100000n).toBe(0n);
          if (l.quantity === '0') map.delete(l.price);
          else map.set(l.price, l.quantity);
        }
      }
    }
    const rest = (await http('GET', `/v1/depth?market_id=${MARKET.id}&precision=100000`)).body
      .orders as {
      buys: { price: string; quantity: string }[];
      sells: { price: string; quantity: string }[];
    };
    const asMap = (ls: { price: string; quantity: string }[]) =>
      new Map(ls.map((l) => [l.price, l.quantity]));
    expect(bids).toEqual(asMap(rest.buys));
    expect(asks).toEqual(asMap(rest.sells));

    c.ws.send(JSON.stringify({ action: 'unsubscribe_depth', market_id: MARKET.id }));
    c.ws.send(JSON.stringify({ action: 'unsubscribe_trades', market_id: MARKET.id }));
    c.ws.send('PING');
    await c.waitFor((f) => f === 'PONG');
    const after = c.frames.length;
    const sentBefore2 = sim.stats().framesSent;
    sim.step(50);
    expect(sim.stats().framesSent).toBe(sentBefore2);
    expect(c.frames).toHaveLength(after);
  });

  it('answers text PING with PONG, rejects more than 10 identities, and closes an idle socket', async () => {
    const idleSim = await new ExchangeSimulator({
      protocol: createO2SimulatorProtocol({ inactivityTimeoutMs: 300 }),
      eventsPerSecond: 0,
    }).start();
    try {
      const c = await openCollector(`${idleSim.wsUrl}/v1/ws`);
      sockets.push(c);
      c.ws.send('PING');
      await c.waitFor((f) => f === 'PONG');
      const identities = Array.from({ length: 11 }, (_, i) => ({
        ContractId: `0x${i.toString(16).padStart(64, '0')}`,
      }));
      c.ws.send(JSON.stringify({ action: 'subscribe_nonce', identities }));
      expect(JSON.parse(await c.waitFor((f) => f.includes('6001')))).toEqual({
        code: 6001,
        message: 'Subscription limit exceeded',
      });
      expect(await c.closed).toBe(1000);
      expect(idleSim.stats().violations).toEqual({ o2TooManyIdentities: 1, inactivityTimeout: 1 });
    } finally {
      await idleSim.close();
    }
  });
});
