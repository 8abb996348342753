import type { z } from 'zod';
import type { EndpointParams } from '../../../src/adapter/exchange-adapter.js';
import {
  createError,
  isTickwireError,
  type ErrorCode,
  type TickwireError,
} from '../../../src/errors/index.js';
import { Decimal, fromScaledInteger } from '../../../src/numbers/index.js';
import { createSessionKey, type Hex, type O2Wallet, type SessionKey } from '../crypto/index.js';
import { mapO2Error } from '../errors.js';
import type { O2_ENDPOINTS } from '../o2-adapter.js';
import {
  createO2SessionActionsRequest,
  createO2SessionRequest,
  o2CancelOrderAction,
  o2CreateOrderAction,
  o2SettleBalanceAction,
  type O2ActionGroup,
  type O2CreateOrderParams,
} from '../requests.js';
import { prepareO2Order, scaleO2Price, type O2ScaleMarket } from '../scaling.js';
import {
  normalizeO2Order,
  O2_MAX_ACTIONS,
  type O2Market,
  type O2MarketInfo,
  type O2OrderUpdate,
  type O2WireAction,
} from '../schemas/index.js';
import { resolveO2Credentials, type O2Credentials } from './credentials.js';
import { O2NonceManager } from './nonce-manager.js';

type Table = typeof O2_ENDPOINTS;

/**
 * What {@link O2Trading} needs from its adapter: endpoint calls through the adapter's REST
 * stack (throttle, error map, schema) and the market registry.
 *
 * @example
 * const host: O2TradingHost = { call: (n, p, o) => this.call(n, p, o), market: (m, o) => this.market(m, o), markets: (o) => this.loadMarkets(o) };
 */
export interface O2TradingHost {
  readonly call: <TName extends keyof Table & string>(
    name: TName,
    params: EndpointParams,
    options: { signal?: AbortSignal | undefined },
  ) => Promise<z.output<Table[TName]['schema']>>;
  readonly market: (symbolOrId: string, options: { signal?: AbortSignal }) => Promise<O2MarketInfo>;
  readonly markets: (options: { signal?: AbortSignal }) => Promise<readonly O2MarketInfo[]>;
}

/**
 * An order type as O2 names it on the wire; `boundedMarket` carries human prices.
 * `Spot` rests the remainder, `PostOnly` reverts if it would take, `FillOrKill` reverts
 * unless fully filled, `Market` takes what there is.
 *
 * @example
 * const t: O2OrderType = { boundedMarket: { maxPrice: '0.0215', minPrice: '0.0210' } };
 */
export type O2OrderType =
  | 'Spot'
  | 'PostOnly'
  | 'FillOrKill'
  | 'Market'
  | {
      readonly boundedMarket: {
        readonly maxPrice: Decimal | string;
        readonly minPrice: Decimal | string;
      };
    };

/**
 * An order to place: market (symbol, alias or `0x` id), side, and price / quantity in human
 * units as `Decimal` or exact decimal strings. Tick, step, FractionalPrice and `min_order`
 * are checked before anything is sent (`ORDER_FILTER_FAILED` naming the rule).
 *
 * @example
 * const order: O2OrderParams = { market: 'fFUEL/fUSDC', side: 'buy', price: '0.0213', quantity: '100' };
 */
export interface O2OrderParams {
  readonly market: string;
  readonly side: 'buy' | 'sell';
  readonly price: Decimal | string;
  readonly quantity: Decimal | string;
  /** Default `'Spot'`. */
  readonly orderType?: O2OrderType;
}

/**
 * One action of {@link O2Trading.batch}.
 *
 * @example
 * const actions: O2BatchAction[] = [
 *   { type: 'cancel', market: 'fFUEL/fUSDC', orderId },
 *   { type: 'place', market: 'fFUEL/fUSDC', side: 'buy', price: '0.0212', quantity: '100' },
 * ];
 */
export type O2BatchAction =
  | ({ readonly type: 'place' } & O2OrderParams)
  | { readonly type: 'cancel'; readonly market: string; readonly orderId: string }
  | { readonly type: 'settle'; readonly market: string };

/**
 * The outcome of a successful session-actions transaction.
 *
 * @example
 * const { txId, orders, nonce } = await o2.batch(actions);
 */
export interface O2ActionsResult {
  /** The transaction id. */
  readonly txId: string;
  /** Orders the transaction created or touched (the server's `collect_orders`), normalised. */
  readonly orders: readonly O2OrderUpdate[];
  /** The account nonce the transaction used (the next one is `nonce + 1n`). */
  readonly nonce: bigint;
  readonly raw: unknown;
}

