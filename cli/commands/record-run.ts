import { recordFixture } from '../../src/testing/index.js';
import { durationOption, numberOption, stringOption, type OptionValues } from '../args.js';
import type { CommandContext } from '../command.js';
import { UsageError } from '../errors.js';
import { exchangeSpec, marketChannel, resolveEndpoints, resolveMarkets } from '../exchanges.js';

/** Runs `tickwire record` (loaded on demand, so help and usage errors start fast). */
export async function run(
  { io, signal }: CommandContext,
  values: OptionValues,
  positionals: readonly string[],
): Promise<number> {
  const [exchange, ...channelNames] = positionals;
  const spec = exchangeSpec(exchange, 'record');
  if (channelNames.length === 0) {
    throw new UsageError(`missing <channel> (${spec.channels.join(', ')})`, 'record');
  }
  const channels = [...new Set(channelNames.map((c) => marketChannel(spec, c, 'record')))];
  const marketNames = (values['market'] as string[] | undefined) ?? [];
  if (marketNames.length === 0) throw new UsageError('missing --market <market>', 'record');
  const out = stringOption(values, 'out');
  if (out === undefined) throw new UsageError('missing --out <file.jsonl>', 'record');
  const maxFrames = numberOption(values, 'frames', 'record', { min: 1, max: 1e9 });
  const durationMs = durationOption(values, 'record');
  const endpoints = resolveEndpoints(spec, values, 'record');

  const markets = await resolveMarkets(
    spec,
    (s) => spec.loadMarkets(endpoints, s),
    marketNames,
    signal,
    'record',
  );
  const subscriptions = markets.flatMap((market) =>
    channels.map((channel) => ({ channel, market })),
  );
  const source = spec.rawSubscription(endpoints, subscriptions);
  io.err(
    `recording ${channels.join(', ')} of ${markets.map((m) => m.symbol).join(', ')} from ${source.url} into ${out}` +
      (maxFrames === undefined && durationMs === undefined ? ' (Ctrl-C to stop)' : ''),
  );
  const count = await recordFixture({
    url: source.url,
    file: out,
    send: source.send,
    signal,
    ...(maxFrames === undefined ? {} : { maxFrames }),
    ...(durationMs === undefined ? {} : { durationMs }),
  });
  io.err(`recorded ${count} frame${count === 1 ? '' : 's'} into ${out}`);
  return 0;
}
