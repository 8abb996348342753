import { ExchangeSimulator } from '../../src/testing/index.js';
import { createO2SimulatorProtocol } from '../../adapters/o2/index.js';
import { durationOption, numberOption, parseCommandArgs } from '../../cli/args.js';
import { describeFailure } from '../../cli/errors.js';
import { DemoBot } from '../demo-bot.js';
import { DemoView, type DemoOutput } from './view.js';

const help = `Usage: npm start [-- options]

The tickwire demo: an O2 exchange simulator on 127.0.0.1 (fixed seed, no network, no
keys) and a bot that follows two markets through the SDK — maintained books, trades,
message rate, latency, reconnects and resyncs. Midway the exchange drops every
connection, later it stalls; watch the SDK recover. Ctrl-C quits.

Options:
  --duration <s>   stop after this many seconds (default: until Ctrl-C)
  --seed <n>       market seed (default 7)
  --rate <n>       market events per second (default 40)
  --depth <n>      levels per side shown (default 5)
  -h, --help       this help

Not a terminal (piped, CI): plain lines instead of the live view. NO_COLOR=1: no colours.`;

/**
 * When the demo's faults fire (ms from the start) and how long the stall lasts.
 *
 * @example
 * const plan: DemoFaultPlan = { dropAtMs: 4500, stallAtMs: 7500, stallMs: 3000 };
 */
export interface DemoFaultPlan {
  /** A depth update silently lost (O2 has no sequence numbers); `undefined`: none. */
  readonly skipAtMs?: number;
  readonly dropAtMs: number;
  readonly stallAtMs: number;
  readonly stallMs: number;
  /** Repeat the plan this often (ms) when the demo runs until Ctrl-C. */
  readonly repeatMs?: number;
}

/**
 * The fault plan. Until Ctrl-C: a silently lost depth update at 5 s, the connection drop
 * at 14 s, a 3 s stall at 22 s, again every 30 s. With a duration: the same at 15 %, 40 %
 * and 65 % of it when it is 30 s or more; for shorter runs only the drop (30 %) and the
 * stall (50 %), since finding a lost update takes two verification rounds.
 *
 * @example
 * faultPlan(15_000); // { dropAtMs: 4500, stallAtMs: 7500, stallMs: 3000 }
 */
export function faultPlan(durationMs: number | undefined): DemoFaultPlan {
  if (durationMs === undefined) {
    return { skipAtMs: 5000, dropAtMs: 14_000, stallAtMs: 22_000, stallMs: 3000, repeatMs: 30_000 };
  }
  if (durationMs >= 30_000) {
    return {
      skipAtMs: Math.round(durationMs * 0.15),
      dropAtMs: Math.round(durationMs * 0.4),
      stallAtMs: Math.round(durationMs * 0.65),
      stallMs: 3000,
    };
  }
  return {
    dropAtMs: Math.round(durationMs * 0.3),
    stallAtMs: Math.round(durationMs * 0.5),
    stallMs: Math.min(3000, Math.round(durationMs * 0.2)),
  };
}

/**
 * Compares the bot's books with the simulator's truth (top `depth` levels, exact wire
 * strings); retried for up to `withinMs`, since a frame may be on its way.
 */
async function booksMatchTruth(
  bot: DemoBot,
  sim: ExchangeSimulator,
  depth: number,
  withinMs: number,
): Promise<{ symbol: string; ok: boolean }[]> {
  const check = (): { symbol: string; ok: boolean }[] =>
    bot.markets.map((m) => {
      const id = bot.adapter.markets.find(m.symbol)?.id;
      const book = m.book;
      if (id === undefined || book === undefined || !book.isSynced)
        return { symbol: m.symbol, ok: false };
      const truth = sim.book(id, depth);
      const same = (
        mine: readonly { price: string; quantity: string }[],
        theirs: readonly (readonly [string, string])[],
      ): boolean =>
        mine.length === theirs.length &&
        mine.every((l, i) => l.price === theirs[i]?.[0] && l.quantity === theirs[i]?.[1]);
      return {
        symbol: m.symbol,
        ok: same(book.bids(depth), truth.bids) && same(book.asks(depth), truth.asks),
      };
    });
  const deadline = Date.now() + withinMs;
  let result = check();
  while (!result.every((r) => r.ok) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    result = check();
  }
  return result;
}

/**
 * Runs the demo (`npm start`): resolves with the exit code.
 *
 * @example
 * process.exitCode = await main(['--duration', '15']);
 */
