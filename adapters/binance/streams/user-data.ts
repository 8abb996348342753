import type {
  BalanceUpdate,
  ChannelRoute,
  OrderStatus,
  OrderUpdate,
  StreamConnection,
} from '../../../src/adapter/index.js';
import type { Signer } from '../../../src/auth/index.js';
import { wsApiSignaturePayload } from '../../../src/auth/index.js';
import { createError, isTickwireError, type TickwireError } from '../../../src/errors/index.js';
import { Decimal } from '../../../src/numbers/index.js';
import { parse } from '../../../src/schemas/index.js';
import { BoundedStream, EventStream } from '../../../src/stream/index.js';
import {
  type BackoffConfig,
  type HeartbeatConfig,
  type WsEvent,
  WsManager,
  EMPTY_WS_STATS,
  type WsStats,
} from '../../../src/ws/index.js';
import {
  BinanceAccountPosition,
  BinanceBalanceDelta,
  type BinanceExecutionReport,
  BinanceExecutionReport as ExecutionReportSchema,
} from './wire.js';

/**
 * Options of {@link BinanceUserDataStream}.
 *
 * @example
 * const uds = new BinanceUserDataStream({
 *   wsApiUrl: 'wss://ws-api.binance.com:443/ws-api/v3',
 *   signer,
 *   timestamp: () => clock.timestamp(),
 *   symbolOf: (id) => registry.find(id)?.symbol ?? id,
 * });
 */
export interface BinanceUserDataStreamOptions {
  /** The WebSocket API URL. */
  readonly wsApiUrl: string;
  /** Signs `userDataStream.subscribe.signature` (HMAC or Ed25519); none → `AUTH_MISSING_CREDENTIALS`. */
  readonly signer: Signer | undefined;
  /** The timestamp to sign with (server-aligned epoch ms). Default `Date.now`. */
  readonly timestamp?: () => number;
  /** `recvWindow` sent with the subscription (ms). Default: not sent (the server's 5000). */
  readonly recvWindowMs?: number;
  /** Unified symbol of a native id (`BTCUSDT` → `BTC/USDT`). Default: the id itself. */
  readonly symbolOf?: (id: string) => string;
  /** Reconnect backoff. Default `{ base: 100, cap: 30_000 }` (ms, exponential with jitter). */
  readonly backoff?: BackoffConfig;
  /** Client heartbeat after silence. Default `{ interval: 60_000, timeout: 10_000 }` (ms). */
  readonly heartbeat?: HeartbeatConfig | false;
  /** How long the subscription may take to be acknowledged. Default 10 000 (ms). */
  readonly subscribeTimeoutMs?: number;
  /**
   * The WebSocket API's maximum connection lifetime; each socket is replaced
   * make-before-break `rotateBeforeMs` before it. 0 disables. Default 24 h (86 400 000 ms).
   */
  readonly maxLifetimeMs?: number;
  /**
   * How long before `maxLifetimeMs` the replacement starts; at least 0 and less than
   * `maxLifetimeMs` (else the constructor throws `INVALID_ARGUMENT`). Default 300 000 (ms).
   */
  readonly rotateBeforeMs?: number;
  /**
   * Longest wait for the replacement socket's subscription to be acknowledged; past it the
   * replacement is closed, the old socket kept, and the rotation retried later (5 s, 10 s,
   * … up to 60 s). Default 30 000 (ms).
   */
  readonly handoverTimeoutMs?: number;
  /** Event keys remembered to drop the second copy of an event (see {@link binanceUserDataEventKey}). Default 10 000 (keys). */
  readonly dedupWindow?: number;
}

/**
 * Events of the user data stream.
 * - `subscribed`: the subscription is active (after every (re)connect and on each
 *   replacement socket); `subscriptionId` as the server gave it.
 * - `terminated`: the server ended the subscription (`eventStreamTerminated`); tickwire
 *   subscribes again unless it is closing.
 * - `rotated`: the socket was replaced make-before-break (`reason`: the 24 h lifetime, the
 *   server's `serverShutdown` notice, or a {@link BinanceUserDataStream.rotate} call): the
 *   new socket's subscription was acknowledged before the old socket closed, so no event
 *   was missed and none was delivered twice.
 * - `userDataGap`: there was a time with no acknowledged subscription while readers were
 *   active (the socket dropped, or the server ended the subscription): events the exchange
 *   sent from about `since` until `until` (epoch ms, when the new subscription was
 *   acknowledged) may be missing. Order and balance state may be stale: reconcile it (open
 *   orders, account) over REST. Counted in `stats().gaps`. On
 *   {@link BinanceUserDataStream.connection}'s events (so on an adapter's `events`) the same
 *   news is an `error` with code `STREAM_GAP` and `since`, `until`, `reason` in its context.
 * - `error`: a rejected subscription, a revoked key, an event that failed validation, a
 *   replacement that could not be subscribed.
 * - `ws`: the connections' own events (during a rotation, both sockets').
 *
 * @example
 * uds.events.on('subscribed', (e) => log.info('user data on', e.subscriptionId));
 * uds.events.on('userDataGap', (e) => void reconcile(e.since, e.until));
 */
