import { type FaultKind, faultKinds } from './faults.js';

/**
 * Weight used in one fixed one-minute window.
 *
 * @example
 * sim.stats().weightWindows.at(-1)?.used; // e.g. 255
 */
export interface SimWeightWindow {
  /** Limit key (Binance: the client IP). */
  readonly key: string;
  /** Window start, epoch ms (a multiple of 60 000). */
  readonly windowStart: number;
  readonly used: number;
  readonly requests: number;
}

/**
 * A snapshot of the simulator's counters (`sim.stats()`).
 *
 * @example
 * expect(sim.stats().faults.stall).toBe(1);
 * expect(sim.stats().violations.wsMessageRate).toBe(1);
 */
export interface SimStats {
  /** WebSocket frames written (events, replies, malformed and duplicate frames). */
  readonly framesSent: number;
  /** Market events generated. */
  readonly eventsGenerated: number;
  readonly httpRequests: number;
  readonly messagesReceived: number;
  readonly connectionsOpened: number;
  readonly connectionsOpen: number;
  /** Faults injected, by kind (a drop counts once per drop; other kinds once per affected frame, request or connection). */
  readonly faults: Readonly<Record<FaultKind, number>>;
  /** Limit violations seen, by kind (`wsMessageRate`, `wsStreamLimit`, `requestWeight`, `ignoredRetryAfter`, …). */
  readonly violations: Readonly<Record<string, number>>;
  /** Request weight per fixed one-minute window, most recent last (the last 20 windows). */
  readonly weightWindows: readonly SimWeightWindow[];
}

/**
 * The mutable counters behind {@link SimStats}.
 *
 * @example
 * const rec = new StatsRecorder(); rec.fault('stall'); rec.snapshot().faults.stall; // 1
 */
export class StatsRecorder {
  framesSent = 0;
  eventsGenerated = 0;
  httpRequests = 0;
  messagesReceived = 0;
  connectionsOpened = 0;
  connectionsOpen = 0;
  readonly faults: Record<FaultKind, number> = Object.fromEntries(
    faultKinds.map((k) => [k, 0]),
  ) as Record<FaultKind, number>;
  readonly violations: Record<string, number> = {};
  readonly #windows: { key: string; windowStart: number; used: number; requests: number }[] = [];

  fault(kind: FaultKind, n = 1): void {
    this.faults[kind] += n;
  }

  violation(kind: string): void {
    this.violations[kind] = (this.violations[kind] ?? 0) + 1;
  }

  useWeight(key: string, weight: number, now: number): number {
    const windowStart = now - (now % 60_000);
    let w = this.#windows.find((x) => x.key === key && x.windowStart === windowStart);
    if (w === undefined) {
      w = { key, windowStart, used: 0, requests: 0 };
      this.#windows.push(w);
      if (this.#windows.length > 20) this.#windows.shift();
    }
    w.used += weight;
    w.requests += 1;
    return w.used;
  }

  weightUsed(key: string, now: number): number {
    const windowStart = now - (now % 60_000);
    return this.#windows.find((x) => x.key === key && x.windowStart === windowStart)?.used ?? 0;
  }

  snapshot(): SimStats {
    return {
      framesSent: this.framesSent,
      eventsGenerated: this.eventsGenerated,
      httpRequests: this.httpRequests,
      messagesReceived: this.messagesReceived,
      connectionsOpened: this.connectionsOpened,
      connectionsOpen: this.connectionsOpen,
      faults: { ...this.faults },
      violations: { ...this.violations },
      weightWindows: this.#windows.map((w) => ({ ...w })),
    };
  }
}
