// The benchmark's baseline: the naive book many bots start with. One `Map` per side keyed by
// the wire price string (fine for Binance, whose price strings have a fixed format), a
// delete when `Number(qty) === 0`, and a full sort of the side (by `parseFloat`) on every
// read of the top levels.

export class NaiveBook {
  readonly bids = new Map<string, string>();
  readonly asks = new Map<string, string>();

  load(
    bids: readonly (readonly [string, string])[],
    asks: readonly (readonly [string, string])[],
  ): void {
    this.bids.clear();
    this.asks.clear();
    this.apply(bids, asks);
  }

  apply(
    bids: readonly (readonly [string, string])[],
    asks: readonly (readonly [string, string])[],
  ): void {
    for (const [p, q] of bids) {
      if (Number(q) === 0) this.bids.delete(p);
      else this.bids.set(p, q);
    }
    for (const [p, q] of asks) {
      if (Number(q) === 0) this.asks.delete(p);
      else this.asks.set(p, q);
    }
  }

  topBids(n: number): [string, string][] {
    return [...this.bids.entries()].sort((a, b) => parseFloat(b[0]) - parseFloat(a[0])).slice(0, n);
  }

  topAsks(n: number): [string, string][] {
    return [...this.asks.entries()].sort((a, b) => parseFloat(a[0]) - parseFloat(b[0])).slice(0, n);
  }
}
