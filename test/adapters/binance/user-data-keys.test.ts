// The keys the user data stream deduplicates by (two sockets deliver during a rotation):
// equal for two copies of one event, different for two different events — including the
// cases where a shorter key would collide.
import {
  BinanceUserDataStream,
  binanceUserDataEventKey as keyOf,
} from '../../../adapters/binance/streams/user-data.js';

const report = (over: Record<string, unknown>): Record<string, unknown> => ({
  e: 'executionReport',
  E: 1_700_000_000_100,
  s: 'BTCUSDT',
  c: 'cid',
  S: 'BUY',
  x: 'NEW',
  X: 'NEW',
  i: 7,
  z: '0.00000000',
  T: 1_700_000_000_000,
  t: -1,
  I: 100,
  ...over,
});

describe('binanceUserDataEventKey', () => {
  it('two copies of one event have one key (the JSON of each socket parsed separately)', () => {
    for (const e of [
      report({}),
      report({ x: 'TRADE', X: 'FILLED', t: 12 }),
      { e: 'outboundAccountPosition', E: 5, u: 4, B: [{ a: 'BTC', f: '1.0', l: '0.0' }] },
      { e: 'balanceUpdate', E: 9, a: 'BTC', d: '-0.5', T: 8 },
    ]) {
      const copy: unknown = JSON.parse(JSON.stringify(e));
      expect(keyOf(copy)).toBeDefined();
      expect(keyOf(copy)).toBe(keyOf(e));
    }
  });

  it('fills: one trade id filling two orders of the account (a self-trade) are two events', () => {
    const buy = report({ x: 'TRADE', X: 'FILLED', t: 12, i: 7, S: 'BUY' });
    const sell = report({ x: 'TRADE', X: 'FILLED', t: 12, i: 8, S: 'SELL' });
    expect(keyOf(buy)).not.toBe(keyOf(sell));
    // …and the same trade of the same order on another symbol is another event.
    expect(keyOf(report({ x: 'TRADE', t: 12, s: 'ETHUSDT' }))).not.toBe(
      keyOf(report({ x: 'TRADE', t: 12 })),
    );
  });

  it('other executionReports: by execution id I; without I by (s, i, x, X, z, T)', () => {
    expect(keyOf(report({ I: 100 }))).not.toBe(keyOf(report({ I: 101 })));
    // Same order, same state, different executions (e.g. two amendments): still two.
    expect(keyOf(report({ x: 'REPLACED', I: 100 }))).not.toBe(
      keyOf(report({ x: 'REPLACED', I: 101 })),
    );
    const noI = (over: Record<string, unknown>): Record<string, unknown> => {
      const r = report(over);
      delete r.I;
      return r;
    };
    expect(keyOf(noI({}))).toBe(keyOf(noI({ E: 1 }))); // E (send time) is not part of it
    expect(keyOf(noI({ x: 'CANCELED', X: 'CANCELED' }))).not.toBe(keyOf(noI({})));
    expect(keyOf(noI({ z: '0.5' }))).not.toBe(keyOf(noI({})));
    expect(keyOf(noI({ T: 2 }))).not.toBe(keyOf(noI({})));
  });

  it('positions: two updates in the same millisecond with different balances are two events', () => {
    const a = { e: 'outboundAccountPosition', E: 5, u: 5, B: [{ a: 'BTC', f: '1', l: '0' }] };
    const b = { e: 'outboundAccountPosition', E: 5, u: 5, B: [{ a: 'BTC', f: '0.9', l: '0.1' }] };
    expect(keyOf(a)).not.toBe(keyOf(b));
  });

  it('balance deltas by (a, d, T); other events have no key', () => {
    const d = { e: 'balanceUpdate', E: 9, a: 'BTC', d: '1', T: 8 };
    expect(keyOf({ ...d, d: '2' })).not.toBe(keyOf(d));
    expect(keyOf({ ...d, T: 7 })).not.toBe(keyOf(d));
    expect(keyOf({ ...d, a: 'ETH' })).not.toBe(keyOf(d));
    expect(keyOf({ e: 'listStatus', E: 1 })).toBeUndefined();
    expect(keyOf({ e: 'eventStreamTerminated', E: 1 })).toBeUndefined();
    expect(keyOf(null)).toBeUndefined();
    expect(keyOf('executionReport')).toBeUndefined();
  });
});

describe('BinanceUserDataStream lifetime options', () => {
  const base = { wsApiUrl: 'ws://127.0.0.1:1/ws-api/v3', signer: undefined };

  it('a replacement due at once (rotateBeforeMs ≥ maxLifetimeMs) or negative values are INVALID_ARGUMENT', () => {
    for (const o of [
      { maxLifetimeMs: 400, rotateBeforeMs: 400 },
      { maxLifetimeMs: 400, rotateBeforeMs: 500 },
      { rotateBeforeMs: 86_400_000 },
      { maxLifetimeMs: -1 },
      { maxLifetimeMs: 400, rotateBeforeMs: -1 },
    ]) {
      expect(() => new BinanceUserDataStream({ ...base, ...o })).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
  });

  it('the defaults, a short lifetime, and 0 (rotation off) are accepted', async () => {
    for (const o of [{}, { maxLifetimeMs: 400, rotateBeforeMs: 100 }, { maxLifetimeMs: 0 }]) {
      await new BinanceUserDataStream({ ...base, ...o }).close();
    }
  });
});
