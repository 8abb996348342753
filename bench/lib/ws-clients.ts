// The two consumers the `ws` bench compares, reading the same loopback server:
// - raw: a bare `ws` client + JSON.parse in the 'message' handler (the physical limit);
// - tickwire: WsManager → one post-processor → router → bounded async iterator, consumed by
//   a `for await` loop, with the default heartbeat and send limiter left on.
import WebSocket from 'ws';
import { DROP, type Stage } from '../../src/pipeline/index.js';
import { WsManager } from '../../src/ws/index.js';

export interface BenchCommand {
  readonly mode: 'flood' | 'rate';
  readonly n: number;
  readonly rate?: number;
  /** Rate mode only: join this server broadcast group (same frames to every member). */
  readonly group?: string;
  /** Members of `group` the server waits for before it starts. Default 2. */
  readonly clients?: number;
  /** Rate mode with `group`: the server writes to members in ascending rank order. */
  readonly rank?: number;
  /** Rate mode with `group`: same write order for every frame (by rank), no alternation. */
  readonly fixedOrder?: boolean;
}

export interface RunResult {
  readonly messages: number;
  readonly elapsedMs: number;
  readonly cpuUs: number;
  /** One sample per message (µs, server write → client handler), in rate mode. */
  readonly latenciesUs: Float64Array | undefined;
  /** The server's `seq` of each sample in `latenciesUs` (to match two consumers' samples). */
  readonly seqs: Int32Array | undefined;
  readonly drops: number;
}

interface Trade {
  readonly key: string;
  readonly e: string;
  readonly ts: string;
  readonly seq: number;
  readonly [k: string]: unknown;
}

/** Measures from the first message to the last one, so connection setup is excluded. */
class Meter {
  readonly latencies: Float64Array | undefined;
  readonly seqs: Int32Array | undefined;
  count = 0;
  #t0 = 0n;
  #cpu0: NodeJS.CpuUsage | undefined;
  #done: (r: RunResult) => void;

  constructor(
    readonly cmd: BenchCommand,
    done: (r: RunResult) => void,
  ) {
    this.latencies = cmd.mode === 'rate' ? new Float64Array(cmd.n) : undefined;
    this.seqs = cmd.mode === 'rate' ? new Int32Array(cmd.n) : undefined;
    this.#done = done;
  }

  /** Returns true once the last message arrived. */
  record(ts: string, seq: number, drops: () => number): boolean {
    if (this.count === 0) {
      this.#t0 = process.hrtime.bigint();
      this.#cpu0 = process.cpuUsage();
    }
    const lat = this.latencies;
    if (lat !== undefined) {
      lat[this.count] = Number(process.hrtime.bigint() - BigInt(ts)) / 1000;
      this.seqs![this.count] = seq;
    }
    this.count++;
    if (this.count < this.cmd.n) return false;
    const cpu = process.cpuUsage(this.#cpu0);
    this.#done({
      messages: this.count - 1,
      elapsedMs: Number(process.hrtime.bigint() - this.#t0) / 1e6,
      cpuUs: cpu.user + cpu.system,
      latenciesUs: lat,
      seqs: this.seqs,
      drops: drops(),
    });
    return true;
  }
}

function command(cmd: BenchCommand): object {
  return {
    op: 'sub',
    key: 't',
    mode: cmd.mode,
    n: cmd.n,
    rate: cmd.rate,
    group: cmd.group,
    clients: cmd.clients,
    rank: cmd.rank,
    fixedOrder: cmd.fixedOrder,
  };
}

export function runRaw(url: string, cmd: BenchCommand): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const meter = new Meter(cmd, (r) => {
      ws.terminate();
      resolve(r);
    });
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify(command(cmd))));
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as Trade;
      meter.record(m.ts, m.seq, () => 0);
    });
  });
}

export async function runTickwire(url: string, cmd: BenchCommand): Promise<RunResult> {
  const dropHeartbeats: Stage<Trade> = function dropHeartbeats(m) {
    return m.e === 'heartbeat' ? DROP : m;
  };
  const manager = new WsManager<Trade>({
    url,
    // BENCH_WS_TRANSPORT=native runs the tickwire side on tickwire's own RFC 6455 client.
    transport: process.env.BENCH_WS_TRANSPORT === 'native' ? 'native' : 'ws',
    router: (m) => m.key,
    postProcessors: [dropHeartbeats],
  });
  let result: RunResult | undefined;
  const meter = new Meter(cmd, (r) => {
    result = r;
  });
  const stream = manager.subscribe<Trade>(
    { key: 't', subscribe: () => command(cmd) },
    { capacity: 1 << 20 },
  );
  const drops = (): number => stream.dropped;
  for await (const m of stream) {
    if (meter.record(m.ts, m.seq, drops)) break;
  }
  await manager.close();
  if (result === undefined) throw new Error('tickwire stream ended early');
  return result;
}
