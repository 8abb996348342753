import { createError, isTickwireError, type TickwireError } from '../errors/tickwire-error.js';
import type { BookChecksum } from './checksum.js';
import { ConflatingIterator } from './conflating-iterator.js';
import { OrderBook } from './order-book.js';
import type { OrderBookView } from './order-book-view.js';

/**
 * Why a sync strategy discarded its book and started over.
 *
 * @example
 * sync.resync('reconnect');
 */
export type ResyncReason =
  'gap' | 'checksum' | 'crossed' | 'drift' | 'requested' | 'reconnect' | 'invalid-update';

/**
 * What a sync strategy reports to its `onEvent` sink.
 * - `synced`: the book matches the exchange (again); `sequence` is where it stands.
 * - `resyncing`: the book was discarded (or replaced) for `reason`; `error` is the typed
 *   `BOOK_SEQUENCE_GAP` / `BOOK_CHECKSUM_MISMATCH` / `BOOK_CROSSED` / `BOOK_DRIFT` error.
 * - `error`: something failed without discarding the book (a snapshot fetch failed and will
 *   be retried, a malformed frame was skipped).
 *
 * @example
 * const onEvent = (e: BookSyncEvent): void => {
 *   if (e.type === 'resyncing' && e.error) log.warn(e.error.code, e.error.message);
 * };
 */
export type BookSyncEvent =
  | { readonly type: 'synced'; readonly market: string; readonly sequence: number | undefined }
  | {
      readonly type: 'resyncing';
      readonly market: string;
      readonly reason: ResyncReason;
      readonly error: TickwireError | undefined;
    }
  | { readonly type: 'error'; readonly market: string; readonly error: TickwireError };

/**
 * Options every sync strategy takes.
 *
 * @example
 * const common: BookSyncOptions = { market: 'BTC/USDT', maxDepth: 1000, onEvent: console.log };
 */
export interface BookSyncOptions {
  /** Unified market symbol, for views, events and error context. */
  readonly market: string;
  /** Event sink (see {@link BookSyncEvent}). Default: none. A throwing sink is reported as a process warning. */
  readonly onEvent?: (event: BookSyncEvent) => void;
  /** Levels kept per side (the subscribed depth). Default: `Infinity` (unit: levels). */
  readonly maxDepth?: number;
  /**
   * Checksum of the exchange, verified after every update that carries a `checksum`
   * (see `okxBookChecksum`, `krakenBookChecksum`); a mismatch resyncs. Default: none.
   */
  readonly checksum?: BookChecksum;
  /** What a crossed book (best bid ≥ best ask) triggers. Default: `'resync'`. */
  readonly onCrossed?: 'resync' | 'ignore';
  /** Aborting closes the strategy (same as `close()`). */
  readonly signal?: AbortSignal;
  /** Clock for `receivedAt` when an update does not carry one. Default: `Date.now` (unit: epoch ms). */
  readonly now?: () => number;
}

/**
 * Options of `watchOrderBook`.
 *
 * @example
 * for await (const view of sync.watchOrderBook({ depth: 10, signal })) use(view);
 */
export interface WatchOrderBookOptions {
  /** Leaving early: aborting makes the pending `next()` reject with `ABORTED`. */
  readonly signal?: AbortSignal;
  /** Levels per side in each yielded view. Default: `Infinity` (unit: levels). */
  readonly depth?: number;
}

/**
 * The common surface of the sync strategies: a live book plus a conflating stream of
 * immutable views.
 *
 * @example
 * for await (const view of sync.watchOrderBook({ depth: 10, signal })) {
 *   if (view.isSynced) trade(view.bestBid, view.bestAsk);
 * }
 */
export interface BookSync {
  readonly market: string;
  /** The live book (changes under you; prefer the views for reading across awaits). */
  readonly book: OrderBook;
  /** True while the book is known to match the exchange. */
  readonly isSynced: boolean;
  /** An immutable snapshot of the book now. */
  view(depth?: number): OrderBookView;
  /**
   * Views of the book as it changes, conflated: a slow consumer gets the latest book on
   * each `next()`, never a backlog. Nothing is yielded before the first sync; afterwards
   * every change is, including a desync (a view with `isSynced: false` and no levels).
   * Breaking out of the loop unsubscribes; `close()` ends every watcher.
   */
  watchOrderBook(options?: WatchOrderBookOptions): AsyncIterableIterator<OrderBookView>;
  /** Discards the book and syncs again (call after a reconnect). */
  resync(reason?: ResyncReason): void;
  /** Stops syncing, cancels any snapshot fetch and ends every watcher. Idempotent. */
  close(): void;
}

