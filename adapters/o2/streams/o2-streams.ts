import type { ChannelRoute, ChannelTable, NonceUpdate } from '../../../src/adapter/index.js';
import { createError, type TickwireError } from '../../../src/errors/index.js';
import { DROP, type Drop } from '../../../src/pipeline/index.js';
import { parse } from '../../../src/schemas/index.js';
import {
  type BackoffConfig,
  type CircuitBreakerConfig,
  WsManager,
  type WsChannelSpec,
} from '../../../src/ws/index.js';
import { mapO2Error } from '../errors.js';
import { o2DepthPrecision, o2Frames } from '../requests.js';
import { parseO2DepthDeltaText } from '../schemas/fast-depth-text.js';
import { parseO2DepthUpdateFast } from '../schemas/fast-depth.js';
import {
  normalizeO2Balance,
  normalizeO2Nonce,
  normalizeO2Order,
  normalizeO2Trade,
  type O2BalanceUpdate,
  type O2DepthUpdate,
  type O2MarketInfo,
  type O2OrderUpdate,
  type O2TradeUpdate,
} from '../schemas/normalize.js';
import {
  O2BalancesFrame,
  O2NonceFrame,
  O2OrdersFrame,
  O2TradesFrame,
} from '../schemas/stream-frames.js';

/**
 * The channels O2 streams, with their parameters and typed events. `market` is a unified
 * symbol (`fFUEL/fUSDC`, also `FUEL/USDC`) or a native `0x…` market id; `account` is a
 * trading-account contract id (`0x…`). Depth `precision` is the grouping level (1 = finest,
 * wire `"10"`; default 1).
 *
 * @example
 * type DepthParams = O2Channels['depth']['params']; // { market: string; precision?: number }
 */
export type O2Channels = {
  depth: {
    readonly params: { readonly market: string; readonly precision?: number };
    readonly event: O2DepthUpdate;
  };
  trades: { readonly params: { readonly market: string }; readonly event: O2TradeUpdate };
  orders: {
    readonly params: { readonly account: string; readonly market?: string };
    readonly event: O2OrderUpdate;
  };
  balances: { readonly params: { readonly account: string }; readonly event: O2BalanceUpdate };
  nonce: { readonly params: { readonly account: string }; readonly event: NonceUpdate };
};

/**
 * One decoded O2 socket message: a JSON value, or {@link O2_PONG} for the plain-text `PONG`.
 *
 * @example
 * const m: O2WsMessage = JSON.parse(text) as O2WsMessage;
 */
export type O2WsMessage = unknown;

/**
 * The decoded plain-text heartbeat reply `PONG` (it is not JSON).
 *
 * @example
 * if (message === O2_PONG) alive();
 */
export const O2_PONG: { readonly pong: true } = Object.freeze({ pong: true as const });

/**
 * Options of the O2 socket.
 *
 * @example
 * new O2Adapter({ stream: { pingIntervalMs: 30_000, backoff: { base: 500, cap: 30_000 } } });
 */
export interface O2StreamOptions {
  /** Text `PING` period (the server closes a socket silent for 60 s). Default 30 000 (ms). */
  readonly pingIntervalMs?: number;
  /** `PONG` deadline after a `PING` before the socket is dropped and reconnected. Default 30 000 (ms). */
  readonly pongTimeoutMs?: number;
  /** Reconnect backoff; `maxAttempts` 0 (the default) never gives up. Defaults: base 1000 ms, ×2, cap 30 000 ms. */
  readonly backoff?: BackoffConfig;
  /** Circuit breaker on connection attempts. Defaults: see `CircuitBreakerConfig`. */
  readonly circuitBreaker?: CircuitBreakerConfig;
  /** Default 10 000 (ms). */
  readonly handshakeTimeoutMs?: number;
  /**
   * WebSocket client: `'native'`, tickwire's own RFC 6455 client (less CPU per frame), or
   * `'ws'`. Default `'native'`.
   */
  readonly transport?: 'ws' | 'native';
}

/**
 * What the O2 streams need from their adapter.
 *
 * @example
 * const host: O2StreamsHost = { market: (s, o) => o2.market(s, o), loadMarkets: (o) => o2.loadMarkets(o), reportError: (e) => console.warn(e) };
 */
