import { createError } from '../errors/index.js';
import { BookSide, type LiveOrder, type RestingEntry, snapshotOrder } from './order-book.js';
import type { Prng } from './prng.js';
import type {
  SimBalance,
  SimEvent,
  SimFill,
  SimMarketSpec,
  SimOrder,
  SimSide,
  SimTrade,
} from './types.js';

/**
 * The state of one simulated market inside the engine.
 *
 * @example
 * const best = sim.engine.market('BTCUSDT').asks.best()?.price;
 */
export interface SimMarketState {
  readonly spec: SimMarketSpec;
  readonly bids: BookSide;
  readonly asks: BookSide;
  /** Last update id applied to the book. */
  sequence: number;
  /** Current mid of the market maker's ladder (scaled price). */
  mid: bigint;
  tradeSeq: number;
  /** Most recent trades, oldest first (bounded). */
  readonly trades: SimTrade[];
}

/**
 * What a caller asks the engine to place (scaled integers).
 *
 * @example
 * engine.placeOrder({ account: 'A', market: 'BTCUSDT', side: 'buy', type: 'limit', price: 6000000n, quantity: 100000n });
 */
export interface SimPlaceOrder {
  readonly account: string;
  readonly market: string;
  readonly side: SimSide;
  readonly type: 'limit' | 'market';
  /** Default `'GTC'` for limit orders; market orders are always `'IOC'`. */
  readonly timeInForce?: 'GTC' | 'IOC' | 'FOK';
  /** Reject instead of taking liquidity. Default false. */
  readonly postOnly?: boolean;
  /** Limit price (scaled); for a market order an optional worst price. */
  readonly price?: bigint;
  /** Quantity in scaled base units. */
  readonly quantity: bigint;
  /** Client id; generated (`sim-<n>`) when omitted. */
  readonly clientOrderId?: string;
}

/**
 * Why the engine refused an order before it reached the book.
 *
 * @example
 * if (!r.ok && r.reason === 'INSUFFICIENT_BALANCE') reject(-2010);
 */
export type SimRejectReason =
  | 'UNKNOWN_MARKET'
  | 'UNKNOWN_ACCOUNT'
  | 'INSUFFICIENT_BALANCE'
  | 'WOULD_TAKE'
  | 'DUPLICATE_ORDER'
  | 'INVALID_QUANTITY';

/**
 * The outcome of {@link MatchingEngine.placeOrder}.
 *
 * @example
 * const r = engine.placeOrder(input);
 * if (r.ok) r.order.status; // 'NEW', 'FILLED', 'EXPIRED'…
 */
export type SimPlaceResult =
  | { readonly ok: true; readonly order: SimOrder }
  | { readonly ok: false; readonly reason: SimRejectReason };

interface AccountState {
  readonly id: string;
  nonce: bigint;
  readonly balances: Map<string, { free: bigint; locked: bigint }>;
  readonly orders: Map<number, LiveOrder>;
}

/**
 * Options of {@link MatchingEngine}.
 *
 * @example
 * new MatchingEngine({ markets, rng: createPrng(1), now: Date.now, emit: console.log, levels: 20 });
 */
export interface MatchingEngineOptions {
  readonly markets: readonly SimMarketSpec[];
  readonly rng: Prng;
  /** Clock for event and order times (epoch ms). */
  readonly now: () => number;
  /** Receives every event in order. */
  readonly emit: (event: SimEvent) => void;
  /** Market-maker price levels per side (the simulator passes its `levels`, default 20). */
  readonly levels: number;
  /** Probability that a generated event is a taker trade. Default 0.3. */
  readonly tradeProbability?: number;
}

const MAX_TRADES_KEPT = 1000;

/**
 * The simulator's matching engine and market generator: a price-time-priority book per
 * market fed by a seeded market maker, user accounts with free/locked balances, and a
 * nonce per account. Everything is a scaled `bigint`; every change is reported as a
 * {@link SimEvent}.
 *
 * @example
 * const engine = new MatchingEngine({ markets, rng: createPrng(1), now: Date.now, emit, levels: 10 });
 * engine.generate(); // one market event
 */
