import fc from 'fast-check';
import {
  canonicalDecimalString,
  isZeroDecimal,
  NEEDS_SCALE,
  NOT_SCALED,
  parseScaled,
  pow10,
} from '../../src/book/price-key.js';
import { isTickwireError } from '../../src/errors/index.js';

// The fast parsers (three tight loops, one branch per digit) against straightforward
// one-loop versions written for clarity: the previous implementations, kept here as the
// reference.

function referenceParseScaled(text: string, scale: number, out: { needed: number }): number {
  if (typeof text !== 'string') return NOT_SCALED;
  const n = text.length;
  let acc = 0;
  let dot = -1;
  let used = 0;
  let lastNonZero = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (dot !== -1) return NOT_SCALED;
      dot = i;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return NOT_SCALED;
    if (dot === -1) {
      acc = acc * 10 + d;
    } else {
      const pos = i - dot;
      if (d !== 0) lastNonZero = pos;
      if (pos <= scale) {
        acc = acc * 10 + d;
        used = pos;
      }
    }
  }
  if (n === 0 || dot === 0) return NOT_SCALED;
  if (lastNonZero > scale) {
    out.needed = lastNonZero;
    return NEEDS_SCALE;
  }
  if (used < scale) acc *= pow10(scale - used);
  return acc > Number.MAX_SAFE_INTEGER ? NOT_SCALED : acc;
}

function referenceIsZero(text: string): boolean {
  const n = text.length;
  let dot = false;
  let nonZero = false;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c > 48 && c <= 57) nonZero = true;
    else if (c === 48) continue;
    else if (c === 46 && !dot) dot = true;
    else return canonicalDecimalString(text, 'qty') === '0';
  }
  if (n === 0 || (dot && n === 1)) canonicalDecimalString(text, 'qty'); // throws
  return !nonZero;
}

function outcome(isZero: (text: string) => boolean, text: string): 'zero' | 'non-zero' | 'invalid' {
  try {
    return isZero(text) ? 'zero' : 'non-zero';
  } catch (error) {
    if (isTickwireError(error) && error.code === 'VALIDATION_FAILED') return 'invalid';
    throw error;
  }
}

/** Mostly digits and dots (the interesting cases), sometimes a stray character. */
const textArb = fc
  .array(
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...'0123456789') },
      { weight: 3, arbitrary: fc.constant('0') },
      { weight: 2, arbitrary: fc.constant('.') },
      { weight: 1, arbitrary: fc.constantFrom('e', '-', '+', ' ', '/', ':', 'x', '٣') },
    ),
    { maxLength: 24 },
  )
  .map((chars) => chars.join(''));

describe('parseScaled', () => {
  it('agrees with the one-loop reference on any text and scale (property)', () => {
    fc.assert(
      fc.property(textArb, fc.integer({ min: 0, max: 18 }), (text, scale) => {
        const fast = { needed: -7 };
        const slow = { needed: -7 };
        const got = parseScaled(text, scale, fast);
        expect(got).toBe(referenceParseScaled(text, scale, slow));
        expect(fast.needed).toBe(slow.needed);
      }),
      { numRuns: 3000 },
    );
  });

  it('returns the exact scaled integer of a plain decimal string (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 60n }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 3 }),
        (n, decimals, scale, trail) => {
          let text = n.toString().padStart(decimals + 1, '0');
          if (decimals > 0) text = `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
          if (trail > 0) text += (decimals > 0 ? '' : '.') + '0'.repeat(trail);
          const out = { needed: 0 };
          const got = parseScaled(text, scale, out);
          // Significant decimals beyond `scale` ask for a finer scale.
          let significant = decimals;
          let m = n;
          while (significant > 0 && m % 10n === 0n) {
            m /= 10n;
            significant--;
          }
          if (significant > scale) {
            expect(got).toBe(NEEDS_SCALE);
            expect(out.needed).toBe(significant);
            return;
          }
          const exact = n * 10n ** BigInt(scale - decimals < 0 ? 0 : scale - decimals);
          const scaled = decimals > scale ? n / 10n ** BigInt(decimals - scale) : exact;
          if (scaled > BigInt(Number.MAX_SAFE_INTEGER)) expect(got).toBe(NOT_SCALED);
          else expect(got).toBe(Number(scaled));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('handles the edge cases of the wire format', () => {
    const out = { needed: 0 };
    expect(parseScaled('30000.01000000', 2, out)).toBe(3000001);
    expect(parseScaled('5.', 2, out)).toBe(500);
    expect(parseScaled('0', 0, out)).toBe(0);
    expect(parseScaled('', 2, out)).toBe(NOT_SCALED);
    expect(parseScaled('.5', 2, out)).toBe(NOT_SCALED);
    expect(parseScaled('1.2.3', 2, out)).toBe(NOT_SCALED);
    expect(parseScaled('1e5', 2, out)).toBe(NOT_SCALED);
    expect(parseScaled('9007199254740992', 0, out)).toBe(NOT_SCALED);
    expect(parseScaled('9007199254740991', 0, out)).toBe(9007199254740991);
    expect(parseScaled('1.234', 2, out)).toBe(NEEDS_SCALE);
    expect(out.needed).toBe(3);
  });
});

describe('isZeroDecimal', () => {
  it('tells zero from non-zero and rejects malformed text like the reference (property)', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        expect(outcome((t) => isZeroDecimal(t, 'qty'), text)).toBe(outcome(referenceIsZero, text));
      }),
      { numRuns: 1000 },
    );
  });

  it('handles the edge cases of the wire format', () => {
    const zeroOutcome = (text: string): string => outcome((t) => isZeroDecimal(t, 'qty'), text);
    expect(zeroOutcome('0.00000000')).toBe('zero');
    expect(zeroOutcome('00')).toBe('zero');
    expect(zeroOutcome('0.')).toBe('zero');
    expect(zeroOutcome('.0')).toBe('zero');
    expect(zeroOutcome('0e5')).toBe('zero');
    expect(zeroOutcome('0.00000001')).toBe('non-zero');
    expect(zeroOutcome('.')).toBe('invalid');
    expect(zeroOutcome('')).toBe('invalid');
    expect(zeroOutcome('0..0')).toBe('invalid');
    expect(zeroOutcome('1 ')).toBe('invalid');
  });
});
