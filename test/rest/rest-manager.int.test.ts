import { createHmac, createPublicKey, verify } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import {
  ClockSync,
  createEd25519Signer,
  createHmacSigner,
  ed25519KeyFromSeed,
} from '../../src/auth/index.js';
import { createError, isTickwireError } from '../../src/errors/index.js';
import type { Interceptor, Stage } from '../../src/pipeline/index.js';
import {
  RestManager,
  createHeaderUsageReader,
  createQuerySigner,
  exchangeCodeAndMessage,
  type RestManagerOptions,
  type RestRequest,
  type RestResponse,
} from '../../src/rest/index.js';
import { Throttler } from '../../src/throttle/index.js';

interface Hit {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly at: number;
}
type Route = (hit: Hit, res: ServerResponse, req: IncomingMessage) => void;

const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';

let server: Server;
let baseUrl: string;
let route: Route;
let hits: Hit[];
let arrived: ((hit: Hit) => void) | undefined;
let managers: RestManager[];
let throttlers: Throttler[];

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function nextHit(): Promise<Hit> {
  return new Promise((resolve) => (arrived = resolve));
}

function manager(options: Partial<RestManagerOptions> = {}): RestManager {
  const m = new RestManager({
    baseUrl,
    exchange: 'test',
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
  managers.push(m);
  return m;
}

function throttler(...args: ConstructorParameters<typeof Throttler>): Throttler {
  const t = new Throttler(...args);
  throttlers.push(t);
  return t;
}

beforeEach(async () => {
  hits = [];
  managers = [];
  throttlers = [];
  arrived = undefined;
  route = (_hit, res) => json(res, 200, { ok: true });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit: Hit = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      hits.push(hit);
      const cb = arrived;
      arrived = undefined;
      route(hit, res, req);
      cb?.(hit);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(throttlers.map((t) => t.close()));
  server.closeAllConnections();
  await Promise.all(managers.map((m) => m.close().catch(() => undefined)));
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const Ok = z.object({ ok: z.literal(true) });

describe('RestManager against a real node:http server', () => {
  it('sends query, headers and JSON body and returns the parsed, typed result', async () => {
    route = (hit, res) => json(res, 200, { ok: true, echo: hit.body });
    const rest = manager({ headers: { 'user-agent': 'tickwire-test' } });
    const Echo = z.object({ ok: z.literal(true), echo: z.string() });
    const out = await rest.execute(
      {
        method: 'POST',
        path: '/v1/echo?fixed=1',
        query: { symbol: 'BTC USDT', symbols: ['A', 'B'], skip: undefined },
        body: { json: { price: '0.05' } },
      },
      Echo,
    );
    expect(out).toEqual({ ok: true, echo: '{"price":"0.05"}' });
    expect(hits[0]!.url).toBe('/v1/echo?fixed=1&symbol=BTC%20USDT&symbols=%5B%22A%22%2C%22B%22%5D');
    expect(hits[0]!.headers['content-type']).toBe('application/json');
    expect(hits[0]!.headers['user-agent']).toBe('tickwire-test');
  });

  it('runs throttle → pre-processors → signer → interceptors → send → post-processors → parse, in order', async () => {
    const order: string[] = [];
    const t = throttler({ pools: [{ id: 'W', limit: 100, intervalMs: 1000 }] });
    const pre = (name: string): Stage<RestRequest> =>
      function preStage(req) {
        order.push(name);
        expect(t.stats().inFlight).toBe(1); // the throttler released the request first
        return { ...req, headers: { ...req.headers, [`x-${name}`]: String(order.length) } };
      };
    const post = (name: string): Stage<RestResponse> =>
      function postStage(res) {
        order.push(name);
        return { ...res, data: { ...(res.data as object), [name]: true } };
      };
    const interceptor: Interceptor<RestRequest, RestResponse> = (next) =>
      async function tracing(req) {
        order.push('interceptor:before');
        expect(req.rawQuery).toMatch(/signature=/);
        const res = await next(req);
        order.push('interceptor:after');
        return res;
      };
    const rest = manager({
      throttler: t,
      preProcessors: [pre('pre1'), pre('pre2')],
      postProcessors: [post('post1'), post('post2')],
      interceptors: [interceptor],
      signer: (req) => {
        order.push('signer');
        return createQuerySigner({ signer: createHmacSigner({ apiKey: API_KEY, secret: SECRET }) })(
          req,
          {},
        );
      },
    });
    route = (hit, res) => {
      order.push('server');
      json(res, 200, { ok: true });
    };
    const Shape = z.object({ ok: z.literal(true), post1: z.literal(true), post2: z.literal(true) });
    const out = await rest.execute(
      { method: 'GET', path: '/x', isAuthRequired: true, throttle: { key: 'W', weight: 3 } },
      Shape.transform((v) => (order.push('parse'), v)),
    );
    expect(out.post2).toBe(true);
    expect(order).toEqual([
      'pre1',
      'pre2',
      'signer',
      'interceptor:before',
      'server',
      'interceptor:after',
      'post1',
      'post2',
      'parse',
    ]);
    expect(hits[0]!.headers['x-pre1']).toBe('1');
    expect(hits[0]!.headers['x-pre2']).toBe('2');
    expect(t.stats().pools['W']!.used).toBe(3);
    expect(t.stats().inFlight).toBe(0);
  });

  it('signs with HMAC exactly the bytes it sends (query + form body), signature last, API key header', async () => {
    let now = 1_499_827_319_559;
    const clock = new ClockSync({ fetchServerTime: async () => now, now: () => now });
    const rest = manager({
      signer: createQuerySigner({
        signer: createHmacSigner({ apiKey: API_KEY, secret: SECRET }),
        clock,
      }),
    });
    await rest.send({
      method: 'POST',
      path: '/api/v3/order',
      query: { symbol: '１２３４５６', side: 'BUY' },
      body: { form: { type: 'LIMIT', price: '0.1' } },
      isAuthRequired: true,
    });
    const hit = hits[0]!;
    const [path, qs] = hit.url.split('?') as [string, string];
    expect(path).toBe('/api/v3/order');
    expect(qs).toMatch(
      /^symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&recvWindow=5000&timestamp=1499827319559&signature=[0-9a-f]{64}$/,
    );
    expect(hit.body).toBe('type=LIMIT&price=0.1');
    expect(hit.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(hit.headers['x-mbx-apikey']).toBe(API_KEY);
    const signed = qs.slice(0, qs.lastIndexOf('&signature='));
    const signature = qs.slice(qs.lastIndexOf('=') + 1);
    expect(signature).toBe(
      createHmac('sha256', SECRET)
        .update(signed + hit.body)
        .digest('hex'),
    );
    now += 1;
  });

  it('signs with Ed25519: percent-encoded base64 signature the server verifies', async () => {
    const key = ed25519KeyFromSeed(Uint8Array.from({ length: 32 }, (_, i) => 200 - i));
    const rest = manager({
      signer: createQuerySigner({
        signer: createEd25519Signer({ apiKey: 'ed-api-key', privateKey: key }),
      }),
    });
    await rest.send({
      method: 'GET',
      path: '/api/v3/account',
      query: { omitZeroBalances: true },
      isAuthRequired: true,
    });
    const qs = hits[0]!.url.split('?')[1]!;
    const signed = qs.slice(0, qs.lastIndexOf('&signature='));
    const encoded = qs.slice(qs.lastIndexOf('&signature=') + '&signature='.length);
    expect(encoded).not.toMatch(/[+/=]/);
    const signature = Buffer.from(decodeURIComponent(encoded), 'base64');
    expect(signature).toHaveLength(64);
    expect(verify(null, Buffer.from(signed), createPublicKey(key), signature)).toBe(true);
    expect(hits[0]!.headers['x-mbx-apikey']).toBe('ed-api-key');
  });

  it('fails a signed request without a signer with AUTH_MISSING_CREDENTIALS and sends nothing', async () => {
    await expect(
      manager().send({ method: 'GET', path: '/a', isAuthRequired: true }),
    ).rejects.toMatchObject({
      code: 'AUTH_MISSING_CREDENTIALS',
    });
    expect(hits).toHaveLength(0);
  });

  describe('status → error mapping', () => {
    it('4xx → EXCHANGE_ERROR with the exchange code and message; the adapter hook maps specific codes', async () => {
      route = (hit, res) =>
        hit.url.startsWith('/funds')
          ? json(res, 400, {
              code: -2010,
              msg: 'Account has insufficient balance for requested action.',
            })
          : json(res, 400, { code: -1121, msg: 'Invalid symbol.' });
      const rest = manager({
        mapExchangeError: (res) => {
          const { code, message } = exchangeCodeAndMessage(res.data);
          if (code === -2010 && /insufficient balance/i.test(message ?? '')) {
            return createError('EXCHANGE_INSUFFICIENT_FUNDS', message!, {
              context: { exchangeCode: code, status: res.status },
            });
          }
          return undefined;
        },
      });
      await expect(rest.send({ method: 'GET', path: '/depth' })).rejects.toMatchObject({
        code: 'EXCHANGE_ERROR',
        context: {
          exchangeCode: -1121,
          exchangeMessage: 'Invalid symbol.',
          status: 400,
          exchange: 'test',
        },
      });
      await expect(rest.send({ method: 'POST', path: '/funds' })).rejects.toMatchObject({
        code: 'EXCHANGE_INSUFFICIENT_FUNDS',
        context: { exchangeCode: -2010 },
      });
      expect(hits).toHaveLength(2); // 4xx is never retried
    });

    it('418 → IP_BANNED with until; the host is stopped until then, nothing more is sent', async () => {
      route = (_hit, res) =>
        json(
          res,
          418,
          { code: -1003, msg: 'Way too many requests; IP banned.' },
          { 'retry-after': '120' },
        );
      const t = throttler({ pools: [{ id: 'W', limit: 100, intervalMs: 1000 }] });
      const rest = manager({ throttler: t });
      const before = Date.now();
      const err: unknown = await rest
        .send({ method: 'GET', path: '/a', throttle: { key: 'W' } })
        .catch((e: unknown) => e);
      expect(isTickwireError(err, 'IP_BANNED')).toBe(true);
      const until = (err as { context: { until: number } }).context.until;
      expect(until).toBeGreaterThanOrEqual(before + 120_000);
      expect(until).toBeLessThanOrEqual(Date.now() + 120_000);
      await expect(
        rest.send({ method: 'GET', path: '/b', throttle: { key: 'W' } }),
      ).rejects.toMatchObject({
        code: 'IP_BANNED',
        context: { until },
      });
      expect(hits).toHaveLength(1);
      expect(t.stats().bannedUntil).toBe(until);
    });

    it('418 stops the host even without a throttler', async () => {
      route = (_hit, res) => json(res, 418, { code: -1003 }, { 'retry-after': '60' });
      const rest = manager();
      await expect(rest.send({ method: 'GET', path: '/a' })).rejects.toMatchObject({
        code: 'IP_BANNED',
      });
      await expect(rest.send({ method: 'POST', path: '/order' })).rejects.toMatchObject({
        code: 'IP_BANNED',
      });
      expect(hits).toHaveLength(1);
    });

    it('418 without Retry-After reads "banned until <ms>" from the body', async () => {
      const until = Date.now() + 3_600_000;
      route = (_hit, res) =>
        json(res, 418, { code: -1003, msg: `Way too many requests; IP banned until ${until}.` });
      await expect(manager().send({ method: 'GET', path: '/a' })).rejects.toMatchObject({
        code: 'IP_BANNED',
        context: { until },
      });
    });

    it('429 on a non-idempotent request → RATE_LIMITED with retryAfterMs, pool paused, not retried', async () => {
      route = (_hit, res) =>
        json(res, 429, { code: -1015, msg: 'Too many new orders.' }, { 'retry-after': '7' });
      const t = throttler({
        pools: [
          { id: 'ORDERS', limit: 50, intervalMs: 10_000 },
          { id: 'W', limit: 6000, intervalMs: 60_000 },
        ],
      });
      const rest = manager({ throttler: t });
      await expect(
        rest.send({
          method: 'POST',
          path: '/api/v3/order',
          throttle: { key: 'ORDERS', linked: [{ pool: 'W', weight: 1 }] },
        }),
      ).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        context: { retryAfterMs: 7000, pool: 'ORDERS', status: 429 },
      });
      expect(hits).toHaveLength(1);
      expect(t.stats().pools['ORDERS']!.pausedUntil).toBeGreaterThan(Date.now() + 6000);
    });

    it('5xx on a non-idempotent request → ORDER_STATUS_UNKNOWN, sent once', async () => {
      route = (_hit, res) =>
        json(res, 503, { code: -1008, msg: 'Server is currently overloaded.' });
      await expect(manager().send({ method: 'POST', path: '/api/v3/order' })).rejects.toMatchObject(
        {
          code: 'ORDER_STATUS_UNKNOWN',
          context: { status: 503 },
        },
      );
      expect(hits).toHaveLength(1);
    });

    it('5xx on an idempotent request → retried with backoff, then EXCHANGE_UNAVAILABLE', async () => {
      route = (_hit, res) => json(res, 502, { msg: 'bad gateway' });
      await expect(manager().send({ method: 'GET', path: '/a' })).rejects.toMatchObject({
        code: 'EXCHANGE_UNAVAILABLE',
        context: { status: 502, attempts: 3 },
      });
      expect(hits).toHaveLength(3);
    });

    it('a body that does not match the schema → VALIDATION_FAILED naming the field', async () => {
      route = (_hit, res) => json(res, 200, { bids: [['1.0', 2]] });
      const Depth = z.object({ bids: z.array(z.tuple([z.string(), z.string()])) });
      const err: unknown = await manager()
        .execute({ method: 'GET', path: '/depth', what: 'test depth' }, Depth)
        .catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'VALIDATION_FAILED',
        context: { what: 'test depth', path: 'bids.0.1' },
      });
      expect((err as Error).message).toContain('bids.0.1');
    });

    it('a JSON content type with a broken body → VALIDATION_FAILED', async () => {
      route = (_hit, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":');
      };
      await expect(manager().send({ method: 'GET', path: '/a' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });
  });

  describe('retries', () => {
    it('retries an idempotent 429 no sooner than Retry-After and succeeds', async () => {
      let n = 0;
      route = (_hit, res) =>
        n++ === 0
          ? json(res, 429, { code: -1003 }, { 'retry-after': '1' })
          : json(res, 200, { ok: true });
      const t = throttler({ pools: [{ id: 'W', limit: 100, intervalMs: 60_000 }] });
      const rest = manager({ throttler: t });
      await expect(
        rest.execute({ method: 'GET', path: '/a', throttle: { key: 'W', weight: 2 } }, Ok),
      ).resolves.toEqual({
        ok: true,
      });
      expect(hits).toHaveLength(2);
      expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(1000);
      expect(t.stats().pools['W']!.used).toBe(4); // both attempts were charged
    }, 20_000);

    it('an abort during the backoff before a retry → ABORTED, no further attempt', async () => {
      route = (_hit, res) => json(res, 503, {}, { 'retry-after': '20' });
      const ac = new AbortController();
      const answered = new Promise<void>((resolve) => {
        const onResponse = (): void => {
          unsubscribe('tickwire:rest:response', onResponse);
          resolve();
        };
        subscribe('tickwire:rest:response', onResponse);
      });
      const rest = manager();
      const pending = rest.send({ method: 'GET', path: '/a' }, { signal: ac.signal });
      await answered;
      await new Promise((r) => setImmediate(r)); // the manager is now in its backoff sleep
      expect(rest.stats().attempts).toBe(1);
      ac.abort();
      await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
      expect(hits).toHaveLength(1);
    });

    it('does not retry when Retry-After exceeds maxRetryAfterMs', async () => {
      route = (_hit, res) => json(res, 429, {}, { 'retry-after': '60' });
      await expect(manager().send({ method: 'GET', path: '/a' })).rejects.toMatchObject({
        code: 'RATE_LIMITED',
        context: { retryAfterMs: 60_000 },
      });
      expect(hits).toHaveLength(1);
    });

    it('retries an idempotent request after a connection reset; a non-idempotent one gets ORDER_STATUS_UNKNOWN', async () => {
      let n = 0;
      route = (_hit, res, req) => (n++ === 0 ? req.socket.destroy() : json(res, 200, { ok: true }));
      await expect(manager().execute({ method: 'GET', path: '/a' }, Ok)).resolves.toEqual({
        ok: true,
      });
      expect(hits).toHaveLength(2);
      route = (_hit, _res, req) => req.socket.destroy();
      await expect(manager().send({ method: 'POST', path: '/order' })).rejects.toMatchObject({
        code: 'ORDER_STATUS_UNKNOWN',
        context: { reason: 'TRANSPORT_CONNECTION_FAILED' },
      });
      expect(hits).toHaveLength(3);
    });

    it('re-syncs the clock and re-sends once when the exchange rejects the timestamp', async () => {
      const serverTime = 5_000_000;
      const clock = new ClockSync({ fetchServerTime: async () => serverTime, samples: 1 });
      const sync = jest.spyOn(clock, 'sync');
      let n = 0;
      route = (_hit, res) =>
        n++ === 0
          ? json(res, 400, { code: -1021, msg: 'Timestamp outside recvWindow.' })
          : json(res, 200, { ok: true });
      const rest = manager({
        clock,
        signer: createQuerySigner({
          signer: createHmacSigner({ apiKey: API_KEY, secret: SECRET }),
          clock,
        }),
        mapExchangeError: (res) =>
          exchangeCodeAndMessage(res.data).code === -1021
            ? createError('AUTH_TIMESTAMP_OUTSIDE_WINDOW', 'timestamp outside recvWindow')
            : undefined,
      });
      await expect(
        rest.execute({ method: 'POST', path: '/order', isAuthRequired: true }, Ok),
      ).resolves.toEqual({ ok: true });
      expect(sync).toHaveBeenCalledTimes(1);
      expect(hits).toHaveLength(2);
      const stamp = (h: Hit): number => Number(/timestamp=(\d+)/.exec(h.url)![1]);
      expect(stamp(hits[0]!)).toBeGreaterThan(1e12); // local clock before the sync
      expect(stamp(hits[1]!)).toBeGreaterThanOrEqual(serverTime);
      expect(stamp(hits[1]!)).toBeLessThan(serverTime + 5000); // the server's clock after it
    });
  });

  describe('timeouts, connection errors and aborts', () => {
    it('headers timeout → TRANSPORT_TIMEOUT (idempotent) or ORDER_STATUS_UNKNOWN (not idempotent)', async () => {
      route = () => undefined; // never answers
      const rest = manager({ connection: { headersTimeoutMs: 150 }, retry: { maxAttempts: 1 } });
      await expect(rest.send({ method: 'GET', path: '/slow' })).rejects.toMatchObject({
        code: 'TRANSPORT_TIMEOUT',
        context: { phase: 'headers' },
      });
      await expect(rest.send({ method: 'POST', path: '/order' })).rejects.toMatchObject({
        code: 'ORDER_STATUS_UNKNOWN',
        context: { reason: 'TRANSPORT_TIMEOUT' },
      });
    }, 20_000);

    it('a per-request timeoutMs overrides the connection timeout', async () => {
      route = (hit, res) => (hit.url === '/slow' ? undefined : json(res, 200, { ok: true }));
      const rest = manager({ connection: { headersTimeoutMs: 60_000 }, retry: { maxAttempts: 1 } });
      await expect(
        rest.send({ method: 'GET', path: '/slow', timeoutMs: 100 }),
      ).rejects.toMatchObject({
        code: 'TRANSPORT_TIMEOUT',
      });
      await expect(
        rest.execute({ method: 'GET', path: '/fast', timeoutMs: 5000 }, Ok),
      ).resolves.toEqual({
        ok: true,
      });
    }, 20_000);

    it('body timeout → TRANSPORT_TIMEOUT', async () => {
      route = (_hit, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"ok":');
      };
      const rest = manager({ connection: { bodyTimeoutMs: 150 }, retry: { maxAttempts: 1 } });
      await expect(rest.send({ method: 'GET', path: '/slow' })).rejects.toMatchObject({
        code: 'TRANSPORT_TIMEOUT',
        context: { phase: 'body' },
      });
    }, 20_000);

    it('connection refused → TRANSPORT_CONNECTION_FAILED, even for an order (it never left)', async () => {
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const rest = manager({
        baseUrl: `http://127.0.0.1:${port}`,
        retry: { maxAttempts: 2, baseDelayMs: 1 },
      });
      await expect(rest.send({ method: 'GET', path: '/a' })).rejects.toMatchObject({
        code: 'TRANSPORT_CONNECTION_FAILED',
        context: { sent: false },
      });
      await expect(rest.send({ method: 'POST', path: '/order' })).rejects.toMatchObject({
        code: 'TRANSPORT_CONNECTION_FAILED',
      });
    });

    it('abort in flight → ABORTED', async () => {
      route = () => undefined;
      const ac = new AbortController();
      const rest = manager();
      const pending = rest.send({ method: 'GET', path: '/hang' }, { signal: ac.signal });
      await nextHit();
      ac.abort(new Error('user cancelled'));
      await expect(pending).rejects.toMatchObject({ code: 'ABORTED', context: { sent: true } });
      expect(hits).toHaveLength(1);
    });

    it('abort while queued in the throttler → ABORTED, never sent, no weight used', async () => {
      const t = throttler({ pools: [{ id: 'W', limit: 1, intervalMs: 60_000 }], marginRatio: 0 });
      const rest = manager({ throttler: t });
      await rest.send({ method: 'GET', path: '/first', throttle: { key: 'W' } });
      const ac = new AbortController();
      const queued = rest.send(
        { method: 'GET', path: '/second', throttle: { key: 'W' } },
        { signal: ac.signal },
      );
      await new Promise((r) => setImmediate(r));
      expect(t.stats().queued).toBe(1);
      ac.abort();
      await expect(queued).rejects.toMatchObject({ code: 'ABORTED' });
      expect(hits.map((h) => h.url)).toEqual(['/first']);
      expect(t.stats()).toMatchObject({ queued: 0, inFlight: 0 });
      expect(t.stats().pools['W']!.used).toBe(1);
    });

    it('a full throttle queue → THROTTLE_QUEUE_FULL', async () => {
      const t = throttler({
        pools: [{ id: 'W', limit: 1, intervalMs: 60_000 }],
        marginRatio: 0,
        maxQueued: 1,
      });
      const rest = manager({ throttler: t });
      await rest.send({ method: 'GET', path: '/first', throttle: { key: 'W' } });
      const ac = new AbortController();
      const queued = rest.send(
        { method: 'GET', path: '/q', throttle: { key: 'W' } },
        { signal: ac.signal },
      );
      await expect(
        rest.send({ method: 'GET', path: '/x', throttle: { key: 'W' } }),
      ).rejects.toMatchObject({
        code: 'THROTTLE_QUEUE_FULL',
      });
      ac.abort();
      await expect(queued).rejects.toMatchObject({ code: 'ABORTED' });
    });
  });

  it('counts requests, attempts, retries, successes and failures by code', async () => {
    let n = 0;
    route = (hit, res) =>
      hit.url === '/bad'
        ? json(res, 400, { code: -1 })
        : n++ === 0
          ? json(res, 503, {})
          : json(res, 200, { ok: true });
    const rest = manager();
    await rest.send({ method: 'GET', path: '/flaky' });
    await rest.send({ method: 'GET', path: '/bad' }).catch(() => undefined);
    expect(rest.stats()).toEqual({
      requests: 2,
      attempts: 3,
      retries: 1,
      succeeded: 1,
      errors: { EXCHANGE_ERROR: 1 },
      throttle: undefined,
    });
  });

  it('throttles requests that declare no cost with defaultThrottle', async () => {
    const t = throttler({ pools: [{ id: 'W', limit: 100, intervalMs: 60_000 }] });
    const rest = manager({ throttler: t, defaultThrottle: { key: 'W', weight: 7 } });
    await rest.send({ method: 'GET', path: '/a' });
    await rest.send({ method: 'GET', path: '/b', throttle: { key: 'W', weight: 1 } });
    expect(t.stats().pools['W']!.used).toBe(8);
  });

  it('corrects the throttler from usage headers', async () => {
    route = (_hit, res) => json(res, 200, { ok: true }, { 'x-mbx-used-weight-1m': '4200' });
    const t = throttler({ pools: [{ id: 'REQUEST_WEIGHT', limit: 6000, intervalMs: 60_000 }] });
    const rest = manager({
      throttler: t,
      usageReader: createHeaderUsageReader({ 'X-MBX-USED-WEIGHT-1M': 'REQUEST_WEIGHT' }),
    });
    await rest.send({ method: 'GET', path: '/a', throttle: { key: 'REQUEST_WEIGHT', weight: 20 } });
    expect(t.stats().pools['REQUEST_WEIGHT']!.used).toBe(4200);
  });

  it('publishes tickwire:rest:request / response with secrets redacted', async () => {
    const events: unknown[] = [];
    const onEvent = (m: unknown): void => void events.push(m);
    subscribe('tickwire:rest:request', onEvent);
    subscribe('tickwire:rest:response', onEvent);
    try {
      const rest = manager({
        signer: createQuerySigner({
          signer: createHmacSigner({ apiKey: API_KEY, secret: SECRET }),
        }),
      });
      await rest.send({ method: 'GET', path: '/acct', isAuthRequired: true });
    } finally {
      unsubscribe('tickwire:rest:request', onEvent);
      unsubscribe('tickwire:rest:response', onEvent);
    }
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ method: 'GET', attempt: 1, idempotent: true });
    expect(events[1]).toMatchObject({ status: 200, attempt: 1 });
    const text = JSON.stringify(events);
    const signature = hits[0]!.url.split('signature=')[1]!;
    expect(text).not.toContain(signature);
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(SECRET);
    expect(text).toContain('[REDACTED]');
  });

  it('sends absolute URLs to their own origin pool', async () => {
    const other = createServer((_req, res) => json(res, 200, { ok: true, other: true }));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(other.address() as AddressInfo).port}/elsewhere`;
      const out = await manager().execute(
        { method: 'GET', path: url },
        z.object({ other: z.literal(true) }),
      );
      expect(out.other).toBe(true);
      expect(hits).toHaveLength(0);
    } finally {
      other.closeAllConnections();
      await new Promise<void>((r) => other.close(() => r()));
    }
  });
});
