import { decodeO2Revert, mapO2Error, O2_ERROR_CODES } from '../../../adapters/o2/errors.js';
import { errorCatalogue, isErrorCode } from '../../../src/errors/index.js';
import { byId, restFixtures, wsFixtures } from './load-fixtures.js';

const actions = restFixtures('rest-session-actions');
const errors = restFixtures('rest-errors');

describe('mapO2Error', () => {
  it('1003 → RATE_LIMITED with a retry delay', () => {
    const e = mapO2Error(byId(errors, 'RE1').body, { status: 200 });
    expect(e.code).toBe('RATE_LIMITED');
    expect(e.retryable).toBe(true);
    expect(e.context).toMatchObject({
      exchange: 'o2',
      exchangeCode: 1003,
      exchangeMessage: 'Too many requests',
      retryAfterMs: 1000,
      status: 200,
    });
    expect(mapO2Error({ code: 1003, message: 'x' }, { retryAfterMs: 2500 }).context).toMatchObject({
      retryAfterMs: 2500,
    });
  });

  it('4000 → AUTH_INVALID_SIGNATURE, 4001 → AUTH_SESSION_EXPIRED, other 4000-range → AUTH_INVALID_KEY', () => {
    expect(mapO2Error(byId(actions, 'RSA3').body).code).toBe('AUTH_INVALID_SIGNATURE');
    expect(mapO2Error(byId(errors, 'RE4').body).code).toBe('AUTH_SESSION_EXPIRED');
    expect(mapO2Error(byId(errors, 'RE7').body).code).toBe('AUTH_INVALID_KEY');
    expect(mapO2Error({ code: 4002, message: 'Account not found' }).code).toBe('AUTH_INVALID_KEY');
  });

  it('7004/7003 → INVALID_ARGUMENT naming the actions', () => {
    const e = mapO2Error(byId(actions, 'RSA2').body);
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.context).toMatchObject({ argument: 'actions', exchangeCode: 7004 });
    expect(e.message).toContain('TooManyActions');
    expect(mapO2Error(byId(errors, 'RE6').body).code).toBe('INVALID_ARGUMENT');
  });

  it('3000 → EXCHANGE_UNKNOWN_ORDER; 2000 → UNKNOWN_MARKET with the market', () => {
    expect(mapO2Error(byId(errors, 'RE3').body).code).toBe('EXCHANGE_UNKNOWN_ORDER');
    const m = mapO2Error(byId(errors, 'RE5').body, { market: 'fFUEL/fUSDC' });
    expect(m.code).toBe('UNKNOWN_MARKET');
    expect(m.context).toMatchObject({ market: 'fFUEL/fUSDC' });
  });

  it('WS subscription error frames map to EXCHANGE_ERROR with their code', () => {
    const c2 = byId(wsFixtures('ws-control'), 'C2').frame;
    const e = mapO2Error(c2);
    expect(e.code).toBe('EXCHANGE_ERROR');
    expect(e.context).toMatchObject({ exchangeCode: 6000, o2Error: 'AlreadySubscribed' });
  });

  it('1000 without revert text → EXCHANGE_UNAVAILABLE; "error" key read as the message', () => {
    const e = mapO2Error(byId(errors, 'RE2').body, { status: 500 });
    expect(e.code).toBe('EXCHANGE_UNAVAILABLE');
    expect(e.context).toMatchObject({ exchangeMessage: 'Internal server error', status: 500 });
  });

  it('on-chain revert → EXCHANGE_REVERTED with the decoded name in context.reason', () => {
    const e = mapO2Error(byId(actions, 'RSA4').body, { status: 200 });
    expect(e.code).toBe('EXCHANGE_REVERTED');
    expect(e.context).toMatchObject({
      reason: 'WithdrawError::NotEnoughBalance',
      exchangeMessage: 'Withdraw failed',
    });
    expect(e.message).toBe(
      'o2: transaction reverted: WithdrawError::NotEnoughBalance (Withdraw failed)',
    );
  });

  it('code 1000 wrapping NonceError::InvalidNonce → NONCE_MISMATCH', () => {
    const e = mapO2Error(byId(actions, 'RSA5').body);
    expect(e.code).toBe('NONCE_MISMATCH');
    expect(e.context).toMatchObject({ reason: 'NonceError::InvalidNonce', exchangeCode: 1000 });
  });

  it('a bare Revert(signal) is named by its signal constant', () => {
    const e = mapO2Error(byId(actions, 'RSA8').body);
    expect(e.code).toBe('EXCHANGE_REVERTED');
    expect(e.context).toMatchObject({ reason: 'FAILED_REQUIRE' });
  });

  it('non-JSON bodies fall back on the HTTP status', () => {
    expect(mapO2Error('<html>Too Many Requests</html>', { status: 429 }).code).toBe('RATE_LIMITED');
    expect(mapO2Error('<html>Bad gateway</html>', { status: 502 }).code).toBe(
      'EXCHANGE_UNAVAILABLE',
    );
    expect(mapO2Error(undefined, { status: 400 }).code).toBe('EXCHANGE_ERROR');
    expect(mapO2Error({ code: 9999, message: 'new' }).code).toBe('EXCHANGE_ERROR');
    expect(mapO2Error({ code: 7777, message: 'new' }).code).toBe('INVALID_ARGUMENT');
  });

  it('every mapped code exists in the catalogue', () => {
    for (const { code } of Object.values(O2_ERROR_CODES)) {
      expect(isErrorCode(code)).toBe(true);
      expect(errorCatalogue[code]).toBeDefined();
    }
  });
});

describe('decodeO2Revert', () => {
  it('reads LogResult, log ids and the revert signal', () => {
    const reason = String((byId(actions, 'RSA4').body as { reason: string }).reason);
    expect(decodeO2Revert(reason)).toEqual({
      name: 'WithdrawError::NotEnoughBalance',
      signal: 'REVERT_WITH_LOG',
      signalValue: '18446744073709486086',
      logIds: ['14888260448086063780'],
    });
  });

  it('decodes the WithdrawError log data by variant index when no LogResult is given', () => {
    const r = decodeO2Revert(
      'Revert { ra: 18446744073709486086 } LogData { id: x, ra: 0, rb: 14888260448086063780, ptr: 0, len: 8, digest: y, data: Some(Bytes(0000000000000000)) }',
    );
    expect(r.name).toBe('WithdrawError::AmountIsZero');
  });

  it('keeps qualified names and qualifies known variants', () => {
    expect(decodeO2Revert('failed: OrderCreationError::PricePrecision').name).toBe(
      'OrderCreationError::PricePrecision',
    );
    expect(decodeO2Revert('LogResult { results: [Ok("OrderPartiallyFilled")] }').name).toBe(
      'OrderCreationError::OrderPartiallyFilled',
    );
    expect(decodeO2Revert('LogResult { results: [Ok("SomethingNew")] }').name).toBe('SomethingNew');
    expect(decodeO2Revert('Revert(18446744073709486084)')).toEqual({
      signal: 'FAILED_ASSERT',
      signalValue: '18446744073709486084',
      logIds: [],
    });
    expect(decodeO2Revert('Revert(42)')).toEqual({ signalValue: '42', logIds: [] });
  });
});
