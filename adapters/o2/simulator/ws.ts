import type { SimEvent, SimSession, SimSocket } from '../../../src/testing/index.js';
import { depthBucket, groupedLevels, parsePrecision, tradeBody } from './rest.js';
import type { O2SimState } from './state.js';

const MAX_IDENTITIES = 10;

function identityIds(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: string[] = [];
  for (const i of v) {
    if (typeof i !== 'object' || i === null) return undefined;
    const id =
      (i as { ContractId?: unknown; Address?: unknown }).ContractId ??
      (i as { Address?: unknown }).Address;
    if (typeof id !== 'string') return undefined;
    out.push(id.toLowerCase());
  }
  return out;
}

/**
 * Builds O2 stream frames once per engine event (and per depth precision), shared by all
 * sockets.
 */
export class O2FrameCache {
  readonly #state: O2SimState;
  readonly #cache = new WeakMap<SimEvent, Map<string, string>>();

  constructor(state: O2SimState) {
    this.#state = state;
  }

  #memo(event: SimEvent, key: string, build: () => string): string {
    let m = this.#cache.get(event);
    if (m === undefined) {
      m = new Map();
      this.#cache.set(event, m);
    }
    let v = m.get(key);
    if (v === undefined) {
      v = build();
      m.set(key, v);
    }
    return v;
  }

  /** `subscribe_depth` snapshot of a market at `precision`. */
  snapshot(market: string, precision: bigint): string {
    const book = this.#state.ctx.engine.market(market);
    const now = String(this.#state.ctx.now());
    return JSON.stringify({
      action: 'subscribe_depth',
      market_id: market,
      view: {
        buys: groupedLevels(book.bids.levels(), precision, true),
        sells: groupedLevels(book.asks.levels(), precision, false),
      },
      onchain_timestamp: now,
      seen_timestamp: now,
    });
  }

  depthUpdate(event: Extract<SimEvent, { type: 'depth' }>, precision: bigint): string {
    return this.#memo(event, `depth:${precision}`, () => {
      const book = this.#state.ctx.engine.market(event.market);
      const bucketTotals = (
        isBid: boolean,
        prices: readonly bigint[],
      ): { price: string; quantity: string }[] => {
        const side = isBid ? book.bids : book.asks;
        const seen = new Set<bigint>();
        const out: { price: string; quantity: string }[] = [];
        for (const p of prices) {
          const bucket = depthBucket(p, precision, isBid);
          if (seen.has(bucket)) continue;
          seen.add(bucket);
          let total = 0n;
          if (precision === 1n) total = side.get(p)?.total ?? 0n;
          else
            for (const l of side.levels())
              if (depthBucket(l.price, precision, isBid) === bucket) total += l.total;
          out.push({ price: bucket.toString(), quantity: total.toString() });
        }
        return out;
      };
      const t = String(event.time);
      return JSON.stringify({
        action: 'subscribe_depth_update',
        market_id: event.market,
        changes: {
          buys: bucketTotals(
            true,
            event.bids.map(([p]) => p),
          ),
          sells: bucketTotals(
            false,
            event.asks.map(([p]) => p),
          ),
        },
        onchain_timestamp: t,
        seen_timestamp: t,
      });
    });
  }

  trades(event: Extract<SimEvent, { type: 'trade' }>): string {
    return this.#memo(event, 'trades', () => {
      const t = String(event.time);
      return JSON.stringify({
        action: 'subscribe_trades',
        market_id: event.market,
        trades: event.trades.map(tradeBody),
        onchain_timestamp: t,
        seen_timestamp: t,
      });
    });
  }

  orders(event: Extract<SimEvent, { type: 'order' }>): string {
    return this.#memo(event, 'orders', () => {
      const t = String(event.time);
      return JSON.stringify({
        action: 'subscribe_orders',
        orders: [this.#state.orderBody(event.order)],
        onchain_timestamp: t,
        seen_timestamp: t,
      });
    });
  }

  balances(event: Extract<SimEvent, { type: 'balance' }>): string {
    return this.#memo(event, 'balances', () => {
      const t = String(event.time);
      const state = this.#state;
      return JSON.stringify({
        action: 'subscribe_balances',
        balance: event.balances.map((b) => ({
          identity: { ContractId: event.account },
          asset_id: state.assetId(b.asset),
          ...state.balanceEntry(event.account, b.asset),
        })),
        onchain_timestamp: t,
        seen_timestamp: t,
      });
    });
  }

  nonce(event: Extract<SimEvent, { type: 'nonce' }>): string {
    return this.#memo(event, 'nonce', () => {
      const t = String(event.time);
      return JSON.stringify({
        action: 'subscribe_nonce',
        contract_id: event.account,
        nonce: event.nonce.toString(),
        onchain_timestamp: t,
        seen_timestamp: t,
      });
    });
  }
}

