import { connectionHelp, connectionOptions } from '../args.js';
import { exchangeName, exchangeNames } from '../names.js';
import type { Command } from '../command.js';
const help = `Usage: tickwire record <exchange> <channel...> --market <market> --out <file.jsonl> [options]

Records the raw WebSocket frames of one or more channels into a JSONL fixture, one
{"receivedAt": <epoch ms>, "text": "<frame>"} per line, exactly as received. Serve it
again with \`tickwire replay\`. Stops after --frames, --duration or Ctrl-C.

Arguments:
  <exchange>           ${exchangeNames.join(', ')}
  <channel...>         depth, trades (one or both)

Options:
  --market <market>    market symbol or id; repeat for several markets (required)
  --out <file>         the .jsonl file to write (required; overwritten)
  --frames <n>         stop after this many frames
  --duration <s>       stop after this many seconds
  --verbose            print stacks on errors
  -h, --help           this help

${connectionHelp}

Example:
  tickwire record o2 depth trades --market fFUEL/fUSDC --out o2.jsonl --frames 500 --url http://127.0.0.1:8080`;

/** `tickwire record`. */
export const recordCommand: Command = {
  name: 'record',
  summary: 'record raw frames of channels into a .jsonl fixture',
  help,
  maxPositionals: 8,
  options: {
    ...connectionOptions,
    market: { type: 'string', multiple: true },
    out: { type: 'string' },
    frames: { type: 'string' },
    duration: { type: 'string' },
  },
  precheck: (_values, positionals) => void exchangeName(positionals[0], 'record'),
  load: async () => (await import('./record-run.js')).run,
};