export class MatchingEngine {
  readonly #markets = new Map<string, SimMarketState>();
  readonly #accounts = new Map<string, AccountState>();
  readonly #rng: Prng;
  readonly #now: () => number;
  readonly #emit: (event: SimEvent) => void;
  readonly #levels: number;
  readonly #tradeProbability: number;
  #orderSeq = 0;

  constructor(options: MatchingEngineOptions) {
    this.#rng = options.rng;
    this.#now = options.now;
    this.#emit = options.emit;
    this.#levels = Math.max(1, Math.floor(options.levels));
    this.#tradeProbability = options.tradeProbability ?? 0.3;
    for (const spec of options.markets) {
      const state: SimMarketState = {
        spec,
        bids: new BookSide(true),
        asks: new BookSide(false),
        sequence: 1000 + this.#rng.int(0, 999_000),
        mid: spec.startPrice,
        tradeSeq: 10_000 + this.#rng.int(0, 90_000),
        trades: [],
      };
      for (let i = 1; i <= this.#levels; i++) {
        setMaker(state.bids, spec.startPrice - BigInt(i) * spec.tickSize, this.#randomQty(spec));
        setMaker(state.asks, spec.startPrice + BigInt(i) * spec.tickSize, this.#randomQty(spec));
      }
      this.#markets.set(spec.id, state);
    }
  }

  /** Market ids in configuration order. */
  get marketIds(): string[] {
    return [...this.#markets.keys()];
  }

  /** The state of a market; throws `UNKNOWN_MARKET` when missing. */
  market(id: string): SimMarketState {
    const m = this.#markets.get(id);
    if (m === undefined) {
      throw createError('UNKNOWN_MARKET', `simulator: no market ${id}`, {
        context: { market: id },
      });
    }
    return m;
  }

  /** The market, or undefined. */
  findMarket(id: string): SimMarketState | undefined {
    return this.#markets.get(id);
  }

  /** Quote amount of `quantity` at `price` (scaled by the quote asset's decimals, floored). */
  quoteAmount(spec: SimMarketSpec, price: bigint, quantity: bigint): bigint {
    const shift = spec.priceDecimals + spec.base.decimals - spec.quote.decimals;
    return shift >= 0
      ? (price * quantity) / 10n ** BigInt(shift)
      : price * quantity * 10n ** BigInt(-shift);
  }

  // ---------------------------------------------------------------- accounts

  /** Creates (or tops up) an account with the given balances (asset symbol → scaled amount). */
  createAccount(id: string, balances: Readonly<Record<string, bigint>> = {}): void {
    let acc = this.#accounts.get(id);
    if (acc === undefined) {
      acc = { id, nonce: 0n, balances: new Map(), orders: new Map() };
      this.#accounts.set(id, acc);
    }
    for (const [asset, amount] of Object.entries(balances)) {
      const b = this.#balance(acc, asset);
      b.free += amount;
    }
  }

  /** True when the account exists. */
  hasAccount(id: string): boolean {
    return this.#accounts.has(id);
  }

  /** Balances of an account, by asset symbol (every asset it ever held). */
  balances(account: string): SimBalance[] {
    const acc = this.#accounts.get(account);
    if (acc === undefined) return [];
    return [...acc.balances.entries()].map(([asset, b]) => ({
      asset,
      free: b.free,
      locked: b.locked,
    }));
  }

  /**
   * Moves `amount` out of an account's free balance (a withdrawal) and reports the new
   * balance; false (nothing changes) when the free balance is too small.
   *
   * @example
   * engine.withdraw('A', 'USDT', 1_000_000n);
   */
  withdraw(account: string, asset: string, amount: bigint): boolean {
    const acc = this.#accounts.get(account);
    if (acc === undefined || amount < 0n) return false;
    const b = this.#balance(acc, asset);
    if (b.free < amount) return false;
    b.free -= amount;
    this.#emit({
      type: 'balance',
      account,
      time: this.#now(),
      balances: [{ asset, free: b.free, locked: b.locked }],
    });
    return true;
  }

  /** Current nonce of an account (0 for an unknown one). */
  nonce(account: string): bigint {
    return this.#accounts.get(account)?.nonce ?? 0n;
  }

  /** Advances the account nonce by one and reports it. */
  bumpNonce(account: string): bigint {
    const acc = this.#accounts.get(account);
    if (acc === undefined) return 0n;
    acc.nonce += 1n;
    this.#emit({ type: 'nonce', account, time: this.#now(), nonce: acc.nonce });
    return acc.nonce;
  }

  /** An order of an account by engine id or client id. */
  findOrder(
    account: string,
    ref: { orderId?: number; clientOrderId?: string },
  ): SimOrder | undefined {
    const acc = this.#accounts.get(account);
    if (acc === undefined) return undefined;
    if (ref.orderId !== undefined) {
      const o = acc.orders.get(ref.orderId);
      return o === undefined ? undefined : snapshotOrder(o);
    }
    for (const o of acc.orders.values()) {
      if (o.clientOrderId === ref.clientOrderId) return snapshotOrder(o);
    }
    return undefined;
  }

  /** All orders of an account (optionally one market, optionally only open ones), oldest first. */
  orders(account: string, filter: { market?: string; open?: boolean } = {}): SimOrder[] {
    const acc = this.#accounts.get(account);
    if (acc === undefined) return [];
    const out: SimOrder[] = [];
    for (const o of acc.orders.values()) {
      if (filter.market !== undefined && o.market !== filter.market) continue;
      if (filter.open === true && !isOpen(o)) continue;
      out.push(snapshotOrder(o));
    }
    return out;
  }

  // ---------------------------------------------------------------- orders

  /**
   * Places an order: locks funds, matches it with price-time priority, rests the remainder
   * (GTC limit) or expires it (IOC, FOK, market), and reports every change.
   */
  placeOrder(input: SimPlaceOrder): SimPlaceResult {
    const m = this.#markets.get(input.market);
    if (m === undefined) return { ok: false, reason: 'UNKNOWN_MARKET' };
    const acc = this.#accounts.get(input.account);
    if (acc === undefined) return { ok: false, reason: 'UNKNOWN_ACCOUNT' };
    if (input.quantity <= 0n) return { ok: false, reason: 'INVALID_QUANTITY' };
    const spec = m.spec;
    const isBuy = input.side === 'buy';
    const limit = input.price ?? 0n;
    const tif = input.type === 'market' ? 'IOC' : (input.timeInForce ?? 'GTC');
    if (input.clientOrderId !== undefined) {
      for (const o of acc.orders.values()) {
        if (o.clientOrderId === input.clientOrderId && isOpen(o)) {
          return { ok: false, reason: 'DUPLICATE_ORDER' };
        }
      }
    }
    const opposite = isBuy ? m.asks : m.bids;
    const crossable = this.#crossable(spec, opposite, limit, input.type, isBuy, input.quantity);
    if (input.postOnly === true && crossable.quantity > 0n)
      return { ok: false, reason: 'WOULD_TAKE' };

    // Funds: a resting-capable limit order locks its worst case; a market order pays what
    // it would take now.
    const quoteAsset = spec.quote.symbol;
    const baseAsset = spec.base.symbol;
    if (isBuy) {
      const need =
        input.type === 'limit' ? this.quoteAmount(spec, limit, input.quantity) : crossable.quote;
      if (this.#balance(acc, quoteAsset).free < need)
        return { ok: false, reason: 'INSUFFICIENT_BALANCE' };
    } else if (this.#balance(acc, baseAsset).free < input.quantity) {
      return { ok: false, reason: 'INSUFFICIENT_BALANCE' };
    }

    const time = this.#now();
    const orderId = ++this.#orderSeq;
    const order: LiveOrder = {
      orderId,
      clientOrderId: input.clientOrderId ?? `sim-${orderId}`,
      account: acc.id,
      market: spec.id,
      side: input.side,
      type: input.type,
      timeInForce: tif,
      postOnly: input.postOnly === true,
      price: limit,
      quantity: input.quantity,
      filled: 0n,
      filledQuote: 0n,
      status: 'NEW',
      createdAt: time,
      updatedAt: time,
      fills: [],
    };
    acc.orders.set(orderId, order);
    const touched = new Map<string, Set<string>>();
    if (input.type === 'limit') {
      if (isBuy) this.#lock(acc, quoteAsset, this.quoteAmount(spec, limit, input.quantity));
      else this.#lock(acc, baseAsset, input.quantity);
      touch(touched, acc.id, isBuy ? quoteAsset : baseAsset);
    }
    this.#emit({
      type: 'order',
      account: acc.id,
      time,
      order: snapshotOrder(order),
      execution: 'NEW',
    });

    const changed = { bids: new Set<bigint>(), asks: new Set<bigint>() };
    if (tif === 'FOK' && crossable.quantity < input.quantity) {
      this.#finish(order, 'EXPIRED', touched, time);
    } else {
      this.#match(
        m,
        input.side,
        input.quantity,
        input.type === 'limit' || limit > 0n ? limit : undefined,
        order,
        changed,
        touched,
        time,
      );
      const remaining = order.quantity - order.filled;
      if (remaining > 0n) {
        if (tif === 'GTC' && input.type === 'limit') {
          const side = isBuy ? m.bids : m.asks;
          const level = side.ensure(limit);
          level.queue.push({ order, remaining });
          level.total += remaining;
          (isBuy ? changed.bids : changed.asks).add(limit);
        } else {
          this.#finish(order, 'EXPIRED', touched, time);
        }
      }
    }
    this.#commitDepth(m, changed, time);
    this.#emitBalances(touched, time);
    return { ok: true, order: snapshotOrder(order) };
  }

  /** Cancels an open order; returns its final snapshot, or undefined when unknown or final. */
  cancelOrder(
    account: string,
    market: string,
    ref: { orderId?: number; clientOrderId?: string },
  ): SimOrder | undefined {
    const acc = this.#accounts.get(account);
    const m = this.#markets.get(market);
    if (acc === undefined || m === undefined) return undefined;
    let order: LiveOrder | undefined;
    if (ref.orderId !== undefined) order = acc.orders.get(ref.orderId);
    else {
      for (const o of acc.orders.values()) {
        if (o.clientOrderId === ref.clientOrderId && (order === undefined || isOpen(o))) order = o;
      }
    }
    if (order === undefined || order.market !== market || !isOpen(order)) return undefined;
    const time = this.#now();
    const side = order.side === 'buy' ? m.bids : m.asks;
    const level = side.get(order.price);
    if (level !== undefined) {
      const i = level.queue.findIndex((e) => e.order === order);
      if (i >= 0) {
        const entry = level.queue[i] as RestingEntry;
        level.total -= entry.remaining;
        level.queue.splice(i, 1);
        side.prune(order.price);
      }
    }
    const touched = new Map<string, Set<string>>();
    this.#finish(order, 'CANCELED', touched, time);
    const changed = { bids: new Set<bigint>(), asks: new Set<bigint>() };
    (order.side === 'buy' ? changed.bids : changed.asks).add(order.price);
    this.#commitDepth(m, changed, time);
    this.#emitBalances(touched, time);
    return snapshotOrder(order);
  }

  // ---------------------------------------------------------------- market generator

  /**
   * Generates one market event on one market (chosen by the seeded generator): a
   * market-maker level change, a one-tick move of the mid, or a taker trade.
   */
  generate(): void {
    const ids = this.marketIds;
    const m = this.#markets.get(ids.length === 1 ? (ids[0] as string) : this.#rng.pick(ids));
    if (m === undefined) return;
    const time = this.#now();
    for (let attempt = 0; attempt < 8; attempt++) {
      const r = this.#rng.next();
      if (r < this.#tradeProbability) {
        if (this.#streetTrade(m, time)) return;
      } else if (r < this.#tradeProbability + 0.15) {
        if (this.#move(m, time)) return;
      } else if (this.#update(m, time)) return;
    }
  }

  #randomQty(spec: SimMarketSpec): bigint {
    return spec.lot * BigInt(this.#rng.int(1, 50));
  }

  #update(m: SimMarketState, time: number): boolean {
    const spec = m.spec;
    const isBid = this.#rng.chance(0.5);
    const i = BigInt(this.#rng.int(1, this.#levels));
    const price = isBid ? m.mid - i * spec.tickSize : m.mid + i * spec.tickSize;
    if (price <= 0n) return false;
    const qty = this.#rng.chance(0.1) ? 0n : this.#randomQty(spec);
    const other = isBid ? m.asks.best() : m.bids.best();
    if (qty > 0n && other !== undefined && (isBid ? price >= other.price : price <= other.price))
      return false;
    const side = isBid ? m.bids : m.asks;
    const before = side.get(price)?.total ?? 0n;
    setMaker(side, price, qty);
    if ((side.get(price)?.total ?? 0n) === before) return false;
    const changed = { bids: new Set<bigint>(), asks: new Set<bigint>() };
    (isBid ? changed.bids : changed.asks).add(price);
    this.#commitDepth(m, changed, time);
    return true;
  }

  #move(m: SimMarketState, time: number): boolean {
    const spec = m.spec;
    const up = this.#rng.chance(0.5);
    const tick = spec.tickSize;
    const levels = BigInt(this.#levels);
    const newMid = up ? m.mid + tick : m.mid - tick;
    if (newMid - levels * tick <= 0n) return false;
    // The new innermost level on the side we move towards sits at the old mid.
    const newInner = m.mid;
    const bestBid = m.bids.best();
    const bestAsk = m.asks.best();
    if (up && bestAsk !== undefined && bestAsk.price <= newInner) return false;
    if (!up && bestBid !== undefined && bestBid.price >= newInner) return false;
    const changed = { bids: new Set<bigint>(), asks: new Set<bigint>() };
    const qIn = this.#randomQty(spec);
    const qOut = this.#randomQty(spec);
    if (up) {
      setMaker(m.asks, newMid, 0n);
      setMaker(m.bids, m.mid - levels * tick, 0n);
      setMaker(m.bids, newInner, qIn);
      setMaker(m.asks, newMid + levels * tick, qOut);
      changed.asks.add(newMid).add(newMid + levels * tick);
      changed.bids.add(m.mid - levels * tick).add(newInner);
    } else {
      setMaker(m.bids, newMid, 0n);
      setMaker(m.asks, m.mid + levels * tick, 0n);
      setMaker(m.asks, newInner, qIn);
      setMaker(m.bids, newMid - levels * tick, qOut);
      changed.bids.add(newMid).add(newMid - levels * tick);
      changed.asks.add(m.mid + levels * tick).add(newInner);
    }
    m.mid = newMid;
    this.#commitDepth(m, changed, time);
    return true;
  }

  #streetTrade(m: SimMarketState, time: number): boolean {
    const takerSide: SimSide = this.#rng.chance(0.5) ? 'buy' : 'sell';
    const best = takerSide === 'buy' ? m.asks.best() : m.bids.best();
    if (best === undefined) return false;
    let qty = m.spec.lot * BigInt(this.#rng.int(1, 30));
    if (qty > best.total) qty = best.total;
    const changed = { bids: new Set<bigint>(), asks: new Set<bigint>() };
    const touched = new Map<string, Set<string>>();
    this.#match(m, takerSide, qty, best.price, undefined, changed, touched, time);
    this.#commitDepth(m, changed, time);
    this.#emitBalances(touched, time);
    return true;
  }

  // ---------------------------------------------------------------- internals

  #crossable(
    spec: SimMarketSpec,
    opposite: BookSide,
    limit: bigint,
    type: 'limit' | 'market',
    isBuy: boolean,
    wanted: bigint,
  ): { quantity: bigint; quote: bigint } {
    let quantity = 0n;
    let quote = 0n;
    for (const level of opposite.levels()) {
      if (quantity >= wanted) break;
      if ((type === 'limit' || limit > 0n) && (isBuy ? level.price > limit : level.price < limit))
        break;
      const take = level.total < wanted - quantity ? level.total : wanted - quantity;
      quantity += take;
      quote += this.quoteAmount(spec, level.price, take);
    }
    return { quantity, quote };
  }

  #match(
    m: SimMarketState,
    takerSide: SimSide,
    quantity: bigint,
    limit: bigint | undefined,
    taker: LiveOrder | undefined,
    changed: { bids: Set<bigint>; asks: Set<bigint> },
    touched: Map<string, Set<string>>,
    time: number,
  ): void {
    const isBuy = takerSide === 'buy';
    const book = isBuy ? m.asks : m.bids;
    const changedSet = isBuy ? changed.asks : changed.bids;
    let remaining = quantity;
    const trades: SimTrade[] = [];
    const fills: { order: SimOrder; fill: SimFill }[] = [];
    while (remaining > 0n) {
      const level = book.best();
      if (level === undefined) break;
      if (limit !== undefined && (isBuy ? level.price > limit : level.price < limit)) break;
      while (remaining > 0n && level.queue.length > 0) {
        const entry = level.queue[0] as RestingEntry;
        const q = entry.remaining < remaining ? entry.remaining : remaining;
        const quote = this.quoteAmount(m.spec, level.price, q);
        const trade: SimTrade = {
          id: ++m.tradeSeq,
          market: m.spec.id,
          price: level.price,
          quantity: q,
          quoteQuantity: quote,
          takerSide,
          time,
          ...(entry.order !== undefined
            ? { makerAccount: entry.order.account, makerOrderId: entry.order.orderId }
            : {}),
          ...(taker !== undefined
            ? { takerAccount: taker.account, takerOrderId: taker.orderId }
            : {}),
        };
        trades.push(trade);
        if (entry.order !== undefined) {
          const fill = this.#applyFill(m, entry.order, trade, true, touched);
          fills.push({ order: snapshotOrder(entry.order), fill });
        }
        if (taker !== undefined) {
          const fill = this.#applyFill(m, taker, trade, false, touched);
          fills.push({ order: snapshotOrder(taker), fill });
        }
        entry.remaining -= q;
        level.total -= q;
        remaining -= q;
        if (entry.remaining === 0n) level.queue.shift();
      }
      changedSet.add(level.price);
      book.prune(level.price);
      if (level.queue.length > 0) break;
    }
    if (trades.length === 0) return;
    for (const t of trades) {
      m.trades.push(t);
      if (m.trades.length > MAX_TRADES_KEPT) m.trades.shift();
    }
    this.#emit({ type: 'trade', market: m.spec.id, time, trades });
    for (const { order, fill } of fills) {
      this.#emit({ type: 'order', account: order.account, time, order, execution: 'TRADE', fill });
    }
  }

  #applyFill(
    m: SimMarketState,
    order: LiveOrder,
    trade: SimTrade,
    maker: boolean,
    touched: Map<string, Set<string>>,
  ): SimFill {
    const acc = this.#accounts.get(order.account) as AccountState;
    const spec = m.spec;
    const q = trade.quantity;
    const before = order.filled;
    order.filled += q;
    order.filledQuote += trade.quoteQuantity;
    order.status = order.filled === order.quantity ? 'FILLED' : 'PARTIALLY_FILLED';
    order.updatedAt = trade.time;
    const fill: SimFill = {
      tradeId: trade.id,
      price: trade.price,
      quantity: q,
      quoteQuantity: trade.quoteQuantity,
      time: trade.time,
      maker,
    };
    order.fills.push(fill);
    const quote = this.#balance(acc, spec.quote.symbol);
    const base = this.#balance(acc, spec.base.symbol);
    if (order.side === 'buy') {
      if (order.type === 'limit') {
        const release =
          this.quoteAmount(spec, order.price, order.filled) -
          this.quoteAmount(spec, order.price, before);
        quote.locked -= release;
        quote.free += release - trade.quoteQuantity;
      } else {
        quote.free -= trade.quoteQuantity;
      }
      base.free += q;
    } else {
      if (order.type === 'limit') base.locked -= q;
      else base.free -= q;
      quote.free += trade.quoteQuantity;
    }
    touch(touched, acc.id, spec.quote.symbol);
    touch(touched, acc.id, spec.base.symbol);
    return fill;
  }

  #finish(
    order: LiveOrder,
    status: 'CANCELED' | 'EXPIRED',
    touched: Map<string, Set<string>>,
    time: number,
  ): void {
    const acc = this.#accounts.get(order.account) as AccountState;
    const spec = this.market(order.market).spec;
    if (order.type === 'limit') {
      if (order.side === 'buy') {
        const release =
          this.quoteAmount(spec, order.price, order.quantity) -
          this.quoteAmount(spec, order.price, order.filled);
        const b = this.#balance(acc, spec.quote.symbol);
        b.locked -= release;
        b.free += release;
        touch(touched, acc.id, spec.quote.symbol);
      } else {
        const release = order.quantity - order.filled;
        const b = this.#balance(acc, spec.base.symbol);
        b.locked -= release;
        b.free += release;
        touch(touched, acc.id, spec.base.symbol);
      }
    }
    order.status = status;
    order.updatedAt = time;
    this.#emit({
      type: 'order',
      account: acc.id,
      time,
      order: snapshotOrder(order),
      execution: status,
    });
  }

  #commitDepth(
    m: SimMarketState,
    changed: { bids: Set<bigint>; asks: Set<bigint> },
    time: number,
  ): void {
    const n = changed.bids.size + changed.asks.size;
    if (n === 0) return;
    const first = m.sequence + 1;
    m.sequence += n;
    this.#emit({
      type: 'depth',
      market: m.spec.id,
      firstUpdateId: first,
      lastUpdateId: m.sequence,
      time,
      bids: [...changed.bids].map((p) => [p, m.bids.get(p)?.total ?? 0n] as const),
      asks: [...changed.asks].map((p) => [p, m.asks.get(p)?.total ?? 0n] as const),
    });
  }

  #emitBalances(touched: Map<string, Set<string>>, time: number): void {
    for (const [account, assets] of touched) {
      const acc = this.#accounts.get(account);
      if (acc === undefined) continue;
      const balances = [...assets].map((asset) => {
        const b = this.#balance(acc, asset);
        return { asset, free: b.free, locked: b.locked };
      });
      this.#emit({ type: 'balance', account, time, balances });
    }
  }

  #lock(acc: AccountState, asset: string, amount: bigint): void {
    const b = this.#balance(acc, asset);
    b.free -= amount;
    b.locked += amount;
  }

  #balance(acc: AccountState, asset: string): { free: bigint; locked: bigint } {
    let b = acc.balances.get(asset);
    if (b === undefined) {
      b = { free: 0n, locked: 0n };
      acc.balances.set(asset, b);
    }
    return b;
  }
}

function isOpen(o: SimOrder): boolean {
  return o.status === 'NEW' || o.status === 'PARTIALLY_FILLED';
}

function touch(touched: Map<string, Set<string>>, account: string, asset: string): void {
  let s = touched.get(account);
  if (s === undefined) {
    s = new Set();
    touched.set(account, s);
  }
  s.add(asset);
}

/** Sets the market maker's quantity at `price` (0 removes it), keeping user orders' priority. */
function setMaker(side: BookSide, price: bigint, quantity: bigint): void {
  const existing = side.get(price);
  const entry = existing?.queue.find((e) => e.order === undefined);
  if (entry !== undefined && existing !== undefined) {
    existing.total += quantity - entry.remaining;
    entry.remaining = quantity;
    if (quantity === 0n) existing.queue.splice(existing.queue.indexOf(entry), 1);
    side.prune(price);
    return;
  }
  if (quantity === 0n) return;
  const level = side.ensure(price);
  level.queue.push({ order: undefined, remaining: quantity });
  level.total += quantity;
}
