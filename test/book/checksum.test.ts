import fc from 'fast-check';
import { crc32, krakenBookChecksum, okxBookChecksum, OrderBook } from '../../src/book/index.js';
import { crc32Js } from '../../src/book/checksum.js';

describe('book checksums', () => {
  it('computes the standard CRC-32 check value, natively and in JS alike', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32Js(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(crc32Js(Buffer.from(s, 'utf8'))).toBe(crc32(s));
      }),
    );
  });

  it('builds the OKX string from wire strings, interleaving bids and asks, signed result', () => {
    const book = new OrderBook();
    book.applySnapshot({
      bids: [
        ['3366.1', '7'],
        ['3366', '6'],
        ['3365.50', '1.0'],
      ],
      asks: [['3366.8', '9']],
    });
    const text = '3366.1:7:3366.8:9:3366:6:3365.50:1.0';
    expect(okxBookChecksum(book)).toBe(crc32(text) | 0);
    expect(okxBookChecksum(book, 1)).toBe(crc32('3366.1:7:3366.8:9') | 0);
    expect(okxBookChecksum(book)).toBeLessThanOrEqual(0x7fffffff);
  });

  it('builds the Kraken string: asks then bids, no point, no leading zeros, unsigned', () => {
    const book = new OrderBook();
    book.applySnapshot({
      bids: [
        ['0.05005', '0.00000500'],
        ['0.05004', '1.5'],
      ],
      asks: [['0.05010', '12.00000000']],
    });
    const text = '5010' + '1200000000' + '5005' + '500' + '5004' + '15';
    expect(krakenBookChecksum(book)).toBe(crc32(text));
    expect(krakenBookChecksum(book, 1)).toBe(crc32('5010' + '1200000000' + '5005' + '500'));
  });
});
