import type { TickwireError } from '../errors/index.js';
import { BoundedStream, type BoundedStreamOptions } from './bounded-stream.js';

/**
 * One upstream subscription shared by many readers. Each reader gets its own bounded
 * buffer (its own capacity, overflow policy, dedup, signal), so one slow reader never holds
 * up another. When the last reader leaves, `onIdle` runs once (the owner unsubscribes
 * upstream); a reader added afterwards starts a new upstream subscription through the owner.
 *
 * @example
 * const fan = new FanOut<number>(() => sendUnsubscribe());
 * const a = fan.reader();
 * const b = fan.reader({ conflate: true });
 * fan.push(1); // both see 1
 */
export class FanOut<T> {
  readonly #readers = new Set<BoundedStream<T>>();
  readonly #onIdle: () => void;
  #list: BoundedStream<T>[] = [];
  #idle = false;
  #dropsOfGone = 0;

  constructor(onIdle: () => void) {
    this.#onIdle = onIdle;
  }

  /** Readers currently attached. */
  get readerCount(): number {
    return this.#readers.size;
  }

  /** True once the last reader left (or it was ended); no reader can be added any more. */
  get idle(): boolean {
    return this.#idle;
  }

  /** Values dropped by every reader's overflow policy, including readers already gone. */
  get dropped(): number {
    let n = this.#dropsOfGone;
    for (const r of this.#list) n += r.dropped;
    return n;
  }

  /** Adds a reader (callers check {@link FanOut.idle} first: an idle fan-out is spent). */
  reader(options: BoundedStreamOptions<T> = {}): BoundedStream<T> {
    const holder: { created?: BoundedStream<T> } = {};
    const stream = new BoundedStream<T>(options, () => {
      if (holder.created !== undefined) this.#remove(holder.created);
    });
    holder.created = stream;
    if (!stream.closed) {
      this.#readers.add(stream);
      this.#list = [...this.#readers];
    }
    return stream;
  }

  /** Delivers one value to every reader (hot path: no allocation). */
  push(value: T): void {
    const list = this.#list;
    for (let i = 0; i < list.length; i++) list[i]!.push(value);
  }

  /** Fails every reader (after their buffered values). */
  fail(error: TickwireError): void {
    for (const r of this.#list) r.fail(error);
  }

  /** Ends every reader (after their buffered values). */
  end(): void {
    for (const r of this.#list) r.end();
  }

  #remove(stream: BoundedStream<T>): void {
    if (!this.#readers.delete(stream)) return;
    this.#dropsOfGone += stream.dropped;
    this.#list = [...this.#readers];
    if (this.#readers.size === 0 && !this.#idle) {
      this.#idle = true;
      this.#onIdle();
    }
  }
}
