import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { createError } from '../errors/index.js';
import type { FixtureFrame } from './recorder.js';

/**
 * Options of {@link FixtureReplayer}.
 *
 * @example
 * new FixtureReplayer({ file: 'fixtures/binance/btcusdt-depth.jsonl', speed: 10 });
 */
export interface FixtureReplayerOptions {
  /** A JSONL fixture written by `recordFixture` (or by hand). */
  readonly file?: string;
  /** Frames given directly instead of a file. */
  readonly frames?: readonly FixtureFrame[];
  /** Playback speed: 1 = original timing, 10 = ten times faster, `Infinity` = no waiting. Default 1. */
  readonly speed?: number;
  /** TCP port on 127.0.0.1. Default 0 (any free port). */
  readonly port?: number;
  /** Close each socket (code 1000) after its last frame. Default false. */
  readonly closeWhenDone?: boolean;
  /** Wait while a socket buffers more than this before sending more (bytes). Default 1 MiB. */
  readonly highWaterMark?: number;
}

/**
 * Parses a JSONL fixture; throws `VALIDATION_FAILED` naming the first bad line.
 *
 * @example
 * const frames = parseFixture(await readFile('trades.jsonl', 'utf8'));
 */
export function parseFixture(text: string): FixtureFrame[] {
  const frames: FixtureFrame[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw createError('VALIDATION_FAILED', `fixture line ${i + 1}: not JSON`, {
        context: { what: 'fixture', path: String(i + 1) },
        cause: e,
      });
    }
    const f = v as Partial<FixtureFrame>;
    if (
      typeof f.receivedAt !== 'number' ||
      (typeof f.text !== 'string' && typeof f.binary !== 'string')
    ) {
      throw createError(
        'VALIDATION_FAILED',
        `fixture line ${i + 1}: expected {receivedAt, text|binary}`,
        {
          context: { what: 'fixture', path: String(i + 1) },
        },
      );
    }
    frames.push(f as FixtureFrame);
  }
  return frames;
}

/**
 * Replays a recorded fixture as a WebSocket server on 127.0.0.1: every client that
 * connects gets the whole recording, with the original gaps between frames divided by
 * `speed`.
 *
 * @example
 * await using replay = await new FixtureReplayer({ file: 'trades.jsonl', speed: 50 }).start();
 * const ws = new WebSocket(replay.url);
 */
export class FixtureReplayer {
  readonly #options: FixtureReplayerOptions;
  #frames: readonly FixtureFrame[] = [];
  #server: Server | undefined;
  #wss: WebSocketServer | undefined;
  readonly #timers = new Set<NodeJS.Timeout>();
  #sent = 0;

  constructor(options: FixtureReplayerOptions) {
    if (options.file === undefined && options.frames === undefined) {
      throw createError('INVALID_ARGUMENT', 'FixtureReplayer: give file or frames', {
        context: { argument: 'file' },
      });
    }
    const speed = options.speed ?? 1;
    if (!(speed > 0)) {
      throw createError('INVALID_ARGUMENT', 'FixtureReplayer: speed must be > 0', {
        context: { argument: 'speed' },
      });
    }
    this.#options = options;
  }

  /** `ws://127.0.0.1:<port>` (any path is accepted). */
  get url(): string {
    const addr = this.#server?.address() as AddressInfo | null | undefined;
    if (addr == null)
      throw createError('CLOSED', 'FixtureReplayer: not listening; call start() first');
    return `ws://127.0.0.1:${addr.port}`;
  }

  /** Number of frames loaded. */
  get frameCount(): number {
    return this.#frames.length;
  }

  /** Frames written to all clients so far. */
  get framesSent(): number {
    return this.#sent;
  }

  /** Loads the fixture and starts listening. */
  async start(options: { signal?: AbortSignal } = {}): Promise<this> {
    options.signal?.throwIfAborted();
    this.#frames =
      this.#options.frames ?? parseFixture(await readFile(this.#options.file as string, 'utf8'));
    const server = createServer((_req, res) => {
      res.writeHead(426).end();
    });
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    wss.on('connection', (ws) => this.#play(ws));
    this.#server = server;
    this.#wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port ?? 0, '127.0.0.1', () => resolve());
    });
    return this;
  }

  #play(ws: WebSocket): void {
    ws.on('error', () => {});
    const frames = this.#frames;
    const speed = this.#options.speed ?? 1;
    const highWaterMark = this.#options.highWaterMark ?? 1024 * 1024;
    const t0 = frames[0]?.receivedAt ?? 0;
    const start = performance.now();
    let i = 0;
    const next = (): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      while (i < frames.length) {
        const f = frames[i] as FixtureFrame;
        const due = speed === Number.POSITIVE_INFINITY ? 0 : (f.receivedAt - t0) / speed;
        const wait = due - (performance.now() - start);
        if (wait > 1) {
          const t = setTimeout(() => {
            this.#timers.delete(t);
            next();
          }, wait);
          this.#timers.add(t);
          return;
        }
        // Respect the socket's buffer: wait for it to drain instead of queueing everything.
        if (ws.bufferedAmount > highWaterMark) {
          const t = setTimeout(() => {
            this.#timers.delete(t);
            next();
          }, 1);
          this.#timers.add(t);
          return;
        }
        ws.send(f.text !== undefined ? f.text : Buffer.from(f.binary ?? '', 'base64'), {
          binary: f.text === undefined,
        });
        this.#sent += 1;
        i += 1;
      }
      if (this.#options.closeWhenDone === true) ws.close(1000, 'replay done');
    };
    next();
  }

  /** Stops playback and closes every socket and the server. */
  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const c of this.#wss?.clients ?? []) c.terminate();
    this.#wss?.close();
    const server = this.#server;
    if (server?.listening === true)
      await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Same as {@link close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
