import { createStyles, fit, type Styles } from './ansi.js';

/** One price level in human units (exact decimal strings). */
export interface PanelLevel {
  readonly price: string;
  readonly quantity: string;
}

/** One recent trade in human units. */
export interface PanelTrade {
  readonly price: string;
  readonly quantity: string;
  readonly side: 'buy' | 'sell';
}

/** What a book panel shows. */
export interface BookPanelInput {
  readonly title: string;
  /** A short state shown next to the title (`live`, `resyncing`, `stale 2.1 s`). */
  readonly status: string;
  /** Whether the status is a good one (green) or not (yellow). */
  readonly healthy: boolean;
  /** Best first. */
  readonly bids: readonly PanelLevel[];
  /** Best first. */
  readonly asks: readonly PanelLevel[];
  /** Newest first. */
  readonly trades: readonly PanelTrade[];
}

/**
 * Lines every level of a column shares: the numbers padded to the same number of decimals
 * (with zeros, which keeps each value exact) so the decimal points line up.
 */
function alignDecimals(values: readonly string[]): string[] {
  const decimals = Math.max(
    0,
    ...values.map((v) => (v.includes('.') ? v.length - v.indexOf('.') - 1 : 0)),
  );
  return values.map((v) => {
    if (decimals === 0) return v;
    const dot = v.indexOf('.');
    const have = dot < 0 ? 0 : v.length - dot - 1;
    return `${dot < 0 ? `${v}.` : v}${'0'.repeat(decimals - have)}`;
  });
}

function spreadLine(bid: PanelLevel | undefined, ask: PanelLevel | undefined): string {
  if (bid === undefined || ask === undefined) return 'spread –';
  const b = Number(bid.price);
  const a = Number(ask.price);
  // Display only: the spread in basis points of the mid, from the exact strings.
  const bp = ((a - b) / ((a + b) / 2)) * 10_000;
  return `spread ${exactDifference(ask.price, bid.price)} (${bp.toFixed(1)} bp)`;
}

/** a − b for two non-negative decimal strings, exactly (no float rounding in the view). */
function exactDifference(a: string, b: string): string {
  const scale = Math.max(fraction(a), fraction(b));
  const diff = toScaled(a, scale) - toScaled(b, scale);
  const negative = diff < 0n;
  const digits = (negative ? -diff : diff).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return `${negative ? '-' : ''}${text.includes('.') ? text.replace(/\.?0+$/, '') : text}`;
}

function fraction(s: string): number {
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : s.length - dot - 1;
}

function toScaled(s: string, scale: number): bigint {
  const [int = '0', frac = ''] = s.split('.');
  return BigInt(`${int}${frac.padEnd(scale, '0')}`);
}

/**
 * Renders a book panel, `width` columns wide: asks above (best nearest the middle), the
 * spread, bids below, then the latest trades. Every line is exactly `width` printed
 * columns, so panels can be placed side by side.
 *
 * @example
 * const lines = renderBookPanel({ title: 'BTC/USDT', status: 'live', healthy: true, bids, asks, trades: [] }, { width: 40, depth: 5, styles: createStyles(false) });
 */
export function renderBookPanel(
  input: BookPanelInput,
  options: { width: number; depth: number; trades?: number; styles?: Styles },
): string[] {
  const s = options.styles ?? createStyles(false);
  const w = options.width;
  const depth = options.depth;
  const bids = input.bids.slice(0, depth);
  const asks = input.asks.slice(0, depth);
  const prices = alignDecimals([...asks, ...bids].map((l) => l.price));
  const sizes = alignDecimals([...asks, ...bids].map((l) => l.quantity));
  const priceWidth = Math.max(5, ...prices.map((p) => p.length));
  const sizeWidth = Math.max(4, ...sizes.map((q) => q.length));
  const row = (label: string, i: number, color: (x: string) => string): string =>
    fit(
      ` ${color(label)} ${color((prices[i] ?? '').padStart(priceWidth))}  ${(sizes[i] ?? '').padStart(sizeWidth)}`,
      w,
    );
  const lines: string[] = [];
  const status = input.healthy ? s.green(input.status) : s.yellow(input.status);
  lines.push(fit(` ${s.bold(input.title)}  ${status}`, w));
  lines.push(fit(s.dim(`     ${'price'.padStart(priceWidth)}  ${'size'.padStart(sizeWidth)}`), w));
  for (let i = depth - 1; i >= 0; i--) {
    lines.push(i < asks.length ? row('ask', i, s.red) : fit('', w));
  }
  lines.push(fit(s.dim(` ${spreadLine(bids[0], asks[0])}`), w));
  for (let i = 0; i < depth; i++) {
    lines.push(i < bids.length ? row('bid', asks.length + i, s.green) : fit('', w));
  }
  const shown = input.trades.slice(0, options.trades ?? 3);
  lines.push(fit(s.dim(' last trades'), w));
  for (let i = 0; i < (options.trades ?? 3); i++) {
    const t = shown[i];
    lines.push(
      t === undefined
        ? fit('', w)
        : fit(
            ` ${t.side === 'buy' ? s.green('buy ') : s.red('sell')} ${t.quantity} @ ${t.price}`,
            w,
          ),
    );
  }
  return lines;
}

/**
 * Places panels side by side (when they fit in `columns`) or one under the other.
 *
 * @example
 * io.write(sideBySide([left, right], 40, io.columns).join('\n'));
 */
export function sideBySide(panels: readonly string[][], width: number, columns: number): string[] {
  const perRow = Math.max(1, Math.floor((columns + 2) / (width + 2)));
  const out: string[] = [];
  for (let start = 0; start < panels.length; start += perRow) {
    const group = panels.slice(start, start + perRow);
    const height = Math.max(...group.map((p) => p.length));
    for (let i = 0; i < height; i++) {
      out.push(group.map((p) => p[i] ?? ' '.repeat(width)).join('  '));
    }
    if (start + perRow < panels.length) out.push('');
  }
  return out;
}

/**
 * One plain line for a non-TTY log: best bid and ask with sizes and the spread.
 *
 * @example
 * bookLine('fFUEL/fUSDC', bids, asks); // 'fFUEL/fUSDC bid 0.0213 x 100 | ask 0.02131 x 25 | spread 0.00001 (4.7 bp)'
 */
export function bookLine(
  title: string,
  bids: readonly PanelLevel[],
  asks: readonly PanelLevel[],
): string {
  const bid = bids[0];
  const ask = asks[0];
  const side = (l: PanelLevel | undefined): string =>
    l === undefined ? '–' : `${l.price} x ${l.quantity}`;
  return `${title} bid ${side(bid)} | ask ${side(ask)} | ${spreadLine(bid, ask)} | levels ${bids.length}/${asks.length}`;
}
