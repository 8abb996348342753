import fc from 'fast-check';
import {
  createPrng,
  MatchingEngine,
  type SimEvent,
  type SimMarketSpec,
} from '../../src/testing/index.js';

const market: SimMarketSpec = {
  id: 'TESTUSD',
  base: { symbol: 'TEST', decimals: 4 },
  quote: { symbol: 'USD', decimals: 4 },
  priceDecimals: 2,
  tickSize: 1n,
  stepSize: 1n,
  lot: 10n,
  startPrice: 10_000n, // 100.00
};

function engine(seed = 1, levels = 5): { e: MatchingEngine; events: SimEvent[] } {
  const events: SimEvent[] = [];
  const e = new MatchingEngine({
    markets: [market],
    rng: createPrng(seed),
    now: () => 1000,
    levels,
    emit: (ev) => events.push(ev),
  });
  return { e, events };
}

const balance = (e: MatchingEngine, acc: string, asset: string) =>
  e.balances(acc).find((b) => b.asset === asset) ?? { asset, free: 0n, locked: 0n };

describe('MatchingEngine', () => {
  it('matches with price-time priority and moves balances exactly', () => {
    const { e, events } = engine();
    e.createAccount('A', { TEST: 1000n });
    e.createAccount('B', { TEST: 1000n });
    e.createAccount('C', { USD: 10_000_000n });
    // The market maker quotes 99.99 / 100.01; 100.00 is empty: A then B rest there.
    const a = e.placeOrder({
      account: 'A',
      market: 'TESTUSD',
      side: 'sell',
      type: 'limit',
      price: 10_000n,
      quantity: 30n,
    });
    const b = e.placeOrder({
      account: 'B',
      market: 'TESTUSD',
      side: 'sell',
      type: 'limit',
      price: 10_000n,
      quantity: 30n,
    });
    expect(a.ok && b.ok).toBe(true);
    expect(balance(e, 'A', 'TEST')).toEqual({ asset: 'TEST', free: 970n, locked: 30n });
    events.length = 0;
    const c = e.placeOrder({
      account: 'C',
      market: 'TESTUSD',
      side: 'buy',
      type: 'limit',
      price: 10_000n,
      quantity: 45n,
      timeInForce: 'IOC',
    });
    if (!c.ok) throw new Error('rejected');
    expect(c.order.status).toBe('FILLED');
    expect(c.order.fills.map((f) => f.quantity)).toEqual([30n, 15n]);
    const orderEvents = events.filter((x) => x.type === 'order');
    expect(
      orderEvents.map((x) => x.type === 'order' && [x.account, x.execution, x.order.status]),
    ).toEqual([
      ['C', 'NEW', 'NEW'],
      ['A', 'TRADE', 'FILLED'],
      ['C', 'TRADE', 'PARTIALLY_FILLED'],
      ['B', 'TRADE', 'PARTIALLY_FILLED'],
      ['C', 'TRADE', 'FILLED'],
    ]);
    // 45 TEST at 100.00 cost 0.45 * 100 = 4500 (USD, 4 decimals: price 10000 (2 dp) * qty 45 (4 dp) / 10^2).
    expect(balance(e, 'C', 'USD')).toEqual({ asset: 'USD', free: 10_000_000n - 4500n, locked: 0n });
    expect(balance(e, 'C', 'TEST')).toEqual({ asset: 'TEST', free: 45n, locked: 0n });
    expect(balance(e, 'A', 'USD').free).toBe(3000n);
    expect(balance(e, 'B', 'TEST')).toEqual({ asset: 'TEST', free: 970n, locked: 15n });
    const depth = events.filter((x) => x.type === 'depth');
    expect(depth).toHaveLength(1);
    expect(depth[0]).toMatchObject({ asks: [[10_000n, 15n]] });
  });

  it('rejects post-only orders that would take, and orders without funds; FOK expires whole', () => {
    const { e } = engine();
    e.createAccount('A', { USD: 1_000_000n });
    const best = e.market('TESTUSD').asks.best()!;
    expect(
      e.placeOrder({
        account: 'A',
        market: 'TESTUSD',
        side: 'buy',
        type: 'limit',
        price: best.price,
        quantity: 1n,
        postOnly: true,
      }),
    ).toEqual({ ok: false, reason: 'WOULD_TAKE' });
    expect(
      e.placeOrder({
        account: 'A',
        market: 'TESTUSD',
        side: 'sell',
        type: 'limit',
        price: best.price,
        quantity: 1n,
      }),
    ).toEqual({ ok: false, reason: 'INSUFFICIENT_BALANCE' });
    const fok = e.placeOrder({
      account: 'A',
      market: 'TESTUSD',
      side: 'buy',
      type: 'limit',
      price: best.price,
      quantity: best.total + 1n,
      timeInForce: 'FOK',
    });
    expect(fok.ok && fok.order.status).toBe('EXPIRED');
    expect(fok.ok && fok.order.filled).toBe(0n);
    expect(balance(e, 'A', 'USD')).toEqual({ asset: 'USD', free: 1_000_000n, locked: 0n });
  });

  it('cancel releases the locked remainder and removes the order from the book', () => {
    const { e } = engine();
    e.createAccount('A', { USD: 1_000_000n });
    const r = e.placeOrder({
      account: 'A',
      market: 'TESTUSD',
      side: 'buy',
      type: 'limit',
      price: 9_000n,
      quantity: 100n,
      clientOrderId: 'x',
    });
    expect(balance(e, 'A', 'USD')).toEqual({
      asset: 'USD',
      free: 1_000_000n - 9000n,
      locked: 9000n,
    });
    expect(e.market('TESTUSD').bids.get(9_000n)?.total).toBe(100n);
    const c = e.cancelOrder('A', 'TESTUSD', { clientOrderId: 'x' });
    expect(c?.status).toBe('CANCELED');
    expect(r.ok && e.cancelOrder('A', 'TESTUSD', { orderId: r.order.orderId })).toBeUndefined();
    expect(e.market('TESTUSD').bids.get(9_000n)).toBeUndefined();
    expect(balance(e, 'A', 'USD')).toEqual({ asset: 'USD', free: 1_000_000n, locked: 0n });
  });

  it('is deterministic for a seed', () => {
    const run = (seed: number) => {
      const { e, events } = engine(seed, 10);
      for (let i = 0; i < 300; i++) e.generate();
      return JSON.stringify(events, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    };
    expect(run(7)).toBe(run(7));
    expect(run(7)).not.toBe(run(8));
  });

  it('property: under random orders and market events the book never crosses, levels add up and balances stay consistent', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('gen' as const), n: fc.integer({ min: 1, max: 20 }) }),
      fc.record({
        kind: fc.constant('order' as const),
        account: fc.constantFrom('A', 'B'),
        side: fc.constantFrom('buy' as const, 'sell' as const),
        type: fc.constantFrom('limit' as const, 'market' as const),
        offset: fc.integer({ min: -8, max: 8 }),
        qty: fc.integer({ min: 1, max: 400 }),
        tif: fc.constantFrom('GTC' as const, 'IOC' as const, 'FOK' as const),
      }),
      fc.record({
        kind: fc.constant('cancel' as const),
        account: fc.constantFrom('A', 'B'),
        pick: fc.nat(),
      }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(op, { maxLength: 40 }),
        (seed, ops) => {
          const { e } = engine(seed, 6);
          const initial = { TEST: 100_000n, USD: 100_000_000n };
          e.createAccount('A', initial);
          e.createAccount('B', initial);
          for (const o of ops) {
            if (o.kind === 'gen') for (let i = 0; i < o.n; i++) e.generate();
            else if (o.kind === 'order') {
              const m = e.market('TESTUSD');
              e.placeOrder({
                account: o.account,
                market: 'TESTUSD',
                side: o.side,
                type: o.type,
                price: m.mid + BigInt(o.offset),
                quantity: BigInt(o.qty),
                timeInForce: o.tif,
              });
            } else {
              const open = e.orders(o.account, { open: true });
              const target = open[o.pick % Math.max(1, open.length)];
              if (target !== undefined)
                e.cancelOrder(o.account, 'TESTUSD', { orderId: target.orderId });
            }
            const m = e.market('TESTUSD');
            const bid = m.bids.best();
            const ask = m.asks.best();
            if (bid !== undefined && ask !== undefined) expect(bid.price).toBeLessThan(ask.price);
            for (const side of [m.bids, m.asks]) {
              for (const level of side.levels()) {
                expect(level.total).toBeGreaterThan(0n);
                expect(level.queue.reduce((s, x) => s + x.remaining, 0n)).toBe(level.total);
              }
            }
            for (const acc of ['A', 'B']) {
              let lockedQuote = 0n;
              let lockedBase = 0n;
              for (const ord of e.orders(acc, { open: true })) {
                if (ord.side === 'buy')
                  lockedQuote +=
                    e.quoteAmount(market, ord.price, ord.quantity) -
                    e.quoteAmount(market, ord.price, ord.filled);
                else lockedBase += ord.quantity - ord.filled;
              }
              const usd = balance(e, acc, 'USD');
              const test = balance(e, acc, 'TEST');
              expect(usd.locked).toBe(lockedQuote);
              expect(test.locked).toBe(lockedBase);
              expect(usd.free >= 0n && test.free >= 0n).toBe(true);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
