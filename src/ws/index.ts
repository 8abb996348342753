export { WsConnection } from './ws-connection.js';
export type { WsConnectionHandlers, WsConnectionOptions } from './ws-connection.js';
export { WsManager } from './ws-manager.js';
export type {
  WsBatchSubscribe,
  WsManagerOptions,
  WsRequestOptions,
  WsSendOptions,
} from './ws-manager.js';
export type {
  ReplayConfig,
  WsAuthConfig,
  WsChannelSpec,
  WsEvent,
  WsRouter,
  WsRpcConfig,
  WsState,
} from './ws-types.js';
export { Backoff, backoffCeiling, resolveBackoff } from './backoff.js';
export type { BackoffConfig, BackoffStrategy, ResolvedBackoffConfig } from './backoff.js';
export { CircuitBreaker } from './circuit-breaker.js';
export type { CircuitBreakerConfig, CircuitState } from './circuit-breaker.js';
export { Heartbeat } from './heartbeat.js';
export type { HeartbeatConfig, HeartbeatHooks } from './heartbeat.js';
export { SendLimiter } from './send-limiter.js';
export type { SendLimiterConfig } from './send-limiter.js';
export { EMPTY_WS_STATS, RttTracker, rateQuality } from './ws-stats.js';
export type { ConnectionQuality, QualityThresholds, WsStats } from './ws-stats.js';
export { DEFAULT_NO_RETRY_CLOSE_CODES, closeCodeClass, isNoRetryCloseCode } from './close-codes.js';
export type { NoRetryCloseCodes } from './close-codes.js';
export { wsCloseChannel, wsOpenChannel, wsReconnectChannel } from './diagnostics.js';
export type { WsCloseDiagnostic, WsOpenDiagnostic, WsReconnectDiagnostic } from './diagnostics.js';
export { WsPool } from './ws-pool.js';
export type { WsPoolEvent, WsPoolOptions } from './ws-pool.js';
