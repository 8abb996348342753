// Deterministic Binance-style depth traffic for the book benchmark: a snapshot of `levels`
// levels per side around 30000.00 (tick 0.01, 8-decimal wire strings like Binance), then
// `count` diff events as JSON wire frames. Updates cluster near the top of the book (the
// distance from the best price is skewed by r^3), as real diff streams do: about 80 % change
// an existing level, the rest delete one (qty "0.00000000") or insert a new price.

export interface WireSnapshot {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
}

export interface BinanceDiffFrame {
  e: 'depthUpdate';
  E: number;
  s: string;
  U: number;
  u: number;
  b: [string, string][];
  a: [string, string][];
}

export interface BookTraffic {
  snapshot: WireSnapshot;
  /** JSON text of each diff frame, as it would arrive on the socket. */
  frames: string[];
  /** Level updates in each frame (`b.length + a.length`). */
  levelCounts: number[];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MID_TICKS = 3_000_000; // 30000.00 in ticks of 0.01

function priceText(ticks: number): string {
  const s = String(ticks);
  return `${s.slice(0, -2)}.${s.slice(-2)}000000`;
}

function qtyText(rand: () => number): string {
  const units = 1 + Math.floor(rand() * 99_999_999);
  return `${Math.floor(units / 1e8)}.${String(units % 1e8).padStart(8, '0')}`;
}

/** Builds the snapshot and `count` diff frames for a book of `levels` levels per side. */
export function buildTraffic(levels: number, count: number, seed = 1): BookTraffic {
  const rand = mulberry32(seed);
  const universe = Math.round(levels * 1.3);
  // Tick distances from the mid that currently hold a level, per side.
  const present = [new Set<number>(), new Set<number>()];
  for (const set of present) for (let d = 1; d <= levels; d++) set.add(d);
  const toPrice = (side: number, d: number): string =>
    priceText(side === 0 ? MID_TICKS - d : MID_TICKS + d);
  const snapshot: WireSnapshot = {
    lastUpdateId: 1000,
    bids: [...present[0]!].map((d) => [toPrice(0, d), qtyText(rand)]),
    asks: [...present[1]!].map((d) => [toPrice(1, d), qtyText(rand)]),
  };
  const frames: string[] = [];
  const levelCounts: number[] = [];
  let u = snapshot.lastUpdateId;
  for (let i = 0; i < count; i++) {
    const sides: [string, string][][] = [[], []];
    for (let side = 0; side < 2; side++) {
      const n = 1 + Math.floor(rand() * 20);
      const set = present[side]!;
      for (let k = 0; k < n; k++) {
        const d = 1 + Math.floor(universe * rand() ** 3);
        if (set.has(d)) {
          if (rand() < 0.8 || set.size <= levels * 0.9) {
            sides[side]!.push([toPrice(side, d), qtyText(rand)]);
          } else {
            set.delete(d);
            sides[side]!.push([toPrice(side, d), '0.00000000']);
          }
        } else if (set.size < levels * 1.1) {
          set.add(d);
          sides[side]!.push([toPrice(side, d), qtyText(rand)]);
        } else {
          sides[side]!.push([toPrice(side, d), '0.00000000']); // deleting an absent level is normal
        }
      }
    }
    const U = u + 1;
    u = U + Math.floor(rand() * 3);
    const frame: BinanceDiffFrame = {
      e: 'depthUpdate',
      E: 1_700_000_000_000 + i * 100,
      s: 'BTCUSDT',
      U,
      u,
      b: sides[0]!,
      a: sides[1]!,
    };
    frames.push(JSON.stringify(frame));
    levelCounts.push(frame.b.length + frame.a.length);
  }
  return { snapshot, frames, levelCounts };
}
