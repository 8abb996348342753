export { errorCatalogue, errorCodes, isErrorCode } from './codes.js';
export type { ErrorCategory, ErrorCode } from './codes.js';
export type { BaseErrorContext, ErrorContextByCode, ErrorContextOf } from './context.js';
export {
  TickwireError,
  TransportError,
  ExchangeError,
  ValidationError,
  AuthError,
  createError,
  isTickwireError,
} from './tickwire-error.js';
export type { TickwireErrorJson, TickwireErrorOptions } from './tickwire-error.js';
export {
  REDACTED,
  registerSecret,
  unregisterSecret,
  redactString,
  redactValue,
  isSecretKey,
  toJsonSafe,
} from './redact.js';
