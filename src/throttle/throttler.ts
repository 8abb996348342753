import Bottleneck from 'bottleneck';
import { channel } from 'node:diagnostics_channel';
import { createError } from '../errors/tickwire-error.js';
import { redactValue } from '../errors/redact.js';
import { SlidingWindow } from './sliding-window.js';

/**
 * One rate limit: at most `limit` weight per `intervalMs`, in **any** window of that length.
 *
 * @example
 * const weight: RateLimitPool = { id: 'REQUEST_WEIGHT', limit: 6000, intervalMs: 60_000 };
 * const orders: RateLimitPool = { id: 'ORDERS', limit: 50, intervalMs: 10_000 };
 */
export interface RateLimitPool {
  /** Pool id, referenced by {@link ThrottleTicket.key} and `linked`. */
  readonly id: string;
  /** Maximum weight per window (the exchange's number). */
  readonly limit: number;
  /** Window length, in ms. */
  readonly intervalMs: number;
}

/**
 * Weight consumed in a pool other than the request's own (Hummingbot's linked limits).
 *
 * @example
 * const linked: LinkedWeight = { pool: 'REQUEST_WEIGHT', weight: 1 };
 */
export interface LinkedWeight {
  /** Pool id. */
  readonly pool: string;
  /** Weight consumed in that pool. */
  readonly weight: number;
}

/**
 * What one request costs and how urgent it is.
 *
 * @example
 * const placeOrder: ThrottleTicket = {
 *   key: 'ORDERS', weight: 1, linked: [{ pool: 'REQUEST_WEIGHT', weight: 1 }], priority: 1,
 * };
 */
export interface ThrottleTicket {
  /** The request's own pool id. */
  readonly key: string;
  /** Weight consumed in the own pool. Default 1. */
  readonly weight?: number;
  /** Weights consumed in other pools at the same instant. Default none. */
  readonly linked?: readonly LinkedWeight[];
  /**
   * 0 (most urgent) … 9 (least), bottleneck's scale. Default 5. Use
   * {@link ThrottlePriority}: orders ahead of market data.
   */
  readonly priority?: number;
  /** Host the request goes to; a 418 ban stops this host. Default: one shared host. */
  readonly host?: string;
}

/**
 * Conventional priorities (0 = most urgent).
 *
 * @example
 * throttler.schedule({ key: 'ORDERS', priority: ThrottlePriority.order }, send);
 */
export const ThrottlePriority = {
  /** Cancels: the most urgent thing a bot sends. */
  cancel: 0,
  /** New orders and amendments. */
  order: 1,
  /** Account and order queries. */
  account: 3,
  /** Default. */
  normal: 5,
  /** Market-data snapshots and reference data. */
  marketData: 7,
} as const;

/**
 * Options of {@link Throttler}.
 *
 * @example
 * const options: ThrottlerOptions = {
 *   pools: [{ id: 'REQUEST_WEIGHT', limit: 6000, intervalMs: 60_000 }],
 *   marginRatio: 0.1,
 * };
 */
export interface ThrottlerOptions {
  /** The rate-limit pools. Required, at least one. */
  readonly pools: readonly RateLimitPool[];
  /**
   * Fraction of each limit kept in reserve (clock skew between us and the exchange, other
   * clients on the same IP). Capacity = floor(limit × (1 − margin)). Default 0.05.
   */
  readonly marginRatio?: number;
  /** Maximum requests waiting (not yet released); beyond it `THROTTLE_QUEUE_FULL`. Default 1000. */
  readonly maxQueued?: number;
  /** Maximum requests released and not yet finished. Default `Infinity`. */
  readonly maxConcurrent?: number;
  /** A name for diagnostics events. Default `'throttler'`. */
  readonly name?: string;
}

/**
 * A released request's slot: call {@link ThrottlePermit.release} when it finished (the
 * weight stays counted in its windows; only the concurrency slot is returned).
 *
 * @example
 * const permit = await throttler.acquire(ticket, { signal });
 * try { await send(); } finally { permit.release(); }
 */
