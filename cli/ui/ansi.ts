// Terminal output by hand-written ANSI escapes: the views need colour, clear-and-redraw and
// a hidden cursor, which is eight escape sequences. A library (ink, blessed, chalk) would
// add a dependency tree for that; see README "Command line".

const ESC = '\x1b[';

/** Escape sequences for a redrawn full-screen view. */
export const screenCodes = {
  /** Switch to the alternate screen and hide the cursor. */
  enter: `${ESC}?1049h${ESC}?25l`,
  /** Show the cursor and return to the normal screen. */
  leave: `${ESC}?25h${ESC}?1049l`,
  /** Cursor to the top-left corner. */
  home: `${ESC}H`,
  /** Clear from the cursor to the end of the line. */
  clearLine: `${ESC}K`,
  /** Clear from the cursor to the end of the screen. */
  clearBelow: `${ESC}J`,
} as const;

/** Text styles; each is the identity when colours are off. */
export interface Styles {
  readonly bold: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly red: (s: string) => string;
  readonly green: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
}

/**
 * Styles that colour when `color` is true (a TTY without `NO_COLOR`), plain otherwise.
 *
 * @example
 * const s = createStyles(io.color);
 * io.out(s.green('bid'));
 */
export function createStyles(color: boolean): Styles {
  const wrap =
    (open: number, close: number) =>
    (s: string): string =>
      color ? `${ESC}${open}m${s}${ESC}${close}m` : s;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/**
 * The text without its escape sequences.
 *
 * @example
 * stripAnsi('\x1b[32mbid\x1b[39m'); // 'bid'
 */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching escape sequences is the point
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

/**
 * The printed width of a string (escape sequences excluded).
 *
 * @example
 * visibleLength('\x1b[32mbid\x1b[39m'); // 3
 */
export function visibleLength(s: string): number {
  return stripAnsi(s).length;
}

/**
 * Pads (or cuts) a possibly styled string to exactly `width` printed columns.
 *
 * @example
 * fit('spread', 10); // 'spread    '
 */
export function fit(s: string, width: number): string {
  const n = visibleLength(s);
  if (n <= width) return s + ' '.repeat(width - n);
  // Cutting styled text: drop the styling rather than cut inside an escape sequence.
  const plain = stripAnsi(s);
  return width <= 1 ? plain.slice(0, width) : `${plain.slice(0, width - 1)}…`;
}
