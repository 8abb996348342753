// The streaming half of the ExchangeAdapter base: a fake adapter with a channel table over a
// real WsManager and a real `ws` server on 127.0.0.1.
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import {
  ExchangeAdapter,
  type AdapterEvent,
  type EndpointTable,
} from '../../src/adapter/exchange-adapter.js';
import type { MarketInfo } from '../../src/adapter/models.js';
import type { SubscribeOptions } from '../../src/adapter/streaming.js';
import { createError, isTickwireError } from '../../src/errors/index.js';
import { WsManager, WsPool } from '../../src/ws/index.js';

const endpoints = {
  markets: { method: 'GET', path: '/markets', what: 'fake markets', schema: z.array(z.unknown()) },
} as const satisfies EndpointTable;

interface Tick {
  readonly market: string;
  readonly price: string;
}
type FakeChannels = {
  ticks: { params: { market: string; variant?: string }; event: Tick };
  broken: { params: Record<string, never>; event: Tick };
  notCarried: { params: Record<string, never>; event: Tick };
  pooled: { params: { market: string }; event: Tick };
};
interface WireFrame {
  readonly ch: string;
  readonly prices?: unknown;
}

class FakeAdapter extends ExchangeAdapter<FakeChannels, typeof endpoints> {
  /** Route builds so far (a builder is called once per subscribe). */
  builds = 0;
  /** Readers that joined a live subscription, by market. */
  joins: string[] = [];
  /** Gate holding route resolution back, to test what happens before attach. */
  gate: Promise<void> = Promise.resolve();

  constructor(wsUrl: string) {
    super({
      exchange: 'fake',
      rest: { baseUrl: 'http://127.0.0.1:9', retry: { maxAttempts: 1 } },
      endpoints,
      channels: ['ticks', 'broken', 'notCarried', 'pooled'],
    });
    this.addConnection(
      'public',
      new WsManager<WireFrame>({
        url: wsUrl,
        router: (m) => m.ch,
        backoff: { base: 10, cap: 50, jitter: 0 },
        heartbeat: false,
      }),
    );
    this.addConnection(
      'pool',
      new WsPool<WireFrame>({
        urls: [wsUrl],
        router: (m) => m.ch,
        backoff: { base: 10, cap: 50, jitter: 0 },
        heartbeat: false,
        streamsPerConnection: 1,
      }),
    );
    this.defineChannels({
      pooled: ({ market }) => ({
        connection: 'pool',
        spec: {
          key: `pooled.${market}`,
          subscribe: () => ({ sub: `pooled.${market}` }),
          unsubscribe: () => ({ unsub: `pooled.${market}` }),
        },
        parse: (m: unknown) => ({ market, price: String((m as WireFrame).prices) }),
      }),
      ticks: async ({ market, variant }) => {
        this.builds++;
        await this.gate;
        if (market === 'NOPE') {
          throw createError('UNKNOWN_MARKET', 'fake: unknown market NOPE');
        }
        return {
          connection: 'public',
          spec: {
            key: `ticks.${market}`,
            subscribe: () => ({ sub: `ticks.${market}`, variant }),
            unsubscribe: () => ({ unsub: `ticks.${market}` }),
          },
          ...(variant === undefined ? {} : { variant }),
          onJoin: () => this.joins.push(market),
          parse: (m: unknown) => {
            const prices = (m as WireFrame).prices;
            if (!Array.isArray(prices) || !prices.every((p) => typeof p === 'string')) {
              throw createError('VALIDATION_FAILED', 'fake tick: prices must be strings', {
                context: { what: 'fake tick', path: 'prices' },
              });
            }
            return (prices as string[]).map((price) => ({ market, price }));
          },
        };
      },
      broken: () => ({
        connection: 'nowhere',
        spec: { key: 'x' },
        parse: () => undefined,
      }),
    });
  }

  protected fetchMarkets(): Promise<MarketInfo[]> {
    return Promise.resolve([]);
  }

  streamTicks(market: string, options?: SubscribeOptions & { variant?: string }) {
    return this.subscribe(
      'ticks',
      options?.variant === undefined ? { market } : { market, variant: options.variant },
      options,
    );
  }
}

let wss: WebSocketServer;
let wsUrl: string;
let received: unknown[];
let clients: Set<WebSocket>;
let receivedWaiters: (() => void)[];
let adapter: FakeAdapter | undefined;

