// The loopback server of the `ws` bench, run in its own process (forked by bench/ws.ts) so
// it never competes with the client for the event loop. Two modes, chosen by the first
// frame a client sends ({"op":"sub","key":"t","mode":…}):
// - flood: pre-built, pre-framed WebSocket frames written straight to the socket, as fast as
//   it drains (the server must never be the bottleneck);
// - rate: frames at a fixed rate, each stamped with process.hrtime.bigint() when written
//   (CLOCK_MONOTONIC is shared by every process on the host), for latency;
// - rate with a `group` of `clients` sockets: the same frames (same seq) at a fixed rate to
//   every member at once, started when the last member subscribed. Each copy is stamped
//   right before its own write, and the write order alternates per message, so neither
//   member is systematically served second. Between frames the server sleeps (futex) rather
//   than spins, so the two clients are not squeezed onto one core. Used to compare two
//   consumers on the same messages at the same moments. With `fixedOrder`, members are
//   written in `rank` order every time (the paired runs write the raw consumer's copy first,
//   so the tickwire copy is never read ahead of it).
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

interface Command {
  readonly op: string;
  readonly mode: 'flood' | 'rate';
  readonly n: number;
  readonly rate?: number;
  /** Broadcast group: frames start once `clients` sockets joined it. */
  readonly group?: string;
  readonly clients?: number;
  /** Group members are written to in ascending `rank` order (ties: join order). */
  readonly rank?: number;
  /** Write every frame to the members in rank order instead of alternating the order. */
  readonly fixedOrder?: boolean;
}

const TRADE_PREFIX =
  '{"key":"t","e":"trade","s":"BTCUSDT","p":"64123.45000000","q":"0.01200000","T":1700000000000,"m":true,"seq":';

function frameHeader(len: number): Buffer {
  if (len < 126) return Buffer.from([0x81, len]);
  const h = Buffer.alloc(4);
  h[0] = 0x81;
  h[1] = 126;
  h.writeUInt16BE(len, 2);
  return h;
}

// 256 frames per chunk, each a complete unmasked server→client text frame.
function buildChunk(): { chunk: Buffer; frames: number } {
  const parts: Buffer[] = [];
  const frames = 256;
  for (let i = 0; i < frames; i++) {
    const payload = Buffer.from(`${TRADE_PREFIX}${i},"ts":"0"}`);
    parts.push(frameHeader(payload.length), payload);
  }
  return { chunk: Buffer.concat(parts), frames };
}

const { chunk, frames: framesPerChunk } = buildChunk();

function flood(ws: WebSocket, n: number): void {
  const socket = (ws as unknown as { _socket: Socket })._socket;
  let sent = 0;
  const pump = (): void => {
    while (sent < n) {
      sent += framesPerChunk;
      if (!socket.write(chunk)) {
        socket.once('drain', pump);
        return;
      }
    }
  };
  pump();
}

function atRate(ws: WebSocket, n: number, rate: number): void {
  const start = process.hrtime.bigint();
  let sent = 0;
  const tick = (): void => {
    if (ws.readyState !== ws.OPEN) return;
    const elapsedNs = Number(process.hrtime.bigint() - start);
    const due = Math.min(n, Math.floor((elapsedNs / 1e9) * rate));
    while (sent < due) {
      ws.send(`${TRADE_PREFIX}${sent},"ts":"${process.hrtime.bigint()}"}`);
      sent++;
    }
    if (sent < n) setImmediate(tick);
  };
  tick();
}

// Sleeping without the event loop: Atomics.wait on a private cell that nobody notifies.
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function broadcastAtRate(
  members: readonly WebSocket[],
  n: number,
  rate: number,
  fixedOrder: boolean,
): void {
  const start = process.hrtime.bigint();
  let sent = 0;
  const tick = (): void => {
    if (members.every((ws) => ws.readyState !== ws.OPEN)) return;
    // Sleep (futex) until the next frame is due instead of spinning on setImmediate: a
    // spinning server would hold one of the 2 cores for the whole run and leave the two
    // clients one core to share, so each would wait for the other's processing.
    const nextDueNs = (sent / rate) * 1e9;
    const waitMs = (nextDueNs - Number(process.hrtime.bigint() - start)) / 1e6;
    if (waitMs > 0.02) Atomics.wait(sleepCell, 0, 0, Math.min(waitMs, 1));
    const elapsedNs = Number(process.hrtime.bigint() - start);
    const due = Math.min(n, Math.floor((elapsedNs / 1e9) * rate));
    while (sent < due) {
      for (let k = 0; k < members.length; k++) {
        const ws = members[fixedOrder ? k : (sent + k) % members.length]!;
        if (ws.readyState === ws.OPEN) {
          ws.send(`${TRADE_PREFIX}${sent},"ts":"${process.hrtime.bigint()}"}`);
        }
      }
      sent++;
    }
    if (sent < n) setImmediate(tick);
  };
  tick();
}

const groups = new Map<string, { ws: WebSocket; rank: number }[]>();

function join(ws: WebSocket, cmd: Command): void {
  const key = cmd.group!;
  const members = groups.get(key) ?? [];
  members.push({ ws, rank: cmd.rank ?? 0 });
  groups.set(key, members);
  if (members.length < (cmd.clients ?? 2)) return;
  groups.delete(key);
  const ordered = [...members].sort((a, b) => a.rank - b.rank).map((m) => m.ws);
  broadcastAtRate(ordered, cmd.n, cmd.rate ?? 10_000, cmd.fixedOrder === true);
}

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('error', () => undefined);
  ws.on('message', (data: Buffer) => {
    const cmd = JSON.parse(data.toString()) as Command;
    if (cmd.op !== 'sub') return;
    if (cmd.mode === 'flood') flood(ws, cmd.n);
    else if (cmd.group !== undefined) join(ws, cmd);
    else atRate(ws, cmd.n, cmd.rate ?? 10_000);
  });
});
wss.on('listening', () => {
  const addr = wss.address();
  process.send?.({ port: typeof addr === 'object' && addr !== null ? addr.port : 0 });
});
process.on('disconnect', () => {
  wss.close();
  process.exit(0);
});
