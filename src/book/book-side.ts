import { BookLevel } from './book-level.js';
import { compareDecimalKeys } from './price-key.js';

/** Keys moved one by one rather than by `copyWithin` up to this many (measured crossover ≈ 12). */
const SHORT_MOVE = 8;

/**
 * Internal mutable node behind a level; `level` caches the immutable public form. The price
 * is keyed either by `num`, the exact integer `price × 10^scale` (below 2^53), or — in
 * string mode, for prices that do not fit (u64 integers beyond 2^53, very long decimals) —
 * by the canonical decimal `key` with its integer-digit count `digits`.
 */
/**
 * A copy of `text` that holds no reference to a larger string. Parsers hand the book
 * substrings of the frame they read (V8 keeps a substring of 13 or more characters as a view
 * into its parent), and a level can live far longer than its frame: stored as they are, a
 * deep book keeps thousands of whole frame texts alive and every young-generation GC copies
 * them (measured: scavenges 2-4× longer with a 1000-level book). Short strings are copies
 * already; a longer one is rebuilt through a one-character concatenation, which V8 flattens
 * into a fresh string of its own.
 *
 * @example
 * lastHead = compactCopy(frame.slice(0, 62)); // cached across frames without pinning the frame
 */
export function compactCopy(text: string): string {
  return text.length < 13 ? text : (' ' + text).slice(1);
}

export class LevelNode {
  num: number;
  key: string;
  digits: number;
  price: string;
  quantity: string;
  level: BookLevel | undefined = undefined;
  /** Scaled sides: the neighbour one price step better / worse (undefined at either end). */
  better: LevelNode | undefined = undefined;
  worse: LevelNode | undefined = undefined;

  constructor(num: number, key: string, digits: number, price: string, quantity: string) {
    this.num = num;
    this.key = key;
    this.digits = digits;
    this.price = price;
    this.quantity = quantity;
  }

  toLevel(): BookLevel {
    return (this.level ??= new BookLevel(this.price, this.quantity));
  }
}

/** What the book reads from a side, whichever way it is keyed. */
export interface BookSideReader {
  readonly size: number;
  best(): LevelNode | undefined;
  /** The best `n` levels, best first. */
  top(n: number): BookLevel[];
  /** Every node, worst first. */
  all(): LevelNode[];
  truncate(depth: number): void;
  clear(): void;
}

/**
 * One side keyed by exact scaled integers (`LevelNode.num`): the keys sit in a sorted
 * `Float64Array` with the best price at the end (bids ascending, asks descending), the nodes
 * in a `Map` by key, and the nodes are linked in price order (`better` / `worse`) from the
 * best one. Changing a level's size is one map lookup; inserting or removing one is a binary
 * search plus a `copyWithin` of the keys behind it (a memmove, not a loop over objects) and
 * a few pointer writes; reading the top N walks N links. Every key is an integer below 2^53,
 * so comparisons are exact.
 */
export class ScaledBookSide implements BookSideReader {
  readonly isBids: boolean;
  #keys = new Float64Array(256);
  #size = 0;
  readonly #map = new Map<number, LevelNode>();
  // The best node; each node links to its neighbours in price order. An insert or removal
  // rewrites at most four links wherever it lands, where an array of the best nodes kept in
  // order would shift every entry behind the change (each shift a write-barriered store).
  #best: LevelNode | undefined = undefined;

  constructor(side: 'bids' | 'asks') {
    this.isBids = side === 'bids';
  }

  get size(): number {
    return this.#size;
  }

  best(): LevelNode | undefined {
    return this.#best;
  }

