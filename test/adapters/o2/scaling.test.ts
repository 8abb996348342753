import fc from 'fast-check';
import {
  checkO2Order,
  o2OrderValue,
  o2StepSize,
  o2TickSize,
  type O2ScaleMarket,
  prepareO2Order,
  roundO2Price,
  roundO2Quantity,
  scaleO2Price,
  scaleO2Quantity,
  unscaleO2Price,
  unscaleO2Quantity,
} from '../../../adapters/o2/scaling.js';
import { isTickwireError } from '../../../src/errors/index.js';

const FUEL_USDC: O2ScaleMarket = {
  market_id: '0xc0c5',
  base: { decimals: 9, max_precision: 3 },
  quote: { decimals: 9, max_precision: 9 },
  min_order: '1000000000',
};
const ETH_USDC: O2ScaleMarket = {
  base: { decimals: 9, max_precision: 6 },
  quote: { decimals: 9, max_precision: 2 },
};

function ruleOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isTickwireError(e, 'ORDER_FILTER_FAILED')) return String(e.context.filter);
    if (isTickwireError(e)) return e.code;
    throw e;
  }
  return 'passed';
}

describe('O2 scaling', () => {
  it('tick and step come from decimals − max_precision', () => {
    expect(o2TickSize(FUEL_USDC)).toBe(1n);
    expect(o2StepSize(FUEL_USDC)).toBe(1_000_000n);
    expect(o2TickSize(ETH_USDC)).toBe(10_000_000n);
    expect(o2StepSize(ETH_USDC)).toBe(1_000n);
  });

  it('scales the doc examples exactly', () => {
    expect(scaleO2Price('0.02', FUEL_USDC)).toBe(20_000_000n);
    expect(scaleO2Quantity('100', FUEL_USDC)).toBe(100_000_000_000n);
    expect(scaleO2Price('0.0213', FUEL_USDC)).toBe(21_300_000n);
    expect(unscaleO2Price(21_300_000n, FUEL_USDC).toFixed()).toBe('0.0213');
    expect(unscaleO2Quantity('1500000000000', FUEL_USDC).toFixed()).toBe('1500');
  });

  it('never shrinks silently: off-tick and off-step values name the rule', () => {
    expect(ruleOf(() => scaleO2Quantity('1.0005', FUEL_USDC))).toBe('step_size');
    expect(ruleOf(() => scaleO2Quantity('1.0000000001', FUEL_USDC))).toBe('step_size');
    expect(ruleOf(() => scaleO2Price('3150.005', ETH_USDC))).toBe('tick_size');
    expect(ruleOf(() => scaleO2Price('0.0000000001', FUEL_USDC))).toBe('tick_size');
    expect(ruleOf(() => scaleO2Price('-1', FUEL_USDC))).toBe('INVALID_ARGUMENT');
    expect(ruleOf(() => scaleO2Price('abc', FUEL_USDC))).toBe('VALIDATION_FAILED');
    expect(ruleOf(() => scaleO2Price('18446744074', FUEL_USDC))).toBe('u64_range');
  });

  it('checks FractionalPrice and min_order', () => {
    // 0.000000001 × 1.001 FUEL = price×qty not divisible by 10^9
    expect(ruleOf(() => checkO2Order({ price: 1n, quantity: 1_001_000_000n }, FUEL_USDC))).toBe(
      'fractional_price',
    );
    expect(
      ruleOf(() =>
        checkO2Order(
          { price: 1n, quantity: 1_001_000_000n },
          { ...FUEL_USDC, min_order: undefined },
          {
            allowFractionalPrice: true,
          },
        ),
      ),
    ).toBe('passed');
    // 0.02 × 10 = 0.2 USDC < 1 USDC
    expect(ruleOf(() => prepareO2Order({ price: '0.02', quantity: '10' }, FUEL_USDC))).toBe(
      'min_order',
    );
    expect(prepareO2Order({ price: '0.02', quantity: '100' }, FUEL_USDC)).toEqual({
      price: 20_000_000n,
      quantity: 100_000_000_000n,
    });
    expect(ruleOf(() => checkO2Order({ price: 21_300_001n, quantity: 1_500_000n }, ETH_USDC))).toBe(
      'tick_size',
    );
    expect(ruleOf(() => checkO2Order({ price: 10_000_000n, quantity: 1_500n }, ETH_USDC))).toBe(
      'step_size',
    );
  });

  it('the error message and context name the rule and market', () => {
    try {
      scaleO2Quantity('1.0005', FUEL_USDC);
      throw new Error('expected failure');
    } catch (e) {
      expect(isTickwireError(e, 'ORDER_FILTER_FAILED')).toBe(true);
      const err = e as Error & { context: unknown };
      expect(err.message).toBe(
        'o2 order on 0xc0c5: quantity 1.0005 is not a multiple of the step 0.001 (step_size)',
      );
      expect(err.context).toMatchObject({ filter: 'step_size', market: '0xc0c5' });
    }
  });

  it('order value is the amount a buy locks (doc vector: 2000000000)', () => {
    expect(o2OrderValue(20_000_000n, 100_000_000_000n, FUEL_USDC)).toBe(2_000_000_000n);
  });

  it('explicit rounding helpers round to the tick/step in the asked direction', () => {
    expect(roundO2Quantity('1.23456', FUEL_USDC, 'floor')).toBe(1_234_000_000n);
    expect(roundO2Quantity('1.23456', FUEL_USDC, 'ceil')).toBe(1_235_000_000n);
    expect(roundO2Price('3150.005', ETH_USDC, 'floor')).toBe(3_150_000_000_000n);
    expect(roundO2Price('3150.005', ETH_USDC, 'ceil')).toBe(3_150_010_000_000n);
  });

  it('property: chain → human → chain round-trips exactly on every market shape', () => {
    const market = fc
      .record({
        bd: fc.integer({ min: 0, max: 18 }),
        qd: fc.integer({ min: 0, max: 18 }),
      })
      .chain(({ bd, qd }) =>
        fc.record({
          bd: fc.constant(bd),
          qd: fc.constant(qd),
          bp: fc.integer({ min: 0, max: bd }),
          qp: fc.integer({ min: 0, max: qd }),
        }),
      );
    fc.assert(
      fc.property(
        market,
        fc.bigInt({ min: 1n, max: (1n << 40n) - 1n }),
        fc.bigInt({ min: 1n, max: (1n << 40n) - 1n }),
        ({ bd, qd, bp, qp }, pUnits, qUnits) => {
          const m: O2ScaleMarket = {
            base: { decimals: bd, max_precision: bp },
            quote: { decimals: qd, max_precision: qp },
          };
          const price = pUnits * o2TickSize(m);
          const quantity = qUnits * o2StepSize(m);
          fc.pre(price < 1n << 64n && quantity < 1n << 64n);
          const humanPrice = unscaleO2Price(price, m);
          const humanQty = unscaleO2Quantity(quantity, m);
          expect(scaleO2Price(humanPrice, m)).toBe(price);
          expect(scaleO2Quantity(humanQty.toFixed(), m)).toBe(quantity);
          expect(unscaleO2Price(scaleO2Price(humanPrice.toFixed(), m), m).eq(humanPrice)).toBe(
            true,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: a value off the step is always rejected, never rounded', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 1n << 40n }),
        fc.bigInt({ min: 1n, max: 999_999n }),
        (units, offset) => {
          const chain = units * 1_000_000n + offset;
          const human = unscaleO2Quantity(chain, FUEL_USDC).toFixed();
          expect(ruleOf(() => scaleO2Quantity(human, FUEL_USDC))).toBe('step_size');
        },
      ),
      { numRuns: 200 },
    );
  });
});