/**
 * The outcome of {@link O2Trading.placeOrder}: the transaction and the created order.
 *
 * @example
 * const { order } = await o2.placeOrder({ market: 'fFUEL/fUSDC', side: 'sell', price: '0.0214', quantity: '100' });
 * order?.status; // 'open' | 'partially_filled' | 'filled'
 */
export interface O2PlaceOrderResult extends O2ActionsResult {
  /** The created order, when the server returned it. */
  readonly order?: O2OrderUpdate;
}

/**
 * The trading session in use (the session private key never leaves the adapter).
 *
 * @example
 * o2.session?.expiresAt.toISOString();
 */
export interface O2SessionInfo {
  /** The session key's b256 address (`session_id`). */
  readonly address: Hex;
  readonly tradeAccountId: Hex;
  /** Unified symbols of the markets the session may trade. */
  readonly markets: readonly string[];
  /** Their order-book contract ids, as signed. */
  readonly contractIds: readonly Hex[];
  readonly expiresAt: Date;
  /** The session-creation transaction. */
  readonly txId: string;
}

/**
 * A market summary in human units (24 h figures); fields the server left out are absent.
 *
 * @example
 * (await o2.getMarketSummary('fFUEL/fUSDC')).last?.toFixed();
 */
export interface O2MarketSummary {
  readonly market: string;
  readonly last?: Decimal;
  readonly high?: Decimal;
  readonly low?: Decimal;
  /** Base volume. */
  readonly volume?: Decimal;
  /** Price change in quote units. */
  readonly change?: Decimal;
  /** Price change in percent, when the server sends it. */
  readonly changePercent?: Decimal;
  readonly raw: unknown;
}

interface SessionState {
  readonly key: SessionKey;
  readonly info: O2SessionInfo;
  readonly contractIds: ReadonlySet<string>;
}

interface PreparedAction {
  readonly market: O2MarketInfo;
  readonly wire: O2WireAction;
  /** What the action was, for `ORDER_STATUS_UNKNOWN` context. */
  readonly describe: Readonly<Record<string, string>>;
}

const DAY_MS = 86_400_000;
const DEFAULT_SESSION_MS = 30 * DAY_MS;

function invalid(argument: string, message: string): TickwireError {
  return createError('INVALID_ARGUMENT', `o2 ${argument}: ${message}`, {
    context: { argument, exchange: 'o2' },
  });
}

/**
 * O2 trading: the owner wallet, trading-account resolution, session creation signed by the
 * owner, and session actions (create / cancel / settle, batches of at most 5 actions across
 * at most 5 markets) signed by a locally generated session key. Actions of one account go
 * through an {@link O2NonceManager}, so concurrent calls never sign the same nonce.
 * `POST /v1/session/actions` is never re-sent: when its outcome cannot be known (timeout,
 * connection lost or 5xx after sending, abort in flight) the call fails with
 * `ORDER_STATUS_UNKNOWN` carrying the market and actions, to reconcile with `getOrders`.
 * `O2Adapter` delegates its trading methods here.
 *
 * @example
 * await using o2 = new O2Adapter({ credentials: { owner: key, kind: 'fuel' } });
 * await o2.createSession({ markets: ['fFUEL/fUSDC'] });
 * const { order } = await o2.placeOrder({ market: 'fFUEL/fUSDC', side: 'buy', price: '0.0213', quantity: '100' });
 */
export class O2Trading {
  /** The per-account nonce manager (exposed for stats and for feeding `streamNonce`). */
  readonly nonces: O2NonceManager;
  /** The owner wallet, when credentials were given. */
  readonly owner: O2Wallet | undefined;
  readonly #host: O2TradingHost;
  #tradeAccountId: Hex | undefined;
  #session: SessionState | undefined;
  #chainId: Promise<bigint> | undefined;

