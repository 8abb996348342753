import { createError } from '../errors/tickwire-error.js';

/**
 * Options of {@link ClockSync}.
 *
 * @example
 * const options: ClockSyncOptions = {
 *   fetchServerTime: async ({ signal }) => (await rest.execute(timeRequest, TimeBody, { signal })).serverTime,
 * };
 */
export interface ClockSyncOptions {
  /** Reads the exchange's clock (epoch ms), e.g. `GET /api/v3/time`. Required. */
  readonly fetchServerTime: (options: { signal?: AbortSignal }) => Promise<number>;
  /** `recvWindow` to send with signed requests, in ms. Default 5000 (Binance's default). */
  readonly recvWindowMs?: number;
  /**
   * Subtracted from every timestamp, in ms, so that a slightly late local clock never
   * produces a timestamp "ahead of the server" (Binance rejects > 1000 ms ahead). Default 0.
   */
  readonly safetyMarginMs?: number;
  /** Round trips per {@link ClockSync.sync}; the one with the shortest round trip wins. Default 3. */
  readonly samples?: number;
  /** The local clock, epoch ms. Default `Date.now`. */
  readonly now?: () => number;
}

/**
 * Measures the offset between the local clock and the exchange's, and supplies the
 * `timestamp` and `recvWindow` of signed requests. The offset is taken from the midpoint of
 * the round trip (`serverTime − (tSend + tRecv) / 2`) of the fastest of a few samples.
 * Re-run {@link ClockSync.sync} periodically and whenever the exchange says a timestamp fell
 * outside the window (Binance `-1021`); concurrent calls share one measurement.
 *
 * @example
 * const clock = new ClockSync({ fetchServerTime });
 * await clock.sync({ signal });
 * const ts = clock.timestamp();
 */
export class ClockSync {
  readonly #fetch: ClockSyncOptions['fetchServerTime'];
  readonly #now: () => number;
  readonly #margin: number;
  readonly #samples: number;
  /** `recvWindow` sent with signed requests, in ms. */
  readonly recvWindowMs: number;
  #offset = 0;
  #syncedAt: number | undefined;
  #pending: Promise<number> | undefined;

  constructor(options: ClockSyncOptions) {
    this.#fetch = options.fetchServerTime;
    this.#now = options.now ?? Date.now;
    this.#margin = options.safetyMarginMs ?? 0;
    this.#samples = Math.max(1, Math.floor(options.samples ?? 3));
    this.recvWindowMs = options.recvWindowMs ?? 5000;
    if (!(this.recvWindowMs > 0 && this.recvWindowMs <= 60_000)) {
      throw createError('INVALID_ARGUMENT', 'recvWindowMs must be in (0, 60000]', {
        context: { argument: 'recvWindowMs' },
      });
    }
  }

  /** Server time minus local time, in ms (0 until the first sync). */
  get offsetMs(): number {
    return this.#offset;
  }

  /** Local epoch ms of the last successful sync, `undefined` before the first. */
  get syncedAt(): number | undefined {
    return this.#syncedAt;
  }

  /** The timestamp to sign now: local time + offset − safety margin, in whole ms. */
  timestamp(): number {
    return Math.floor(this.#now() + this.#offset - this.#margin);
  }

  /**
   * Measures the offset again; resolves with it. Calls made while one is running share it.
   *
   * @example
   * if (isTickwireError(e, 'AUTH_TIMESTAMP_OUTSIDE_WINDOW')) await clock.sync();
   */
  sync(options: { signal?: AbortSignal } = {}): Promise<number> {
    this.#pending ??= this.#measure(options).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #measure(options: { signal?: AbortSignal }): Promise<number> {
    let best: { rtt: number; offset: number } | undefined;
    for (let i = 0; i < this.#samples; i++) {
      if (options.signal?.aborted === true) {
        throw createError('ABORTED', 'clock sync aborted', { cause: options.signal.reason });
      }
      const tSend = this.#now();
      const serverTime = await this.#fetch(options);
      const tRecv = this.#now();
      if (!Number.isFinite(serverTime)) {
        throw createError('VALIDATION_FAILED', 'server time is not a number', {
          context: { what: 'server time', path: '' },
        });
      }
      const rtt = tRecv - tSend;
      const offset = serverTime - (tSend + tRecv) / 2;
      if (best === undefined || rtt < best.rtt) best = { rtt, offset };
    }
    this.#offset = Math.round(best!.offset);
    this.#syncedAt = this.#now();
    return this.#offset;
  }
}
