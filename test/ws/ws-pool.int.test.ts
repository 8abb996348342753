import type { WebSocket } from 'ws';
import { WsPool, type WsPoolOptions } from '../../src/ws/index.js';
import { FaultServer } from './fault-server.js';
import {
  TRANSPORTS,
  expectTransportUsed,
  type TestMsg,
  type Transport,
  channel,
  router,
  take,
} from './helpers.js';

const servers: FaultServer[] = [];
const pools: WsPool<TestMsg>[] = [];
const tickers: ReturnType<typeof setInterval>[] = [];

async function server(): Promise<FaultServer> {
  const s = await FaultServer.start();
  servers.push(s);
  return s;
}

function pool(
  transport: Transport,
  urls: string[],
  extra: Partial<WsPoolOptions<TestMsg>> = {},
): WsPool<TestMsg> {
  const p = new WsPool<TestMsg>({
    urls,
    transport,
    router,
    heartbeat: false,
    backoff: { base: 5, cap: 20, jitter: 0 },
    sendLimit: { messagesPerSecond: 1000, headroom: 0 },
    ...extra,
  });
  pools.push(p);
  return p;
}

/** Server side: every subscribed socket gets `{key, seq}` for the same seq at each tick. */
function feed(s: FaultServer, key: string, everyMs = 2): { seq: () => number } {
  const subscribed = new Set<WebSocket>();
  s.onFrame((ws, json) => {
    const j = json as TestMsg | undefined;
    if (j?.op === 'sub' && j.key === key) subscribed.add(ws);
    if (j?.op === 'unsub' && j.key === key) subscribed.delete(ws);
  });
  let seq = 0;
  tickers.push(
    setInterval(() => {
      seq++;
      const text = JSON.stringify({ key, seq });
      for (const ws of subscribed) if (ws.readyState === ws.OPEN) ws.send(text);
    }, everyMs),
  );
  return { seq: () => seq };
}

afterEach(async () => {
  for (const t of tickers.splice(0)) clearInterval(t);
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe.each(TRANSPORTS)('WsPool (transport %s)', (transport) => {
  expectTransportUsed(transport);

  it('shards channels across connections by the per-connection stream limit', async () => {
    const s = await server();
    const p = pool(transport, [s.url], { streamsPerConnection: 3 });
    const readers = Array.from({ length: 7 }, (_, i) => p.subscribe<TestMsg>(channel(`k${i}`)));
    await s.waitFor(() => s.framesWhere((j) => j.op === 'sub').length === 7);
    expect(s.connections).toBe(3);
    const perConn = new Map<number, number>();
    for (const r of s.framesWhere((j) => j.op === 'sub'))
      perConn.set(r.conn, (perConn.get(r.conn) ?? 0) + 1);
    expect([...perConn.values()].sort()).toEqual([1, 3, 3]);
    s.broadcast({ key: 'k6', seq: 1 });
    expect((await take(readers[6]!, 1))[0]!.seq).toBe(1);
    expect(p.members().map((m) => m.channels)).toEqual([3, 3, 1]);
    await s.waitFor(() => true);
    expect(p.stats().reduce((n, m) => n + m.stats.messagesOut, 0)).toBe(7);
  });

  it('fails over to the healthier URL when one keeps failing', async () => {
    const bad = await server();
    const good = await server();
    await bad.refuse();
    const p = pool(transport, [bad.url, good.url], { failoverAfter: 2 });
    const failover = new Promise((resolve) => p.events.on('failover', resolve));
    const r = p.subscribe<TestMsg>(channel('t'));
    await failover;
    await good.waitFor(() => good.framesWhere((j) => j.op === 'sub').length === 1);
    good.broadcast({ key: 't', seq: 1 });
    expect((await take(r, 1))[0]!.seq).toBe(1);
    expect(p.health()[bad.url]).toBeLessThan(p.health()[good.url]!);
    expect(p.members().map((m) => m.url)).toEqual([good.url]);
  });

  it('a member closed with a no-retry code fails its readers; new subscriptions get a fresh connection', async () => {
    const s = await server();
    const p = pool(transport, [s.url]);
    const r = p.subscribe<TestMsg>(channel('t'));
    await s.waitFor(() => s.framesWhere((j) => j.op === 'sub').length === 1);
    s.closeAll(1008, 'policy');
    await expect(r.next()).rejects.toMatchObject({ code: 'WS_CLOSED_NO_RETRY' });
    expect(p.connectionCount).toBe(0);
    const again = p.subscribe<TestMsg>(channel('t'));
    await s.waitFor(() => s.framesWhere((j) => j.op === 'sub').length === 2);
    expect(s.connections).toBe(2);
    s.broadcast({ key: 't', seq: 7 });
    expect((await take(again, 1))[0]!.seq).toBe(7);
  });

  it.each([
    ['by JSON identity', undefined],
    ['by sequence id', (m: TestMsg) => m.seq],
  ])(
    'rotates make-before-break before the lifetime: no message lost, none twice (%s)',
    async (_name, identityOf) => {
      const s = await server();
      const p = pool(transport, [s.url], {
        maxLifetimeMs: 400,
        rotateBeforeMs: 250,
        ...(identityOf === undefined ? {} : { identityOf }),
      });
      const src = feed(s, 't');
      let openAtRotation = -1;
      const rotated = new Promise<{ forced: number }>((resolve) =>
        p.events.on('rotated', (e) => {
          openAtRotation = s.open.length;
          resolve(e);
        }),
      );
      const r = p.subscribe<TestMsg>(channel('t'), { capacity: 100_000 });
      const got: number[] = [];
      let rotatedAt = Infinity;
      const reading = (async () => {
        for await (const m of r) {
          got.push(m.seq!);
          if (got.length >= rotatedAt + 30) break;
        }
      })();
      const e = await rotated;
      rotatedAt = got.length;
      await reading;
      expect(e.forced).toBe(0);
      expect(s.connections).toBeGreaterThanOrEqual(2);
      expect(openAtRotation).toBe(1); // the old connection was closed after the switch
      expect(src.seq()).toBeGreaterThan(0);
      const first = got[0]!;
      expect(got).toEqual(Array.from({ length: got.length }, (_, i) => first + i));
    },
  );
});
