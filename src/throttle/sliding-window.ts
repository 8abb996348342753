/**
 * A sliding-window log of released weight for one pool: `used(now)` is the weight released
 * in `(now − intervalMs, now]`. Admitting only when `used(now) + w ≤ capacity` guarantees
 * that **every** window of length `intervalMs` (not just the aligned ones) carries at most
 * `capacity`, which a refreshing reservoir cannot promise (it lets 2× through across a
 * refresh boundary). Releases in the same millisecond share one log slot, so memory is
 * bounded by `intervalMs` slots whatever the request rate.
 *
 * @example
 * const w = new SlidingWindow(60_000);
 * w.record(5, Date.now());
 * w.used(Date.now()); // 5
 */
export class SlidingWindow {
  /** Window length, in ms. */
  readonly intervalMs: number;
  #times: number[] = [];
  #weights: number[] = [];
  #head = 0;
  #sum = 0;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  /** Weight released in `(now − intervalMs, now]`. */
  used(now: number): number {
    this.#prune(now);
    return this.#sum;
  }

  /** Records `weight` released at `now` (ms, non-decreasing across calls). */
  record(weight: number, now: number): void {
    if (weight <= 0) return;
    const last = this.#times.length - 1;
    if (last >= this.#head && this.#times[last]! >= now) {
      this.#weights[last]! += weight;
    } else {
      this.#times.push(now);
      this.#weights.push(weight);
    }
    this.#sum += weight;
  }

  /**
   * Milliseconds from `now` until `weight` more fits under `capacity` (0 when it fits now,
   * `Infinity` when it can never fit).
   */
  waitFor(weight: number, capacity: number, now: number): number {
    this.#prune(now);
    if (this.#sum + weight <= capacity) return 0;
    if (weight > capacity) return Infinity;
    let remaining = this.#sum;
    for (let i = this.#head; i < this.#times.length; i++) {
      remaining -= this.#weights[i]!;
      if (remaining + weight <= capacity) return this.#times[i]! + this.intervalMs - now;
    }
    return this.intervalMs;
  }

  #prune(now: number): void {
    const cutoff = now - this.intervalMs;
    const times = this.#times;
    let h = this.#head;
    while (h < times.length && times[h]! <= cutoff) {
      this.#sum -= this.#weights[h]!;
      h++;
    }
    if (h === times.length) {
      this.#times = [];
      this.#weights = [];
      this.#head = 0;
      this.#sum = 0;
      return;
    }
    if (h > 1024 && h * 2 > times.length) {
      this.#times = times.slice(h);
      this.#weights = this.#weights.slice(h);
      h = 0;
    }
    this.#head = h;
  }
}
