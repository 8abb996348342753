import fc from 'fast-check';
import {
  Decimal,
  decimalPlaces,
  formatDecimal,
  fromScaledInteger,
  isTickwireError,
  parseDecimal,
  parseUnsignedInteger,
  toScaledInteger,
} from '../../src/index.js';

const U64_MAX = 2n ** 64n - 1n;

describe('exact numbers', () => {
  it('round-trips every u64 (and u128) integer string exactly', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }), (n) => {
        const s = n.toString();
        expect(parseUnsignedInteger(s, 'v')).toBe(n);
        expect(parseDecimal(s, 'v').toFixed()).toBe(s);
      }),
    );
    expect(parseUnsignedInteger(U64_MAX.toString(), 'v')).toBe(U64_MAX);
    expect(parseDecimal('18446744073709551617', 'v').toFixed()).toBe('18446744073709551617');
  });

  it('scales chain integers by asset decimals without loss', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), fc.integer({ min: 0, max: 18 }), (n, d) => {
        const human = fromScaledInteger(n.toString(), d, 'price');
        expect(toScaledInteger(human, d, 'price')).toBe(n);
      }),
    );
    expect(fromScaledInteger('21300000', 9, 'price').toFixed()).toBe('0.0213');
    expect(toScaledInteger('0.02', 9, 'price')).toBe(20000000n);
    expect(toScaledInteger('100', 9, 'qty')).toBe(100000000000n);
  });

  it('rounds only when asked', () => {
    expect(() => toScaledInteger('0.0000000015', 9, 'price')).toThrow(
      /price: expected at most 9 decimal places/,
    );
    expect(toScaledInteger('0.0000000015', 9, 'price', 'floor')).toBe(1n);
    expect(toScaledInteger('0.0000000015', 9, 'price', 'ceil')).toBe(2n);
  });

  it('accepts scientific notation and normalises output', () => {
    expect(parseDecimal('1e-8', 'qty').toFixed()).toBe('0.00000001');
    expect(parseDecimal('1.5E+3', 'qty').toFixed()).toBe('1500');
    expect(formatDecimal('0.01000000')).toBe('0.01');
    expect(formatDecimal('0.00000000')).toBe('0');
    expect(formatDecimal('-0')).toBe('0');
    expect(decimalPlaces('0.01000000')).toBe(2);
    expect(decimalPlaces('1.00000000')).toBe(0);
  });

  it('does arithmetic exactly where floats do not', () => {
    expect(new Decimal('0.1').plus('0.2').toFixed()).toBe('0.3');
    expect(parseDecimal('9007199254740993', 'x').plus(1).toFixed()).toBe('9007199254740994');
  });

  it('keeps the SDK clone independent of the global decimal.js config', async () => {
    const Global = (await import('decimal.js')).default;
    const before = Global.precision;
    Global.set({ precision: 5 });
    try {
      expect(new Decimal('1').dividedBy(3).toFixed().length).toBeGreaterThan(50);
    } finally {
      Global.set({ precision: before });
    }
  });

  const badDecimals: Array<[unknown, RegExp]> = [
    ['', /expected a decimal string/],
    [' 1', /expected a decimal string/],
    ['1 ', /expected a decimal string/],
    ['NaN', /expected a decimal string/],
    ['Infinity', /expected a decimal string/],
    ['-Infinity', /expected a decimal string/],
    ['0x10', /expected a decimal string/],
    ['1,000.5', /expected a decimal string/],
    ['1.2.3', /expected a decimal string/],
    ['abc', /expected a decimal string/],
    ['1e', /expected a decimal string/],
    ['.', /expected a decimal string/],
    [Number.NaN, /expected a finite number/],
    [Number.POSITIVE_INFINITY, /expected a finite number/],
    [2 ** 60, /within 2\^53/],
    [null, /expected a decimal string/],
    [undefined, /expected a decimal string/],
    [{}, /expected a decimal string/],
    [true, /expected a decimal string/],
  ];
  it.each(badDecimals)(
    'rejects %p as a decimal with VALIDATION_FAILED naming the field',
    (input, re) => {
      let caught: unknown;
      try {
        parseDecimal(input, 'bids.0.price');
      } catch (e) {
        caught = e;
      }
      expect(isTickwireError(caught, 'VALIDATION_FAILED')).toBe(true);
      const err = caught as Error;
      expect(err.message).toMatch(/^bids\.0\.price: /);
      expect(err.message).toMatch(re);
    },
  );

  const badIntegers: unknown[] = [
    '',
    '-1',
    '1.0',
    '1e3',
    '0x1f',
    ' 7',
    'NaN',
    -1,
    1.5,
    2 ** 60,
    null,
    {},
  ];
  it.each(badIntegers)('rejects %p as an unsigned integer', (input) => {
    expect(() => parseUnsignedInteger(input, 'nonce')).toThrow(/^nonce: expected/);
  });

  it('accepts hex integers only when allowed', () => {
    expect(parseUnsignedInteger('0xa', 'nonce', { allowHex: true })).toBe(10n);
    expect(() => parseUnsignedInteger('0xa', 'nonce')).toThrow(/nonce/);
    expect(parseUnsignedInteger(42, 'nonce')).toBe(42n);
  });
});
