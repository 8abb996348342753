import { parseScaled } from '../../../src/testing/format.js';
import type { SimMarketSpec, SimOrder } from '../../../src/testing/index.js';
import { type BinanceSimError, type BinanceSimState, binanceError } from './state.js';

/** Request parameters, decoded (query + body, or WS API `params`). */
export type BinanceParams = Readonly<Record<string, string>>;

type Outcome<T> = T | BinanceSimError;

function mandatory(name: string): BinanceSimError {
  return binanceError(
    400,
    -1102,
    `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
  );
}

function marketOf(state: BinanceSimState, p: BinanceParams): Outcome<SimMarketSpec> {
  if (p.symbol === undefined || p.symbol === '') return mandatory('symbol');
  return state.market(p.symbol) ?? binanceError(400, -1121, 'Invalid symbol.');
}

function scaledParam(
  text: string,
  name: string,
  decimals: number,
  step: bigint,
  filter: string,
): Outcome<bigint> {
  const v8 = parseScaled(text, 8);
  if (v8 === undefined)
    return binanceError(400, -1111, `Parameter '${name}' has too much precision.`);
  const shift = 8 - decimals;
  const unit = shift >= 0 ? 10n ** BigInt(shift) : 1n;
  if (v8 % (step * unit) !== 0n || v8 === 0n)
    return binanceError(400, -1013, `Filter failure: ${filter}`);
  return v8 / unit;
}

/** The RESULT-shaped fields shared by place, cancel and query answers. */
function resultFields(
  state: BinanceSimState,
  m: SimMarketSpec,
  o: SimOrder,
): Record<string, unknown> {
  return {
    price: state.price(m, o.type === 'market' ? 0n : o.price),
    origQty: state.qty(m, o.quantity),
    executedQty: state.qty(m, o.filled),
    origQuoteOrderQty: '0.00000000',
    cummulativeQuoteQty: state.quote(m, o.filledQuote),
    status: o.status,
    timeInForce: o.type === 'market' ? 'GTC' : o.timeInForce,
    type: state.orderType(o),
    side: o.side === 'buy' ? 'BUY' : 'SELL',
  };
}

/** `POST /api/v3/order` and `order.place`. Returns the answer body and whether it counted as an order. */
export function placeOrder(
  state: BinanceSimState,
  account: string,
  p: BinanceParams,
): Outcome<object> {
  const m = marketOf(state, p);
  if ('code' in m) return m;
  const side = p.side;
  if (side !== 'BUY' && side !== 'SELL')
    return side === undefined ? mandatory('side') : binanceError(400, -1117, 'Invalid side.');
  const type = p.type;
  if (type === undefined) return mandatory('type');
  if (type !== 'LIMIT' && type !== 'MARKET' && type !== 'LIMIT_MAKER')
    return binanceError(400, -1116, 'Invalid orderType.');
  const engine = state.ctx.engine;
  let price: bigint | undefined;
  if (type !== 'MARKET') {
    if (p.price === undefined) return mandatory('price');
    const v = scaledParam(p.price, 'price', m.priceDecimals, m.tickSize, 'PRICE_FILTER');
    if (typeof v !== 'bigint') return v;
    price = v;
  }
  let tif: 'GTC' | 'IOC' | 'FOK' = 'GTC';
  if (type === 'LIMIT') {
    if (p.timeInForce === undefined) return mandatory('timeInForce');
    if (p.timeInForce !== 'GTC' && p.timeInForce !== 'IOC' && p.timeInForce !== 'FOK') {
      return binanceError(400, -1115, 'Invalid timeInForce.');
    }
    tif = p.timeInForce;
  }
  let quantity: bigint;
  if (p.quantity !== undefined) {
    const v = scaledParam(p.quantity, 'quantity', m.base.decimals, m.stepSize, 'LOT_SIZE');
    if (typeof v !== 'bigint') return v;
    quantity = v;
  } else if (type === 'MARKET' && p.quoteOrderQty !== undefined) {
    const budget = parseScaled(p.quoteOrderQty, m.quote.decimals);
    if (budget === undefined)
      return binanceError(400, -1111, "Parameter 'quoteOrderQty' has too much precision.");
    quantity = quantityForQuote(state, m, side === 'BUY', budget);
    if (quantity === 0n)
      return binanceError(
        400,
        -2010,
        'Order book liquidity is less than LOT_SIZE filter minimum quantity.',
      );
  } else {
    return mandatory('quantity');
  }
  const notionalPrice =
    price ??
    (side === 'BUY'
      ? engine.market(m.id).asks.best()?.price
      : engine.market(m.id).bids.best()?.price) ??
    0n;
  const notional = engine.quoteAmount(m, notionalPrice, quantity);
  if (notional < 5n * 10n ** BigInt(m.quote.decimals))
    return binanceError(400, -1013, 'Filter failure: NOTIONAL');
  const newClientOrderId = p.newClientOrderId;
  if (newClientOrderId !== undefined && !/^[a-zA-Z0-9-_]{1,36}$/.test(newClientOrderId)) {
    return binanceError(
      400,
      -1100,
      "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
    );
  }
  const result = engine.placeOrder({
    account,
    market: m.id,
    side: side === 'BUY' ? 'buy' : 'sell',
    type: type === 'MARKET' ? 'market' : 'limit',
    timeInForce: tif,
    postOnly: type === 'LIMIT_MAKER',
    ...(price !== undefined ? { price } : {}),
    quantity,
    ...(newClientOrderId !== undefined ? { clientOrderId: newClientOrderId } : {}),
  });
  if (!result.ok) {
    switch (result.reason) {
      case 'INSUFFICIENT_BALANCE':
        return binanceError(400, -2010, 'Account has insufficient balance for requested action.');
      case 'DUPLICATE_ORDER':
        return binanceError(400, -2010, 'Duplicate order sent.');
      case 'WOULD_TAKE':
        return binanceError(400, -2010, 'Order would immediately match and take.');
      default:
        return binanceError(400, -2010, 'Order rejected.');
    }
  }
  const o = result.order;
  const respType = p.newOrderRespType ?? (type === 'LIMIT_MAKER' ? 'ACK' : 'FULL');
  const ack = {
    symbol: m.id,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    transactTime: o.createdAt,
  };
  if (respType === 'ACK') return ack;
  const res = {
    ...ack,
    ...resultFields(state, m, o),
    workingTime: o.createdAt,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
  if (respType === 'RESULT') return res;
  return {
    ...res,
    fills: o.fills.map((f) => ({
      price: state.price(m, f.price),
      qty: state.qty(m, f.quantity),
      commission: '0.00000000',
      commissionAsset: o.side === 'buy' ? m.base.symbol : m.quote.symbol,
      tradeId: f.tradeId,
    })),
  };
}

function quantityForQuote(
  state: BinanceSimState,
  m: SimMarketSpec,
  isBuy: boolean,
  budget: bigint,
): bigint {
  const engine = state.ctx.engine;
  const book = isBuy ? engine.market(m.id).asks : engine.market(m.id).bids;
  let qty = 0n;
  let left = budget;
  for (const level of book.levels()) {
    const unitCost = engine.quoteAmount(m, level.price, m.stepSize);
    if (unitCost === 0n) break;
    const steps = left / unitCost;
    const levelSteps = level.total / m.stepSize;
    const take = steps < levelSteps ? steps : levelSteps;
    qty += take * m.stepSize;
    left -= take * unitCost;
    if (take < levelSteps) break;
  }
  return qty;
}

function orderRef(p: BinanceParams): Outcome<{ orderId?: number; clientOrderId?: string }> {
  if (p.orderId !== undefined) {
    const id = Number(p.orderId);
    if (!Number.isSafeInteger(id))
      return binanceError(400, -1100, "Illegal characters found in parameter 'orderId'.");
    return { orderId: id };
  }
  if (p.origClientOrderId !== undefined) return { clientOrderId: p.origClientOrderId };
  return binanceError(
    400,
    -1102,
    "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
  );
}

/** `DELETE /api/v3/order` and `order.cancel`. */
export function cancelOrder(
  state: BinanceSimState,
  account: string,
  p: BinanceParams,
): Outcome<object> {
  const m = marketOf(state, p);
  if ('code' in m) return m;
  const ref = orderRef(p);
  if ('code' in ref) return ref;
  const existing = state.ctx.engine.findOrder(account, ref);
  const cancelId = p.newClientOrderId ?? `sim-cancel-${state.nextExecutionId()}`;
  if (existing !== undefined) state.cancelIds.set(existing.orderId, cancelId);
  const o = state.ctx.engine.cancelOrder(account, m.id, ref);
  if (existing !== undefined) state.cancelIds.delete(existing.orderId);
  if (o === undefined) return binanceError(400, -2011, 'Unknown order sent.');
  return cancelShape(state, m, o, cancelId);
}

function cancelShape(
  state: BinanceSimState,
  m: SimMarketSpec,
  o: SimOrder,
  cancelId: string,
): object {
  return {
    symbol: m.id,
    origClientOrderId: o.clientOrderId,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: cancelId,
    transactTime: o.updatedAt,
    ...resultFields(state, m, o),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** `DELETE /api/v3/openOrders` and `openOrders.cancelAll`. */
export function cancelAll(
  state: BinanceSimState,
  account: string,
  p: BinanceParams,
): Outcome<object> {
  const m = marketOf(state, p);
  if ('code' in m) return m;
  const open = state.ctx.engine.orders(account, { market: m.id, open: true });
  if (open.length === 0) return binanceError(400, -2011, 'Unknown order sent.');
  return open.map((o) => {
    const cancelId = `sim-cancel-${state.nextExecutionId()}`;
    state.cancelIds.set(o.orderId, cancelId);
    const done = state.ctx.engine.cancelOrder(account, m.id, { orderId: o.orderId }) ?? o;
    state.cancelIds.delete(o.orderId);
    return cancelShape(state, m, done, cancelId);
  });
}

function queryShape(state: BinanceSimState, o: SimOrder): object {
  const m = state.market(o.market) as SimMarketSpec;
  const f = resultFields(state, m, o);
  return {
    symbol: m.id,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: f.price,
    origQty: f.origQty,
    executedQty: f.executedQty,
    cummulativeQuoteQty: f.cummulativeQuoteQty,
    status: f.status,
    timeInForce: f.timeInForce,
    type: f.type,
    side: f.side,
    stopPrice: '0.00000000',
    icebergQty: '0.00000000',
    time: o.createdAt,
    updateTime: o.updatedAt,
    isWorking: true,
    workingTime: o.createdAt,
    origQuoteOrderQty: '0.00000000',
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** `GET /api/v3/order` and `order.status`. */
export function queryOrder(
  state: BinanceSimState,
  account: string,
  p: BinanceParams,
): Outcome<object> {
  const m = marketOf(state, p);
  if ('code' in m) return m;
  const ref = orderRef(p);
  if ('code' in ref) return ref;
  const o = state.ctx.engine.findOrder(account, ref);
  if (o === undefined || o.market !== m.id)
    return binanceError(400, -2013, 'Order does not exist.');
  return queryShape(state, o);
}

/** `GET /api/v3/openOrders` and `openOrders.status`. */
export function openOrders(
  state: BinanceSimState,
  account: string,
  p: BinanceParams,
): Outcome<object> {
  let market: string | undefined;
  if (p.symbol !== undefined) {
    const m = marketOf(state, p);
    if ('code' in m) return m;
    market = m.id;
  }
  return state.ctx.engine
    .orders(account, { open: true, ...(market !== undefined ? { market } : {}) })
    .map((o) => queryShape(state, o));
}

/** `GET /api/v3/account` and `account.status`. */
export function accountInfo(state: BinanceSimState, account: string, p: BinanceParams): object {
  const omitZero = p.omitZeroBalances === 'true';
  const balances = state.ctx.engine
    .balances(account)
    .filter((b) => !omitZero || b.free > 0n || b.locked > 0n)
    .map((b) => ({
      asset: b.asset,
      free: state.amount(b.asset, b.free),
      locked: state.amount(b.asset, b.locked),
    }));
  return {
    makerCommission: 0,
    takerCommission: 0,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: {
      maker: '0.00000000',
      taker: '0.00000000',
      buyer: '0.00000000',
      seller: '0.00000000',
    },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: state.ctx.now(),
    accountType: 'SPOT',
    balances,
    permissions: ['SPOT'],
    uid: 354937868,
  };
}