export interface O2StreamsHost {
  /** Resolves a unified symbol or native id (loading the markets first when needed). */
  market(symbolOrId: string, options: { signal?: AbortSignal }): Promise<O2MarketInfo>;
  /** Every market (loaded once). */
  loadMarkets(options: { signal?: AbortSignal }): Promise<readonly O2MarketInfo[]>;
  /** Reports a streaming error (counted and emitted on the adapter's events). */
  reportError(error: TickwireError): void;
}

/**
 * Counters of the O2 socket beyond the generic WebSocket ones.
 *
 * @example
 * o2.stats().o2Streams.serverErrors;
 */
export interface O2StreamCounters {
  /** Error frames the server sent (`{code,message}` or `{"action":"error"}`). */
  readonly serverErrors: number;
  /** Frames of a subscription already left (in flight, or an account kept on the server because `unsubscribe_orders` is connection-global), skipped. */
  readonly lateFrames: number;
  /** Depth updates a new reader skipped while waiting for its first snapshot. */
  readonly deltasBeforeSnapshot: number;
  /** Fresh depth snapshots requested (a reader joined a live market, or the server asked for a resync). */
  readonly snapshotRequests: number;
}

// Returned by a frame builder when nothing must be sent; dropped by a pre-processor.
const NO_FRAME: unique symbol = Symbol('o2.noFrame');
const ACCOUNT = /^0x[0-9a-f]+$/;

/**
 * O2's streaming half: one socket (`/v1/ws`) carrying every channel, and the
 * {@link ChannelTable} the adapter base consumes. It fixes what the official SDK gets
 * wrong: depth and trades are routed by `market_id` (two markets on one socket never see
 * each other's frames), account channels by identity; leaving a loop unsubscribes when
 * the last reader of that subscription leaves — except that `unsubscribe_orders` is
 * connection-global on the server, so it goes out only when no orders reader remains for
 * any account (frames of an account left earlier are skipped and counted meanwhile); a
 * reader joining a live depth subscription gets a fresh snapshot (and skips deltas until
 * then); server error frames become typed errors on the adapter's events; a text `PING`
 * every 30 s; resubscribe after every reconnect; reconnects never give up by default.
 *
 * @example
 * const streams = new O2Streams(host, 'wss://api.o2.app/v1/ws');
 * adapter.addConnection('o2', streams.manager);
 * adapter.defineChannels(streams.channels);
 */
export class O2Streams {
  /** The socket manager (register it with the adapter as a connection). */
  readonly manager: WsManager<O2WsMessage>;
  /** The channel table (give it to the adapter's `defineChannels`). */
  readonly channels: ChannelTable<O2Channels>;
  /** The connection name routes use. */
  readonly connection: string;
  readonly #host: O2StreamsHost;
  readonly #ordersActive = new Set<string>();
  readonly #ordersLingering = new Set<string>();
  readonly #retired = new Set<string>();
  readonly #depthPrecision = new Map<string, string>();
  readonly #depthKeys = new MarketKeys('depth');
  readonly #tradeKeys = new MarketKeys('trades');
  #serverErrors = 0;
  #lateFrames = 0;
  #deltasBeforeSnapshot = 0;
  #snapshotRequests = 0;

