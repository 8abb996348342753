import { createError, type TickwireError } from '../errors/index.js';
import { type DedupOptions, SequenceDedup } from './sequence-dedup.js';

/**
 * What a full buffer does with one more value.
 *
 * @example
 * const policy: OverflowPolicy = 'drop_oldest';
 */
export type OverflowPolicy = 'drop_oldest' | 'drop_newest' | 'error';

/**
 * Options of one bounded stream (one reader).
 *
 * @example
 * const opts: BoundedStreamOptions<Trade> = { capacity: 10_000, overflow: 'drop_oldest' };
 */
export interface BoundedStreamOptions<T> {
  /** Most values held for a slow reader. Default 1000 (values). */
  readonly capacity?: number;
  /**
   * What happens when the buffer is full: `drop_oldest` evicts the oldest value,
   * `drop_newest` discards the incoming one, `error` ends the stream with `BUFFER_OVERFLOW`.
   * Default `'drop_oldest'`.
   */
  readonly overflow?: OverflowPolicy;
  /**
   * Keep only the latest value (for views such as a book, where only the newest state
   * matters). Overrides `capacity` and `overflow`; each replaced value counts as a drop.
   * Default `false`.
   */
  readonly conflate?: boolean;
  /** Drop duplicates by sequence id before they are buffered. Default: no dedup. */
  readonly dedup?: DedupOptions<T>;
  /** Ends the stream: pending and later `next()` calls reject with `ABORTED`. */
  readonly signal?: AbortSignal;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });
// Never pushed: tryNext's own "nothing buffered" marker.
const EMPTY: unique symbol = Symbol('BoundedStream.empty');

/**
 * A bounded, typed async iterator: one producer pushes, one reader consumes with
 * `for await`. Never grows past its capacity.
 *
 * The contract:
 * - **Before the first `next()`**: the stream is live from construction; values pushed
 *   before the reader starts are buffered (up to `capacity`, then the overflow policy
 *   applies), so nothing is lost between subscribing and starting the loop.
 * - **Order**: values come out in push order; duplicates (with `dedup`) never come out.
 * - **On abort** (`signal`): buffered values are discarded, a pending `next()` and every
 *   later one reject with a `ABORTED` {@link TickwireError}, and the upstream is released.
 * - **On error** (`fail()`, e.g. the connection stopped for good): values already buffered
 *   are delivered first, then `next()` rejects once with the error, then the stream is done.
 *   With `overflow: 'error'` the overflow error is raised at the very next `next()`,
 *   discarding what was buffered (the reader is too far behind for it to be useful).
 * - **On end** (`end()`, e.g. the manager closed): buffered values are delivered, then done.
 * - **Leaving the loop** (`break`, `return`, `throw` → `return()`): the stream is released
 *   at once; its `onRelease` callback runs exactly once (the fan-out unsubscribes upstream
 *   when the last reader leaves).
 *
 * @example
 * const s = new BoundedStream<number>({ capacity: 2, overflow: 'drop_oldest' });
 * s.push(1); s.push(2); s.push(3); // 1 is dropped
 * s.end();
 * for await (const n of s) console.log(n); // 2, 3
 */
export class BoundedStream<T> implements AsyncIterableIterator<T> {
  readonly #capacity: number;
  readonly #overflow: OverflowPolicy;
  readonly #dedup: SequenceDedup<T> | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onRelease: (() => void) | undefined;
  #ring: (T | undefined)[];
  #head = 0;
  #size = 0;
  #waiter: ((r: IteratorResult<T>) => void) | undefined;
  #waiterReject: ((e: unknown) => void) | undefined;
  #ended = false;
  #error: TickwireError | undefined;
  #errorImmediate = false;
  #released = false;
  #dropped = 0;
  #onAbort: (() => void) | undefined;
  #abortError: TickwireError | undefined;

