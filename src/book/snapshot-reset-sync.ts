import { createError } from '../errors/tickwire-error.js';
import type { BookLevel } from './book-level.js';
import { BookSyncBase, type BookSyncOptions, type ResyncReason } from './book-sync.js';
import type { BookLevelsInput, LevelInput } from './order-book.js';
import { canonicalDecimalString } from './price-key.js';

/**
 * A full-book frame (O2 `subscribe_depth`, a Kraken/OKX snapshot, a REST depth answer), or
 * an incremental one with the same shape.
 *
 * @example
 * const frame: BookFrame = { bids: view.buys.map((l) => [l.price, l.quantity] as const), asks: [] };
 */
export interface BookFrame extends BookLevelsInput {
  readonly exchangeTime?: number;
  readonly receivedAt?: number;
  /** Exchange checksum of the book after this frame, verified when a `checksum` is configured. */
  readonly checksum?: number;
  /** Exchange sequence, when it has one (informational here). */
  readonly sequence?: number;
}

/**
 * Options of the periodic REST cross-check of a {@link SnapshotResetBookSync}. Only as many
 * levels as the REST answer holds (up to `depth`) are compared, so a truncated REST depth
 * never reads as drift.
 *
 * @example
 * const crossCheck: CrossCheckOptions = { fetchSnapshot, intervalMs: 60_000, depth: 10 };
 */
export interface CrossCheckOptions {
  /** Fetches the exchange's book over REST; must honour `signal`. */
  readonly fetchSnapshot: (signal: AbortSignal) => Promise<BookLevelsInput>;
  /** Time between checks. Default: `30000` (unit: ms). */
  readonly intervalMs?: number;
  /** Levels per side compared (from the best). Default: `20` (unit: levels). */
  readonly depth?: number;
  /**
   * Consecutive conclusive mismatches needed to report drift, so that one REST answer that
   * raced a WebSocket update in flight is not taken for drift. Default: `2`.
   */
  readonly confirmations?: number;
}

/**
 * Options of {@link SnapshotResetBookSync}.
 *
 * @example
 * const options: SnapshotResetBookSyncOptions = { market: 'fFUEL/fUSDC', requestResync: resubscribe };
 */
export interface SnapshotResetBookSyncOptions extends BookSyncOptions {
  /**
   * Asks the transport for a fresh snapshot (resubscribe) after a checksum mismatch, a
   * crossed book or confirmed drift. Without it, drift is repaired by installing the REST
   * answer and a checksum mismatch leaves the book unsynced until the next snapshot frame.
   * Default: none.
   */
  readonly requestResync?: (reason: ResyncReason) => void;
  /** Periodic REST cross-check (O2 sends no sequence numbers or checksums). Default: off. */
  readonly crossCheck?: CrossCheckOptions;
}

/**
 * Counters of a {@link SnapshotResetBookSync}.
 *
 * @example
 * const { drifts, crossChecksInconclusive } = sync.stats();
 */
export interface SnapshotResetBookSyncStats {
  snapshotsApplied: number;
  deltasApplied: number;
  /** Deltas received while no snapshot was in force (before the first, after a reset). */
  deltasIgnored: number;
  /** Malformed frames skipped (reported as `error` events). */
  framesInvalid: number;
  resyncs: number;
  crossChecks: number;
  /** Cross-checks skipped because the book changed during the REST round trip. */
  crossChecksInconclusive: number;
  crossCheckMismatches: number;
  crossCheckErrors: number;
  drifts: number;
}

/**
 * The snapshot-reset strategy, for exchanges without sequence numbers (O2): every snapshot
 * frame replaces the book; deltas (absolute sizes, zero removes) apply on top; after a
 * reconnect call {@link SnapshotResetBookSync.resync} and the fresh snapshot frame replaces
 * the book. Optionally verifies an exchange checksum (Kraken / OKX) and runs a periodic REST
 * cross-check that reports drift (`BOOK_DRIFT`) only when the comparison is conclusive: no
 * update arrived during the REST round trip, and `confirmations` checks in a row disagree.
 *
 * @example
 * const sync = createSnapshotResetBookSync({
 *   market: 'fFUEL/fUSDC',
 *   crossCheck: { fetchSnapshot: (signal) => rest.depth(marketId, { signal }), intervalMs: 30_000 },
 * });
 * ws.on('subscribe_depth', (f) => sync.applySnapshot(toFrame(f.view)));
 * ws.on('subscribe_depth_update', (f) => sync.applyDelta(toFrame(f.changes)));
 * ws.on('reconnect', () => sync.resync('reconnect'));
 */