/** Shared machinery of the strategies: events, watchers, post-update checks, closing. */
export abstract class BookSyncBase implements BookSync {
  readonly market: string;
  readonly book: OrderBook;
  protected readonly now: () => number;
  readonly #onEvent: ((event: BookSyncEvent) => void) | undefined;
  readonly #checksum: BookChecksum | undefined;
  readonly #onCrossed: 'resync' | 'ignore';
  readonly #watchers = new Set<ConflatingIterator<OrderBookView>>();
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => this.close();
  #closed = false;

  protected constructor(options: BookSyncOptions) {
    this.market = options.market;
    this.book = new OrderBook({
      market: options.market,
      ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    });
    this.now = options.now ?? Date.now;
    this.#onEvent = options.onEvent;
    this.#checksum = options.checksum;
    this.#onCrossed = options.onCrossed ?? 'resync';
    this.#signal = options.signal;
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  abstract get isSynced(): boolean;
  abstract resync(reason?: ResyncReason): void;

  get closed(): boolean {
    return this.#closed;
  }

  view(depth = Infinity): OrderBookView {
    return this.book.view(depth);
  }

  watchOrderBook(options: WatchOrderBookOptions = {}): AsyncIterableIterator<OrderBookView> {
    const depth = options.depth ?? Infinity;
    const it: ConflatingIterator<OrderBookView> = new ConflatingIterator(
      () => this.book.view(depth),
      {
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        initiallyDirty: this.isSynced,
        onClose: () => this.#watchers.delete(it),
      },
    );
    if (this.#closed) it.end();
    else this.#watchers.add(it);
    return it;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.onClose();
    for (const it of [...this.#watchers]) it.end();
    this.#watchers.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** Subclass cleanup on close (timers, fetches). */
  protected abstract onClose(): void;

  protected notifyWatchers(): void {
    // Called once per applied update: no Set iterator when nobody watches (the usual case).
    if (this.#watchers.size === 0) return;
    for (const it of this.#watchers) it.notify();
  }

  protected emit(event: BookSyncEvent): void {
    if (this.#onEvent === undefined) return;
    try {
      this.#onEvent(event);
    } catch (error) {
      process.emitWarning(`tickwire: book sync onEvent threw: ${String(error)}`);
    }
  }

  protected emitError(error: unknown): void {
    this.emit({ type: 'error', market: this.market, error: toTickwireError(error) });
  }

  /**
   * Checks the book after an update: crossed (unless ignored), then the exchange checksum
   * when the update carried one. Returns the problem to resync for, if any.
   */
  protected checkBook(
    expectedChecksum: number | undefined,
  ): { reason: ResyncReason; error: TickwireError } | undefined {
    if (this.#onCrossed === 'resync' && this.book.isCrossed) {
      const bid = this.book.bestBid?.price ?? '';
      const ask = this.book.bestAsk?.price ?? '';
      return {
        reason: 'crossed',
        error: createError(
          'BOOK_CROSSED',
          `${this.market}: book crossed (best bid ${bid} ≥ best ask ${ask}); resyncing`,
          { context: { market: this.market, bestBid: bid, bestAsk: ask } },
        ),
      };
    }
    if (expectedChecksum !== undefined && this.#checksum !== undefined) {
      let actual: number;
      try {
        actual = this.#checksum(this.book) >>> 0;
      } catch (error) {
        // A book that cannot be verified is not trusted.
        return { reason: 'checksum', error: toTickwireError(error) };
      }
      const expected = expectedChecksum >>> 0;
      if (actual !== expected) {
        return {
          reason: 'checksum',
          error: createError(
            'BOOK_CHECKSUM_MISMATCH',
            `${this.market}: book checksum ${actual} ≠ exchange checksum ${expected}; resyncing`,
            { context: { market: this.market, expected, actual } },
          ),
        };
      }
    }
    return undefined;
  }
}

/** Passes tickwire errors through; wraps anything else (a fetcher broke its contract). */
export function toTickwireError(error: unknown): TickwireError {
  if (isTickwireError(error)) return error;
  return createError('INTERNAL', `book sync: unexpected non-tickwire error: ${String(error)}`, {
    cause: error,
  });
}
