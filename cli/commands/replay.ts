import { FixtureReplayer } from '../../src/testing/index.js';
import { durationOption, numberOption, stringOption } from '../args.js';
import { type Command, untilAborted } from '../command.js';
import { UsageError } from '../errors.js';

const help = `Usage: tickwire replay <file.jsonl> [options]

Serves a recording (from \`tickwire record\`) as a WebSocket server on 127.0.0.1: every
client that connects, on any path, gets the whole recording with its original timing
divided by --speed. Stops on Ctrl-C.

Options:
  --speed <n|max>      playback speed: 1 = recorded timing, 10 = ten times faster,
                       max = as fast as the socket drains (default 1)
  --port <port>        TCP port (default: any free port)
  --close-when-done    close each client's socket after the last frame
  --duration <s>       stop after this many seconds (default: until Ctrl-C)
  --json               print the listening URL as one JSON line
  --verbose            print stacks on errors
  -h, --help           this help

Example:
  tickwire replay o2-depth.jsonl --speed 5 --port 9000`;

/** `tickwire replay`. */
export const replayCommand: Command = {
  name: 'replay',
  summary: 'serve a recorded .jsonl file as a WebSocket server',
  help,
  maxPositionals: 1,
  options: {
    speed: { type: 'string' },
    port: { type: 'string' },
    'close-when-done': { type: 'boolean' },
    duration: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ io, signal }, values, positionals) {
    const file = positionals[0];
    if (file === undefined) throw new UsageError('missing <file.jsonl>', 'replay');
    const rawSpeed = stringOption(values, 'speed');
    const speed =
      rawSpeed === 'max'
        ? Number.POSITIVE_INFINITY
        : (numberOption(values, 'speed', 'replay', { min: 0.001, max: 1e6, integer: false }) ?? 1);
    const port = numberOption(values, 'port', 'replay', { min: 0, max: 65_535 }) ?? 0;
    const durationMs = durationOption(values, 'replay');
    await using replayer = await new FixtureReplayer({
      file,
      speed,
      port,
      closeWhenDone: values['close-when-done'] === true,
    }).start({ signal });
    if (values['json'] === true) {
      io.out(
        JSON.stringify({ url: replayer.url, frames: replayer.frameCount, speed: rawSpeed ?? '1' }),
      );
    } else {
      io.out(
        `replaying ${replayer.frameCount} frames from ${file} on ${replayer.url} (speed ${speed === Number.POSITIVE_INFINITY ? 'max' : `${speed}x`})`,
      );
    }
    await untilAborted(signal, durationMs);
    io.err(`replay stopped: ${replayer.framesSent} frames sent`);
    return 0;
  },
};
