import { randomBytes } from 'node:crypto';
import type { OrderSide } from '../../../src/adapter/models.js';
import type { ParamValue } from '../../../src/auth/payload.js';
import { createError } from '../../../src/errors/index.js';
import { Decimal, formatDecimal, isDecimalString } from '../../../src/numbers/index.js';
import type { BinanceFilterInput } from './filters.js';
import type { BinanceMarketInfo } from './markets.js';

/**
 * An exact amount on the public surface: a decimal string or a `Decimal` (never a JS
 * number).
 *
 * @example
 * const price: BinanceAmount = '60000.01';
 */
export type BinanceAmount = string | Decimal;

/**
 * Parameters of {@link BinanceAdapter.placeOrder}.
 *
 * @example
 * const order: BinancePlaceOrderParams = {
 *   market: 'BTC/USDT', side: 'buy', type: 'limit', price: '60000', quantity: '0.001',
 *   clientOrderId: 'bot-42',
 * };
 */
export interface BinancePlaceOrderParams {
  /** Unified symbol or native id. Required. */
  readonly market: string;
  readonly side: OrderSide;
  /** `limit`, `market`, or `limit_maker` (post-only). Required. */
  readonly type: 'limit' | 'market' | 'limit_maker';
  /** Limit price; required for `limit` and `limit_maker`. */
  readonly price?: BinanceAmount;
  /** Base quantity; required except for a `market` order given `quoteQuantity`. */
  readonly quantity?: BinanceAmount;
  /** Quote amount to spend or receive (`market` only, instead of `quantity`). */
  readonly quoteQuantity?: BinanceAmount;
  /** Time in force of a `limit` order. Default `'GTC'`. */
  readonly timeInForce?: 'GTC' | 'IOC' | 'FOK';
  /**
   * Your id for the order (`^[a-zA-Z0-9-_]{1,36}$`), to reconcile after an unknown outcome.
   * Default: a random `tw-…` id, returned on the order and in `ORDER_STATUS_UNKNOWN`'s context.
   */
  readonly clientOrderId?: string;
  /** Response detail: `RESULT` or `FULL` (with fills). Default `'FULL'`. */
  readonly responseType?: 'RESULT' | 'FULL';
  /** Self-trade prevention mode, as the symbol allows. Default: the symbol's. */
  readonly selfTradePreventionMode?:
    'NONE' | 'EXPIRE_TAKER' | 'EXPIRE_MAKER' | 'EXPIRE_BOTH' | 'DECREMENT' | 'TRANSFER';
  readonly signal?: AbortSignal;
}

/**
 * Which order to cancel or query: the exchange's `orderId` or your `clientOrderId`.
 *
 * @example
 * const ref: BinanceOrderRef = { market: 'BTC/USDT', clientOrderId: 'bot-42' };
 */
export type BinanceOrderRef = { readonly market: string; readonly signal?: AbortSignal } & (
  | { readonly orderId: string | number; readonly clientOrderId?: undefined }
  | { readonly clientOrderId: string; readonly orderId?: undefined }
);

const CLIENT_ID = /^[a-zA-Z0-9-_]{1,36}$/;
const TYPES = { limit: 'LIMIT', market: 'MARKET', limit_maker: 'LIMIT_MAKER' } as const;

function invalid(argument: string, message: string): never {
  throw createError('INVALID_ARGUMENT', `binance: ${message}`, {
    context: { exchange: 'binance', argument },
  });
}

function amount(value: BinanceAmount | undefined, argument: string): Decimal | undefined {
  if (value === undefined) return undefined;
  let d: Decimal;
  if (typeof value === 'string') {
    if (!isDecimalString(value.trim())) invalid(argument, `${argument} is not a decimal string`);
    d = new Decimal(value.trim());
  } else if (Decimal.isDecimal(value)) {
    d = value;
  } else {
    return invalid(argument, `${argument} must be a decimal string or a Decimal`);
  }
  if (!d.isFinite() || !d.greaterThan(0)) invalid(argument, `${argument} must be positive`);
  return d;
}

