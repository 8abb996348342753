import { createError } from '../errors/index.js';

/**
 * How the un-jittered delay grows with the attempt number.
 *
 * @example
 * const strategy: BackoffStrategy = 'fibonacci';
 */
export type BackoffStrategy = 'exponential' | 'linear' | 'fibonacci';

/**
 * Reconnect backoff policy.
 *
 * @example
 * const backoff: BackoffConfig = { strategy: 'exponential', base: 500, multiplier: 2, cap: 30_000 };
 */
export interface BackoffConfig {
  /** Growth of the delay. Default `'exponential'`. */
  readonly strategy?: BackoffStrategy;
  /** Delay before the first retry. Default 1000 (ms). */
  readonly base?: number;
  /**
   * Exponential: factor per attempt (`base × multiplier^(n−1)`). Linear: step in units of
   * `base` (`base × (1 + multiplier × (n−1))`). Unused by fibonacci. Default 2.
   */
  readonly multiplier?: number;
  /** Largest delay, jitter included. Default 60 000 (ms). */
  readonly cap?: number;
  /**
   * Fraction of the delay that is randomised: the delay is uniform in
   * `[d × (1 − jitter), d]`, so herds of clients spread out but never wait longer than the
   * strategy says. 0 disables. Default 0.2.
   */
  readonly jitter?: number;
  /** Consecutive failed attempts before giving up with `WS_RECONNECT_EXHAUSTED`; 0 = never. Default 0. */
  readonly maxAttempts?: number;
  /** A connection that stays open this long resets the attempt count to 0. Default 60 000 (ms). */
  readonly resetAfter?: number;
}

/**
 * A {@link BackoffConfig} with every default filled in.
 *
 * @example
 * const r: ResolvedBackoffConfig = resolveBackoff({ base: 250 });
 */
export type ResolvedBackoffConfig = Required<BackoffConfig>;

/**
 * Fills in the defaults and validates a backoff config (`INVALID_ARGUMENT` on nonsense).
 *
 * @example
 * resolveBackoff({ base: 100 }).cap; // 60000
 */
export function resolveBackoff(config: BackoffConfig = {}): ResolvedBackoffConfig {
  const r: ResolvedBackoffConfig = {
    strategy: config.strategy ?? 'exponential',
    base: config.base ?? 1000,
    multiplier: config.multiplier ?? 2,
    cap: config.cap ?? 60_000,
    jitter: config.jitter ?? 0.2,
    maxAttempts: config.maxAttempts ?? 0,
    resetAfter: config.resetAfter ?? 60_000,
  };
  const bad = (argument: string, why: string): never => {
    throw createError('INVALID_ARGUMENT', `backoff.${argument} ${why}`, { context: { argument } });
  };
  if (!(r.base >= 0)) bad('base', 'must be ≥ 0');
  if (!(r.multiplier >= 1) && r.strategy === 'exponential') bad('multiplier', 'must be ≥ 1');
  if (!(r.multiplier >= 0)) bad('multiplier', 'must be ≥ 0');
  if (!(r.cap >= r.base)) bad('cap', 'must be ≥ base');
  if (!(r.jitter >= 0 && r.jitter <= 1)) bad('jitter', 'must be within [0, 1]');
  if (!(Number.isInteger(r.maxAttempts) && r.maxAttempts >= 0))
    bad('maxAttempts', 'must be an integer ≥ 0');
  if (!(r.resetAfter >= 0)) bad('resetAfter', 'must be ≥ 0');
  return r;
}

/**
 * The un-jittered delay of attempt `attempt` (1-based), capped.
 *
 * @example
 * backoffCeiling(resolveBackoff({ base: 100, strategy: 'fibonacci' }), 5); // 800 (100 × fib 8)
 */
export function backoffCeiling(config: ResolvedBackoffConfig, attempt: number): number {
  const n = Math.max(1, attempt);
  let d: number;
  switch (config.strategy) {
    case 'exponential':
      d = config.base * Math.pow(config.multiplier, n - 1);
      break;
    case 'linear':
      d = config.base * (1 + config.multiplier * (n - 1));
      break;
    case 'fibonacci': {
      // 1, 2, 3, 5, 8…: starting at fib(2) so the second attempt already waits longer.
      let a = 1;
      let b = 2;
      for (let i = 1; i < n && a < config.cap; i++) [a, b] = [b, a + b];
      d = config.base * a;
      break;
    }
  }
  return Number.isFinite(d) ? Math.min(d, config.cap) : config.cap;
}

/**
 * The attempt counter and delay source of a reconnect loop. `resetAfter` works: a
 * connection that stayed open that long resets the counter (the seed libraries kept
 * growing the delay forever).
 *
 * @example
 * const b = new Backoff({ base: 500 });
 * const delay = b.next();             // attempt 1, ≤ 500 ms
 * b.connected(Date.now());
 * b.disconnected(Date.now() + 90_000); // open 90 s ≥ resetAfter: counter back to 0
 */
export class Backoff {
  readonly config: ResolvedBackoffConfig;
  readonly #random: () => number;
  #attempt = 0;
  #connectedAt: number | undefined;

  constructor(config: BackoffConfig = {}, random: () => number = Math.random) {
    this.config = resolveBackoff(config);
    this.#random = random;
  }

  /** Attempts made since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** True when `maxAttempts` is set and used up. */
  get exhausted(): boolean {
    return this.config.maxAttempts > 0 && this.#attempt >= this.config.maxAttempts;
  }

  /** Counts one more attempt and returns its delay (ms), jittered within the strategy's bounds. */
  next(): number {
    this.#attempt++;
    const ceiling = backoffCeiling(this.config, this.#attempt);
    const floor = ceiling * (1 - this.config.jitter);
    return floor + (ceiling - floor) * this.#random();
  }

  /** Records that a connection opened at `now` (ms). */
  connected(now: number): void {
    this.#connectedAt = now;
  }

  /** Records that the connection dropped at `now`; resets if it had been open ≥ `resetAfter`. */
  disconnected(now: number): void {
    if (this.#connectedAt !== undefined && now - this.#connectedAt >= this.config.resetAfter) {
      this.#attempt = 0;
    }
    this.#connectedAt = undefined;
  }

  /** Back to attempt 0. */
  reset(): void {
    this.#attempt = 0;
  }
}
