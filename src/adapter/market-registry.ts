import { createError } from '../errors/tickwire-error.js';
import type { MarketInfo } from './models.js';

/** Options of {@link MarketRegistry}. */
export interface MarketRegistryOptions {
  /** Exchange name used in error messages (e.g. `'binance'`). */
  readonly exchange: string;
  /**
   * Extra spellings a user may type for a market, besides its unified symbol and native
   * id (e.g. O2 lets `FUEL/USDC` stand for `fFUEL/fUSDC`). Matched case-insensitively.
   * Default: none.
   */
  readonly aliases?: (market: MarketInfo) => readonly string[];
}

/**
 * Maps unified symbols (`BTC/USDT`), native ids (`BTCUSDT`, `0x…`) and aliases to one
 * {@link MarketInfo}, case-insensitively.
 *
 * @example
 * const markets = new MarketRegistry({ exchange: 'binance' });
 * markets.set([{ symbol: 'BTC/USDT', id: 'BTCUSDT', base: 'BTC', quote: 'USDT', raw: {} }]);
 * markets.resolve('btcusdt').symbol; // 'BTC/USDT'
 */
export class MarketRegistry {
  readonly #exchange: string;
  readonly #aliases: ((market: MarketInfo) => readonly string[]) | undefined;
  #byKey = new Map<string, MarketInfo>();
  #markets: MarketInfo[] = [];

  constructor(options: MarketRegistryOptions) {
    this.#exchange = options.exchange;
    this.#aliases = options.aliases;
  }

  /** Replaces the known markets. A spelling claimed by two markets resolves to neither. */
  set(markets: readonly MarketInfo[]): void {
    const byKey = new Map<string, MarketInfo>();
    const ambiguous = new Set<string>();
    for (const m of markets) {
      const keys = new Set([m.symbol, m.id, ...(this.#aliases?.(m) ?? [])].map(normalizeKey));
      for (const k of keys) {
        const prior = byKey.get(k);
        if (prior !== undefined && prior !== m) ambiguous.add(k);
        else byKey.set(k, m);
      }
    }
    for (const k of ambiguous) byKey.delete(k);
    this.#byKey = byKey;
    this.#markets = markets.slice();
  }

  /** Every known market, in the order given to {@link set}. */
  list(): readonly MarketInfo[] {
    return this.#markets;
  }

  /** True when the registry has at least one market. */
  get loaded(): boolean {
    return this.#markets.length > 0;
  }

  /** The market for a symbol, native id or alias, or `undefined`. */
  find(symbolOrId: string): MarketInfo | undefined {
    return this.#byKey.get(normalizeKey(symbolOrId));
  }

  /** The market for a symbol, native id or alias; `UNKNOWN_MARKET` when there is none. */
  resolve(symbolOrId: string): MarketInfo {
    const m = this.find(symbolOrId);
    if (m === undefined) {
      throw createError(
        'UNKNOWN_MARKET',
        `${this.#exchange}: unknown market ${JSON.stringify(symbolOrId)} (${this.#markets.length} markets known)`,
        { context: { market: symbolOrId, exchange: this.#exchange } },
      );
    }
    return m;
  }
}

function normalizeKey(s: string): string {
  return s.trim().toLowerCase();
}
