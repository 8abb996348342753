/**
 * Connection quality, from round-trip latency and jitter.
 *
 * @example
 * if (manager.stats().quality === 'POOR') switchEndpoint();
 */
export type ConnectionQuality = 'EXCELLENT' | 'GOOD' | 'FAIR' | 'POOR';

/**
 * Upper bounds (inclusive) of each rating; anything worse is `POOR`. A rating needs both
 * latency and jitter within its bounds.
 *
 * @example
 * const q: QualityThresholds = { excellent: { latencyMs: 20, jitterMs: 5 } };
 */
export interface QualityThresholds {
  /** Default latency 50 ms, jitter 10 ms. */
  readonly excellent?: { readonly latencyMs: number; readonly jitterMs: number };
  /** Default latency 150 ms, jitter 30 ms. */
  readonly good?: { readonly latencyMs: number; readonly jitterMs: number };
  /** Default latency 400 ms, jitter 100 ms. */
  readonly fair?: { readonly latencyMs: number; readonly jitterMs: number };
}

/**
 * A snapshot of a manager's counters.
 *
 * @example
 * const s: WsStats = manager.stats();
 * console.log(s.messagesIn, s.quality, s.dropsByChannel);
 */
export interface WsStats {
  readonly messagesIn: number;
  readonly messagesOut: number;
  /** Bytes of payload received (after decompression). */
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Successful reconnects (opens after the first). */
  readonly reconnects: number;
  /** Frames that were not valid JSON (`MESSAGE_PARSE_FAILED`). */
  readonly parseFailures: number;
  /** Frames a `tap` consumed (counted in `messagesIn`; not decoded, post-processed or routed). */
  readonly tapped: number;
  /** Frames no route claimed (`MESSAGE_UNROUTABLE`). */
  readonly unroutable: number;
  /** Messages dropped because too many waited behind an async post-processor. */
  readonly droppedBeforeRouting: number;
  /** Values dropped by readers' overflow policies, per channel key. */
  readonly dropsByChannel: Readonly<Record<string, number>>;
  /** Last heartbeat or request round trip (ms); `undefined` before the first. */
  readonly lastRttMs: number | undefined;
  /** Moving average of round trips (ms). */
  readonly avgLatencyMs: number | undefined;
  /** Moving mean deviation between successive round trips (ms), RFC 3550-style. */
  readonly jitterMs: number | undefined;
  readonly quality: ConnectionQuality | undefined;
  /** Epoch ms of the last frame received on the current connection. */
  readonly lastReceivedAt: number | undefined;
}

/**
 * The counters of a connection that never carried a frame (a manager not created yet, or
 * the start of a sum over a pool's members).
 *
 * @example
 * const stats = manager?.stats() ?? EMPTY_WS_STATS;
 */
export const EMPTY_WS_STATS: WsStats = Object.freeze({
  messagesIn: 0,
  messagesOut: 0,
  bytesIn: 0,
  bytesOut: 0,
  reconnects: 0,
  parseFailures: 0,
  tapped: 0,
  unroutable: 0,
  droppedBeforeRouting: 0,
  dropsByChannel: Object.freeze({}),
  lastRttMs: undefined,
  avgLatencyMs: undefined,
  jitterMs: undefined,
  quality: undefined,
  lastReceivedAt: undefined,
});

const DEFAULT_THRESHOLDS = {
  excellent: { latencyMs: 50, jitterMs: 10 },
  good: { latencyMs: 150, jitterMs: 30 },
  fair: { latencyMs: 400, jitterMs: 100 },
};

/**
 * Rates a connection from its latency and jitter.
 *
 * @example
 * rateQuality(12, 2); // 'EXCELLENT'
 */
export function rateQuality(
  latencyMs: number,
  jitterMs: number,
  thresholds: QualityThresholds = {},
): ConnectionQuality {
  const t = { ...DEFAULT_THRESHOLDS, ...thresholds };
  if (latencyMs <= t.excellent.latencyMs && jitterMs <= t.excellent.jitterMs) return 'EXCELLENT';
  if (latencyMs <= t.good.latencyMs && jitterMs <= t.good.jitterMs) return 'GOOD';
  if (latencyMs <= t.fair.latencyMs && jitterMs <= t.fair.jitterMs) return 'FAIR';
  return 'POOR';
}

/**
 * Round-trip accumulator: last RTT, exponentially weighted average and jitter.
 *
 * @example
 * const rtt = new RttTracker(); rtt.record(12); rtt.record(18); rtt.jitterMs; // > 0
 */
export class RttTracker {
  lastMs: number | undefined;
  avgMs: number | undefined;
  jitterMs: number | undefined;

  /** Adds one round-trip sample (ms). */
  record(ms: number): void {
    if (this.avgMs === undefined || this.lastMs === undefined) {
      this.avgMs = ms;
      this.jitterMs = 0;
    } else {
      this.avgMs += (ms - this.avgMs) / 8;
      this.jitterMs =
        (this.jitterMs ?? 0) + (Math.abs(ms - this.lastMs) - (this.jitterMs ?? 0)) / 16;
    }
    this.lastMs = ms;
  }
}
