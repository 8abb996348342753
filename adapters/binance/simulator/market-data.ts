import type { SimMarketSpec, SimTrade } from '../../../src/testing/index.js';
import type { BinanceParams } from './orders.js';
import { type BinanceSimError, type BinanceSimState, binanceError } from './state.js';

type Outcome<T> = T | BinanceSimError;

/** Weight of a depth request for `limit` levels (binance-spot.md §2). */
export function depthWeight(limit: number): number {
  if (limit <= 100) return 5;
  if (limit <= 500) return 25;
  if (limit <= 1000) return 50;
  return 250;
}

function limitParam(p: BinanceParams, def: number, max: number): Outcome<number> {
  if (p.limit === undefined) return def;
  const n = Number(p.limit);
  if (!Number.isInteger(n) || n < 1)
    return binanceError(
      400,
      -1100,
      "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.",
    );
  return Math.min(n, max);
}

function marketOf(state: BinanceSimState, p: BinanceParams): Outcome<SimMarketSpec> {
  if (p.symbol === undefined) {
    return binanceError(
      400,
      -1102,
      "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
    );
  }
  return state.market(p.symbol) ?? binanceError(400, -1121, 'Invalid symbol.');
}

/** `GET /api/v3/depth`: the snapshot with its `lastUpdateId`. */
export function depth(state: BinanceSimState, p: BinanceParams): Outcome<object> {
  const m = marketOf(state, p);
  if ('code' in m) return m;
  const limit = limitParam(p, 100, 5000);
  if (typeof limit !== 'number') return limit;
  const book = state.ctx.engine.market(m.id);
  return {
    lastUpdateId: book.sequence,
    bids: book.bids.levels(limit).map((l) => [state.price(m, l.price), state.qty(m, l.total)]),
    asks: book.asks.levels(limit).map((l) => [state.price(m, l.price), state.qty(m, l.total)]),
  };
}

/** `GET /api/v3/trades`: most recent trades, oldest first. */
export function trades(state: BinanceSimState, p: BinanceParams): Outcome<object> {
  const m = marketOf(state, p);
  if ('code' in m) return m;
  const limit = limitParam(p, 500, 1000);
  if (typeof limit !== 'number') return limit;
  return state.ctx.engine
    .market(m.id)
    .trades.slice(-limit)
    .map((t) => ({
      id: t.id,
      price: state.price(m, t.price),
      qty: state.qty(m, t.quantity),
      quoteQty: state.quote(m, t.quoteQuantity),
      time: t.time,
      isBuyerMaker: t.takerSide === 'sell',
      isBestMatch: true,
    }));
}

/** `GET /api/v3/aggTrades`: one aggregate per trade (the simulator never splits fills). */
export function aggTrades(state: BinanceSimState, p: BinanceParams): Outcome<object> {
  const m = marketOf(state, p);
  if ('code' in m) return m;
  const limit = limitParam(p, 500, 1000);
  if (typeof limit !== 'number') return limit;
  let list: readonly SimTrade[] = state.ctx.engine.market(m.id).trades;
  if (p.fromId !== undefined) list = list.filter((t) => t.id >= Number(p.fromId));
  if (p.startTime !== undefined) list = list.filter((t) => t.time >= Number(p.startTime));
  if (p.endTime !== undefined) list = list.filter((t) => t.time <= Number(p.endTime));
  list = p.fromId !== undefined ? list.slice(0, limit) : list.slice(-limit);
  return list.map((t) => ({
    a: t.id,
    p: state.price(m, t.price),
    q: state.qty(m, t.quantity),
    f: t.id,
    l: t.id,
    T: t.time,
    m: t.takerSide === 'sell',
    M: true,
  }));
}

const intervals: Readonly<Record<string, number>> = {
  '1s': 1000,
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
  '1w': 604_800_000,
  '1M': 2_592_000_000,
};

/** `GET /api/v3/klines`: candles built from the simulator's recent trades. */
export function klines(state: BinanceSimState, p: BinanceParams): Outcome<object> {
  const m = marketOf(state, p);
  if ('code' in m) return m;
  const ms = p.interval === undefined ? undefined : intervals[p.interval];
  if (ms === undefined) return binanceError(400, -1120, 'Invalid interval.');
  const limit = limitParam(p, 500, 1000);
  if (typeof limit !== 'number') return limit;
  const rows: unknown[][] = [];
  let current:
    | {
        open: number;
        o: bigint;
        h: bigint;
        l: bigint;
        c: bigint;
        v: bigint;
        qv: bigint;
        n: number;
        tb: bigint;
        tq: bigint;
      }
    | undefined;
  const flush = (): void => {
    if (current === undefined) return;
    rows.push([
      current.open,
      state.price(m, current.o),
      state.price(m, current.h),
      state.price(m, current.l),
      state.price(m, current.c),
      state.qty(m, current.v),
      current.open + ms - 1,
      state.quote(m, current.qv),
      current.n,
      state.qty(m, current.tb),
      state.quote(m, current.tq),
      '0',
    ]);
  };
  for (const t of state.ctx.engine.market(m.id).trades) {
    if (p.startTime !== undefined && t.time < Number(p.startTime)) continue;
    if (p.endTime !== undefined && t.time > Number(p.endTime)) continue;
    const open = t.time - (t.time % ms);
    if (current === undefined || current.open !== open) {
      flush();
      current = {
        open,
        o: t.price,
        h: t.price,
        l: t.price,
        c: t.price,
        v: 0n,
        qv: 0n,
        n: 0,
        tb: 0n,
        tq: 0n,
      };
    }
    if (t.price > current.h) current.h = t.price;
    if (t.price < current.l) current.l = t.price;
    current.c = t.price;
    current.v += t.quantity;
    current.qv += t.quoteQuantity;
    current.n += 1;
    if (t.takerSide === 'buy') {
      current.tb += t.quantity;
      current.tq += t.quoteQuantity;
    }
  }
  flush();
  return rows.slice(-limit);
}

/** `GET /api/v3/ticker/bookTicker`: one object for `symbol`, an array otherwise. */
export function bookTicker(state: BinanceSimState, p: BinanceParams): Outcome<object> {
  const one = (m: SimMarketSpec): object => {
    const book = state.ctx.engine.market(m.id);
    const bid = book.bids.best();
    const ask = book.asks.best();
    return {
      symbol: m.id,
      bidPrice: state.price(m, bid?.price ?? 0n),
      bidQty: state.qty(m, bid?.total ?? 0n),
      askPrice: state.price(m, ask?.price ?? 0n),
      askQty: state.qty(m, ask?.total ?? 0n),
    };
  };
  if (p.symbol !== undefined) {
    const m = marketOf(state, p);
    if ('code' in m) return m;
    return one(m);
  }
  if (p.symbols !== undefined) {
    let names: unknown;
    try {
      names = JSON.parse(p.symbols);
    } catch {
      return binanceError(400, -1100, "Illegal characters found in parameter 'symbols'.");
    }
    if (!Array.isArray(names))
      return binanceError(400, -1100, "Illegal characters found in parameter 'symbols'.");
    const out: object[] = [];
    for (const n of names) {
      const m = state.market(String(n));
      if (m === undefined) return binanceError(400, -1121, 'Invalid symbol.');
      out.push(one(m));
    }
    return out;
  }
  return state.markets.map(one);
}
