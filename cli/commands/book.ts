import { connectionHelp, connectionOptions } from '../args.js';
import { exchangeName, exchangeNames } from '../names.js';
import type { Command } from '../command.js';
const help = `Usage: tickwire book <exchange> <market> [options]

A live view of the SDK's maintained order book for one market: the best levels of each
side, the spread, the last trades, message rate, reconnects and resyncs. In a terminal
it redraws in place; piped, it prints one line per --interval (or JSON with --json).
Stops after --duration or Ctrl-C.

Arguments:
  <exchange>           ${exchangeNames.join(', ')}
  <market>             market symbol or id

Options:
  --depth <n>          levels per side (default 10)
  --interval <s>       seconds between lines when not a terminal (default 1)
  --json               one JSON object per --interval: {market, bids, asks, synced,
                       messagesIn, reconnects, resyncs} (exact decimal strings)
  --duration <s>       stop after this many seconds
  --verbose            print stacks on errors
  -h, --help           this help

${connectionHelp}

Environment: NO_COLOR=1 turns colours off.

Example:
  tickwire book o2 fETH/fUSDC --url http://127.0.0.1:8080 --depth 5`;

/** `tickwire book`. */
export const bookCommand: Command = {
  name: 'book',
  summary: 'live order book view of one market',
  help,
  maxPositionals: 2,
  options: {
    ...connectionOptions,
    depth: { type: 'string' },
    interval: { type: 'string' },
    json: { type: 'boolean' },
    duration: { type: 'string' },
  },
  precheck: (_values, positionals) => void exchangeName(positionals[0], 'book'),
  load: async () => (await import('./book-run.js')).run,
};
