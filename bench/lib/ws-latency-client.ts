// One consumer of the `ws` bench's simultaneous latency runs, in its own process (forked by
// bench/ws.ts, one process per side), so the two consumers never share an event loop. It
// stays alive across runs (so it stays JIT-warm), runs one rate-mode consumer per request
// and sends back its per-message latencies with the server's seq of each.
import { type BenchCommand, runRaw, runTickwire } from './ws-clients.js';

export interface LatencyRequest {
  readonly side: 'tickwire' | 'raw';
  readonly url: string;
  readonly cmd: BenchCommand;
}

export interface LatencyReply {
  readonly latenciesUs: number[];
  readonly seqs: number[];
  readonly drops: number;
}

process.on('message', (m: LatencyRequest) => {
  const run = m.side === 'tickwire' ? runTickwire : runRaw;
  run(m.url, m.cmd).then(
    (r) => {
      const reply: LatencyReply = {
        latenciesUs: Array.from(r.latenciesUs ?? []),
        seqs: Array.from(r.seqs ?? []),
        drops: r.drops,
      };
      process.send?.(reply);
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
});
process.on('disconnect', () => process.exit(0));
