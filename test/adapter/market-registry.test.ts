import { MarketRegistry } from '../../src/adapter/index.js';
import type { MarketInfo } from '../../src/adapter/index.js';
import { isTickwireError } from '../../src/index.js';

const btc: MarketInfo = { symbol: 'BTC/USDT', id: 'BTCUSDT', base: 'BTC', quote: 'USDT', raw: {} };
const fuel: MarketInfo = {
  symbol: 'fFUEL/fUSDC',
  id: '0xc0c5c48315d8cfff9f00777f81fdf04e9b4ef69e802a1a068549a8d6a06ee19f',
  base: 'fFUEL',
  quote: 'fUSDC',
  raw: {},
};

describe('MarketRegistry', () => {
  it('resolves unified symbols, native ids and aliases case-insensitively', () => {
    const r = new MarketRegistry({
      exchange: 'o2',
      aliases: (m) => [`${m.base.replace(/^f/, '')}/${m.quote.replace(/^f/, '')}`],
    });
    r.set([btc, fuel]);
    expect(r.resolve('BTC/USDT')).toBe(btc);
    expect(r.resolve('btcusdt')).toBe(btc);
    expect(r.resolve(' BTCUSDT ')).toBe(btc);
    expect(r.resolve('FUEL/USDC')).toBe(fuel);
    expect(r.resolve(fuel.id.toUpperCase().replace('0X', '0x'))).toBe(fuel);
    expect(r.list()).toEqual([btc, fuel]);
    expect(r.loaded).toBe(true);
  });

  it('raises UNKNOWN_MARKET naming the market', () => {
    const r = new MarketRegistry({ exchange: 'binance' });
    r.set([btc]);
    let caught: unknown;
    try {
      r.resolve('DOGE/XYZ');
    } catch (e) {
      caught = e;
    }
    expect(isTickwireError(caught, 'UNKNOWN_MARKET')).toBe(true);
    if (isTickwireError(caught, 'UNKNOWN_MARKET')) {
      expect(caught.context.market).toBe('DOGE/XYZ');
      expect(caught.message).toMatch(/binance: unknown market "DOGE\/XYZ"/);
    }
  });

  it('resolves an ambiguous spelling to neither market', () => {
    const r = new MarketRegistry({ exchange: 'x', aliases: () => ['SAME'] });
    r.set([btc, fuel]);
    expect(r.find('same')).toBeUndefined();
    expect(r.resolve('BTCUSDT')).toBe(btc);
  });
});