export type BinanceUserDataEvent =
  | {
      readonly type: 'subscribed';
      readonly subscriptionId: number | undefined;
      /** Which socket of this stream (1, 2, … in opening order). */
      readonly connection: number;
    }
  | { readonly type: 'terminated' }
  | {
      readonly type: 'rotated';
      readonly reason: 'lifetime' | 'serverShutdown' | 'manual';
    }
  | {
      readonly type: 'userDataGap';
      readonly since: number;
      readonly until: number;
      readonly reason: 'disconnected' | 'terminated';
    }
  | { readonly type: 'error'; readonly error: TickwireError }
  | { readonly type: 'ws'; readonly event: WsEvent; readonly connection: number };

/**
 * Counters of the user data stream.
 *
 * @example
 * uds.stats().subscriptions; // 2 after one reconnect
 */
export interface BinanceUserDataStats {
  /** Subscriptions acknowledged (one per connection, plus re-subscriptions). */
  readonly subscriptions: number;
  readonly executionReports: number;
  readonly balanceEvents: number;
  /** Events that failed validation (skipped and reported). */
  readonly invalidEvents: number;
  /** Event types tickwire does not stream (`listStatus`, `externalLockUpdate`, …). */
  readonly otherEvents: number;
  /** `balanceUpdate` deltas for an asset with no known absolute balance yet (not streamed). */
  readonly deltasWithoutBalance: number;
  /** Second copies of an event (both sockets deliver during a rotation), dropped. */
  readonly duplicatesDropped: number;
  /** Make-before-break socket replacements completed. */
  readonly rotations: number;
  /** Replacements abandoned (no acknowledged subscription in time); retried later. */
  readonly rotationFailures: number;
  /** `userDataGap` events: times without a subscription, when events may have been missed. */
  readonly gaps: number;
  /** When the current socket's make-before-break replacement starts (see `rotateAt`). */
  readonly rotateAt: number | undefined;
  /** The current socket's counters. */
  readonly connection: WsStats | undefined;
}

interface Frame {
  readonly id?: unknown;
  readonly status?: unknown;
  readonly result?: { readonly subscriptionId?: unknown } | null;
  readonly error?: { readonly code?: unknown; readonly msg?: unknown };
  readonly subscriptionId?: unknown;
  readonly event?: { readonly e?: unknown } | null;
}

const STATUS: Readonly<Record<string, OrderStatus>> = {
  NEW: 'open',
  PENDING_NEW: 'open',
  PENDING_CANCEL: 'open',
  PARTIALLY_FILLED: 'partially_filled',
  FILLED: 'filled',
  CANCELED: 'cancelled',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  EXPIRED_IN_MATCH: 'expired',
};

/**
 * Maps one `executionReport` to an {@link OrderUpdate}: `x=TRADE` carries the last fill,
 * `z` is the cumulative filled quantity, and on a cancel the client id is the original
 * order's (`C`), not the cancel request's.
 *
 * @example
 * const update = toOrderUpdate(report, (id) => (id === 'BTCUSDT' ? 'BTC/USDT' : id));
 */
export function toOrderUpdate(
  r: BinanceExecutionReport,
  symbolOf: (id: string) => string,
): OrderUpdate {
  const status = STATUS[r.X];
  if (status === undefined) {
    throw createError('VALIDATION_FAILED', `binance executionReport: unknown order status ${r.X}`, {
      context: { what: 'binance executionReport', path: 'X' },
    });
  }
  const clientOrderId = r.C !== undefined && r.C !== null && r.C !== '' ? r.C : r.c;
  const price = new Decimal(r.p);
  const isFill = r.x === 'TRADE';
  return {
    market: symbolOf(r.s),
    orderId: String(r.i),
    clientOrderId,
    side: r.S === 'BUY' ? 'buy' : 'sell',
    status,
    ...(price.isZero() ? {} : { price }),
    quantity: new Decimal(r.q),
    filledQuantity: new Decimal(r.z),
    ...(isFill ? { lastFillPrice: new Decimal(r.L), lastFillQuantity: new Decimal(r.l) } : {}),
    time: r.T ?? r.E,
    raw: r,
  };
}

