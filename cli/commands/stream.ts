import { connectionHelp, connectionOptions } from '../args.js';
import { exchangeName, exchangeNames } from '../names.js';
import type { Command } from '../command.js';
const help = `Usage: tickwire stream <exchange> <channel> <market> [options]

Prints a channel as it flows through the SDK's typed streams: one line per event, or
one JSON object per line with --json (for jq and friends). Stops after --count,
--duration or Ctrl-C.

Arguments:
  <exchange>           ${exchangeNames.join(', ')}
  <channel>            depth (snapshot, then deltas) or trades
  <market>             market symbol or id (fFUEL/fUSDC, BTC/USDT, BTCUSDT…)

Options:
  --json               JSON lines: depth {exchange, channel, market, kind, bids, asks,
                       sequence?, exchangeTime?, receivedAt}; trades {exchange, channel,
                       market, id, price, quantity, side, time}; prices and sizes are
                       exact decimal strings in human units
  --count <n>          stop after n events
  --duration <s>       stop after this many seconds
  --verbose            print stacks on errors
  -h, --help           this help

${connectionHelp}

Example:
  tickwire stream o2 trades FUEL/USDC --network mainnet
  tickwire stream binance depth BTC/USDT --json | jq .bids[0]`;

/** `tickwire stream`. */
export const streamCommand: Command = {
  name: 'stream',
  summary: 'print a channel (depth, trades) as it flows, or as JSON lines',
  help,
  maxPositionals: 3,
  options: {
    ...connectionOptions,
    json: { type: 'boolean' },
    count: { type: 'string' },
    duration: { type: 'string' },
  },
  precheck: (_values, positionals) => void exchangeName(positionals[0], 'stream'),
  load: async () => (await import('./stream-run.js')).run,
};
