// The `npm start` demo bot: market data for two O2 markets through the public API only —
// an O2Adapter pointed at any O2 endpoint (here the embedded simulator), maintained order
// books, trades, and the adapter's events and counters to see the SDK at work. The
// launcher (examples/demo/main.ts) starts the simulator, injects faults and draws the view.
// In your own project import from 'tickwire' and 'tickwire/adapters/o2' instead.
import {
  isTickwireError,
  type AdapterEvent,
  type OrderBookReader,
  type Trade,
} from '../src/index.js';
import { O2Adapter } from '../adapters/o2/index.js';
import { booksOf } from './demo/books.js';

/**
 * What the bot knows about one market.
 *
 * @example
 * for (const m of bot.markets) console.log(m.symbol, m.book?.bestBid?.price, m.trades[0]?.price.toFixed());
 */
export interface DemoMarket {
  readonly symbol: string;
  /** The latest view of the maintained book (`undefined` until the first snapshot). */
  book: OrderBookReader | undefined;
  /** Latest trades, newest first (at most 8). */
  readonly trades: Trade[];
  /** Book updates seen. */
  updates: number;
  /** Epoch ms of the last book update (0 before the first). */
  lastUpdateAt: number;
}

/**
 * One line of the bot's event log.
 *
 * @example
 * bot.note('fault', 'FAULT injected: the exchange drops every connection');
 */
export interface DemoLogEntry {
  /** Epoch ms. */
  readonly time: number;
  readonly kind: 'info' | 'fault' | 'sdk' | 'recovered';
  readonly text: string;
}

/**
 * Options of {@link DemoBot}.
 *
 * @example
 * new DemoBot({ restUrl: sim.httpUrl, wsUrl: `${sim.wsUrl}/v1/ws`, depth: 5 });
 */
export interface DemoBotOptions {
  /** O2 REST base URL (the simulator's `httpUrl`). */
  readonly restUrl: string;
  /** O2 socket URL (the simulator's `wsUrl` + `/v1/ws`). */
  readonly wsUrl: string;
  /** Markets to follow (unified symbols). Default: the first two the exchange lists. */
  readonly markets?: readonly string[];
  /** Levels per side kept in each view. Default 5. */
  readonly depth?: number;
}

/** Latency samples kept for the percentiles. */
const LATENCY_WINDOW = 2000;

/**
 * A small market-data bot: follows the depth and trades of two markets with maintained
 * books, and keeps what a dashboard shows (messages per second, trade latency percentiles,
 * reconnects, resyncs, an event log of what the SDK did). Stop it with the signal given to
 * {@link DemoBot.run}.
 *
 * @example
 * const bot = new DemoBot({ restUrl: sim.httpUrl, wsUrl: `${sim.wsUrl}/v1/ws` });
 * const running = bot.run(signal);
 * setInterval(() => draw(bot.markets, bot.log, bot.rates()), 250);
 * await running;
 */
export class DemoBot {
  readonly adapter: O2Adapter;
  readonly markets: DemoMarket[] = [];
  readonly log: DemoLogEntry[] = [];
  readonly #options: DemoBotOptions;
  readonly #latencies: number[] = [];
  #latencyAt = 0;
  #resyncs = 0;
  #lastCount = { at: 0, messages: 0 };
  #rate = 0;
  /**
   * Set from the first sign of trouble (socket closed, heartbeat timeout, resync) until
   * every book has been updated from a fresh subscription (`freshSince`) again.
   */
  #outage: { since: number; reason: string; freshSince?: number } | undefined;
  #stopping = false;

