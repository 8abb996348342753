import type { Command } from '../command.js';
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
  load: async () => (await import('./replay-run.js')).run,
};
