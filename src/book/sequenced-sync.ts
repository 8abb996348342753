import { createError } from '../errors/tickwire-error.js';
import { BookSyncBase, type BookSyncOptions, type ResyncReason } from './book-sync.js';
import type { BookLevelsInput } from './order-book.js';
import type { PreparedLevels } from './prepared-levels.js';

/**
 * One diff event of a sequenced depth stream (Binance `depthUpdate`: `U`, `u`, `b`, `a`).
 * Quantities are absolute sizes; zero removes the level.
 *
 * @example
 * sync.push({ firstUpdateId: m.U, lastUpdateId: m.u, bids: m.b, asks: m.a, exchangeTime: m.E });
 */
export interface SequencedDiff extends BookLevelsInput {
  /** First update id in the event (Binance `U`). */
  readonly firstUpdateId: number;
  /** Last update id in the event (Binance `u`). */
  readonly lastUpdateId: number;
  /** Exchange event time (Binance `E`), epoch ms. */
  readonly exchangeTime?: number;
  /** Local receive time, epoch ms. Default: the strategy's clock when applied. */
  readonly receivedAt?: number;
  /** Exchange checksum after this event, verified when the strategy has a `checksum`. */
  readonly checksum?: number;
}

/**
 * A REST depth snapshot of a sequenced book (Binance `GET /api/v3/depth`).
 *
 * @example
 * const snapshot: SequencedSnapshot = { lastUpdateId: body.lastUpdateId, bids: body.bids, asks: body.asks };
 */
export interface SequencedSnapshot extends BookLevelsInput {
  /** The update id the snapshot reflects (Binance `lastUpdateId`). */
  readonly lastUpdateId: number;
  readonly exchangeTime?: number;
  readonly receivedAt?: number;
}

/**
 * Options of {@link SequencedBookSync}.
 *
 * @example
 * const options: SequencedBookSyncOptions = { market: 'BTC/USDT', fetchSnapshot, maxBufferedDiffs: 500 };
 */
export interface SequencedBookSyncOptions extends BookSyncOptions {
  /** Fetches a REST snapshot; must honour `signal` (aborted when a newer sync supersedes it). */
  readonly fetchSnapshot: (signal: AbortSignal) => Promise<SequencedSnapshot>;
  /**
   * Diffs buffered while waiting for a snapshot; beyond it the oldest are dropped (a
   * snapshot older than the oldest kept diff is then refetched). Default: `1000` (unit: events).
   */
  readonly maxBufferedDiffs?: number;
  /** First delay before refetching a failed or too-old snapshot; doubles per retry. Default: `500` (unit: ms). */
  readonly retryDelayMs?: number;
  /** Cap of the retry delay. Default: `30000` (unit: ms). */
  readonly maxRetryDelayMs?: number;
  /**
   * Least time between the starts of two snapshot fetches, so that a feed that keeps
   * gapping cannot turn into a storm of heavy snapshot requests. Default: `1000` (unit: ms).
   */
  readonly minSnapshotIntervalMs?: number;
}

/**
 * Counters of a {@link SequencedBookSync}, for stats and tests.
 *
 * @example
 * const { gaps, resyncs } = sync.stats();
 */
export interface SequencedBookSyncStats {
  /** Diffs applied to the book. */
  diffsApplied: number;
  /** Diffs ignored as already covered (`u ≤` the book's sequence): duplicates, stale, pre-snapshot. */
  diffsIgnored: number;
  /** Buffered diffs dropped because the buffer was full. */
  diffsDropped: number;
  /** Malformed diffs skipped (reported as `error` events). */
  diffsInvalid: number;
  /** Sequence gaps detected. */
  gaps: number;
  /** Times the book was discarded (any reason). */
  resyncs: number;
  /** Snapshot fetches started. */
  snapshotsRequested: number;
  /** Snapshots older than the first buffered diff (refetched). */
  snapshotsTooOld: number;
  /** Snapshot fetches that failed (retried). */
  snapshotErrors: number;
}

