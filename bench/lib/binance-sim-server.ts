// The Binance simulator for the binance-vs-ccxt bench, in its own process (the server must
// never be the client's bottleneck, and must not share its CPU accounting).
//
// Protocol (IPC with the parent):
//   ← { type: 'listening', port, target }       target = the book's final update id after
//                                                WARM + events, from a dry run of the same seed
//   (waits for a client's SUBSCRIBE of btcusdt@depth, then generates WARM events at 200/s so
//    the client can sync; then)
//   ← { type: 'warm' }
//   → { type: 'run', events, rate: 'drain' | number, faults: [{ after, kind }] }
//   ← { type: 'done', truth: { sequence, bids, asks }, faults: [{ kind, atNs }] }
//   → { type: 'exit' }
// In 'drain' mode events are generated as fast as every client socket drains (its
// bufferedAmount stays under HWM), so the client, not the server, sets the pace. A flood run
// (pre-built frames) goes further: the frames are pre-serialised as WebSocket frames into
// 64 KiB chunks, and each chunk is written straight to the connection's TCP socket whenever
// it drains, so the server spends almost nothing per frame and the client is the bottleneck.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import {
  binanceSimMarkets,
  createBinanceSimulatorProtocol,
} from '../../adapters/binance/simulator/index.js';
import {
  ExchangeSimulator,
  type SimSocket,
  type SimulatorProtocol,
} from '../../src/testing/index.js';

export interface SimRunRequest {
  readonly type: 'run';
  readonly events: number;
  readonly rate: 'drain' | number;
  readonly faults: readonly { readonly after: number; readonly kind: 'gap' | 'drop' }[];
}

export interface SimDone {
  readonly type: 'done';
  readonly truth: {
    readonly sequence: number;
    readonly bids: readonly (readonly [string, string])[];
    readonly asks: readonly (readonly [string, string])[];
  };
  readonly faults: readonly { readonly kind: 'gap' | 'drop'; readonly atNs: string }[];
  /** Diff events sent during the run (a skipped one is not counted). */
  readonly depthEvents: number;
}

const BTC = binanceSimMarkets[0]!;
const HWM = 1024 * 1024;
const CHUNK = 32;

const seed = Number(process.argv[2] ?? 1);
const levels = Number(process.argv[3] ?? 50);
const warm = Number(process.argv[4] ?? 200);
const planned = Number(process.argv[5] ?? 0);
/** Events to pre-build for a flood run (0: generate live). */
const prebuild = Number(process.argv[6] ?? 0);

// Bench-only instrumentation: the TCP socket of each upgraded connection (ws's public
// `handleUpgrade`, wrapped), so that a flood run can write pre-serialised frames to it.
const upgraded: { url: string; socket: Socket }[] = [];
const handleUpgrade = WebSocketServer.prototype.handleUpgrade;
WebSocketServer.prototype.handleUpgrade = function (
  this: WebSocketServer,
  ...args: Parameters<typeof handleUpgrade>
): void {
  const [req, socket] = args as unknown as [IncomingMessage, Socket];
  upgraded.push({ url: req.url ?? '', socket });
  handleUpgrade.apply(this, args);
};

/** An unmasked, unfragmented server-to-client text frame (RFC 6455 §5.2). */
function wsTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x81;
  if (n < 126) frame[1] = n;
  else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(frame, head);
  return frame;
}

/** Frames pre-serialised and packed into chunks of about `size` bytes. */
function packFrames(frames: readonly string[], size: number): Buffer[] {
  const chunks: Buffer[] = [];
  let part: Buffer[] = [];
  let bytes = 0;
  for (const f of frames) {
    const b = wsTextFrame(f);
    part.push(b);
    bytes += b.length;
    if (bytes >= size) {
      chunks.push(Buffer.concat(part));
      part = [];
      bytes = 0;
    }
  }
  if (part.length > 0) chunks.push(Buffer.concat(part));
  return chunks;
}

/** While on, live sessions get no engine events (frames are being pre-built). */
const muted = { on: false };

function protocol(onSubscribe: () => void, sockets: Set<SimSocket>): SimulatorProtocol {
  const base = createBinanceSimulatorProtocol({ markets: [BTC] });
  return {
    ...base,
    init: (ctx) => base.init(ctx),
    handleHttp: (req, ctx) => base.handleHttp(req, ctx),
    acceptUpgrade: (url) => base.acceptUpgrade(url),
    openSession(socket, ctx) {
      const session = base.openSession(socket, ctx);
      // The capture's own virtual session is left alone.
      if (muted.on) return session;
      if (socket.url.pathname !== '/ws-api/v3') sockets.add(socket);
      const onMessage = session.onMessage.bind(session);
      const onClose = session.onClose.bind(session);
      const onEvent = session.onEvent.bind(session);
      session.onEvent = (event) => {
        if (!muted.on) onEvent(event);
      };
      session.onMessage = (text: string) => {
        onMessage(text);
        if (text.includes('SUBSCRIBE') && text.includes('btcusdt@depth')) onSubscribe();
      };
      session.onClose = () => {
        sockets.delete(socket);
        onClose();
      };
      return session;
    },
  };
}