  constructor(host: O2StreamsHost, url: string, options: O2StreamOptions = {}, connection = 'o2') {
    this.#host = host;
    this.connection = connection;
    const interval = options.pingIntervalMs ?? 30_000;
    this.manager = new WsManager<O2WsMessage>({
      url,
      name: 'o2',
      ...(options.handshakeTimeoutMs === undefined
        ? {}
        : { handshakeTimeoutMs: options.handshakeTimeoutMs }),
      ...(options.circuitBreaker === undefined ? {} : { circuitBreaker: options.circuitBreaker }),
      transport: options.transport ?? 'native',
      decode: decodeO2Message,
      router: (m) => this.routeKey(m),
      preProcessors: [(frame: unknown): unknown => (frame === NO_FRAME ? DROP : frame)],
      postProcessors: [(m: O2WsMessage): O2WsMessage | Drop => this.#errorFrames(m)],
      // The server's inactivity timer counts client messages only: ping on schedule, busy or not.
      heartbeat: {
        mode: 'application',
        payload: 'PING',
        pongMatcher: (m) => m === O2_PONG,
        interval,
        timeout: options.pongTimeoutMs ?? 30_000,
        anyMessageIsAlive: false,
      },
      backoff: { base: 1000, multiplier: 2, cap: 30_000, maxAttempts: 0, ...options.backoff },
    });
    // A new socket has no subscriptions: what the old one kept is gone.
    this.manager.events.on('open', () => {
      this.#ordersActive.clear();
      this.#ordersLingering.clear();
      this.#retired.clear();
    });
    this.channels = {
      depth: (p, ctx) => this.#depth(p, ctx),
      trades: (p, ctx) => this.#trades(p, ctx),
      orders: (p, ctx) => this.#orders(p, ctx),
      balances: (p, ctx) => this.#balances(p, ctx),
      nonce: (p, ctx) => this.#nonce(p, ctx),
    };
  }

  /** Counters beyond the generic WebSocket ones. */
  counters(): O2StreamCounters {
    return {
      serverErrors: this.#serverErrors,
      lateFrames: this.#lateFrames,
      deltasBeforeSnapshot: this.#deltasBeforeSnapshot,
      snapshotRequests: this.#snapshotRequests,
    };
  }

  // ---------------------------------------------------------------- routing (hot path)

  /**
   * The routing key of a decoded message, as the socket manager uses it: `depth:<market>`,
   * `trades:<market>`, `orders|balances|nonce:<account>` (lowercase ids); `null` for the
   * `PONG` and for frames of a subscription already left (counted as late frames);
   * `undefined` when nothing can claim it (an unknown action: counted as unroutable).
   *
   * @example
   * streams.routeKey({ action: 'subscribe_trades', market_id: '0xC0C5…' }); // 'trades:0xc0c5…'
   */
  routeKey(m: O2WsMessage): string | null | undefined {
    if (m === O2_PONG) return null;
    if (typeof m !== 'object' || m === null) return undefined;
    const f = m as Record<string, unknown>;
    let key: string | undefined;
    switch (f['action']) {
      case 'subscribe_depth':
      case 'subscribe_depth_update':
        key = this.#depthKeys.of(f['market_id']);
        break;
      case 'subscribe_trades':
      case 'trades':
        key = this.#tradeKeys.of(f['market_id']);
        break;
      case 'subscribe_orders':
        key = this.#ordersKey(f['orders']);
        break;
      case 'subscribe_balances': {
        const list = f['balance'];
        const first: unknown = Array.isArray(list) ? list[0] : undefined;
        const id = identityId((first as { identity?: unknown } | undefined)?.identity);
        key = id === undefined ? undefined : `balances:${id}`;
        break;
      }
      case 'subscribe_nonce':
      case 'nonce': {
        const id = f['contract_id'];
        key = typeof id === 'string' ? `nonce:${id.toLowerCase()}` : undefined;
        break;
      }
      default:
        return undefined;
    }
    if (key !== undefined && this.#retired.size > 0 && this.#retired.has(key)) {
      this.#lateFrames++;
      return null;
    }
    return key;
  }

  #ordersKey(orders: unknown): string | undefined {
    const first: unknown = Array.isArray(orders) ? orders[0] : undefined;
    const o = first as { account?: unknown; owner?: unknown } | undefined;
    const id = identityId(o?.account ?? o?.owner);
    if (id !== undefined) return `orders:${id}`;
    // No identity on the order: unambiguous only with a single orders subscription.
    if (this.#ordersActive.size === 1) return `orders:${[...this.#ordersActive][0]!}`;
    return undefined;
  }

  #errorFrames(m: O2WsMessage): O2WsMessage | Drop {
    const found = o2ServerError(m);
    if (found === undefined) return m;
    this.#serverErrors++;
    this.#host.reportError(found.error);
    // The server says the book is no longer trustworthy: ask for a fresh snapshot.
    if (found.resyncMarket !== undefined) this.#requestSnapshot(found.resyncMarket);
    return DROP;
  }

