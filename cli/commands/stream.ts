import { connectionHelp, connectionOptions, durationOption, numberOption } from '../args.js';
import { type Command, withDuration } from '../command.js';
import { UsageError } from '../errors.js';
import {
  exchangeNames,
  exchangeSpec,
  marketChannel,
  resolveEndpoints,
  resolveMarkets,
} from '../exchanges.js';
import { openFeed } from '../feed.js';
import { clock, depthLine, tradeLine } from '../format.js';
import { createStyles } from '../ui/ansi.js';

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
  async run({ io, signal: stopSignal }, values, positionals) {
    const [exchange, channelName, marketName] = positionals;
    const spec = exchangeSpec(exchange, 'stream');
    const channel = marketChannel(spec, channelName, 'stream');
    if (marketName === undefined) throw new UsageError('missing <market>', 'stream');
    const count = numberOption(values, 'count', 'stream', { min: 1, max: 1e12 });
    const durationMs = durationOption(values, 'stream');
    const json = values['json'] === true;
    const endpoints = resolveEndpoints(spec, values, 'stream');
    const feed = openFeed(spec, endpoints, 'stream');
    const signal = withDuration(stopSignal, durationMs);
    const s = createStyles(io.color);
    let seen = 0;
    try {
      const [market] = await resolveMarkets(spec, endpoints, [marketName], signal, 'stream');
      if (market === undefined) return 0;
      if (channel === 'depth') {
        for await (const u of feed.depth(market, signal)) {
          const line = depthLine(spec, market, u);
          if (json) io.out(JSON.stringify(line));
          else {
            const best = (side: readonly (readonly [string, string])[]): string =>
              side[0] === undefined ? '–' : `${side[0][0]} x ${side[0][1]}`;
            io.out(
              `${s.dim(clock(u.receivedAt))} ${line.market} ${u.kind === 'snapshot' ? s.cyan('snapshot') : 'delta   '} ` +
                `bids ${String(line.bids.length).padStart(3)} asks ${String(line.asks.length).padStart(3)}  ` +
                `${s.green(best(line.bids))} / ${s.red(best(line.asks))}`,
            );
          }
          if (count !== undefined && ++seen >= count) break;
        }
      } else {
        for await (const t of feed.trades(market, signal)) {
          const line = tradeLine(spec, t);
          if (json) io.out(JSON.stringify(line));
          else {
            const side = t.side === 'buy' ? s.green('buy ') : s.red('sell');
            io.out(
              `${s.dim(clock(t.time))} ${line.market} ${side} ${line.quantity} @ ${line.price}  ${s.dim(`id ${line.id}`)}`,
            );
          }
          if (count !== undefined && ++seen >= count) break;
        }
      }
    } catch (e) {
      // --duration or Ctrl-C ends the loop through the signal: that is a normal stop.
      if (!signal.aborted) throw e;
    } finally {
      await feed.close();
    }
    return 0;
  },
};