beforeEach(async () => {
  received = [];
  clients = new Set();
  receivedWaiters = [];
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('message', (data) => {
      received.push(JSON.parse(String(data)) as unknown);
      for (const w of receivedWaiters.splice(0)) w();
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await adapter?.close();
  adapter = undefined;
  for (const c of clients) c.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
});

/** Resolves once the server has received a frame matching `pred`. */
async function serverGot(pred: (m: Record<string, unknown>) => boolean): Promise<void> {
  while (!received.some((m) => pred(m as Record<string, unknown>))) {
    await new Promise<void>((resolve) => receivedWaiters.push(resolve));
  }
}

function count(pred: (m: Record<string, unknown>) => boolean): number {
  return received.filter((m) => pred(m as Record<string, unknown>)).length;
}

function broadcast(frame: unknown): void {
  const text = typeof frame === 'string' ? frame : JSON.stringify(frame);
  for (const c of clients) c.send(text);
}

function nextEvent<T extends AdapterEvent['type']>(
  a: FakeAdapter,
  type: T,
  pred: (e: Extract<AdapterEvent, { type: T }>) => boolean = () => true,
): Promise<Extract<AdapterEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = a.events.on(type, (e) => {
      if (!pred(e)) return;
      off();
      resolve(e);
    });
  });
}

