import { FixtureReplayer } from '../../src/testing/index.js';
import { durationOption, numberOption, stringOption, type OptionValues } from '../args.js';
import { type CommandContext, untilAborted } from '../command.js';
import { UsageError } from '../errors.js';

/** Runs `tickwire replay` (loaded on demand, so help and usage errors start fast). */
export async function run(
  { io, signal }: CommandContext,
  values: OptionValues,
  positionals: readonly string[],
): Promise<number> {
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
}