  constructor(host: O2TradingHost, credentials?: O2Credentials) {
    this.#host = host;
    const resolved = resolveO2Credentials(credentials);
    this.owner = resolved?.owner;
    this.#tradeAccountId = resolved?.tradeAccountId;
    this.nonces = new O2NonceManager({
      fetchNonce: async (tradeAccountId, options) => {
        const body = await this.#host.call(
          'account',
          { query: { trade_account_id: tradeAccountId } },
          options,
        );
        const nonce = body.trade_account?.nonce;
        if (nonce === undefined) {
          throw createError('AUTH_INVALID_KEY', `o2: trading account ${tradeAccountId} not found`, {
            context: { exchange: 'o2' },
          });
        }
        return nonce;
      },
    });
  }

  /** The session in use, or `undefined` before {@link O2Trading.createSession}. */
  get session(): O2SessionInfo | undefined {
    return this.#session?.info;
  }

  /**
   * `GET /v1/markets/summary` in human units.
   *
   * @example
   * const { high, low, last } = await o2.getMarketSummary('fFUEL/fUSDC');
   */
  async getMarketSummary(
    market: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<O2MarketSummary> {
    const m = await this.#host.market(market, options);
    const body = await this.#host.call('summary', { query: { market_id: m.id } }, options);
    const s = body.find((e) => e.market_id === undefined || e.market_id === m.id) ?? body[0];
    if (s === undefined) {
      throw createError('VALIDATION_FAILED', 'o2 market summary: empty response', {
        context: { exchange: 'o2', what: 'o2 market summary', path: '0' },
      });
    }
    const price = (v: string | null | undefined, f: string): Decimal | undefined =>
      human(v, m.quoteDecimals, f);
    const out: Record<string, unknown> = {
      market: m.symbol,
      last: price(s.last_price ?? s.price, 'last_price'),
      high: price(s.high_price ?? s.highest_price_24h, 'high_price'),
      low: price(s.low_price ?? s.lowest_price_24h, 'low_price'),
      volume: human(s.volume_24h ?? s.base_volume, m.baseDecimals, 'volume_24h'),
      change: price(s.change_24h, 'change_24h'),
      changePercent:
        s.price_change_percent_24h == null ? undefined : new Decimal(s.price_change_percent_24h),
      raw: body,
    };
    for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
    return out as unknown as O2MarketSummary;
  }

  /**
   * `POST /v1/accounts`: creates the owner's trading account (the server answers with the
   * existing one when there is one) and primes the nonce manager.
   *
   * @example
   * const { tradeAccountId, nonce } = await o2.createAccount({ signal });
   */
  async createAccount(
    options: { signal?: AbortSignal } = {},
  ): Promise<{ tradeAccountId: Hex; nonce?: bigint }> {
    const owner = this.#requireOwner('createAccount');
    const body = await this.#host.call(
      'createAccount',
      { body: { json: { identity: { Address: owner.b256Address } } } },
      options,
    );
    const tradeAccountId = body.trade_account_id.toLowerCase() as Hex;
    this.#tradeAccountId = tradeAccountId;
    if (body.nonce !== undefined) this.nonces.set(tradeAccountId, body.nonce);
    return body.nonce === undefined ? { tradeAccountId } : { tradeAccountId, nonce: body.nonce };
  }

  /**
   * The owner's trading account: from the credentials, else looked up by owner
   * (`GET /v1/accounts?owner=`), else created.
   *
   * @example
   * const account = await o2.tradeAccountId({ signal });
   */
  async tradeAccountId(options: { signal?: AbortSignal } = {}): Promise<Hex> {
    if (this.#tradeAccountId !== undefined) return this.#tradeAccountId;
    const owner = this.#requireOwner('tradeAccountId');
    const found = await this.#host.call(
      'account',
      { query: { owner: owner.b256Address } },
      options,
    );
    if (typeof found.trade_account_id === 'string') {
      this.#tradeAccountId = found.trade_account_id.toLowerCase() as Hex;
      return this.#tradeAccountId;
    }
    return (await this.createAccount(options)).tradeAccountId;
  }

  /**
   * Opens a trading session: generates a session key locally, signs `set_session` with the
   * owner key (Fuel or EVM personal-sign) over the markets' order-book contracts and the
   * expiry, and sends `PUT /v1/session`. Consumes one account nonce. Replaces any earlier
   * session of this adapter.
   *
   * @example
   * const session = await o2.createSession({ markets: ['fFUEL/fUSDC'], expiry: Date.now() + 86_400_000, signal });
   */
  async createSession(
    params: {
      /** Markets the session may trade. Default: every market. */
      readonly markets?: readonly string[];
      /** When the session ends, epoch ms or a `Date`. Default: in 30 days. */
      readonly expiry?: Date | number;
      readonly signal?: AbortSignal;
    } = {},
  ): Promise<O2SessionInfo> {
    const options = params.signal === undefined ? {} : { signal: params.signal };
    const owner = this.#requireOwner('createSession');
    const markets =
      params.markets === undefined
        ? await this.#host.markets(options)
        : await Promise.all(params.markets.map((m) => this.#host.market(m, options)));
    if (markets.length === 0) throw invalid('markets', 'a session needs at least one market');
    const expiryMs =
      params.expiry === undefined
        ? Date.now() + DEFAULT_SESSION_MS
        : params.expiry instanceof Date
          ? params.expiry.getTime()
          : params.expiry;
    if (!Number.isFinite(expiryMs) || expiryMs <= Date.now()) {
      throw invalid('expiry', 'the session expiry must be in the future');
    }
    const expirySeconds = BigInt(Math.floor(expiryMs / 1000));
    const contractIds = [...new Set(markets.map((m) => m.contractId.toLowerCase() as Hex))];
    const tradeAccountId = await this.tradeAccountId(options);
    const chainId = await this.#chainInfo(options);
    const key = createSessionKey();
    const response = await this.nonces.run(
      tradeAccountId,
      async (nonce) => {
        const r = await this.#host.call(
          'session',
          {
            body: {
              json: createO2SessionRequest({
                owner,
                tradeAccountId,
                sessionKey: key,
                contractIds,
                nonce,
                chainId,
                expiry: expirySeconds,
              }),
            },
          },
          options,
        );
        if (r.outcome === 'error') {
          throw mapO2Error(r.body, { status: 200, method: 'PUT', url: '/v1/session' });
        }
        return r;
      },
      options,
    );
    const info: O2SessionInfo = {
      address: key.b256Address,
      tradeAccountId,
      markets: [...new Set(markets.map((m) => m.symbol))],
      contractIds,
      expiresAt: new Date(Number(expirySeconds) * 1000),
      txId: response.tx_id,
    };
    this.#session = { key, info, contractIds: new Set(contractIds) };
    return info;
  }

  /**
   * Places one order (a single `CreateOrder` action). Price and quantity are scaled exactly
   * and checked against tick, step, FractionalPrice and `min_order` before sending.
   *
   * @example
   * const { order, txId } = await o2.placeOrder({ market: 'fFUEL/fUSDC', side: 'buy', price: '0.0213', quantity: '100', signal });
   */
  async placeOrder(
    params: O2OrderParams & { readonly signal?: AbortSignal },
  ): Promise<O2PlaceOrderResult> {
    const options = params.signal === undefined ? {} : { signal: params.signal };
    const action = await this.#prepare({ type: 'place', ...params }, options);
    const result = await this.#submit([action], options);
    const order = result.orders.find((o) => o.side === params.side) ?? result.orders[0];
    return order === undefined ? result : { ...result, order };
  }

  /**
   * Cancels one order (`CancelOrder`). Cancelling an order that is no longer open reverts
   * on chain (`EXCHANGE_REVERTED`), which consumes a nonce.
   *
   * @example
   * await o2.cancelOrder({ market: 'fFUEL/fUSDC', orderId, signal });
   */
  async cancelOrder(params: {
    readonly market: string;
    readonly orderId: string;
    readonly signal?: AbortSignal;
  }): Promise<O2ActionsResult> {
    const options = params.signal === undefined ? {} : { signal: params.signal };
    const action = await this.#prepare({ type: 'cancel', ...params }, options);
    return this.#submit([action], options);
  }

  /**
   * Moves a market's settled proceeds back to the trading account (`SettleBalance`).
   *
   * @example
   * await o2.settleBalance({ market: 'fFUEL/fUSDC', signal });
   */
  async settleBalance(params: {
    readonly market: string;
    readonly signal?: AbortSignal;
  }): Promise<O2ActionsResult> {
    const options = params.signal === undefined ? {} : { signal: params.signal };
    const action = await this.#prepare({ type: 'settle', ...params }, options);
    return this.#submit([action], options);
  }

  /**
   * Sends up to 5 actions across up to 5 markets as one atomic transaction (one nonce; if
   * one action reverts, all do). Actions are grouped by market in first-seen order. More
   * actions or markets, or none, is `INVALID_ARGUMENT` naming the rule, before anything is
   * sent; so are order-rule violations (`ORDER_FILTER_FAILED`).
   *
   * @example
   * await o2.batch([
   *   { type: 'cancel', market: 'fFUEL/fUSDC', orderId },
   *   { type: 'place', market: 'fFUEL/fUSDC', side: 'buy', price: '0.0212', quantity: '100' },
   * ], { signal });
   */
  async batch(
    actions: readonly O2BatchAction[],
    options: { signal?: AbortSignal } = {},
  ): Promise<O2ActionsResult> {
    if (actions.length === 0) throw invalid('actions', 'a batch needs at least one action');
    if (actions.length > O2_MAX_ACTIONS) {
      throw invalid(
        'actions',
        `at most ${O2_MAX_ACTIONS} actions per request (max_actions rule), got ${actions.length}`,
      );
    }
    const prepared: PreparedAction[] = [];
    for (const a of actions) prepared.push(await this.#prepare(a, options));
    const markets = new Set(prepared.map((p) => p.market.id));
    if (markets.size > O2_MAX_ACTIONS) {
      throw invalid(
        'actions',
        `at most ${O2_MAX_ACTIONS} markets per request (max_markets rule), got ${markets.size}`,
      );
    }
    return this.#submit(prepared, options);
  }

  #requireOwner(what: string): O2Wallet {
    if (this.owner === undefined) {
      throw createError(
        'AUTH_MISSING_CREDENTIALS',
        `o2 ${what}: needs owner credentials (O2Adapter({ credentials }))`,
        { context: { exchange: 'o2' } },
      );
    }
    return this.owner;
  }

  /** The chain id signed into `set_session`, read once from `GET /v1/markets`. */
  #chainInfo(options: { signal?: AbortSignal }): Promise<bigint> {
    if (this.#chainId === undefined) {
      const pending = this.#host.call('markets', {}, options).then(
        (body) => body.chain_id,
        (e: unknown) => {
          if (this.#chainId === pending) this.#chainId = undefined;
          throw e;
        },
      );
      this.#chainId = pending;
    }
    return this.#chainId;
  }

  /** Resolves the market and builds the wire action; every rule is checked here, before sending. */
  async #prepare(
    action: O2BatchAction,
    options: { signal?: AbortSignal },
  ): Promise<PreparedAction> {
    const market = await this.#host.market(action.market, options);
    const symbol = market.symbol;
    switch (action.type) {
      case 'place': {
        if (action.side !== 'buy' && action.side !== 'sell') {
          throw invalid('side', `expected 'buy' or 'sell'`);
        }
        const scaleMarket = toScaleMarket(market);
        const { price, quantity } = prepareO2Order(
          { price: action.price, quantity: action.quantity },
          scaleMarket,
        );
        const t = action.orderType ?? 'Spot';
        const orderType: O2CreateOrderParams['orderType'] =
          typeof t === 'string'
            ? t
            : {
                BoundedMarket: {
                  maxPrice: scaleO2Price(t.boundedMarket.maxPrice, scaleMarket),
                  minPrice: scaleO2Price(t.boundedMarket.minPrice, scaleMarket),
                },
              };
        return {
          market,
          wire: o2CreateOrderAction({ side: action.side, price, quantity, orderType }),
          describe: {
            type: 'place',
            market: symbol,
            side: action.side,
            price: String(action.price),
            quantity: String(action.quantity),
          },
        };
      }
      case 'cancel': {
        if (!/^0x[0-9a-fA-F]{64}$/.test(action.orderId)) {
          throw invalid('orderId', 'expected 0x + 64 hex digits');
        }
        return {
          market,
          wire: o2CancelOrderAction(action.orderId as Hex),
          describe: { type: 'cancel', market: symbol, orderId: action.orderId.toLowerCase() },
        };
      }
      case 'settle': {
        const session = this.#requireSession([market]);
        return {
          market,
          wire: o2SettleBalanceAction(session.info.tradeAccountId),
          describe: { type: 'settle', market: symbol },
        };
      }
      default:
        throw invalid('actions', 'unknown action type');
    }
  }

  #requireSession(markets: readonly O2MarketInfo[]): SessionState {
    const session = this.#session;
    if (session === undefined) {
      throw createError('AUTH_SESSION_EXPIRED', 'o2: no trading session; call createSession()', {
        context: { exchange: 'o2' },
      });
    }
    if (session.info.expiresAt.getTime() <= Date.now()) {
      this.#session = undefined;
      throw createError(
        'AUTH_SESSION_EXPIRED',
        `o2: the trading session expired at ${session.info.expiresAt.toISOString()}; call createSession()`,
        { context: { exchange: 'o2', expiredAt: session.info.expiresAt.getTime() } },
      );
    }
    for (const m of markets) {
      if (!session.contractIds.has(m.contractId.toLowerCase())) {
        throw createError(
          'AUTH_SESSION_EXPIRED',
          `o2: the trading session does not cover ${m.symbol}; create one that includes it`,
          { context: { exchange: 'o2', market: m.symbol } },
        );
      }
    }
    return session;
  }

  async #submit(
    actions: readonly PreparedAction[],
    options: { signal?: AbortSignal },
  ): Promise<O2ActionsResult> {
    const session = this.#requireSession(actions.map((a) => a.market));
    const groups: O2ActionGroup[] = [];
    const byMarket = new Map<string, { market: O2MarketInfo; actions: O2WireAction[] }>();
    for (const a of actions) {
      let g = byMarket.get(a.market.id);
      if (g === undefined) {
        g = { market: a.market, actions: [] };
        byMarket.set(a.market.id, g);
      }
      g.actions.push(a.wire);
    }
    for (const g of byMarket.values()) {
      groups.push({
        market: {
          marketId: g.market.id as Hex,
          contractId: g.market.contractId as Hex,
          baseAssetId: g.market.baseAssetId as Hex,
          quoteAssetId: g.market.quoteAssetId as Hex,
          baseDecimals: g.market.baseDecimals,
        },
        actions: g.actions,
      });
    }
    const account = session.info.tradeAccountId;
    const context = {
      exchange: 'o2',
      market: actions[0]?.market.symbol ?? '',
      markets: [...byMarket.values()].map((g) => g.market.symbol),
      actions: actions.map((a) => a.describe),
      tradeAccountId: account,
    };
    return this.nonces.run(
      account,
      async (nonce) => {
        const body = createO2SessionActionsRequest({
          sessionKey: session.key,
          tradeAccountId: account,
          nonce,
          groups,
          collectOrders: true,
        });
        let res;
        try {
          res = await this.#host.call('sessionActions', { body: { json: body } }, options);
        } catch (e) {
          throw this.#actionError(e, { ...context, nonce: String(nonce) });
        }
        const where = { method: 'POST', url: '/v1/session/actions', status: 200 };
        if (res.outcome === 'preflight') {
          const err = mapO2Error(
            { code: res.code, message: res.message ?? res.error ?? '' },
            where,
          );
          throw this.#actionError(err, { ...context, nonce: String(nonce) });
        }
        if (res.outcome === 'reverted') {
          throw mapO2Error(
            {
              ...(res.code === undefined ? {} : { code: res.code }),
              message: res.message ?? '',
              reason: res.reason,
              receipts: ('receipts' in res ? res.receipts : undefined) ?? null,
            },
            where,
          );
        }
        const orders = (res.orders ?? []).map((o) => {
          const m =
            [...byMarket.values()].find((g) => g.market.id === o.market_id?.toLowerCase())
              ?.market ?? actions[0]!.market;
          return normalizeO2Order(o, m);
        });
        return { txId: res.tx_id, orders, nonce, raw: res };
      },
      options,
    );
  }

  /** Adds what the bot needs to reconcile, and makes an in-flight abort an unknown outcome. */
  #actionError(e: unknown, context: Record<string, unknown>): unknown {
    if (!isTickwireError(e)) return e;
    if (e.code === 'AUTH_SESSION_EXPIRED') this.#session = undefined;
    const inFlightAbort = e.code === 'ABORTED' && (e.context as { sent?: unknown }).sent !== false;
    if (e.code !== 'ORDER_STATUS_UNKNOWN' && !inFlightAbort) return e;
    const code: ErrorCode = 'ORDER_STATUS_UNKNOWN';
    return createError(
      code,
      `o2 session actions on ${String(context['markets'])}: ${e.message}; reconcile with getOrders() before retrying`,
      {
        context: {
          ...e.context,
          ...context,
          reason: (e.context as { reason?: unknown }).reason ?? e.code,
        },
        cause: e,
      },
    );
  }
}

function toScaleMarket(m: O2MarketInfo): O2ScaleMarket {
  const raw = m.raw as Partial<O2Market> | undefined;
  return {
    market_id: m.symbol,
    base: { decimals: m.baseDecimals, max_precision: m.baseMaxPrecision },
    quote: { decimals: m.quoteDecimals, max_precision: m.quoteMaxPrecision },
    min_order: raw?.min_order ?? undefined,
  };
}

/** A wire value in human units: (signed) chain integers are scaled, decimals with a point kept. */
function human(v: string | null | undefined, decimals: number, field: string): Decimal | undefined {
  if (v === undefined || v === null) return undefined;
  if (/^-\d+$/.test(v)) return fromScaledInteger(v.slice(1), decimals, field).negated();
  return /^\d+$/.test(v) ? fromScaledInteger(v, decimals, field) : new Decimal(v);
}