export interface ThrottlePermit {
  /** Milliseconds the request waited in the throttler. */
  readonly waitedMs: number;
  /** Returns the concurrency slot; idempotent. */
  release(): void;
}

/**
 * Per-pool figures of {@link ThrottlerStats}.
 *
 * @example
 * const { used, capacity } = throttler.stats().pools['REQUEST_WEIGHT']!;
 */
export interface PoolStats {
  /** Weight counted in the current sliding window (including server corrections). */
  readonly used: number;
  /** The declared limit. */
  readonly limit: number;
  /** The limit after the margin: the most this throttler releases per window. */
  readonly capacity: number;
  /** Epoch ms until which the pool is paused (after a 429), or `undefined`. */
  readonly pausedUntil: number | undefined;
}

/**
 * A snapshot of the throttler.
 *
 * @example
 * const { queued, inFlight } = throttler.stats();
 */
export interface ThrottlerStats {
  /** Requests waiting to be released. */
  readonly queued: number;
  /** Requests released and not yet finished. */
  readonly inFlight: number;
  /** Used weight per pool. */
  readonly pools: Readonly<Record<string, PoolStats>>;
  /** Epoch ms of the end of the longest current 418 ban, or `undefined`. */
  readonly bannedUntil: number | undefined;
}

/**
 * Payload of the `tickwire:throttle:wait` diagnostics channel, published when a request
 * that had to wait is released (or fails while waiting).
 *
 * @example
 * diagnostics_channel.subscribe('tickwire:throttle:wait', (m) => log(m as ThrottleWaitEvent));
 */
export interface ThrottleWaitEvent {
  readonly throttler: string;
  readonly key: string;
  readonly weight: number;
  readonly priority: number;
  readonly waitedMs: number;
  readonly queued: number;
  readonly outcome: 'released' | 'aborted' | 'banned';
}

const waitChannel = channel('tickwire:throttle:wait');

interface PoolState {
  spec: RateLimitPool;
  capacity: number;
  window: SlidingWindow;
  pausedUntil: number;
  /** Waiting gate heads blocked on this pool, for cross-gate priority. */
  readonly blocked: Set<Entry>;
}

interface Cost {
  readonly pool: PoolState;
  readonly weight: number;
}

interface TicketSpec {
  readonly costs: readonly Cost[];
  readonly priority: number;
  readonly hostKey: string;
}

interface Entry {
  readonly ticket: ThrottleTicket;
  readonly costs: readonly Cost[];
  readonly priority: number;
  readonly hostKey: string;
  enqueuedAt: number;
  state: 'queued' | 'released' | 'cancelled' | 'failed';
  resolve: (permit: ThrottlePermit) => void;
  reject: (error: unknown) => void;
  wake: (() => void) | undefined;
  detach: (() => void) | undefined;
  gate: Gate | undefined;
}

interface Gate {
  readonly limiter: Bottleneck;
  /** Jobs handed to bottleneck and not started yet (cancelled ones included). */
  pending: number;
  /** Entries of this key still waiting (the running head included). */
  live: number;
}

const ALL_HOSTS = '*';

