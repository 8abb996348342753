import type {
  BalanceUpdate,
  DepthUpdate,
  OrderStatus,
  OrderUpdate,
  Trade,
} from '../../../src/adapter/models.js';
import { createError } from '../../../src/errors/index.js';
import { Decimal } from '../../../src/numbers/index.js';
import type {
  BinanceAccountResponse,
  BinanceAggTradeEntry,
  BinanceBookTickerEntry,
  BinanceDepthResponse,
  BinanceKlineRow,
  BinanceOrderResponse,
  BinanceTradeEntry,
} from './schemas.js';

/**
 * An aggregate trade (`GET /api/v3/aggTrades`): a {@link Trade} whose `id` is the aggregate
 * id, with the first and last trade ids it covers.
 *
 * @example
 * const [t] = await binance.getAggTrades('BTC/USDT', { limit: 1 });
 * t?.firstTradeId;
 */
export interface BinanceAggTrade extends Trade {
  readonly firstTradeId: number;
  readonly lastTradeId: number;
}

/**
 * A candle (`GET /api/v3/klines`); times are epoch ms, amounts exact.
 *
 * @example
 * const [k] = await binance.getKlines('BTC/USDT', { interval: '1m', limit: 1 });
 * k?.close.toFixed();
 */
export interface BinanceKline {
  readonly openTime: number;
  readonly closeTime: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  /** Base asset volume. */
  readonly volume: Decimal;
  readonly quoteVolume: Decimal;
  readonly trades: number;
  readonly takerBuyBaseVolume: Decimal;
  readonly takerBuyQuoteVolume: Decimal;
  readonly raw: unknown;
}

/**
 * The best bid and ask of a market (`GET /api/v3/ticker/bookTicker`).
 *
 * @example
 * const { bidPrice, askPrice } = await binance.getBookTicker('BTC/USDT');
 */
export interface BinanceBookTicker {
  /** Unified symbol (the native id when the market is not in the registry). */
  readonly market: string;
  readonly bidPrice: Decimal;
  readonly bidQuantity: Decimal;
  readonly askPrice: Decimal;
  readonly askQuantity: Decimal;
  readonly raw: unknown;
}

/**
 * One fill of a FULL order response.
 *
 * @example
 * order.fills?.[0]?.commission.toFixed();
 */
export interface BinanceFill {
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly tradeId?: number;
}

/**
 * An order as placed, cancelled or queried: the normalised {@link OrderUpdate} fields plus
 * Binance's type, time in force, cumulative quote amount and fills.
 *
 * @example
 * const o = await binance.placeOrder({ market: 'BTC/USDT', side: 'buy', type: 'limit', price: '60000', quantity: '0.001' });
 * o.status; // 'open'
 */
export interface BinanceOrder extends OrderUpdate {
  readonly clientOrderId: string;
  /** Binance status as sent (`NEW`, `PARTIALLY_FILLED`, `FILLED`, `CANCELED`, `EXPIRED`…). */
  readonly exchangeStatus: string;
  /** Binance order type (`LIMIT`, `MARKET`, `LIMIT_MAKER`…). */
  readonly type: string;
  readonly timeInForce?: string;
  /** Cumulative quote amount filled; absent when Binance reports it unknown (negative). */
  readonly filledQuoteQuantity?: Decimal;
  /** Fills of a FULL placement response. */
  readonly fills?: readonly BinanceFill[];
  /** The cancel request's own client id, on a cancel answer. */
  readonly cancelClientOrderId?: string;
}

/**
 * The account (`GET /api/v3/account`): permissions and balances, exact.
 *
 * @example
 * const { balances } = await binance.getAccount();
 */
export interface BinanceAccount {
  readonly canTrade: boolean;
  readonly canWithdraw?: boolean;
  readonly canDeposit?: boolean;
  readonly accountType: string;
  readonly updateTime: number;
  readonly balances: readonly BalanceUpdate[];
  readonly raw: unknown;
}

/**
 * Binance order statuses mapped to tickwire's.
 *
 * @example
 * BINANCE_ORDER_STATUS.CANCELED; // 'cancelled'
 */
export const BINANCE_ORDER_STATUS: Readonly<Record<string, OrderStatus>> = {
  NEW: 'open',
  PENDING_NEW: 'open',
  PARTIALLY_FILLED: 'partially_filled',
  FILLED: 'filled',
  CANCELED: 'cancelled',
  PENDING_CANCEL: 'open',
  REJECTED: 'rejected',
  EXPIRED: 'expired',
  EXPIRED_IN_MATCH: 'expired',
};

function missing(what: string, path: string): never {
  throw createError('VALIDATION_FAILED', `${what}: ${path} is missing`, {
    context: { exchange: 'binance', what, path },
  });
}

/**
 * A depth snapshot as a {@link DepthUpdate} (`kind: 'snapshot'`, `sequence` = `lastUpdateId`,
 * exact wire strings).
 *
 * @example
 * normalizeBinanceDepth(body, 'BTC/USDT', Date.now()).sequence; // 1027024n
 */
export function normalizeBinanceDepth(
  body: BinanceDepthResponse,
  market: string,
  receivedAt: number,
): DepthUpdate {
  const level = ([price, quantity]: readonly [string, string]) => ({ price, quantity });
  return {
    kind: 'snapshot',
    market,
    bids: body.bids.map(level),
    asks: body.asks.map(level),
    sequence: BigInt(body.lastUpdateId),
    receivedAt,
    raw: body,
  };
}

/**
 * A `GET /api/v3/trades` entry as a {@link Trade}; `side` is the taker's (a buyer-maker
 * trade was a sell).
 *
 * @example
 * normalizeBinanceTrade(entry, 'BTC/USDT').side;
 */