  #requestSnapshot(marketId: string): void {
    const precision = this.#depthPrecision.get(marketId);
    if (precision === undefined || !this.manager.channels.includes(`depth:${marketId}`)) return;
    this.#snapshotRequests++;
    // If the socket is down, the resubscribe after the reconnect brings the snapshot anyway.
    this.manager
      .send({ action: 'unsubscribe_depth', market_id: marketId })
      .then(() => this.manager.send({ action: 'subscribe_depth', market_id: marketId, precision }))
      .catch(() => undefined);
  }

  // ---------------------------------------------------------------- channel routes

  async #depth(
    p: O2Channels['depth']['params'],
    ctx: { readonly signal: AbortSignal | undefined },
  ): Promise<ChannelRoute<O2DepthUpdate>> {
    const precision = o2DepthPrecision(p.precision ?? 1);
    const m = await this.#host.market(p.market, signal(ctx));
    const id = m.id.toLowerCase();
    const key = `depth:${id}`;
    const symbol = m.symbol;
    const manager = this.manager;
    let synced = false;
    return {
      connection: this.connection,
      variant: `precision ${precision}`,
      spec: {
        key,
        subscribe: () => {
          this.#retired.delete(key);
          this.#depthPrecision.set(id, precision);
          return { action: 'subscribe_depth', market_id: id, precision };
        },
        unsubscribe: () => {
          this.#retired.add(key);
          return { action: 'unsubscribe_depth', market_id: id };
        },
      },
      // Joining a live subscription: the server sends a snapshot only on subscribe.
      onJoin: () => this.#requestSnapshot(id),
      parse: (raw) => {
        // The socket read's own receive stamp (taken once per read): no clock call per frame,
        // and closer to the receive time than the moment a reader gets to the frame. 0 (a new
        // socket that has read nothing yet) or none: the clock.
        const at = manager.lastReceivedAt;
        const update = parseO2DepthUpdateFast(
          raw,
          symbol,
          at !== undefined && at > 0 ? at : Date.now(),
        );
        if (update.kind === 'snapshot') synced = true;
        else if (!synced) {
          this.#deltasBeforeSnapshot++;
          return undefined;
        }
        return update;
      },
    };
  }

  async #trades(
    p: O2Channels['trades']['params'],
    ctx: { readonly signal: AbortSignal | undefined },
  ): Promise<ChannelRoute<O2TradeUpdate>> {
    const m = await this.#host.market(p.market, signal(ctx));
    const id = m.id.toLowerCase();
    const key = `trades:${id}`;
    return {
      connection: this.connection,
      spec: {
        key,
        subscribe: () => {
          this.#retired.delete(key);
          return { action: 'subscribe_trades', market_id: id };
        },
        unsubscribe: () => {
          this.#retired.add(key);
          return { action: 'unsubscribe_trades', market_id: id };
        },
      },
      parse: (raw) => {
        const frame = parse(
          O2TradesFrame,
          raw,
          `o2 ${String((raw as { action?: unknown }).action)} frame`,
        );
        return frame.trades.map((t) => normalizeO2Trade(t, m, raw));
      },
    };
  }

  async #orders(
    p: O2Channels['orders']['params'],
    ctx: { readonly signal: AbortSignal | undefined },
  ): Promise<ChannelRoute<O2OrderUpdate>> {
    const account = checkAccount(p.account);
    const markets = await this.#host.loadMarkets(signal(ctx));
    const only =
      p.market === undefined ? undefined : await this.#host.market(p.market, signal(ctx));
    const byId = new Map(markets.map((m) => [m.id.toLowerCase(), m]));
    const key = `orders:${account}`;
    return {
      connection: this.connection,
      spec: {
        key,
        subscribe: () => {
          this.#retired.delete(key);
          this.#ordersActive.add(account);
          // Still subscribed on the server (kept when this account left while others stayed).
          if (this.#ordersLingering.delete(account)) return NO_FRAME;
          return o2Frames.subscribeOrders([account as `0x${string}`]);
        },
        unsubscribe: () => {
          this.#ordersActive.delete(account);
          this.#retired.add(key);
          if (this.#ordersActive.size > 0) {
            // unsubscribe_orders would end every account's orders on this socket: keep it.
            this.#ordersLingering.add(account);
            return NO_FRAME;
          }
          this.#ordersLingering.clear();
          return o2Frames.unsubscribeOrders();
        },
      },
      parse: (raw) => {
        const frame = parse(O2OrdersFrame, raw, 'o2 subscribe_orders frame');
        const out: O2OrderUpdate[] = [];
        for (const o of frame.orders) {
          const owner = identityId(o.account ?? o.owner);
          if (owner !== undefined && owner !== account) continue;
          const marketId = o.market_id?.toLowerCase();
          if (only !== undefined && marketId !== undefined && marketId !== only.id.toLowerCase()) {
            continue;
          }
          const m =
            (marketId === undefined ? undefined : byId.get(marketId)) ??
            only ??
            (markets.length === 1 ? markets[0] : undefined);
          if (m === undefined) {
            throw createError(
              'VALIDATION_FAILED',
              marketId === undefined
                ? 'o2 order: no market_id (pass `market` to streamOrders to scale such orders)'
                : `o2 order: unknown market ${marketId}`,
              {
                context: {
                  exchange: 'o2',
                  what: 'o2 subscribe_orders frame',
                  path: 'orders.market_id',
                },
              },
            );
          }
          out.push(normalizeO2Order(o, m, raw));
        }
        return out;
      },
    };
  }

  async #balances(
    p: O2Channels['balances']['params'],
    ctx: { readonly signal: AbortSignal | undefined },
  ): Promise<ChannelRoute<O2BalanceUpdate>> {
    const account = checkAccount(p.account);
    const markets = await this.#host.loadMarkets(signal(ctx));
    const assets = new Map<string, { symbol: string; decimals: number }>();
    for (const m of markets) {
      assets.set(m.baseAssetId.toLowerCase(), { symbol: m.base, decimals: m.baseDecimals });
      assets.set(m.quoteAssetId.toLowerCase(), { symbol: m.quote, decimals: m.quoteDecimals });
    }
    const key = `balances:${account}`;
    return {
      connection: this.connection,
      spec: this.#identitySpec(key, 'balances', account),
      parse: (raw) => {
        const frame = parse(O2BalancesFrame, raw, 'o2 subscribe_balances frame');
        const out: O2BalanceUpdate[] = [];
        for (let i = 0; i < frame.balance.length; i++) {
          const entry = frame.balance[i]!;
          if (identityId(entry.identity) !== account) continue;
          const asset = assets.get(entry.asset_id);
          if (asset === undefined) {
            throw createError('VALIDATION_FAILED', `o2 balance: unknown asset ${entry.asset_id}`, {
              context: {
                exchange: 'o2',
                what: 'o2 subscribe_balances frame',
                path: `balance.${i}.asset_id`,
              },
            });
          }
          out.push(normalizeO2Balance(entry, asset, raw));
        }
        return out;
      },
    };
  }

  #nonce(
    p: O2Channels['nonce']['params'],
    _ctx: { readonly signal: AbortSignal | undefined },
  ): ChannelRoute<NonceUpdate> {
    const account = checkAccount(p.account);
    return {
      connection: this.connection,
      spec: this.#identitySpec(`nonce:${account}`, 'nonce', account),
      parse: (raw) => {
        const frame = parse(
          O2NonceFrame,
          raw,
          `o2 ${String((raw as { action?: unknown }).action)} frame`,
        );
        return frame.contract_id === account ? normalizeO2Nonce(frame, raw) : undefined;
      },
    };
  }

  #identitySpec(key: string, what: 'balances' | 'nonce', account: string): WsChannelSpec {
    const id = account as `0x${string}`;
    return {
      key,
      subscribe: () => {
        this.#retired.delete(key);
        return what === 'balances'
          ? o2Frames.subscribeBalances([id])
          : o2Frames.subscribeNonce([id]);
      },
      unsubscribe: () => {
        this.#retired.add(key);
        return what === 'balances'
          ? o2Frames.unsubscribeBalances([id])
          : o2Frames.unsubscribeNonce([id]);
      },
    };
  }
}

