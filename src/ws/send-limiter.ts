import { createError } from '../errors/index.js';

/**
 * Outgoing message rate of one connection.
 *
 * @example
 * const limit: SendLimiterConfig = { messagesPerSecond: 5 }; // Binance
 */
export interface SendLimiterConfig {
  /** The exchange's limit on client messages per second. Default 5 (messages/s). */
  readonly messagesPerSecond?: number;
  /**
   * Fraction of the limit kept in reserve, because the exchange counts arrivals and the
   * network can bunch frames together. Default 0.1 (10 %).
   */
  readonly headroom?: number;
  /** Most frames waiting for their turn; beyond it `send` fails with `WS_BACKPRESSURE`. Default 10 000 (frames). */
  readonly maxQueued?: number;
}

interface Job {
  readonly tag: unknown;
  readonly run: () => void;
  readonly fail: (e: unknown) => void;
  readonly priority: number;
  readonly seq: number;
}

/**
 * Paces frames evenly: one frame every `1000 / (rate × (1 − headroom))` ms, in priority
 * order (higher first, FIFO among equals). Never a burst, so a resubscribe of hundreds of
 * streams after a reconnect cannot get the connection banned.
 *
 * @example
 * const limiter = new SendLimiter({ messagesPerSecond: 5 });
 * limiter.schedule(() => socket.send(frame), 0);
 */
export class SendLimiter {
  readonly spacingMs: number;
  readonly maxQueued: number;
  readonly #now: () => number;
  #queue: Job[] = [];
  #seq = 0;
  #nextAt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #gate: ((tag: unknown) => boolean) | undefined;

  constructor(config: SendLimiterConfig = {}, now: () => number = Date.now) {
    const rate = config.messagesPerSecond ?? 5;
    const headroom = config.headroom ?? 0.1;
    if (!(rate > 0) || !(headroom >= 0 && headroom < 1)) {
      throw createError(
        'INVALID_ARGUMENT',
        'sendLimit needs messagesPerSecond > 0 and headroom in [0, 1)',
        {
          context: { argument: 'sendLimit' },
        },
      );
    }
    this.spacingMs = 1000 / (rate * (1 - headroom));
    this.maxQueued = config.maxQueued ?? 10_000;
    this.#now = now;
  }

  /** Frames waiting. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Runs `run` when its turn comes. Resolves after it ran; rejects with `WS_BACKPRESSURE`
   * when the queue is full, or with what {@link SendLimiter.clear} passes.
   */
  schedule(run: () => void, priority = 0, tag?: unknown): Promise<void> {
    if (this.#queue.length >= this.maxQueued) {
      return Promise.reject(
        createError('WS_BACKPRESSURE', `send queue full (${this.maxQueued} frames)`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const job: Job = {
        tag,
        run: () => {
          run();
          resolve();
        },
        fail: reject,
        priority,
        seq: this.#seq++,
      };
      // Insert keeping (priority desc, seq asc); queues are short, and appends are the norm.
      let i = this.#queue.length;
      while (i > 0 && this.#queue[i - 1]!.priority < priority) i--;
      this.#queue.splice(i, 0, job);
      this.#pump();
    });
  }

  /**
   * Sets which queued frames may go now (by the tag given to `schedule`): `undefined` (the
   * initial state) lets all go, `() => false` holds all. Held frames keep their place.
   */
  setGate(gate: ((tag: unknown) => boolean) | undefined): void {
    this.#gate = gate;
    this.#pump();
  }

  /** Rejects and forgets the waiting frames whose tag matches; returns how many. */
  removeWhere(match: (tag: unknown) => boolean, error: unknown): number {
    const keep: Job[] = [];
    const gone: Job[] = [];
    for (const j of this.#queue) (match(j.tag) ? gone : keep).push(j);
    this.#queue = keep;
    for (const j of gone) j.fail(error);
    return gone.length;
  }

  /** Counts the waiting frames whose tag matches. */
  count(match: (tag: unknown) => boolean): number {
    let n = 0;
    for (const j of this.#queue) if (match(j.tag)) n++;
    return n;
  }

  /** Rejects every waiting frame with `error` and forgets them. */
  clear(error: unknown): void {
    const q = this.#queue;
    this.#queue = [];
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const j of q) j.fail(error);
  }

  #pump(): void {
    if (this.#timer !== undefined) return;
    while (this.#queue.length > 0) {
      const gate = this.#gate;
      const index = gate === undefined ? 0 : this.#queue.findIndex((j) => gate(j.tag));
      if (index < 0) return;
      const now = this.#now();
      if (now < this.#nextAt) {
        this.#timer = setTimeout(() => {
          this.#timer = undefined;
          this.#pump();
        }, this.#nextAt - now);
        return;
      }
      const job = this.#queue.splice(index, 1)[0]!;
      this.#nextAt = Math.max(now, this.#nextAt) + this.spacingMs;
      try {
        job.run();
      } catch (e) {
        job.fail(e);
      }
    }
  }
}
