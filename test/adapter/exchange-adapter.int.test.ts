// The ExchangeAdapter base with a tiny fake adapter over a real node:http server on 127.0.0.1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ExchangeAdapter, type EndpointTable } from '../../src/adapter/exchange-adapter.js';
import type { MarketInfo } from '../../src/adapter/models.js';

const endpoints = {
  markets: {
    method: 'GET',
    path: '/markets',
    what: 'fake markets',
    schema: z.array(z.object({ id: z.string(), base: z.string(), quote: z.string() })),
  },
  echo: {
    method: 'GET',
    path: '/echo',
    what: 'fake echo',
    schema: z.object({ query: z.string() }),
  },
  broken: {
    method: 'GET',
    path: '/broken',
    what: 'fake broken',
    schema: z.object({ n: z.number() }),
  },
  hang: { method: 'GET', path: '/hang', what: 'fake hang', schema: z.object({}) },
} as const satisfies EndpointTable;

type FakeChannels = { ticks: { params: { market: string }; event: { price: string } } };

class FakeAdapter extends ExchangeAdapter<FakeChannels, typeof endpoints> {
  constructor(baseUrl: string) {
    super({
      exchange: 'fake',
      rest: { baseUrl, retry: { maxAttempts: 1 } },
      endpoints,
      channels: ['ticks'],
    });
  }

  protected async fetchMarkets(options: { signal?: AbortSignal }): Promise<MarketInfo[]> {
    const list = await this.call('markets', {}, options);
    return list.map((m) => ({
      symbol: `${m.base}/${m.quote}`,
      id: m.id,
      base: m.base,
      quote: m.quote,
      raw: m,
    }));
  }

  echo(value: string, options: { signal?: AbortSignal } = {}): Promise<{ query: string }> {
    return this.call('echo', { query: { v: value } }, options);
  }

  broken(): Promise<unknown> {
    return this.call('broken', {});
  }

  hang(options: { signal?: AbortSignal }): Promise<unknown> {
    return this.call('hang', {}, options);
  }

  callByName(name: string): Promise<unknown> {
    return this.call(name as keyof typeof endpoints, {});
  }
}

let server: Server;
let baseUrl: string;
let marketRequests: number;
let failMarkets: boolean;
const hanging: ServerResponse[] = [];

beforeEach(async () => {
  marketRequests = 0;
  failMarkets = false;
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/markets') {
      marketRequests++;
      if (failMarkets) return json(400, { error: 'nope' });
      return json(200, [
        { id: 'BTCUSDT', base: 'BTC', quote: 'USDT' },
        { id: 'ETHUSDT', base: 'ETH', quote: 'USDT' },
      ]);
    }
    if (url.pathname === '/echo') return json(200, { query: url.search });
    if (url.pathname === '/broken') return json(200, { n: 'not a number' });
    if (url.pathname === '/hang') {
      hanging.push(res);
      return undefined;
    }
    return json(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  for (const res of hanging.splice(0)) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('ExchangeAdapter', () => {
  it('loadMarkets fills the registry once, shared by concurrent callers; reload fetches again', async () => {
    await using fake = new FakeAdapter(baseUrl);
    const loaded: number[] = [];
    fake.events.on('marketsLoaded', (e) => loaded.push(e.count));
    const [a, b] = await Promise.all([fake.loadMarkets(), fake.loadMarkets()]);
    expect(a).toBe(b);
    expect(marketRequests).toBe(1);
    expect(fake.markets.resolve('btcusdt').symbol).toBe('BTC/USDT');
    expect((await fake.market('ETH/USDT')).id).toBe('ETHUSDT');
    expect(marketRequests).toBe(1);
    await fake.loadMarkets({ reload: true });
    expect(marketRequests).toBe(2);
    expect(loaded).toEqual([2, 2]);
    expect(fake.stats()).toMatchObject({ markets: 2, closed: false });
    expect(fake.channels).toEqual(['ticks']);
    await expect(fake.market('XRP/USDT')).rejects.toMatchObject({ code: 'UNKNOWN_MARKET' });
  });

  it('a failed load is not cached', async () => {
    await using fake = new FakeAdapter(baseUrl);
    failMarkets = true;
    await expect(fake.loadMarkets()).rejects.toMatchObject({ code: 'EXCHANGE_ERROR' });
    failMarkets = false;
    expect(await fake.loadMarkets()).toHaveLength(2);
    expect(marketRequests).toBe(2);
  });

  it('call() sends the declared endpoint with its query and parses with its schema', async () => {
    await using fake = new FakeAdapter(baseUrl);
    expect(await fake.echo('a b')).toEqual({ query: '?v=a%20b' });
    await expect(fake.broken()).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(fake.callByName('missing')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(fake.stats().rest.requests).toBe(2);
  });

  it('the signal aborts a call in flight', async () => {
    await using fake = new FakeAdapter(baseUrl);
    const ac = new AbortController();
    const p = fake.hang({ signal: ac.signal });
    while (hanging.length === 0) await new Promise((r) => setImmediate(r));
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('close() ends events, is idempotent, and later calls fail with CLOSED', async () => {
    const fake = new FakeAdapter(baseUrl);
    await fake.echo('x');
    const seen: string[] = [];
    const reader = (async () => {
      for await (const e of fake.events) seen.push(e.type);
    })();
    await fake.close();
    await fake[Symbol.asyncDispose]();
    await reader;
    expect(seen).toEqual(['closed']);
    expect(fake.stats().closed).toBe(true);
    await expect(fake.echo('y')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
