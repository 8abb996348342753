import type { SimEvent, SimMarketSpec } from '../../../src/testing/index.js';
import type { BinanceSimState } from './state.js';

/** A parsed market stream name (`btcusdt@depth@100ms`). */
export interface BinanceStreamName {
  readonly name: string;
  readonly market: string;
  readonly kind: 'trade' | 'aggTrade' | 'bookTicker' | 'depth' | 'partialDepth';
  /** Levels of a partial depth stream (5, 10, 20). */
  readonly levels: number;
}

const STREAM_RE = /^([a-z0-9]+)@(trade|aggTrade|bookTicker|depth(5|10|20)?(?:@(?:100|1000)ms)?)$/;

/** Parses a stream name against the simulator's markets; undefined when invalid. */
export function parseStreamName(
  state: BinanceSimState,
  name: string,
): BinanceStreamName | undefined {
  const m = STREAM_RE.exec(name);
  if (m === null) return undefined;
  const market = state.market((m[1] ?? '').toUpperCase());
  if (market === undefined) return undefined;
  const kind = m[2] ?? '';
  if (kind === 'trade' || kind === 'aggTrade' || kind === 'bookTicker') {
    return { name, market: market.id, kind, levels: 0 };
  }
  if (m[3] !== undefined)
    return { name, market: market.id, kind: 'partialDepth', levels: Number(m[3]) };
  return { name, market: market.id, kind: 'depth', levels: 0 };
}

/**
 * Builds stream payloads for engine events, once per event and stream kind, so that a
 * thousand subscribers cost one `JSON.stringify`.
 */
export class BinanceFrameCache {
  readonly #state: BinanceSimState;
  readonly #cache = new WeakMap<SimEvent, Map<string, readonly string[]>>();
  readonly #lastTop = new Map<string, string>();

  constructor(state: BinanceSimState) {
    this.#state = state;
  }

  /** Payload frames (unwrapped) of `event` for stream `s`; empty when the stream ignores it. */
  frames(event: SimEvent, s: BinanceStreamName): readonly string[] {
    if ((event.type !== 'depth' && event.type !== 'trade') || event.market !== s.market) return [];
    const key = s.kind === 'partialDepth' ? `partialDepth${s.levels}` : s.kind;
    let perEvent = this.#cache.get(event);
    if (perEvent === undefined) {
      perEvent = new Map();
      this.#cache.set(event, perEvent);
    }
    let out = perEvent.get(key);
    if (out === undefined) {
      out = this.#build(event, s);
      perEvent.set(key, out);
    }
    return out;
  }

  #build(event: SimEvent, s: BinanceStreamName): readonly string[] {
    const state = this.#state;
    const m = state.market(s.market) as SimMarketSpec;
    if (event.type === 'trade') {
      if (s.kind === 'trade') {
        return event.trades.map((t) =>
          JSON.stringify({
            e: 'trade',
            E: event.time,
            s: m.id,
            t: t.id,
            p: state.price(m, t.price),
            q: state.qty(m, t.quantity),
            T: t.time,
            m: t.takerSide === 'sell',
            M: true,
          }),
        );
      }
      if (s.kind === 'aggTrade') {
        return event.trades.map((t) =>
          JSON.stringify({
            e: 'aggTrade',
            E: event.time,
            s: m.id,
            a: t.id,
            p: state.price(m, t.price),
            q: state.qty(m, t.quantity),
            f: t.id,
            l: t.id,
            T: t.time,
            m: t.takerSide === 'sell',
            M: true,
          }),
        );
      }
      return [];
    }
    if (event.type !== 'depth') return [];
    const book = state.ctx.engine.market(m.id);
    if (s.kind === 'depth') {
      return [
        JSON.stringify({
          e: 'depthUpdate',
          E: event.time,
          s: m.id,
          U: event.firstUpdateId,
          u: event.lastUpdateId,
          b: event.bids.map(([p, q]) => [state.price(m, p), state.qty(m, q)]),
          a: event.asks.map(([p, q]) => [state.price(m, p), state.qty(m, q)]),
        }),
      ];
    }
    if (s.kind === 'partialDepth') {
      return [
        JSON.stringify({
          lastUpdateId: event.lastUpdateId,
          bids: book.bids
            .levels(s.levels)
            .map((l) => [state.price(m, l.price), state.qty(m, l.total)]),
          asks: book.asks
            .levels(s.levels)
            .map((l) => [state.price(m, l.price), state.qty(m, l.total)]),
        }),
      ];
    }
    if (s.kind === 'bookTicker') {
      const bid = book.bids.best();
      const ask = book.asks.best();
      const top = {
        u: event.lastUpdateId,
        s: m.id,
        b: state.price(m, bid?.price ?? 0n),
        B: state.qty(m, bid?.total ?? 0n),
        a: state.price(m, ask?.price ?? 0n),
        A: state.qty(m, ask?.total ?? 0n),
      };
      const signature = `${top.b}|${top.B}|${top.a}|${top.A}`;
      if (this.#lastTop.get(m.id) === signature) return [];
      this.#lastTop.set(m.id, signature);
      return [JSON.stringify(top)];
    }
    return [];
  }
}
