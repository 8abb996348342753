// O2NonceManager: per-account serialisation and the nonce rules of o2-protocol.md §4.4,
// with real promises against an in-memory "chain".
import fc from 'fast-check';
import { createError } from '../../../src/errors/index.js';
import {
  classifyO2NonceEffect,
  O2NonceManager,
} from '../../../adapters/o2/trading/nonce-manager.js';

/** Resolves on a later macrotask, so concurrent tasks really interleave if nothing serialises them. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('classifyO2NonceEffect', () => {
  it.each([
    ['EXCHANGE_REVERTED', {}, 'consumed'],
    ['AUTH_INVALID_SIGNATURE', {}, 'kept'],
    ['INVALID_ARGUMENT', { argument: 'actions' }, 'kept'],
    ['RATE_LIMITED', { retryAfterMs: 1000 }, 'kept'],
    ['ORDER_FILTER_FAILED', { filter: 'tick_size' }, 'kept'],
    ['AUTH_SESSION_EXPIRED', {}, 'kept'],
    ['NONCE_MISMATCH', {}, 'unknown'],
    ['ORDER_STATUS_UNKNOWN', {}, 'unknown'],
    ['ABORTED', { sent: true }, 'unknown'],
    ['ABORTED', { sent: false }, 'kept'],
    ['TRANSPORT_TIMEOUT', {}, 'unknown'],
    ['VALIDATION_FAILED', { what: 'x', path: '' }, 'unknown'],
  ] as const)('%s %j → %s', (code, context, effect) => {
    expect(classifyO2NonceEffect(createError(code, 'x', { context } as never))).toBe(effect);
  });

  it('anything that is not a TickwireError is unknown', () => {
    expect(classifyO2NonceEffect(new Error('boom'))).toBe('unknown');
  });
});

describe('O2NonceManager', () => {
  const ACCOUNT = `0x${'ab'.repeat(32)}`;

  it('reads the nonce once, then advances it locally on success', async () => {
    let reads = 0;
    const m = new O2NonceManager({
      fetchNonce: async () => {
        reads++;
        return 7n;
      },
    });
    const seen: bigint[] = [];
    for (let i = 0; i < 3; i++) await m.run(ACCOUNT, async (n) => void seen.push(n));
    expect(seen).toEqual([7n, 8n, 9n]);
    expect(reads).toBe(1);
    expect(m.peek(ACCOUNT)).toBe(10n);
    expect(m.peek(ACCOUNT.toUpperCase().replace('0X', '0x'))).toBe(10n);
  });

  it('keeps the nonce after a pre-flight rejection, advances after a revert, re-reads after an unknown outcome', async () => {
    let chain = 3n;
    const m = new O2NonceManager({ fetchNonce: async () => chain });
    const fail = (code: 'AUTH_INVALID_SIGNATURE' | 'EXCHANGE_REVERTED' | 'ORDER_STATUS_UNKNOWN') =>
      m.run(ACCOUNT, async () => {
        throw createError(code, code);
      });
    await expect(fail('AUTH_INVALID_SIGNATURE')).rejects.toMatchObject({
      code: 'AUTH_INVALID_SIGNATURE',
    });
    expect(m.peek(ACCOUNT)).toBe(3n);
    await expect(fail('EXCHANGE_REVERTED')).rejects.toMatchObject({ code: 'EXCHANGE_REVERTED' });
    expect(m.peek(ACCOUNT)).toBe(4n);
    chain = 5n; // the unknown one landed
    await expect(fail('ORDER_STATUS_UNKNOWN')).rejects.toMatchObject({
      code: 'ORDER_STATUS_UNKNOWN',
    });
    expect(m.peek(ACCOUNT)).toBeUndefined();
    const used = await m.run(ACCOUNT, async (n) => n);
    expect(used).toBe(5n);
    expect(m.stats()).toMatchObject({ runs: 4, consumed: 2, kept: 1, unknown: 1, resyncs: 2 });
  });

  it('serialises concurrent tasks of one account; other accounts are independent', async () => {
    const m = new O2NonceManager({ fetchNonce: async () => 0n });
    let inFlight = 0;
    let maxInFlight = 0;
    const task = async (n: bigint): Promise<bigint> => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await tick();
      inFlight--;
      return n;
    };
    const other = `0x${'cd'.repeat(32)}`;
    const [a, b] = await Promise.all([
      Promise.all(Array.from({ length: 10 }, () => m.run(ACCOUNT, task))),
      Promise.all(Array.from({ length: 3 }, () => m.run(other, async (n) => n))),
    ]);
    expect(a).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i)));
    expect(b).toEqual([0n, 1n, 2n]);
    expect(maxInFlight).toBe(1);
  });

  it('an abort while queued rejects with ABORTED and the task never runs', async () => {
    const m = new O2NonceManager({ fetchNonce: async () => 0n });
    let release!: () => void;
    const first = m.run(ACCOUNT, () => new Promise<bigint>((r) => (release = () => r(1n))));
    const controller = new AbortController();
    let ran = false;
    const second = m.run(
      ACCOUNT,
      async () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    const third = m.run(ACCOUNT, async (n) => n);
    await tick();
    controller.abort();
    await expect(second).rejects.toMatchObject({ code: 'ABORTED', context: { sent: false } });
    release();
    await expect(first).resolves.toBe(1n);
    await expect(third).resolves.toBe(1n);
    expect(ran).toBe(false);
    await expect(
      m.run(ACCOUNT, async () => 0, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('a failing nonce read fails that action only; the next one reads again', async () => {
    let fail = true;
    const m = new O2NonceManager({
      fetchNonce: async () => {
        if (fail) throw createError('TRANSPORT_CONNECTION_FAILED', 'down');
        return 4n;
      },
    });
    await expect(m.run(ACCOUNT, async (n) => n)).rejects.toMatchObject({
      code: 'TRANSPORT_CONNECTION_FAILED',
    });
    fail = false;
    await expect(m.run(ACCOUNT, async (n) => n)).resolves.toBe(4n);
  });

  it('observe() adopts a newer nonce only when idle; set() replaces it', async () => {
    const m = new O2NonceManager({ fetchNonce: async () => 2n });
    await m.run(ACCOUNT, async () => undefined);
    m.observe(ACCOUNT, 1n);
    expect(m.peek(ACCOUNT)).toBe(3n);
    m.observe(ACCOUNT, 9n);
    expect(m.peek(ACCOUNT)).toBe(9n);
    let release!: () => void;
    const busy = m.run(ACCOUNT, () => new Promise<void>((r) => (release = r)));
    await tick();
    m.observe(ACCOUNT, 20n);
    m.set(ACCOUNT, 30n);
    release();
    await busy;
    expect(m.peek(ACCOUNT)).toBe(10n);
    m.set(ACCOUNT, 30n);
    expect(m.peek(ACCOUNT)).toBe(30n);
    m.invalidate(ACCOUNT);
    expect(m.peek(ACCOUNT)).toBeUndefined();
  });

  it('property: N concurrent submissions with random outcomes never reuse a consumed nonce, and the final nonce follows the rule', async () => {
    type Outcome = 'success' | 'preflight' | 'revert' | 'lostLanded' | 'lostDropped';
    const outcome = fc.constantFrom<Outcome>(
      'success',
      'preflight',
      'revert',
      'lostLanded',
      'lostDropped',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: 1000n }),
        fc.array(fc.tuple(outcome, fc.nat(3)), { minLength: 1, maxLength: 30 }),
        async (start, plan) => {
          // The chain: the account nonce and every nonce a transaction was mined with.
          let chainNonce = start;
          const mined: bigint[] = [];
          let mismatches = 0;
          let inFlight = 0;
          let overlap = false;
          const m = new O2NonceManager({ fetchNonce: async () => chainNonce });
          const submit = async (nonce: bigint, o: Outcome, delay: number): Promise<void> => {
            inFlight++;
            if (inFlight > 1) overlap = true;
            try {
              for (let i = 0; i < delay; i++) await tick();
              if (o === 'preflight') throw createError('AUTH_INVALID_SIGNATURE', 'pre-flight');
              if (nonce !== chainNonce) {
                mismatches++;
                throw createError('NONCE_MISMATCH', 'InvalidNonce');
              }
              if (o === 'lostDropped') throw createError('ORDER_STATUS_UNKNOWN', 'lost');
              mined.push(nonce);
              chainNonce++;
              if (o === 'revert') throw createError('EXCHANGE_REVERTED', 'reverted');
              if (o === 'lostLanded') throw createError('ORDER_STATUS_UNKNOWN', 'lost');
            } finally {
              inFlight--;
            }
          };
          await Promise.allSettled(
            plan.map(([o, delay]) => m.run('0xacc', (n) => submit(n, o, delay))),
          );
          const landed = plan.filter(
            ([o]) => o === 'success' || o === 'revert' || o === 'lostLanded',
          ).length;
          expect(overlap).toBe(false);
          expect(mismatches).toBe(0);
          expect(new Set(mined).size).toBe(mined.length);
          expect(chainNonce).toBe(start + BigInt(landed));
          // After a resync (if the last outcome was unknown) the manager agrees with the chain.
          const next = await m.run('0xacc', async (n) => n);
          expect(next).toBe(chainNonce);
        },
      ),
      { numRuns: 200 },
    );
  });
});