export async function main(argv: readonly string[], out?: DemoOutput): Promise<number> {
  const output: DemoOutput = out ?? {
    write: (text) => process.stdout.write(text),
    isTTY: process.stdout.isTTY === true,
    color:
      process.stdout.isTTY === true &&
      (process.env['NO_COLOR'] ?? '') === '' &&
      process.env['TERM'] !== 'dumb',
    get columns() {
      return process.stdout.columns || 80;
    },
    get rows() {
      return process.stdout.rows || 24;
    },
  };
  let values;
  try {
    ({ values } = parseCommandArgs(
      'start',
      argv,
      {
        duration: { type: 'string' },
        seed: { type: 'string' },
        rate: { type: 'string' },
        depth: { type: 'string' },
      },
      0,
    ));
  } catch (e) {
    process.stderr.write(`${String((e as Error).message)}\n\n${help}\n`);
    return 2;
  }
  if (values['help'] === true) {
    output.write(`${help}\n`);
    return 0;
  }
  let durationMs: number | undefined;
  let seed: number;
  let rate: number;
  let depth: number;
  try {
    durationMs = durationOption(values, 'start');
    seed = numberOption(values, 'seed', 'start', { min: 0, max: 2 ** 31 - 1 }) ?? 7;
    rate = numberOption(values, 'rate', 'start', { min: 1, max: 10_000 }) ?? 40;
    depth = numberOption(values, 'depth', 'start', { min: 1, max: 20 }) ?? 5;
  } catch (e) {
    process.stderr.write(`${String((e as Error).message)}\n\n${help}\n`);
    return 2;
  }

  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // `npm start | head`: a reader that goes away stops the demo like Ctrl-C (no EPIPE crash).
  process.stdout.on('error', stop);
  const timers: NodeJS.Timeout[] = [];
  let view: DemoView | undefined;
  try {
    await using sim = await new ExchangeSimulator({
      protocol: createO2SimulatorProtocol(),
      seed,
      eventsPerSecond: rate,
    }).start();
    const bot = new DemoBot({ restUrl: sim.httpUrl, wsUrl: `${sim.wsUrl}/v1/ws`, depth });
    bot.note('info', `O2 simulator on ${sim.httpUrl} (seed ${seed}, ${rate} events/s)`);

    const plan = faultPlan(durationMs);
    const injectPair = (): void => {
      if (plan.skipAtMs !== undefined) {
        timers.push(
          setTimeout(() => {
            bot.note(
              'fault',
              'FAULT injected: the exchange silently loses one depth update (no sequence numbers on O2: only REST verification can tell)',
            );
            sim.inject({ kind: 'skipSequence', count: 1 });
          }, plan.skipAtMs),
        );
      }
      timers.push(
        setTimeout(() => {
          bot.note('fault', 'FAULT injected: the exchange drops every connection');
          sim.inject({ kind: 'dropConnections' });
        }, plan.dropAtMs),
        setTimeout(() => {
          bot.note(
            'fault',
            `FAULT injected: the exchange stalls for ${(plan.stallMs / 1000).toFixed(1)} s (no data, no PONG)`,
          );
          sim.inject({ kind: 'stall', durationMs: plan.stallMs });
          timers.push(setTimeout(() => bot.note('info', 'exchange: stall over'), plan.stallMs));
        }, plan.stallAtMs),
      );
    };
    injectPair();
    if (plan.repeatMs !== undefined) {
      const every = plan.repeatMs;
      const again = (): void => {
        timers.push(
          setTimeout(() => {
            injectPair();
            again();
          }, every),
        );
      };
      again();
    }

    view = new DemoView(bot, output, {
      title: `tickwire demo · O2 simulator ${sim.httpUrl}`,
      depth,
    });
    view.start();
    // A plain timer: AbortSignal.timeout() inside AbortSignal.any() may be garbage-collected
    // before it fires in Node 20 (nodejs/node#57736), and the demo would never stop.
    if (durationMs !== undefined) timers.push(setTimeout(stop, durationMs));
    const signal = controller.signal;
    const stopBot = new AbortController();
    let checks: { symbol: string; ok: boolean }[] = [];
    signal.addEventListener('abort', () => {
      // Before stopping: are the books the exchange's books? (They must be, fault or not.)
      void booksMatchTruth(bot, sim, depth, 2000).then((result) => {
        for (const r of result) {
          bot.note(
            r.ok ? 'recovered' : 'fault',
            r.ok
              ? `check: ${r.symbol} book (top ${depth}) matches the exchange's`
              : `check: ${r.symbol} book differs from the exchange's`,
          );
        }
        checks = result;
        stopBot.abort();
      });
    });
    await bot.run(stopBot.signal);
    view.stop();
    view = undefined;
    const r = bot.rates();
    output.write(
      `done: ${r.messages} messages, ${r.reconnects} reconnects, ${r.resyncs} resyncs, faults injected: ${
        Object.entries(sim.stats().faults)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'none'
      }\n`,
    );
    return checks.every((c) => c.ok) ? 0 : 1;
  } catch (e) {
    view?.stop();
    const { code, lines } = describeFailure(e, { verbose: argv.includes('--verbose') });
    for (const line of lines) process.stderr.write(`${line}\n`);
    return code;
  } finally {
    for (const t of timers) clearTimeout(t);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
