import { durationOption, numberOption, type OptionValues } from '../args.js';
import { type CommandContext, withDuration } from '../command.js';
import { UsageError } from '../errors.js';
import { exchangeSpec, marketChannel, resolveEndpoints, resolveMarkets } from '../exchanges.js';
import { openFeed } from '../feed.js';
import { clock, depthLine, tradeLine } from '../format.js';
import { createStyles } from '../ui/ansi.js';

/** Runs `tickwire stream` (loaded on demand, so help and usage errors start fast). */
export async function run(
  { io, signal: stopSignal }: CommandContext,
  values: OptionValues,
  positionals: readonly string[],
): Promise<number> {
  const [exchange, channelName, marketName] = positionals;
  const spec = exchangeSpec(exchange, 'stream');
  const channel = marketChannel(spec, channelName, 'stream');
  if (marketName === undefined) throw new UsageError('missing <market>', 'stream');
  const count = numberOption(values, 'count', 'stream', { min: 1, max: 1e12 });
  const durationMs = durationOption(values, 'stream');
  const json = values['json'] === true;
  const endpoints = resolveEndpoints(spec, values, 'stream');
  const feed = openFeed(spec, endpoints, 'stream');
  const { signal, dispose } = withDuration(stopSignal, durationMs);
  const s = createStyles(io.color);
  let seen = 0;
  try {
    const [market] = await resolveMarkets(
      spec,
      (s) => feed.markets(s),
      [marketName],
      signal,
      'stream',
    );
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
    dispose();
    await feed.close();
  }
  return 0;
}
