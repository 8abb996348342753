import { z } from 'zod';

// Strict zod schemas of every Binance frame the simulator emits, written from
// binance-spot.md. Strict objects: an extra or missing key fails.
const Dec = z.string().regex(/^\d+(\.\d+)?$/);
const Int = z.number().int();
const Level = z.tuple([Dec, Dec]);

export const DepthUpdate = z.strictObject({
  e: z.literal('depthUpdate'),
  E: Int,
  s: z.string(),
  U: Int,
  u: Int,
  b: z.array(Level),
  a: z.array(Level),
});
export const TradeEvent = z.strictObject({
  e: z.literal('trade'),
  E: Int,
  s: z.string(),
  t: Int,
  p: Dec,
  q: Dec,
  T: Int,
  m: z.boolean(),
  M: z.boolean(),
});
export const AggTradeEvent = z.strictObject({
  e: z.literal('aggTrade'),
  E: Int,
  s: z.string(),
  a: Int,
  p: Dec,
  q: Dec,
  f: Int,
  l: Int,
  T: Int,
  m: z.boolean(),
  M: z.boolean(),
});
export const BookTickerEvent = z.strictObject({
  u: Int,
  s: z.string(),
  b: Dec,
  B: Dec,
  a: Dec,
  A: Dec,
});
export const PartialDepth = z.strictObject({
  lastUpdateId: Int,
  bids: z.array(Level),
  asks: z.array(Level),
});
export const Combined = z.strictObject({
  stream: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export const ControlResult = z.strictObject({
  result: z.union([z.null(), z.array(z.string()), z.boolean()]),
  id: z.union([Int, z.string(), z.null()]),
});
export const ControlError = z.strictObject({
  code: Int,
  msg: z.string(),
  id: z.union([Int, z.string(), z.null()]),
});

export const RestDepth = PartialDepth;
export const RestTrade = z.strictObject({
  id: Int,
  price: Dec,
  qty: Dec,
  quoteQty: Dec,
  time: Int,
  isBuyerMaker: z.boolean(),
  isBestMatch: z.boolean(),
});
export const RestAggTrade = z.strictObject({
  a: Int,
  p: Dec,
  q: Dec,
  f: Int,
  l: Int,
  T: Int,
  m: z.boolean(),
  M: z.boolean(),
});
export const Kline = z.tuple([Int, Dec, Dec, Dec, Dec, Dec, Int, Dec, Int, Dec, Dec, z.string()]);
export const RestBookTicker = z.strictObject({
  symbol: z.string(),
  bidPrice: Dec,
  bidQty: Dec,
  askPrice: Dec,
  askQty: Dec,
});
export const ServerTime = z.strictObject({ serverTime: Int });
export const RateLimit = z.strictObject({
  rateLimitType: z.enum(['REQUEST_WEIGHT', 'ORDERS', 'RAW_REQUESTS']),
  interval: z.enum(['SECOND', 'MINUTE', 'DAY']),
  intervalNum: Int,
  limit: Int,
});
export const ExchangeInfo = z.looseObject({
  timezone: z.string(),
  serverTime: Int,
  rateLimits: z.array(RateLimit),
  exchangeFilters: z.array(z.unknown()),
  symbols: z.array(
    z.looseObject({
      symbol: z.string(),
      status: z.literal('TRADING'),
      baseAsset: z.string(),
      baseAssetPrecision: Int,
      quoteAsset: z.string(),
      quoteAssetPrecision: Int,
      orderTypes: z.array(z.string()),
      isSpotTradingAllowed: z.boolean(),
      filters: z.array(z.looseObject({ filterType: z.string() })),
    }),
  ),
});
export const OrderAck = z.strictObject({
  symbol: z.string(),
  orderId: Int,
  orderListId: z.literal(-1),
  clientOrderId: z.string(),
  transactTime: Int,
});
const resultFields = {
  price: Dec,
  origQty: Dec,
  executedQty: Dec,
  origQuoteOrderQty: Dec,
  cummulativeQuoteQty: Dec,
  status: z.enum(['NEW', 'PARTIALLY_FILLED', 'FILLED', 'CANCELED', 'EXPIRED', 'REJECTED']),
  timeInForce: z.enum(['GTC', 'IOC', 'FOK']),
  type: z.enum(['LIMIT', 'MARKET', 'LIMIT_MAKER']),
  side: z.enum(['BUY', 'SELL']),
};
export const OrderResult = OrderAck.extend({
  ...resultFields,
  workingTime: Int,
  selfTradePreventionMode: z.string(),
});
export const OrderFull = OrderResult.extend({
  fills: z.array(
    z.strictObject({
      price: Dec,
      qty: Dec,
      commission: Dec,
      commissionAsset: z.string(),
      tradeId: Int,
    }),
  ),
});
export const CancelResult = z.strictObject({
  symbol: z.string(),
  origClientOrderId: z.string(),
  orderId: Int,
  orderListId: z.literal(-1),
  clientOrderId: z.string(),
  transactTime: Int,
  ...resultFields,
  selfTradePreventionMode: z.string(),
});
export const QueryOrder = z.strictObject({
  symbol: z.string(),
  orderId: Int,
  orderListId: z.literal(-1),
  clientOrderId: z.string(),
  price: Dec,
  origQty: Dec,
  executedQty: Dec,
  cummulativeQuoteQty: Dec,
  status: resultFields.status,
  timeInForce: resultFields.timeInForce,
  type: resultFields.type,
  side: resultFields.side,
  stopPrice: Dec,
  icebergQty: Dec,
  time: Int,
  updateTime: Int,
  isWorking: z.boolean(),
  workingTime: Int,
  origQuoteOrderQty: Dec,
  selfTradePreventionMode: z.string(),
});
export const Account = z.looseObject({
  makerCommission: Int,
  takerCommission: Int,
  commissionRates: z.strictObject({ maker: Dec, taker: Dec, buyer: Dec, seller: Dec }),
  canTrade: z.boolean(),
  canWithdraw: z.boolean(),
  canDeposit: z.boolean(),
  updateTime: Int,
  accountType: z.literal('SPOT'),
  balances: z.array(z.strictObject({ asset: z.string(), free: Dec, locked: Dec })),
  permissions: z.array(z.string()),
  uid: Int,
});
export const ErrorBody = z.strictObject({ code: Int.negative(), msg: z.string() });

const WsRateLimit = RateLimit.extend({ count: Int });
export const WsApiOk = z.strictObject({
  id: z.union([Int, z.string(), z.null()]),
  status: z.literal(200),
  result: z.unknown(),
  rateLimits: z.array(WsRateLimit).optional(),
});
export const WsApiError = z.strictObject({
  id: z.union([Int, z.string(), z.null()]),
  status: Int,
  error: z.strictObject({ code: Int, msg: z.string(), data: z.looseObject({}).optional() }),
  rateLimits: z.array(WsRateLimit).optional(),
});
export const SessionStatus = z.strictObject({
  apiKey: z.string().nullable(),
  authorizedSince: Int.nullable(),
  connectedSince: Int,
  returnRateLimits: z.boolean(),
  serverTime: Int,
  userDataStream: z.boolean(),
});
export const ExecutionReport = z.strictObject({
  e: z.literal('executionReport'),
  E: Int,
  s: z.string(),
  c: z.string(),
  S: z.enum(['BUY', 'SELL']),
  o: z.string(),
  f: z.string(),
  q: Dec,
  p: Dec,
  P: Dec,
  F: Dec,
  g: Int,
  C: z.string(),
  x: z.enum(['NEW', 'CANCELED', 'REPLACED', 'REJECTED', 'TRADE', 'EXPIRED', 'TRADE_PREVENTION']),
  X: resultFields.status,
  r: z.string(),
  i: Int,
  l: Dec,
  z: Dec,
  L: Dec,
  n: z.string(),
  N: z.string().nullable(),
  T: Int,
  t: Int,
  I: Int,
  w: z.boolean(),
  m: z.boolean(),
  M: z.boolean(),
  O: Int,
  Z: Dec,
  Y: Dec,
  Q: Dec,
  W: Int,
  V: z.string(),
});
export const AccountPosition = z.strictObject({
  e: z.literal('outboundAccountPosition'),
  E: Int,
  u: Int,
  B: z.array(z.strictObject({ a: z.string(), f: Dec, l: Dec })),
});
export const StreamTerminated = z.strictObject({ e: z.literal('eventStreamTerminated'), E: Int });
export const UserDataFrame = z.strictObject({
  subscriptionId: Int,
  event: z.looseObject({ e: z.string() }),
});

/** Examples copied from binance-spot.md, to check each schema (and key order) against the docs. */
export const docExamples = {
  depthUpdate: {
    e: 'depthUpdate',
    E: 1672515782136,
    s: 'BNBBTC',
    U: 157,
    u: 160,
    b: [['0.0024', '10']],
    a: [['0.0026', '100']],
  },
  trade: {
    e: 'trade',
    E: 1672515782136,
    s: 'BNBBTC',
    t: 12345,
    p: '0.001',
    q: '100',
    T: 1672515782136,
    m: true,
    M: true,
  },
  aggTrade: {
    e: 'aggTrade',
    E: 1672515782136,
    s: 'BNBBTC',
    a: 12345,
    p: '0.001',
    q: '100',
    f: 100,
    l: 105,
    T: 1672515782136,
    m: true,
    M: true,
  },
  bookTicker: {
    u: 400900217,
    s: 'BNBUSDT',
    b: '25.35190000',
    B: '31.21000000',
    a: '25.36520000',
    A: '40.66000000',
  },
  partialDepth: { lastUpdateId: 160, bids: [['0.0024', '10']], asks: [['0.0026', '100']] },
  restDepth: {
    lastUpdateId: 1027024,
    bids: [['4.00000000', '431.00000000']],
    asks: [['4.00000200', '12.00000000']],
  },
  restTrade: {
    id: 28457,
    price: '4.00000100',
    qty: '12.00000000',
    quoteQty: '48.000012',
    time: 1499865549590,
    isBuyerMaker: true,
    isBestMatch: true,
  },
  restAggTrade: {
    a: 26129,
    p: '0.01633102',
    q: '4.70443515',
    f: 27781,
    l: 27781,
    T: 1498793709153,
    m: true,
    M: true,
  },
  restBookTicker: {
    symbol: 'LTCBTC',
    bidPrice: '4.00000000',
    bidQty: '431.00000000',
    askPrice: '4.00000200',
    askQty: '9.00000000',
  },
  serverTime: { serverTime: 1499827319559 },
  rateLimits: [
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
    { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000 },
    { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 300000 },
  ],
  subscribeResult: { result: null, id: 1 },
  listResult: { result: ['btcusdt@aggTrade'], id: 3 },
  controlError: { code: 2, msg: 'Invalid request: …', id: 7 },
  restError: { code: -1121, msg: 'Invalid symbol.' },
  executionReport: {
    subscriptionId: 0,
    event: {
      e: 'executionReport',
      E: 1499405658658,
      s: 'ETHBTC',
      c: 'mUvoqJxFIILMdfAW5iGSOW',
      S: 'BUY',
      o: 'LIMIT',
      f: 'GTC',
      q: '1.00000000',
      p: '0.10264410',
      P: '0.00000000',
      F: '0.00000000',
      g: -1,
      C: '',
      x: 'NEW',
      X: 'NEW',
      r: 'NONE',
      i: 4293153,
      l: '0.00000000',
      z: '0.00000000',
      L: '0.00000000',
      n: '0',
      N: null,
      T: 1499405658657,
      t: -1,
      I: 8641984,
      w: true,
      m: false,
      M: false,
      O: 1499405658657,
      Z: '0.00000000',
      Y: '0.00000000',
      Q: '0.00000000',
      W: 1499405658657,
      V: 'NONE',
    },
  },
  accountPosition: {
    e: 'outboundAccountPosition',
    E: 1564034571105,
    u: 1564034571073,
    B: [{ a: 'ETH', f: '10000.000000', l: '0.000000' }],
  },
  udsSubscribed: { id: 'uds-1', status: 200, result: { subscriptionId: 0 } },
  logon: {
    id: 'logon-1',
    status: 200,
    result: {
      apiKey: '<key>',
      authorizedSince: 1649729878532,
      connectedSince: 1649729873021,
      returnRateLimits: false,
      serverTime: 1649729878630,
      userDataStream: false,
    },
  },
  wsApiError: {
    id: 'e2a8',
    status: 400,
    error: { code: -2010, msg: 'Account has insufficient balance for requested action.' },
    rateLimits: [
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50, count: 12 },
    ],
  },
  streamTerminated: { e: 'eventStreamTerminated', E: 1728973001334 },
} as const;
