import { recordFixture } from '../../src/testing/index.js';
import {
  connectionHelp,
  connectionOptions,
  durationOption,
  numberOption,
  stringOption,
} from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import {
  exchangeNames,
  exchangeSpec,
  marketChannel,
  resolveEndpoints,
  resolveMarkets,
} from '../exchanges.js';

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
  async run({ io, signal }, values, positionals) {
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

    const markets = await resolveMarkets(spec, endpoints, marketNames, signal, 'record');
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
  },
};
