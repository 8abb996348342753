import { createWriteStream } from 'node:fs';
import { WebSocket } from 'ws';
import { createError } from '../errors/index.js';

/**
 * One line of a JSONL fixture: the receive time (epoch ms) and the frame exactly as
 * received (`text`), or base64 for a binary frame (`binary`).
 *
 * @example
 * {"receivedAt":1767225600123,"text":"{\"e\":\"trade\",…}"}
 */
export interface FixtureFrame {
  readonly receivedAt: number;
  readonly text?: string;
  readonly binary?: string;
}

/**
 * Options of {@link recordFixture}.
 *
 * @example
 * await recordFixture({ url, file: 'fixtures/binance/btcusdt-depth.jsonl', maxFrames: 500 });
 */
export interface RecordFixtureOptions {
  /** Any WebSocket URL (the simulator, a replayer, a real exchange). */
  readonly url: string;
  /** The JSONL file to write (overwritten). */
  readonly file: string;
  /** Text frames sent right after the socket opens (subscribe messages). Default none. */
  readonly send?: readonly string[];
  /** Stop after this many frames. Default unlimited. */
  readonly maxFrames?: number;
  /** Stop after this long (ms). Default unlimited (then `maxFrames` or `signal` must end it). */
  readonly durationMs?: number;
  /** Stops the recording (the file keeps what was received). */
  readonly signal?: AbortSignal;
  /** Clock for `receivedAt`. Default `Date.now`. */
  readonly clock?: () => number;
}

/**
 * Records the frames of a WebSocket URL into a JSONL fixture, one {@link FixtureFrame} per
 * line, with receive timestamps. Resolves with the number of frames written when
 * `maxFrames`, `durationMs` or `signal` ends it, or when the server closes the socket.
 *
 * @example
 * const n = await recordFixture({
 *   url: `${sim.wsUrl}/ws/btcusdt@trade`, file: 'trades.jsonl', maxFrames: 100,
 * });
 */
export async function recordFixture(options: RecordFixtureOptions): Promise<number> {
  if (
    options.maxFrames === undefined &&
    options.durationMs === undefined &&
    options.signal === undefined
  ) {
    throw createError(
      'INVALID_ARGUMENT',
      'recordFixture: give maxFrames, durationMs or signal so it ends',
      {
        context: { argument: 'maxFrames' },
      },
    );
  }
  options.signal?.throwIfAborted();
  const clock = options.clock ?? Date.now;
  const out = createWriteStream(options.file, { encoding: 'utf8' });
  const ws = new WebSocket(options.url, { perMessageDeflate: false });
  let count = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const stop = (): void => {
        ws.removeAllListeners('message');
        resolve();
      };
      ws.once('open', () => {
        for (const frame of options.send ?? []) ws.send(frame);
        if (options.durationMs !== undefined) timer = setTimeout(stop, options.durationMs);
      });
      ws.on('message', (data, isBinary) => {
        const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
        const line: FixtureFrame = isBinary
          ? { receivedAt: clock(), binary: buf.toString('base64') }
          : { receivedAt: clock(), text: buf.toString('utf8') };
        out.write(`${JSON.stringify(line)}\n`);
        count += 1;
        if (options.maxFrames !== undefined && count >= options.maxFrames) stop();
      });
      ws.once('close', () => resolve());
      ws.once('error', (e) =>
        reject(
          createError('TRANSPORT_CONNECTION_FAILED', `recordFixture: ${e.message}`, { cause: e }),
        ),
      );
      options.signal?.addEventListener('abort', stop, { once: true });
    });
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    ws.terminate();
    await new Promise<void>((resolve) => out.end(resolve));
  }
  return count;
}
