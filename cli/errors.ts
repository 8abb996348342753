import { isTickwireError } from '../src/errors/index.js';

/**
 * A mistake in how the command was called (unknown command, bad flag or value, unknown
 * market): the command prints the message and exits with code 2.
 *
 * @example
 * throw new UsageError('unknown channel "book"; channels: depth, trades', 'stream');
 */
export class UsageError extends Error {
  /** The command whose `--help` the message points to, when there is one. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}

/** Exit code of a usage error (the POSIX convention for bad arguments). */
export const EXIT_USAGE = 2;
/** Exit code of a failure at run time (network, exchange, file). */
export const EXIT_FAILURE = 1;

/**
 * The exit code and the message lines for an error that ended a command: usage errors and
 * unknown markets exit 2, everything else 1; the stack (and the cause chain) only with
 * `verbose`.
 *
 * @example
 * const { code, lines } = describeFailure(e, { verbose: false });
 */
export function describeFailure(
  error: unknown,
  options: { verbose: boolean },
): { code: number; lines: string[] } {
  if (error instanceof UsageError) {
    const lines = [`tickwire: ${error.message}`];
    lines.push(
      error.command === undefined
        ? 'Run `tickwire --help` for the commands.'
        : `Run \`tickwire ${error.command} --help\` for its usage.`,
    );
    return { code: EXIT_USAGE, lines };
  }
  const usage =
    isTickwireError(error, 'UNKNOWN_MARKET') || isTickwireError(error, 'UNSUPPORTED_CHANNEL');
  const lines = [`tickwire: ${headline(error)}`];
  if (options.verbose) {
    let e: unknown = error;
    for (let depth = 0; e !== undefined && depth < 8; depth++) {
      if (e instanceof Error) {
        lines.push(depth === 0 ? (e.stack ?? e.message) : `caused by: ${e.stack ?? e.message}`);
        e = e.cause;
      } else {
        lines.push(`caused by: ${String(e)}`);
        e = undefined;
      }
    }
  } else if (!usage) {
    lines.push('(run with --verbose for details)');
  }
  return { code: usage ? EXIT_USAGE : EXIT_FAILURE, lines };
}

function headline(error: unknown): string {
  if (isTickwireError(error)) {
    const why = rootCauseMessage(error.cause);
    const base = `${error.message} [${error.code}]`;
    return why === undefined || error.message.includes(why) ? base : `${base}: ${why}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** The innermost cause's message (e.g. `connect ECONNREFUSED 127.0.0.1:9`). */
function rootCauseMessage(cause: unknown): string | undefined {
  let e = cause;
  let message: string | undefined;
  for (let depth = 0; e instanceof Error && depth < 8; depth++) {
    if (e.message !== '') message = e.message;
    e = e.cause;
  }
  return message;
}
