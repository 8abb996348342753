import { createError, isTickwireError } from '../../../src/errors/index.js';

/**
 * What an action did to the account nonce (o2-protocol.md §4.4):
 * - `consumed`: a transaction was mined (success or on-chain revert), the nonce moved on by one;
 * - `kept`: rejected before any transaction (pre-flight, rate limit, validation), the nonce is unchanged;
 * - `unknown`: nobody knows (timeout after sending, nonce mismatch, unparseable answer); the
 *   cached nonce is dropped and read again from the exchange before the next action.
 *
 * @example
 * const effect: O2NonceEffect = classifyO2NonceEffect(error);
 */
export type O2NonceEffect = 'consumed' | 'kept' | 'unknown';

// Codes that prove the request never became a transaction.
const KEPT_CODES = new Set<string>([
  'INVALID_ARGUMENT',
  'ORDER_FILTER_FAILED',
  'UNKNOWN_MARKET',
  'RATE_LIMITED',
  'IP_BANNED',
  'AUTH_MISSING_CREDENTIALS',
  'AUTH_INVALID_KEY',
  'AUTH_INVALID_SIGNATURE',
  'AUTH_SESSION_EXPIRED',
  'EXCHANGE_ERROR',
  'EXCHANGE_UNKNOWN_ORDER',
  'EXCHANGE_FILTER_FAILURE',
  'EXCHANGE_ORDER_REJECTED',
  'THROTTLE_QUEUE_FULL',
  'CLOSED',
]);

/**
 * The default rule for a failed O2 action: an on-chain revert (`EXCHANGE_REVERTED`)
 * consumed the nonce; pre-flight rejections, rate limits and local validation kept it; an
 * outcome nobody can know (`ORDER_STATUS_UNKNOWN`, `NONCE_MISMATCH`, an abort or transport
 * failure after sending, anything unrecognised) is `unknown`.
 *
 * @example
 * classifyO2NonceEffect(createError('EXCHANGE_REVERTED', 'reverted')); // 'consumed'
 */
export function classifyO2NonceEffect(error: unknown): O2NonceEffect {
  if (!isTickwireError(error)) return 'unknown';
  if (error.code === 'EXCHANGE_REVERTED') return 'consumed';
  if (KEPT_CODES.has(error.code)) return 'kept';
  if (
    error.code === 'ABORTED' ||
    error.code === 'TRANSPORT_TIMEOUT' ||
    error.code === 'TRANSPORT_CONNECTION_FAILED'
  ) {
    return (error.context as { sent?: unknown }).sent === false ? 'kept' : 'unknown';
  }
  return 'unknown';
}

/**
 * Options of {@link O2NonceManager}.
 *
 * @example
 * new O2NonceManager({ fetchNonce: async (account, { signal }) => (await o2.getAccount({ tradeAccountId: account }, { signal })).nonce! });
 */
export interface O2NonceManagerOptions {
  /** Reads an account's current nonce from the exchange. Required. */
  readonly fetchNonce: (account: string, options: { signal?: AbortSignal }) => Promise<bigint>;
  /** How a failed action affected the nonce. Default {@link classifyO2NonceEffect}. */
  readonly classify?: (error: unknown) => O2NonceEffect;
}

/**
 * Counters of an {@link O2NonceManager}.
 *
 * @example
 * const { consumed, resyncs } = manager.stats();
 */
export interface O2NonceStats {
  /** Tasks that ran with a nonce. */
  readonly runs: number;
  readonly consumed: number;
  readonly kept: number;
  readonly unknown: number;
  /** Reads of the nonce from the exchange. */
  readonly resyncs: number;
}

interface Waiter {
  readonly resolve: () => void;
}

interface AccountState {
  nonce: bigint | undefined;
  busy: boolean;
  readonly waiters: Waiter[];
}

/**
 * Hands out account nonces one action at a time. Actions of one account run strictly one
 * after the other (a FIFO queue per account), each with the nonce the previous ones left;
 * after each, the nonce advances by the rule of {@link O2NonceEffect}: +1 when a transaction
 * was mined (success or revert), unchanged after a pre-flight rejection, re-read from the
 * exchange before the next action when the outcome is unknown. Concurrent callers therefore
 * never sign the same nonce.
 *
 * @example
 * const nonces = new O2NonceManager({ fetchNonce });
 * const result = await nonces.run(account, (nonce) => submit(nonce), { signal });
 */
