import type { OptionSpec, OptionValues } from './args.js';
import type { CliIo } from './io.js';

/** What a running command gets besides its arguments. */
export interface CommandContext {
  readonly io: CliIo;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: long-running commands stop and exit 0. */
  readonly signal: AbortSignal;
}

/**
 * One `tickwire <command>`: its help and options (loaded at start) and its implementation
 * (loaded when it runs).
 *
 * @example
 * const run = await streamCommand.load();
 * const code = await run({ io, signal }, { json: true }, ['o2', 'trades', 'FUEL/USDC']);
 */
export interface Command {
  readonly name: string;
  /** One line for `tickwire --help`. */
  readonly summary: string;
  /** The full `tickwire <command> --help` text. */
  readonly help: string;
  readonly options: OptionSpec;
  /** Most positional arguments accepted (more is a usage error). */
  readonly maxPositionals: number;
  /** Argument checks that need no SDK code (throw a `UsageError`); run before {@link Command.load}. */
  precheck?(values: OptionValues, positionals: readonly string[]): void;
  /** Loads the implementation (on demand: help and usage errors do not load the SDK). */
  load(): Promise<CommandRun>;
}

/** A command's implementation: runs it and resolves with the exit code. */
export type CommandRun = (
  ctx: CommandContext,
  values: OptionValues,
  positionals: readonly string[],
) => Promise<number>;

/**
 * Resolves when `signal` aborts or `ms` elapses (never, when `ms` is undefined).
 *
 * @example
 * await untilAborted(signal, durationMs);
 */
export function untilAborted(signal: AbortSignal, ms?: number): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = ms === undefined ? undefined : setTimeout(done, ms);
    function done(): void {
      if (timer !== undefined) clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * A signal that aborts with `parent` or after `ms` (when given); `dispose()` clears the
 * timer. A plain timer, not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: in Node 20
 * the timeout signal inside `any()` may be garbage-collected before it fires, and the
 * composite then never aborts (nodejs/node#57736).
 *
 * @example
 * const { signal, dispose } = withDuration(ctx.signal, 15_000);
 * try { await work(signal); } finally { dispose(); }
 */
export function withDuration(
  parent: AbortSignal,
  ms: number | undefined,
): { signal: AbortSignal; dispose: () => void } {
  if (ms === undefined) return { signal: parent, dispose: () => {} };
  const controller = new AbortController();
  const abort = (): void => controller.abort(parent.aborted ? parent.reason : undefined);
  const timer = setTimeout(abort, ms);
  parent.addEventListener('abort', abort, { once: true });
  if (parent.aborted) abort();
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', abort);
    },
  };
}