  /** Largest key on this side (bids: the best; asks: the worst), 0 when empty. */
  maxNum(): number {
    if (this.#size === 0) return 0;
    return (this.isBids ? this.#keys[this.#size - 1] : this.#keys[0]) as number;
  }

  /** Index of `num`, or `~insertionPoint` when absent. */
  search(num: number): number {
    const keys = this.#keys;
    let lo = 0;
    let hi = this.#size;
    if (this.isBids) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const v = keys[mid] as number;
        if (v < num) lo = mid + 1;
        else if (v > num) hi = mid;
        else return mid;
      }
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const v = keys[mid] as number;
        if (v > num) lo = mid + 1;
        else if (v < num) hi = mid;
        else return mid;
      }
    }
    return ~lo;
  }

  /** Sets the level at `num` to an absolute size; `zero` removes it. */
  update(num: number, price: string, quantity: string, zero: boolean): void {
    // Most updates change the size of an existing level: keep that path small enough to be
    // inlined into the delta loop; inserts and removals take the out-of-line path.
    const node = this.#map.get(num);
    if (node !== undefined && !zero) {
      // Same level, same text (the common case): keep the string the node already holds.
      if (node.price !== price) node.price = compactCopy(price);
      node.quantity = compactCopy(quantity);
      node.level = undefined;
      return;
    }
    this.#insertOrRemove(num, node, price, quantity, zero);
  }

  #insertOrRemove(
    num: number,
    node: LevelNode | undefined,
    price: string,
    quantity: string,
    zero: boolean,
  ): void {
    const keys = this.#keys;
    const size = this.#size;
    if (node !== undefined) {
      const i = this.search(num);
      // Changes cluster near the best end (the end of the array): a short move is cheaper
      // as a loop than as a call into the copyWithin builtin.
      if (size - i <= SHORT_MOVE) {
        for (let m = i + 1; m < size; m++) keys[m - 1] = keys[m] as number;
      } else {
        keys.copyWithin(i, i + 1, size);
      }
      this.#size = size - 1;
      this.#map.delete(num);
      const better = node.better;
      const worse = node.worse;
      if (better === undefined) this.#best = worse;
      else better.worse = worse;
      if (worse !== undefined) worse.better = better;
      return;
    }
    if (zero) return;
    const at = ~this.search(num);
    if (size === keys.length) {
      const grown = new Float64Array(keys.length * 2);
      grown.set(keys);
      this.#keys = grown;
      return this.#insertOrRemove(num, node, price, quantity, zero);
    }
    if (size - at <= SHORT_MOVE) {
      for (let m = size; m > at; m--) keys[m] = keys[m - 1] as number;
    } else {
      keys.copyWithin(at + 1, at, size);
    }
    keys[at] = num;
    this.#size = size + 1;
    const fresh = new LevelNode(num, '', 0, compactCopy(price), compactCopy(quantity));
    this.#map.set(num, fresh);
    // The next better price sits right after it in the keys; at the best end there is none.
    const better = at < size ? this.#map.get(keys[at + 1] as number) : undefined;
    const worse = better === undefined ? this.#best : better.worse;
    fresh.better = better;
    fresh.worse = worse;
    if (better === undefined) this.#best = fresh;
    else better.worse = fresh;
    if (worse !== undefined) worse.better = fresh;
  }

  /** Re-links every node in key order (after a bulk change). */
  #relink(): void {
    const keys = this.#keys;
    const map = this.#map;
    let worse: LevelNode | undefined = undefined;
    for (let i = 0; i < this.#size; i++) {
      const node = map.get(keys[i] as number) as LevelNode;
      node.worse = worse;
      node.better = undefined;
      if (worse !== undefined) worse.better = node;
      worse = node;
    }
    this.#best = worse;
  }

  /**
   * Replaces every level. `fresh` need not be sorted and may repeat a price (the last entry
   * wins); a node whose quantity is `''` stands for a zero size and is dropped.
   */
  load(fresh: LevelNode[]): void {
    this.clear();
    const map = this.#map;
    for (const node of fresh) {
      if (node.quantity === '') map.delete(node.num);
      else map.set(node.num, node);
    }
    const sorted = [...map.keys()].sort(this.isBids ? (a, b) => a - b : (a, b) => b - a);
    if (sorted.length > this.#keys.length) {
      this.#keys = new Float64Array(Math.max(256, sorted.length * 2));
    }
    this.#keys.set(sorted);
    this.#size = sorted.length;
    this.#relink();
  }

  /** Multiplies every key by `factor` (re-keying to a finer scale; the caller checked 2^53). */
  rescale(factor: number): void {
    const nodes = this.all();
    this.#map.clear();
    for (let i = 0; i < this.#size; i++) {
      const node = nodes[i] as LevelNode;
      node.num *= factor;
      this.#keys[i] = node.num;
      this.#map.set(node.num, node);
    }
  }

  all(): LevelNode[] {
    const out = new Array<LevelNode>(this.#size);
    for (let i = 0; i < this.#size; i++)
      out[i] = this.#map.get(this.#keys[i] as number) as LevelNode;
    return out;
  }

  truncate(depth: number): void {
    const excess = this.#size - depth;
    if (excess <= 0) return;
    for (let i = 0; i < excess; i++) this.#map.delete(this.#keys[i] as number);
    this.#keys.copyWithin(0, excess, this.#size);
    this.#size -= excess;
    if (this.#size === 0) this.#best = undefined;
    else (this.#map.get(this.#keys[0] as number) as LevelNode).worse = undefined;
  }

  clear(): void {
    this.#size = 0;
    this.#map.clear();
    this.#best = undefined;
  }

  top(n: number): BookLevel[] {
    const count = n > 0 ? Math.min(n, this.#size) : 0;
    const out = new Array<BookLevel>(count);
    let node = this.#best;
    for (let i = 0; i < count; i++) {
      out[i] = (node as LevelNode).toLevel();
      node = (node as LevelNode).worse;
    }
    return out;
  }
}

/**
 * One side keyed by canonical decimal strings (`LevelNode.key` / `digits`), for prices whose
 * scaled integer would not stay below 2^53 (O2's u64 prices beyond it, very long decimals):
 * nodes in a plain array sorted with the best price at the end, found by binary search.
 */
export class StringBookSide implements BookSideReader {
  readonly nodes: LevelNode[] = [];
  readonly isBids: boolean;

  constructor(side: 'bids' | 'asks') {
    this.isBids = side === 'bids';
  }

  get size(): number {
    return this.nodes.length;
  }

  best(): LevelNode | undefined {
    return this.nodes[this.nodes.length - 1];
  }

  /** Index of the canonical `key`, or `~insertionPoint` when absent. */
  search(key: string, digits: number): number {
    const nodes = this.nodes;
    const sign = this.isBids ? 1 : -1;
    let lo = 0;
    let hi = nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const node = nodes[mid] as LevelNode;
      const c = sign * compareDecimalKeys(node.key, node.digits, key, digits);
      if (c < 0) lo = mid + 1;
      else if (c > 0) hi = mid;
      else return mid;
    }
    return ~lo;
  }

  /** Sets the level at `key` to an absolute size; `zero` removes it. */
  update(key: string, digits: number, price: string, quantity: string, zero: boolean): void {
    const nodes = this.nodes;
    const found = this.search(key, digits);
    if (found >= 0) {
      if (zero) {
        nodes.splice(found, 1);
      } else {
        const node = nodes[found] as LevelNode;
        node.price = price;
        node.quantity = quantity;
        node.level = undefined;
      }
    } else if (!zero) {
      nodes.splice(~found, 0, new LevelNode(0, key, digits, price, quantity));
    }
  }

  /** Like {@link ScaledBookSide.load}, by canonical key. */
  load(fresh: LevelNode[]): void {
    const sign = this.isBids ? 1 : -1;
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

  all(): LevelNode[] {
    return this.nodes.slice();
  }

  truncate(depth: number): void {
    const excess = this.nodes.length - depth;
    if (excess > 0) this.nodes.splice(0, excess);
  }

  clear(): void {
    this.nodes.length = 0;
  }

  top(n: number): BookLevel[] {
    const nodes = this.nodes;
    const count = n > 0 ? Math.min(n, nodes.length) : 0;
    const out = new Array<BookLevel>(count);
    for (let i = 0; i < count; i++) out[i] = (nodes[nodes.length - 1 - i] as LevelNode).toLevel();
    return out;
  }
}
