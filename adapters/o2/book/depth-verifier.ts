import type { BookLevel, BookLevelsInput, LevelInput, OrderBook } from '../../../src/book/index.js';
import { canonicalDecimalString } from '../../../src/book/index.js';

/**
 * How `watchOrderBook` verifies an O2 book against REST depth. O2 depth frames carry no
 * sequence numbers and the server's write buffer is 4 KiB, so a frame lost on the way leaves
 * a book that looks healthy and is wrong; the only way to notice is to compare it with the
 * exchange's own answer now and then.
 *
 * @example
 * o2.watchOrderBook('fFUEL/fUSDC', { verify: { intervalMs: 10_000, depth: 10 } });
 * o2.watchOrderBook('fFUEL/fUSDC', { verify: { enabled: false } }); // no REST depth calls
 */
export interface O2BookVerifyOptions {
  /** Verify at all. Default: `true`. */
  readonly enabled?: boolean;
  /** Time from the end of one check to the start of the next. Default: `5000` (unit: ms). */
  readonly intervalMs?: number;
  /** Levels per side compared, from the best (also the REST `limit`). Default: `20` (unit: levels). */
  readonly depth?: number;
  /**
   * How long after the REST answer arrived the stream may still bring the book to the state
   * REST described (frames already on the wire, a WebSocket feed lagging the REST servers).
   * Default: `1000` (unit: ms).
   */
  readonly settleMs?: number;
  /** Failed checks in a row needed to declare drift. Default: `2`. */
  readonly confirmations?: number;
  /**
   * Distinct book states remembered during one REST round trip; a check that sees more
   * changes than this is inconclusive (counted, never a mismatch). Default: `10000`.
   */
  readonly maxStates?: number;
}

/**
 * Counters of the verification of one or more O2 books.
 *
 * @example
 * const { checks, drifts } = o2.bookStats().verification;
 */
export interface O2BookVerifyStats {
  /** REST depth requests made for verification. */
  checks: number;
  /** Checks whose REST answer equalled a book state seen during the check. */
  matches: number;
  /**
   * Of `matches`, those where the book when the answer arrived differed from it, and an
   * earlier or later state matched (a naive "compare with the book now" would have failed).
   */
  matchesInFlight: number;
  /** Checks where no state seen (request send → answer + `settleMs`) equalled the REST answer. */
  mismatches: number;
  /** Checks abandoned: the book was reset during the check, or changed more than `maxStates` times. */
  inconclusive: number;
  /** Checks whose REST request failed (reported as events; the next check is scheduled as usual). */
  errors: number;
  /** Drift declared (`confirmations` mismatches in a row); each one resyncs the book. */
  drifts: number;
}

/**
 * What a {@link DepthVerifier} needs: the live book, a REST fetcher, options, callbacks and
 * the counters to add to.
 *
 * @example
 * const params: DepthVerifierParams = { book, fetchDepth, onDrift: resync, onError: report, stats };
 */
export interface DepthVerifierParams {
  readonly book: OrderBook;
  /** Fetches the exchange's top `depth` levels per side over REST; must honour `signal`. */
  readonly fetchDepth: (depth: number, signal: AbortSignal) => Promise<BookLevelsInput>;
  readonly options?: O2BookVerifyOptions;
  /** Called when drift is declared, with a description of the first difference. */
  readonly onDrift: (difference: string) => void;
  /** Called when a check's REST request failed. */
  readonly onError: (error: unknown) => void;
  /** Counters to add to (shared between the books of one adapter). */
  readonly stats: O2BookVerifyStats;
}

/**
 * Creates zeroed verification counters.
 *
 * @example
 * const stats = createO2BookVerifyStats();
 */
export function createO2BookVerifyStats(): O2BookVerifyStats {
  return {
    checks: 0,
    matches: 0,
    matchesInFlight: 0,
    mismatches: 0,
    inconclusive: 0,
    errors: 0,
    drifts: 0,
  };
}

interface Check {
  readonly controller: AbortController;
  /** Keys of every book state seen since the request was sent. */
  readonly states: Set<string>;
  /** The answer matched a state other than the book at answer time. */
  inFlight: boolean;
  version: number;
  overflow: boolean;
  /** The REST answer's key, once it arrived and matched none of `states`. */
  target: string | undefined;
  settle: ReturnType<typeof setTimeout> | undefined;
  finish: ((outcome: Outcome) => void) | undefined;
}

type Outcome = 'match' | 'mismatch' | 'inconclusive' | 'error';

