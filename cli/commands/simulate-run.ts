import { readFile } from 'node:fs/promises';
import { parse } from '../../src/index.js';
import { ExchangeSimulator, SimScenario, type SimStats } from '../../src/testing/index.js';
import { durationOption, numberOption, stringOption, type OptionValues } from '../args.js';
import { type CommandContext, untilAborted } from '../command.js';
import { UsageError } from '../errors.js';
import { exchangeSpec } from '../exchanges.js';

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

/** Runs `tickwire simulate` (loaded on demand, so help and usage errors start fast). */
export async function run(
  { io, signal }: CommandContext,
  values: OptionValues,
  _positionals: readonly string[],
): Promise<number> {
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
}
