import { fromScaledInteger, type OrderBookReader } from '../../src/index.js';
import type { O2MarketInfo } from '../../adapters/o2/index.js';
import { createStyles, fit, screenCodes } from '../../cli/ui/ansi.js';
import { bookLine, renderBookPanel, sideBySide, type PanelLevel } from '../../cli/ui/book-panel.js';
import type { DemoBot, DemoLogEntry, DemoMarket } from '../demo-bot.js';

/**
 * Where the view writes, and what it knows about the terminal.
 *
 * @example
 * const out: DemoOutput = { write: (t) => process.stdout.write(t), isTTY: false, color: false, columns: 80, rows: 24 };
 */
export interface DemoOutput {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly color: boolean;
  readonly columns: number;
  readonly rows: number;
}

const PANEL_WIDTH = 38;

/** Seconds since `start`, right-aligned: `[  5.2s]`. */
function stamp(start: number, time: number): string {
  return `[${(Math.max(0, time - start) / 1000).toFixed(1).padStart(5)}s]`;
}

function levels(
  book: OrderBookReader | undefined,
  market: O2MarketInfo | undefined,
  depth: number,
) {
  const human = (side: readonly { price: string; quantity: string }[]): PanelLevel[] =>
    market === undefined
      ? []
      : side.map((l) => ({
          price: fromScaledInteger(l.price, market.quoteDecimals, 'price').toFixed(),
          quantity: fromScaledInteger(l.quantity, market.baseDecimals, 'quantity').toFixed(),
        }));
  return {
    bids: human(book?.bids(depth) ?? []),
    asks: human(book?.asks(depth) ?? []),
  };
}

/** `live`, `waiting`, `resyncing`, or `stale 2.1 s` when no update came for over 1.5 s. */
function marketState(m: DemoMarket, now: number): string {
  if (m.book === undefined) return 'waiting';
  if (!m.book.isSynced) return 'resyncing';
  const quiet = now - m.lastUpdateAt;
  return quiet > 1500 ? `stale ${(quiet / 1000).toFixed(1)} s` : 'live';
}

function marketInfo(bot: DemoBot, symbol: string): O2MarketInfo | undefined {
  return bot.adapter.markets.find(symbol) as O2MarketInfo | undefined;
}

function ms(v: number | undefined): string {
  return v === undefined ? '–' : `${v} ms`;
}

/**
 * Draws the demo: in a terminal a full-screen dashboard redrawn in place (two book
 * panels, rates, the event log); otherwise plain lines — new log entries as they happen and
 * one line per book plus a stats line every `intervalMs`.
 *
 * @example
 * const view = new DemoView(bot, out, { title: 'tickwire demo', depth: 5 });
 * view.start(); …; view.stop();
 */
export class DemoView {
  readonly #bot: DemoBot;
  readonly #out: DemoOutput;
  readonly #title: string;
  readonly #depth: number;
  readonly #intervalMs: number;
  readonly #start = Date.now();
  #timer: NodeJS.Timeout | undefined;
  readonly #printed = new WeakSet<DemoLogEntry>();
  #lastPlain = 0;

  constructor(
    bot: DemoBot,
    out: DemoOutput,
    options: { title: string; depth: number; intervalMs?: number },
  ) {
    this.#bot = bot;
    this.#out = out;
    this.#title = options.title;
    this.#depth = options.depth;
    this.#intervalMs = options.intervalMs ?? 1000;
  }

  /** Starts drawing (a terminal switches to the alternate screen). */
  start(): void {
    if (this.#out.isTTY) this.#out.write(screenCodes.enter);
    this.#timer = setInterval(() => this.draw(), this.#out.isTTY ? 200 : 100);
  }

  /** Stops drawing and restores the terminal; prints what is still unprinted. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#out.isTTY) this.#out.write(screenCodes.leave);
    this.#printLog();
  }

  /** Draws once (called by the timer). */
  draw(): void {
    if (this.#out.isTTY) this.#drawScreen();
    else this.#drawPlain();
  }

  #printLog(): void {
    for (const e of this.#bot.log) {
      if (this.#printed.has(e)) continue;
      this.#printed.add(e);
      this.#out.write(`${this.#logLine(e, false)}\n`);
    }
  }

  #logLine(e: DemoLogEntry, color: boolean): string {
    const s = createStyles(color);
    const paint =
      e.kind === 'fault'
        ? s.red
        : e.kind === 'recovered'
          ? s.green
          : e.kind === 'sdk'
            ? s.yellow
            : s.dim;
    return `${s.dim(stamp(this.#start, e.time))} ${paint(e.text)}`;
  }

  #statsLine(color: boolean, full: boolean): string {
    const s = createStyles(color);
    const r = this.#bot.rates();
    const parts = [
      `msgs/s ${s.bold(r.messagesPerSecond.toFixed(0))}`,
      `trade latency p50 ${s.bold(ms(r.p50))} p99 ${s.bold(ms(r.p99))}`,
      `reconnects ${s.bold(String(r.reconnects))}`,
      `resyncs ${s.bold(String(r.resyncs))}`,
    ];
    if (full) parts.push(`messages ${r.messages}`);
    return parts.join(' | ');
  }

  #drawPlain(): void {
    this.#printLog();
    const now = Date.now();
    if (now - this.#lastPlain < this.#intervalMs) return;
    this.#lastPlain = now;
    const at = stamp(this.#start, now);
    for (const m of this.#bot.markets) {
      const { bids, asks } = levels(m.book, marketInfo(this.#bot, m.symbol), this.#depth);
      const state = marketState(m, now);
      this.#out.write(`${at} book ${bookLine(m.symbol, bids, asks)} | ${state}\n`);
    }
    this.#out.write(`${at} stats ${this.#statsLine(false, true)}\n`);
  }

  #drawScreen(): void {
    const s = createStyles(this.#out.color);
    const width = this.#out.columns;
    const elapsed = ((Date.now() - this.#start) / 1000).toFixed(1);
    const lines: string[] = [];
    lines.push(fit(` ${s.bold(this.#title)}  ${s.dim(`${elapsed} s · Ctrl-C to quit`)}`, width));
    lines.push('');
    const panels = this.#bot.markets.map((m) => {
      const { bids, asks } = levels(m.book, marketInfo(this.#bot, m.symbol), this.#depth);
      const state = marketState(m, Date.now());
      return renderBookPanel(
        {
          title: m.symbol,
          status: state === 'live' ? '● live' : `◌ ${state}`,
          healthy: state === 'live',
          bids,
          asks,
          trades: m.trades.map((t) => ({
            price: t.price.toFixed(),
            quantity: t.quantity.toFixed(),
            side: t.side,
          })),
        },
        { width: PANEL_WIDTH, depth: this.#depth, trades: 3, styles: s },
      );
    });
    lines.push(...sideBySide(panels, PANEL_WIDTH, width));
    lines.push('');
    lines.push(fit(` ${this.#statsLine(this.#out.color, false)}`, width));
    lines.push('');
    lines.push(fit(s.dim(' what happened'), width));
    for (const e of this.#bot.log.slice(-8))
      lines.push(fit(` ${this.#logLine(e, this.#out.color)}`, width));
    this.#out.write(
      `${screenCodes.home}${lines.map((l) => `${l}${screenCodes.clearLine}`).join('\n')}\n${screenCodes.clearBelow}`,
    );
  }
}
