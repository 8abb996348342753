/**
 * Where the command line writes and what it knows about the terminal. `main()` takes one so
 * tests and the demo can run commands without touching `process`.
 *
 * @example
 * const io = processIo();
 * io.out('hello');
 */
export interface CliIo {
  /** Writes one line (a newline is added) to standard output. */
  out(line: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  /** Writes raw text to standard output (screen redraws). */
  write(text: string): void;
  /** True when standard output is a terminal: live views redraw in place. */
  readonly isTTY: boolean;
  /** True when colours may be used (a TTY and `NO_COLOR` unset or empty). */
  readonly color: boolean;
  /** Terminal width in columns (80 when unknown). */
  readonly columns: number;
}

/**
 * The {@link CliIo} of this process: `NO_COLOR` (any non-empty value, see no-color.org)
 * turns colours off, and so does a non-TTY standard output.
 *
 * @example
 * const io = processIo();
 * if (io.isTTY) io.write('\x1b[2J');
 */
export function processIo(env: NodeJS.ProcessEnv = process.env): CliIo {
  const isTTY = process.stdout.isTTY === true;
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    write: (text) => process.stdout.write(text),
    isTTY,
    color: isTTY && !noColor && env['TERM'] !== 'dumb',
    get columns() {
      return process.stdout.columns || 80;
    },
  };
}