/**
 * The typed error of a server error frame, or `undefined` for any other message:
 * `{"code":6000,"message":…}` (no `action`; mapped like REST errors, 6000–6002 are
 * `EXCHANGE_ERROR` with `context.exchangeCode`) or `{"action":"error", …}` (with
 * `resyncMarket` when it carries `resync_required: true` and a `market_id`).
 *
 * @example
 * o2ServerError({ code: 6001, message: 'Subscription limit exceeded' })?.error.code; // 'EXCHANGE_ERROR'
 */
export function o2ServerError(
  m: O2WsMessage,
): { readonly error: TickwireError; readonly resyncMarket?: string } | undefined {
  if (typeof m !== 'object' || m === null || m === O2_PONG || Array.isArray(m)) return undefined;
  const f = m as Record<string, unknown>;
  const action = f['action'];
  if (action === undefined) {
    if (!('code' in f || 'message' in f || 'error' in f)) return undefined;
    return { error: mapO2Error(f) };
  }
  if (action !== 'error') return undefined;
  const market = typeof f['market_id'] === 'string' ? f['market_id'].toLowerCase() : undefined;
  const code = typeof f['code'] === 'number' ? f['code'] : undefined;
  const message = typeof f['message'] === 'string' ? f['message'] : undefined;
  const resync = f['resync_required'] === true;
  const error = createError(
    'EXCHANGE_ERROR',
    `o2 socket error frame${market === undefined ? '' : ` for ${market}`}${message === undefined ? '' : `: ${message}`}`,
    {
      context: {
        exchange: 'o2',
        ...(code === undefined ? {} : { exchangeCode: code }),
        ...(message === undefined ? {} : { exchangeMessage: message }),
        ...(market === undefined ? {} : { marketId: market }),
        ...(resync ? { resyncRequired: true } : {}),
      },
    },
  );
  return resync && market !== undefined ? { error, resyncMarket: market } : { error };
}

