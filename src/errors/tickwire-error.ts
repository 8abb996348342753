import { type ErrorCategory, type ErrorCode, errorCatalogue } from './codes.js';
import type { ErrorContextOf } from './context.js';
import { containsSecret, redactString, redactValue, toJsonSafe } from './redact.js';

// A brand shared by every copy of tickwire loaded in the process, so that `instanceof`
// and `isTickwireError` work on an error thrown by another copy (ESM and CJS builds, or
// two versions in node_modules).
const BRAND = Symbol.for('tickwire.error/v1');

/** Options accepted by every tickwire error constructor. */
export interface TickwireErrorOptions<TCode extends ErrorCode = ErrorCode> {
  /** Structured details; redacted before it is stored. */
  readonly context?: ErrorContextOf<TCode>;
  /** The underlying error. Kept as is unless it carries a secret, then replaced by a redacted copy. */
  readonly cause?: unknown;
  /** Overrides the catalogue's default for this code. */
  readonly retryable?: boolean;
}

/** The JSON form of a tickwire error (`JSON.stringify(err)`), secrets redacted. */
export interface TickwireErrorJson {
  readonly name: string;
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly message: string;
  readonly retryable: boolean;
  readonly context: unknown;
  readonly cause?: unknown;
}

/**
 * The root of every error tickwire throws or reports. `code` is stable API (see the README
 * catalogue); `context` is typed per code; `cause` is the native cause; `retryable` says
 * whether the same call may succeed later.
 *
 * @example
 * try {
 *   await adapter.placeOrder(order);
 * } catch (e) {
 *   if (isTickwireError(e, 'RATE_LIMITED')) await sleep(e.context.retryAfterMs);
 *   else throw e;
 * }
 */
export class TickwireError<TCode extends ErrorCode = ErrorCode> extends Error {
  /** Stable machine-readable code. */
  readonly code: TCode;
  /** Which family the code belongs to: transport, exchange, validation, auth or client. */
  readonly category: ErrorCategory;
  /** Whether retrying the same call may succeed. */
  readonly retryable: boolean;
  /** Structured, redacted details. */
  readonly context: ErrorContextOf<TCode>;
  declare readonly [BRAND]: true;

  /** The category an `instanceof` check against this class requires (none for the root). */
  static readonly category: ErrorCategory | undefined = undefined;

  constructor(code: TCode, message: string, options: TickwireErrorOptions<TCode> = {}) {
    const cause = options.cause === undefined ? undefined : sanitizeCause(options.cause);
    super(redactString(message), cause === undefined ? undefined : { cause });
    const spec = errorCatalogue[code];
    this.code = code;
    this.category = spec.category;
    this.retryable = options.retryable ?? spec.retryable;
    this.context = (redactValue(options.context ?? {}) ?? {}) as ErrorContextOf<TCode>;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  override get name(): string {
    return categoryClassName[this.category];
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!isBranded(value)) return Function.prototype[Symbol.hasInstance].call(this, value);
    const required = (this as { category?: ErrorCategory }).category;
    if (required !== undefined && value.category !== required) return false;
    // Built-in classes match by brand; user subclasses fall back to the prototype chain.
    return builtinClasses.has(this) || Function.prototype[Symbol.hasInstance].call(this, value);
  }

  /** A redacted, JSON-safe view including the cause chain. */
  toJSON(): TickwireErrorJson {
    const json: TickwireErrorJson = {
      name: this.name,
      code: this.code,
      category: this.category,
      message: this.message,
      retryable: this.retryable,
      context: toJsonSafe(this.context),
      ...(this.cause === undefined ? {} : { cause: serializeCause(this.cause) }),
    };
    return json;
  }
}