/**
 * The sequenced snapshot + diff strategy (Binance spot, binance-spot.md §7): diffs are
 * buffered while a REST snapshot is fetched; a snapshot older than the first buffered `U` is
 * refetched; buffered diffs with `u ≤ lastUpdateId` are dropped; the first applied diff must
 * straddle the snapshot (`U ≤ lastUpdateId + 1 ≤ u`); then each diff must continue the last
 * (`U ≤ previous u + 1`, which in the steady state is `U == previous u + 1`). A diff whose
 * `u` is already covered is ignored (duplicates and late arrivals); a diff that skips ahead
 * is a gap: a `resyncing` event with a `BOOK_SEQUENCE_GAP` error, the book is discarded and
 * synced again from a fresh snapshot, keeping the diff that revealed the gap. Transport-agnostic:
 * the adapter calls {@link SequencedBookSync.push} with each parsed diff, and
 * {@link SequencedBookSync.resync} after a reconnect.
 *
 * Guarantee: whenever `isSynced` is true, the book equals the exchange's book at
 * `book.sequence`, provided each diff faithfully describes its `[U, u]` range.
 *
 * @example
 * const sync = createSequencedBookSync({
 *   market: 'BTC/USDT',
 *   fetchSnapshot: (signal) => rest.depth('BTCUSDT', { limit: 5000, signal }),
 *   onEvent: (e) => e.type === 'resyncing' && log.warn(e.error),
 * });
 * ws.on('depthUpdate', (d) => sync.push({ firstUpdateId: d.U, lastUpdateId: d.u, bids: d.b, asks: d.a }));
 * for await (const view of sync.watchOrderBook({ depth: 10 })) console.log(view.bestBid?.price);
 */