/**
 * One O2 socket (`/v1/ws`): subscribe/unsubscribe for depth (snapshot then
 * `subscribe_depth_update`), trades, orders, balances and nonce; text `PING` → `PONG`; the
 * server closes a socket that sent nothing for `inactivityTimeoutMs` (protocol-level pings
 * do not count, as the docs advise text `PING`).
 */
export class O2WsSession implements SimSession {
  readonly #state: O2SimState;
  readonly #socket: SimSocket;
  readonly #frames: O2FrameCache;
  readonly #depth = new Map<string, bigint>();
  readonly #trades = new Set<string>();
  readonly #orders = new Set<string>();
  readonly #balances = new Set<string>();
  readonly #nonce = new Set<string>();
  #idle: NodeJS.Timeout | undefined;

  constructor(state: O2SimState, socket: SimSocket, frames: O2FrameCache) {
    this.#state = state;
    this.#socket = socket;
    this.#frames = frames;
    this.#armIdle();
  }

  #armIdle(): void {
    if (this.#idle !== undefined) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      this.#state.ctx.stats.violation('inactivityTimeout');
      this.#socket.close(1000, 'inactivity timeout');
    }, this.#state.inactivityTimeoutMs);
    this.#idle.unref();
  }

  #error(code: number, message: string): void {
    this.#socket.reply(JSON.stringify({ code, message }));
  }

  onMessage(text: string): void {
    this.#armIdle();
    if (text === 'PING') {
      this.#socket.reply('PONG');
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.#error(1002, 'Parse error');
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as Record<string, unknown>;
    const market = typeof m.market_id === 'string' ? this.#state.market(m.market_id) : undefined;
    switch (m.action) {
      case 'subscribe_depth': {
        const precision = parsePrecision(m.precision ?? '10');
        if (market === undefined || precision === undefined)
          return this.#error(6002, 'General subscription error');
        if (this.#depth.has(market.id))
          return this.#error(6000, 'Already subscribed to this topic');
        this.#depth.set(market.id, precision);
        this.#socket.send(this.#frames.snapshot(market.id, precision));
        return;
      }
      case 'unsubscribe_depth':
        if (market !== undefined) this.#depth.delete(market.id);
        return;
      case 'subscribe_trades':
        if (market === undefined) return this.#error(6002, 'General subscription error');
        if (this.#trades.has(market.id))
          return this.#error(6000, 'Already subscribed to this topic');
        this.#trades.add(market.id);
        return;
      case 'unsubscribe_trades':
        if (market !== undefined) this.#trades.delete(market.id);
        return;
      case 'subscribe_orders':
      case 'subscribe_balances':
      case 'subscribe_nonce': {
        const ids = identityIds(m.identities);
        if (ids === undefined || ids.length === 0)
          return this.#error(6002, 'General subscription error');
        if (ids.length > MAX_IDENTITIES) {
          this.#state.ctx.stats.violation('o2TooManyIdentities');
          return this.#error(6001, 'Subscription limit exceeded');
        }
        const set =
          m.action === 'subscribe_orders'
            ? this.#orders
            : m.action === 'subscribe_balances'
              ? this.#balances
              : this.#nonce;
        if (ids.every((i) => set.has(i)))
          return this.#error(6000, 'Already subscribed to this topic');
        for (const i of ids) set.add(i);
        return;
      }
      case 'unsubscribe_orders':
        this.#orders.clear();
        return;
      case 'unsubscribe_balances':
      case 'unsubscribe_nonce': {
        const set = m.action === 'unsubscribe_balances' ? this.#balances : this.#nonce;
        for (const i of identityIds(m.identities) ?? []) set.delete(i);
        return;
      }
      default:
        return;
    }
  }

  onEvent(event: SimEvent): void {
    switch (event.type) {
      case 'depth': {
        const precision = this.#depth.get(event.market);
        if (precision !== undefined) this.#socket.send(this.#frames.depthUpdate(event, precision));
        return;
      }
      case 'trade':
        if (this.#trades.has(event.market)) this.#socket.send(this.#frames.trades(event));
        return;
      case 'order':
        if (this.#orders.has(event.account)) this.#socket.send(this.#frames.orders(event));
        return;
      case 'balance':
        if (this.#balances.has(event.account)) this.#socket.send(this.#frames.balances(event));
        return;
      case 'nonce':
        if (this.#nonce.has(event.account)) this.#socket.send(this.#frames.nonce(event));
        return;
    }
  }

  onClose(): void {
    if (this.#idle !== undefined) clearTimeout(this.#idle);
  }
}