/**
 * A fresh client order id: `tw-` and 24 hex characters.
 *
 * @example
 * newBinanceClientOrderId(); // 'tw-3f9c…'
 */
export function newBinanceClientOrderId(): string {
  return `tw-${randomBytes(12).toString('hex')}`;
}

/**
 * Validates {@link BinancePlaceOrderParams} (`INVALID_ARGUMENT`) and builds the
 * `POST /api/v3/order` parameters in send order, plus the input of the filter check.
 *
 * @example
 * const { query, filterInput } = buildBinanceOrder(market, { market: 'BTC/USDT', side: 'buy', type: 'market', quantity: '0.01' });
 */
export function buildBinanceOrder(
  market: BinanceMarketInfo,
  params: BinancePlaceOrderParams,
): {
  query: Record<string, ParamValue>;
  filterInput: BinanceFilterInput;
  clientOrderId: string;
} {
  if (params.side !== 'buy' && params.side !== 'sell') invalid('side', 'side must be buy or sell');
  const type = TYPES[params.type] as string | undefined;
  if (type === undefined) invalid('type', 'type must be limit, market or limit_maker');
  const price = amount(params.price, 'price');
  const quantity = amount(params.quantity, 'quantity');
  const quote = amount(params.quoteQuantity, 'quoteQuantity');
  if (type === 'MARKET') {
    if (price !== undefined) invalid('price', 'a market order takes no price');
    if ((quantity === undefined) === (quote === undefined)) {
      invalid('quantity', 'a market order needs exactly one of quantity and quoteQuantity');
    }
  } else {
    if (price === undefined) invalid('price', `a ${params.type} order needs a price`);
    if (quantity === undefined) invalid('quantity', `a ${params.type} order needs a quantity`);
    if (quote !== undefined) invalid('quoteQuantity', 'quoteQuantity is for market orders only');
  }
  if (params.timeInForce !== undefined && type !== 'LIMIT') {
    invalid('timeInForce', 'timeInForce is for limit orders only');
  }
  const clientOrderId = params.clientOrderId ?? newBinanceClientOrderId();
  if (!CLIENT_ID.test(clientOrderId)) {
    invalid('clientOrderId', 'clientOrderId must match ^[a-zA-Z0-9-_]{1,36}$');
  }
  const query: Record<string, ParamValue> = {
    symbol: market.id,
    side: params.side === 'buy' ? 'BUY' : 'SELL',
    type,
    timeInForce: type === 'LIMIT' ? (params.timeInForce ?? 'GTC') : undefined,
    quantity: quantity === undefined ? undefined : formatDecimal(quantity),
    quoteOrderQty: quote === undefined ? undefined : formatDecimal(quote),
    price: price === undefined ? undefined : formatDecimal(price),
    newClientOrderId: clientOrderId,
    newOrderRespType: params.responseType ?? 'FULL',
    selfTradePreventionMode: params.selfTradePreventionMode,
  };
  return {
    query,
    filterInput: {
      type,
      ...(price === undefined ? {} : { price }),
      ...(quantity === undefined ? {} : { quantity }),
    },
    clientOrderId,
  };
}

/**
 * The `orderId` / `origClientOrderId` parameters of a {@link BinanceOrderRef}.
 *
 * @example
 * binanceOrderRefQuery({ market: 'BTC/USDT', orderId: 28 }); // { orderId: '28' }
 */
export function binanceOrderRefQuery(ref: BinanceOrderRef): Record<string, ParamValue> {
  if (ref.orderId !== undefined) {
    const id = String(ref.orderId);
    if (!/^\d{1,19}$/.test(id)) invalid('orderId', 'orderId must be a non-negative integer');
    return { orderId: id };
  }
  if (typeof ref.clientOrderId !== 'string' || ref.clientOrderId === '') {
    return invalid('orderId', 'give orderId or clientOrderId');
  }
  return { origClientOrderId: ref.clientOrderId };
}
