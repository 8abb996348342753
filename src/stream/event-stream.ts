import { BoundedStream, type BoundedStreamOptions } from './bounded-stream.js';

/**
 * A typed event: a union member discriminated by `type`.
 *
 * @example
 * type MyEvent = { type: 'open' } | { type: 'closed'; code: number };
 */
export interface TypedEvent {
  readonly type: string;
}

/**
 * An event stream usable both ways: listeners (`on`) and `for await` readers
 * (`[Symbol.asyncIterator]` or {@link EventStream.iterate}), each reader with its own bounded
 * buffer. A listener that throws never affects other listeners, readers or the emitter.
 *
 * @example
 * const off = manager.events.on('reconnecting', (e) => console.log(e.attempt, e.delayMs));
 * for await (const e of manager.events) if (e.type === 'closed') break;
 */
export class EventStream<TEvent extends TypedEvent> implements AsyncIterable<TEvent> {
  readonly #listeners = new Set<(e: TEvent) => void>();
  readonly #readers = new Set<BoundedStream<TEvent>>();
  #ended = false;

  /**
   * Calls `listener` for every event, or only for events of `type`. Returns the function that
   * removes the listener.
   */
  on<TType extends TEvent['type']>(
    type: TType,
    listener: (event: Extract<TEvent, { type: TType }>) => void,
  ): () => void;
  on(listener: (event: TEvent) => void): () => void;
  on(a: string | ((e: TEvent) => void), b?: (e: never) => void): () => void {
    const fn: (e: TEvent) => void =
      typeof a === 'function'
        ? a
        : (e: TEvent) => {
            if (e.type === a) (b as (e: TEvent) => void)(e);
          };
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** A `for await` reader; default capacity 1000 events, dropping the oldest. */
  iterate(options: BoundedStreamOptions<TEvent> = {}): AsyncIterableIterator<TEvent> {
    const holder: { created?: BoundedStream<TEvent> } = {};
    const s = new BoundedStream<TEvent>(options, () => {
      if (holder.created !== undefined) this.#readers.delete(holder.created);
    });
    holder.created = s;
    if (this.#ended) s.end();
    else if (!s.closed) this.#readers.add(s);
    return s;
  }

  [Symbol.asyncIterator](): AsyncIterator<TEvent> {
    return this.iterate();
  }

  /** Delivers one event to every listener and reader. */
  emit(event: TEvent): void {
    for (const l of this.#listeners) {
      try {
        l(event);
      } catch {
        // A listener's bug must not break the connection or other consumers.
      }
    }
    for (const r of this.#readers) r.push(event);
  }

  /** Ends every reader; listeners stay registered but are never called again. */
  end(): void {
    this.#ended = true;
    for (const r of this.#readers) r.end();
    this.#readers.clear();
  }
}
