import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseCommandArgs } from './args.js';
import type { Command } from './command.js';
import { bookCommand } from './commands/book.js';
import { recordCommand } from './commands/record.js';
import { replayCommand } from './commands/replay.js';
import { simulateCommand } from './commands/simulate.js';
import { streamCommand } from './commands/stream.js';
import { describeFailure, EXIT_USAGE, UsageError } from './errors.js';
import { type CliIo, processIo } from './io.js';

const commands: readonly Command[] = [
  streamCommand,
  bookCommand,
  recordCommand,
  replayCommand,
  simulateCommand,
];

function version(): string {
  // Compiled to dist/cjs/cli/main.js or to a build cache under node_modules: look upwards.
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'tickwire' && pkg.version !== undefined) return pkg.version;
    } catch {
      // no package.json at this level
    }
    dir = dirname(dir);
  }
  return 'unknown';
}

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `Usage: tickwire <command> [arguments] [options]

Look at exchange streams from a terminal, record and replay them, run a simulator.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options:
  -h, --help     help (also \`tickwire <command> --help\`)
  --version      print the version
  --verbose      print stacks on errors

Exit codes: 0 done, 1 failure at run time (network, exchange, file), 2 usage error.

Try it without keys or network:
  tickwire simulate --exchange o2 --port 8080
  tickwire book o2 fFUEL/fUSDC --url http://127.0.0.1:8080`;
}

/**
 * Runs the `tickwire` command line with `argv` (without `node` and the script) and resolves
 * with the exit code: 0 done, 1 failure at run time, 2 usage error. Ctrl-C (SIGINT) and
 * SIGTERM stop a running command cleanly (exit 0).
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const verbose = argv.includes('--verbose');
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const about = first === 'help' ? rest[0] : undefined;
    const command = commands.find((c) => c.name === about);
    io.out(command?.help ?? topHelp());
    return first === undefined ? EXIT_USAGE : 0;
  }
  if (first === '--version' || first === '-v') {
    io.out(version());
    return 0;
  }
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // `tickwire stream … | head`: when the reader goes away, stop like Ctrl-C. The listener
  // stays: writes already queued fail after the command ended too (EPIPE), and an
  // unhandled stream error would crash the process with a stack.
  process.stdout.on('error', stop);
  try {
    const command = commands.find((c) => c.name === first);
    if (command === undefined) {
      throw new UsageError(
        first.startsWith('-')
          ? `unknown option ${first} (give a command first)`
          : `unknown command ${JSON.stringify(first)} (commands: ${commands.map((c) => c.name).join(', ')})`,
      );
    }
    const { values, positionals } = parseCommandArgs(
      command.name,
      rest,
      command.options,
      command.maxPositionals,
    );
    if (values['help'] === true) {
      io.out(command.help);
      return 0;
    }
    command.precheck?.(values, positionals);
    const run = await command.load();
    return await run({ io, signal: controller.signal }, values, positionals);
  } catch (e) {
    // Ctrl-C while connecting: the abort surfaces as an error, but the user asked to stop.
    if (controller.signal.aborted && !(e instanceof UsageError)) return 0;
    const { code, lines } = describeFailure(e, { verbose });
    for (const line of lines) io.err(line);
    return code;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