/**
 * Periodic REST verification of one live book, telling real drift from updates in flight.
 *
 * The REST answer describes the exchange's book at some instant during the round trip; the
 * WebSocket stream reaches that same state a little earlier or later. So a check does not
 * compare the REST answer with "the book now": it remembers every distinct state the book
 * passes through (top `depth` levels per side) from the moment the request is sent, and
 * after the answer arrives keeps watching for `settleMs` more. The check passes when any of
 * those states equals the answer — an in-flight update can delay that moment but not hide
 * it, since every state the exchange passes through is applied here one frame at a time.
 * Only when none does is it a mismatch, and drift is declared after `confirmations`
 * mismatches in a row (a check that passes resets the count). A book reset during the check,
 * or more than `maxStates` changes in one round trip, makes the check inconclusive.
 * Between checks nothing is recorded, so the hot path costs nothing then.
 *
 * @example
 * const verifier = new DepthVerifier({ book, fetchDepth, onDrift: resync, onError: report, stats });
 * verifier.start();
 * stream.on('depth', (d) => { apply(book, d); verifier.observe(); });
 */
export class DepthVerifier {
  readonly #book: OrderBook;
  readonly #fetch: DepthVerifierParams['fetchDepth'];
  readonly #onDrift: (difference: string) => void;
  readonly #onError: (error: unknown) => void;
  readonly #stats: O2BookVerifyStats;
  readonly #intervalMs: number;
  readonly #depth: number;
  readonly #settleMs: number;
  readonly #confirmations: number;
  readonly #maxStates: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #check: Check | undefined;
  #mismatches = 0;
  #closed = false;

  constructor(params: DepthVerifierParams) {
    const o = params.options ?? {};
    this.#book = params.book;
    this.#fetch = params.fetchDepth;
    this.#onDrift = params.onDrift;
    this.#onError = params.onError;
    this.#stats = params.stats;
    this.#intervalMs = positive(o.intervalMs, 5000);
    this.#depth = Math.floor(positive(o.depth, 20));
    this.#settleMs = o.settleMs === undefined || !(o.settleMs >= 0) ? 1000 : o.settleMs;
    this.#confirmations = Math.max(1, Math.floor(positive(o.confirmations, 2)));
    this.#maxStates = Math.max(1, Math.floor(positive(o.maxStates, 10_000)));
  }

  /** Failed checks in a row so far. */
  get pendingMismatches(): number {
    return this.#mismatches;
  }

  /** Schedules the first check (`intervalMs` from now). */
  start(): void {
    this.#schedule();
  }