/**
 * A weighted, linked, priority-aware rate limiter that never releases more than
 * `limit × (1 − margin)` weight in any sliding window of a pool's `intervalMs`.
 *
 * How it works:
 * - Each pool keeps a {@link SlidingWindow} log; a request is released only when every pool
 *   it consumes from (its `key` and its `linked` pools) has room, and then it is recorded in
 *   all of them at the same instant.
 * - When a request can go at once and nobody with its key waits, it is released
 *   synchronously (no bottleneck job: bottleneck costs a few timer hops per job, which
 *   would dominate a loopback round trip).
 * - Otherwise it waits in a bottleneck limiter per key (`maxConcurrent: 1`): bottleneck
 *   gives the queue order (priority 0–9, FIFO within a priority). The running job is the
 *   key's head: it sleeps until its pools have room, then releases the request. Separate
 *   keys never block each other (a paused ORDERS pool does not hold market data), except
 *   that a less urgent head never takes room a more urgent blocked head is waiting for.
 * - Server feedback: {@link Throttler.observeUsage} raises a pool's count to the exchange's
 *   figure (never lowers it); {@link Throttler.pause} (429) stops a pool until `Retry-After`;
 *   {@link Throttler.ban} (418) fails every queued request of the host with `IP_BANNED`
 *   and fails new ones at once until the ban ends.
 *
 * Sharing between processes (a later issue): the gates are plain bottleneck limiters, so
 * they take `{ datastore: 'ioredis', clearDatastore: false, id: '<exchange>:<key>' }` to
 * share queue order and concurrency through Redis; the per-pool state is exactly
 * `{ log of (ms, weight), pausedUntil }` plus a per-host `bannedUntil`, which maps onto one
 * Redis sorted set per pool (`ZADD` at release, `ZREMRANGEBYSCORE` + sum in the same Lua
 * script as the admission check) and two keys with `PEXPIREAT`. Nothing else is kept
 * per process except the in-flight counter.
 *
 * @example
 * const throttler = new Throttler({
 *   pools: [
 *     { id: 'REQUEST_WEIGHT', limit: 6000, intervalMs: 60_000 },
 *     { id: 'ORDERS', limit: 50, intervalMs: 10_000 },
 *   ],
 * });
 * const order = await throttler.schedule(
 *   { key: 'ORDERS', linked: [{ pool: 'REQUEST_WEIGHT', weight: 1 }], priority: ThrottlePriority.order },
 *   () => send(),
 *   { signal },
 * );
 */
export class Throttler {
  readonly #pools = new Map<string, PoolState>();
  readonly #gates = new Map<string, Gate>();
  readonly #queued = new Set<Entry>();
  readonly #bans = new Map<string, number>();
  #specs = new WeakMap<ThrottleTicket, TicketSpec>();
  readonly #margin: number;
  readonly #maxQueued: number;
  readonly #maxConcurrent: number;
  readonly #name: string;
  #inFlight = 0;
  #pendingInGates = 0;
  #closed = false;