/**
 * The identity of one user data event, used to drop the second copy when two sockets
 * deliver the same event (both are subscribed while a socket is replaced). The keys are
 * exact: two different events never share one, so dropping a repeat never loses anything.
 * - `executionReport` with `x=TRADE`: `(s, i, t)`. The doc keys fills by `(s, t)`; the order
 *   id is added because a self-trade fills two orders of the account with one trade id.
 * - other `executionReport`s: `(s, I)`, the execution id, when present; otherwise
 *   `(s, i, x, X, z, T)` (the order's state after that execution, at engine time `T`).
 * - `outboundAccountPosition`: `(E, u)` plus the balances it carries (absolute values: two
 *   positions equal in all of these carry the same information).
 * - `balanceUpdate`: `(a, d, T)` as the doc gives it (two equal deltas of one asset in the
 *   same millisecond would be taken as one; Binance gives nothing finer).
 * Other events have no key (`undefined`) and are never deduplicated.
 *
 * @example
 * binanceUserDataEventKey({ e: 'executionReport', s: 'BTCUSDT', x: 'TRADE', i: 7, t: 12 }); // 'fill|BTCUSDT|7|12'
 */
export function binanceUserDataEventKey(event: unknown): string | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const e = event as Record<string, unknown>;
  const part = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
  switch (e.e) {
    case 'executionReport':
      if (e.x === 'TRADE' && typeof e.t === 'number' && e.t >= 0) {
        return `fill|${part(e.s)}|${part(e.i)}|${e.t}`;
      }
      if (typeof e.I === 'number') return `exec|${part(e.s)}|${e.I}`;
      return `order|${part(e.s)}|${part(e.i)}|${part(e.x)}|${part(e.X)}|${part(e.z)}|${part(e.T ?? e.E)}`;
    case 'outboundAccountPosition':
      return `pos|${part(e.E)}|${part(e.u)}|${part(e.B)}`;
    case 'balanceUpdate':
      return `delta|${part(e.a)}|${part(e.d)}|${part(e.T ?? e.E)}`;
    default:
      return undefined;
  }
}

/** One WebSocket API socket of the stream (two while one replaces the other). */
interface Leg {
  readonly id: number;
  readonly manager: WsManager<Frame>;
  /** The id of the subscription frame sent as this socket's login. */
  loginId: string | undefined;
  /** An acknowledged subscription is active on the current socket of this leg. */
  subscribed: boolean;
  /** Being closed on purpose: its close is not a gap, its errors are not the readers'. */
  retiring: boolean;
  /** The server announced it will shut this socket down. */
  shutdownNotice: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  rotateAt: number | undefined;
}

const DEFAULT_LIFETIME_MS = 86_400_000;
const DEFAULT_ROTATE_BEFORE_MS = 300_000;

/**
 * The Binance user data stream over the WebSocket API (the only mechanism left since the
 * listenKey streams were removed, binance-spot.md §8): on every connect it sends
 * `userDataStream.subscribe.signature` with a fresh timestamp (so a reconnect re-subscribes
 * by itself), routes `{subscriptionId, event}` frames by event type, maps
 * `executionReport` to {@link OrderUpdate} and `outboundAccountPosition` /
 * `balanceUpdate` to {@link BalanceUpdate}, and subscribes again after an unexpected
 * `eventStreamTerminated`. The connection opens with the first reader and closes when the
 * last one leaves.
 *
 * Upkeep (binance-spot.md §6, §2): before the socket's 24 h lifetime (default: 23 h 55 min
 * after it opened) and on the server's `serverShutdown` notice, the socket is replaced
 * make-before-break — a new socket is opened and subscribed, and only after that
 * subscription is acknowledged is the old socket drained (a `ping` request: its answer
 * comes after every event the old socket carried) and closed. While both deliver, each
 * event goes out once (keys: {@link binanceUserDataEventKey}); each socket's events stay in
 * order, and the two are merged in arrival order. A socket that drops unexpectedly is
 * reconnected and re-subscribed, and since events may have been missed meanwhile, a
 * `userDataGap` event says so (never a silent claim of continuity).
 *
 * @example
 * for await (const o of uds.streamOrders({ signal })) console.log(o.orderId, o.status);
 */
