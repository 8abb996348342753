import {
  createSequencedBookSync,
  type BookSyncEvent,
  type SequencedBookSyncOptions,
  type SequencedSnapshot,
} from '../../src/book/index.js';
import { createError } from '../../src/errors/index.js';

/** A snapshot fetch the test answers by hand. */
export interface PendingFetch {
  resolve(s: SequencedSnapshot): void;
  reject(e: unknown): void;
  signal: AbortSignal;
}

/**
 * A BTC/USDT sequenced sync whose snapshot fetches wait for the test (`fetches`, `live()`:
 * the newest one not aborted) and whose events are recorded; `options` override the rest.
 */
export function syncHarness(options: Partial<SequencedBookSyncOptions> = {}) {
  const fetches: PendingFetch[] = [];
  const events: BookSyncEvent[] = [];
  const sync = createSequencedBookSync({
    market: 'BTC/USDT',
    fetchSnapshot: (signal) =>
      new Promise<SequencedSnapshot>((resolve, reject) => {
        fetches.push({ resolve, reject, signal });
        signal.addEventListener('abort', () => reject(createError('ABORTED', 'aborted')));
      }),
    onEvent: (e) => events.push(e),
    ...options,
  });
  const live = (): PendingFetch | undefined => fetches.filter((f) => !f.signal.aborted).at(-1);
  return { sync, fetches, events, live };
}
