import type { SimEvent, SimSession, SimSocket } from '../../../src/testing/index.js';
import { aggTrades, bookTicker, depth, depthWeight, klines, trades } from './market-data.js';
import {
  accountInfo,
  type BinanceParams,
  cancelAll,
  cancelOrder,
  openOrders,
  placeOrder,
  queryOrder,
} from './orders.js';
import { authenticate } from './rest.js';
import { wsApiPayload } from './signing.js';
import {
  type BinanceSimError,
  type BinanceSimState,
  binanceError,
  isBinanceError,
} from './state.js';

type RequestId = number | string | null;

interface Method {
  readonly weight: (p: BinanceParams) => number;
  /** Needs an account: explicit apiKey + signature, or the logged-on session. */
  readonly signed: boolean;
  readonly order?: 'new' | 'cancel';
  readonly run: (p: BinanceParams, account: string) => object | BinanceSimError;
}

/**
 * One WebSocket API connection (`/ws-api/v3`): request/response with ids and
 * `rateLimits`, `session.logon` (Ed25519), `userDataStream.subscribe(.signature)` and the
 * user data events wrapped as `{subscriptionId, event}`.
 */
export class BinanceWsApiSession implements SimSession {
  readonly #state: BinanceSimState;
  readonly #socket: SimSocket;
  readonly #connectedSince: number;
  readonly #returnRateLimits: boolean;
  readonly #methods: Readonly<Record<string, Method>>;
  #logon: { apiKey: string; since: number } | undefined;
  /** subscriptionId → account. */
  readonly #subscriptions = new Map<number, { account: string; viaLogon: boolean }>();
  #nextSubscriptionId = 0;
  #lastPong = Date.now();
  readonly #pingTimer: NodeJS.Timeout;

