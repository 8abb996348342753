import { stringOption } from '../args.js';
import { exchangeName, exchangeNames } from '../names.js';
import type { Command } from '../command.js';
const help = `Usage: tickwire simulate --exchange <${exchangeNames.join('|')}> [options]

Runs an exchange simulator on 127.0.0.1: the exchange's real REST and WebSocket protocol,
seeded markets (the same seed gives the same frames), a matching engine and fault
injection. Point a bot, or \`tickwire stream --url\`, at it. Stops on Ctrl-C.

Options:
  --exchange <name>    protocol to speak: ${exchangeNames.join(', ')} (required)
  --port <port>        TCP port (default: any free port)
  --seed <n>           market seed (default 1)
  --rate <n>           market events per second (default 20)
  --faults <file>      a JSON fault scenario: {"steps":[{"atMs":2000,"fault":
                       {"kind":"dropConnections"}},{"afterEvents":500,"fault":
                       {"kind":"stall","durationMs":3000}}]}
  --duration <s>       stop after this many seconds (default: until Ctrl-C)
  --json               print the listening URLs as one JSON line
  --verbose            print stacks on errors
  -h, --help           this help

Example:
  tickwire simulate --exchange o2 --port 8080 --seed 7
  tickwire stream o2 depth fFUEL/fUSDC --url http://127.0.0.1:8080`;

/** `tickwire simulate`. */
export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run an exchange simulator (O2 or Binance protocol) on 127.0.0.1',
  help,
  maxPositionals: 0,
  options: {
    exchange: { type: 'string' },
    port: { type: 'string' },
    seed: { type: 'string' },
    rate: { type: 'string' },
    faults: { type: 'string' },
    duration: { type: 'string' },
    json: { type: 'boolean' },
  },
  precheck: (values) => void exchangeName(stringOption(values, 'exchange'), 'simulate'),
  load: async () => (await import('./simulate-run.js')).run,
};
