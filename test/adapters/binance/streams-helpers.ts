// Shared helpers of the Binance stream tests: a depth snapshot fetcher and a market resolver
// that talk to the simulator directly, for the standalone stream modules.
import type { SequencedSnapshot } from '../../../src/book/index.js';
import { createError } from '../../../src/errors/index.js';
import type { SimMarketSpec } from '../../../src/testing/index.js';
import type { BinanceMarketRef } from '../../../adapters/binance/streams/index.js';

/** Resolves `BASE/QUOTE` or the native id against the simulator's markets. */
export function resolverFor(
  markets: readonly SimMarketSpec[],
): (symbol: string) => Promise<BinanceMarketRef> {
  return (symbol) => {
    const m = markets.find(
      (x) =>
        x.id === symbol.toUpperCase() ||
        `${x.base.symbol}/${x.quote.symbol}` === symbol.toUpperCase(),
    );
    if (m === undefined) {
      return Promise.reject(
        createError('UNKNOWN_MARKET', `unknown market ${symbol}`, { context: { market: symbol } }),
      );
    }
    return Promise.resolve({ symbol: `${m.base.symbol}/${m.quote.symbol}`, id: m.id });
  };
}

/** `GET /api/v3/depth` on the simulator, counting the calls. */
export function depthFetcher(httpUrl: string): {
  fetch: (id: string, limit: number, signal: AbortSignal) => Promise<SequencedSnapshot>;
  calls: () => number;
} {
  let calls = 0;
  return {
    calls: () => calls,
    fetch: async (id, limit, signal) => {
      calls++;
      const res = await fetch(`${httpUrl}/api/v3/depth?symbol=${id}&limit=${limit}`, { signal });
      const body = (await res.json()) as {
        lastUpdateId: number;
        bids: [string, string][];
        asks: [string, string][];
      };
      return { lastUpdateId: body.lastUpdateId, bids: body.bids, asks: body.asks };
    },
  };
}

/** Reads `iterable` until `done` holds for a value; returns that value. */
export async function readUntil<T>(
  iterable: AsyncIterable<T>,
  done: (value: T) => boolean,
): Promise<T> {
  for await (const v of iterable) if (done(v)) return v;
  throw new Error('stream ended before the condition held');
}

/** Pulls from `it` (without closing it) until `done` holds for a value. */
export async function nextMatching<T>(
  it: AsyncIterator<T>,
  done: (value: T) => boolean,
): Promise<T> {
  for (;;) {
    const r = await it.next();
    if (r.done === true) throw new Error('iterator ended before the condition held');
    if (done(r.value)) return r.value;
  }
}

/** Resolves with the first event `match` accepts. */
export function nextEvent<TEvent>(
  events: { on: (listener: (e: TEvent) => void) => () => void },
  match: (e: TEvent) => boolean,
): Promise<TEvent> {
  return new Promise((resolve) => {
    const off = events.on((e) => {
      if (match(e)) {
        off();
        resolve(e);
      }
    });
  });
}

/** A market spec for many-market tests (`C{n}USDT`). */
export function coinMarket(n: number): SimMarketSpec {
  return {
    id: `C${n}USDT`,
    base: { symbol: `C${n}`, decimals: 8 },
    quote: { symbol: 'USDT', decimals: 8 },
    priceDecimals: 2,
    tickSize: 1n,
    stepSize: 10_000n,
    lot: 1_000_000n,
    startPrice: 100_000n + BigInt(n) * 1000n,
  };
}

/**
 * Settles `promise` while jest's clock is fake and sockets are real: each round lets real
 * I/O run one event-loop turn, then moves the fake clock 100 ms (for timers that wait on it:
 * a handover poll, a close's force-terminate). Bounded, so a bug fails the test instead of
 * hanging it.
 */
export async function pump<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  const watched = promise.finally(() => {
    settled = true;
  });
  for (let round = 0; round < 600 && !settled; round++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!settled) await jest.advanceTimersByTimeAsync(100);
  }
  if (!settled) throw new Error('did not settle within 600 rounds of fake time');
  return watched;
}

/** Lets real I/O run, one event-loop turn at a time, until `done()` holds (bounded). */
export async function ioUntil(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 10_000 && !done(); turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (!done()) throw new Error('condition not met within 10 000 event-loop turns');
}