/** A connection, socket or timeout failure. */
export class TransportError<TCode extends ErrorCode = ErrorCode> extends TickwireError<TCode> {
  static override readonly category: ErrorCategory = 'transport';
}
/** The exchange answered with an error (including rate limits and bans). */
export class ExchangeError<TCode extends ErrorCode = ErrorCode> extends TickwireError<TCode> {
  static override readonly category: ErrorCategory = 'exchange';
}
/** Input that does not have the expected shape: frames, bodies, arguments. */
export class ValidationError<TCode extends ErrorCode = ErrorCode> extends TickwireError<TCode> {
  static override readonly category: ErrorCategory = 'validation';
}
/** Credentials, signatures, clock skew, sessions. */
export class AuthError<TCode extends ErrorCode = ErrorCode> extends TickwireError<TCode> {
  static override readonly category: ErrorCategory = 'auth';
}

const builtinClasses = new Set<unknown>([
  TickwireError,
  TransportError,
  ExchangeError,
  ValidationError,
  AuthError,
]);

const categoryClassName: Record<ErrorCategory, string> = {
  transport: 'TransportError',
  exchange: 'ExchangeError',
  validation: 'ValidationError',
  auth: 'AuthError',
  client: 'TickwireError',
};

const categoryClass = {
  transport: TransportError,
  exchange: ExchangeError,
  validation: ValidationError,
  auth: AuthError,
  client: TickwireError,
} as const;

/**
 * Creates the error for `code` as an instance of its category's class.
 *
 * @example
 * throw createError('UNKNOWN_MARKET', 'no market "BTC/XYZ"', { context: { market: 'BTC/XYZ' } });
 */
export function createError<TCode extends ErrorCode>(
  code: TCode,
  message: string,
  options: TickwireErrorOptions<TCode> = {},
): TickwireError<TCode> {
  const Ctor = categoryClass[errorCatalogue[code].category];
  return new Ctor(code, message, options);
}

interface Branded {
  readonly [BRAND]: true;
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
}

function isBranded(value: unknown): value is Branded {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true
  );
}

/**
 * Narrows `value` to a tickwire error, optionally with a given code (its `context` is then
 * typed). Works across copies of the package.
 *
 * @example
 * if (isTickwireError(e, 'IP_BANNED')) console.log('banned until', new Date(e.context.until));
 */
export function isTickwireError<TCode extends ErrorCode>(
  value: unknown,
  code?: TCode,
): value is TickwireError<TCode> {
  return isBranded(value) && (code === undefined || value.code === code);
}

function chainHasSecret(e: unknown, depth = 0): boolean {
  if (depth > 8 || e === null || e === undefined) return false;
  if (typeof e === 'string') return containsSecret(e);
  if (!(e instanceof Error)) return containsSecret(safeJson(e));
  if (isBranded(e)) return false; // already redacted at construction
  return (
    containsSecret(e.message) ||
    containsSecret(e.stack ?? '') ||
    chainHasSecret((e as { cause?: unknown }).cause, depth + 1)
  );
}

/** Keeps a clean native cause intact; rebuilds a dirty one (and its chain) redacted. */
function sanitizeCause(cause: unknown, depth = 0): unknown {
  if (!chainHasSecret(cause)) return cause;
  if (depth > 8) return undefined;
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    const clean = new Error(
      redactString(cause.message),
      inner === undefined ? undefined : { cause: sanitizeCause(inner, depth + 1) },
    );
    clean.name = cause.name;
    clean.stack = redactString(cause.stack ?? '');
    const code = (cause as { code?: unknown }).code;
    if (code !== undefined) Object.assign(clean, { code });
    return clean;
  }
  return redactValue(cause);
}

function serializeCause(cause: unknown, depth = 0): unknown {
  if (depth > 8) return '[Truncated]';
  if (isBranded(cause) && cause instanceof Error) {
    return (cause as unknown as TickwireError).toJSON();
  }
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    const code = (cause as { code?: unknown }).code;
    return {
      name: cause.name,
      message: redactString(cause.message),
      ...(code === undefined ? {} : { code: redactValue(code) }),
      ...(inner === undefined ? {} : { cause: serializeCause(inner, depth + 1) }),
    };
  }
  return toJsonSafe(redactValue(cause));
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? '';
  } catch {
    return String(v);
  }
}
