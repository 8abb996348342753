import type { DepthLevel, DepthUpdate } from '../../../src/adapter/index.js';
import {
  ConflatingIterator,
  createSnapshotResetBookSync,
  type BookFrame,
  type BookLevelsInput,
  type LevelInput,
  type OrderBookView,
  type ResyncReason,
  type SnapshotResetBookSync,
} from '../../../src/book/index.js';
import { createError, isTickwireError, type TickwireError } from '../../../src/errors/index.js';
import {
  createO2BookVerifyStats,
  DepthVerifier,
  type O2BookVerifyOptions,
  type O2BookVerifyStats,
} from './depth-verifier.js';

/**
 * Options of `O2Adapter.watchOrderBook`.
 *
 * @example
 * for await (const book of o2.watchOrderBook('fFUEL/fUSDC', { depth: 10, signal })) {
 *   if (book.isSynced) quote(book.bestBid, book.bestAsk);
 * }
 */
export interface O2WatchOrderBookOptions {
  /** Depth grouping level, as for `streamDepth` and `getDepth` (1 = finest). Default: `1`. */
  readonly precision?: number;
  /** Levels per side in each yielded view. Default: `Infinity` (unit: levels). */
  readonly depth?: number;
  /** Periodic REST verification (on by default); see {@link O2BookVerifyOptions}. */
  readonly verify?: O2BookVerifyOptions;
  /** Ends the watch: a pending `next()` rejects with `ABORTED` and the stream is left. */
  readonly signal?: AbortSignal;
}

/**
 * Why an O2 book was discarded and resubscribed: `drift` (REST verification disagreed
 * `confirmations` times in a row), `gap` (the depth stream's buffer overflowed and dropped
 * frames locally), `crossed` (best bid ≥ best ask), `invalid-update` (a delta that could not
 * be applied).
 *
 * @example
 * const reason: O2BookResyncReason = 'drift';
 */
export type O2BookResyncReason = Extract<
  ResyncReason,
  'drift' | 'gap' | 'crossed' | 'invalid-update'
>;

/**
 * What an O2 book watch reports on `o2.events`; both members are `AdapterEvent`s.
 * - `resynced`: the book was discarded and rebuilt from a fresh snapshot (resubscribe, or
 *   the REST depth when no snapshot frame came); preceded by an `error` event carrying the
 *   typed `BOOK_DRIFT` / `BOOK_CROSSED` / `VALIDATION_FAILED` error behind it.
 * - `error`: something went wrong (a verification request failed, a malformed snapshot was
 *   skipped, the reason of a resync); the book goes on.
 *
 * @example
 * o2.events.on('resynced', (e) => log.warn(e.market, e.reason));
 */
export type O2BookEvent =
  | {
      readonly type: 'resynced';
      readonly market: string;
      readonly reason: O2BookResyncReason;
      readonly channel: 'depth';
    }
  | { readonly type: 'error'; readonly error: TickwireError; readonly channel: 'depth' };

/**
 * Counters of the order books an O2 adapter maintains (all watches together).
 *
 * @example
 * const { resyncs, verification } = o2.bookStats();
 * console.log(resyncs.drift, verification.checks);
 */
export interface O2BookStats {
  /** Watches running now. */
  active: number;
  /** Depth updates applied (snapshots and deltas). */
  updates: number;
  /** Snapshots applied (the first one, after every resync and every reconnect). */
  snapshots: number;
  /** Deltas dropped because no snapshot was in force (right after a resync). */
  deltasIgnored: number;
  /** Updates a `processBookUpdate` override skipped (returned `undefined`). */
  skipped: number;
  /** Resyncs by reason. */
  resyncs: Record<O2BookResyncReason, number>;
  /** REST verification counters. */
  verification: O2BookVerifyStats;
}

/**
 * Creates zeroed book counters.
 *
 * @example
 * const stats = createO2BookStats();
 */
export function createO2BookStats(): O2BookStats {
  return {
    active: 0,
    updates: 0,
    snapshots: 0,
    deltasIgnored: 0,
    skipped: 0,
    resyncs: { drift: 0, gap: 0, crossed: 0, 'invalid-update': 0 },
    verification: createO2BookVerifyStats(),
  };
}

