import { Decimal } from '../../src/numbers/index.js';
import type { LevelInput } from '../../src/book/index.js';

/** A deliberately naive book for property tests: Map keyed by Decimal#toFixed, sort on read. */
export class ReferenceBook {
  readonly bids = new Map<string, [string, string]>();
  readonly asks = new Map<string, [string, string]>();

  constructor(private readonly maxDepth = Infinity) {}

  snapshot(bids: readonly LevelInput[], asks: readonly LevelInput[]): void {
    this.bids.clear();
    this.asks.clear();
    this.delta(bids, asks);
  }

  delta(bids: readonly LevelInput[], asks: readonly LevelInput[]): void {
    for (const [p, q] of bids) set(this.bids, p, q);
    for (const [p, q] of asks) set(this.asks, p, q);
    if (this.maxDepth !== Infinity) {
      for (const [side, map] of [
        ['bids', this.bids],
        ['asks', this.asks],
      ] as const) {
        for (const [p] of this.sorted(side).slice(this.maxDepth)) {
          map.delete(new Decimal(p).toFixed());
        }
      }
    }
  }

  /** Best first, as `[price, quantity]` wire strings. */
  sorted(side: 'bids' | 'asks'): [string, string][] {
    const levels = [...(side === 'bids' ? this.bids : this.asks).values()];
    levels.sort((a, b) => new Decimal(a[0]).comparedTo(new Decimal(b[0])));
    if (side === 'bids') levels.reverse();
    return levels;
  }
}

function set(map: Map<string, [string, string]>, p: string, q: string): void {
  const key = new Decimal(p).toFixed();
  if (new Decimal(q).isZero()) map.delete(key);
  else map.set(key, [p, q]);
}
