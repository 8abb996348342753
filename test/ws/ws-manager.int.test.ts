import diagnosticsChannel from 'node:diagnostics_channel';
import { isTickwireError } from '../../src/errors/index.js';
import { DROP } from '../../src/pipeline/index.js';
import { WsManager, type WsManagerOptions, rateQuality } from '../../src/ws/index.js';
import { FaultServer } from './fault-server.js';
import {
  TRANSPORTS,
  expectTransportUsed,
  type TestMsg,
  channel,
  errorCodes,
  nextEvent,
  router,
  take,
  testManager,
} from './helpers.js';

let server: FaultServer;
const managers: WsManager<TestMsg>[] = [];

/** Server side: answer `sub` frames by remembering the key per socket. */
function subsOf(conn: number): string[] {
  return server
    .framesWhere((j) => j.op === 'sub')
    .filter((r) => r.conn === conn)
    .map((r) => (r.json as TestMsg).key!);
}

beforeEach(async () => {
  server = await FaultServer.start();
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await server.close();
});

describe.each(TRANSPORTS)('WsManager against a real ws server (transport %s)', (transport) => {
  expectTransportUsed(transport);

  function manager(extra: Partial<WsManagerOptions<TestMsg>> = {}): WsManager<TestMsg> {
    return testManager(server.url, managers, { transport, ...extra });
  }

  it('routes messages to the subscribed channel and fans one subscription out to many readers', async () => {
    const m = manager();
    const a = m.subscribe<TestMsg>(channel('t'));
    const b = m.subscribe<TestMsg>(channel('t'), { capacity: 5 });
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1, 2000, 'one sub');
    for (let seq = 1; seq <= 3; seq++) server.broadcast({ key: 't', seq });
    expect((await take(a, 3)).map((x) => x.seq)).toEqual([1, 2, 3]);
    expect((await take(b, 3)).map((x) => x.seq)).toEqual([1, 2, 3]);
    expect(subsOf(1)).toEqual(['t']); // one upstream subscription for two readers

    await a.return();
    server.broadcast({ key: 't', seq: 4 });
    expect((await take(b, 1))[0]!.seq).toBe(4);
    expect(server.framesWhere((j) => j.op === 'unsub')).toHaveLength(0);
    await b.return(); // the last reader leaves: now unsubscribe
    await server.waitFor(() => server.framesWhere((j) => j.op === 'unsub').length === 1);
    expect(m.channels).toEqual([]);
  });

  it('killed socket: reconnects, resubscribes, and dedup delivers nothing twice', async () => {
    const m = manager();
    const s = m.subscribe<TestMsg>(channel('t'), { dedup: { sequenceOf: (x) => x.seq } });
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    for (let seq = 1; seq <= 5; seq++) server.broadcast({ key: 't', seq });
    expect((await take(s, 5)).map((x) => x.seq)).toEqual([1, 2, 3, 4, 5]);

    const resubscribed = nextEvent(m, 'resubscribed');
    server.killAll();
    expect((await resubscribed).count).toBe(1);
    await server.waitFor(() => subsOf(2).length === 1);
    expect(subsOf(2)).toEqual(['t']);
    // The exchange replays from 4 after the reconnect: 4 and 5 must not come out again.
    for (let seq = 4; seq <= 8; seq++) server.broadcast({ key: 't', seq });
    expect((await take(s, 3)).map((x) => x.seq)).toEqual([6, 7, 8]);
    expect(m.stats().reconnects).toBe(1);
  });

  it('refused connection: backs off, then recovers when the server accepts again', async () => {
    await server.refuse();
    const m = manager();
    const attempts: number[] = [];
    m.events.on('reconnecting', (e) => attempts.push(e.attempt));
    const s = m.subscribe<TestMsg>(channel('t'));
    await nextEvent(m, 'reconnecting', (e) => e.attempt >= 3);
    expect(attempts.slice(0, 3)).toEqual([1, 2, 3]);
    await server.accept();
    await nextEvent(m, 'open');
    await server.waitFor(() => server.framesWhere((j) => j.op === 'sub').length === 1);
    server.broadcast({ key: 't', seq: 1 });
    expect((await take(s, 1))[0]!.seq).toBe(1);
  });

  it('refused connection with maxAttempts: the reader gets WS_RECONNECT_EXHAUSTED', async () => {
    await server.refuse();
    const m = manager({ backoff: { base: 5, cap: 5, jitter: 0, maxAttempts: 3 } });
    const s = m.subscribe<TestMsg>(channel('t'));
    await expect(s.next()).rejects.toMatchObject({
      code: 'WS_RECONNECT_EXHAUSTED',
      context: { attempts: 3 },
    });
    expect(m.state).toBe('stopped');
    await expect(m.connect()).rejects.toMatchObject({ code: 'WS_RECONNECT_EXHAUSTED' });
  });

  it('circuit breaker: opens after N failures, half-open probe, closes on success', async () => {
    await server.refuse();
    const m = manager({
      backoff: { base: 1, cap: 1, jitter: 0 },
      circuitBreaker: { failureThreshold: 3, openMs: 150 },
    });
    const states: string[] = [];
    m.events.on('circuit', (e) => states.push(e.state));
    m.subscribe<TestMsg>(channel('t'));
    await nextEvent(m, 'circuit', (e) => e.state === 'open');
    await expect(m.send({ op: 'x' })).rejects.toMatchObject({ code: 'WS_CIRCUIT_OPEN' });
    await server.accept();
    await nextEvent(m, 'open', () => true, 3000);
    expect(states).toContain('half-open');
    expect(states[states.length - 1]).toBe('closed');
  });

  it('stall without pong: detected within interval + timeout, terminated and reconnected', async () => {
    const m = manager({ heartbeat: { interval: 100, timeout: 100 } });
    const s = m.subscribe<TestMsg>(channel('t'));
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    server.broadcast({ key: 't', seq: 1 });
    expect((await take(s, 1))[0]!.seq).toBe(1);
    const codes = errorCodes(m);
    server.stall();
    const t0 = performance.now();
    await nextEvent(m, 'closed', () => true, 2000);
    const detectedAfter = performance.now() - t0;
    expect(codes).toContain('WS_HEARTBEAT_TIMEOUT');
    // interval + timeout = 200 ms (exact under fake timers in heartbeat.test.ts); slack for CI load
    expect(detectedAfter).toBeLessThan(100 + 100 + 400);
    server.stall(false);
    await nextEvent(m, 'resubscribed');
    server.broadcast({ key: 't', seq: 2 });
    expect((await take(s, 1))[0]!.seq).toBe(2);
    expect(m.stats().lastRttMs).toBeUndefined(); // the stall came before any pong
  });

  it('heartbeat round trips feed latency, jitter and the quality rating', async () => {
    const m = manager({ heartbeat: { interval: 20, timeout: 500 } });
    await m.connect();
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if ((m.stats().lastRttMs ?? -1) >= 0 && m.stats().avgLatencyMs !== undefined) {
          clearInterval(t);
          resolve();
        }
      }, 10);
    });
    const st = m.stats();
    expect(st.quality).toBe(rateQuality(st.avgLatencyMs!, st.jitterMs!));
    expect(st.lastRttMs).toBeLessThan(1000);
    expect(st.jitterMs).toBeGreaterThanOrEqual(0);
  });

  it('application heartbeat: sends the ping payload and matches the pong', async () => {
    server.onFrame((ws, json) => {
      if ((json as TestMsg | undefined)?.op === 'ping') ws.send(JSON.stringify({ op: 'pong' }));
    });
    const m = manager({
      heartbeat: {
        interval: 30,
        timeout: 500,
        mode: 'application',
        payload: { op: 'ping' },
        pongMatcher: (x) => (x as TestMsg).op === 'pong',
      },
    });
    const codes = errorCodes(m);
    await m.connect();
    await server.waitFor(() => server.framesWhere((j) => j.op === 'ping').length >= 2);
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (m.stats().lastRttMs !== undefined) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    expect(codes).not.toContain('MESSAGE_UNROUTABLE'); // pongs are not routed
  });

  it('malformed and unroutable frames are counted and reported; the stream goes on', async () => {
    const m = manager();
    const codes = errorCodes(m);
    const s = m.subscribe<TestMsg>(channel('t'));
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    server.broadcast({ key: 't', seq: 1 });
    server.broadcast('{not json');
    server.broadcast({ key: 'nobody', seq: 2 });
    server.broadcast({ seq: 3 });
    server.broadcast({ key: 't', seq: 4 });
    expect((await take(s, 2)).map((x) => x.seq)).toEqual([1, 4]);
    expect(codes).toEqual(['MESSAGE_PARSE_FAILED', 'MESSAGE_UNROUTABLE', 'MESSAGE_UNROUTABLE']);
    expect(m.stats()).toMatchObject({ parseFailures: 1, unroutable: 2, messagesIn: 5 });
    expect(m.state).toBe('open');
  });

  it.each([
    [1000, 'normal'],
    [1001, 'going away'],
    [1011, 'server error'],
    [1012, 'service restart'],
    [4500, 'application, not auth'],
  ])('close %i (%s): reconnects and resumes without duplicates', async (code) => {
    const m = manager();
    const s = m.subscribe<TestMsg>(channel('t'), { dedup: { sequenceOf: (x) => x.seq } });
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    server.broadcast({ key: 't', seq: 1 });
    const closed = nextEvent(m, 'closed');
    const resubscribed = nextEvent(m, 'resubscribed');
    server.closeAll(code, 'bye');
    expect(await closed).toEqual({ type: 'closed', code, reason: 'bye' });
    await resubscribed;
    server.broadcast({ key: 't', seq: 1 });
    server.broadcast({ key: 't', seq: 2 });
    expect((await take(s, 2)).map((x) => x.seq)).toEqual([1, 2]);
  });

  it.each([
    [1008, 'policy violation'],
    [4003, 'forbidden (auth)'],
  ])('close %i (%s): stops with WS_CLOSED_NO_RETRY', async (code) => {
    const m = manager();
    const s = m.subscribe<TestMsg>(channel('t'));
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    server.broadcast({ key: 't', seq: 1 });
    server.closeAll(code, 'go away');
    expect((await take(s, 1))[0]!.seq).toBe(1); // buffered values first
    const err: unknown = await s.next().catch((e: unknown) => e);
    expect(isTickwireError(err, 'WS_CLOSED_NO_RETRY')).toBe(true);
    expect(err).toMatchObject({ context: { code, reason: 'go away' }, retryable: false });
    expect(server.connections).toBe(1);
    expect(m.state).toBe('stopped');
  });

  it('a URL that is not ws:// or wss:// stops with INVALID_ARGUMENT instead of retrying', async () => {
    const m = testManager(server.url.replace(/^ws:/, 'http:'), managers, {
      transport,
      backoff: { base: 1, cap: 1 },
    });
    const errors: string[] = [];
    m.events.on('error', (e) => errors.push(e.error.code));
    const s = m.subscribe<TestMsg>(channel('t'));
    await expect(m.connect()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(s.next()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(m.state).toBe('stopped');
    expect(errors).toEqual(['INVALID_ARGUMENT']);
    expect(server.connections).toBe(0);
  });

  it('custom no-retry rule: any 4xxx stops', async () => {
    const m = manager({ noRetryCloseCodes: (c) => c >= 4000 && c < 5000 });
    const s = m.subscribe<TestMsg>(channel('t'));
    await m.connect();
    server.closeAll(4500, '');
    await expect(s.next()).rejects.toMatchObject({ code: 'WS_CLOSED_NO_RETRY' });
  });

  it('slow consumer: bounded buffer drops the oldest and counts drops per channel', async () => {
    const m = manager();
    const s = m.subscribe<TestMsg>(channel('t'), { capacity: 10 });
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    for (let seq = 1; seq <= 100; seq++) server.broadcast({ key: 't', seq });
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (m.stats().messagesIn >= 100) {
          clearInterval(t);
          resolve();
        }
      }, 5);
    });
    const got = (await take(s, 10)).map((x) => x.seq);
    expect(got).toEqual([91, 92, 93, 94, 95, 96, 97, 98, 99, 100]);
    expect(m.stats().dropsByChannel).toEqual({ t: 90 });
  });

  it('slow consumer with overflow "error": the reader gets BUFFER_OVERFLOW, others go on', async () => {
    const m = manager();
    const strict = m.subscribe<TestMsg>(channel('t'), { capacity: 5, overflow: 'error' });
    const relaxed = m.subscribe<TestMsg>(channel('t'), { capacity: 100 });
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    for (let seq = 1; seq <= 20; seq++) server.broadcast({ key: 't', seq });
    expect((await take(relaxed, 20)).length).toBe(20);
    await expect(strict.next()).rejects.toMatchObject({
      code: 'BUFFER_OVERFLOW',
      context: { capacity: 5 },
    });
  });

  it('resubscribe of 50 subscriptions is paced: never above the rate in any second (at the server)', async () => {
    const rate = 40;
    const m = manager({ sendLimit: { messagesPerSecond: rate } });
    for (let i = 0; i < 50; i++) m.subscribe<TestMsg>(channel(`k${i}`));
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 50, 5000, '50 subs');
    const resubscribed = nextEvent(m, 'resubscribed', () => true, 8000);
    server.killAll();
    expect((await resubscribed).count).toBe(50);
    await server.waitFor(() => subsOf(2).length === 50, 5000, '50 resubs');
    expect(new Set(subsOf(2)).size).toBe(50);
    for (const conn of [1, 2]) {
      const times = server.received.filter((r) => r.conn === conn).map((r) => r.at);
      let maxInWindow = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i]! - times[j]! >= 1000) j++;
        maxInWindow = Math.max(maxInWindow, i - j + 1);
      }
      expect(maxInWindow).toBeLessThanOrEqual(rate);
      expect(maxInWindow).toBeGreaterThan(rate / 4); // and it really uses the budget
    }
  }, 15_000);

  it('batchSubscribe: the registry is resubscribed several channels per frame, still paced', async () => {
    const m = manager({
      batchSubscribe: {
        maxPerFrame: 20,
        build: (specs) => ({ op: 'subs', keys: specs.map((x) => x.key) }),
      },
    });
    const readers = Array.from({ length: 50 }, (_, i) => m.subscribe<TestMsg>(channel(`k${i}`)));
    await m.connect();
    const batches = (conn: number) =>
      server.framesWhere((j) => j.op === 'subs').filter((r) => r.conn === conn);
    await server.waitFor(() => batches(1).length === 3);
    expect(batches(1).map((r) => (r.json as { keys: string[] }).keys.length)).toEqual([20, 20, 10]);
    const resub = nextEvent(m, 'resubscribed');
    server.killAll();
    expect((await resub).count).toBe(50);
    await server.waitFor(() => batches(2).length === 3);
    const keys = batches(2).flatMap((r) => (r.json as { keys: string[] }).keys);
    expect(new Set(keys).size).toBe(50);
    server.broadcast({ key: 'k49', seq: 1 });
    expect((await take(readers[49]!, 1))[0]!.seq).toBe(1);
  });

  it('batchSubscribe: a channel left while its batch waits is unsubscribed right after it', async () => {
    const m = manager({
      sendLimit: { messagesPerSecond: 5, headroom: 0 },
      batchSubscribe: {
        maxPerFrame: 1,
        build: (specs) => ({ op: 'subs', keys: specs.map((x) => x.key) }),
      },
    });
    m.subscribe<TestMsg>(channel('a'));
    const b = m.subscribe<TestMsg>(channel('b'));
    await m.connect();
    await b.return(); // its batch frame is still queued behind 'a'
    await server.waitFor(() => server.framesWhere((j) => j.op === 'unsub').length === 1, 3000);
    const ops = server.received.map(
      (r) =>
        `${(r.json as TestMsg).op}:${(r.json as { keys?: string[] }).keys?.join(',') ?? (r.json as TestMsg).key}`,
    );
    expect(ops).toEqual(['subs:a', 'subs:b', 'unsub:b']);
    expect(m.channels).toEqual(['a']);
  });

  it('acknowledged subscribe: a refused one fails its reader with the exchange error; acks are not routed', async () => {
    server.onFrame((ws, json) => {
      const j = json as { op?: string; key?: string; id?: number } | undefined;
      if (j?.op !== 'sub') return;
      if (j.key === 'bad') {
        ws.send(
          JSON.stringify({ id: j.id, status: 400, error: { code: -1121, msg: 'Invalid symbol.' } }),
        );
      } else ws.send(JSON.stringify({ id: j.id, result: null }));
    });
    const m = manager();
    const codes = errorCodes(m);
    const acked = (key: string) => ({
      key,
      acknowledged: true,
      subscribe: (id: number) => ({ op: 'sub', key, id }),
    });
    const good = m.subscribe<TestMsg>(acked('good'));
    const bad = m.subscribe<TestMsg>(acked('bad'));
    await expect(bad.next()).rejects.toMatchObject({
      code: 'EXCHANGE_ERROR',
      context: { exchangeCode: -1121, exchangeMessage: 'Invalid symbol.' },
    });
    expect(m.channels).toEqual(['good']);
    server.broadcast({ key: 'good', seq: 1 });
    expect((await take(good, 1))[0]!.seq).toBe(1);
    expect(codes).toEqual([]);
  });

  it('private channels resubscribe only after the login is acknowledged', async () => {
    server.onFrame((ws, json) => {
      const j = json as TestMsg | undefined;
      if (j?.op === 'login')
        setTimeout(() => ws.send(JSON.stringify({ op: 'login', ok: true })), 30);
    });
    const login = jest.fn(async () => ({ op: 'login', sig: 'signed-by-signer' }));
    const m = manager({
      auth: {
        login,
        ack: (x) =>
          (x as TestMsg).op === 'login' ? ((x as TestMsg).ok ? 'ok' : 'rejected') : undefined,
      },
    });
    m.subscribe<TestMsg>(channel('pub'));
    m.subscribe<TestMsg>(channel('orders', true));
    await nextEvent(m, 'authenticated');
    await server.waitFor(() => subsOf(1).length === 2);
    const frames = server.received
      .filter((r) => r.conn === 1)
      .map((r) => (r.json as TestMsg).op + ':' + ((r.json as TestMsg).key ?? ''));
    expect(frames).toContain('login:');
    expect(frames.indexOf('sub:orders')).toBeGreaterThan(frames.indexOf('login:'));
    const ackAt = server.received.find((r) => (r.json as TestMsg).op === 'login')!.at + 30;
    const privAt = server.framesWhere((j) => j.key === 'orders')[0]!.at;
    expect(privAt).toBeGreaterThanOrEqual(ackAt - 5);
    expect(login).toHaveBeenCalledTimes(1);

    const resub = nextEvent(m, 'resubscribed');
    server.killAll();
    await resub;
    expect(login).toHaveBeenCalledTimes(2);
    await server.waitFor(() => subsOf(2).length === 2);
    expect(subsOf(2).sort()).toEqual(['orders', 'pub']);
  });

  it('a rejected login fails the private readers with AUTH_INVALID_KEY; public ones go on', async () => {
    server.onFrame((ws, json) => {
      if ((json as TestMsg | undefined)?.op === 'login') {
        ws.send(JSON.stringify({ op: 'login', ok: false }));
      }
    });
    const m = manager({
      auth: {
        login: () => ({ op: 'login' }),
        ack: (x) =>
          (x as TestMsg).op === 'login' ? ((x as TestMsg).ok ? 'ok' : 'rejected') : undefined,
      },
    });
    const pub = m.subscribe<TestMsg>(channel('pub'));
    const priv = m.subscribe<TestMsg>(channel('orders', true));
    await expect(priv.next()).rejects.toMatchObject({ code: 'AUTH_INVALID_KEY' });
    await server.waitFor(() => subsOf(1).length === 1);
    expect(subsOf(1)).toEqual(['pub']);
    server.broadcast({ key: 'pub', seq: 1 });
    expect((await take(pub, 1))[0]!.seq).toBe(1);
  });

  it('subscribe after close() returns a finished reader and opens nothing', async () => {
    const m = manager();
    await m.connect();
    await m.close();
    const s = m.subscribe<TestMsg>(channel('t'));
    await expect(s.next()).resolves.toEqual({ value: undefined, done: true });
    expect(m.channels).toEqual([]);
    expect(server.connections).toBe(1);
  });

  it('a private channel without auth config fails its reader with AUTH_MISSING_CREDENTIALS', async () => {
    const m = manager();
    const s = m.subscribe<TestMsg>(channel('orders', true));
    await expect(s.next()).rejects.toMatchObject({ code: 'AUTH_MISSING_CREDENTIALS' });
  });

  it('pre-processors transform outgoing frames; post-processors run before routing', async () => {
    const m = manager({
      preProcessors: [(f) => ({ ...(f as object), stamped: true })],
      postProcessors: [(x) => (x.drop ? DROP : { ...x, seen: true })],
    });
    const s = m.subscribe<TestMsg>(channel('t'));
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    expect(server.framesWhere((j) => j.op === 'sub')[0]!.json).toMatchObject({ stamped: true });
    server.broadcast({ key: 't', seq: 1, drop: true });
    server.broadcast({ key: 't', seq: 2 });
    expect(await take(s, 1)).toEqual([{ key: 't', seq: 2, seen: true }]);
  });

  it('an async post-processor keeps message order', async () => {
    const m = manager({
      postProcessors: [(x) => (x.seq === 1 ? new Promise((r) => setTimeout(() => r(x), 30)) : x)],
    });
    const s = m.subscribe<TestMsg>(channel('t'));
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    for (let seq = 1; seq <= 4; seq++) server.broadcast({ key: 't', seq });
    expect((await take(s, 4)).map((x) => x.seq)).toEqual([1, 2, 3, 4]);
  });

  it('messages waiting behind a slow async post-processor are bounded', async () => {
    const m = manager({
      maxPendingMessages: 3,
      postProcessors: [(x) => new Promise((r) => setTimeout(() => r(x), 20))],
    });
    const codes = errorCodes(m);
    const s = m.subscribe<TestMsg>(channel('t'));
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    for (let seq = 1; seq <= 10; seq++) server.broadcast({ key: 't', seq });
    const got = (await take(s, 4)).map((x) => x.seq);
    expect(got).toEqual([1, 2, 3, 4]); // the first in flight + 3 queued, in order
    expect(m.stats().droppedBeforeRouting).toBe(6);
    expect(codes.filter((c) => c === 'BUFFER_OVERFLOW')).toHaveLength(6);
  });

  it('request ids are pluggable (idOf)', async () => {
    server.onFrame((ws, json) => {
      const j = json as { reqId?: string } | undefined;
      if (j?.reqId !== undefined) ws.send(JSON.stringify({ reqId: j.reqId, ok: 1 }));
    });
    const m = manager({ rpc: { idOf: (x) => (x as { reqId?: string }).reqId } });
    await m.connect();
    const res = await m.request<{ ok: number }>((id) => ({ reqId: String(id) }));
    expect(res.ok).toBe(1);
    expect(m.stats().lastRttMs).toBeGreaterThanOrEqual(0);
  });

  it('request/response: correlation ids, error mapping, timeout', async () => {
    server.onFrame((ws, json) => {
      const j = json as { id?: number; method?: string } | undefined;
      if (j?.method === 'time')
        ws.send(JSON.stringify({ id: j.id, status: 200, result: { t: 1 } }));
      if (j?.method === 'bad') {
        ws.send(
          JSON.stringify({ id: j.id, status: 400, error: { code: -1102, msg: 'bad param' } }),
        );
      }
    });
    const m = manager();
    await m.connect();
    const [a, b] = await Promise.all([
      m.request<{ id: number; result: { t: number } }>((id) => ({ id, method: 'time' })),
      m.request<{ id: number }>((id) => ({ id, method: 'time' })),
    ]);
    expect(a.result.t).toBe(1);
    expect(a.id).not.toBe(b.id);
    await expect(m.request((id) => ({ id, method: 'bad' }))).rejects.toMatchObject({
      code: 'EXCHANGE_ERROR',
      context: { exchangeCode: -1102, exchangeMessage: 'bad param', status: 400 },
    });
    await expect(
      m.request((id) => ({ id, method: 'silent' }), { timeoutMs: 50 }),
    ).rejects.toMatchObject({
      code: 'WS_REQUEST_TIMEOUT',
    });
    const ac = new AbortController();
    const p = m.request((id) => ({ id, method: 'silent' }), { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('a pending request fails with WS_CLOSED when the socket drops', async () => {
    const m = manager();
    await m.connect();
    const p = m.request((id) => ({ id, method: 'silent' }));
    await server.waitFor(() => server.received.length === 1);
    server.killAll();
    await expect(p).rejects.toMatchObject({ code: 'WS_CLOSED' });
  });

  it('replay full_buffer: frames sent while down go out after reconnect, in priority order', async () => {
    const m = manager({
      replay: { mode: 'full_buffer', capacity: 3 },
      backoff: { base: 200, cap: 200, jitter: 0 },
    });
    await m.connect();
    const closed = nextEvent(m, 'closed');
    server.killAll();
    await closed;
    const sent = [
      m.send({ op: 'order', n: 1 }, { priority: 0 }),
      m.send({ op: 'order', n: 2 }, { priority: 5 }),
      m.send({ op: 'order', n: 3 }, { priority: 1 }),
    ];
    await expect(m.send({ op: 'order', n: 4 })).rejects.toMatchObject({ code: 'BUFFER_OVERFLOW' });
    await Promise.all(sent);
    await server.waitFor(() => server.framesWhere((j) => j.op === 'order').length === 3);
    const order = server.framesWhere((j) => j.op === 'order');
    expect(order.map((r) => (r.json as { n: number }).n)).toEqual([2, 3, 1]);
    expect(order.every((r) => r.conn === 2)).toBe(true);
  });

  it('replay none: a send while down fails with WS_NOT_CONNECTED', async () => {
    const m = manager({ backoff: { base: 200, cap: 200, jitter: 0 } });
    await m.connect();
    const closed = nextEvent(m, 'closed');
    server.killAll();
    await closed;
    await expect(m.send({ op: 'x' })).rejects.toMatchObject({ code: 'WS_NOT_CONNECTED' });
  });

  it('replay sequence_id: onReplay gets the last sequence seen before the reconnect', async () => {
    const onReplay = jest.fn();
    const m = manager({ replay: { mode: 'sequence_id', sequenceOf: (x) => x.seq, onReplay } });
    const s = m.subscribe<TestMsg>(channel('t'));
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    for (let seq = 1; seq <= 3; seq++) server.broadcast({ key: 't', seq });
    await take(s, 3);
    const resub = nextEvent(m, 'resubscribed');
    server.killAll();
    await resub;
    expect(onReplay).toHaveBeenCalledTimes(1);
    expect(onReplay.mock.calls[0]![0]).toBe(3);
  });

  it('aborting the signal ends the reader with ABORTED and unsubscribes', async () => {
    const m = manager();
    const ac = new AbortController();
    const s = m.subscribe<TestMsg>(channel('t'), { signal: ac.signal });
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    const pending = s.next();
    ac.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    await server.waitFor(() => server.framesWhere((j) => j.op === 'unsub').length === 1);
  });

  it('break in for await unsubscribes', async () => {
    const m = manager();
    const s = m.subscribe<TestMsg>(channel('t'));
    await m.connect();
    await server.waitFor(() => subsOf(1).length === 1);
    server.broadcast({ key: 't', seq: 1 });
    for await (const x of s) {
      expect(x.seq).toBe(1);
      break;
    }
    await server.waitFor(() => server.framesWhere((j) => j.op === 'unsub').length === 1);
  });

  it('events work as a for-await stream and close() ends readers', async () => {
    const m = manager();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const e of m.events) seen.push(e.type);
    })();
    const s = m.subscribe<TestMsg>(channel('t'));
    await m.connect();
    await m.close();
    await reading;
    expect(seen).toEqual(['connecting', 'open', 'closed']);
    await expect(s.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('publishes redacted diagnostics_channel events for open, close and reconnect', async () => {
    const got: { name: string; msg: Record<string, unknown> }[] = [];
    const subs = ['tickwire:ws:open', 'tickwire:ws:close', 'tickwire:ws:reconnect'].map((name) => {
      const fn = (msg: unknown): void =>
        void got.push({ name, msg: msg as Record<string, unknown> });
      diagnosticsChannel.subscribe(name, fn);
      return () => diagnosticsChannel.unsubscribe(name, fn);
    });
    try {
      const m = new WsManager<TestMsg>({
        url: `${server.url}?signature=abcdef123456`,
        transport,
        router,
        heartbeat: false,
        backoff: { base: 10, cap: 10, jitter: 0 },
      });
      managers.push(m);
      await m.connect();
      const open2 = nextEvent(m, 'open');
      server.killAll();
      await open2;
      expect(got.map((g) => g.name)).toEqual([
        'tickwire:ws:open',
        'tickwire:ws:close',
        'tickwire:ws:reconnect',
        'tickwire:ws:open',
      ]);
      for (const g of got) expect(String(g.msg.url)).not.toContain('abcdef123456');
      expect(got[1]!.msg).toMatchObject({ code: 1006 });
      expect(got[2]!.msg).toMatchObject({ attempt: 1, delayMs: 10 });
    } finally {
      for (const off of subs) off();
    }
  });

  it('resetAfter: a connection that stayed up long enough resets the attempt count', async () => {
    const m = manager({ backoff: { base: 10, cap: 1000, jitter: 0, resetAfter: 100 } });
    await m.connect();
    const attempts: number[] = [];
    m.events.on('reconnecting', (e) => attempts.push(e.attempt));
    let open = nextEvent(m, 'open');
    server.killAll(); // up < 100 ms: attempt 1
    await open;
    open = nextEvent(m, 'open');
    server.killAll(); // still short: attempt 2
    await open;
    await new Promise((r) => setTimeout(r, 150));
    open = nextEvent(m, 'open');
    server.killAll(); // up ≥ 100 ms: back to attempt 1
    await open;
    expect(attempts).toEqual([1, 2, 1]);
  });
});