/**
 * Where a book watch gets its data from: `openDepth` opens the market's depth stream (a
 * snapshot first, then deltas, a fresh snapshot after every reconnect) and ends it on
 * `signal`; `fetchDepth` reads the top `depth` levels per side over REST (every level when
 * `depth` is `undefined`).
 *
 * @example
 * const source: O2BookSource = {
 *   market: 'fFUEL/fUSDC',
 *   openDepth: (signal) => o2.streamDepth('fFUEL/fUSDC', { signal }),
 *   fetchDepth: (depth, signal) => o2.getDepth('fFUEL/fUSDC', { limit: depth, signal }).then(toLevels),
 * };
 */
export interface O2BookSource<TUpdate extends DepthUpdate = DepthUpdate> {
  readonly market: string;
  /**
   * Opens the depth stream. When the returned iterable has a `dropped` counter (a
   * `ChannelStream`), a rise in it (frames lost to a full buffer) resyncs the book.
   */
  readonly openDepth: (signal: AbortSignal) => AsyncIterable<TUpdate> & {
    readonly dropped?: number;
    /**
     * A synchronous take of an already buffered update, or `empty` when there is none (a
     * `ChannelStream` has it); when present the watch drains a burst of frames without one
     * promise per frame.
     */
    poll?<E>(empty: E): TUpdate | E;
  };
  readonly fetchDepth: (depth: number | undefined, signal: AbortSignal) => Promise<BookLevelsInput>;
  /**
   * A post-processor every update passes through before the book applies it (the adapter's
   * `processBookUpdate` hook); `undefined` skips the update (counted). Default: none.
   */
  readonly process?: (update: TUpdate) => DepthUpdate | undefined;
}

const NO_LEVELS: readonly LevelInput[] = Object.freeze([]);
// Never a depth update: the "nothing buffered" marker of the synchronous drain.
const NOTHING: unique symbol = Symbol('o2.book.nothing');

/**
 * Levels of a {@link DepthUpdate} as book input tuples.
 *
 * @example
 * book.applyDelta({ bids: toLevelInputs(update.bids), asks: toLevelInputs(update.asks) });
 */
export function toLevelInputs(levels: readonly DepthLevel[]): readonly LevelInput[] {
  // One side of a delta is often empty: no allocation for it.
  if (levels.length === 0) return NO_LEVELS;
  const out = new Array<LevelInput>(levels.length);
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i] as DepthLevel;
    out[i] = [l.price, l.quantity];
  }
  return out;
}

/**
 * How long after a resubscribe the fresh snapshot frame may take before the book is rebuilt
 * from REST depth instead (another reader of the same market keeps the upstream
 * subscription alive, so leaving and rejoining sends no new `subscribe_depth`).
 */
const SNAPSHOT_FALLBACK_MS = 2000;

/**
 * One live O2 order book: the snapshot-reset strategy over a depth stream, verified
 * against REST, resubscribing when it cannot be trusted. Yields immutable views, conflated
 * (a slow reader gets the latest book, never a backlog).
 */
class O2BookWatch<TUpdate extends DepthUpdate> {
  readonly iterator: ConflatingIterator<OrderBookView>;
  readonly #source: O2BookSource<TUpdate>;
  readonly #sync: SnapshotResetBookSync;
  readonly #verifier: DepthVerifier | undefined;
  readonly #emit: (event: O2BookEvent) => void;
  readonly #stats: O2BookStats;
  #stream: AbortController | undefined;
  #restart = false;
  #closed = false;
  #everSynced = false;
  #notifyPending = false;
  #version = -1;
  /** Set while a resync waits for its fresh snapshot. */
  #resync: { reason: O2BookResyncReason; timer: ReturnType<typeof setTimeout> } | undefined;
  #fallback: AbortController | undefined;
  /** The unified symbol once an update named it (the caller may have passed an alias or id). */
  #market: string;