export class BinanceUserDataStream {
  readonly events = new EventStream<BinanceUserDataEvent>();
  readonly #o: BinanceUserDataStreamOptions;
  readonly #orders = new Set<BoundedStream<OrderUpdate>>();
  readonly #balances = new Set<BoundedStream<BalanceUpdate>>();
  readonly #known = new Map<string, { free: Decimal; locked: Decimal }>();
  /** Keys of recent events, oldest first (a Set keeps insertion order). */
  readonly #seen = new Set<string>();
  readonly #lifetime = new AbortController();
  #current: Leg | undefined;
  #next: Leg | undefined;
  #rotation: Promise<void> | undefined;
  readonly #closing = new Set<Promise<void>>();
  #legSeq = 0;
  #loginSeq = 0;
  #lastRejection: string | undefined;
  #closed = false;
  #gap: { since: number; reason: 'disconnected' | 'terminated' } | undefined;
  #failuresInARow = 0;
  #subscriptions = 0;
  #executionReports = 0;
  #balanceEvents = 0;
  #invalid = 0;
  #other = 0;
  #deltasWithoutBalance = 0;
  #duplicates = 0;
  #rotations = 0;
  #rotationFailures = 0;
  #gaps = 0;

  constructor(options: BinanceUserDataStreamOptions) {
    const lifetime = options.maxLifetimeMs ?? DEFAULT_LIFETIME_MS;
    const before = options.rotateBeforeMs ?? DEFAULT_ROTATE_BEFORE_MS;
    // A replacement due at once would replace itself at once again, forever.
    if (!(lifetime >= 0) || (lifetime > 0 && !(before >= 0 && before < lifetime))) {
      throw createError(
        'INVALID_ARGUMENT',
        `binance user data: rotateBeforeMs (${before}) must be at least 0 and less than maxLifetimeMs (${lifetime}); maxLifetimeMs 0 disables rotation`,
        { context: { argument: 'rotateBeforeMs' } },
      );
    }
    this.#o = options;
  }

  /**
   * This stream as a {@link StreamConnection} for an adapter's channel table: spec key
   * `orders` or `balances` (see {@link BinanceUserDataStream.route}). Its events are the
   * WebSocket API connections' lifecycle events and the stream's errors.
   *
   * @example
   * this.addConnection('user', userData.connection);
   */
  get connection(): StreamConnection {
    return this.#connection;
  }

  readonly #relay = new EventStream<WsEvent>();

