// WsManager's `tap` option against a real ws server on loopback: a frame the tap consumes
// is counted (messagesIn, tapped) and goes nowhere else; a declined one is decoded and
// routed in order; a throwing tap is a parse failure; the tap is not called while messages
// wait behind an async post-processor.
import { type WsManager, type WsManagerOptions } from '../../src/ws/index.js';
import { FaultServer } from './fault-server.js';
import {
  TRANSPORTS,
  expectTransportUsed,
  type TestMsg,
  channel,
  errorCodes,
  nextEvent,
  take,
  testManager,
} from './helpers.js';

let server: FaultServer;
const managers: WsManager<TestMsg>[] = [];
const intervals: ReturnType<typeof setInterval>[] = [];

/** The parsed frame (the tap sees the raw bytes). */
const msg = (data: Buffer): TestMsg => JSON.parse(data.toString()) as TestMsg;

/** Lets real I/O run, one event-loop turn at a time, until `done()` holds (bounded). */
async function ioUntil(done: () => boolean, what: string): Promise<void> {
  for (let turn = 0; turn < 10_000 && !done(); turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (!done()) throw new Error(`not reached within 10 000 event-loop turns: ${what}`);
}

/** Connects `m` with one subscription to `t` and waits until the server has seen it. */
async function subscribed(m: WsManager<TestMsg>) {
  const s = m.subscribe<TestMsg>(channel('t'));
  await m.connect();
  await server.waitFor(() => server.framesWhere((j) => j.op === 'sub').length === 1);
  return s;
}

beforeEach(async () => {
  server = await FaultServer.start();
});

afterEach(async () => {
  for (const t of intervals.splice(0)) clearInterval(t);
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await server.close();
});

describe.each(TRANSPORTS)('WsManager tap (transport %s)', (transport) => {
  expectTransportUsed(transport);

  function manager(extra: Partial<WsManagerOptions<TestMsg>> = {}): WsManager<TestMsg> {
    return testManager(server.url, managers, { transport, ...extra });
  }

  it('a consumed frame counts in tapped and messagesIn and is neither decoded nor routed; declined ones are, in order', async () => {
    const tapped: number[] = [];
    const decoded: number[] = [];
    const m = manager({
      tap: (data) => {
        const x = msg(data);
        tapped.push(x.seq!);
        return x.tap === true;
      },
      decode: (data) => {
        const x = msg(data);
        decoded.push(x.seq!);
        return x;
      },
    });
    const s = await subscribed(m);
    const before = m.stats();
    expect(before.tapped).toBe(0);
    for (let seq = 1; seq <= 6; seq++) server.broadcast({ key: 't', seq, tap: seq % 3 !== 0 });
    server.broadcast({ key: 't', seq: 7 });
    // Frames 3 and 6 were declined; 7 (no tap flag) too. Had 1, 2, 4 or 5 been routed they
    // would come first.
    expect((await take(s, 3)).map((x) => x.seq)).toEqual([3, 6, 7]);
    expect(tapped).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(decoded).toEqual([3, 6, 7]);
    const after = m.stats();
    expect(after.tapped).toBe(4);
    expect(after.messagesIn - before.messagesIn).toBe(7);
    expect(after.parseFailures).toBe(0);
    expect(after.unroutable).toBe(0);
  });

  it('consumed frames keep the heartbeat alive: no ping is needed while they flow', async () => {
    const m = manager({ tap: () => true, heartbeat: { interval: 40, timeout: 40 } });
    const codes = errorCodes(m);
    await subscribed(m);
    server.mutePongs();
    // Frames every 5 ms, 60 of them (≈ 300 ms, well past interval + timeout): had tapped
    // frames not counted as signs of life, the unanswered ping would drop the socket first.
    let sent = 0;
    const feed = setInterval(() => {
      if (sent < 60) server.broadcast({ key: 't', seq: ++sent });
    }, 5);
    intervals.push(feed);
    const first = await new Promise<'all tapped' | 'closed'>((resolve) => {
      const off = m.events.on('closed', () => resolve('closed'));
      const poll = setInterval(() => {
        if (m.stats().tapped < 60) return;
        off();
        resolve('all tapped');
      }, 5);
      intervals.push(poll);
    });
    for (const t of intervals.splice(0)) clearInterval(t);
    expect(first).toBe('all tapped');
    expect(codes).toEqual([]);
    expect(server.connections).toBe(1);
    // Once they stop, the silence is noticed: a ping goes unanswered and the socket drops.
    await nextEvent(m, 'closed', () => true, 3000);
    expect(codes).toContain('WS_HEARTBEAT_TIMEOUT');
  });

  it('a throwing tap is a MESSAGE_PARSE_FAILED error and a parse failure; later frames still flow', async () => {
    const m = manager({
      tap: (data) => {
        if (msg(data).seq === 2) throw new Error('tap failed');
        return false;
      },
    });
    const codes = errorCodes(m);
    const s = await subscribed(m);
    const failed = nextEvent(m, 'error');
    for (let seq = 1; seq <= 4; seq++) server.broadcast({ key: 't', seq });
    expect((await failed).error).toMatchObject({
      code: 'MESSAGE_PARSE_FAILED',
      cause: { message: 'tap failed' },
    });
    expect((await take(s, 3)).map((x) => x.seq)).toEqual([1, 3, 4]);
    expect(codes).toEqual(['MESSAGE_PARSE_FAILED']);
    expect(m.stats()).toMatchObject({ parseFailures: 1, tapped: 0 });
  });

  it('is not called while messages wait behind an async post-processor (arrival order kept)', async () => {
    const log: string[] = [];
    let release: (() => void) | undefined;
    const m = manager({
      tap: (data) => {
        const x = msg(data);
        log.push(`tap ${x.seq}`);
        return x.tap === true;
      },
      postProcessors: [
        (x) => {
          log.push(`post ${x.seq}`);
          if (x.seq !== 1) return x;
          // The first message waits until the test releases it.
          return new Promise<TestMsg>((resolve) => {
            release = () => resolve(x);
          });
        },
      ],
    });
    const s = await subscribed(m);
    const base = m.stats().messagesIn;
    server.broadcast({ key: 't', seq: 1 });
    server.broadcast({ key: 't', seq: 2, tap: true }); // the tap would take it, if asked
    server.broadcast({ key: 't', seq: 3 });
    await ioUntil(() => m.stats().messagesIn === base + 3, 'three frames received');
    expect(log).toEqual(['tap 1', 'post 1']);
    expect(release).toBeDefined();
    release!();
    expect((await take(s, 3)).map((x) => x.seq)).toEqual([1, 2, 3]);
    expect(log).toEqual(['tap 1', 'post 1', 'post 2', 'post 3']);
    expect(m.stats().tapped).toBe(0);

    // Once nothing waits, the tap is asked again.
    server.broadcast({ key: 't', seq: 4, tap: true });
    server.broadcast({ key: 't', seq: 5 });
    expect((await take(s, 1)).map((x) => x.seq)).toEqual([5]);
    expect(log.slice(4)).toEqual(['tap 4', 'tap 5', 'post 5']);
    expect(m.stats().tapped).toBe(1);
  });
});
