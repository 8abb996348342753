// Binance stream payloads: the hand-written depth/trade guards and the executionReport →
// OrderUpdate mapping (documented examples from binance-spot.md §6 and §8).
import { parse } from '../../../src/schemas/index.js';
import { isTickwireError } from '../../../src/errors/index.js';
import {
  BinanceExecutionReport,
  isBinanceDepthUpdate,
  isBinanceTradeEvent,
} from '../../../adapters/binance/streams/wire.js';
import { toOrderUpdate } from '../../../adapters/binance/streams/index.js';
import { docExamples } from './simulator/binance-frames.js';

// The documented examples (binance-spot.md), shared with the simulator's frame tests.
const { depthUpdate: depth, trade } = docExamples;
const report = docExamples.executionReport.event;
const symbolOf = (id: string): string => (id === 'ETHBTC' ? 'ETH/BTC' : id);

describe('Binance stream payload guards', () => {
  it('accept the documented depthUpdate and trade examples', () => {
    expect(isBinanceDepthUpdate(depth)).toBe(true);
    expect(isBinanceTradeEvent(trade)).toBe(true);
  });

  it.each([
    ['no U', { ...depth, U: undefined }],
    ['u not an integer', { ...depth, u: 160.5 }],
    ['a level with a number price', { ...depth, b: [[0.0024, '10']] }],
    ['levels not a list', { ...depth, a: 'x' }],
    ['another event', { ...depth, e: 'trade' }],
    ['null', null],
  ])('reject a depth frame with %s', (_, frame) => {
    expect(isBinanceDepthUpdate(frame)).toBe(false);
  });

  it.each([
    ['a number price', { ...trade, p: 0.001 }],
    ['no trade id', { ...trade, t: undefined }],
    ['a string maker flag', { ...trade, m: 'true' }],
  ])('reject a trade frame with %s', (_, frame) => {
    expect(isBinanceTradeEvent(frame)).toBe(false);
  });
});

describe('executionReport → OrderUpdate', () => {
  it('a new order: open, exact quantities, no fill', () => {
    const u = toOrderUpdate(parse(BinanceExecutionReport, report, 'r'), symbolOf);
    expect(u).toMatchObject({
      market: 'ETH/BTC',
      orderId: '4293153',
      clientOrderId: 'mUvoqJxFIILMdfAW5iGSOW',
      side: 'buy',
      status: 'open',
      time: 1499405658657,
    });
    expect(u.price?.toFixed()).toBe('0.1026441');
    expect(u.quantity.toFixed()).toBe('1');
    expect(u.filledQuantity.isZero()).toBe(true);
    expect(u.lastFillPrice).toBeUndefined();
  });

  it('a fill (x=TRADE) carries the last fill; z is the cumulative quantity', () => {
    const fill = {
      ...report,
      x: 'TRADE',
      X: 'PARTIALLY_FILLED',
      l: '0.4',
      z: '0.6',
      L: '0.1026',
      t: 77,
    };
    const u = toOrderUpdate(parse(BinanceExecutionReport, fill, 'r'), symbolOf);
    expect(u.status).toBe('partially_filled');
    expect(u.lastFillQuantity?.toFixed()).toBe('0.4');
    expect(u.lastFillPrice?.toFixed()).toBe('0.1026');
    expect(u.filledQuantity.toFixed()).toBe('0.6');
  });

  it("a cancel reports the original order's client id (C), not the cancel request's (c)", () => {
    const cancel = { ...report, x: 'CANCELED', X: 'CANCELED', c: 'cancel-req-1', C: 'my-order-7' };
    const u = toOrderUpdate(parse(BinanceExecutionReport, cancel, 'r'), symbolOf);
    expect(u).toMatchObject({ status: 'cancelled', clientOrderId: 'my-order-7' });
  });

  it.each([
    ['FILLED', 'filled'],
    ['REJECTED', 'rejected'],
    ['EXPIRED', 'expired'],
    ['EXPIRED_IN_MATCH', 'expired'],
  ])('status %s → %s', (wire, status) => {
    const u = toOrderUpdate(parse(BinanceExecutionReport, { ...report, X: wire }, 'r'), symbolOf);
    expect(u.status).toBe(status);
  });

  it('an unknown status or a float quantity is VALIDATION_FAILED', () => {
    expect(() =>
      toOrderUpdate(parse(BinanceExecutionReport, { ...report, X: 'WEIRD' }, 'r'), symbolOf),
    ).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    let caught: unknown;
    try {
      parse(BinanceExecutionReport, { ...report, q: 1 }, 'binance executionReport');
    } catch (e) {
      caught = e;
    }
    expect(isTickwireError(caught, 'VALIDATION_FAILED')).toBe(true);
  });
});
