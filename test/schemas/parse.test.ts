import { z } from 'zod';
import {
  DecimalString,
  IntegerString,
  LenientDecimalString,
  LenientIntegerString,
  Side,
  TimestampMs,
  isTickwireError,
  parse,
} from '../../src/index.js';

describe('schema primitives and parse()', () => {
  const Level = z.tuple([DecimalString, DecimalString]);
  const Depth = z.object({
    lastUpdateId: z.number().int(),
    bids: z.array(Level),
    asks: z.array(Level),
  });

  it('returns typed output for valid input', () => {
    const out = parse(
      Depth,
      { lastUpdateId: 7, bids: [['4.00000000', '431.0']], asks: [] },
      'depth',
    );
    expect(out.bids[0]).toEqual(['4.00000000', '431.0']);
  });

  it('raises VALIDATION_FAILED with a one-line summary naming the field and the ZodError as cause', () => {
    let caught: unknown;
    try {
      parse(
        Depth,
        { lastUpdateId: 7, bids: [['4.0', 'NaN']], asks: 'x' },
        'binance depth snapshot',
      );
    } catch (e) {
      caught = e;
    }
    expect(isTickwireError(caught, 'VALIDATION_FAILED')).toBe(true);
    if (!isTickwireError(caught, 'VALIDATION_FAILED')) return;
    expect(caught.message).toBe(
      'binance depth snapshot: bids.0.1: expected a decimal string (+1 more)',
    );
    expect(caught.message).not.toContain('\n');
    expect(caught.context.path).toBe('bids.0.1');
    expect(caught.context.what).toBe('binance depth snapshot');
    expect(caught.context.issues).toHaveLength(2);
    expect(caught.cause).toBeInstanceOf(z.ZodError);
  });

  it('normalises lenient wire forms', () => {
    expect(LenientDecimalString.parse(0.5)).toBe('0.5');
    expect(LenientDecimalString.parse('1e-8')).toBe('1e-8');
    expect(LenientIntegerString.parse(42)).toBe('42');
    expect(LenientIntegerString.parse('18446744073709551616')).toBe('18446744073709551616');
    expect(TimestampMs.parse('1767225600000')).toBe(1767225600000);
    expect(TimestampMs.parse(1767225600000)).toBe(1767225600000);
    expect(Side.parse('Buy')).toBe('buy');
    expect(Side.parse('SELL')).toBe('sell');
  });

  it('rejects bad wire forms', () => {
    expect(IntegerString.safeParse('-1').success).toBe(false);
    expect(LenientIntegerString.safeParse(2 ** 60).success).toBe(false);
    expect(LenientDecimalString.safeParse(Number.NaN).success).toBe(false);
    expect(TimestampMs.safeParse('12:00').success).toBe(false);
    expect(Side.safeParse('long').success).toBe(false);
  });
});
