import {
  AuthError,
  ExchangeError,
  TickwireError,
  TransportError,
  ValidationError,
  createError,
  errorCatalogue,
  errorCodes,
  isTickwireError,
} from '../../src/index.js';
import type * as Tickwire from '../../src/index.js';

describe('TickwireError', () => {
  it('carries code, category, retryable default, typed context and native cause', () => {
    const cause = new Error('socket hang up');
    const err = createError('RATE_LIMITED', 'slow down', {
      context: { retryAfterMs: 1500, pool: 'REQUEST_WEIGHT' },
      cause,
    });
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.category).toBe('exchange');
    expect(err.retryable).toBe(true);
    expect(err.context.retryAfterMs).toBe(1500);
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(TickwireError);
    expect(err).toBeInstanceOf(ExchangeError);
    expect(err).not.toBeInstanceOf(TransportError);
    expect(err.name).toBe('ExchangeError');
  });

  it('lets the caller override retryable', () => {
    expect(createError('TRANSPORT_TIMEOUT', 't', { retryable: false }).retryable).toBe(false);
  });

  it('maps every catalogue category to its subclass', () => {
    const byCategory = {
      transport: TransportError,
      exchange: ExchangeError,
      validation: ValidationError,
      auth: AuthError,
      client: TickwireError,
    } as const;
    for (const code of errorCodes) {
      const err = createError(code, 'x');
      expect(err).toBeInstanceOf(byCategory[errorCatalogue[code].category]);
      expect(err.retryable).toBe(errorCatalogue[code].retryable);
    }
  });

  it('isTickwireError narrows by code', () => {
    const err: unknown = createError('IP_BANNED', 'banned', { context: { until: 42 } });
    expect(isTickwireError(err)).toBe(true);
    expect(isTickwireError(err, 'IP_BANNED')).toBe(true);
    expect(isTickwireError(err, 'RATE_LIMITED')).toBe(false);
    if (isTickwireError(err, 'IP_BANNED')) expect(err.context.until).toBe(42);
    expect(isTickwireError(new Error('plain'))).toBe(false);
    expect(isTickwireError({ code: 'IP_BANNED' })).toBe(false);
    expect(isTickwireError(null)).toBe(false);
  });

  it('instanceof survives a second copy of the package (brand, not prototype)', () => {
    let Copy: typeof Tickwire | undefined;
    jest.isolateModules(() => {
      Copy = jest.requireActual<typeof Tickwire>('../../src/index.js');
    });
    expect(Copy).toBeDefined();
    expect(Copy!.TickwireError).not.toBe(TickwireError);
    const foreign = new Copy!.TickwireError('WS_CLOSED', 'closed', {
      context: { code: 1006, reason: '' },
    });
    expect(foreign).toBeInstanceOf(TickwireError);
    expect(foreign).toBeInstanceOf(TransportError);
    expect(foreign).not.toBeInstanceOf(AuthError);
    expect(isTickwireError(foreign, 'WS_CLOSED')).toBe(true);
    const local = createError('AUTH_INVALID_KEY', 'bad key');
    expect(local).toBeInstanceOf(Copy!.AuthError);
  });

  it('user subclasses keep prototype semantics', () => {
    class MyError extends TickwireError<'INTERNAL'> {}
    const mine = new MyError('INTERNAL', 'bug');
    expect(mine).toBeInstanceOf(MyError);
    expect(mine).toBeInstanceOf(TickwireError);
    expect(createError('INTERNAL', 'other')).not.toBeInstanceOf(MyError);
  });

  it('serialises to JSON with context, bigint and cause chain', () => {
    const err = createError('BOOK_SEQUENCE_GAP', 'gap', {
      context: { market: 'BTCUSDT', expected: '11', received: '15', seq: 15n },
      cause: new Error('outer', { cause: new Error('inner') }),
    });
    const json = JSON.parse(JSON.stringify(err));
    expect(json).toMatchObject({
      name: 'TickwireError',
      code: 'BOOK_SEQUENCE_GAP',
      category: 'client',
      retryable: true,
      context: { market: 'BTCUSDT', expected: '11', received: '15', seq: '15' },
      cause: { name: 'Error', message: 'outer', cause: { message: 'inner' } },
    });
  });
});