export class O2NonceManager {
  readonly #fetch: O2NonceManagerOptions['fetchNonce'];
  readonly #classify: (error: unknown) => O2NonceEffect;
  readonly #accounts = new Map<string, AccountState>();
  readonly #counts = { runs: 0, consumed: 0, kept: 0, unknown: 0, resyncs: 0 };

  constructor(options: O2NonceManagerOptions) {
    this.#fetch = options.fetchNonce;
    this.#classify = options.classify ?? classifyO2NonceEffect;
  }

  /**
   * Runs `task` with the account's next nonce once every earlier task of the account has
   * settled. A task that resolves consumed the nonce; a task that throws is classified.
   * An abort while waiting rejects with `ABORTED` and the task never runs.
   *
   * @example
   * const txId = await nonces.run(account, async (nonce) => (await send(nonce)).tx_id);
   */
  async run<T>(
    account: string,
    task: (nonce: bigint) => Promise<T>,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    const key = account.toLowerCase();
    const state = this.#state(key);
    await this.#acquire(state, options.signal);
    try {
      if (state.nonce === undefined) {
        this.#counts.resyncs++;
        state.nonce = await this.#fetch(key, options);
      }
      const nonce = state.nonce;
      this.#counts.runs++;
      let effect: O2NonceEffect;
      let result: T;
      try {
        result = await task(nonce);
        effect = 'consumed';
      } catch (e) {
        effect = this.#classify(e);
        this.#apply(state, nonce, effect);
        throw e;
      }
      this.#apply(state, nonce, effect);
      return result;
    } finally {
      this.#release(state);
    }
  }

  /**
   * The nonce the next action of `account` will use, when it is known locally.
   *
   * @example
   * nonces.peek(account); // 8n
   */
  peek(account: string): bigint | undefined {
    return this.#accounts.get(account.toLowerCase())?.nonce;
  }

  /**
   * Sets the account's nonce (e.g. from `POST /v1/accounts`). Ignored while an action of the
   * account is in flight (its outcome decides the next nonce).
   *
   * @example
   * nonces.set(account, 0n);
   */
  set(account: string, nonce: bigint): void {
    const state = this.#state(account.toLowerCase());
    if (!state.busy) state.nonce = nonce;
  }

  /**
   * Takes a nonce seen elsewhere (the `subscribe_nonce` stream): adopted when it is ahead of
   * the local one and no action is in flight (an in-flight action's outcome decides).
   *
   * @example
   * for await (const u of o2.streamNonce(account)) nonces.observe(account, u.nonce);
   */
  observe(account: string, nonce: bigint): void {
    const state = this.#accounts.get(account.toLowerCase());
    if (state === undefined || state.busy) return;
    if (state.nonce === undefined || nonce > state.nonce) state.nonce = nonce;
  }

  /**
   * Forgets the cached nonce: the next action reads it from the exchange first.
   *
   * @example
   * nonces.invalidate(account);
   */
  invalidate(account: string): void {
    const state = this.#accounts.get(account.toLowerCase());
    if (state !== undefined) state.nonce = undefined;
  }

  /**
   * Counters since construction.
   *
   * @example
   * nonces.stats().resyncs;
   */
  stats(): O2NonceStats {
    return { ...this.#counts };
  }

  #state(key: string): AccountState {
    let state = this.#accounts.get(key);
    if (state === undefined) {
      state = { nonce: undefined, busy: false, waiters: [] };
      this.#accounts.set(key, state);
    }
    return state;
  }

  #apply(state: AccountState, used: bigint, effect: O2NonceEffect): void {
    this.#counts[effect]++;
    if (effect === 'consumed') state.nonce = used + 1n;
    else if (effect === 'unknown') state.nonce = undefined;
    else state.nonce = used;
  }

  #acquire(state: AccountState, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(aborted(signal));
    if (!state.busy) {
      state.busy = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      function onAbort(): void {
        const i = state.waiters.indexOf(waiter);
        if (i >= 0) state.waiters.splice(i, 1);
        reject(aborted(signal!));
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      state.waiters.push(waiter);
    });
  }

  #release(state: AccountState): void {
    const next = state.waiters.shift();
    // Ownership passes straight to the next waiter: `busy` stays true in between.
    if (next === undefined) state.busy = false;
    else next.resolve();
  }
}

function aborted(signal: AbortSignal): Error {
  return createError('ABORTED', 'o2: action aborted while waiting for the account nonce', {
    context: { exchange: 'o2', sent: false },
    cause: signal.reason,
  });
}
