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

/** `{"key":"t","seq":<seq>,"x":"<0xff>"}` as a text frame: one byte that is never UTF-8. */
function sendInvalidUtf8(seq: number): void {
  const bytes = Buffer.concat([
    Buffer.from(`{"key":"t","seq":${seq},"x":"`),
    Buffer.from([0xff]),
    Buffer.from('"}'),
  ]);
  for (const s of server.open) s.send(bytes, { binary: false });
}

beforeEach(async () => {
  server = await FaultServer.start();
});

afterEach(async () => {
  await Promise.all(managers.splice(0).map((m) => m.close()));
  await server.close();
});

describe.each(TRANSPORTS)('WsManager skipUtf8Validation (transport %s)', (transport) => {
  expectTransportUsed(transport);

  function manager(extra: Partial<WsManagerOptions<TestMsg>> = {}): WsManager<TestMsg> {
    return testManager(server.url, managers, { transport, ...extra });
  }

  it('off (default): the client fails the connection with 1007 on the wire; it reads as 1006 after a transport error', async () => {
    const m = manager();
    const events: string[] = [];
    m.events.on((e) => {
      if (e.type === 'error') events.push(`error ${e.error.code}`);
      if (e.type === 'closed') events.push(`closed ${e.code}`);
    });
    const s = m.subscribe<TestMsg>(channel('t'));
    const wireCode = new Promise<number>((resolve) =>
      server.onConnection((ws) => ws.once('close', (code) => resolve(code))),
    );
    await m.connect();
    await server.waitFor(() => server.framesWhere((j) => j.op === 'sub').length === 1);
    const closed = nextEvent(m, 'closed');
    sendInvalidUtf8(1);
    expect(await wireCode).toBe(1007);
    // No close frame is read after failing the connection: locally that is an abnormal close.
    expect(await closed).toEqual({ type: 'closed', code: 1006, reason: '' });
    expect(events).toEqual(['error TRANSPORT_CONNECTION_FAILED', 'closed 1006']);
    expect(m.stats().parseFailures).toBe(0);
    await s.return();
  });

  it('on: the bad frame is counted and skipped, the connection and the frames after it go on', async () => {
    const m = manager({ skipUtf8Validation: true });
    const codes = errorCodes(m);
    const s = m.subscribe<TestMsg>(channel('t'));
    await m.connect();
    await server.waitFor(() => server.framesWhere((j) => j.op === 'sub').length === 1);
    const failed = nextEvent(m, 'error');
    server.broadcast({ key: 't', seq: 1 });
    sendInvalidUtf8(2);
    server.broadcast({ key: 't', seq: 3 });
    expect((await take(s, 2)).map((x) => x.seq)).toEqual([1, 3]);
    const e = (await failed).error;
    expect(e.code).toBe('MESSAGE_PARSE_FAILED');
    expect(e.message).toContain('not valid UTF-8');
    expect(codes).toEqual(['MESSAGE_PARSE_FAILED']);
    expect(m.stats()).toMatchObject({ parseFailures: 1, messagesIn: 3, reconnects: 0 });
    expect(m.state).toBe('open');
  });

  it('on: a tap sees the unchecked bytes first and may take a frame it validated itself', async () => {
    const seen: number[] = [];
    const m = manager({
      skipUtf8Validation: true,
      // Takes only all-ASCII frames carrying "tap": the invalid one is handed on and rejected.
      tap: (data) => {
        seen.push(data.length);
        return data.every((b) => b < 0x80) && data.includes('"tap"');
      },
    });
    const s = m.subscribe<TestMsg>(channel('t'));
    await m.connect();
    await server.waitFor(() => server.framesWhere((j) => j.op === 'sub').length === 1);
    server.broadcast({ key: 't', seq: 1 });
    server.broadcast('{"key":"t","seq":2,"tap":1}');
    sendInvalidUtf8(3);
    server.broadcast({ key: 't', seq: 4 });
    expect((await take(s, 2)).map((x) => x.seq)).toEqual([1, 4]);
    expect(seen).toHaveLength(4);
    expect(m.stats()).toMatchObject({ tapped: 1, parseFailures: 1, messagesIn: 4 });
  });
});
