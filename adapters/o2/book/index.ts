// The O2 order book: snapshot-reset sync over `streamDepth`, verified against REST depth.
export { DepthVerifier, createO2BookVerifyStats } from './depth-verifier.js';
export type {
  DepthVerifierParams,
  O2BookVerifyOptions,
  O2BookVerifyStats,
} from './depth-verifier.js';
export {
  copyO2BookStats,
  createO2BookStats,
  toLevelInputs,
  watchO2OrderBook,
} from './watch-book.js';
export type {
  O2BookEvent,
  O2BookResyncReason,
  O2BookSource,
  O2BookStats,
  O2WatchOrderBookOptions,
} from './watch-book.js';
