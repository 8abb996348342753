// The loopback exchange of the `o2-depth` bench, run in its own process (forked by
// bench/o2-depth.ts) so it never competes with the consumers for the event loop.
// - REST: the O2 simulator (markets for the adapter's market registry; `/v1/depth` answers
//   with the book the frames below lead to).
// - WebSocket: a flood server. The frames are captured once from the same simulator
//   (`captureFrames`: the `subscribe_depth` snapshot, then every `subscribe_depth_update`
//   of `events` market events), pre-framed as unmasked server→client text frames, and
//   written to each socket that sends `subscribe_depth` as fast as it drains: the server
//   is never the bottleneck. Text `PING` gets `PONG`; everything else is ignored.
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { createO2SimulatorProtocol, o2SimMarkets } from '../../adapters/o2/simulator/index.js';
import { ExchangeSimulator } from '../../src/testing/index.js';

/** What the server tells its parent once listening. */
export interface O2DepthServerInfo {
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly marketId: string;
  /** Frames one subscription receives (the snapshot included). */
  readonly frames: number;
  /** The simulator's book after the last frame (`[price, quantity]` wire strings, best first). */
  readonly truth: {
    readonly bids: readonly (readonly [string, string])[];
    readonly asks: readonly (readonly [string, string])[];
  };
}

const EVENTS = Number(process.argv[2] ?? 100_000);

function frameHeader(len: number): Buffer {
  if (len < 126) return Buffer.from([0x81, len]);
  if (len < 65_536) {
    const h = Buffer.alloc(4);
    h[0] = 0x81;
    h[1] = 126;
    h.writeUInt16BE(len, 2);
    return h;
  }
  const h = Buffer.alloc(10);
  h[0] = 0x81;
  h[1] = 127;
  h.writeBigUInt64BE(BigInt(len), 2);
  return h;
}

/** The frames in chunks of about 64 KiB, each a run of complete WebSocket frames. */
function chunks(frames: readonly string[]): Buffer[] {
  const out: Buffer[] = [];
  let parts: Buffer[] = [];
  let size = 0;
  for (const f of frames) {
    const payload = Buffer.from(f);
    parts.push(frameHeader(payload.length), payload);
    size += payload.length + 4;
    if (size >= 64 * 1024) {
      out.push(Buffer.concat(parts));
      parts = [];
      size = 0;
    }
  }
  if (parts.length > 0) out.push(Buffer.concat(parts));
  return out;
}

async function main(): Promise<void> {
  const market = o2SimMarkets[0]!;
  const sim = await new ExchangeSimulator({
    protocol: createO2SimulatorProtocol({ markets: [market] }),
    seed: 7,
    eventsPerSecond: 0,
    tradeProbability: 0.2,
  }).start();
  const subscribe = JSON.stringify({
    action: 'subscribe_depth',
    market_id: market.id,
    precision: '10',
  });
  const frames = sim.captureFrames('/v1/ws', { events: EVENTS, send: [subscribe] });
  const data = chunks(frames);
  const book = sim.book(market.id);

  const flood = (ws: WebSocket): void => {
    const socket = (ws as unknown as { _socket: Socket })._socket;
    let next = 0;
    const pump = (): void => {
      while (next < data.length) {
        if (ws.readyState !== ws.OPEN) return;
        if (!socket.write(data[next++]!)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  };

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('error', () => undefined);
    ws.on('message', (raw: Buffer) => {
      const text = raw.toString();
      if (text === 'PING') {
        ws.send('PONG');
        return;
      }
      let msg: { action?: unknown };
      try {
        msg = JSON.parse(text) as { action?: unknown };
      } catch {
        return;
      }
      if (msg.action === 'subscribe_depth') flood(ws);
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  const addr = wss.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  const info: O2DepthServerInfo = {
    restUrl: sim.httpUrl,
    wsUrl: `ws://127.0.0.1:${port}/v1/ws`,
    marketId: market.id,
    frames: frames.length,
    truth: {
      bids: book.bids.map((l) => [String(l[0]), String(l[1])] as const),
      asks: book.asks.map((l) => [String(l[0]), String(l[1])] as const),
    },
  };
  process.send?.(info);
  process.on('disconnect', () => {
    wss.close();
    void sim.close().then(() => process.exit(0));
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