  constructor(options: BoundedStreamOptions<T> = {}, onRelease?: () => void) {
    const conflate = options.conflate ?? false;
    this.#capacity = conflate ? 1 : Math.max(1, options.capacity ?? 1000);
    this.#overflow = conflate ? 'drop_oldest' : (options.overflow ?? 'drop_oldest');
    this.#dedup = options.dedup === undefined ? undefined : new SequenceDedup(options.dedup);
    this.#signal = options.signal;
    this.#onRelease = onRelease;
    this.#ring = new Array<T | undefined>(Math.min(this.#capacity, 1024));
    const signal = options.signal;
    if (signal !== undefined) {
      if (signal.aborted) this.#abort();
      else {
        this.#onAbort = () => this.#abort();
        signal.addEventListener('abort', this.#onAbort, { once: true });
      }
    }
  }

  /** Values dropped by the overflow policy or replaced by conflation. */
  get dropped(): number {
    return this.#dropped;
  }
  /** Duplicates refused by `dedup`. */
  get duplicates(): number {
    return this.#dedup?.duplicates ?? 0;
  }
  /** Values waiting to be read. */
  get size(): number {
    return this.#size;
  }
  /** True once nothing more will be accepted (ended, failed, aborted or released). */
  get closed(): boolean {
    return this.#ended || this.#released;
  }

  /**
   * Offers one value. Returns `false` when it was not buffered (duplicate, dropped as newest,
   * overflow error, or the stream is closed).
   */
  push(value: T): boolean {
    if (this.#ended || this.#released) return false;
    if (this.#dedup !== undefined && !this.#dedup.accept(value)) return false;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      this.#waiterReject = undefined;
      waiter({ value, done: false });
      return true;
    }
    if (this.#size < this.#capacity) {
      this.#store(value);
      return true;
    }
    if (this.#overflow === 'drop_oldest') {
      this.#ring[this.#head] = value;
      this.#head = this.#wrap(this.#head + 1);
      this.#dropped++;
      return true;
    }
    this.#dropped++;
    if (this.#overflow === 'error') {
      this.#errorImmediate = true;
      this.#terminate(
        createError('BUFFER_OVERFLOW', `stream buffer overflowed (capacity ${this.#capacity})`, {
          context: { capacity: this.#capacity },
        }),
      );
    }
    return false;
  }

  /** Ends the stream with an error, after the buffered values are read. */
  fail(error: TickwireError): void {
    if (this.#ended || this.#released) return;
    this.#terminate(error);
  }

  /** Ends the stream normally, after the buffered values are read. */
  end(): void {
    if (this.#ended || this.#released) return;
    this.#ended = true;
    this.#flushWaiter();
  }

  /**
   * Takes the oldest buffered value synchronously, when one can be delivered right now
   * (nothing terminal — an abort or an `overflow: 'error'` failure — comes before it).
   * Returns `undefined` otherwise (empty buffer, ended, failed, aborted): call `next()`,
   * which waits or reports the end. Lets a reader drain a burst without one promise per
   * value; values come out in the same order either way.
   *
   * @example
   * let r = s.tryNext();
   * if (r === undefined) r = await s.next();
   */
  tryNext(): IteratorYieldResult<T> | undefined {
    const value = this.poll<typeof EMPTY>(EMPTY);
    return value === EMPTY ? undefined : { value, done: false };
  }

  /**
   * Like {@link BoundedStream.tryNext} without the result object: the oldest buffered value,
   * or `empty` (a marker of the caller's choosing that is never pushed) when `next()` must
   * be used instead.
   *
   * @example
   * const NONE = Symbol('none');
   * const v = s.poll(NONE);
   * if (v === NONE) await s.next();
   */
  poll<E>(empty: E): T | E {
    if (this.#size === 0 || this.#abortError !== undefined || this.#errorImmediate) return empty;
    const value = this.#ring[this.#head] as T;
    this.#ring[this.#head] = undefined;
    this.#head = this.#wrap(this.#head + 1);
    this.#size--;
    return value;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.#abortError !== undefined) return Promise.reject(this.#abortError);
    if (this.#error !== undefined && (this.#errorImmediate || this.#size === 0)) {
      const e = this.#error;
      this.#error = undefined;
      this.#clear();
      this.#release();
      return Promise.reject(e);
    }
    if (this.#size > 0) {
      const value = this.#ring[this.#head] as T;
      this.#ring[this.#head] = undefined;
      this.#head = this.#wrap(this.#head + 1);
      this.#size--;
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended || this.#released) {
      this.#release();
      return Promise.resolve(DONE);
    }
    return new Promise<IteratorResult<T>>((resolve, reject) => {
      this.#waiter = resolve;
      this.#waiterReject = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.#ended = true;
    this.#error = undefined;
    this.#clear();
    this.#flushWaiter();
    this.#release();
    return Promise.resolve(DONE);
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #store(value: T): void {
    if (this.#size === this.#ring.length) this.#grow();
    this.#ring[this.#wrap(this.#head + this.#size)] = value;
    this.#size++;
  }

  // Ring index arithmetic without an integer division per value: `i` is always below twice
  // the ring length (head and size are each below it).
  #wrap(i: number): number {
    const n = this.#ring.length;
    return i >= n ? i - n : i;
  }

  // The ring starts small and doubles up to capacity, so a large capacity costs nothing
  // until a reader really falls behind.
  #grow(): void {
    const next = new Array<T | undefined>(Math.min(this.#capacity, this.#ring.length * 2));
    for (let i = 0; i < this.#size; i++) next[i] = this.#ring[(this.#head + i) % this.#ring.length];
    this.#ring = next;
    this.#head = 0;
  }

  #clear(): void {
    this.#ring = new Array<T | undefined>(1);
    this.#head = 0;
    this.#size = 0;
  }

  #terminate(error: TickwireError): void {
    this.#ended = true;
    this.#error = error;
    const reject = this.#waiterReject;
    if (reject !== undefined) {
      this.#waiter = undefined;
      this.#waiterReject = undefined;
      this.#error = undefined;
      this.#release();
      reject(error);
    }
  }

  #flushWaiter(): void {
    const waiter = this.#waiter;
    if (waiter !== undefined && this.#size === 0) {
      this.#waiter = undefined;
      this.#waiterReject = undefined;
      this.#release();
      waiter(DONE);
    }
  }

  #abort(): void {
    if (this.#released) return;
    this.#clear();
    const reason = this.#signal?.reason as unknown;
    const err = createError('ABORTED', 'stream aborted by its signal', {
      ...(reason === undefined ? {} : { cause: reason }),
    });
    this.#ended = true;
    this.#abortError = err;
    const reject = this.#waiterReject;
    if (reject !== undefined) {
      this.#waiter = undefined;
      this.#waiterReject = undefined;
      reject(err);
    }
    this.#releaseUpstream();
  }

  #release(): void {
    this.#releaseUpstream();
  }

  #releaseUpstream(): void {
    if (this.#released) return;
    this.#released = true;
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#onRelease?.();
  }
}
