import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

/** The repository root and the `tickwire` bin, run as a user runs it. */
export const root = path.join(__dirname, '../..');
export const bin = path.join(root, 'bin/tickwire.cjs');

/** What a finished command printed and its exit code. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const children = new Set<ChildProcess>();

/** Environment of spawned commands: no colours, no CI-specific behaviour leaking in. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, NO_COLOR: '1', ...extra };
}

/**
 * Runs `node <args>` (the bin by default) to completion and collects its output.
 *
 * @example
 * const { code, stderr } = await runNode([bin, 'frob']);
 */
export function runNode(args: readonly string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: env(extraEnv) });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Runs `tickwire <args>` to completion.
 *
 * @example
 * const { code, stdout } = await runCli(['--help']);
 */
export function runCli(args: readonly string[]): Promise<CliResult> {
  return runNode([bin, ...args]);
}

/** A long-running command (simulate, replay) and the first line it printed. */
export interface RunningCli {
  readonly child: ChildProcess;
  readonly firstLine: string;
  /** Stops it with SIGINT (Ctrl-C) and resolves with its exit code and output. */
  stop(): Promise<CliResult>;
  /** Resolves when it exits by itself. */
  readonly closed: Promise<CliResult>;
}

/**
 * Starts `tickwire <args>` and resolves once it printed its first stdout line.
 *
 * @example
 * const sim = await startCli(['simulate', '--exchange', 'o2', '--json']);
 * const { url } = JSON.parse(sim.firstLine);
 */
export function startCli(args: readonly string[]): Promise<RunningCli> {
  return startNode([bin, ...args]);
}

/**
 * Starts `node <args>` and resolves once it printed a stdout line matching `ready`
 * (default: any line); `firstLine` is that line.
 *
 * @example
 * const demo = await startNode(['scripts/start.mjs'], /\] book .* live/);
 */
export function startNode(args: readonly string[], ready: RegExp = /^/): Promise<RunningCli> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env: env() });
    children.add(child);
    let stdout = '';
    let stderr = '';
    let started = false;
    const closed = new Promise<CliResult>((done) => {
      child.once('close', (code) => {
        children.delete(child);
        done({ code, stdout, stderr });
        if (!started) reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`));
      });
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (started) return;
      const line = stdout.split('\n').find((l, i, all) => i < all.length - 1 && ready.test(l));
      if (line !== undefined) {
        started = true;
        resolve({
          child,
          firstLine: line,
          closed,
          stop: () => {
            child.kill('SIGINT');
            return closed;
          },
        });
      }
    });
  });
}

/** Kills whatever a test left running (afterEach). */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...children].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('close', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
  children.clear();
}

/**
 * A loopback port nothing listens on (bound, then released).
 *
 * @example
 * const url = `http://127.0.0.1:${await closedPort()}`;
 */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