export class SequencedBookSync extends BookSyncBase {
  readonly #fetchSnapshot: (signal: AbortSignal) => Promise<SequencedSnapshot>;
  readonly #maxBuffered: number;
  readonly #retryDelayMs: number;
  readonly #maxRetryDelayMs: number;
  readonly #minSnapshotIntervalMs: number;
  #lastFetchStart = -Infinity;
  #synced = false;
  #buffer: SequencedDiff[] = [];
  #fetch: AbortController | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #nextRetryDelay: number;
  // Bumped whenever the book is discarded, so that a late snapshot of an older sync is ignored.
  #generation = 0;
  // Reused by pushPrepared for every diff (the book reads it before returning).
  readonly #meta: { sequence: number; receivedAt: number; exchangeTime: number | undefined } = {
    sequence: 0,
    receivedAt: 0,
    exchangeTime: undefined,
  };
  readonly #stats: SequencedBookSyncStats = {
    diffsApplied: 0,
    diffsIgnored: 0,
    diffsDropped: 0,
    diffsInvalid: 0,
    gaps: 0,
    resyncs: 0,
    snapshotsRequested: 0,
    snapshotsTooOld: 0,
    snapshotErrors: 0,
  };

  constructor(options: SequencedBookSyncOptions) {
    super(options);
    this.#fetchSnapshot = options.fetchSnapshot;
    this.#maxBuffered = positive(options.maxBufferedDiffs ?? 1000, 'maxBufferedDiffs');
    this.#retryDelayMs = nonNegative(options.retryDelayMs ?? 500, 'retryDelayMs');
    this.#maxRetryDelayMs = nonNegative(options.maxRetryDelayMs ?? 30_000, 'maxRetryDelayMs');
    this.#minSnapshotIntervalMs = nonNegative(
      options.minSnapshotIntervalMs ?? 1000,
      'minSnapshotIntervalMs',
    );
    this.#nextRetryDelay = this.#retryDelayMs;
  }

  get isSynced(): boolean {
    return this.#synced;
  }

  /** A copy of the counters. */
  stats(): SequencedBookSyncStats {
    return { ...this.#stats };
  }

  /** Number of diffs waiting for a snapshot. */
  get bufferedDiffs(): number {
    return this.#buffer.length;
  }

  /**
   * Feeds one diff event. While synced it is checked and applied at once; while syncing it
   * is buffered (the first buffered diff starts the snapshot fetch).
   */
  push(diff: SequencedDiff): void {
    if (this.closed) return;
    const first = diff.firstUpdateId;
    const last = diff.lastUpdateId;
    if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || first > last || first < 0) {
      this.#stats.diffsInvalid++;
      this.emitError(
        createError(
          'VALIDATION_FAILED',
          `${this.market}: diff update ids must be integers with U ≤ u, got U=${String(first)} u=${String(last)}`,
          { context: { what: 'book diff', path: 'firstUpdateId', market: this.market } },
        ),
      );
      return;
    }
    if (this.#synced) {
      this.#applyLive(diff);
      return;
    }
    this.#buffer.push(diff);
    if (this.#buffer.length > this.#maxBuffered) {
      this.#buffer.shift();
      this.#stats.diffsDropped++;
    }
    this.#startFetchIfIdle();
  }

  /** Discards the book and syncs again from a fresh snapshot once diffs arrive (after a reconnect). */
  resync(reason: ResyncReason = 'requested'): void {
    if (this.closed) return;
    this.#desync(reason, undefined, []);
  }

  protected onClose(): void {
    this.#generation++;
    this.#cancelFetch();
    this.#buffer = [];
    this.#synced = false;
  }

  /** Returns false when the diff caused a desync. */
  #applyLive(diff: SequencedDiff): boolean {
    const book = this.book;
    const sequence = book.sequence ?? -1;
    if (diff.lastUpdateId <= sequence) {
      this.#stats.diffsIgnored++;
      return true;
    }
    if (diff.firstUpdateId > sequence + 1) {
      this.#stats.gaps++;
      const error = createError(
        'BOOK_SEQUENCE_GAP',
        `${this.market}: diff U=${diff.firstUpdateId} does not follow u=${sequence}; resyncing`,
        {
          context: {
            market: this.market,
            expected: String(sequence + 1),
            received: String(diff.firstUpdateId),
          },
        },
      );
      this.#desync('gap', error, [diff]);
      return false;
    }
    try {
      // Two literals rather than a conditional spread: this runs for every diff, and a spread
      // copies through a generic builtin.
      const sequence = diff.lastUpdateId;
      const receivedAt = diff.receivedAt ?? this.now();
      const exchangeTime = diff.exchangeTime;
      book.applyDelta(
        diff,
        exchangeTime === undefined
          ? { sequence, receivedAt }
          : { sequence, receivedAt, exchangeTime },
      );
    } catch (error) {
      // The book is untouched and stays correct at its sequence; the next diff's U reveals
      // the hole and triggers a resync.
      this.#stats.diffsInvalid++;
      this.emitError(error);
      return true;
    }
    return this.#afterApply(diff.checksum);
  }

  /** Counts an applied diff, verifies the book, tells the watchers; false when it desynced. */
  #afterApply(checksum: number | undefined): boolean {
    this.#stats.diffsApplied++;
    const problem = this.checkBook(checksum);
    if (problem !== undefined) {
      this.#desync(problem.reason, problem.error, []);
      return false;
    }
    if (this.#synced) this.notifyWatchers();
    return true;
  }

  /**
   * {@link SequencedBookSync.push} for a diff whose levels a wire parser prepared (see
   * {@link PreparedLevels}; the parser vouches for them). In the steady state — synced, and
   * `U` continuing the book — they go into the book without `[price, quantity]` tuples;
   * anything else (syncing, a gap, a stale or duplicate diff, a price the book must re-key
   * for) takes exactly the path of {@link SequencedBookSync.push} with `levels.toInput()`.
   * The levels are read before it returns, so the parser may reuse them. `receivedAt`
   * defaults to the strategy's clock.
   *
   * @example
   * levels.reset(); parseLevels(text, levels);
   * sync.pushPrepared(d.U, d.u, levels, d.E, receivedAt);
   */
  pushPrepared(
    firstUpdateId: number,
    lastUpdateId: number,
    levels: PreparedLevels,
    exchangeTime?: number,
    receivedAt?: number,
  ): void {
    const book = this.book;
    const sequence = book.sequence ?? -1;
    if (
      // (closing clears #synced)
      this.#synced &&
      Number.isSafeInteger(firstUpdateId) &&
      Number.isSafeInteger(lastUpdateId) &&
      firstUpdateId >= 0 &&
      firstUpdateId <= lastUpdateId &&
      lastUpdateId > sequence &&
      firstUpdateId <= sequence + 1
    ) {
      const meta = this.#meta;
      meta.sequence = lastUpdateId;
      meta.receivedAt = receivedAt ?? this.now();
      meta.exchangeTime = exchangeTime;
      if (book.applyPreparedDelta(levels, meta)) {
        this.#afterApply(undefined);
        return;
      }
    }
    const { bids, asks } = levels.toInput();
    this.push({
      firstUpdateId,
      lastUpdateId,
      bids,
      asks,
      ...(exchangeTime === undefined ? {} : { exchangeTime }),
      ...(receivedAt === undefined ? {} : { receivedAt }),
    });
  }

  #desync(
    reason: ResyncReason,
    error: ReturnType<typeof createError> | undefined,
    keep: SequencedDiff[],
  ): void {
    this.#stats.resyncs++;
    this.#generation++;
    this.#cancelFetch();
    this.#nextRetryDelay = this.#retryDelayMs;
    this.#synced = false;
    this.book.clear();
    this.#buffer = keep;
    this.emit({ type: 'resyncing', market: this.market, reason, error });
    this.notifyWatchers();
    this.#startFetchIfIdle();
  }

  #cancelFetch(): void {
    this.#fetch?.abort();
    this.#fetch = undefined;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  #startFetchIfIdle(): void {
    if (this.closed || this.#synced || this.#buffer.length === 0) return;
    if (this.#fetch !== undefined || this.#retryTimer !== undefined) return;
    const wait = this.#lastFetchStart + this.#minSnapshotIntervalMs - this.now();
    if (wait > 0) {
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = undefined;
        this.#startFetchIfIdle();
      }, wait);
      this.#retryTimer.unref?.();
      return;
    }
    this.#lastFetchStart = this.now();
    const generation = this.#generation;
    const controller = new AbortController();
    this.#fetch = controller;
    this.#stats.snapshotsRequested++;
    let pending: Promise<SequencedSnapshot>;
    try {
      pending = this.#fetchSnapshot(controller.signal);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending
      .then(
        (snapshot) => {
          if (generation !== this.#generation || this.closed) return;
          this.#fetch = undefined;
          this.#onSnapshot(snapshot);
        },
        (error: unknown) => {
          if (generation !== this.#generation || this.closed) return;
          this.#fetch = undefined;
          this.#stats.snapshotErrors++;
          this.emitError(error);
          this.#scheduleRetry();
        },
      )
      // Nothing above should throw; if it does, report it rather than crash the process.
      .catch((error: unknown) => this.emitError(error));
  }

  #scheduleRetry(): void {
    if (this.closed || this.#retryTimer !== undefined) return;
    const delay = this.#nextRetryDelay;
    this.#nextRetryDelay = Math.min(Math.max(delay * 2, 1), this.#maxRetryDelayMs);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#startFetchIfIdle();
    }, delay);
    this.#retryTimer.unref?.();
  }

  #onSnapshot(snapshot: SequencedSnapshot): void {
    const first = this.#buffer[0];
    if (first === undefined) return; // unreachable: a fetch only starts with a buffered diff
    const snapshotId = snapshot.lastUpdateId;
    if (!Number.isSafeInteger(snapshotId) || snapshotId < 0) {
      this.#stats.snapshotErrors++;
      this.emitError(
        createError(
          'VALIDATION_FAILED',
          `${this.market}: snapshot lastUpdateId is not an integer`,
          {
            context: { what: 'book snapshot', path: 'lastUpdateId', market: this.market },
          },
        ),
      );
      this.#scheduleRetry();
      return;
    }
    if (snapshotId < first.firstUpdateId) {
      this.#stats.snapshotsTooOld++;
      this.#scheduleRetry();
      return;
    }
    try {
      this.book.applySnapshot(snapshot, {
        sequence: snapshotId,
        receivedAt: snapshot.receivedAt ?? this.now(),
        ...(snapshot.exchangeTime === undefined ? {} : { exchangeTime: snapshot.exchangeTime }),
      });
    } catch (error) {
      this.#stats.snapshotErrors++;
      this.book.clear();
      this.emitError(error);
      this.#scheduleRetry();
      return;
    }
    this.#synced = true;
    this.#nextRetryDelay = this.#retryDelayMs;
    const pending = this.#buffer;
    this.#buffer = [];
    for (let i = 0; i < pending.length; i++) {
      const diff = pending[i] as SequencedDiff;
      if (!this.#applyLive(diff)) {
        // Desynced inside the buffer: what follows the offending diff is still useful.
        for (let j = i + 1; j < pending.length; j++) this.#buffer.push(pending[j] as SequencedDiff);
        this.#startFetchIfIdle();
        return;
      }
    }
    const problem = this.checkBook(undefined);
    if (problem !== undefined) {
      this.#desync(problem.reason, problem.error, []);
      return;
    }
    this.emit({ type: 'synced', market: this.market, sequence: this.book.sequence });
    this.notifyWatchers();
  }
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw createError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}`, {
      context: { argument: name },
    });
  }
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw createError('INVALID_ARGUMENT', `${name} must be a non-negative number, got ${value}`, {
      context: { argument: name },
    });
  }
  return value;
}

/**
 * Creates a {@link SequencedBookSync} (Binance-style snapshot + diff).
 *
 * @example
 * const sync = createSequencedBookSync({ market: 'BTC/USDT', fetchSnapshot });
 */
export function createSequencedBookSync(options: SequencedBookSyncOptions): SequencedBookSync {
  return new SequencedBookSync(options);
}
