/**
 * tickwire: exchange connectivity for trading bots.
 *
 * Named exports only; each layer keeps its private helpers unexported.
 */
export {
  errorCatalogue,
  errorCodes,
  isErrorCode,
  TickwireError,
  TransportError,
  ExchangeError,
  ValidationError,
  AuthError,
  createError,
  isTickwireError,
  REDACTED,
  registerSecret,
  unregisterSecret,
  redactString,
  redactValue,
  isSecretKey,
} from './errors/index.js';
export type {
  ErrorCategory,
  ErrorCode,
  BaseErrorContext,
  ErrorContextByCode,
  ErrorContextOf,
  TickwireErrorJson,
  TickwireErrorOptions,
} from './errors/index.js';

export {
  Decimal,
  parseDecimal,
  parseUnsignedInteger,
  fromScaledInteger,
  toScaledInteger,
  formatDecimal,
  decimalPlaces,
  isDecimalString,
} from './numbers/index.js';
export type { DecimalLike, ScaleRounding } from './numbers/index.js';

export {
  DecimalString,
  LenientDecimalString,
  IntegerString,
  LenientIntegerString,
  TimestampMs,
  Side,
  parse,
} from './schemas/index.js';

export { DROP, composeStages, composeInterceptors } from './pipeline/index.js';
export type { Drop, Handler, Interceptor, MaybePromise, Stage } from './pipeline/index.js';

export { MarketRegistry } from './adapter/index.js';
export type {
  MarketRegistryOptions,
  BalanceUpdate,
  DepthLevel,
  DepthUpdate,
  MarketInfo,
  NonceUpdate,
  OrderSide,
  OrderStatus,
  OrderUpdate,
  Trade,
} from './adapter/index.js';

export {
  BookLevel,
  OrderBook,
  OrderBookView,
  canonicalDecimalString,
  SequencedBookSync,
  createSequencedBookSync,
  SnapshotResetBookSync,
  createSnapshotResetBookSync,
  crc32,
  krakenBookChecksum,
  okxBookChecksum,
} from './book/index.js';
export type {
  BookLevelsInput,
  BookUpdateMeta,
  LevelInput,
  OrderBookOptions,
  OrderBookReader,
  BookSync,
  BookSyncEvent,
  BookSyncOptions,
  ResyncReason,
  WatchOrderBookOptions,
  SequencedBookSyncOptions,
  SequencedBookSyncStats,
  SequencedDiff,
  SequencedSnapshot,
  BookFrame,
  CrossCheckOptions,
  SnapshotResetBookSyncOptions,
  SnapshotResetBookSyncStats,
  BookChecksum,
} from './book/index.js';
