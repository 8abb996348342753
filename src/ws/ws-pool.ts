import { createError } from '../errors/index.js';
import {
  type BoundedStream,
  type BoundedStreamOptions,
  EventStream,
  FanOut,
  type SequenceId,
} from '../stream/index.js';
import { WsManager, type WsManagerOptions } from './ws-manager.js';
import type { WsStats } from './ws-stats.js';
import type { WsChannelSpec, WsEvent } from './ws-types.js';

/**
 * Options of a {@link WsPool}: the manager options (minus `url`) plus sharding, failover
 * and lifetime rotation.
 *
 * @example
 * const pool = new WsPool<BinanceMessage>({
 *   urls: ['wss://stream.binance.com:9443/ws', 'wss://stream.binance.com:443/ws'],
 *   router: (m) => m.stream,
 *   streamsPerConnection: 1024,
 *   maxLifetimeMs: 24 * 3600_000,
 * });
 */
export interface WsPoolOptions<TMessage> extends Omit<WsManagerOptions<TMessage>, 'url'> {
  /** Endpoint URLs; new connections go to the healthiest. At least one. */
  readonly urls: readonly string[];
  /** Most channels on one connection (Binance: 1024). Default 1024 (channels). */
  readonly streamsPerConnection?: number;
  /**
   * The exchange's maximum connection lifetime; each connection is replaced
   * make-before-break `rotateBeforeMs` earlier. 0 disables. Default 24 h (86 400 000 ms).
   */
  readonly maxLifetimeMs?: number;
  /** How long before `maxLifetimeMs` the replacement starts. Default 300 000 (ms). */
  readonly rotateBeforeMs?: number;
  /**
   * Identity of a message, used to align the old and new connection during a handover so
   * that nothing is lost or delivered twice. Default: the message's JSON text.
   */
  readonly identityOf?: (message: TMessage) => SequenceId | undefined;
  /** Longest overlap of a handover before the switch is forced. Default 10 000 (ms). */
  readonly handoverTimeoutMs?: number;
  /** Failed reconnect attempts of a connection before its channels move to another URL. Default 3 (attempts). */
  readonly failoverAfter?: number;
}

/**
 * Events of a pool: every member's events tagged with its URL, plus rotations and failovers.
 *
 * @example
 * pool.events.on('rotated', (e) => console.log('replaced', e.from, 'by', e.to));
 */
export type WsPoolEvent =
  | (WsEvent & { readonly member: number })
  | {
      readonly type: 'rotated';
      readonly from: number;
      readonly to: number;
      readonly forced: number;
    }
  | {
      readonly type: 'failover';
      readonly from: number;
      readonly to: number;
      readonly fromUrl: string;
      readonly toUrl: string;
    };

interface Member<TMessage> {
  readonly id: number;
  readonly url: string;
  readonly manager: WsManager<TMessage>;
  readonly offs: Map<string, () => void>;
  retiring: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Epoch ms at which the lifetime timer starts the replacement; undefined once it fired or was cleared. */
  rotateAt: number | undefined;
}

interface Handover<TMessage> {
  readonly next: Member<TMessage>;
  /** Identities the old connection delivered during the overlap. */
  readonly delivered: Set<SequenceId>;
  /** What the new connection sent before it aligned. */
  readonly queued: TMessage[];
}

interface PoolChannel<TMessage> {
  readonly spec: WsChannelSpec;
  readonly fan: FanOut<TMessage>;
  member: Member<TMessage>;
  handover: Handover<TMessage> | undefined;
}

const HANDOVER_WINDOW = 10_000;

/**
 * Several WebSocket connections behind one subscribe API: channels are sharded by a
 * per-connection stream limit, connections go to the healthiest of several URLs (and move
 * when one keeps failing), and each connection is replaced make-before-break before the
 * exchange's maximum lifetime — the new one is subscribed while the old still delivers, the
 * two are aligned message by message, and only then is the old one closed, so no message
 * is lost and none is delivered twice.
 *
 * @example
 * for await (const t of pool.subscribe<Trade>(spec, { signal })) handle(t);
 */
