import { createError } from '../errors/index.js';

/**
 * Circuit breaker policy for connection attempts.
 *
 * @example
 * const breaker: CircuitBreakerConfig = { failureThreshold: 5, openMs: 30_000 };
 */
export interface CircuitBreakerConfig {
  /** Consecutive failed connection attempts that open the circuit. Default 5 (attempts). */
  readonly failureThreshold?: number;
  /** How long the circuit stays open before one half-open probe. Default 30 000 (ms). */
  readonly openMs?: number;
}

/**
 * The breaker's state.
 *
 * @example
 * if (breaker.state(Date.now()) === 'open') console.log('failing fast');
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

/**
 * Opens after N consecutive failures, lets one probe through after `openMs` (half-open),
 * closes again on its success, re-opens on its failure.
 *
 * @example
 * const cb = new CircuitBreaker({ failureThreshold: 3, openMs: 10_000 });
 * cb.recordFailure(now); // …three times → cb.state(now) === 'open'
 */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly openMs: number;
  #failures = 0;
  #openedAt: number | undefined;

  constructor(config: CircuitBreakerConfig = {}) {
    this.failureThreshold = config.failureThreshold ?? 5;
    this.openMs = config.openMs ?? 30_000;
    if (!(Number.isInteger(this.failureThreshold) && this.failureThreshold >= 1)) {
      throw createError('INVALID_ARGUMENT', 'circuitBreaker.failureThreshold must be ≥ 1', {
        context: { argument: 'circuitBreaker.failureThreshold' },
      });
    }
  }

  /** The state at `now` (ms). */
  state(now: number): CircuitState {
    if (this.#openedAt === undefined) return 'closed';
    return now - this.#openedAt >= this.openMs ? 'half-open' : 'open';
  }

  /** Milliseconds until a probe is allowed (0 when closed or half-open). */
  waitMs(now: number): number {
    if (this.#openedAt === undefined) return 0;
    return Math.max(0, this.#openedAt + this.openMs - now);
  }

  /** A connection attempt failed at `now`. Returns true when this opened (or re-opened) the circuit. */
  recordFailure(now: number): boolean {
    this.#failures++;
    if (this.#openedAt !== undefined || this.#failures >= this.failureThreshold) {
      this.#openedAt = now;
      return true;
    }
    return false;
  }

  /** A connection attempt succeeded: closed. */
  recordSuccess(): void {
    this.#failures = 0;
    this.#openedAt = undefined;
  }
}