  constructor(options: ThrottlerOptions) {
    const margin = options.marginRatio ?? 0.05;
    if (!(margin >= 0 && margin < 1)) invalid('marginRatio', 'must be in [0, 1)');
    this.#margin = margin;
    this.#maxQueued = options.maxQueued ?? 1000;
    this.#maxConcurrent = options.maxConcurrent ?? Infinity;
    this.#name = options.name ?? 'throttler';
    if (!(this.#maxQueued >= 0)) invalid('maxQueued', 'must be ≥ 0');
    if (!(this.#maxConcurrent >= 1)) invalid('maxConcurrent', 'must be ≥ 1');
    if (options.pools.length === 0) invalid('pools', 'at least one pool is required');
    const ids = new Set<string>();
    for (const spec of options.pools) {
      if (ids.has(spec.id)) invalid('pools', `duplicate pool id "${spec.id}"`);
      ids.add(spec.id);
      this.upsertPool(spec);
    }
  }

  /**
   * Adds a pool or changes one's limit or interval (e.g. from Binance's
   * `exchangeInfo.rateLimits` at startup). The weight already counted is kept; waiting
   * requests that no longer fit in the new capacity fail with `INVALID_ARGUMENT`.
   *
   * @example
   * throttler.upsertPool({ id: 'REQUEST_WEIGHT', limit: 6000, intervalMs: 60_000 });
   */
  upsertPool(spec: RateLimitPool, now: number = Date.now()): void {
    if (!(spec.limit > 0) || !(spec.intervalMs > 0)) {
      invalid('pools', `pool "${spec.id}" needs limit > 0 and intervalMs > 0`);
    }
    const capacity = Math.floor(spec.limit * (1 - this.#margin));
    if (capacity < 1) invalid('pools', `pool "${spec.id}" has no capacity left after the margin`);
    const pool = this.#pools.get(spec.id);
    if (pool === undefined) {
      this.#pools.set(spec.id, {
        spec,
        capacity,
        window: new SlidingWindow(spec.intervalMs),
        pausedUntil: 0,
        blocked: new Set(),
      });
      return;
    }
    if (pool.window.intervalMs !== spec.intervalMs) {
      const used = pool.window.used(now);
      pool.window = new SlidingWindow(spec.intervalMs);
      pool.window.record(used, now);
    }
    pool.spec = spec;
    pool.capacity = capacity;
    this.#specs = new WeakMap(); // cached costs were validated against the old capacity
    for (const entry of [...this.#queued]) {
      if (entry.costs.some((c) => c.pool === pool && c.weight > capacity)) {
        this.#fail(
          entry,
          createError(
            'INVALID_ARGUMENT',
            `weight exceeds pool "${spec.id}" new capacity ${capacity}`,
            {
              context: { argument: 'weight' },
            },
          ),
          'aborted',
          now,
        );
      }
    }
    this.#wakeAll();
  }

  /**
   * Waits until the request may be sent, then resolves with a permit to release when it
   * finished. Rejects with `THROTTLE_QUEUE_FULL`, `IP_BANNED`, `ABORTED`, `CLOSED`, or
   * `INVALID_ARGUMENT` (unknown pool, or a weight above a pool's capacity).
   *
   * @example
   * const permit = await throttler.acquire({ key: 'REQUEST_WEIGHT', weight: 20 }, { signal });
   * try { await fetchExchangeInfo(); } finally { permit.release(); }
   */
  acquire(ticket: ThrottleTicket, options: { signal?: AbortSignal } = {}): Promise<ThrottlePermit> {
    try {
      if (this.#closed) throw createError('CLOSED', 'the throttler was closed');
      const spec = this.#specFor(ticket);
      const signal = options.signal;
      if (signal?.aborted === true) throw abortedError(signal);
      const now = Date.now();
      this.#checkBan(spec.hostKey, now);
      const gate = this.#gates.get(ticket.key);
      if ((gate === undefined || gate.live === 0) && this.#fastPathOpen(spec, now)) {
        return Promise.resolve(this.#release(spec.costs, now, 0));
      }
      return this.#enqueue(this.#entryFor(ticket, spec), signal);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Releases the request at once when it may go now (room in every pool, nobody at least
   * as urgent waiting, no ban); otherwise returns `undefined` and takes nothing. Throws
   * like {@link Throttler.acquire} for invalid tickets and bans.
   *
   * @example
   * const permit = throttler.tryAcquire(ticket) ?? (await throttler.acquire(ticket, { signal }));
   */
  tryAcquire(ticket: ThrottleTicket): ThrottlePermit | undefined {
    if (this.#closed) throw createError('CLOSED', 'the throttler was closed');
    const spec = this.#specFor(ticket);
    const now = Date.now();
    this.#checkBan(spec.hostKey, now);
    const gate = this.#gates.get(ticket.key);
    if ((gate === undefined || gate.live === 0) && this.#fastPathOpen(spec, now)) {
      return this.#release(spec.costs, now, 0);
    }
    return undefined;
  }

  /**
   * Runs `task` once the request may be sent, and returns the concurrency slot when it
   * settles.
   *
   * @example
   * const depth = await throttler.schedule({ key: 'REQUEST_WEIGHT', weight: 5 }, () => getDepth());
   */
  async schedule<T>(
    ticket: ThrottleTicket,
    task: () => Promise<T>,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    const permit = await this.acquire(ticket, options);
    try {
      return await task();
    } finally {
      permit.release();
    }
  }

  /**
   * Raises a pool's count to what the exchange reports (e.g. `X-MBX-USED-WEIGHT-1M`). Never
   * lowers it: the exchange's count may lag ours, and under-counting is what gets keys banned.
   *
   * @example
   * throttler.observeUsage('REQUEST_WEIGHT', Number(headers['x-mbx-used-weight-1m']));
   */
  observeUsage(poolId: string, used: number, now: number = Date.now()): void {
    const pool = this.#pools.get(poolId);
    if (pool === undefined || !Number.isFinite(used)) return;
    const local = pool.window.used(now);
    if (used > local) pool.window.record(used - local, now);
  }

  /**
   * Pauses pools (after a 429) for `ms` milliseconds from now; queued requests on them wait.
   *
   * @example
   * throttler.pause(['REQUEST_WEIGHT'], 30_000);
   */
  pause(poolIds: readonly string[], ms: number, now: number = Date.now()): void {
    for (const id of poolIds) {
      const pool = this.#pools.get(id);
      if (pool !== undefined) pool.pausedUntil = Math.max(pool.pausedUntil, now + ms);
    }
  }

  /**
   * Records a 418 ban of `host` (every host when omitted) until `until` (epoch ms): queued
   * requests to it fail with `IP_BANNED` now, and new ones fail at once until the ban ends.
   *
   * @example
   * throttler.ban('api.binance.com', Date.now() + 120_000);
   */
  ban(host: string | undefined, until: number): void {
    const key = host ?? ALL_HOSTS;
    this.#bans.set(key, Math.max(this.#bans.get(key) ?? 0, until));
    const now = Date.now();
    for (const entry of [...this.#queued]) {
      if (key === ALL_HOSTS || entry.hostKey === key || entry.hostKey === ALL_HOSTS) {
        this.#fail(entry, this.#banError(entry.hostKey, until), 'banned', now);
      }
    }
  }

  /** A snapshot: queued, in flight, used weight per pool, current ban. */
  stats(now: number = Date.now()): ThrottlerStats {
    const pools: Record<string, PoolStats> = {};
    for (const [id, p] of this.#pools) {
      pools[id] = {
        used: p.window.used(now),
        limit: p.spec.limit,
        capacity: p.capacity,
        pausedUntil: p.pausedUntil > now ? p.pausedUntil : undefined,
      };
    }
    let bannedUntil: number | undefined;
    for (const until of this.#bans.values()) {
      if (until > now) bannedUntil = Math.max(bannedUntil ?? 0, until);
    }
    return { queued: this.#queued.size, inFlight: this.#inFlight, pools, bannedUntil };
  }

  /**
   * Fails every queued request with `CLOSED` and refuses new ones.
   *
   * @example
   * await throttler.close();
   */
  async close(): Promise<void> {
    this.#closed = true;
    const now = Date.now();
    for (const entry of [...this.#queued]) {
      this.#fail(entry, createError('CLOSED', 'the throttler was closed'), 'aborted', now);
    }
    // Heads waiting in the gates see their entry failed and return; bottleneck then holds
    // nothing and keeps no timer, so there is nothing to stop.
    this.#gates.clear();
    await Promise.resolve();
  }

  /** Validated costs of a ticket, cached per ticket object (endpoints declare them once). */
  #specFor(ticket: ThrottleTicket): TicketSpec {
    const cached = this.#specs.get(ticket);
    if (cached !== undefined) return cached;
    const costs: Cost[] = [];
    const add = (id: string, weight: number): void => {
      const pool = this.#pools.get(id);
      if (pool === undefined) invalid('key', `unknown rate-limit pool "${id}"`);
      if (!(weight >= 0) || !Number.isFinite(weight)) invalid('weight', `bad weight ${weight}`);
      if (weight > pool.capacity) {
        invalid('weight', `weight ${weight} exceeds pool "${id}" capacity ${pool.capacity}`);
      }
      if (weight === 0) return;
      const same = costs.findIndex((c) => c.pool === pool);
      if (same >= 0) {
        const merged = costs[same]!.weight + weight;
        if (merged > pool.capacity) invalid('weight', `weights exceed pool "${id}" capacity`);
        costs[same] = { pool, weight: merged };
      } else costs.push({ pool, weight });
    };
    add(ticket.key, ticket.weight ?? 1);
    if (ticket.linked !== undefined) for (const l of ticket.linked) add(l.pool, l.weight);
    const spec: TicketSpec = {
      costs,
      priority: Math.min(9, Math.max(0, Math.round(ticket.priority ?? 5))),
      hostKey: ticket.host ?? ALL_HOSTS,
    };
    this.#specs.set(ticket, spec);
    return spec;
  }

  #entryFor(ticket: ThrottleTicket, spec: TicketSpec): Entry {
    return {
      ticket,
      costs: spec.costs,
      priority: spec.priority,
      hostKey: spec.hostKey,
      enqueuedAt: Date.now(),
      state: 'queued',
      resolve: noop,
      reject: noop,
      wake: undefined,
      detach: undefined,
      gate: undefined,
    };
  }

  /** True when a new request may skip the queue: room now, and no waiter at least as urgent. */
  #fastPathOpen(spec: TicketSpec, now: number): boolean {
    if (this.#inFlight >= this.#maxConcurrent) return false;
    for (const { pool, weight } of spec.costs) {
      if (pool.pausedUntil > now) return false;
      if (pool.blocked.size > 0) {
        for (const other of pool.blocked) if (other.priority <= spec.priority) return false;
      }
      if (pool.window.waitFor(weight, pool.capacity, now) > 0) return false;
    }
    return true;
  }

  /**
   * 0 when the queued head `entry` may be released now; otherwise how long to sleep
   * (Infinity: until woken). Pools that lack room are added to `blockedOn`.
   */
  #waitFor(entry: Entry, now: number, blockedOn: PoolState[]): number {
    let wait = this.#inFlight >= this.#maxConcurrent ? Infinity : 0;
    for (const { pool, weight } of entry.costs) {
      let w = pool.pausedUntil > now ? pool.pausedUntil - now : 0;
      w = Math.max(w, pool.window.waitFor(weight, pool.capacity, now));
      if (w > 0) blockedOn.push(pool);
      else if (pool.blocked.size > 0) {
        // Room a more urgent head of another key is waiting for is not ours to take.
        for (const other of pool.blocked) {
          if (other !== entry && other.priority < entry.priority) w = Infinity;
        }
      }
      if (w > wait) wait = w;
    }
    return wait;
  }

  #release(costs: readonly Cost[], now: number, waitedMs: number): ThrottlePermit {
    for (const { pool, weight } of costs) pool.window.record(weight, now);
    this.#inFlight++;
    let done = false;
    return {
      waitedMs,
      release: () => {
        if (done) return;
        done = true;
        this.#inFlight--;
        if (this.#maxConcurrent !== Infinity && this.#queued.size > 0) this.#wakeAll();
      },
    };
  }

  #enqueue(entry: Entry, signal: AbortSignal | undefined): Promise<ThrottlePermit> {
    if (this.#pendingInGates >= this.#maxQueued) {
      throw createError('THROTTLE_QUEUE_FULL', `throttle queue full (${this.#maxQueued})`, {
        context: { maxQueued: this.#maxQueued },
      });
    }
    const promise = new Promise<ThrottlePermit>((resolve, reject) => {
      entry.resolve = resolve;
      entry.reject = reject;
    });
    this.#queued.add(entry);
    if (signal !== undefined) {
      const onAbort = (): void => {
        this.#fail(entry, abortedError(signal), 'aborted', Date.now());
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.detach = () => signal.removeEventListener('abort', onAbort);
    }
    const gate = this.#gateFor(entry.ticket.key);
    gate.live++;
    entry.gate = gate;
    gate.pending++;
    this.#pendingInGates++;
    gate.limiter
      .schedule({ priority: entry.priority }, () => {
        gate.pending--;
        this.#pendingInGates--;
        return this.#runHead(entry);
      })
      .catch(noop);
    return promise;
  }

  #gateFor(key: string): Gate {
    let gate = this.#gates.get(key);
    if (gate === undefined) {
      gate = { limiter: new Bottleneck({ maxConcurrent: 1 }), pending: 0, live: 0 };
      this.#gates.set(key, gate);
    }
    return gate;
  }

  async #runHead(entry: Entry): Promise<void> {
    try {
      while (entry.state === 'queued') {
        const now = Date.now();
        const until = this.#bannedUntil(entry.hostKey, now);
        if (until !== undefined) {
          this.#fail(entry, this.#banError(entry.hostKey, until), 'banned', now);
          return;
        }
        this.#unblock(entry);
        const blockedOn: PoolState[] = [];
        const wait = this.#waitFor(entry, now, blockedOn);
        if (wait === 0) {
          this.#queued.delete(entry);
          entry.detach?.();
          entry.gate!.live--;
          entry.state = 'released';
          const permit = this.#release(entry.costs, now, now - entry.enqueuedAt);
          this.#publish(entry, 'released', now);
          entry.resolve(permit);
          // Heads of other keys may have been waiting behind this one's priority.
          this.#wakeAll();
          return;
        }
        for (const pool of blockedOn) pool.blocked.add(entry);
        await new Promise<void>((resolve) => {
          const timer = wait === Infinity ? undefined : setTimeout(done, Math.max(1, wait));
          function done(): void {
            if (timer !== undefined) clearTimeout(timer);
            entry.wake = undefined;
            resolve();
          }
          entry.wake = done;
        });
      }
    } finally {
      this.#unblock(entry);
    }
  }

  #unblock(entry: Entry): void {
    for (const { pool } of entry.costs) pool.blocked.delete(entry);
  }

  #wakeAll(): void {
    for (const e of this.#queued) e.wake?.();
  }

  #fail(entry: Entry, error: unknown, outcome: ThrottleWaitEvent['outcome'], now: number): void {
    if (entry.state !== 'queued') return;
    entry.state = outcome === 'banned' ? 'failed' : 'cancelled';
    if (entry.gate !== undefined) entry.gate.live--;
    this.#queued.delete(entry);
    this.#unblock(entry);
    entry.detach?.();
    entry.wake?.();
    this.#publish(entry, outcome, now);
    entry.reject(error);
    this.#wakeAll();
  }

  #bannedUntil(hostKey: string, now: number): number | undefined {
    let until = 0;
    if (hostKey === ALL_HOSTS) {
      // A request that names no host shares the host of every ban.
      for (const u of this.#bans.values()) until = Math.max(until, u);
    } else {
      until = Math.max(this.#bans.get(hostKey) ?? 0, this.#bans.get(ALL_HOSTS) ?? 0);
    }
    return until > now ? until : undefined;
  }

  #checkBan(hostKey: string, now: number): void {
    if (this.#bans.size === 0) return;
    const until = this.#bannedUntil(hostKey, now);
    if (until !== undefined) throw this.#banError(hostKey, until);
  }

  #banError(hostKey: string, until: number): Error {
    return createError('IP_BANNED', `IP banned until ${new Date(until).toISOString()}`, {
      context: { until, ...(hostKey === ALL_HOSTS ? {} : { host: hostKey }) },
    });
  }

  #publish(entry: Entry, outcome: ThrottleWaitEvent['outcome'], now: number): void {
    if (!waitChannel.hasSubscribers) return;
    const event: ThrottleWaitEvent = {
      throttler: this.#name,
      key: entry.ticket.key,
      weight: entry.ticket.weight ?? 1,
      priority: entry.priority,
      waitedMs: now - entry.enqueuedAt,
      queued: this.#queued.size,
      outcome,
    };
    waitChannel.publish(redactValue(event));
  }
}

function noop(): void {}

function invalid(argument: string, message: string): never {
  throw createError('INVALID_ARGUMENT', `throttler: ${message}`, { context: { argument } });
}

function abortedError(signal: AbortSignal): Error {
  return createError('ABORTED', 'the request was aborted while waiting in the throttler', {
    cause: signal.reason,
  });
}
