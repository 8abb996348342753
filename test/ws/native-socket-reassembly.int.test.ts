import fc from 'fast-check';
import { createPrng } from '../../src/testing/index.js';
import type { NativeWebSocket } from '../../src/ws/native-socket.js';
import { FrameServer, openClient, serverFrame } from './frame-server.js';

/**
 * Reassembly property of the native client: whatever the read boundaries (1-byte reads,
 * headers cut anywhere, frames in the same read as the 101 response), fragmentation and
 * interleaved pings, the client delivers exactly the messages sent, in order, and answers
 * every ping with a pong carrying its payload.
 */

let server: FrameServer | undefined;
const clients: NativeWebSocket[] = [];

afterEach(async () => {
  for (const ws of clients.splice(0)) ws.terminate();
  await server?.close();
  server = undefined;
});

const CHARS = ['a', 'Z', '7', ' ', '{', 'é', 'ß', '€', '中', '😀'];

/** Exactly `size` bytes: random bytes, or valid UTF-8 with 1- to 4-byte characters. */
function payloadOf(size: number, binary: boolean, seed: number): Buffer {
  // Payload bytes from a seed, so a counterexample prints small.
  const rng = createPrng(seed);
  const next = (): number => rng.next();
  if (binary) {
    const out = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i++) out[i] = (next() * 256) | 0;
    return out;
  }
  const parts: string[] = [];
  let bytes = 0;
  while (bytes < size - 4) {
    const c = CHARS[(next() * CHARS.length) | 0]!;
    parts.push(c);
    bytes += Buffer.byteLength(c);
  }
  parts.push('x'.repeat(size - bytes));
  const out = Buffer.from(parts.join(''), 'utf8');
  if (out.length !== size) throw new Error('payloadOf: wrong size');
  return out;
}

const sizeArb = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(0, 1, 125, 126, 127, 65_535, 65_536) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 125 }) },
  { weight: 3, arbitrary: fc.integer({ min: 126, max: 65_535 }) },
  { weight: 1, arbitrary: fc.integer({ min: 65_536, max: 70_000 }) },
);

const pingArb = fc.uint8Array({ maxLength: 125 }).map((a) => Buffer.from(a));

const messageArb = fc.record({
  size: sizeArb,
  binary: fc.boolean(),
  seed: fc.integer(),
  /** Where the payload is cut into fragments, as fractions of its length (none: one frame). */
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
  /** Pings before the first frame and after each frame but the last. */
  pings: fc.array(fc.array(pingArb, { maxLength: 2 }), { maxLength: 5 }),
});

interface Plan {
  readonly bytes: Buffer;
  /** Where each frame starts in `bytes`. */
  readonly frameStarts: number[];
  readonly messages: { payload: Buffer; binary: boolean }[];
  readonly pings: Buffer[];
}

type MessageSpec = typeof messageArb extends fc.Arbitrary<infer T> ? T : never;

/** The server's byte stream for `messages`, with the pings it interleaves. */
function serialise(messages: readonly MessageSpec[]): Plan {
  const frames: Buffer[] = [];
  const out: Plan = { bytes: Buffer.alloc(0), frameStarts: [], messages: [], pings: [] };
  const pingsAt = (list: Buffer[][], i: number): void => {
    for (const p of list[i] ?? []) {
      frames.push(serverFrame(0x9, p));
      out.pings.push(p);
    }
  };
  for (const m of messages) {
    const payload = payloadOf(m.size, m.binary, m.seed);
    out.messages.push({ payload, binary: m.binary });
    const bounds = [...new Set(m.cuts.map((c) => Math.floor(c * m.size)))].sort((a, b) => a - b);
    const edges = [0, ...bounds, m.size];
    pingsAt(m.pings, 0);
    for (let i = 0; i + 1 < edges.length; i++) {
      const last = i + 2 === edges.length;
      frames.push(
        serverFrame(
          i === 0 ? (m.binary ? 0x2 : 0x1) : 0x0,
          payload.subarray(edges[i], edges[i + 1]),
          {
            fin: last,
          },
        ),
      );
      if (!last) pingsAt(m.pings, i + 1);
    }
  }
  let at = 0;
  for (const f of frames) {
    out.frameStarts.push(at);
    at += f.length;
  }
  return { ...out, bytes: Buffer.concat(frames) };
}

