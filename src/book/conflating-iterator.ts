import { createError } from '../errors/tickwire-error.js';

/**
 * Options of {@link ConflatingIterator}.
 *
 * @example
 * new ConflatingIterator(read, { signal, onClose: () => watchers.delete(it) });
 */
export interface ConflatingIteratorOptions {
  /** Aborting ends the iterator: a pending or later `next()` rejects with `ABORTED`. */
  readonly signal?: AbortSignal;
  /** Called once when the iterator finishes for any reason (return, abort, end, error). */
  readonly onClose?: () => void;
  /** Start dirty: the first `next()` reads at once instead of waiting for `notify()`. */
  readonly initiallyDirty?: boolean;
}

interface Waiter<T> {
  resolve(result: IteratorResult<T>): void;
  reject(error: unknown): void;
}

/**
 * An async iterator that never builds a backlog. A producer calls `notify()` whenever the
 * state changed; the value is only read (by calling `read()`) when the consumer asks for it,
 * so a slow consumer sees the latest state, never a queue of stale ones, and memory stays
 * constant however far it falls behind.
 *
 * Contract: before the first `notify()` (unless `initiallyDirty`), `next()` waits; after
 * `end()` or `return()` it reports done; after `fail(e)` the next call rejects with `e` and
 * later ones report done; on abort it rejects with an `ABORTED` error. Concurrent `next()`
 * calls all receive the same value.
 *
 * @example
 * const it = new ConflatingIterator(() => book.view(10));
 * book.applyDelta(delta); it.notify();
 * const { value } = await it.next(); // the book as of now
 */
export class ConflatingIterator<T> implements AsyncIterableIterator<T> {
  readonly #read: () => T;
  readonly #signal: AbortSignal | undefined;
  readonly #onClose: (() => void) | undefined;
  #dirty: boolean;
  #done = false;
  #failure: { error: unknown } | undefined;
  #waiters: Waiter<T>[] = [];
  readonly #onAbort = (): void => {
    this.fail(createError('ABORTED', 'order book watch aborted', { cause: this.#signal?.reason }));
  };

  constructor(read: () => T, options: ConflatingIteratorOptions = {}) {
    this.#read = read;
    this.#signal = options.signal;
    this.#onClose = options.onClose;
    this.#dirty = options.initiallyDirty === true;
    if (this.#signal?.aborted === true) this.#onAbort();
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Marks the state changed; wakes a waiting consumer with a fresh read. */
  notify(): void {
    if (this.#done) return;
    if (this.#waiters.length === 0) {
      this.#dirty = true;
      return;
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    this.#dirty = false;
    let value: T;
    try {
      value = this.#read();
    } catch (error) {
      for (const w of waiters) w.reject(error);
      return;
    }
    for (const w of waiters) w.resolve({ value, done: false });
  }

  /** Ends the iterator; waiting and later `next()` calls report done. */
  end(): void {
    if (this.#done) return;
    this.#finish();
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve({ value: undefined, done: true });
  }

  /** Ends the iterator with an error, delivered to the waiting (or next) `next()` call. */
  fail(error: unknown): void {
    if (this.#done) return;
    this.#finish();
    const waiters = this.#waiters;
    this.#waiters = [];
    if (waiters.length === 0) this.#failure = { error };
    for (const w of waiters) w.reject(error);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#failure !== undefined) {
      const { error } = this.#failure;
      this.#failure = undefined;
      return Promise.reject(error);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    if (this.#dirty) {
      this.#dirty = false;
      try {
        return Promise.resolve({ value: this.#read(), done: false });
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.#failure = undefined;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  #finish(): void {
    this.#done = true;
    this.#dirty = false;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#onClose?.();
  }
}
