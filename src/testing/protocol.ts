import type { IncomingHttpHeaders } from 'node:http';
import type { MatchingEngine } from './matching-engine.js';
import type { SimEvent, SimMarketSpec } from './types.js';

/**
 * An HTTP request as the simulator hands it to a personality. `rawQuery` and `rawBody`
 * are the exact bytes the client sent, so signature checks can verify them as is.
 *
 * @example
 * if (req.method === 'GET' && req.path === '/api/v3/ping') return { status: 200, body: {} };
 */
export interface SimRequest {
  readonly method: string;
  /** Path without the query string (`/api/v3/depth`). */
  readonly path: string;
  /** The query string exactly as sent, without the `?` (`''` when none). */
  readonly rawQuery: string;
  /** Parsed query (decoded). */
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The body exactly as sent (UTF-8). */
  readonly rawBody: string;
  /** The client's address, the key of per-IP limits. */
  readonly remoteAddress: string;
}

/**
 * A personality's HTTP answer. An object body is sent as JSON; a string body as is.
 *
 * @example
 * const res: SimResponse = { status: 400, body: { code: -1121, msg: 'Invalid symbol.' } };
 */
export interface SimResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string | object;
}

/**
 * One accepted WebSocket connection, as a personality sees it. `send` is for market and
 * account event frames (the simulator counts them and applies stream faults); `reply` is
 * for answers to the client's own messages.
 *
 * @example
 * socket.send(JSON.stringify({ stream: 'btcusdt@trade', data }));
 */
export interface SimSocket {
  /** Connection number, unique per simulator. */
  readonly id: number;
  /** The upgrade request URL (path and query). */
  readonly url: URL;
  readonly remoteAddress: string;
  /** Bytes queued in the socket and not yet written (`ws`'s `bufferedAmount`). */
  readonly bufferedAmount: number;
  /** Sends an event frame (counted; subject to stall, duplicate and malformed faults). */
  send(frame: string): void;
  /** Sends a reply to a client message (counted; held back only by a stall). */
  reply(frame: string): void;
  /** Sends a protocol-level ping (suppressed during a stall). */
  ping(payload?: string): void;
  /** Closes with a close frame. */
  close(code: number, reason: string): void;
  /** Destroys the socket without a close frame. */
  terminate(): void;
}

/**
 * The per-connection handler a personality returns for each accepted socket.
 *
 * @example
 * const session: SimSession = { onMessage(t) {}, onEvent(e) {}, onClose() {} };
 */
export interface SimSession {
  /** A text frame from the client. */
  onMessage(text: string): void;
  /** A protocol-level pong from the client. */
  onPong?(payload: string): void;
  /** A protocol-level ping from the client (the simulator answers it unless stalled). */
  onPing?(): void;
  /** Every engine event; the session decides what its subscriptions make of it. */
  onEvent(event: SimEvent): void;
  /** The socket closed (either side). */
  onClose(): void;
}

/**
 * Whether a WebSocket upgrade is accepted; a refusal is answered with `status`.
 *
 * @example
 * acceptUpgrade: (url) => (url.pathname === '/v1/ws' ? { accept: true } : { accept: false, status: 404, reason: 'Not Found' }),
 */
export type SimUpgradeDecision =
  | { readonly accept: true }
  | { readonly accept: false; readonly status: number; readonly reason: string };

/**
 * Counters a personality reports into `sim.stats()`.
 *
 * @example
 * ctx.stats.violation('wsMessageRate');
 */
export interface SimStatsSink {
  /** A client broke an exchange limit (`'wsMessageRate'`, `'requestWeight'`, …). */
  violation(kind: string): void;
  /** Records request weight used in the current fixed one-minute window; returns the window total. */
  useWeight(key: string, weight: number): number;
  /** Weight used so far in the current one-minute window for `key`. */
  weightUsed(key: string): number;
}

/**
 * What the engine gives a personality: the matching engine (books, accounts, orders), the
 * clock, counters for `stats()` and fixed-window limit counting.
 *
 * @example
 * const book = ctx.engine.market('BTCUSDT');
 */
export interface SimContext {
  readonly engine: MatchingEngine;
  readonly stats: SimStatsSink;
  /** Simulator clock (epoch ms). */
  now(): number;
  /**
   * Adds `amount` to the fixed, aligned window of `intervalMs` for `key` and returns the
   * window's total (windows start at multiples of `intervalMs`, as Binance's do).
   */
  countInWindow(key: string, intervalMs: number, amount: number): number;
}

/**
 * An exchange personality: everything about one exchange's wire protocol, handed to the
 * generic {@link ExchangeSimulator}. The engine owns sockets, markets, matching, faults
 * and stats; the personality turns requests and engine events into that exchange's exact
 * frames.
 *
 * @example
 * const sim = new ExchangeSimulator({ protocol: createBinanceSimulatorProtocol(), seed: 1 });
 */
export interface SimulatorProtocol {
  /** Exchange name (`'binance'`, `'o2'`). */
  readonly exchange: string;
  /** Markets the simulator runs. */
  readonly markets: readonly SimMarketSpec[];
  /** Called once before the server listens: create accounts, fund them. */
  init(ctx: SimContext): void;
  /** Answers one HTTP request (after the simulator applied HTTP faults). */
  handleHttp(req: SimRequest, ctx: SimContext): SimResponse | Promise<SimResponse>;
  /** Decides whether a WebSocket upgrade to `url` is accepted. */
  acceptUpgrade(url: URL): SimUpgradeDecision;
  /** Creates the handler of one accepted socket. */
  openSession(socket: SimSocket, ctx: SimContext): SimSession;
  /** The exchange's body for a simulated 429, 418 or 5xx (status and Retry-After are set by the engine). */
  faultBody(
    kind: 'rate-limited' | 'banned' | 'server-error',
    retryAfterSeconds: number,
  ): string | object;
  /**
   * The exchange's planned-shutdown notice for one socket (Binance `serverShutdown`), or
   * undefined when the exchange sends none. Optional.
   */
  shutdownNotice?(socket: SimSocket): string | undefined;
  /** Formats a book level as the exchange's wire strings. */
  formatLevel(market: SimMarketSpec, price: bigint, quantity: bigint): readonly [string, string];
}
