import { z } from 'zod';

/**
 * Every fault kind the simulator can inject; `stats().faults` counts each by this name.
 *
 * @example
 * for (const kind of faultKinds) console.log(kind, sim.stats().faults[kind]);
 */
export const faultKinds = [
  'dropConnections',
  'stall',
  'skipSequence',
  'duplicateEvents',
  'malformedFrames',
  'rateLimit',
  'ban',
  'serverError',
  'slowResponse',
  'refuseConnections',
  'serverShutdown',
] as const;
/**
 * A fault kind.
 *
 * @example
 * const kind: FaultKind = 'stall';
 */
export type FaultKind = (typeof faultKinds)[number];

/**
 * One fault, as code passes it to `sim.inject()` or a scenario file lists it.
 *
 * @example
 * sim.inject({ kind: 'stall', durationMs: 2000 });
 * sim.inject({ kind: 'dropConnections', every: 500 });     // every 500 market events
 * sim.inject({ kind: 'rateLimit', count: 3, retryAfterSeconds: 2 });
 */
export const SimFaultSpec = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('dropConnections'),
    /** Also drop every N market events from now on (0 stops it). */
    every: z.number().int().nonnegative().optional(),
    /** Also drop with this probability after each market event (0 stops it). */
    probability: z.number().min(0).max(1).optional(),
  }),
  z.object({ kind: z.literal('stall'), durationMs: z.number().int().positive() }),
  z.object({ kind: z.literal('skipSequence'), count: z.number().int().positive().default(1) }),
  z.object({ kind: z.literal('duplicateEvents'), count: z.number().int().positive().default(1) }),
  z.object({ kind: z.literal('malformedFrames'), count: z.number().int().positive().default(1) }),
  z.object({
    kind: z.literal('rateLimit'),
    count: z.number().int().positive().default(1),
    retryAfterSeconds: z.number().int().positive().default(1),
  }),
  z.object({
    kind: z.literal('serverError'),
    count: z.number().int().positive().default(1),
    status: z.number().int().min(500).max(599).default(503),
  }),
  z.object({
    kind: z.literal('slowResponse'),
    count: z.number().int().positive().default(1),
    delayMs: z.number().int().positive(),
    /**
     * 'before' (default): wait, then answer from the state at that moment (a slow server);
     * 'after': answer from the state now, deliver it `delayMs` later (a slow way back — the
     * market moves on while the answer travels).
     */
    phase: z.enum(['before', 'after']).default('before'),
  }),
  z.object({
    kind: z.literal('serverShutdown'),
    /** Close every socket (code 1001) this long after the notice; omitted, sockets stay open. */
    closeAfterMs: z.number().int().nonnegative().optional(),
  }),
  z.object({
    kind: z.literal('refuseConnections'),
    /** Refuse this many upgrade attempts… */
    count: z.number().int().positive().optional(),
    /** …or every attempt for this long. */
    durationMs: z.number().int().positive().optional(),
  }),
]);
/** One fault (input form: defaults may be omitted). */
export type SimFaultSpec = z.input<typeof SimFaultSpec>;

/**
 * A JSON scenario: faults fired at a time after the scenario starts (`atMs`) or after a
 * number of market events (`afterEvents`).
 *
 * @example
 * { "steps": [ { "atMs": 1000, "fault": { "kind": "stall", "durationMs": 500 } },
 *              { "afterEvents": 200, "fault": { "kind": "dropConnections" } } ] }
 */
export const SimScenario = z.object({
  steps: z
    .array(
      z.union([
        z.object({ atMs: z.number().int().nonnegative(), fault: SimFaultSpec }),
        z.object({ afterEvents: z.number().int().nonnegative(), fault: SimFaultSpec }),
      ]),
    )
    .max(10_000),
});
/** A scenario (input form). */
export type SimScenario = z.input<typeof SimScenario>;

/**
 * Mutable fault switches the simulator consults on every event, frame, request and upgrade.
 *
 * @example
 * const state = createFaultState(); state.duplicate = 2;
 */
export interface FaultState {
  dropEvery: number;
  dropProbability: number;
  stalledUntil: number;
  skipDepth: number;
  duplicate: number;
  malformed: number;
  rateLimit: { count: number; retryAfterSeconds: number };
  serverError: { count: number; status: number };
  slow: { count: number; delayMs: number; after: boolean };
  refuseCount: number;
  refuseUntil: number;
}

/**
 * A fault state with nothing armed.
 *
 * @example
 * Object.assign(faults, createFaultState()); // clear
 */
export function createFaultState(): FaultState {
  return {
    dropEvery: 0,
    dropProbability: 0,
    stalledUntil: 0,
    skipDepth: 0,
    duplicate: 0,
    malformed: 0,
    rateLimit: { count: 0, retryAfterSeconds: 1 },
    serverError: { count: 0, status: 503 },
    slow: { count: 0, delayMs: 0, after: false },
    refuseCount: 0,
    refuseUntil: 0,
  };
}