/**
 * Decodes one O2 socket frame: the plain-text `PONG` becomes {@link O2_PONG}, anything else
 * is parsed as JSON (a failure is counted and reported as `MESSAGE_PARSE_FAILED` by the
 * socket manager). Depth deltas in their plain compact form are read by
 * {@link parseO2DepthDeltaText} instead, to the same value.
 *
 * @example
 * decodeO2Message(Buffer.from('PONG')) === O2_PONG; // true
 */
export function decodeO2Message(data: Buffer): O2WsMessage {
  // 'P' 'O' 'N' 'G'
  if (data.length === 4 && data[0] === 0x50 && data.toString() === 'PONG') return O2_PONG;
  const text = data.toString();
  // The hot frame (a depth delta in its plain form) without JSON.parse; anything else, and
  // anything malformed, takes JSON.parse (and its SyntaxError).
  return parseO2DepthDeltaText(text) ?? (JSON.parse(text) as unknown);
}

/**
 * Routing keys `<channel>:<lower-cased market id>` by wire id, cached: every frame of a
 * market names the same id, so the common case is one string comparison (the last id) or
 * one map hit, not a new lower-cased string and a concatenation per frame. Bounded: the map
 * starts over past {@link MARKET_KEYS_MAX} ids (ids are whatever the server sends).
 */
class MarketKeys {
  readonly #channel: string;
  readonly #keys = new Map<string, string>();
  #lastId = '';
  #lastKey: string | undefined;

  constructor(channel: string) {
    this.#channel = channel;
  }

  of(id: unknown): string | undefined {
    if (typeof id !== 'string') return undefined;
    if (id === this.#lastId && this.#lastKey !== undefined) return this.#lastKey;
    let key = this.#keys.get(id);
    if (key === undefined) {
      key = `${this.#channel}:${id.toLowerCase()}`;
      if (this.#keys.size >= MARKET_KEYS_MAX) this.#keys.clear();
      this.#keys.set(id, key);
    }
    this.#lastId = id;
    this.#lastKey = key;
    return key;
  }
}

const MARKET_KEYS_MAX = 1024;

function identityId(identity: unknown): string | undefined {
  if (typeof identity !== 'object' || identity === null) return undefined;
  const i = identity as { ContractId?: unknown; Address?: unknown };
  const id = i.ContractId ?? i.Address;
  return typeof id === 'string' ? id.toLowerCase() : undefined;
}

function checkAccount(account: string): string {
  const a = typeof account === 'string' ? account.trim().toLowerCase() : '';
  if (!ACCOUNT.test(a)) {
    throw createError(
      'INVALID_ARGUMENT',
      `o2: account must be a 0x… trading-account id, got ${JSON.stringify(account)}`,
      { context: { argument: 'account', exchange: 'o2' } },
    );
  }
  return a;
}

function signal(ctx: { readonly signal: AbortSignal | undefined }): { signal?: AbortSignal } {
  return ctx.signal === undefined ? {} : { signal: ctx.signal };
}
