/**
 * Liveness checking for one connection.
 *
 * @example
 * // Bybit-style application ping
 * const hb: HeartbeatConfig = {
 *   interval: 20_000,
 *   timeout: 10_000,
 *   mode: 'application',
 *   payload: { op: 'ping' },
 *   pongMatcher: (m) => (m as { op?: string }).op === 'pong',
 * };
 */
export interface HeartbeatConfig {
  /** Silence after which a ping is sent. Default 20 000 (ms). */
  readonly interval?: number;
  /** How long to wait for the pong before the socket is declared dead. Default 10 000 (ms). */
  readonly timeout?: number;
  /**
   * `ws-ping`: RFC 6455 ping frames, answered by the server's pong. `application`: a JSON
   * frame (`payload` or `ping()`), answered by a message that `pongMatcher` recognises.
   * Default `'ws-ping'`.
   */
  readonly mode?: 'ws-ping' | 'application';
  /** Application ping frame (serialised as JSON unless a string). Default `{ op: 'ping' }`. */
  readonly payload?: unknown;
  /** Builds each application ping (wins over `payload`), e.g. to stamp a time. */
  readonly ping?: () => unknown;
  /** Recognises the application pong among incoming messages (it is not routed). */
  readonly pongMatcher?: (message: unknown) => boolean;
  /**
   * Whether any incoming message counts as liveness, postponing the next ping. Default
   * `true` (busy streams then need no pings at all).
   */
  readonly anyMessageIsAlive?: boolean;
}

/**
 * What a {@link Heartbeat} drives.
 *
 * @example
 * const hooks: HeartbeatHooks = { sendPing: () => conn.ping(), onTimeout: () => conn.terminate(), onRoundTrip: record };
 */
export interface HeartbeatHooks {
  /** Sends a ping (ws or application); returns false if it could not be sent. */
  readonly sendPing: () => boolean;
  /** The pong did not come in time: terminate the socket. */
  readonly onTimeout: () => void;
  /** Round-trip of a ping answered by its pong (ms). */
  readonly onRoundTrip: (ms: number) => void;
  /** Clock (ms); injectable for tests. */
  readonly now?: () => number;
}

/**
 * The heartbeat timer of one open connection. A silent (half-open) socket is detected
 * within `interval + timeout` of its last sign of life. Uses plain `setTimeout`, so it runs
 * under jest fake timers.
 *
 * @example
 * const hb = new Heartbeat({ interval: 1000, timeout: 500 }, { sendPing, onTimeout, onRoundTrip });
 * hb.start(); socket.on('pong', () => hb.pong()); socket.on('close', () => hb.stop());
 */
export class Heartbeat {
  readonly interval: number;
  readonly timeout: number;
  readonly anyMessageIsAlive: boolean;
  readonly #hooks: HeartbeatHooks;
  readonly #now: () => number;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #pingSentAt: number | undefined;
  #lastAliveAt = 0;
  #running = false;

  constructor(config: HeartbeatConfig, hooks: HeartbeatHooks) {
    this.interval = config.interval ?? 20_000;
    this.timeout = config.timeout ?? 10_000;
    this.anyMessageIsAlive = config.anyMessageIsAlive ?? true;
    this.#hooks = hooks;
    this.#now = hooks.now ?? Date.now;
  }

  /** Starts watching (call on open). */
  start(): void {
    this.#running = true;
    this.#lastAliveAt = this.#now();
    this.#armIdle(this.interval);
  }

  /** Stops every timer (call on close). */
  stop(): void {
    this.#running = false;
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#idleTimer = undefined;
    this.#deadline = undefined;
    this.#pingSentAt = undefined;
  }

  /**
   * Some message arrived. Cheap on purpose (hot path): it only stores a time; the idle timer
   * re-arms itself lazily when it fires.
   */
  alive(now: number): void {
    if (this.anyMessageIsAlive) this.#lastAliveAt = now;
  }

  /** The pong arrived. */
  pong(): void {
    if (!this.#running) return;
    const now = this.#now();
    this.#lastAliveAt = now;
    if (this.#pingSentAt !== undefined) {
      this.#hooks.onRoundTrip(now - this.#pingSentAt);
      this.#pingSentAt = undefined;
    }
    if (this.#deadline !== undefined) {
      clearTimeout(this.#deadline);
      this.#deadline = undefined;
      this.#armIdle(this.interval);
    }
  }

  #armIdle(ms: number): void {
    if (this.#idleTimer !== undefined) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => this.#onIdle(), Math.max(0, ms));
    this.#idleTimer.unref?.();
  }

  #onIdle(): void {
    this.#idleTimer = undefined;
    if (!this.#running) return;
    const silentFor = this.#now() - this.#lastAliveAt;
    if (silentFor < this.interval) {
      this.#armIdle(this.interval - silentFor);
      return;
    }
    this.#pingSentAt = this.#now();
    this.#hooks.sendPing();
    this.#deadline = setTimeout(() => {
      this.#deadline = undefined;
      if (!this.#running) return;
      this.stop();
      this.#hooks.onTimeout();
    }, this.timeout);
    this.#deadline.unref?.();
  }
}
