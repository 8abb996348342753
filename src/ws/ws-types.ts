import type { TickwireError } from '../errors/index.js';
import type { MaybePromise } from '../pipeline/index.js';
import type { SequenceId } from '../stream/index.js';

/**
 * One upstream subscription: its routing key and the frames that open and close it.
 *
 * @example
 * const trades: WsChannelSpec = {
 *   key: 'btcusdt@trade',
 *   subscribe: () => ({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 1 }),
 *   unsubscribe: () => ({ method: 'UNSUBSCRIBE', params: ['btcusdt@trade'], id: 2 }),
 * };
 */
export interface WsChannelSpec {
  /** The key the router returns for this channel's messages. */
  readonly key: string;
  /**
   * Builds the subscribe frame (objects are sent as JSON); `id` is a fresh correlation id
   * when `acknowledged`. Omit for URL-selected streams.
   */
  readonly subscribe?: (id: number) => unknown;
  /**
   * The subscribe frame is a request: its answer is matched by id like `WsManager.request`;
   * an error answer (`EXCHANGE_ERROR` by default) fails the channel's readers and drops the
   * channel instead of leaving them waiting forever; no answer in time is reported as
   * `WS_REQUEST_TIMEOUT` on the events. Default `false`.
   */
  readonly acknowledged?: boolean;
  /** Builds the unsubscribe frame, sent when the last reader leaves. */
  readonly unsubscribe?: () => unknown;
  /** A private channel: (re)subscribed only after the auth frame is acknowledged. Default `false`. */
  readonly private?: boolean;
}

/**
 * Maps an incoming message to its channel key. `undefined`: nothing claims it (counted and
 * reported as `MESSAGE_UNROUTABLE`); `null`: deliberately ignored (subscription acks…).
 *
 * @example
 * const router: WsRouter<{ stream?: string }> = (m) => m.stream;
 */
export type WsRouter<TMessage> = (message: TMessage) => string | null | undefined;

/**
 * Login on connect: the signer callback builds the frame, `ack` recognises the answer.
 *
 * @example
 * const auth: WsAuthConfig = {
 *   login: () => signer.loginFrame(Date.now()),
 *   ack: (m) => ((m as { op?: string }).op === 'login' ? ((m as { ok: boolean }).ok ? 'ok' : 'rejected') : undefined),
 * };
 */
export interface WsAuthConfig {
  /** Builds the login frame, typically by calling a signer. */
  readonly login: (options: { signal: AbortSignal }) => MaybePromise<unknown>;
  /** `'ok'`, `'rejected'`, or `undefined` when the message is not the login answer. */
  readonly ack: (message: unknown) => 'ok' | 'rejected' | undefined;
  /** How long to wait for the ack before the connection is dropped and retried. Default 10 000 (ms). */
  readonly timeoutMs?: number;
}

/**
 * Request/response over the socket (Binance WebSocket API style: `{id, method, params}` →
 * `{id, status, result | error}`). Id extraction and error mapping are pluggable.
 *
 * @example
 * const rpc: WsRpcConfig = { idOf: (m) => (m as { reqId?: string }).reqId };
 */
export interface WsRpcConfig {
  /** The correlation id of a response; default `message.id` when a string or number. */
  readonly idOf?: (message: unknown) => string | number | undefined;
  /**
   * The error a response carries, if any; default: `status ≥ 400` or an `error` object
   * (`{code, msg}`) becomes `EXCHANGE_ERROR`.
   */
  readonly errorOf?: (message: unknown) => TickwireError | undefined;
  /** Default timeout of a request. Default 10 000 (ms). */
  readonly timeoutMs?: number;
}

/**
 * What happens to data across a reconnect (jetsocket's ReplayConfig, bounded).
 *
 * @example
 * const replay: ReplayConfig<Msg> = {
 *   mode: 'sequence_id',
 *   sequenceOf: (m) => m.seq,
 *   onReplay: (last) => manager.send({ op: 'replay', from: String(last) }),
 * };
 */
export type ReplayConfig<TMessage> =
  | { readonly mode: 'none' }
  | {
      readonly mode: 'sequence_id';
      /** Extracts the sequence id of incoming messages (tracked: the last one seen). */
      readonly sequenceOf: (message: TMessage) => SequenceId | undefined;
      /** Called after each reconnect (after resubscribing) with the last id seen before it. */
      readonly onReplay: (
        lastSequence: SequenceId | undefined,
        options: { signal: AbortSignal },
      ) => MaybePromise<void>;
    }
  | {
      readonly mode: 'full_buffer';
      /** Most frames kept while disconnected; beyond it `send` fails with `BUFFER_OVERFLOW`. Default 1000 (frames). */
      readonly capacity?: number;
    };

/**
 * The manager's connection state.
 *
 * @example
 * if (manager.state === 'stopped') await restart();
 */
export type WsState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'stopped' | 'closed';

/**
 * Typed lifecycle events of a manager (`manager.events`), usable as listener or `for await`.
 *
 * @example
 * manager.events.on('closed', (e) => console.log(e.code, e.reason));
 */
export type WsEvent =
  | { readonly type: 'connecting'; readonly url: string; readonly attempt: number }
  | { readonly type: 'open'; readonly url: string; readonly reconnect: boolean }
  | { readonly type: 'reconnecting'; readonly attempt: number; readonly delayMs: number }
  | { readonly type: 'resubscribed'; readonly count: number }
  | { readonly type: 'authenticated' }
  | { readonly type: 'closed'; readonly code: number; readonly reason: string }
  | { readonly type: 'circuit'; readonly state: 'open' | 'half-open' | 'closed' }
  | { readonly type: 'error'; readonly error: TickwireError };