  /** Call after every change applied to the book (cheap when no check is running). */
  observe(): void {
    const check = this.#check;
    if (check === undefined || check.finish === undefined) return;
    const version = this.#book.version;
    if (version === check.version) return;
    check.version = version;
    if (!this.#book.isSynced) {
      check.finish('inconclusive');
      return;
    }
    const key = levelsKey(this.#book, this.#depth);
    if (check.target !== undefined) {
      if (key === check.target) {
        check.inFlight = true;
        check.finish('match');
      }
      return;
    }
    if (check.states.size >= this.#maxStates) check.overflow = true;
    else check.states.add(key);
  }

  /**
   * The book was replaced by a fresh snapshot (reconnect, rejoin): mismatches counted
   * against the old book no longer count towards drift.
   */
  snapshotApplied(): void {
    this.#mismatches = 0;
  }

  /**
   * Forgets the running check and the mismatch count (the book was just reset), and starts
   * the interval again.
   */
  reset(): void {
    this.#mismatches = 0;
    this.#check?.finish?.('inconclusive');
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#check === undefined) this.#schedule();
  }

  /** Stops checking, aborting a request in flight. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#check?.finish?.('inconclusive');
  }

  #schedule(): void {
    if (this.#closed || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run().finally(() => {
        this.#check = undefined;
        this.#schedule();
      });
    }, this.#intervalMs);
    this.#timer.unref?.();
  }

  async #run(): Promise<void> {
    if (this.#closed || !this.#book.isSynced) return;
    const check: Check = {
      controller: new AbortController(),
      states: new Set([levelsKey(this.#book, this.#depth)]),
      inFlight: false,
      version: this.#book.version,
      overflow: false,
      target: undefined,
      settle: undefined,
      finish: undefined,
    };
    const outcome = new Promise<Outcome>((resolve) => {
      check.finish = (o) => {
        if (check.finish === undefined) return;
        check.finish = undefined;
        if (check.settle !== undefined) clearTimeout(check.settle);
        check.controller.abort();
        resolve(o);
      };
    });
    this.#check = check;
    this.#stats.checks++;
    let remote: BookLevelsInput | undefined;
    this.#fetch(this.#depth, check.controller.signal).then(
      (r) => {
        remote = r;
        this.#answered(check, r);
      },
      (error: unknown) => {
        if (check.finish === undefined) return; // aborted by reset/close: not an error
        this.#onError(error);
        check.finish('error');
      },
    );
    const result = await outcome;
    switch (result) {
      case 'error':
        this.#stats.errors++;
        return;
      case 'inconclusive':
        this.#stats.inconclusive++;
        return;
      case 'match':
        this.#stats.matches++;
        if (check.inFlight) this.#stats.matchesInFlight++;
        this.#mismatches = 0;
        return;
      case 'mismatch': {
        this.#stats.mismatches++;
        if (++this.#mismatches < this.#confirmations || this.#closed) return;
        this.#mismatches = 0;
        this.#stats.drifts++;
        this.#onDrift(describeDifference(this.#book, remote, this.#depth));
        return;
      }
    }
  }

  #answered(check: Check, remote: BookLevelsInput): void {
    if (check.finish === undefined) return;
    let target: string;
    try {
      target = remoteKey(remote, this.#depth);
    } catch (error) {
      this.#onError(error);
      check.finish('error');
      return;
    }
    // The state now counts too (observe() may not have run since the last change).
    if (this.#book.version !== check.version) this.observe();
    if (check.finish === undefined) return;
    const now = levelsKey(this.#book, this.#depth);
    if (now === target || check.states.has(target)) {
      check.inFlight = now !== target;
      check.finish('match');
      return;
    }
    if (check.overflow) {
      check.finish('inconclusive');
      return;
    }
    check.target = target;
    check.settle = setTimeout(() => check.finish?.('mismatch'), this.#settleMs);
    check.settle.unref?.();
  }
}

function positive(v: number | undefined, fallback: number): number {
  return v !== undefined && v > 0 && Number.isFinite(v) ? v : fallback;
}

/**
 * The canonical form of a book level's string (already validated by the book). O2 sends
 * plain integers, which are canonical when they have no leading zero and no point: those
 * are used as they are, without a parse on the path that runs per update during a check.
 */
function canonicalLocal(text: string): string {
  const c = text.charCodeAt(0);
  return c >= 49 && c <= 57 && text.indexOf('.') === -1 ? text : canonicalDecimalString(text);
}

const keyOfLevel = (price: string, quantity: string): string =>
  `${canonicalLocal(price)}x${canonicalLocal(quantity)}`;

function sideKey(levels: readonly BookLevel[]): string {
  let out = '';
  for (const l of levels) out += `${keyOfLevel(l.price, l.quantity)},`;
  return out;
}

/** The top `depth` levels of both sides as one comparable string. */
function levelsKey(book: OrderBook, depth: number): string {
  return `${sideKey(book.bids(depth))}|${sideKey(book.asks(depth))}`;
}

/** Remote levels: canonical, zero sizes dropped, sorted best first, cut to `depth`. */
function remoteSide(levels: readonly LevelInput[], isBid: boolean, depth: number): string[][] {
  return levels
    .map((l) => [canonicalDecimalString(l[0], 'price'), canonicalDecimalString(l[1], 'quantity')])
    .filter((l) => l[1] !== '0')
    .sort((a, b) => compareCanonical(a[0] as string, b[0] as string) * (isBid ? -1 : 1))
    .slice(0, depth);
}

function remoteKey(remote: BookLevelsInput, depth: number): string {
  const side = (levels: readonly LevelInput[], isBid: boolean): string => {
    let out = '';
    for (const [p, q] of remoteSide(levels, isBid, depth)) out += `${p}x${q},`;
    return out;
  };
  return `${side(remote.bids, true)}|${side(remote.asks, false)}`;
}

/** Compares two canonical non-negative decimal strings numerically. */
function compareCanonical(a: string, b: string): number {
  const ia = a.indexOf('.');
  const ib = b.indexOf('.');
  const da = ia === -1 ? a.length : ia;
  const db = ib === -1 ? b.length : ib;
  if (da !== db) return da - db;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A human description of the first level where the book and the REST answer differ. */
function describeDifference(
  book: OrderBook,
  remote: BookLevelsInput | undefined,
  depth: number,
): string {
  if (remote === undefined) return 'no REST answer';
  for (const [name, local, levels, isBid] of [
    ['bid', book.bids(depth), remote.bids, true],
    ['ask', book.asks(depth), remote.asks, false],
  ] as const) {
    const r = remoteSide(levels, isBid, depth);
    for (let i = 0; i < Math.max(local.length, r.length); i++) {
      const l = local[i];
      const lp = l === undefined ? undefined : canonicalDecimalString(l.price);
      const lq = l === undefined ? undefined : canonicalDecimalString(l.quantity);
      const [rp, rq] = r[i] ?? [];
      if (lp !== rp || lq !== rq) {
        const localText = lp === undefined ? 'none' : `${lp} × ${lq ?? ''}`;
        const remoteText = rp === undefined ? 'none' : `${rp} × ${rq ?? ''}`;
        return `${name} level ${i}: local ${localText}, exchange ${remoteText}`;
      }
    }
  }
  return 'the book changed after the last failed check';
}