  constructor(state: BinanceSimState, socket: SimSocket) {
    this.#state = state;
    this.#socket = socket;
    this.#connectedSince = state.ctx.now();
    this.#returnRateLimits = socket.url.searchParams.get('returnRateLimits') !== 'false';
    state.ctx.stats.useWeight(socket.remoteAddress, 2);
    this.#pingTimer = setInterval(() => {
      if (Date.now() - this.#lastPong > state.pongTimeoutMs) {
        state.ctx.stats.violation('missedPong');
        socket.terminate();
        return;
      }
      socket.ping(String(state.ctx.now()));
    }, state.pingIntervalMs);
    this.#pingTimer.unref();
    const s = state;
    const fixed = (w: number) => () => w;
    this.#methods = {
      ping: { weight: fixed(1), signed: false, run: () => ({}) },
      time: { weight: fixed(1), signed: false, run: () => ({ serverTime: s.ctx.now() }) },
      exchangeInfo: { weight: fixed(20), signed: false, run: () => s.exchangeInfo(s.markets) },
      depth: {
        weight: (p) => depthWeight(Math.min(Number(p.limit ?? 100) || 100, 5000)),
        signed: false,
        run: (p) => depth(s, p),
      },
      'trades.recent': { weight: fixed(25), signed: false, run: (p) => trades(s, p) },
      'trades.aggregate': { weight: fixed(4), signed: false, run: (p) => aggTrades(s, p) },
      klines: { weight: fixed(2), signed: false, run: (p) => klines(s, p) },
      'ticker.book': {
        weight: (p) => (p.symbol !== undefined ? 2 : 4),
        signed: false,
        run: (p) => bookTicker(s, p),
      },
      'order.place': {
        weight: fixed(1),
        signed: true,
        order: 'new',
        run: (p, a) => placeOrder(s, a, p),
      },
      'order.test': { weight: fixed(1), signed: true, run: () => ({}) },
      'order.cancel': {
        weight: fixed(1),
        signed: true,
        order: 'cancel',
        run: (p, a) => cancelOrder(s, a, p),
      },
      'openOrders.cancelAll': {
        weight: fixed(1),
        signed: true,
        order: 'cancel',
        run: (p, a) => cancelAll(s, a, p),
      },
      'order.status': { weight: fixed(4), signed: true, run: (p, a) => queryOrder(s, a, p) },
      'openOrders.status': {
        weight: (p) => (p.symbol !== undefined ? 6 : 80),
        signed: true,
        run: (p, a) => openOrders(s, a, p),
      },
      'account.status': { weight: fixed(20), signed: true, run: (p, a) => accountInfo(s, a, p) },
    };
  }

  onPong(): void {
    this.#lastPong = Date.now();
  }

  onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.#send({ id: null, status: 400, error: { code: -1000, msg: 'Invalid JSON.' } });
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.#send({ id: null, status: 400, error: { code: -1000, msg: 'Invalid request.' } });
      return;
    }
    const req = msg as { id?: unknown; method?: unknown; params?: unknown };
    const id: RequestId = typeof req.id === 'number' || typeof req.id === 'string' ? req.id : null;
    const method = typeof req.method === 'string' ? req.method.replace(/^v3\//, '') : '';
    const rawParams =
      typeof req.params === 'object' && req.params !== null && !Array.isArray(req.params)
        ? (req.params as Record<string, unknown>)
        : {};
    const p: Record<string, string> = {};
    for (const [k, v] of Object.entries(rawParams)) p[k] = String(v);
    const withLimits = this.#returnRateLimits && p.returnRateLimits !== 'false';
    this.#handle(id, method, rawParams, p, withLimits);
  }

  #handle(
    id: RequestId,
    method: string,
    raw: Record<string, unknown>,
    p: BinanceParams,
    withLimits: boolean,
  ): void {
    const state = this.#state;
    const ctx = state.ctx;
    const ip = this.#socket.remoteAddress;
    const sessionWeight = 2;
    const respond = (
      status: number,
      body: { result?: unknown; error?: object },
      orders?: { c10: number; c1d: number },
    ): void => {
      const limits = [
        {
          rateLimitType: 'REQUEST_WEIGHT',
          interval: 'MINUTE',
          intervalNum: 1,
          limit: state.weightLimit,
          count: ctx.stats.weightUsed(ip),
        },
      ];
      if (orders !== undefined) {
        limits.push(
          {
            rateLimitType: 'ORDERS',
            interval: 'SECOND',
            intervalNum: 10,
            limit: state.ordersPer10s,
            count: orders.c10,
          },
          {
            rateLimitType: 'ORDERS',
            interval: 'DAY',
            intervalNum: 1,
            limit: state.ordersPerDay,
            count: orders.c1d,
          },
        );
      }
      this.#send({ id, status, ...body, ...(withLimits ? { rateLimits: limits } : {}) });
    };
    const fail = (e: BinanceSimError): void =>
      respond(e.status, { error: { code: e.code, msg: e.msg } });

    const sessionMethod = this.#sessionMethod(method, raw, p);
    const weight = sessionMethod !== undefined ? sessionWeight : this.#methods[method]?.weight(p);
    if (weight === undefined) {
      fail(binanceError(400, -1000, `Unknown method '${method}'.`));
      return;
    }
    const already = ctx.stats.weightUsed(ip);
    if (already + weight > state.weightLimit) {
      ctx.stats.violation('requestWeight');
      const now = ctx.now();
      const retryAfter = now - (now % 60_000) + 60_000;
      respond(429, {
        error: {
          code: -1003,
          msg: `Too much request weight used; current limit is ${state.weightLimit} request weight per 1 MINUTE.`,
          data: { retryAfter },
        },
      });
      return;
    }
    const m = this.#methods[method];
    ctx.stats.useWeight(ip, m?.order !== undefined ? 0 : weight);
    if (sessionMethod !== undefined) {
      const out = sessionMethod();
      if (isBinanceError(out)) fail(out);
      else respond(200, { result: out });
      return;
    }
    if (m === undefined) return;
    let account = '';
    if (m.signed) {
      if (p.signature !== undefined || this.#logon === undefined) {
        const auth = authenticate(state, p.apiKey, wsApiPayload(raw), p.signature, p, 'ws-api');
        if (typeof auth !== 'string') {
          if (m.order !== undefined) ctx.stats.useWeight(ip, weight);
          fail(auth);
          return;
        }
        account = auth;
      } else {
        // A logged-on session needs only a fresh timestamp; the signature check was the logon's.
        const auth = authenticate(state, this.#logon.apiKey, '', undefined, p, 'ws-api', false);
        if (typeof auth !== 'string') {
          fail(auth);
          return;
        }
        account = this.#logon.apiKey;
      }
    }
    let orders: { c10: number; c1d: number } | undefined;
    if (m.order === 'new') {
      const c10 = ctx.countInWindow(`orders10s:${account}`, 10_000, 0);
      const c1d = ctx.countInWindow(`orders1d:${account}`, 86_400_000, 0);
      if (c10 >= state.ordersPer10s || c1d >= state.ordersPerDay) {
        ctx.stats.violation('orderRate');
        ctx.stats.useWeight(ip, weight);
        respond(
          429,
          {
            error: {
              code: -1015,
              msg: `Too many new orders; current limit is ${state.ordersPer10s} orders per 10 SECOND.`,
            },
          },
          { c10, c1d },
        );
        return;
      }
    }
    const out = m.run(p, account);
    if (isBinanceError(out)) {
      if (m.order !== undefined) ctx.stats.useWeight(ip, weight);
      fail(out);
      return;
    }
    if (m.order === 'new') {
      orders = {
        c10: ctx.countInWindow(`orders10s:${account}`, 10_000, 1),
        c1d: ctx.countInWindow(`orders1d:${account}`, 86_400_000, 1),
      };
    }
    respond(200, { result: out }, orders);
  }

  /** Session and user-data-stream methods; undefined when `method` is not one. */
  #sessionMethod(
    method: string,
    raw: Record<string, unknown>,
    p: BinanceParams,
  ): (() => object | BinanceSimError) | undefined {
    const state = this.#state;
    const status = (): object => ({
      apiKey: this.#logon?.apiKey ?? null,
      authorizedSince: this.#logon?.since ?? null,
      connectedSince: this.#connectedSince,
      returnRateLimits: this.#returnRateLimits,
      serverTime: state.ctx.now(),
      userDataStream: [...this.#subscriptions.values()].some((s) => s.viaLogon),
    });
    switch (method) {
      case 'session.logon':
        return () => {
          const key = p.apiKey === undefined ? undefined : state.keys.get(p.apiKey);
          if (key !== undefined && key.ed25519PublicKey === undefined) {
            return binanceError(400, -4056, 'HMAC_SHA256 API key is not supported.');
          }
          const auth = authenticate(state, p.apiKey, wsApiPayload(raw), p.signature, p, 'ws-api');
          if (typeof auth !== 'string') return auth;
          this.#logon = { apiKey: auth, since: state.ctx.now() };
          return status();
        };
      case 'session.status':
        return status;
      case 'session.logout':
        return () => {
          for (const [id, s] of this.#subscriptions) if (s.viaLogon) this.#terminate(id);
          this.#logon = undefined;
          return status();
        };
      case 'session.subscriptions':
        return () => [...this.#subscriptions.keys()].map((subscriptionId) => ({ subscriptionId }));
      case 'userDataStream.subscribe':
        return () => {
          if (this.#logon === undefined)
            return binanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
          return this.#subscribe(this.#logon.apiKey, true);
        };
      case 'userDataStream.subscribe.signature':
        return () => {
          const auth = authenticate(state, p.apiKey, wsApiPayload(raw), p.signature, p, 'ws-api');
          if (typeof auth !== 'string') return auth;
          return this.#subscribe(auth, false);
        };
      case 'userDataStream.unsubscribe':
        return () => {
          if (p.subscriptionId !== undefined) {
            const id = Number(p.subscriptionId);
            if (!this.#subscriptions.has(id))
              return binanceError(400, -1100, "Invalid 'subscriptionId'.");
            this.#terminate(id);
          } else {
            for (const id of [...this.#subscriptions.keys()]) this.#terminate(id);
          }
          return {};
        };
      default:
        return undefined;
    }
  }

  #subscribe(account: string, viaLogon: boolean): object | BinanceSimError {
    for (const s of this.#subscriptions.values()) {
      if (s.account === account)
        return binanceError(400, -1000, 'User Data Stream subscription already active.');
    }
    const subscriptionId = this.#nextSubscriptionId++;
    this.#subscriptions.set(subscriptionId, { account, viaLogon });
    return { subscriptionId };
  }

  #terminate(subscriptionId: number): void {
    this.#subscriptions.delete(subscriptionId);
    this.#socket.send(
      JSON.stringify({
        subscriptionId,
        event: { e: 'eventStreamTerminated', E: this.#state.ctx.now() },
      }),
    );
  }

  onEvent(event: SimEvent): void {
    if (event.type !== 'order' && event.type !== 'balance') return;
    for (const [subscriptionId, s] of this.#subscriptions) {
      if (s.account !== event.account) continue;
      const payload =
        event.type === 'order' ? this.#executionReport(event) : this.#accountPosition(event);
      this.#socket.send(`{"subscriptionId":${subscriptionId},"event":${payload}}`);
    }
  }

  #executionReport(event: Extract<SimEvent, { type: 'order' }>): string {
    const state = this.#state;
    const o = event.order;
    const m = state.market(o.market);
    if (m === undefined) return '{}';
    const fill = event.fill;
    const cancelId = event.execution === 'CANCELED' ? state.cancelIds.get(o.orderId) : undefined;
    return JSON.stringify({
      e: 'executionReport',
      E: event.time,
      s: m.id,
      c: cancelId ?? o.clientOrderId,
      S: o.side === 'buy' ? 'BUY' : 'SELL',
      o: state.orderType(o),
      f: o.type === 'market' ? 'GTC' : o.timeInForce,
      q: state.qty(m, o.quantity),
      p: state.price(m, o.type === 'market' ? 0n : o.price),
      P: '0.00000000',
      F: '0.00000000',
      g: -1,
      C: cancelId !== undefined ? o.clientOrderId : '',
      x: event.execution,
      X: o.status,
      r: 'NONE',
      i: o.orderId,
      l: state.qty(m, fill?.quantity ?? 0n),
      z: state.qty(m, o.filled),
      L: state.price(m, fill?.price ?? 0n),
      n: '0',
      N: null,
      T: event.time,
      t: fill?.tradeId ?? -1,
      I: state.executionIdOf(event),
      w:
        o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'
          ? o.type === 'limit' && o.timeInForce === 'GTC'
          : false,
      m: fill?.maker ?? false,
      M: false,
      O: o.createdAt,
      Z: state.quote(m, o.filledQuote),
      Y: state.quote(m, fill?.quoteQuantity ?? 0n),
      Q: '0.00000000',
      W: o.createdAt,
      V: 'EXPIRE_MAKER',
    });
  }

  #accountPosition(event: Extract<SimEvent, { type: 'balance' }>): string {
    const state = this.#state;
    return JSON.stringify({
      e: 'outboundAccountPosition',
      E: event.time,
      u: event.time,
      B: event.balances.map((b) => ({
        a: b.asset,
        f: state.amount(b.asset, b.free),
        l: state.amount(b.asset, b.locked),
      })),
    });
  }

  onClose(): void {
    clearInterval(this.#pingTimer);
  }

  #send(body: object): void {
    this.#socket.reply(JSON.stringify(body));
  }
}
