export { BookLevel } from './book-level.js';
export { OrderBook } from './order-book.js';
export { PreparedLevels } from './prepared-levels.js';
export type {
  BookLevelsInput,
  BookUpdateMeta,
  LevelInput,
  OrderBookOptions,
} from './order-book.js';
export { OrderBookView } from './order-book-view.js';
export type { OrderBookReader } from './order-book-view.js';
export { canonicalDecimalString, pow10 } from './price-key.js';
export { compactCopy } from './book-side.js';
export type {
  BookSync,
  BookSyncEvent,
  BookSyncOptions,
  ResyncReason,
  WatchOrderBookOptions,
} from './book-sync.js';
export { SequencedBookSync, createSequencedBookSync } from './sequenced-sync.js';
export type {
  SequencedBookSyncOptions,
  SequencedBookSyncStats,
  SequencedDiff,
  SequencedSnapshot,
} from './sequenced-sync.js';
export { SnapshotResetBookSync, createSnapshotResetBookSync } from './snapshot-reset-sync.js';
export type {
  BookFrame,
  CrossCheckOptions,
  SnapshotResetBookSyncOptions,
  SnapshotResetBookSyncStats,
} from './snapshot-reset-sync.js';
export { crc32, krakenBookChecksum, okxBookChecksum } from './checksum.js';
export type { BookChecksum } from './checksum.js';
export { ConflatingIterator } from './conflating-iterator.js';
export type { ConflatingIteratorOptions } from './conflating-iterator.js';