  constructor(options: DemoBotOptions) {
    this.#options = options;
    this.adapter = new O2Adapter({
      restUrl: options.restUrl,
      wsUrl: options.wsUrl,
      // A demo wants to show recovery within seconds: PING every second, drop the socket
      // when no PONG came within 1.5 s, retry fast. (The defaults are 30 s, for O2's servers.)
      stream: {
        pingIntervalMs: 1000,
        pongTimeoutMs: 1500,
        backoff: { base: 200, cap: 1000 },
      },
    });
    this.adapter.events.on((e) => this.#onEvent(e));
  }

  /** Appends a line to the event log (kept to the last 50). */
  note(kind: DemoLogEntry['kind'], text: string): void {
    this.log.push({ time: Date.now(), kind, text });
    if (this.log.length > 50) this.log.shift();
  }

  /**
   * Follows the markets until `signal` aborts; resolves when every loop has ended and the
   * adapter is closed.
   *
   * @example
   * await bot.run(AbortSignal.timeout(15_000));
   */
  async run(signal: AbortSignal): Promise<void> {
    try {
      const all = await this.adapter.getMarkets({ signal });
      const symbols = this.#options.markets ?? all.slice(0, 2).map((m) => m.symbol);
      this.note(
        'info',
        `following ${symbols.join(' and ')} (depth + trades) on ${this.#options.wsUrl}`,
      );
      for (const symbol of symbols) {
        this.markets.push({ symbol, book: undefined, trades: [], updates: 0, lastUpdateAt: 0 });
      }
      await Promise.all(
        this.markets.flatMap((m) => [this.#followBook(m, signal), this.#followTrades(m, signal)]),
      );
    } catch (e) {
      if (!signal.aborted) throw e;
    } finally {
      this.#stopping = true;
      await this.adapter.close();
    }
  }

  async #followBook(market: DemoMarket, signal: AbortSignal): Promise<void> {
    const depth = this.#options.depth ?? 5;
    try {
      for await (const book of booksOf(this.adapter, market.symbol, depth, signal)) {
        market.book = book;
        market.updates += 1;
        market.lastUpdateAt = Date.now();
        const fresh = this.#outage?.freshSince;
        if (
          this.#outage !== undefined &&
          fresh !== undefined &&
          this.markets.every((m) => m.book?.isSynced === true && m.lastUpdateAt >= fresh)
        ) {
          const seconds = ((Date.now() - this.#outage.since) / 1000).toFixed(1);
          this.note(
            'recovered',
            `RECOVERED after ${this.#outage.reason}: books live again ${seconds} s later (fresh snapshots)`,
          );
          this.#outage = undefined;
        }
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  }

  async #followTrades(market: DemoMarket, signal: AbortSignal): Promise<void> {
    try {
      for await (const trade of this.adapter.streamTrades(market.symbol, { signal })) {
        // Exchange time → bot, in ms (both clocks are this machine's when the exchange is
        // the embedded simulator).
        this.#latency(Date.now() - trade.time);
        market.trades.unshift(trade);
        if (market.trades.length > 8) market.trades.pop();
      }
    } catch (e) {
      if (!signal.aborted) throw e;
    }
  }

  #latency(ms: number): void {
    if (this.#latencies.length < LATENCY_WINDOW) this.#latencies.push(ms);
    else this.#latencies[this.#latencyAt] = ms;
    this.#latencyAt = (this.#latencyAt + 1) % LATENCY_WINDOW;
  }

  #trouble(reason: string): void {
    if (this.#outage === undefined) this.#outage = { since: Date.now(), reason };
  }

  #onEvent(e: AdapterEvent): void {
    if (this.#stopping) return;
    switch (e.type) {
      case 'reconnecting':
        this.#trouble('connection lost');
        this.note('sdk', `reconnecting (attempt ${e.attempt}, in ${e.delayMs} ms)`);
        return;
      case 'open':
        if (!e.reconnect) return;
        this.#trouble('connection lost');
        if (this.#outage !== undefined) this.#outage.freshSince = Date.now();
        this.note('sdk', 'socket open again; resubscribing (fresh snapshots follow)');
        return;
      case 'resubscribed':
        this.note('sdk', `resubscribed ${e.count} channel${e.count === 1 ? '' : 's'}`);
        return;
      case 'resynced':
        this.#resyncs += 1;
        this.#trouble(`resync (${e.reason})`);
        if (this.#outage !== undefined) this.#outage.freshSince = Date.now();
        this.note('sdk', `${e.market} book resynced (${e.reason})`);
        return;
      case 'closed':
        if (e.connection !== undefined && e.code !== undefined) {
          this.#trouble('connection lost');
          this.note('sdk', `socket closed (${e.code}${e.reason ? ` ${e.reason}` : ''})`);
        }
        return;
      case 'error':
        if (isTickwireError(e.error, 'WS_HEARTBEAT_TIMEOUT')) {
          this.#trouble('stalled feed');
          this.note('sdk', 'heartbeat: no PONG in time, dropping the socket to reconnect');
        } else {
          if (e.error.code.startsWith('BOOK_')) this.#trouble(`a wrong book (${e.error.code})`);
          this.note('sdk', `${e.error.code}: ${e.error.message}`);
        }
        return;
      default:
        return;
    }
  }

  /**
   * What the dashboard shows besides the books: messages per second (over the time since
   * the previous call), trade latency percentiles (ms), reconnects and resyncs.
   *
   * @example
   * const { messagesPerSecond, p50, p99 } = bot.rates();
   */
  rates(): {
    messages: number;
    messagesPerSecond: number;
    p50: number | undefined;
    p99: number | undefined;
    reconnects: number;
    resyncs: number;
  } {
    const ws = this.adapter.stats().ws;
    let messages = 0;
    let reconnects = 0;
    for (const s of Object.values(ws)) {
      messages += s.messagesIn;
      reconnects += s.reconnects;
    }
    const now = Date.now();
    if (this.#lastCount.at === 0) this.#lastCount = { at: now, messages };
    else if (now - this.#lastCount.at >= 900) {
      this.#rate = ((messages - this.#lastCount.messages) * 1000) / (now - this.#lastCount.at);
      this.#lastCount = { at: now, messages };
    }
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const pick = (q: number): number | undefined =>
      sorted.length === 0
        ? undefined
        : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return {
      messages,
      messagesPerSecond: this.#rate,
      p50: pick(0.5),
      p99: pick(0.99),
      reconnects,
      resyncs: this.#resyncs,
    };
  }
}