export class WsPool<TMessage = unknown> {
  readonly events = new EventStream<WsPoolEvent>();
  readonly #o: WsPoolOptions<TMessage>;
  readonly #members: Member<TMessage>[] = [];
  readonly #channels = new Map<string, PoolChannel<TMessage>>();
  readonly #health = new Map<string, number>();
  readonly #identityOf: (m: TMessage) => SequenceId | undefined;
  #nextId = 0;
  #closed = false;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(options: WsPoolOptions<TMessage>) {
    if (options.urls.length === 0) {
      throw createError('INVALID_ARGUMENT', 'WsPool needs at least one URL', {
        context: { argument: 'urls' },
      });
    }
    this.#o = options;
    for (const u of options.urls) this.#health.set(u, 100);
    this.#identityOf = options.identityOf ?? ((m) => JSON.stringify(m));
  }

  /** Open members (connections), oldest first. */
  get connectionCount(): number {
    return this.#members.length;
  }

  /** Health score per URL (100 = perfect; failures lower it, opens raise it). */
  health(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.#health);
  }

  /**
   * Subscribes through the pool; same contract as {@link WsManager.subscribe}.
   *
   * @example
   * const trades = pool.subscribe<Trade>({ key: 'btcusdt@trade', subscribe: () => sub('btcusdt@trade') });
   */
  subscribe<T = TMessage>(
    spec: WsChannelSpec,
    options: BoundedStreamOptions<T> = {},
  ): BoundedStream<T> {
    if (this.#closed) throw createError('CLOSED', 'pool closed');
    const existing = this.#channels.get(spec.key);
    if (existing !== undefined) return (existing.fan as unknown as FanOut<T>).reader(options);
    const key = spec.key;
    const fan = new FanOut<TMessage>(() => this.#release(key));
    const reader = (fan as unknown as FanOut<T>).reader(options);
    if (reader.closed) return reader;
    const member = this.#memberWithRoom();
    const ch: PoolChannel<TMessage> = { spec, fan, member, handover: undefined };
    this.#channels.set(key, ch);
    this.#attach(member, ch);
    return reader;
  }

  /** Replaces a connection now, make-before-break (what the lifetime timer does). */
  async rotate(memberId: number, options: { url?: string } = {}): Promise<void> {
    const old = this.#members.find((m) => m.id === memberId);
    if (old === undefined || old.retiring) return;
    await this.#handover(old, options.url ?? this.#bestUrl(), 'rotated');
  }

  /**
   * Counters of every member connection (see {@link WsManager.stats}).
   *
   * @example
   * const total = pool.stats().reduce((n, m) => n + m.stats.messagesIn, 0);
   */
  stats(): readonly { id: number; url: string; stats: WsStats }[] {
    return this.#members.map((m) => ({ id: m.id, url: m.url, stats: m.manager.stats() }));
  }

  /**
   * The current members, oldest first: id, URL, channels, and `rotateAt`, the epoch ms at
   * which the lifetime timer starts the make-before-break replacement (`undefined` when
   * rotation is off, already started, or the member is retiring).
   *
   * @example
   * const next = Math.min(...pool.members().map((m) => m.rotateAt ?? Infinity));
   */
  members(): readonly {
    id: number;
    url: string;
    channels: number;
    rotateAt: number | undefined;
  }[] {
    return this.#members.map((m) => ({
      id: m.id,
      url: m.url,
      channels: m.offs.size,
      rotateAt: m.timer === undefined || m.retiring ? undefined : m.rotateAt,
    }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const members = this.#members.splice(0);
    for (const m of members) if (m.timer !== undefined) clearTimeout(m.timer);
    for (const ch of this.#channels.values()) ch.fan.end();
    this.#channels.clear();
    await Promise.all(members.map((m) => m.manager.close()));
    await Promise.all([...this.#inFlight]);
    this.events.end();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---------------------------------------------------------------- members

  #memberWithRoom(): Member<TMessage> {
    const limit = this.#o.streamsPerConnection ?? 1024;
    for (const m of this.#members) {
      if (!m.retiring && m.offs.size < limit && m.manager.state !== 'stopped') return m;
    }
    return this.#createMember(this.#bestUrl());
  }

  #bestUrl(exclude?: string): string {
    let best = this.#o.urls[0]!;
    let score = -Infinity;
    for (const u of this.#o.urls) {
      const h = (this.#health.get(u) ?? 0) - (u === exclude ? 1000 : 0);
      if (h > score) {
        best = u;
        score = h;
      }
    }
    return best;
  }

  #adjustHealth(url: string, delta: number): void {
    this.#health.set(url, Math.max(0, Math.min(100, (this.#health.get(url) ?? 100) + delta)));
  }

  #createMember(url: string): Member<TMessage> {
    const {
      urls: _urls,
      streamsPerConnection: _s,
      maxLifetimeMs: _l,
      rotateBeforeMs: _r,
      identityOf: _i,
      handoverTimeoutMs: _h,
      failoverAfter: _f,
      ...managerOptions
    } = this.#o;
    const manager = new WsManager<TMessage>({ ...managerOptions, url });
    const member: Member<TMessage> = {
      id: ++this.#nextId,
      url,
      manager,
      offs: new Map(),
      retiring: false,
      timer: undefined,
      rotateAt: undefined,
    };
    this.#members.push(member);
    manager.events.on((e) => this.#onMemberEvent(member, e));
    const lifetime = this.#o.maxLifetimeMs ?? 86_400_000;
    if (lifetime > 0) {
      const at = Math.max(0, lifetime - (this.#o.rotateBeforeMs ?? 300_000));
      member.rotateAt = Date.now() + at;
      member.timer = setTimeout(() => {
        member.timer = undefined;
        member.rotateAt = undefined;
        void this.rotate(member.id).catch(() => undefined);
      }, at);
      member.timer.unref?.();
    }
    return member;
  }

  #onMemberEvent(member: Member<TMessage>, e: WsEvent): void {
    if (e.type === 'open') this.#adjustHealth(member.url, +10);
    else if (e.type === 'closed') this.#adjustHealth(member.url, -10);
    else if (e.type === 'error' && e.error.category === 'transport')
      this.#adjustHealth(member.url, -5);
    this.events.emit({ ...e, member: member.id });
    if (
      e.type === 'reconnecting' &&
      e.attempt >= (this.#o.failoverAfter ?? 3) &&
      !member.retiring &&
      this.#o.urls.length > 1
    ) {
      const to = this.#bestUrl(member.url);
      if (to !== member.url) void this.#handover(member, to, 'failover').catch(() => undefined);
    }
    if (e.type === 'error' && !member.retiring && member.manager.state === 'stopped') {
      // The member gave up for good (no-retry close, attempts exhausted); the pool owns the
      // readers, so it passes the terminal error on to them.
      for (const [key, ch] of this.#channels) {
        if (ch.member === member) {
          this.#channels.delete(key);
          ch.fan.fail(e.error);
        }
      }
      member.offs.clear();
      this.#retire(member);
    }
  }

  #attach(member: Member<TMessage>, ch: PoolChannel<TMessage>): void {
    const key = ch.spec.key;
    const off = member.manager.addChannel(
      ch.spec,
      (m) => this.#deliver(ch, member, m),
      (error) => {
        // The exchange refused the subscription: the readers learn why.
        if (this.#channels.get(key) !== ch) return;
        this.#channels.delete(key);
        member.offs.delete(key);
        ch.fan.fail(error);
      },
    );
    member.offs.set(key, off);
  }

  #release(key: string): void {
    const ch = this.#channels.get(key);
    if (ch === undefined) return;
    this.#channels.delete(key);
    for (const m of [ch.member, ch.handover?.next]) {
      if (m === undefined) continue;
      m.offs.get(key)?.();
      m.offs.delete(key);
      if (m.offs.size === 0 && !m.retiring) this.#retire(m);
    }
  }

  #retire(member: Member<TMessage>): void {
    member.retiring = true;
    if (member.timer !== undefined) clearTimeout(member.timer);
    const i = this.#members.indexOf(member);
    if (i >= 0) this.#members.splice(i, 1);
    const p = member.manager.close();
    this.#inFlight.add(p);
    void p.finally(() => this.#inFlight.delete(p));
  }

  // ---------------------------------------------------------------- delivery and handover

  #deliver(ch: PoolChannel<TMessage>, from: Member<TMessage>, m: TMessage): void {
    const h = ch.handover;
    if (h === undefined) {
      if (from === ch.member) ch.fan.push(m);
      return;
    }
    if (from === ch.member) {
      // The old connection still delivers while the new one catches up.
      const id = this.#identityOf(m);
      if (id !== undefined) {
        if (h.delivered.size >= HANDOVER_WINDOW) h.delivered.clear();
        h.delivered.add(id);
      }
      ch.fan.push(m);
      if (id !== undefined && h.queued.length > 0) {
        // The new connection was ahead: it already sent this one. Drop it and what came
        // before it from the queue; the rest is newer than anything delivered.
        const at = h.queued.findIndex((q) => this.#identityOf(q) === id);
        if (at >= 0) {
          h.queued.splice(0, at + 1);
          this.#switch(ch);
        }
      }
      return;
    }
    if (from !== h.next) return;
    const id = this.#identityOf(m);
    if (id !== undefined && h.delivered.has(id)) {
      // Aligned: everything the new connection sent up to here was already delivered.
      h.queued.length = 0;
      this.#switch(ch);
      return;
    }
    if (h.queued.length < HANDOVER_WINDOW) h.queued.push(m);
  }

  #switch(ch: PoolChannel<TMessage>): void {
    const h = ch.handover;
    if (h === undefined) return;
    for (const m of h.queued) {
      const id = this.#identityOf(m);
      if (id === undefined || !h.delivered.has(id)) ch.fan.push(m);
    }
    ch.handover = undefined;
    ch.member = h.next;
  }

  #handover(old: Member<TMessage>, url: string, kind: 'rotated' | 'failover'): Promise<void> {
    const p = this.#doHandover(old, url, kind);
    this.#inFlight.add(p);
    return p.finally(() => this.#inFlight.delete(p));
  }

  async #doHandover(
    old: Member<TMessage>,
    url: string,
    kind: 'rotated' | 'failover',
  ): Promise<void> {
    if (this.#closed || old.retiring) return;
    old.retiring = true;
    if (old.timer !== undefined) clearTimeout(old.timer);
    const next = this.#createMember(url);
    const moving = [...this.#channels.values()].filter((c) => c.member === old);
    for (const ch of moving) {
      ch.handover = { next, delivered: new Set(), queued: [] };
      this.#attach(next, ch);
    }
    // A failing old connection delivers nothing: no alignment to wait for.
    const timeoutMs = kind === 'failover' ? 0 : (this.#o.handoverTimeoutMs ?? 10_000);
    let forced = 0;
    if (timeoutMs > 0) {
      await new Promise<void>((resolve) => {
        const started = Date.now();
        const poll = setInterval(() => {
          const pending = moving.filter((c) => c.handover?.next === next);
          if (pending.length === 0 || Date.now() - started >= timeoutMs || this.#closed) {
            clearInterval(poll);
            resolve();
          }
        }, 10);
        poll.unref?.();
      });
    }
    if (this.#closed) return;
    for (const ch of moving) {
      if (ch.handover?.next === next) {
        forced++;
        this.#switch(ch);
      }
    }
    const i = this.#members.indexOf(old);
    if (i >= 0) this.#members.splice(i, 1);
    for (const off of old.offs.values()) off();
    old.offs.clear();
    await old.manager.close();
    if (kind === 'rotated')
      this.events.emit({ type: 'rotated', from: old.id, to: next.id, forced });
    else
      this.events.emit({
        type: 'failover',
        from: old.id,
        to: next.id,
        fromUrl: old.url,
        toUrl: url,
      });
  }
}