const planArb = fc.record({
  messages: fc.array(messageArb, { minLength: 1, maxLength: 6 }),
  /** Bytes sent with the 101 response: none, or a prefix of any length. */
  head: fc.option(fc.nat(), { freq: 2 }),
  /** Cut points anywhere in the stream, or a few bytes into a frame (its header). */
  cuts: fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 11 })), {
    maxLength: 24,
  }),
  /** Frames whose first 12 bytes are written one byte at a time. */
  byteByByte: fc.array(fc.nat(), { maxLength: 3 }),
});

it('delivers exactly the messages sent, in order, across any read boundaries, and pongs every ping', async () => {
  server = await FrameServer.start();
  const s = server;
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(planArb, async (p) => {
      runs++;
      const plan = serialise(p.messages);
      const total = plan.bytes.length;
      const head = p.head === null ? 0 : p.head % (total + 1);
      const points = new Set<number>();
      for (const [anywhere, n, offset] of p.cuts) {
        const frame = plan.frameStarts[n % plan.frameStarts.length]!;
        points.add(anywhere ? n % (total + 1) : frame + offset);
      }
      for (const n of p.byteByByte) {
        const frame = plan.frameStarts[n % plan.frameStarts.length]!;
        for (let k = 1; k <= 12; k++) points.add(frame + k);
      }
      const cuts = [...points].filter((c) => c > head && c < total).sort((a, b) => a - b);

      s.options = { head: plan.bytes.subarray(0, head) };
      const { ws, rec, conn } = await openClient(s, {}, clients);
      let from = head;
      // `cuts` lies strictly between `head` and `total`, so no part is empty (an empty
      // write is never read, and the wait below would not end).
      for (const to of head < total ? [...cuts, total] : []) {
        // One part per socket read, as far as the kernel allows: the next part is written
        // once the client has read something of this one.
        const reads = rec.reads;
        await conn.write(plan.bytes.subarray(from, to));
        await rec.until(() => rec.reads > reads || rec.closes.length > 0);
        from = to;
      }
      // A last ping as a marker: the client handles frames in order, so once its pong is
      // back every frame before it has been handled (or the connection is gone).
      const marker = Buffer.from(`marker ${runs}`);
      await conn.write(serverFrame(0x9, marker));
      const pongs = () => conn.frames.filter((f) => f.opcode === 0xa);
      await conn.until(() => pongs().length > plan.pings.length || conn.closed || conn.ended);

      expect(rec.errors).toEqual([]);
      expect(rec.closes).toEqual([]);
      expect(rec.messages).toHaveLength(plan.messages.length);
      plan.messages.forEach((m, i) => {
        const got = rec.messages[i]!;
        expect(got.isBinary).toBe(m.binary);
        if (!got.data.equals(m.payload)) {
          throw new Error(
            `message ${i}: ${got.data.length} bytes differ from the ${m.payload.length} sent`,
          );
        }
      });
      expect(rec.pings).toBe(plan.pings.length + 1);
      const answered = pongs();
      expect(answered).toHaveLength(plan.pings.length + 1);
      answered.forEach((f, i) => {
        expect(f.masked).toBe(true);
        expect(f.fin).toBe(true);
        expect(f.payload.equals(plan.pings[i] ?? marker)).toBe(true);
      });
      expect(conn.frames.every((f) => f.opcode === 0xa)).toBe(true);

      ws.terminate();
      await rec.whenClosed();
    }),
    // A run that hangs (bytes lost, a length misread) fails after 5 s instead of the test.
    { numRuns: 60, timeout: 5_000, interruptAfterTimeLimit: 40_000, markInterruptAsFailure: true },
  );
  expect(runs).toBeGreaterThanOrEqual(60);
}, 60_000);