async function main(): Promise<void> {
  // Dry run: the same seed, no sockets, to know where the book ends.
  const dry = new ExchangeSimulator({
    protocol: createBinanceSimulatorProtocol({ markets: [BTC] }),
    seed,
    levels,
    eventsPerSecond: 0,
  });
  dry.step(warm + planned);
  const target = dry.book(BTC.id).sequence;

  const sockets = new Set<SimSocket>();
  let subscribed: () => void = () => undefined;
  const firstSubscribe = new Promise<void>((resolve) => (subscribed = resolve));
  const sim = await new ExchangeSimulator({
    protocol: protocol(() => subscribed(), sockets),
    seed,
    levels,
    eventsPerSecond: 0,
  }).start();
  process.send!({ type: 'listening', port: sim.port, target });

  let generated = 0;
  let counting = false;
  let depthEvents = 0;
  sim.onEvent((e) => {
    if (counting && e.type === 'depth') depthEvents++;
  });
  const step = (n: number): void => {
    sim.step(n);
    generated += n;
  };

  process.on('message', (m: SimRunRequest | { type: 'exit' }) => {
    if (m.type === 'exit') {
      void sim.close().then(() => process.exit(0));
      return;
    }
    counting = true;
    void run(m).then((faults) => {
      counting = false;
      const book = sim.book(BTC.id);
      const done: SimDone = {
        type: 'done',
        truth: { sequence: book.sequence, bids: book.bids, asks: book.asks },
        faults,
        depthEvents,
      };
      process.send!(done);
    });
  });

  await firstSubscribe;
  // Warm-up at 200 events/s: the client buffers the first diffs, fetches its snapshot, syncs.
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (generated >= warm) {
        clearInterval(t);
        resolve();
        return;
      }
      step(1);
    }, 5);
  });
  // Flood runs replay frames pre-built now, so that generating them (the engine and
  // JSON.stringify cost far more than a client's parse) is not on the clock.
  let prebuilt: string[] | undefined;
  let packed: { socket: Socket; chunks: Buffer[] } | undefined;
  const client = [...sockets][0];
  if (prebuild > 0 && client !== undefined) {
    muted.on = true;
    const path = client.url.pathname === '/stream' ? '/stream' : '/ws';
    prebuilt = sim
      .captureFrames(path, {
        events: prebuild,
        send: ['{"method":"SUBSCRIBE","params":["btcusdt@depth@100ms"],"id":1}'],
      })
      .filter((f) => !f.startsWith('{"result"'));
    muted.on = false;
    generated += prebuild;
    const wanted = `${client.url.pathname}${client.url.search}`;
    const tcp = upgraded.filter((u) => u.url === wanted && !u.socket.destroyed).at(-1);
    if (tcp !== undefined) packed = { socket: tcp.socket, chunks: packFrames(prebuilt, 65_536) };
  }
  process.send!({ type: 'warm' });

  function run(req: SimRunRequest): Promise<{ kind: 'gap' | 'drop'; atNs: string }[]> {
    const end = prebuilt !== undefined ? generated : generated + req.events;
    const pending = req.faults.map((f) => ({ at: generated + f.after, kind: f.kind }));
    const fired: { kind: 'gap' | 'drop'; atNs: string }[] = [];
    if (prebuilt !== undefined) {
      const frames = prebuilt;
      depthEvents = frames.length;
      if (packed !== undefined) {
        const { socket, chunks } = packed;
        return new Promise((resolve) => {
          let i = 0;
          const pump = (): void => {
            while (i < chunks.length) {
              if (socket.destroyed) return resolve(fired);
              if (!socket.write(chunks[i++]!)) {
                socket.once('drain', pump);
                return;
              }
            }
            resolve(fired);
          };
          pump();
        });
      }
      return new Promise((resolve) => {
        let i = 0;
        const pump = (): void => {
          const socket = [...sockets][0];
          if (socket === undefined) return resolve(fired);
          while (i < frames.length && socket.bufferedAmount <= HWM) socket.send(frames[i++]!);
          if (i >= frames.length) resolve(fired);
          else setImmediate(pump);
        };
        pump();
      });
    }
    const fireDue = (): void => {
      while (pending.length > 0 && pending[0]!.at <= generated) {
        const f = pending.shift()!;
        fired.push({ kind: f.kind, atNs: process.hrtime.bigint().toString() });
        sim.inject(
          f.kind === 'gap' ? { kind: 'skipSequence', count: 1 } : { kind: 'dropConnections' },
        );
      }
    };
    const room = (): number => {
      const next = pending[0]?.at ?? end;
      return Math.min(next, end) - generated;
    };
    return new Promise((resolve) => {
      if (req.rate === 'drain') {
        const tick = (): void => {
          fireDue();
          if (generated >= end) return resolve(fired);
          let buffered = 0;
          for (const s of sockets) buffered = Math.max(buffered, s.bufferedAmount);
          if (buffered <= HWM) step(Math.min(CHUNK, room()));
          setImmediate(tick);
        };
        tick();
        return;
      }
      const rate = req.rate;
      const t0 = performance.now();
      const base = generated;
      const timer = setInterval(() => {
        const due = base + Math.floor(((performance.now() - t0) * rate) / 1000);
        while (generated < Math.min(due, end)) {
          fireDue();
          step(Math.max(1, Math.min(room(), Math.min(due, end) - generated)));
        }
        fireDue();
        if (generated >= end) {
          clearInterval(timer);
          resolve(fired);
        }
      }, 1);
    });
  }
}

void main();
