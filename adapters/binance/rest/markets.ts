import { z } from 'zod';
import type { MarketInfo } from '../../../src/adapter/models.js';
import { formatDecimal } from '../../../src/numbers/index.js';
import { DecimalString, parse } from '../../../src/schemas/index.js';
import type { BinanceSymbolInfo } from './schemas.js';

/**
 * The order filters of a symbol the adapter checks before sending an order (exact
 * decimal strings as Binance sends them, trailing zeros kept). A field of `'0'` switches
 * its rule off, as on the exchange.
 *
 * @example
 * const { price, lot, notional } = (await binance.market('BTC/USDT')).filters;
 */
export interface BinanceSymbolFilters {
  /** `PRICE_FILTER`. */
  readonly price?: {
    readonly minPrice: string;
    readonly maxPrice: string;
    readonly tickSize: string;
  };
  /** `LOT_SIZE`. */
  readonly lot?: { readonly minQty: string; readonly maxQty: string; readonly stepSize: string };
  /** `MARKET_LOT_SIZE` (MARKET orders). */
  readonly marketLot?: {
    readonly minQty: string;
    readonly maxQty: string;
    readonly stepSize: string;
  };
  /** `MIN_NOTIONAL` (older symbols). */
  readonly minNotional?: { readonly minNotional: string; readonly applyToMarket: boolean };
  /** `NOTIONAL`. */
  readonly notional?: {
    readonly minNotional: string;
    readonly maxNotional?: string;
    readonly applyMinToMarket: boolean;
    readonly applyMaxToMarket: boolean;
  };
}

/**
 * A Binance Spot market: the unified fields plus status, precisions, order types and the
 * parsed {@link BinanceSymbolFilters}. `raw` is the `exchangeInfo.symbols[]` entry.
 *
 * @example
 * const m: BinanceMarketInfo = await binance.market('BTCUSDT');
 * m.symbol; // 'BTC/USDT'
 */
export interface BinanceMarketInfo extends MarketInfo {
  /** `TRADING`, `HALT`, `BREAK`, `END_OF_DAY`, `CANCEL_ONLY`. */
  readonly status: string;
  readonly baseAssetPrecision?: number;
  readonly quoteAssetPrecision?: number;
  /** Order types the symbol accepts (`LIMIT`, `MARKET`, `LIMIT_MAKER`…). */
  readonly orderTypes: readonly string[];
  readonly filters: BinanceSymbolFilters;
  readonly raw: BinanceSymbolInfo;
}

const PriceFilter = z.looseObject({
  minPrice: DecimalString,
  maxPrice: DecimalString,
  tickSize: DecimalString,
});
const LotFilter = z.looseObject({
  minQty: DecimalString,
  maxQty: DecimalString,
  stepSize: DecimalString,
});
const MinNotionalFilter = z.looseObject({
  minNotional: DecimalString,
  applyToMarket: z.boolean().optional(),
});
const NotionalFilter = z.looseObject({
  minNotional: DecimalString,
  maxNotional: DecimalString.optional(),
  applyMinToMarket: z.boolean().optional(),
  applyMaxToMarket: z.boolean().optional(),
});

/**
 * Normalises one `exchangeInfo.symbols[]` entry; a known filter with malformed fields is a
 * `VALIDATION_FAILED` error naming the symbol and filter.
 *
 * @example
 * normalizeBinanceMarket(info.symbols[0]!).symbol; // 'BTC/USDT'
 */
export function normalizeBinanceMarket(s: BinanceSymbolInfo): BinanceMarketInfo {
  const what = (f: string): string => `binance exchangeInfo ${s.symbol} ${f}`;
  const filters: {
    -readonly [K in keyof BinanceSymbolFilters]: BinanceSymbolFilters[K];
  } = {};
  for (const f of s.filters) {
    switch (f.filterType) {
      case 'PRICE_FILTER': {
        const p = parse(PriceFilter, f, what(f.filterType));
        filters.price = { minPrice: p.minPrice, maxPrice: p.maxPrice, tickSize: p.tickSize };
        break;
      }
      case 'LOT_SIZE':
      case 'MARKET_LOT_SIZE': {
        const p = parse(LotFilter, f, what(f.filterType));
        const lot = { minQty: p.minQty, maxQty: p.maxQty, stepSize: p.stepSize };
        if (f.filterType === 'LOT_SIZE') filters.lot = lot;
        else filters.marketLot = lot;
        break;
      }
      case 'MIN_NOTIONAL': {
        const p = parse(MinNotionalFilter, f, what(f.filterType));
        filters.minNotional = {
          minNotional: p.minNotional,
          applyToMarket: p.applyToMarket ?? true,
        };
        break;
      }
      case 'NOTIONAL': {
        const p = parse(NotionalFilter, f, what(f.filterType));
        filters.notional = {
          minNotional: p.minNotional,
          ...(p.maxNotional === undefined ? {} : { maxNotional: p.maxNotional }),
          applyMinToMarket: p.applyMinToMarket ?? true,
          applyMaxToMarket: p.applyMaxToMarket ?? false,
        };
        break;
      }
      default:
        break; // server-side filters (ICEBERG_PARTS, MAX_NUM_ORDERS, PERCENT_PRICE…)
    }
  }
  const minNotional = filters.notional?.minNotional ?? filters.minNotional?.minNotional;
  const market: BinanceMarketInfo = {
    symbol: `${s.baseAsset}/${s.quoteAsset}`,
    id: s.symbol,
    base: s.baseAsset,
    quote: s.quoteAsset,
    ...(filters.price === undefined ? {} : { tickSize: formatDecimal(filters.price.tickSize) }),
    ...(filters.lot === undefined ? {} : { stepSize: formatDecimal(filters.lot.stepSize) }),
    ...(minNotional === undefined ? {} : { minNotional: formatDecimal(minNotional) }),
    status: s.status,
    ...(s.baseAssetPrecision === undefined ? {} : { baseAssetPrecision: s.baseAssetPrecision }),
    ...(s.quoteAssetPrecision === undefined ? {} : { quoteAssetPrecision: s.quoteAssetPrecision }),
    orderTypes: s.orderTypes ?? [],
    filters,
    raw: s,
  };
  return market;
}
