import { BinanceAdapter } from '../../adapters/binance/index.js';
import { O2Adapter } from '../../adapters/o2/index.js';
import { Throttler } from '../../src/throttle/index.js';
import { isTickwireError } from '../../src/errors/index.js';

// Closing an adapter closes the throttler it made (queued requests fail with CLOSED instead
// of waiting forever), but never a throttler the caller shares between adapters.
async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return isTickwireError(e) ? e.code : 'not a TickwireError';
  }
}

describe('adapters close the throttler they own', () => {
  it('O2Adapter.close() closes its throttler', async () => {
    const o2 = new O2Adapter({ restUrl: 'http://127.0.0.1:9', wsUrl: 'ws://127.0.0.1:9/v1/ws' });
    const permit = await o2.throttler.acquire({ key: 'session', weight: 1 });
    permit.release();
    await o2.close();
    expect(await codeOf(o2.throttler.acquire({ key: 'session', weight: 1 }))).toBe('CLOSED');
  });

  it('BinanceAdapter.close() closes its own throttler', async () => {
    const binance = new BinanceAdapter({ restUrl: 'http://127.0.0.1:9' });
    const ticket = { key: 'REQUEST_WEIGHT_1M', weight: 1 };
    (await binance.throttler.acquire(ticket)).release();
    await binance.close();
    expect(await codeOf(binance.throttler.acquire(ticket))).toBe('CLOSED');
  });

  it('a throttler shared by the caller stays open after BinanceAdapter.close()', async () => {
    const shared = new Throttler({
      pools: [{ id: 'REQUEST_WEIGHT_1M', limit: 6000, intervalMs: 60_000 }],
    });
    const binance = new BinanceAdapter({ restUrl: 'http://127.0.0.1:9', throttler: shared });
    await binance.close();
    const permit = await shared.acquire({ key: 'REQUEST_WEIGHT_1M', weight: 1 });
    permit.release();
    expect(shared.stats().pools['REQUEST_WEIGHT_1M']).toBeDefined();
    await shared.close();
  });
});
