import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

/** Option definitions in `node:util` `parseArgs` form. */
export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parsed option values, before the per-option checks. */
export type OptionValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

/** Options every command accepts. */
export const commonOptions = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean' },
} as const satisfies OptionSpec;

/** Where to connect: a network preset or explicit URLs (commands that talk to an exchange). */
export const connectionOptions = {
  network: { type: 'string' },
  url: { type: 'string' },
  'rest-url': { type: 'string' },
  'ws-url': { type: 'string' },
} as const satisfies OptionSpec;

/** Help text of the connection options, shared by the commands that take them. */
export const connectionHelp = `Connection:
  --network <name>     exchange network preset (o2: mainnet, testnet, devnet; binance:
                       mainnet, testnet). Default: o2 testnet, binance mainnet
  --url <url>          base URL of a \`tickwire simulate\` server or another exchange
                       double: REST at <url>, WebSocket at the same host (ws://, the
                       exchange's socket path added)
  --rest-url <url>     REST base URL (overrides --network and --url)
  --ws-url <url>       WebSocket URL (overrides --network and --url)`;

/**
 * Parses one command's arguments strictly: an unknown option, a missing value or an extra
 * positional is a {@link UsageError} naming it.
 *
 * @example
 * const { values, positionals } = parseCommandArgs('replay', argv, { speed: { type: 'string' } }, 1);
 */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: OptionSpec,
  maxPositionals: number,
): { values: OptionValues; positionals: string[] } {
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...commonOptions, ...options },
      allowPositionals: true,
      strict: true,
    }) as { values: OptionValues; positionals: string[] };
  } catch (e) {
    throw new UsageError(explainParseError(e), command);
  }
  if (parsed.values['help'] !== true && parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals.slice(maxPositionals).join(' ');
    throw new UsageError(`unexpected argument${extra.includes(' ') ? 's' : ''}: ${extra}`, command);
  }
  return parsed;
}

function explainParseError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  const option = /'(-[^' ]*)/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return option !== undefined && message.includes('argument missing')
        ? `option ${option} needs a value`
        : `bad value: ${message}`;
    default:
      return message;
  }
}

/**
 * A string option, or `undefined`.
 *
 * @example
 * const out = stringOption(values, 'out');
 */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/**
 * A numeric option within `[min, max]` (integers only unless `integer: false`);
 * anything else is a {@link UsageError}.
 *
 * @example
 * const port = numberOption(values, 'port', 'simulate', { min: 0, max: 65535 });
 */
export function numberOption(
  values: OptionValues,
  name: string,
  command: string,
  range: { min: number; max: number; integer?: boolean },
): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  const integer = range.integer ?? true;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < range.min || n > range.max) {
    const what = integer ? 'an integer' : 'a number';
    throw new UsageError(
      `--${name} must be ${what} from ${range.min} to ${range.max}, got ${JSON.stringify(raw)}`,
      command,
    );
  }
  return n;
}

/**
 * A `--duration` in seconds (fractions allowed) as milliseconds.
 *
 * @example
 * const ms = durationOption(values, 'stream'); // --duration 1.5 → 1500
 */
export function durationOption(values: OptionValues, command: string): number | undefined {
  const s = numberOption(values, 'duration', command, {
    min: 0.001,
    max: 86_400 * 365,
    integer: false,
  });
  return s === undefined ? undefined : Math.round(s * 1000);
}
