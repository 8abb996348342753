export { RestManager } from './rest-manager.js';
export type {
  RestManagerOptions,
  RestManagerStats,
  RetryOptions,
  RestEndpoint,
  RestRequestEvent,
  RestResponseEvent,
} from './rest-manager.js';
export { RestConnection } from './rest-connection.js';
export type { RestConnectionOptions, WireRequest, WireResponse } from './rest-connection.js';
export { createQuerySigner } from './request-signer.js';
export type { RequestSigner, QuerySignerOptions } from './request-signer.js';
export {
  createHeaderUsageReader,
  retryAfterMs,
  exchangeCodeAndMessage,
  defaultExchangeError,
} from './response-errors.js';
export type { ExchangeErrorMapper, UsageReader } from './response-errors.js';
export type { HttpMethod, RestBody, RestRequest, RestResponse } from './types.js';