  constructor(
    source: O2BookSource<TUpdate>,
    options: O2WatchOrderBookOptions,
    emit: (event: O2BookEvent) => void,
    stats: O2BookStats,
  ) {
    this.#source = source;
    this.#market = source.market;
    this.#emit = emit;
    this.#stats = stats;
    const market = source.market;
    const depth = options.depth ?? Infinity;
    this.#sync = createSnapshotResetBookSync({
      market,
      onEvent: (e) => {
        if (e.type === 'error') this.#error(e.error);
        else if (e.type === 'resyncing' && e.error !== undefined) this.#error(e.error);
      },
      requestResync: (reason) => this.#resubscribe(reason as O2BookResyncReason),
    });
    const verify = options.verify ?? {};
    if (verify.enabled !== false) {
      this.#verifier = new DepthVerifier({
        book: this.#sync.book,
        fetchDepth: source.fetchDepth,
        options: verify,
        stats: stats.verification,
        onError: (error) => this.#error(toError(error, market)),
        onDrift: (difference) => {
          this.#error(
            createError(
              'BOOK_DRIFT',
              `${market}: local book differs from the exchange's (${difference}); resyncing`,
              { context: { market, difference } },
            ),
          );
          this.#sync.resync('drift');
          this.#resubscribe('drift');
        },
      });
    }
    stats.active++;
    // Last: an already aborted signal closes the watch right here.
    this.iterator = new ConflatingIterator(() => this.#sync.book.view(depth), {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onClose: () => this.close(),
    });
    if (this.#closed) return;
    void this.#pump();
    this.#verifier?.start();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stats.active--;
    this.#verifier?.close();
    this.#stream?.abort();
    this.#clearResync();
    this.#sync.close();
    this.iterator.end();
  }

  #error(error: TickwireError): void {
    this.#emit({ type: 'error', error, channel: 'depth' });
  }

  #resubscribe(reason: O2BookResyncReason): void {
    if (this.#closed) return;
    this.#stats.resyncs[reason]++;
    this.#changed();
    this.#verifier?.reset();
    this.#clearResync();
    const timer = setTimeout(() => void this.#restFallback(), SNAPSHOT_FALLBACK_MS);
    timer.unref?.();
    this.#resync = { reason, timer };
    this.#restart = true;
    this.#stream?.abort();
  }

  #clearResync(): void {
    if (this.#resync !== undefined) clearTimeout(this.#resync.timer);
    this.#resync = undefined;
    this.#fallback?.abort();
    this.#fallback = undefined;
  }

  /** The book is whole again after a resync: report it. */
  #resynced(): void {
    const pending = this.#resync;
    if (pending === undefined) return;
    this.#clearResync();
    this.#emit({
      type: 'resynced',
      market: this.#market,
      reason: pending.reason,
      channel: 'depth',
    });
  }

  /** No snapshot frame came after the resubscribe: rebuild from the full REST depth. */
  async #restFallback(): Promise<void> {
    if (this.#closed || this.#resync === undefined || this.#sync.book.isSynced) return;
    const controller = new AbortController();
    this.#fallback = controller;
    let remote: BookLevelsInput;
    try {
      remote = await this.#source.fetchDepth(undefined, controller.signal);
    } catch (error) {
      if (controller.signal.aborted || this.#closed) return;
      this.#error(toError(error, this.#market));
      if (this.#resync !== undefined) {
        const timer = setTimeout(() => void this.#restFallback(), SNAPSHOT_FALLBACK_MS);
        timer.unref?.();
        this.#resync.timer = timer;
      }
      return;
    }
    if (controller.signal.aborted || this.#closed || this.#sync.book.isSynced) return;
    // Deltas carry absolute sizes, so the ones already reflected in this answer are harmless
    // when applied after it; anything it missed is what the next verification is for.
    this.#stats.snapshots++;
    this.#sync.applySnapshot({ ...remote, receivedAt: Date.now() });
    this.#verifier?.snapshotApplied();
    this.#afterUpdate();
  }

  async #pump(): Promise<void> {
    while (!this.#closed) {
      const controller = new AbortController();
      this.#stream = controller;
      this.#restart = false;
      try {
        const process = this.#source.process;
        const stream = this.#source.openDepth(controller.signal);
        const iterator = stream[Symbol.asyncIterator]();
        let dropped = stream.dropped ?? 0;
        for (;;) {
          // Frames already buffered are taken synchronously: one await per socket read,
          // not one per frame. Like `for await`: a rejected `next()` is not followed by
          // `return()`; leaving early or a throwing body is.
          let raw: TUpdate | typeof NOTHING =
            stream.poll === undefined ? NOTHING : stream.poll(NOTHING);
          if (raw === NOTHING) {
            const r = await iterator.next();
            if (r.done === true) break;
            raw = r.value;
          }
          if (this.#closed || this.#restart) {
            await iterator.return?.();
            break;
          }
          try {
            const update = process === undefined ? raw : process(raw);
            if (update === undefined) this.#stats.skipped++;
            else this.#apply(update);
          } catch (error) {
            await iterator.return?.();
            throw error;
          }
          const nowDropped = stream.dropped ?? 0;
          if (nowDropped !== dropped) {
            const lost = nowDropped - dropped;
            dropped = nowDropped;
            this.#error(
              createError(
                'BOOK_SEQUENCE_GAP',
                `${this.#market}: the depth stream dropped ${lost} frame(s) (buffer full); resyncing`,
                {
                  context: {
                    market: this.#market,
                    expected: 'every depth frame',
                    received: `${lost} frame(s) dropped`,
                  },
                },
              ),
            );
            this.#sync.resync('gap');
            this.#resubscribe('gap');
          }
        }
      } catch (error) {
        if (this.#closed) return;
        if (!this.#restart) {
          this.iterator.fail(toError(error, this.#market));
          return;
        }
      } finally {
        controller.abort();
      }
      if (this.#closed) return;
      if (!this.#restart) {
        // The stream ended by itself (the adapter was closed): so does the watch.
        this.iterator.end();
        return;
      }
    }
  }

  #apply(update: DepthUpdate): void {
    this.#market = update.market;
    const frame: BookFrame = {
      bids: toLevelInputs(update.bids),
      asks: toLevelInputs(update.asks),
      receivedAt: update.receivedAt,
    };
    const sync = this.#sync;
    this.#stats.updates++;
    if (update.kind === 'snapshot') {
      this.#stats.snapshots++;
      sync.applySnapshot(frame);
      this.#verifier?.snapshotApplied();
    } else if (sync.book.isSynced) {
      sync.applyDelta(frame);
    } else {
      this.#stats.deltasIgnored++;
      return;
    }
    this.#afterUpdate();
  }

  #afterUpdate(): void {
    if (this.#resync !== undefined && this.#sync.book.isSynced) this.#resynced();
    this.#verifier?.observe();
    this.#changed();
  }

  #changed(): void {
    const book = this.#sync.book;
    if (book.version === this.#version) return;
    this.#version = book.version;
    if (book.isSynced) this.#everSynced = true;
    // Nothing before the first sync; afterwards every change, a desync included. Views are
    // conflated per event-loop turn: the frames of one socket read are all applied before
    // one view of the result is taken (a view copies the levels; one per frame of a burst
    // would be work nobody can act on).
    if (!this.#everSynced || this.#notifyPending) return;
    this.#notifyPending = true;
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#notifyPending = false;
    if (!this.#closed) this.iterator.notify();
  };
}

function toError(error: unknown, market: string): TickwireError {
  if (isTickwireError(error)) return error;
  return createError('INTERNAL', `${market}: order book watch failed: ${String(error)}`, {
    cause: error,
  });
}

/**
 * Maintains an O2 order book from a depth source and yields immutable views of it as it
 * changes (`O2Adapter.watchOrderBook` supplies the source). The subscription starts at
 * once; leaving the loop, `return()` or aborting `signal` ends it. The adapter's events and
 * book counters are passed in.
 *
 * @example
 * const views = watchO2OrderBook(source, { depth: 10 }, (e) => events.emit(e), createO2BookStats());
 * for await (const view of views) console.log(view.bestBid?.price);
 */
export function watchO2OrderBook<TUpdate extends DepthUpdate>(
  source: O2BookSource<TUpdate>,
  options: O2WatchOrderBookOptions,
  emit: (event: O2BookEvent) => void,
  stats: O2BookStats,
): AsyncIterableIterator<OrderBookView> {
  return new O2BookWatch(source, options, emit, stats).iterator;
}

/**
 * A copy of book counters (what `O2Adapter.bookStats()` returns).
 *
 * @example
 * const snapshot = copyO2BookStats(stats);
 */
export function copyO2BookStats(stats: O2BookStats): O2BookStats {
  return { ...stats, resyncs: { ...stats.resyncs }, verification: { ...stats.verification } };
}
