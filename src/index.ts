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

export { ChannelStream, ExchangeAdapter, MarketRegistry } from './adapter/index.js';
export type {
  AdapterEvent,
  AdapterStats,
  AdapterStreamStats,
  ChannelRoute,
  ChannelStreamHost,
  ChannelTable,
  StreamConnection,
  SubscribeOptions,
  ChannelMap,
  EndpointParams,
  EndpointTable,
  ExchangeAdapterOptions,
  SubscribeFn,
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

export {
  WsConnection,
  WsManager,
  WsPool,
  Backoff,
  backoffCeiling,
  resolveBackoff,
  CircuitBreaker,
  Heartbeat,
  SendLimiter,
  EMPTY_WS_STATS,
  RttTracker,
  rateQuality,
  DEFAULT_NO_RETRY_CLOSE_CODES,
  closeCodeClass,
  isNoRetryCloseCode,
  wsOpenChannel,
  wsCloseChannel,
  wsReconnectChannel,
} from './ws/index.js';
export type {
  WsConnectionOptions,
  WsConnectionHandlers,
  WsManagerOptions,
  WsSendOptions,
  WsRequestOptions,
  WsBatchSubscribe,
  ReplayConfig,
  WsAuthConfig,
  WsChannelSpec,
  WsEvent,
  WsRouter,
  WsRpcConfig,
  WsState,
  BackoffConfig,
  BackoffStrategy,
  ResolvedBackoffConfig,
  CircuitBreakerConfig,
  CircuitState,
  HeartbeatConfig,
  HeartbeatHooks,
  SendLimiterConfig,
  ConnectionQuality,
  QualityThresholds,
  WsStats,
  NoRetryCloseCodes,
  WsOpenDiagnostic,
  WsCloseDiagnostic,
  WsReconnectDiagnostic,
  WsPoolOptions,
  WsPoolEvent,
} from './ws/index.js';

export { BoundedStream, SequenceDedup, FanOut, EventStream } from './stream/index.js';
export type {
  BoundedStreamOptions,
  OverflowPolicy,
  DedupOptions,
  SequenceId,
  TypedEvent,
} from './stream/index.js';

export {
  RestManager,
  RestConnection,
  createQuerySigner,
  createHeaderUsageReader,
  retryAfterMs,
  exchangeCodeAndMessage,
  defaultExchangeError,
} from './rest/index.js';
export type {
  RestManagerOptions,
  RestManagerStats,
  RetryOptions,
  RestEndpoint,
  RestRequestEvent,
  RestResponseEvent,
  RestConnectionOptions,
  WireRequest,
  WireResponse,
  RequestSigner,
  QuerySignerOptions,
  ExchangeErrorMapper,
  UsageReader,
  HttpMethod,
  RestBody,
  RestRequest,
  RestResponse,
} from './rest/index.js';

export { Throttler, ThrottlePriority, SlidingWindow } from './throttle/index.js';
export type {
  RateLimitPool,
  LinkedWeight,
  ThrottleTicket,
  ThrottlerOptions,
  ThrottlePermit,
  PoolStats,
  ThrottlerStats,
  ThrottleWaitEvent,
} from './throttle/index.js';

export {
  createHmacSigner,
  createEd25519Signer,
  ed25519KeyFromSeed,
  percentEncode,
  paramText,
  encodeParams,
  wsApiSignaturePayload,
  ClockSync,
} from './auth/index.js';
export type {
  Signer,
  SignatureAlgorithm,
  HmacSignerOptions,
  Ed25519SignerOptions,
  ParamValue,
  Params,
  ClockSyncOptions,
} from './auth/index.js';
