/**
 * A sequence id: what a message carries to identify its place in a stream.
 *
 * @example
 * const id: SequenceId = 123456789n;
 */
export type SequenceId = number | bigint | string;

/**
 * Options for dropping duplicates by sequence id.
 *
 * @example
 * const dedup: DedupOptions<Trade> = { sequenceOf: (t) => t.tradeId, window: 1000 };
 */
export interface DedupOptions<T> {
  /** Extracts the sequence id; `undefined` means "no id": the value is always delivered. */
  readonly sequenceOf: (value: T) => SequenceId | undefined;
  /** How many recent ids are remembered. Default 1000 (ids). */
  readonly window?: number;
  /**
   * When the ids only grow (trade ids, update ids), also drop any numeric id at or below the
   * highest one delivered, even if it fell out of the window. Default `false`.
   */
  readonly monotonic?: boolean;
}

/**
 * Remembers the last `window` sequence ids and answers whether a new one is a duplicate.
 * A duplicate is never delivered: {@link SequenceDedup.accept} returns `false` for it.
 *
 * @example
 * const d = new SequenceDedup<{ seq: number }>({ sequenceOf: (m) => m.seq, window: 3 });
 * d.accept({ seq: 1 }); // true
 * d.accept({ seq: 1 }); // false
 */
export class SequenceDedup<T> {
  readonly #sequenceOf: (value: T) => SequenceId | undefined;
  readonly #window: number;
  readonly #monotonic: boolean;
  readonly #seen = new Set<SequenceId>();
  readonly #ring: (SequenceId | undefined)[];
  #next = 0;
  #highest: number | bigint | undefined;
  /** How many duplicates were refused. */
  duplicates = 0;

  constructor(options: DedupOptions<T>) {
    this.#sequenceOf = options.sequenceOf;
    this.#window = Math.max(1, options.window ?? 1000);
    this.#monotonic = options.monotonic ?? false;
    this.#ring = new Array<SequenceId | undefined>(this.#window);
  }

  /** Returns `true` and remembers the id when `value` is new; `false` for a duplicate. */
  accept(value: T): boolean {
    const id = this.#sequenceOf(value);
    if (id === undefined) return true;
    if (this.#seen.has(id)) {
      this.duplicates++;
      return false;
    }
    if (this.#monotonic && typeof id !== 'string') {
      if (this.#highest !== undefined && id <= this.#highest) {
        this.duplicates++;
        return false;
      }
      this.#highest = id;
    }
    const evicted = this.#ring[this.#next];
    if (evicted !== undefined) this.#seen.delete(evicted);
    this.#ring[this.#next] = id;
    this.#next = (this.#next + 1) % this.#window;
    this.#seen.add(id);
    return true;
  }
}
