import type { OrderBookReader } from '../../src/index.js';
import { durationOption, numberOption, type OptionValues } from '../args.js';
import { type CommandContext, withDuration } from '../command.js';
import { UsageError } from '../errors.js';
import { exchangeSpec, resolveEndpoints, resolveMarkets } from '../exchanges.js';
import { openFeed } from '../feed.js';
import { clock, humanLevels } from '../format.js';
import { createStyles, screenCodes } from '../ui/ansi.js';
import { bookLine, renderBookPanel, type PanelTrade } from '../ui/book-panel.js';

/** Runs `tickwire book` (loaded on demand, so help and usage errors start fast). */
export async function run(
  { io, signal: stopSignal }: CommandContext,
  values: OptionValues,
  positionals: readonly string[],
): Promise<number> {
  const [exchange, marketName] = positionals;
  const spec = exchangeSpec(exchange, 'book');
  if (marketName === undefined) throw new UsageError('missing <market>', 'book');
  const depth = numberOption(values, 'depth', 'book', { min: 1, max: 500 }) ?? 10;
  const intervalS =
    numberOption(values, 'interval', 'book', { min: 0.05, max: 3600, integer: false }) ?? 1;
  const durationMs = durationOption(values, 'book');
  const json = values['json'] === true;
  const live = io.isTTY && !json;
  const endpoints = resolveEndpoints(spec, values, 'book');
  const feed = openFeed(spec, endpoints, 'book');
  const { signal, dispose } = withDuration(stopSignal, durationMs);
  const s = createStyles(io.color);
  const trades: PanelTrade[] = [];
  let resyncs = 0;
  const offEvents = feed.onEvent((e) => {
    if (e.type === 'resynced') resyncs += 1;
  });
  let latest: OrderBookReader | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    const [market] = await resolveMarkets(
      spec,
      (s) => feed.markets(s),
      [marketName],
      signal,
      'book',
    );
    if (market === undefined) return 0;
    const draw = (): void => {
      const c = feed.counters();
      const { bids, asks } =
        latest === undefined ? { bids: [], asks: [] } : humanLevels(spec, market, latest, depth);
      const synced = latest?.isSynced === true;
      if (json) {
        io.out(
          JSON.stringify({
            exchange: spec.name,
            market: market.symbol,
            time: Date.now(),
            synced,
            bids: bids.map((l) => [l.price, l.quantity]),
            asks: asks.map((l) => [l.price, l.quantity]),
            messagesIn: c.messagesIn,
            reconnects: c.reconnects,
            resyncs,
          }),
        );
      } else if (!live) {
        io.out(
          `${clock(Date.now())} ${bookLine(market.symbol, bids, asks)} | msgs ${c.messagesIn} reconnects ${c.reconnects} resyncs ${resyncs}`,
        );
      } else {
        const panel = renderBookPanel(
          {
            title: `${spec.name} ${market.symbol}`,
            status: latest === undefined ? 'connecting…' : synced ? 'live' : 'resyncing',
            healthy: synced,
            bids,
            asks,
            trades,
          },
          { width: Math.min(io.columns, 60), depth, trades: 5, styles: s },
        );
        const footer = s.dim(
          ` msgs ${c.messagesIn}  reconnects ${c.reconnects}  resyncs ${resyncs}  ${clock(Date.now())}  Ctrl-C to quit`,
        );
        io.write(
          `${screenCodes.home}${[...panel, footer].map((l) => `${l}${screenCodes.clearLine}`).join('\n')}\n${screenCodes.clearBelow}`,
        );
      }
    };
    if (live) io.write(screenCodes.enter);
    timer = setInterval(draw, live ? 100 : intervalS * 1000);
    void (async () => {
      try {
        for await (const t of feed.trades(market, signal)) {
          trades.unshift({
            price: t.price.toFixed(),
            quantity: t.quantity.toFixed(),
            side: t.side,
          });
          trades.length = Math.min(trades.length, 5);
        }
      } catch {
        // the book loop reports failures; trades are decoration
      }
    })();
    for await (const book of feed.books(market, depth, signal)) latest = book;
  } catch (e) {
    if (!signal.aborted) throw e;
  } finally {
    if (timer !== undefined) clearInterval(timer);
    if (live) io.write(screenCodes.leave);
    offEvents();
    dispose();
    await feed.close();
  }
  return 0;
}
