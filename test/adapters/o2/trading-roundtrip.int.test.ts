// A full O2 trading round trip against the simulator over real sockets: create session →
// place → fill (a second account takes) → order and balance updates on the streams → nonce
// advances on the nonce stream → cancel of a resting order.
import { O2Adapter } from '../../../adapters/o2/o2-adapter.js';
import { createO2SimulatorProtocol, o2SimMarkets } from '../../../adapters/o2/simulator/index.js';
import type { Hex } from '../../../adapters/o2/crypto/index.js';
import { Decimal } from '../../../src/numbers/index.js';
import {
  ExchangeSimulator,
  type SimSession,
  type SimulatorProtocol,
} from '../../../src/testing/index.js';

jest.setTimeout(30_000);

const FUEL = o2SimMarkets[0]!;
const MAKER_KEY = `0x${'a1'.repeat(32)}` as Hex;
const TAKER_KEY = `0x${'b2'.repeat(32)}` as Hex;

/** Wraps the personality to resolve waiters once the server has seen given client frames. */
class SubscribeRecorder {
  readonly actions: string[] = [];
  #waiters: (() => void)[] = [];

  wrap(inner: SimulatorProtocol): SimulatorProtocol {
    return {
      ...inner,
      init: (ctx) => inner.init(ctx),
      handleHttp: (req, ctx) => inner.handleHttp(req, ctx),
      acceptUpgrade: (url) => inner.acceptUpgrade(url),
      faultBody: (kind, s) => inner.faultBody(kind, s),
      formatLevel: (m, p, q) => inner.formatLevel(m, p, q),
      openSession: (socket, ctx): SimSession => {
        const s = inner.openSession(socket, ctx);
        return {
          onMessage: (text) => {
            s.onMessage(text);
            try {
              const action = (JSON.parse(text) as { action?: unknown }).action;
              if (typeof action === 'string') this.actions.push(action);
            } catch {
              // PING and other text frames
            }
            for (const w of this.#waiters.splice(0)) w();
          },
          onEvent: (e) => s.onEvent(e),
          onClose: () => s.onClose(),
        };
      },
    };
  }

  async until(pred: (actions: readonly string[]) => boolean): Promise<void> {
    while (!pred(this.actions)) await new Promise<void>((r) => this.#waiters.push(r));
  }
}

/** Reads `stream` until an item matches (items before it are returned too). */
async function readUntil<T>(stream: AsyncIterator<T>, pred: (item: T) => boolean): Promise<T[]> {
  const seen: T[] = [];
  for (;;) {
    const r = await stream.next();
    if (r.done === true) throw new Error(`stream ended before a match; saw ${seen.length}`);
    seen.push(r.value);
    if (pred(r.value)) return seen;
  }
}

const human9 = (chain: bigint): string => new Decimal(chain.toString()).div(1e9).toFixed();

let sim: ExchangeSimulator;
let rec: SubscribeRecorder;
const adapters: O2Adapter[] = [];

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()));
  await sim.close();
});

it('create session → place → fill → order and balance updates → nonce advances → cancel', async () => {
  rec = new SubscribeRecorder();
  sim = await new ExchangeSimulator({
    protocol: rec.wrap(createO2SimulatorProtocol()),
    seed: 3,
    eventsPerSecond: 0,
    levels: 6,
  }).start();
  const make = (owner: Hex): O2Adapter => {
    const a = new O2Adapter({
      restUrl: sim.httpUrl,
      wsUrl: `${sim.wsUrl}/v1/ws`,
      rest: { retry: { maxAttempts: 1 } },
      credentials: { owner },
    });
    adapters.push(a);
    return a;
  };
  const maker = make(MAKER_KEY);
  const taker = make(TAKER_KEY);

  const session = await maker.createSession({ markets: ['fFUEL/fUSDC'] });
  await taker.createSession({ markets: ['fFUEL/fUSDC'] });
  const account = session.tradeAccountId;
  const usdcBefore = (await maker.getBalance('fUSDC', { tradeAccountId: account })).free;

  const orders = maker.streamOrders(account, { market: 'fFUEL/fUSDC' });
  const balances = maker.streamBalances(account);
  const nonces = maker.streamNonce(account);
  await rec.until(
    (a) =>
      a.includes('subscribe_orders') &&
      a.includes('subscribe_balances') &&
      a.includes('subscribe_nonce'),
  );

  // place: a post-only sell inside the spread rests
  const book = sim.book(FUEL.id, 1);
  const bid = BigInt(book.bids[0]![0]);
  const ask = BigInt(book.asks[0]![0]);
  const price = human9((bid + ask) / 2n);
  const placed = await maker.placeOrder({
    market: 'fFUEL/fUSDC',
    side: 'sell',
    price,
    quantity: '100',
    orderType: 'PostOnly',
  });
  const orderId = placed.order!.orderId;
  expect(placed.nonce).toBe(1n);
  const opened = await readUntil(orders, (o) => o.orderId === orderId);
  expect(opened.at(-1)).toMatchObject({ status: 'open', side: 'sell', market: 'fFUEL/fUSDC' });
  expect((await readUntil(nonces, (n) => n.nonce === 2n)).at(-1)!.account).toBe(account);

  // fill: the taker's buy crosses it
  const taken = await taker.placeOrder({
    market: 'fFUEL/fUSDC',
    side: 'buy',
    price,
    quantity: '100',
  });
  expect(taken.order?.status).toBe('filled');
  const filled = await readUntil(orders, (o) => o.orderId === orderId && o.status === 'filled');
  expect(filled.at(-1)!.filledQuantity.toFixed()).toBe('100');
  // the maker's quote balance grew by price × quantity (fees are 0 on the simulator)
  const proceeds = new Decimal(price).times(100);
  const credited = await readUntil(
    balances,
    (b) => b.asset === 'fUSDC' && b.free.eq(usdcBefore.plus(proceeds)),
  );
  expect(credited.at(-1)!.locked.toFixed()).toBe('0');
  expect((await maker.getOrder('fFUEL/fUSDC', orderId)).status).toBe('filled');
  // the taker's transaction does not move the maker's nonce
  expect(maker.nonces.peek(account)).toBe(2n);

  // cancel: a resting buy far below the book
  const resting = await maker.placeOrder({
    market: 'fFUEL/fUSDC',
    side: 'buy',
    price: human9(bid - 1_000_000n),
    quantity: '100',
  });
  const restingId = resting.order!.orderId;
  await readUntil(orders, (o) => o.orderId === restingId && o.status === 'open');
  const cancelled = await maker.cancelOrder({ market: 'fFUEL/fUSDC', orderId: restingId });
  expect(cancelled.nonce).toBe(3n);
  await readUntil(orders, (o) => o.orderId === restingId && o.status === 'cancelled');
  const last = await readUntil(nonces, (n) => n.nonce === 4n);
  // the stream's nonce and the manager's agree; observe() keeps them in step
  maker.nonces.observe(account, last.at(-1)!.nonce);
  expect(maker.nonces.peek(account)).toBe(4n);
  expect((await maker.getAccount({ tradeAccountId: account })).nonce).toBe(4n);
});
