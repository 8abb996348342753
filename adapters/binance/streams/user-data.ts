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
}

/**
 * Events of the user data stream.
 * - `subscribed`: the subscription is active (after every (re)connect); `subscriptionId`
 *   as the server gave it.
 * - `terminated`: the server ended the subscription (`eventStreamTerminated`); tickwire
 *   subscribes again unless it is closing.
 * - `error`: a rejected subscription, a revoked key, an event that failed validation.
 * - `ws`: the connection's own events.
 *
 * @example
 * uds.events.on('subscribed', (e) => log.info('user data on', e.subscriptionId));
 */
export type BinanceUserDataEvent =
  | { readonly type: 'subscribed'; readonly subscriptionId: number | undefined }
  | { readonly type: 'terminated' }
  | { readonly type: 'error'; readonly error: TickwireError }
  | { readonly type: 'ws'; readonly event: WsEvent };

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
 * The Binance user data stream over the WebSocket API (the only mechanism left since the
 * listenKey streams were removed, binance-spot.md §8): on every connect it sends
 * `userDataStream.subscribe.signature` with a fresh timestamp (so a reconnect re-subscribes
 * by itself), routes `{subscriptionId, event}` frames by event type, maps
 * `executionReport` to {@link OrderUpdate} and `outboundAccountPosition` /
 * `balanceUpdate` to {@link BalanceUpdate}, and subscribes again after an unexpected
 * `eventStreamTerminated`. The connection opens with the first reader and closes when the
 * last one leaves.
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
  #manager: WsManager<Frame> | undefined;
  #loginId: string | undefined;
  #loginSeq = 0;
  #lastRejection: string | undefined;
  #closed = false;
  #subscriptions = 0;
  #executionReports = 0;
  #balanceEvents = 0;
  #invalid = 0;
  #other = 0;
  #deltasWithoutBalance = 0;

  constructor(options: BinanceUserDataStreamOptions) {
    this.#o = options;
  }

  /**
   * This stream as a {@link StreamConnection} for an adapter's channel table: spec key
   * `orders` or `balances` (see {@link BinanceUserDataStream.route}). Its events are the
   * WebSocket API connection's lifecycle events and the stream's errors.
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
    stats: () => this.#manager?.stats() ?? EMPTY_WS_STATS,
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

  /** The WebSocket API connection while a reader is active (for requests and tests). */
  get manager(): WsManager<unknown> | undefined {
    return this.#manager as WsManager<unknown> | undefined;
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

  /** Counters (see {@link BinanceUserDataStats}). */
  stats(): BinanceUserDataStats {
    return {
      subscriptions: this.#subscriptions,
      executionReports: this.#executionReports,
      balanceEvents: this.#balanceEvents,
      invalidEvents: this.#invalid,
      otherEvents: this.#other,
      deltasWithoutBalance: this.#deltasWithoutBalance,
      connection: this.#manager?.stats(),
    };
  }

  /** Ends every reader and closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const r of [...this.#orders, ...this.#balances]) r.end();
    this.#orders.clear();
    this.#balances.clear();
    await this.#stopManager();
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
    if (this.#manager !== undefined) return;
    const manager = new WsManager<Frame>({
      url: this.#o.wsApiUrl,
      name: 'binance-user-data',
      router: (m) => this.#route(m),
      heartbeat: this.#o.heartbeat ?? { interval: 60_000, timeout: 10_000 },
      sendLimit: { messagesPerSecond: 10 },
      backoff: this.#o.backoff ?? { base: 100, cap: 30_000 },
      auth: {
        login: () => this.#subscribeFrame(`uds${++this.#loginSeq}`, true),
        ack: (m) => this.#ack(m as Frame),
        timeoutMs: this.#o.subscribeTimeoutMs ?? 10_000,
      },
    });
    this.#manager = manager;
    manager.events.on((event) => {
      this.events.emit({ type: 'ws', event });
      this.#relay.emit(event);
      if (event.type === 'error' && event.error.code === 'AUTH_INVALID_KEY') {
        const detail = this.#lastRejection;
        this.#failAll(
          createError(
            'AUTH_INVALID_KEY',
            `binance rejected the user data subscription${detail === undefined ? '' : `: ${detail}`}`,
            { cause: event.error },
          ),
        );
      } else if (event.type === 'error' && manager.state === 'stopped') {
        this.#failAll(event.error);
      }
    });
    // Raw channels: the events are routed by type whichever readers exist.
    manager.addChannel({ key: 'orders', private: true }, (m) => this.#onOrder(m));
    manager.addChannel({ key: 'balances', private: true }, (m) => this.#onBalance(m));
  }

  async #stopManager(): Promise<void> {
    const m = this.#manager;
    this.#manager = undefined;
    this.#loginId = undefined;
    await m?.close();
  }

  #failAll(error: TickwireError): void {
    for (const r of [...this.#orders, ...this.#balances]) r.fail(error);
    this.#orders.clear();
    this.#balances.clear();
    void this.#stopManager();
  }

  #subscribeFrame(id: string | number, isLogin: boolean): object {
    const signer = this.#o.signer!;
    const params: Record<string, string | number> = {
      apiKey: signer.apiKey ?? '',
      timestamp: (this.#o.timestamp ?? Date.now)(),
    };
    if (this.#o.recvWindowMs !== undefined) params.recvWindow = this.#o.recvWindowMs;
    params.signature = signer.sign(wsApiSignaturePayload(params));
    if (isLogin) this.#loginId = String(id);
    return { id, method: 'userDataStream.subscribe.signature', params };
  }

  #ack(m: Frame): 'ok' | 'rejected' | undefined {
    if (this.#loginId === undefined || m.id === undefined || String(m.id) !== this.#loginId) {
      return undefined;
    }
    if (m.status === 200) {
      this.#onSubscribed(m);
      return 'ok';
    }
    const msg = m.error?.msg;
    this.#lastRejection = `${String(m.error?.code)} ${typeof msg === 'string' ? msg : ''}`.trim();
    return 'rejected';
  }

  #onSubscribed(m: Frame): void {
    this.#subscriptions++;
    const id = m.result?.subscriptionId;
    this.events.emit({
      type: 'subscribed',
      subscriptionId: typeof id === 'number' ? id : undefined,
    });
  }

  #route(m: Frame): string | null | undefined {
    const event = m.event;
    if (m.subscriptionId !== undefined && typeof event === 'object' && event !== null) {
      switch (event.e) {
        case 'executionReport':
          return 'orders';
        case 'outboundAccountPosition':
        case 'balanceUpdate':
          return 'balances';
        case 'eventStreamTerminated':
          this.#onTerminated();
          return null;
        default:
          this.#other++;
          return null;
      }
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

  #onTerminated(): void {
    this.events.emit({ type: 'terminated' });
    const manager = this.#manager;
    if (this.#closed || manager === undefined) return;
    manager
      .request<Frame>((id) => this.#subscribeFrame(id, false))
      .then((answer) => this.#onSubscribed(answer))
      .catch((e: unknown) => {
        this.#emitError(
          isTickwireError(e) ? e : createError('INTERNAL', 're-subscription failed', { cause: e }),
        );
      });
  }

  #onOrder(m: Frame): void {
    let update: OrderUpdate;
    try {
      update = toOrderUpdate(
        parse(ExecutionReportSchema, m.event, 'binance executionReport'),
        this.#o.symbolOf ?? ((id) => id),
      );
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
        for (const b of p.B) {
          const free = new Decimal(b.f);
          const locked = new Decimal(b.l);
          this.#known.set(b.a, { free, locked });
          updates.push({ asset: b.a, free, locked, time: p.E, raw: p });
        }
      } else {
        const d = parse(BinanceBalanceDelta, m.event, 'binance balanceUpdate');
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