export class SnapshotResetBookSync extends BookSyncBase {
  readonly #requestResync: ((reason: ResyncReason) => void) | undefined;
  readonly #crossCheck: Required<CrossCheckOptions> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fetch: AbortController | undefined;
  #mismatches = 0;
  readonly #stats: SnapshotResetBookSyncStats = {
    snapshotsApplied: 0,
    deltasApplied: 0,
    deltasIgnored: 0,
    framesInvalid: 0,
    resyncs: 0,
    crossChecks: 0,
    crossChecksInconclusive: 0,
    crossCheckMismatches: 0,
    crossCheckErrors: 0,
    drifts: 0,
  };

  constructor(options: SnapshotResetBookSyncOptions) {
    super(options);
    this.#requestResync = options.requestResync;
    const cc = options.crossCheck;
    if (cc !== undefined) {
      this.#crossCheck = {
        fetchSnapshot: cc.fetchSnapshot,
        intervalMs: cc.intervalMs ?? 30_000,
        depth: cc.depth ?? 20,
        confirmations: Math.max(1, cc.confirmations ?? 2),
      };
      this.#scheduleCrossCheck();
    }
  }

  get isSynced(): boolean {
    return this.book.isSynced;
  }

  /** A copy of the counters. */
  stats(): SnapshotResetBookSyncStats {
    return { ...this.#stats };
  }

  /** Replaces the whole book with a snapshot frame. A malformed frame is reported and the book left as it was. */
  applySnapshot(frame: BookFrame): void {
    if (this.closed) return;
    const wasSynced = this.book.isSynced;
    try {
      this.book.applySnapshot(frame, this.#meta(frame));
    } catch (error) {
      this.#stats.framesInvalid++;
      this.emitError(error);
      return;
    }
    this.#stats.snapshotsApplied++;
    if (this.#afterUpdate(frame.checksum)) {
      if (!wasSynced) this.emit({ type: 'synced', market: this.market, sequence: undefined });
      this.notifyWatchers();
    }
  }

  /** Applies an incremental frame; ignored (and counted) while no snapshot is in force. */
  applyDelta(frame: BookFrame): void {
    if (this.closed) return;
    if (!this.book.isSynced) {
      this.#stats.deltasIgnored++;
      return;
    }
    try {
      this.book.applyDelta(frame, this.#meta(frame));
    } catch (error) {
      // The book is unchanged but missed an update it cannot get back: start over.
      this.#stats.framesInvalid++;
      this.emitError(error);
      this.#desync('invalid-update', undefined);
      return;
    }
    this.#stats.deltasApplied++;
    if (this.#afterUpdate(frame.checksum)) this.notifyWatchers();
  }

  /** Discards the book until the next snapshot frame (after a reconnect or on request). */
  resync(reason: ResyncReason = 'requested'): void {
    if (this.closed) return;
    this.#desync(reason, undefined, false);
  }

  protected onClose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#fetch?.abort();
    this.#fetch = undefined;
  }

  #meta(frame: BookFrame): { receivedAt: number; exchangeTime?: number; sequence?: number } {
    const receivedAt = frame.receivedAt ?? this.now();
    // The common frame (O2): a receive time only, one small object and no spreads.
    if (frame.exchangeTime === undefined && frame.sequence === undefined) return { receivedAt };
    return {
      receivedAt,
      ...(frame.exchangeTime === undefined ? {} : { exchangeTime: frame.exchangeTime }),
      ...(frame.sequence === undefined ? {} : { sequence: frame.sequence }),
    };
  }

  /** Returns true when the book passed its checks. */
  #afterUpdate(checksum: number | undefined): boolean {
    const problem = this.checkBook(checksum);
    if (problem === undefined) return true;
    this.#desync(problem.reason, problem.error);
    return false;
  }

  #desync(
    reason: ResyncReason,
    error: ReturnType<typeof createError> | undefined,
    askTransport = true,
  ): void {
    this.#stats.resyncs++;
    this.#mismatches = 0;
    this.book.clear();
    this.emit({ type: 'resyncing', market: this.market, reason, error });
    this.notifyWatchers();
    if (askTransport) this.#requestResync?.(reason);
  }

  #scheduleCrossCheck(): void {
    const cc = this.#crossCheck;
    if (cc === undefined || this.closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#runCrossCheck(cc)
        .catch((error: unknown) => this.emitError(error))
        .finally(() => this.#scheduleCrossCheck());
    }, cc.intervalMs);
    this.#timer.unref?.();
  }

  async #runCrossCheck(cc: Required<CrossCheckOptions>): Promise<void> {
    if (!this.book.isSynced) return;
    const versionBefore = this.book.version;
    const controller = new AbortController();
    this.#fetch = controller;
    this.#stats.crossChecks++;
    let remote: BookLevelsInput;
    try {
      remote = await cc.fetchSnapshot(controller.signal);
    } catch (error) {
      if (this.closed) return;
      this.#stats.crossCheckErrors++;
      this.emitError(error);
      return;
    } finally {
      this.#fetch = undefined;
    }
    if (this.closed || !this.book.isSynced) return;
    if (this.book.version !== versionBefore) {
      this.#stats.crossChecksInconclusive++;
      return;
    }
    let diff: string | undefined;
    try {
      diff =
        firstDifference('bid', this.book.bids(cc.depth), remote.bids, cc.depth) ??
        firstDifference('ask', this.book.asks(cc.depth), remote.asks, cc.depth);
    } catch (error) {
      this.#stats.crossCheckErrors++;
      this.emitError(error);
      return;
    }
    if (diff === undefined) {
      this.#mismatches = 0;
      return;
    }
    this.#stats.crossCheckMismatches++;
    this.#mismatches++;
    if (this.#mismatches < cc.confirmations) return;
    this.#stats.drifts++;
    const error = createError(
      'BOOK_DRIFT',
      `${this.market}: local book differs from the exchange's (${diff}); resyncing`,
      { context: { market: this.market, difference: diff, checks: this.#mismatches } },
    );
    if (this.#requestResync !== undefined) {
      this.#desync('drift', error);
      return;
    }
    // No transport hook: the REST answer was taken while nothing moved, so install it.
    this.#stats.resyncs++;
    this.#mismatches = 0;
    this.book.applySnapshot(remote, { receivedAt: this.now() });
    this.emit({ type: 'resyncing', market: this.market, reason: 'drift', error });
    this.emit({ type: 'synced', market: this.market, sequence: undefined });
    this.notifyWatchers();
  }
}

/**
 * Describes the first difference between the local best `depth` levels and a remote side
 * (any order; compared by exact value), or `undefined` when they agree. Only as many levels
 * as the remote side holds (up to `depth`) are compared, since REST depth may be truncated.
 */
function firstDifference(
  side: 'bid' | 'ask',
  local: readonly BookLevel[],
  remote: readonly LevelInput[],
  depth: number,
): string | undefined {
  const sorted = remote
    .map((l) => ({ price: canonicalDecimalString(l[0], `${side} price`), qty: l[1] }))
    .filter((l) => canonicalDecimalString(l.qty, `${side} quantity`) !== '0')
    .sort((a, b) => compareCanonical(a.price, b.price) * (side === 'bid' ? -1 : 1));
  const count = Math.min(depth, sorted.length);
  for (let i = 0; i < count; i++) {
    const r = sorted[i] as { price: string; qty: string };
    const l = local[i];
    if (l === undefined) return `${side} level ${i}: missing locally, exchange has ${r.price}`;
    const lp = canonicalDecimalString(l.price);
    const lq = canonicalDecimalString(l.quantity);
    const rq = canonicalDecimalString(r.qty);
    if (lp !== r.price || lq !== rq) {
      return `${side} level ${i}: local ${lp} × ${lq}, exchange ${r.price} × ${rq}`;
    }
  }
  return undefined;
}

function compareCanonical(a: string, b: string): number {
  const da = a.indexOf('.') === -1 ? a.length : a.indexOf('.');
  const db = b.indexOf('.') === -1 ? b.length : b.indexOf('.');
  if (da !== db) return da - db;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Creates a {@link SnapshotResetBookSync} (O2-style: snapshots replace, no sequence numbers).
 *
 * @example
 * const sync = createSnapshotResetBookSync({ market: 'fFUEL/fUSDC' });
 */
export function createSnapshotResetBookSync(
  options: SnapshotResetBookSyncOptions,
): SnapshotResetBookSync {
  return new SnapshotResetBookSync(options);
}
