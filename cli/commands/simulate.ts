import { readFile } from 'node:fs/promises';
import { parse } from '../../src/index.js';
import { ExchangeSimulator, SimScenario, type SimStats } from '../../src/testing/index.js';
import { durationOption, numberOption, stringOption } from '../args.js';
import { type Command, untilAborted } from '../command.js';
import { UsageError } from '../errors.js';
import { exchangeNames, exchangeSpec } from '../exchanges.js';

const help = `Usage: tickwire simulate --exchange <${exchangeNames.join('|')}> [options]

Runs an exchange simulator on 127.0.0.1: the exchange's real REST and WebSocket protocol,
seeded markets (the same seed gives the same frames), a matching engine and fault
injection. Point a bot, or \`tickwire stream --url\`, at it. Stops on Ctrl-C.

Options:
  --exchange <name>    protocol to speak: ${exchangeNames.join(', ')} (required)
  --port <port>        TCP port (default: any free port)
  --seed <n>           market seed (default 1)
  --rate <n>           market events per second (default 20)
  --faults <file>      a JSON fault scenario: {"steps":[{"atMs":2000,"fault":
                       {"kind":"dropConnections"}},{"afterEvents":500,"fault":
                       {"kind":"stall","durationMs":3000}}]}
  --duration <s>       stop after this many seconds (default: until Ctrl-C)
  --json               print the listening URLs as one JSON line
  --verbose            print stacks on errors
  -h, --help           this help

Example:
  tickwire simulate --exchange o2 --port 8080 --seed 7
  tickwire stream o2 depth fFUEL/fUSDC --url http://127.0.0.1:8080`;

async function readScenario(file: string): Promise<SimScenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(
      `--faults: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      'simulate',
    );
  }
  try {
    return parse(SimScenario, JSON.parse(text), 'fault scenario');
  } catch (e) {
    throw new UsageError(
      `--faults: ${file} is not a fault scenario: ${e instanceof Error ? e.message : String(e)}`,
      'simulate',
    );
  }
}

function faultSummary(stats: SimStats): string {
  const fired = Object.entries(stats.faults)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`);
  return fired.length === 0 ? 'none' : fired.join(', ');
}

/** `tickwire simulate`. */
export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'run an exchange simulator (O2 or Binance protocol) on 127.0.0.1',
  help,
  maxPositionals: 0,
  options: {
    exchange: { type: 'string' },
    port: { type: 'string' },
    seed: { type: 'string' },
    rate: { type: 'string' },
    faults: { type: 'string' },
    duration: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run({ io, signal }, values) {
    const spec = exchangeSpec(stringOption(values, 'exchange'), 'simulate');
    const port = numberOption(values, 'port', 'simulate', { min: 0, max: 65_535 }) ?? 0;
    const seed = numberOption(values, 'seed', 'simulate', { min: 0, max: 2 ** 31 - 1 }) ?? 1;
    const rate = numberOption(values, 'rate', 'simulate', { min: 0, max: 100_000 }) ?? 20;
    const durationMs = durationOption(values, 'simulate');
    const faultsFile = stringOption(values, 'faults');
    const scenario = faultsFile === undefined ? undefined : await readScenario(faultsFile);

    await using sim = await new ExchangeSimulator({
      protocol: spec.createSimulatorProtocol(),
      seed,
      port,
      eventsPerSecond: rate,
    }).start();
    const wsUrl = `${sim.wsUrl}${spec.socketPath}`;
    const markets = sim.engine.marketIds.map((id) => {
      const m = sim.engine.market(id).spec;
      return { symbol: `${m.base.symbol}/${m.quote.symbol}`, id };
    });
    if (values['json'] === true) {
      io.out(
        JSON.stringify({
          exchange: spec.name,
          url: sim.httpUrl,
          restUrl: sim.httpUrl,
          wsUrl,
          port: sim.port,
          seed,
          markets,
        }),
      );
    } else {
      io.out(`${spec.name} simulator listening on ${sim.httpUrl} (seed ${seed}, ${rate} events/s)`);
      io.out(`  REST       ${sim.httpUrl}`);
      io.out(`  WebSocket  ${wsUrl}`);
      io.out(`  markets    ${markets.map((m) => m.symbol).join(', ')}`);
      io.out(
        `  try        tickwire stream ${spec.name} depth ${markets[0]?.symbol ?? '<market>'} --url ${sim.httpUrl}`,
      );
    }
    if (scenario !== undefined) {
      io.err(`faults: ${scenario.steps.length} step(s) armed from ${faultsFile ?? ''}`);
      sim.runScenario(scenario, { signal }).then(
        () => io.err(`faults: every step fired (${faultSummary(sim.stats())})`),
        () => {}, // aborted on shutdown
      );
    }
    await untilAborted(signal, durationMs);
    const stats = sim.stats();
    io.err(
      `simulator stopped: ${stats.framesSent} frames sent, ${stats.connectionsOpened} connections, ${stats.httpRequests} HTTP requests, faults: ${faultSummary(stats)}`,
    );
    return 0;
  },
};
