import { BookLevel } from './book-level.js';
import { compareDecimalKeys } from './price-key.js';

/** Internal mutable node behind a level; `level` caches the immutable public form. */
export class LevelNode {
  key: string;
  digits: number;
  price: string;
  quantity: string;
  level: BookLevel | undefined = undefined;

  constructor(key: string, digits: number, price: string, quantity: string) {
    this.key = key;
    this.digits = digits;
    this.price = price;
    this.quantity = quantity;
  }

  toLevel(): BookLevel {
    return (this.level ??= new BookLevel(this.price, this.quantity));
  }
}

/**
 * One side of a book: nodes in a plain array sorted so that the best price is at the end
 * (bids ascending, asks descending). Most updates touch the top of the book, so inserts and
 * removals there move few elements, and the best level is `nodes[length - 1]`.
 */
export class BookSide {
  readonly nodes: LevelNode[] = [];
  // +1 for bids (ascending array), -1 for asks (descending array).
  readonly #sign: 1 | -1;

  constructor(side: 'bids' | 'asks') {
    this.#sign = side === 'bids' ? 1 : -1;
  }

  get size(): number {
    return this.nodes.length;
  }

  best(): LevelNode | undefined {
    return this.nodes[this.nodes.length - 1];
  }

  /** Index of `key`, or `~insertionPoint` when absent. */
  search(key: string, digits: number): number {
    const nodes = this.nodes;
    const sign = this.#sign;
    let lo = 0;
    let hi = nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const node = nodes[mid] as LevelNode;
      let c: number;
      if (node.digits !== digits) c = node.digits - digits;
      else c = node.key < key ? -1 : node.key > key ? 1 : 0;
      c *= sign;
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid;
      else return mid;
    }
    return ~lo;
  }

  /** Sets the level at `key` to an absolute size; `zero` removes it. */
  update(key: string, digits: number, price: string, quantity: string, zero: boolean): void {
    const nodes = this.nodes;
    const i = this.search(key, digits);
    if (i >= 0) {
      if (zero) {
        if (i === nodes.length - 1) nodes.pop();
        else nodes.splice(i, 1);
      } else {
        const node = nodes[i] as LevelNode;
        node.price = price;
        node.quantity = quantity;
        node.level = undefined;
      }
    } else if (!zero) {
      const at = ~i;
      const node = new LevelNode(key, digits, price, quantity);
      if (at === nodes.length) nodes.push(node);
      else nodes.splice(at, 0, node);
    }
  }

  /**
   * Replaces every level. `fresh` need not be sorted and may repeat a price (the last entry
   * wins); a node whose quantity is `''` stands for a zero size and is dropped.
   */
  load(fresh: LevelNode[]): void {
    const sign = this.#sign;
    // Array#sort is stable, so equal prices keep their input order.
    fresh.sort((a, b) => sign * compareDecimalKeys(a.key, a.digits, b.key, b.digits));
    const nodes = this.nodes;
    nodes.length = 0;
    for (const node of fresh) {
      const last = nodes[nodes.length - 1];
      if (last !== undefined && last.key === node.key) nodes[nodes.length - 1] = node;
      else nodes.push(node);
    }
    let kept = 0;
    for (const node of nodes) if (node.quantity !== '') nodes[kept++] = node;
    nodes.length = kept;
  }

  /** Keeps the best `depth` levels. */
  truncate(depth: number): void {
    const excess = this.nodes.length - depth;
    if (excess > 0) this.nodes.splice(0, excess);
  }

  clear(): void {
    this.nodes.length = 0;
  }

  /** The best `n` levels, best first. */
  top(n: number): BookLevel[] {
    const nodes = this.nodes;
    const count = Math.min(n, nodes.length);
    const out = new Array<BookLevel>(count);
    for (let i = 0; i < count; i++) out[i] = (nodes[nodes.length - 1 - i] as LevelNode).toLevel();
    return out;
  }
}
