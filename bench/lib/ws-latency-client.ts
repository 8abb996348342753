// One consumer process of the `ws` bench's latency runs (forked by bench/ws.ts). It stays
// alive across runs (so it stays JIT-warm) and answers one request at a time:
// - side 'tickwire' | 'raw': one rate-mode consumer, for the simultaneous runs where each
//   side has its own process;
// - side 'paired': both consumers at once in this one process, reading the same broadcast,
//   the raw consumer's copy of every frame written first (rank 0, fixed order), so both see
//   each message after the same process wake-up and the tickwire copy is never read ahead
//   of the raw one.
// Replies carry the per-message latencies with the server's seq of each.
import { type BenchCommand, type RunResult, runRaw, runTickwire } from './ws-clients.js';

export interface LatencyRequest {
  readonly side: 'tickwire' | 'raw' | 'paired';
  readonly url: string;
  readonly cmd: BenchCommand;
}

export interface LatencySamples {
  readonly latenciesUs: number[];
  readonly seqs: number[];
  readonly drops: number;
}

export type LatencyReply = LatencySamples & {
  /** Side 'paired' only: the raw consumer's samples (the top level holds tickwire's). */
  readonly raw?: LatencySamples;
};

const samples = (r: RunResult): LatencySamples => ({
  latenciesUs: Array.from(r.latenciesUs ?? []),
  seqs: Array.from(r.seqs ?? []),
  drops: r.drops,
});

async function serve(m: LatencyRequest): Promise<LatencyReply> {
  if (m.side !== 'paired') {
    const run = m.side === 'tickwire' ? runTickwire : runRaw;
    return samples(await run(m.url, m.cmd));
  }
  const cmd = { ...m.cmd, clients: 2, fixedOrder: true };
  const [raw, tw] = await Promise.all([
    runRaw(m.url, { ...cmd, rank: 0 }),
    runTickwire(m.url, { ...cmd, rank: 1 }),
  ]);
  return { ...samples(tw), raw: samples(raw) };
}

process.on('message', (m: LatencyRequest) => {
  serve(m).then(
    (reply) => process.send?.(reply),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
});
process.on('disconnect', () => process.exit(0));