describe('ExchangeAdapter.subscribe over a channel table', () => {
  it('yields the parsed, typed events of each frame in order (one frame → several events)', async () => {
    adapter = new FakeAdapter(wsUrl);
    const stream = adapter.streamTicks('A');
    await serverGot((m) => m.sub === 'ticks.A');
    broadcast({ ch: 'ticks.A', prices: ['1.5', '2.5'] });
    broadcast({ ch: 'ticks.A', prices: [] });
    broadcast({ ch: 'ticks.A', prices: ['3'] });
    const seen: Tick[] = [];
    for await (const t of stream) {
      seen.push(t);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([
      { market: 'A', price: '1.5' },
      { market: 'A', price: '2.5' },
      { market: 'A', price: '3' },
    ]);
  });

  it('tryNext() drains buffered frames synchronously: same events, order and error reports as next()', async () => {
    adapter = new FakeAdapter(wsUrl);
    const errors: string[] = [];
    adapter.events.on('error', (e) => errors.push(e.error.code));
    const a = adapter.streamTicks('A');
    const b = adapter.streamTicks('A');
    expect(a.tryNext()).toBeUndefined(); // not attached yet
    await serverGot((m) => m.sub === 'ticks.A');
    broadcast({ ch: 'ticks.A', prices: ['1', '2'] });
    broadcast({ ch: 'ticks.A', prices: [7] });
    broadcast({ ch: 'ticks.A', prices: [] });
    broadcast({ ch: 'ticks.A', prices: ['3'] });
    broadcast({ ch: 'ticks.A', prices: ['5', '6'] });
    // b has seen the last frame, so every frame sits in a's buffer by now.
    for await (const t of b) if (t.price === '6') break;
    const drained: string[] = [];
    for (let r = a.tryNext(); r !== undefined; r = a.tryNext()) {
      drained.push(r.value.price);
      if (r.value.price !== '3') continue;
      // poll: the same sequence, without result objects.
      for (let v = a.poll(null); v !== null; v = a.poll(null)) drained.push(`poll ${v.price}`);
    }
    expect(drained).toEqual(['1', '2', '3', 'poll 5', 'poll 6']);
    expect(a.poll(null)).toBeNull();
    expect(errors).toEqual(['VALIDATION_FAILED']);
    expect(adapter.stats().streams.parseFailures).toBe(1);
    const later = a.next();
    broadcast({ ch: 'ticks.A', prices: ['4'] });
    expect((await later).value).toEqual({ market: 'A', price: '4' });
  });

  it('shares one upstream subscription; the unsubscribe goes out only when the last reader leaves', async () => {
    adapter = new FakeAdapter(wsUrl);
    const a = adapter.streamTicks('A');
    const b = adapter.streamTicks('A');
    await serverGot((m) => m.sub === 'ticks.A');
    broadcast({ ch: 'ticks.A', prices: ['1'] });
    expect((await a.next()).value).toEqual({ market: 'A', price: '1' });
    expect((await b.next()).value).toEqual({ market: 'A', price: '1' });
    expect(adapter.stats().streams.live).toEqual({ ticks: 2 });

    await a.return();
    // b still reads: the server must still deliver to it, and no unsubscribe went out.
    broadcast({ ch: 'ticks.A', prices: ['2'] });
    expect((await b.next()).value).toEqual({ market: 'A', price: '2' });
    expect(count((m) => m.unsub === 'ticks.A')).toBe(0);
    expect(adapter.stats().streams.live).toEqual({ ticks: 1 });

    await b.return();
    await serverGot((m) => m.unsub === 'ticks.A');
    expect(count((m) => m.sub === 'ticks.A')).toBe(1);
    expect(adapter.joins).toEqual(['A']); // b joined a's subscription
    expect(adapter.stats().streams.live).toEqual({});
  });

  it('a malformed frame is reported once (two readers), counted, and the streams go on', async () => {
    adapter = new FakeAdapter(wsUrl);
    const errors: AdapterEvent[] = [];
    adapter.events.on('error', (e) => errors.push(e));
    const a = adapter.streamTicks('A');
    const b = adapter.streamTicks('A');
    await serverGot((m) => m.sub === 'ticks.A');
    broadcast({ ch: 'ticks.A', prices: [7] });
    broadcast({ ch: 'ticks.A', prices: ['8'] });
    expect((await a.next()).value).toEqual({ market: 'A', price: '8' });
    expect((await b.next()).value).toEqual({ market: 'A', price: '8' });
    expect(errors).toHaveLength(1);
    const e = errors[0]!;
    expect(e.type === 'error' && e.error.code).toBe('VALIDATION_FAILED');
    expect(e.type === 'error' && e.connection).toBe('public');
    expect(adapter.stats().streams.parseFailures).toBe(1);
    expect(adapter.stats().streams.errors).toEqual({ VALIDATION_FAILED: 1 });
  });

  it('non-JSON and unroutable frames are counted in stats().ws and reported as typed errors', async () => {
    adapter = new FakeAdapter(wsUrl);
    const codes: string[] = [];
    adapter.events.on('error', (e) => codes.push(e.error.code));
    const a = adapter.streamTicks('A');
    await serverGot((m) => m.sub === 'ticks.A');
    broadcast('{not json');
    broadcast({ ch: 'ticks.Z', prices: ['1'] });
    broadcast({ ch: 'ticks.A', prices: ['9'] });
    expect((await a.next()).value).toEqual({ market: 'A', price: '9' });
    expect(codes).toEqual(['MESSAGE_PARSE_FAILED', 'MESSAGE_UNROUTABLE']);
    const ws = adapter.stats().ws.public!;
    expect(ws.parseFailures).toBe(1);
    expect(ws.unroutable).toBe(1);
    expect(ws.messagesIn).toBe(3);
    expect(ws.messagesOut).toBe(1);
  });

  it('an unknown or uncarried channel throws UNSUPPORTED_CHANNEL', () => {
    adapter = new FakeAdapter(wsUrl);
    const fake = adapter;
    for (const channel of ['notCarried', 'nope', 'toString']) {
      let caught: unknown;
      try {
        fake.subscribe(channel as 'notCarried', {});
      } catch (e) {
        caught = e;
      }
      expect(isTickwireError(caught) && caught.code).toBe('UNSUPPORTED_CHANNEL');
    }
  });

  it('setup failures end the stream with their typed error', async () => {
    adapter = new FakeAdapter(wsUrl);
    await expect(adapter.streamTicks('NOPE').next()).rejects.toMatchObject({
      code: 'UNKNOWN_MARKET',
    });
    await expect(adapter.subscribe('broken', {}).next()).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(adapter.stats().streams.live).toEqual({});
  });

  it('readers of one key must agree on its variant', async () => {
    adapter = new FakeAdapter(wsUrl);
    const a = adapter.streamTicks('A', { variant: 'p1' });
    await serverGot((m) => m.sub === 'ticks.A');
    const b = adapter.streamTicks('A', { variant: 'p2' });
    await expect(b.next()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const c = adapter.streamTicks('A', { variant: 'p1' });
    broadcast({ ch: 'ticks.A', prices: ['1'] });
    expect((await a.next()).value).toEqual({ market: 'A', price: '1' });
    expect((await c.next()).value).toEqual({ market: 'A', price: '1' });
  });

  it('an abort before the route resolves rejects with ABORTED and never subscribes', async () => {
    adapter = new FakeAdapter(wsUrl);
    let open!: () => void;
    adapter.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const ac = new AbortController();
    const s = adapter.streamTicks('A', { signal: ac.signal });
    const pending = s.next();
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    open();
    await adapter.gate;
    // A second subscription proves the socket works; the aborted one never went out.
    adapter.gate = Promise.resolve();
    const t = adapter.streamTicks('B');
    await serverGot((m) => m.sub === 'ticks.B');
    expect(count((m) => m.sub === 'ticks.A')).toBe(0);
    await t.return();
  });

  it('an abort after attach releases the reader and unsubscribes', async () => {
    adapter = new FakeAdapter(wsUrl);
    const ac = new AbortController();
    const s = adapter.streamTicks('A', { signal: ac.signal });
    await serverGot((m) => m.sub === 'ticks.A');
    const pending = s.next();
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    await serverGot((m) => m.unsub === 'ticks.A');
    expect(adapter.stats().streams.live).toEqual({});
  });

  it('forwards the connection lifecycle and resubscribes after the server drops the socket', async () => {
    adapter = new FakeAdapter(wsUrl);
    const types: string[] = [];
    adapter.events.on((e) => types.push(e.type));
    const s = adapter.streamTicks('A');
    await serverGot((m) => m.sub === 'ticks.A');
    const resubscribed = nextEvent(adapter, 'resubscribed');
    for (const c of clients) c.terminate();
    expect(await resubscribed).toEqual({ type: 'resubscribed', connection: 'public', count: 1 });
    await serverGot(() => count((m) => m.sub === 'ticks.A') === 2);
    broadcast({ ch: 'ticks.A', prices: ['5'] });
    expect((await s.next()).value).toEqual({ market: 'A', price: '5' });
    expect(types).toEqual(
      expect.arrayContaining(['connecting', 'open', 'closed', 'reconnecting', 'resubscribed']),
    );
    expect(adapter.stats().ws.public!.reconnects).toBe(1);
  });

  it('a WsPool plugs in as a connection: sharded subscriptions, pool counters summed', async () => {
    adapter = new FakeAdapter(wsUrl);
    let unroutable = 0;
    let bothUnroutable!: () => void;
    const unroutableSeen = new Promise<void>((resolve) => {
      bothUnroutable = resolve;
    });
    adapter.events.on('error', (e) => {
      if (e.error.code === 'MESSAGE_UNROUTABLE' && ++unroutable === 2) bothUnroutable();
    });
    const a = adapter.subscribe('pooled', { market: 'A' });
    const b = adapter.subscribe('pooled', { market: 'B' });
    await serverGot((m) => m.sub === 'pooled.A');
    await serverGot((m) => m.sub === 'pooled.B');
    expect(clients.size).toBe(2); // one stream per connection
    broadcast({ ch: 'pooled.A', prices: '1' });
    broadcast({ ch: 'pooled.B', prices: '2' });
    expect((await a.next()).value).toEqual({ market: 'A', price: '1' });
    expect((await b.next()).value).toEqual({ market: 'B', price: '2' });
    // Each connection also got the other channel's frame: unroutable there, reported.
    await unroutableSeen;
    const pool = adapter.stats().ws['pool']!;
    expect(pool.messagesIn).toBe(4);
    expect(pool.unroutable).toBe(2);
    expect(pool.messagesOut).toBe(2);
    expect(adapter.stats().streams.errors).toEqual({ MESSAGE_UNROUTABLE: 2 });
    await a.return();
    await b.return();
    expect(adapter.stats().streams.live).toEqual({});
  });

  it('close() ends live loops (attached or still resolving) and later subscriptions fail with CLOSED', async () => {
    adapter = new FakeAdapter(wsUrl);
    const a = adapter.streamTicks('A');
    await serverGot((m) => m.sub === 'ticks.A');
    let open!: () => void;
    adapter.gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const unresolved = adapter.streamTicks('B');
    broadcast({ ch: 'ticks.A', prices: ['1'] });
    const first = await a.next();
    expect(first.value).toEqual({ market: 'A', price: '1' });
    const loop = (async () => {
      const rest: Tick[] = [];
      for await (const t of a) rest.push(t);
      return rest;
    })();
    const other = (async () => {
      const rest: Tick[] = [];
      for await (const t of unresolved) rest.push(t);
      return rest;
    })();
    const closing = adapter.close();
    open();
    await closing;
    await expect(loop).resolves.toEqual([]);
    await expect(other).resolves.toEqual([]);
    expect(adapter.stats().closed).toBe(true);
    expect(adapter.stats().streams.live).toEqual({});
    await expect(adapter.streamTicks('C').next()).rejects.toMatchObject({ code: 'CLOSED' });
  });
});