  readonly #connection: StreamConnection = {
    subscribe: <T>(
      spec: { readonly key: string },
      options: { signal?: AbortSignal; capacity?: number } = {},
    ): BoundedStream<T> =>
      (spec.key === 'orders'
        ? this.streamOrders(options)
        : this.streamBalances(options)) as unknown as BoundedStream<T>,
    events: this.#relay as unknown as StreamConnection['events'],
    stats: () => this.#current?.manager.stats() ?? EMPTY_WS_STATS,
    close: () => this.close(),
  };

  /**
   * The channel route of `orders` or `balances` on {@link BinanceUserDataStream.connection}
   * registered under `connection`.
   *
   * @example
   * orders: () => userData.route<OrderUpdate>('orders', 'user'),
   */
  route<T extends OrderUpdate | BalanceUpdate>(
    kind: 'orders' | 'balances',
    connection: string,
  ): ChannelRoute<T> {
    return { connection, spec: { key: kind, private: true }, parse: (m) => m as T };
  }

  /** The current WebSocket API connection while a reader is active (for requests and tests). */
  get manager(): WsManager<unknown> | undefined {
    return this.#current?.manager as WsManager<unknown> | undefined;
  }

  /**
   * Epoch ms at which the current socket's make-before-break replacement starts (its open
   * time + `maxLifetimeMs` − `rotateBeforeMs`); `undefined` with no open socket, with
   * rotation disabled, or while a replacement runs.
   *
   * @example
   * const inMs = (uds.rotateAt ?? Infinity) - Date.now();
   */
  get rotateAt(): number | undefined {
    return this.#rotation === undefined ? this.#current?.rotateAt : undefined;
  }

  /**
   * Updates of the account's orders (every `executionReport`).
   *
   * @example
   * for await (const o of uds.streamOrders({ signal })) if (o.status === 'filled') done(o);
   */
  streamOrders(
    options: { signal?: AbortSignal; capacity?: number } = {},
  ): BoundedStream<OrderUpdate> {
    return this.#reader(this.#orders, options);
  }

  /**
   * Absolute balances of assets as they change (`outboundAccountPosition`, and
   * `balanceUpdate` applied to the last known balance).
   *
   * @example
   * for await (const b of uds.streamBalances({ signal })) console.log(b.asset, b.free.toFixed());
   */
  streamBalances(
    options: { signal?: AbortSignal; capacity?: number } = {},
  ): BoundedStream<BalanceUpdate> {
    return this.#reader(this.#balances, options);
  }

  /**
   * Replaces the socket now, make-before-break (what the lifetime timer and a
   * `serverShutdown` notice do). Resolves when the old socket is closed, or when the
   * replacement was abandoned (an `error` event says why). Nothing to do without a socket.
   *
   * @example
   * await uds.rotate();
   */
  rotate(): Promise<void> {
    return this.#rotate('manual');
  }

  /** Counters (see {@link BinanceUserDataStats}). */
  stats(): BinanceUserDataStats {
    return {
      subscriptions: this.#subscriptions,
      executionReports: this.#executionReports,
      balanceEvents: this.#balanceEvents,
      invalidEvents: this.#invalid,
      otherEvents: this.#other,
      deltasWithoutBalance: this.#deltasWithoutBalance,
      duplicatesDropped: this.#duplicates,
      rotations: this.#rotations,
      rotationFailures: this.#rotationFailures,
      gaps: this.#gaps,
      rotateAt: this.rotateAt,
      connection: this.#current?.manager.stats(),
    };
  }

  /** Ends every reader and closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#lifetime.abort();
    for (const r of [...this.#orders, ...this.#balances]) r.end();
    this.#orders.clear();
    this.#balances.clear();
    await this.#stopManager();
    await this.#rotation?.catch(() => undefined);
    this.events.end();
    this.#relay.end();
  }

  // ---------------------------------------------------------------- internals

  #reader<T>(
    set: Set<BoundedStream<T>>,
    options: { signal?: AbortSignal; capacity?: number },
  ): BoundedStream<T> {
    const holder: { s?: BoundedStream<T> } = {};
    const stream = new BoundedStream<T>(
      {
        capacity: options.capacity ?? 10_000,
        overflow: 'error',
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      () => {
        if (holder.s !== undefined) set.delete(holder.s);
        if (this.#orders.size === 0 && this.#balances.size === 0) void this.#stopManager();
      },
    );
    holder.s = stream;
    if (this.#closed) {
      stream.end();
      return stream;
    }
    if (this.#o.signer === undefined) {
      stream.fail(
        createError(
          'AUTH_MISSING_CREDENTIALS',
          'binance user data stream needs credentials (an API key with its secret or private key)',
        ),
      );
      return stream;
    }
    if (stream.closed) return stream;
    set.add(stream);
    this.#ensureManager();
    return stream;
  }

  #ensureManager(): void {
    if (this.#current !== undefined) return;
    this.#current = this.#createLeg();
  }

  #createLeg(): Leg {
    const holder: { leg?: Leg } = {};
    const manager = new WsManager<Frame>({
      url: this.#o.wsApiUrl,
      name: 'binance-user-data',
      router: (m) => this.#route(holder.leg!, m),
      heartbeat: this.#o.heartbeat ?? { interval: 60_000, timeout: 10_000 },
      sendLimit: { messagesPerSecond: 10 },
      backoff: this.#o.backoff ?? { base: 100, cap: 30_000 },
      auth: {
        login: () => this.#subscribeFrame(holder.leg!, `uds${++this.#loginSeq}`, true),
        ack: (m) => this.#ack(holder.leg!, m as Frame),
        timeoutMs: this.#o.subscribeTimeoutMs ?? 10_000,
      },
    });
    const leg: Leg = {
      id: ++this.#legSeq,
      manager,
      loginId: undefined,
      subscribed: false,
      retiring: false,
      shutdownNotice: false,
      timer: undefined,
      rotateAt: undefined,
    };
    holder.leg = leg;
    manager.events.on((event) => this.#onLegEvent(leg, event));
    // Raw channels: the events are routed by type whichever readers exist. Both sockets of a
    // rotation feed the same handlers, which drop the second copy of an event.
    manager.addChannel({ key: 'orders', private: true }, (m) => this.#onOrder(m));
    manager.addChannel({ key: 'balances', private: true }, (m) => this.#onBalance(m));
    return leg;
  }

  #onLegEvent(leg: Leg, event: WsEvent): void {
    // State first, so that listeners of the event see it (the gap starts at the close).
    if (event.type === 'open') {
      this.#arm(leg);
    } else if (event.type === 'closed') {
      leg.subscribed = false;
      this.#disarm(leg);
      if (!leg.retiring) this.#openGap('disconnected');
    }
    this.events.emit({ type: 'ws', event, connection: leg.id });
    this.#relay.emit(event);
    if (event.type === 'error' && leg === this.#current && !leg.retiring) {
      const manager = leg.manager;
      if (event.error.code === 'AUTH_INVALID_KEY') {
        const detail = this.#lastRejection;
        this.#failAll(
          createError(
            'AUTH_INVALID_KEY',
            `binance rejected the user data subscription${detail === undefined ? '' : `: ${detail}`}`,
            { cause: event.error },
          ),
        );
      } else if (manager.state === 'stopped') {
        this.#failAll(event.error);
      }
    }
  }

  /** Schedules the replacement of `leg`'s socket, which just opened, before its lifetime ends. */
  #arm(leg: Leg): void {
    this.#disarm(leg);
    const lifetime = this.#o.maxLifetimeMs ?? DEFAULT_LIFETIME_MS;
    if (lifetime <= 0 || leg.retiring) return;
    const after = Math.max(0, lifetime - (this.#o.rotateBeforeMs ?? DEFAULT_ROTATE_BEFORE_MS));
    leg.rotateAt = Date.now() + after;
    leg.timer = setTimeout(() => {
      leg.timer = undefined;
      leg.rotateAt = undefined;
      if (leg === this.#current) void this.#rotate('lifetime');
    }, after);
    leg.timer.unref?.();
  }

  #disarm(leg: Leg): void {
    if (leg.timer !== undefined) clearTimeout(leg.timer);
    leg.timer = undefined;
    leg.rotateAt = undefined;
  }

  #rotate(reason: 'lifetime' | 'serverShutdown' | 'manual'): Promise<void> {
    if (this.#rotation !== undefined) return this.#rotation;
    const p = this.#doRotate(reason).finally(() => {
      if (this.#rotation === p) this.#rotation = undefined;
    });
    this.#rotation = p;
    return p;
  }

  async #doRotate(reason: 'lifetime' | 'serverShutdown' | 'manual'): Promise<void> {
    const old = this.#current;
    if (old === undefined || this.#closed) return;
    this.#disarm(old);
    const next = this.#createLeg();
    this.#next = next;
    const failure = await this.#subscribed(next);
    if (this.#closed || this.#current !== old || this.#next !== next) {
      // Closed, or every reader left, meanwhile: #stopManager closed both.
      if (next !== this.#current) await next.manager.close();
      return;
    }
    this.#next = undefined;
    if (failure !== undefined) {
      // Keep the old socket (it may still live for minutes) and try again later.
      next.retiring = true;
      await next.manager.close();
      this.#rotationFailures++;
      const retryMs = Math.min(60_000, 5_000 * 2 ** this.#failuresInARow++);
      this.#emitError(
        createError(
          failure.code,
          `binance user data: the replacement socket failed (${reason}); retrying in ${retryMs} ms`,
          {
            cause: failure,
            context: { retryMs },
          },
        ),
      );
      if (this.#current === old && !this.#closed) {
        old.rotateAt = Date.now() + retryMs;
        old.timer = setTimeout(() => {
          old.timer = undefined;
          old.rotateAt = undefined;
          if (old === this.#current) void this.#rotate(reason);
        }, retryMs);
        old.timer.unref?.();
      }
      return;
    }
    this.#failuresInARow = 0;
    // The new subscription is live: from here on the new socket carries every event.
    this.#current = next;
    old.retiring = true;
    // Drain the old socket before closing it: the server answers a ping after every event
    // it sent on that socket before, i.e. every event from before the new subscription.
    await old.manager
      .request((id) => ({ id, method: 'ping' }), {
        timeoutMs: this.#o.subscribeTimeoutMs ?? 10_000,
      })
      .catch(() => undefined);
    await old.manager.close();
    if (this.#closed || this.#current !== next) return;
    this.#rotations++;
    this.events.emit({ type: 'rotated', reason });
    // The new socket may have been told already that it is going away too.
    if (next.shutdownNotice) {
      queueMicrotask(() => {
        if (this.#current === next && !this.#closed) void this.#rotate('serverShutdown');
      });
    }
  }

  /** Resolves once `leg` is subscribed (undefined) or with the reason it cannot be. */
  #subscribed(leg: Leg): Promise<TickwireError | undefined> {
    const timeoutMs = this.#o.handoverTimeoutMs ?? 30_000;
    return new Promise((resolve) => {
      let offEvents: () => void = () => undefined;
      const done = (e: TickwireError | undefined): void => {
        clearTimeout(timer);
        offEvents();
        this.#lifetime.signal.removeEventListener('abort', onAbort);
        resolve(e);
      };
      const onAbort = (): void => done(createError('CLOSED', 'binance user data stream closed'));
      const timer = setTimeout(
        () =>
          done(
            createError(
              'TRANSPORT_TIMEOUT',
              `binance user data: the replacement socket was not subscribed within ${timeoutMs} ms`,
              { context: { timeoutMs } },
            ),
          ),
        timeoutMs,
      );
      timer.unref?.();
      offEvents = leg.manager.events.on((e) => {
        if (e.type === 'authenticated') done(undefined);
        else if (
          e.type === 'error' &&
          (e.error.code === 'AUTH_INVALID_KEY' || leg.manager.state === 'stopped')
        ) {
          done(e.error);
        }
      });
      if (this.#lifetime.signal.aborted) onAbort();
      else this.#lifetime.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async #stopManager(): Promise<void> {
    const legs = [this.#current, this.#next].filter((l): l is Leg => l !== undefined);
    this.#current = undefined;
    this.#next = undefined;
    // Nobody reads any more: a later reader starts afresh, there is no gap to report.
    this.#gap = undefined;
    for (const leg of legs) {
      leg.retiring = true;
      this.#disarm(leg);
      const p = leg.manager.close();
      this.#closing.add(p);
      void p.finally(() => this.#closing.delete(p));
    }
    // Also the closes an earlier call started (the last reader leaving starts one without
    // waiting): close() resolves only when every socket is closed.
    await Promise.all([...this.#closing]);
  }

  #failAll(error: TickwireError): void {
    for (const r of [...this.#orders, ...this.#balances]) r.fail(error);
    this.#orders.clear();
    this.#balances.clear();
    void this.#stopManager();
  }

  /** No socket holds an acknowledged subscription any more: events may be missed from now. */
  #openGap(reason: 'disconnected' | 'terminated'): void {
    if (this.#closed || this.#gap !== undefined) return;
    if (this.#current?.subscribed === true || this.#next?.subscribed === true) return;
    if (this.#current === undefined) return;
    this.#gap = { since: Date.now(), reason };
  }

  #subscribeFrame(leg: Leg, id: string | number, isLogin: boolean): object {
    const signer = this.#o.signer!;
    const params: Record<string, string | number> = {
      apiKey: signer.apiKey ?? '',
      timestamp: (this.#o.timestamp ?? Date.now)(),
    };
    if (this.#o.recvWindowMs !== undefined) params.recvWindow = this.#o.recvWindowMs;
    params.signature = signer.sign(wsApiSignaturePayload(params));
    if (isLogin) leg.loginId = String(id);
    return { id, method: 'userDataStream.subscribe.signature', params };
  }

  #ack(leg: Leg, m: Frame): 'ok' | 'rejected' | undefined {
    if (leg.loginId === undefined || m.id === undefined || String(m.id) !== leg.loginId) {
      return undefined;
    }
    if (m.status === 200) {
      this.#onSubscribed(leg, m);
      return 'ok';
    }
    const msg = m.error?.msg;
    this.#lastRejection = `${String(m.error?.code)} ${typeof msg === 'string' ? msg : ''}`.trim();
    return 'rejected';
  }

  #onSubscribed(leg: Leg, m: Frame): void {
    if (leg.retiring) return;
    leg.subscribed = true;
    this.#subscriptions++;
    const id = m.result?.subscriptionId;
    this.events.emit({
      type: 'subscribed',
      subscriptionId: typeof id === 'number' ? id : undefined,
      connection: leg.id,
    });
    const gap = this.#gap;
    if (gap !== undefined) {
      this.#gap = undefined;
      this.#gaps++;
      const until = Date.now();
      this.events.emit({ type: 'userDataGap', since: gap.since, until, reason: gap.reason });
      // The adapter's events carry it as a typed STREAM_GAP error on the connection (counted
      // in its stats().streams.errors); this stream's own events have the userDataGap above.
      this.#relay.emit({
        type: 'error',
        error: createError(
          'STREAM_GAP',
          `binance user data: no subscription from ${new Date(gap.since).toISOString()} to ${new Date(until).toISOString()} (${gap.reason}); order and balance events of that time may be missing`,
          {
            context: {
              exchange: 'binance',
              since: gap.since,
              until,
              reason: gap.reason,
              channels: ['orders', 'balances'],
            },
          },
        ),
      });
    }
  }

  #route(leg: Leg, m: Frame): string | null | undefined {
    const event = m.event;
    if (m.subscriptionId !== undefined && typeof event === 'object' && event !== null) {
      switch (event.e) {
        case 'executionReport':
          return 'orders';
        case 'outboundAccountPosition':
        case 'balanceUpdate':
          return 'balances';
        case 'eventStreamTerminated':
          this.#onTerminated(leg);
          return null;
        default:
          this.#other++;
          return null;
      }
    }
    if (typeof event === 'object' && event !== null && event.e === 'serverShutdown') {
      // A connection event (no subscriptionId): this socket goes away soon.
      this.#onShutdownNotice(leg);
      return null;
    }
    if (m.id === null && typeof m.status === 'number' && m.status >= 400) {
      // An unsolicited error, e.g. the key was revoked mid-session (binance-spot.md §8).
      const msg = typeof m.error?.msg === 'string' ? m.error.msg : 'unknown error';
      const code = m.error?.code;
      this.#emitError(
        createError(
          m.status === 401 ? 'AUTH_INVALID_KEY' : 'EXCHANGE_ERROR',
          `binance user data: ${msg}`,
          {
            context: {
              ...(typeof code === 'number' || typeof code === 'string'
                ? { exchangeCode: code }
                : {}),
              exchangeMessage: msg,
            },
          },
        ),
      );
      return null;
    }
    // A late answer to a request that already settled.
    return m.id !== undefined ? null : undefined;
  }

  #onShutdownNotice(leg: Leg): void {
    leg.shutdownNotice = true;
    if (leg === this.#current && !leg.retiring && !this.#closed) {
      // If a rotation already runs, its replacement is a new socket anyway.
      void this.#rotate('serverShutdown');
    }
  }

  #onTerminated(leg: Leg): void {
    this.events.emit({ type: 'terminated' });
    leg.subscribed = false;
    if (this.#closed || leg.retiring) return;
    this.#openGap('terminated');
    leg.manager
      .request<Frame>((id) => this.#subscribeFrame(leg, id, false))
      .then((answer) => this.#onSubscribed(leg, answer))
      .catch((e: unknown) => {
        this.#emitError(
          isTickwireError(e) ? e : createError('INTERNAL', 're-subscription failed', { cause: e }),
        );
      });
  }

  /** True the first time an event with this key is seen (see {@link binanceUserDataEventKey}). */
  #firstSeen(event: unknown): boolean {
    const key = binanceUserDataEventKey(event);
    if (key === undefined) return true;
    if (this.#seen.has(key)) {
      this.#duplicates++;
      return false;
    }
    this.#seen.add(key);
    if (this.#seen.size > (this.#o.dedupWindow ?? 10_000)) {
      const oldest = this.#seen.values().next();
      if (oldest.done !== true) this.#seen.delete(oldest.value);
    }
    return true;
  }

  #onOrder(m: Frame): void {
    let update: OrderUpdate;
    try {
      const report = parse(ExecutionReportSchema, m.event, 'binance executionReport');
      if (!this.#firstSeen(report)) return;
      update = toOrderUpdate(report, this.#o.symbolOf ?? ((id) => id));
    } catch (e) {
      this.#invalidEvent(e);
      return;
    }
    this.#executionReports++;
    for (const r of this.#orders) r.push(update);
  }

  #onBalance(m: Frame): void {
    const updates: BalanceUpdate[] = [];
    try {
      if (m.event?.e === 'outboundAccountPosition') {
        const p = parse(BinanceAccountPosition, m.event, 'binance outboundAccountPosition');
        if (!this.#firstSeen(p)) return;
        for (const b of p.B) {
          const free = new Decimal(b.f);
          const locked = new Decimal(b.l);
          this.#known.set(b.a, { free, locked });
          updates.push({ asset: b.a, free, locked, time: p.E, raw: p });
        }
      } else {
        const d = parse(BinanceBalanceDelta, m.event, 'binance balanceUpdate');
        // Before the delta is applied: a second copy must not be added twice.
        if (!this.#firstSeen(d)) return;
        const known = this.#known.get(d.a);
        if (known === undefined) {
          // Binance follows with outboundAccountPosition, which carries the absolute value.
          this.#deltasWithoutBalance++;
          return;
        }
        const free = known.free.plus(d.d);
        this.#known.set(d.a, { free, locked: known.locked });
        updates.push({ asset: d.a, free, locked: known.locked, time: d.T ?? d.E, raw: d });
      }
    } catch (e) {
      this.#invalidEvent(e);
      return;
    }
    this.#balanceEvents++;
    for (const u of updates) for (const r of this.#balances) r.push(u);
  }

  #invalidEvent(e: unknown): void {
    this.#invalid++;
    this.#emitError(
      isTickwireError(e)
        ? e
        : createError('INTERNAL', 'binance user data event failed', { cause: e }),
    );
  }

  #emitError(error: TickwireError): void {
    this.events.emit({ type: 'error', error });
    this.#relay.emit({ type: 'error', error });
  }
}