export function normalizeBinanceTrade(t: BinanceTradeEntry, market: string): Trade {
  return {
    market,
    id: String(t.id),
    price: new Decimal(t.price),
    quantity: new Decimal(t.qty),
    side: t.isBuyerMaker ? 'sell' : 'buy',
    time: t.time,
    raw: t,
  };
}

/**
 * A `GET /api/v3/aggTrades` entry as a {@link BinanceAggTrade}.
 *
 * @example
 * normalizeBinanceAggTrade(entry, 'BTC/USDT').firstTradeId;
 */
export function normalizeBinanceAggTrade(t: BinanceAggTradeEntry, market: string): BinanceAggTrade {
  return {
    market,
    id: String(t.a),
    price: new Decimal(t.p),
    quantity: new Decimal(t.q),
    side: t.m ? 'sell' : 'buy',
    time: t.T,
    firstTradeId: t.f,
    lastTradeId: t.l,
    raw: t,
  };
}

/**
 * A kline row as a {@link BinanceKline}.
 *
 * @example
 * normalizeBinanceKline(row).open.toFixed();
 */
export function normalizeBinanceKline(k: BinanceKlineRow): BinanceKline {
  return {
    openTime: k[0],
    open: new Decimal(k[1]),
    high: new Decimal(k[2]),
    low: new Decimal(k[3]),
    close: new Decimal(k[4]),
    volume: new Decimal(k[5]),
    closeTime: k[6],
    quoteVolume: new Decimal(k[7]),
    trades: k[8],
    takerBuyBaseVolume: new Decimal(k[9]),
    takerBuyQuoteVolume: new Decimal(k[10]),
    raw: k,
  };
}

/**
 * A book ticker as a {@link BinanceBookTicker}.
 *
 * @example
 * normalizeBinanceBookTicker(entry, 'BTC/USDT').askPrice.toFixed();
 */
export function normalizeBinanceBookTicker(
  t: BinanceBookTickerEntry,
  market: string,
): BinanceBookTicker {
  return {
    market,
    bidPrice: new Decimal(t.bidPrice),
    bidQuantity: new Decimal(t.bidQty),
    askPrice: new Decimal(t.askPrice),
    askQuantity: new Decimal(t.askQty),
    raw: t,
  };
}

/**
 * An order answer (RESULT or FULL shape, or a query) as a {@link BinanceOrder}. An unknown
 * status or a missing RESULT field is `VALIDATION_FAILED`.
 *
 * @example
 * normalizeBinanceOrder(body, 'BTC/USDT').filledQuantity.toFixed();
 */
export function normalizeBinanceOrder(o: BinanceOrderResponse, market: string): BinanceOrder {
  const what = 'binance order';
  const exchangeStatus = o.status ?? missing(what, 'status');
  const status = BINANCE_ORDER_STATUS[exchangeStatus];
  if (status === undefined) {
    throw createError('VALIDATION_FAILED', `${what}: unknown status ${exchangeStatus}`, {
      context: { exchange: 'binance', what, path: 'status' },
    });
  }
  const side = o.side ?? missing(what, 'side');
  const type = o.type ?? missing(what, 'type');
  const quantity = new Decimal(o.origQty ?? missing(what, 'origQty'));
  const filled = new Decimal(o.executedQty ?? missing(what, 'executedQty'));
  const quote = o.cummulativeQuoteQty;
  const price = o.price === undefined ? undefined : new Decimal(o.price);
  // A MARKET order reports price 0: it has no limit price.
  const hasPrice = price !== undefined && !price.isZero();
  const isCancel = o.origClientOrderId !== undefined;
  const clientOrderId = isCancel ? (o.origClientOrderId as string) : o.clientOrderId;
  const time = o.updateTime ?? o.transactTime ?? o.time;
  return {
    market,
    orderId: String(o.orderId),
    clientOrderId,
    side: side === 'BUY' ? 'buy' : 'sell',
    status,
    exchangeStatus,
    type,
    ...(o.timeInForce === undefined ? {} : { timeInForce: o.timeInForce }),
    ...(hasPrice ? { price } : {}),
    quantity,
    filledQuantity: filled,
    ...(quote === undefined || quote.startsWith('-')
      ? {}
      : { filledQuoteQuantity: new Decimal(quote) }),
    ...(o.fills === undefined
      ? {}
      : {
          fills: o.fills.map((f) => ({
            price: new Decimal(f.price),
            quantity: new Decimal(f.qty),
            commission: new Decimal(f.commission),
            commissionAsset: f.commissionAsset,
            ...(f.tradeId === undefined ? {} : { tradeId: f.tradeId }),
          })),
        }),
    ...(isCancel ? { cancelClientOrderId: o.clientOrderId } : {}),
    ...(time === undefined ? {} : { time }),
    raw: o,
  };
}

/**
 * The account answer as a {@link BinanceAccount} (balances as {@link BalanceUpdate}s).
 *
 * @example
 * normalizeBinanceAccount(body).balances[0]?.free.toFixed();
 */
export function normalizeBinanceAccount(a: BinanceAccountResponse): BinanceAccount {
  return {
    canTrade: a.canTrade,
    ...(a.canWithdraw === undefined ? {} : { canWithdraw: a.canWithdraw }),
    ...(a.canDeposit === undefined ? {} : { canDeposit: a.canDeposit }),
    accountType: a.accountType,
    updateTime: a.updateTime,
    balances: a.balances.map((b) => ({
      asset: b.asset,
      free: new Decimal(b.free),
      locked: new Decimal(b.locked),
      time: a.updateTime,
      raw: b,
    })),
    raw: a,
  };
}
