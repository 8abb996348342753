// Pure parts of the Binance REST half: error mapping, filters, rate-limit pools, depth
// weights, order parameters and normalisation.
import {
  BINANCE_ENDPOINTS,
  binanceDepthEndpoint,
} from '../../../adapters/binance/rest/endpoints.js';
import {
  BINANCE_ERROR_CODES,
  createBinanceError,
  mapBinanceResponse,
} from '../../../adapters/binance/rest/errors.js';
import { checkBinanceFilters } from '../../../adapters/binance/rest/filters.js';
import {
  normalizeBinanceMarket,
  type BinanceMarketInfo,
} from '../../../adapters/binance/rest/markets.js';
import {
  normalizeBinanceOrder,
  normalizeBinanceTrade,
} from '../../../adapters/binance/rest/normalize.js';
import { binanceOrderRefQuery, buildBinanceOrder } from '../../../adapters/binance/rest/orders.js';
import {
  binanceRateLimitPools,
  binanceUsageReader,
} from '../../../adapters/binance/rest/rate-limits.js';
import { BinanceOrderResponse, BinanceSymbolInfo } from '../../../adapters/binance/rest/schemas.js';
import { isTickwireError, type TickwireError } from '../../../src/errors/index.js';
import { Decimal } from '../../../src/numbers/index.js';
import type { RestResponse } from '../../../src/rest/types.js';

function thrown(fn: () => unknown): TickwireError {
  try {
    fn();
  } catch (e) {
    if (isTickwireError(e)) return e;
    throw e;
  }
  throw new Error('expected a throw');
}

describe('Binance error mapping', () => {
  const table: [number, string, string][] = [
    [-1003, 'Too much request weight used', 'RATE_LIMITED'],
    [-1015, 'Too many new orders', 'RATE_LIMITED'],
    [-1008, 'Server is currently overloaded', 'EXCHANGE_UNAVAILABLE'],
    [-1013, 'Filter failure: LOT_SIZE', 'EXCHANGE_FILTER_FAILURE'],
    [
      -1021,
      'Timestamp for this request is outside of the recvWindow.',
      'AUTH_TIMESTAMP_OUTSIDE_WINDOW',
    ],
    [-1022, 'Signature for this request is not valid.', 'AUTH_INVALID_SIGNATURE'],
    [-1002, 'You are not authorized to execute this request.', 'AUTH_INVALID_KEY'],
    [
      -2010,
      'Account has insufficient balance for requested action.',
      'EXCHANGE_INSUFFICIENT_FUNDS',
    ],
    [-2010, 'Duplicate order sent.', 'EXCHANGE_ORDER_REJECTED'],
    [-2010, 'Order would immediately match and take.', 'EXCHANGE_ORDER_REJECTED'],
    [-2011, 'Unknown order sent.', 'EXCHANGE_UNKNOWN_ORDER'],
    [-2011, 'Order was canceled or expired.', 'EXCHANGE_ORDER_REJECTED'],
    [-2013, 'Order does not exist.', 'EXCHANGE_UNKNOWN_ORDER'],
    [-2026, 'Order was canceled or expired.', 'EXCHANGE_UNKNOWN_ORDER'],
    [-2014, 'API-key format invalid.', 'AUTH_INVALID_KEY'],
    [-2015, 'Invalid API-key, IP, or permissions for action.', 'AUTH_INVALID_KEY'],
    [-1121, 'Invalid symbol.', 'EXCHANGE_ERROR'],
    [-1100, "Illegal characters found in parameter 'symbols'.", 'EXCHANGE_ERROR'],
  ];

  it.each(table)('%i "%s" → %s, Binance code and message kept', (code, msg, expected) => {
    const e = createBinanceError({ code, msg }, { status: 400, method: 'GET', url: '/api/v3/x' });
    expect(e.code).toBe(expected);
    expect(e.context).toMatchObject({
      exchange: 'binance',
      exchangeCode: code,
      exchangeMessage: msg,
      status: 400,
      method: 'GET',
      url: '/api/v3/x',
    });
    expect(e.message).toContain(`[${code}]`);
  });

  it('maps every code of the table (no row missing a test)', () => {
    const tested = new Set(table.map(([c]) => c));
    for (const code of Object.keys(BINANCE_ERROR_CODES).map(Number)) {
      if (code === -1006 || code === -1007) continue; // below
      expect(tested.has(code)).toBe(true);
    }
  });

  it('-1006 / -1007 leave an order unknown, and a read unavailable', () => {
    for (const code of [-1006, -1007]) {
      const body = { code, msg: 'Timeout waiting for response from backend server.' };
      expect(createBinanceError(body, { isOrder: true }).code).toBe('ORDER_STATUS_UNKNOWN');
      expect(createBinanceError(body, { isOrder: false }).code).toBe('EXCHANGE_UNAVAILABLE');
    }
  });

  function response(status: number, data: unknown, method = 'GET', path = '/api/v3/account') {
    return {
      status,
      headers: { 'retry-after': '7' },
      text: JSON.stringify(data),
      data,
      request: { method, path },
      attempt: 1,
      durationMs: 1,
    } as RestResponse;
  }

  it('the REST hook passes 2xx, maps Binance 4xx bodies, and leaves other bodies to the default', () => {
    expect(mapBinanceResponse(response(200, { code: -1013, msg: 'x' }))).toBeUndefined();
    expect(mapBinanceResponse(response(400, '<html>WAF</html>'))).toBeUndefined();
    const e = mapBinanceResponse(response(400, { code: -1003, msg: 'Too many' }));
    expect(e?.code).toBe('RATE_LIMITED');
    expect(e?.context).toMatchObject({ retryAfterMs: 7000 });
    const timeout = { code: -1007, msg: 'Timeout' };
    expect(mapBinanceResponse(response(408, timeout, 'POST', '/api/v3/order'))?.code).toBe(
      'ORDER_STATUS_UNKNOWN',
    );
    expect(mapBinanceResponse(response(408, timeout, 'GET', '/api/v3/order'))?.code).toBe(
      'EXCHANGE_UNAVAILABLE',
    );
  });
});

const BTCUSDT = normalizeBinanceMarket(
  BinanceSymbolInfo.parse({
    symbol: 'BTCUSDT',
    status: 'TRADING',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    baseAssetPrecision: 8,
    quoteAssetPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
    filters: [
      {
        filterType: 'PRICE_FILTER',
        minPrice: '0.01000000',
        maxPrice: '1000000.00000000',
        tickSize: '0.01000000',
      },
      {
        filterType: 'LOT_SIZE',
        minQty: '0.00001000',
        maxQty: '9000.00000000',
        stepSize: '0.00001000',
      },
      { filterType: 'ICEBERG_PARTS', limit: 10 },
      {
        filterType: 'MARKET_LOT_SIZE',
        minQty: '0.00000000',
        maxQty: '100.00000000',
        stepSize: '0.00000000',
      },
      {
        filterType: 'NOTIONAL',
        minNotional: '5.00000000',
        applyMinToMarket: true,
        maxNotional: '9000000.00000000',
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
    ],
  }),
);

describe('Binance markets and filters', () => {
  it('normalises a symbol: unified symbol, trimmed steps, parsed filters', () => {
    expect(BTCUSDT).toMatchObject({
      symbol: 'BTC/USDT',
      id: 'BTCUSDT',
      tickSize: '0.01',
      stepSize: '0.00001',
      minNotional: '5',
      status: 'TRADING',
      filters: {
        price: { tickSize: '0.01000000' },
        lot: { minQty: '0.00001000', maxQty: '9000.00000000' },
        marketLot: { maxQty: '100.00000000' },
        notional: { minNotional: '5.00000000', maxNotional: '9000000.00000000' },
      },
    });
  });

  it('a malformed known filter is VALIDATION_FAILED naming symbol and filter', () => {
    const bad = BinanceSymbolInfo.parse({
      symbol: 'X',
      status: 'TRADING',
      baseAsset: 'A',
      quoteAsset: 'B',
      filters: [{ filterType: 'LOT_SIZE', minQty: 'abc', maxQty: '1', stepSize: '1' }],
    });
    const e = thrown(() => normalizeBinanceMarket(bad));
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.message).toContain('X LOT_SIZE');
  });

  const d = (s: string) => new Decimal(s);
  const cases: [string, { type: string; price?: string; quantity?: string }, string][] = [
    ['price off tick', { type: 'LIMIT', price: '60000.001', quantity: '0.001' }, 'PRICE_FILTER'],
    ['price above max', { type: 'LIMIT', price: '1000000.01', quantity: '0.001' }, 'PRICE_FILTER'],
    ['price below min', { type: 'LIMIT', price: '0.001', quantity: '100' }, 'PRICE_FILTER'],
    ['qty off step', { type: 'LIMIT', price: '60000', quantity: '0.000015' }, 'LOT_SIZE'],
    ['qty below min', { type: 'LIMIT', price: '60000', quantity: '0.000001' }, 'LOT_SIZE'],
    ['qty above max', { type: 'LIMIT', price: '0.01', quantity: '9000.00001' }, 'LOT_SIZE'],
    ['market qty above max', { type: 'MARKET', quantity: '100.00001' }, 'MARKET_LOT_SIZE'],
    ['notional below min', { type: 'LIMIT', price: '1', quantity: '4.99999' }, 'NOTIONAL'],
    ['notional above max', { type: 'LIMIT', price: '1000000', quantity: '9.00001' }, 'NOTIONAL'],
  ];

  it.each(cases)('%s → ORDER_FILTER_FAILED naming %s', (_name, o, filter) => {
    const e = thrown(() =>
      checkBinanceFilters(BTCUSDT, {
        type: o.type,
        ...(o.price === undefined ? {} : { price: d(o.price) }),
        ...(o.quantity === undefined ? {} : { quantity: d(o.quantity) }),
      }),
    );
    expect(e.code).toBe('ORDER_FILTER_FAILED');
    expect(e.context).toMatchObject({ filter, market: 'BTC/USDT', exchange: 'binance' });
    expect(e.message).toContain(filter);
  });

  it('passes orders on the boundaries, exactly (no float error)', () => {
    const ok = [
      { type: 'LIMIT', price: d('0.01'), quantity: d('500') },
      { type: 'LIMIT', price: d('1'), quantity: d('5') },
      { type: 'LIMIT', price: d('1000000'), quantity: d('9') },
      { type: 'LIMIT', price: d('60000.07'), quantity: d('0.00009') },
      { type: 'MARKET', quantity: d('100') },
      { type: 'MARKET', quantity: d('0.00001') }, // notional of a market order: the server's check
    ];
    for (const o of ok) expect(() => checkBinanceFilters(BTCUSDT, o)).not.toThrow();
  });

  it('a zero bound switches its rule off', () => {
    const loose: BinanceMarketInfo = {
      ...BTCUSDT,
      filters: { price: { minPrice: '0', maxPrice: '0', tickSize: '0' } },
    };
    expect(() =>
      checkBinanceFilters(loose, { type: 'LIMIT', price: d('123.456789'), quantity: d('1') }),
    ).not.toThrow();
  });
});

describe('Binance rate limits and weights', () => {
  it('turns exchangeInfo rateLimits into pools named like the usage headers', () => {
    const { pools, skipped } = binanceRateLimitPools([
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000 },
      { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 300000 },
      { rateLimitType: 'ODD', interval: 'FORTNIGHT', intervalNum: 1, limit: 1 },
    ]);
    expect(pools).toEqual([
      { id: 'REQUEST_WEIGHT_1M', limit: 6000, intervalMs: 60_000 },
      { id: 'ORDERS_10S', limit: 50, intervalMs: 10_000 },
      { id: 'ORDERS_1D', limit: 160000, intervalMs: 86_400_000 },
      { id: 'RAW_REQUESTS_5M', limit: 300000, intervalMs: 300_000 },
    ]);
    expect(skipped).toHaveLength(1);
  });

  it('reads the usage headers into those pools', () => {
    const read = [
      ...binanceUsageReader({
        'x-mbx-used-weight-1m': '42',
        'x-mbx-order-count-10s': '3',
        'x-mbx-order-count-1d': '17',
      }),
    ];
    expect(read).toEqual([
      { pool: 'REQUEST_WEIGHT_1M', used: 42 },
      { pool: 'ORDERS_10S', used: 3 },
      { pool: 'ORDERS_1D', used: 17 },
    ]);
  });

  it('depth weight follows the limit (1–100: 5, ≤500: 25, ≤1000: 50, ≤5000: 250)', () => {
    const w = (limit: number) => BINANCE_ENDPOINTS[binanceDepthEndpoint(limit)].throttle.weight;
    expect([1, 100, 101, 500, 501, 1000, 1001, 5000].map(w)).toEqual([
      5, 5, 25, 25, 50, 50, 250, 250,
    ]);
  });

  it('a new order consumes both ORDERS pools; signed endpoints are marked', () => {
    const t = BINANCE_ENDPOINTS.placeOrder.throttle;
    expect(t.key).toBe('ORDERS_10S');
    expect(t.linked.map((l) => l.pool)).toEqual(
      expect.arrayContaining(['ORDERS_1D', 'REQUEST_WEIGHT_1M', 'RAW_REQUESTS_5M']),
    );
    expect(BINANCE_ENDPOINTS.placeOrder.idempotent).toBe(false);
    expect(BINANCE_ENDPOINTS.cancelOrder.idempotent).toBe(false);
    for (const name of [
      'placeOrder',
      'cancelOrder',
      'getOrder',
      'openOrders',
      'account',
    ] as const) {
      expect(BINANCE_ENDPOINTS[name].isAuthRequired).toBe(true);
    }
  });
});

describe('Binance order parameters', () => {
  it('builds a limit order in send order with exact strings and a client id', () => {
    const { query, clientOrderId } = buildBinanceOrder(BTCUSDT, {
      market: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: new Decimal('60000.10'),
      quantity: '0.00100',
    });
    expect(clientOrderId).toMatch(/^tw-[0-9a-f]{24}$/);
    expect(Object.entries(query).filter(([, v]) => v !== undefined)).toEqual([
      ['symbol', 'BTCUSDT'],
      ['side', 'BUY'],
      ['type', 'LIMIT'],
      ['timeInForce', 'GTC'],
      ['quantity', '0.001'],
      ['price', '60000.1'],
      ['newClientOrderId', clientOrderId],
      ['newOrderRespType', 'FULL'],
    ]);
  });

  it('rejects bad parameters with INVALID_ARGUMENT naming the argument', () => {
    const base = {
      market: 'BTC/USDT',
      side: 'buy',
      type: 'limit',
      price: '1',
      quantity: '1',
    } as const;
    const bad: [object, string][] = [
      [{ ...base, price: undefined }, 'price'],
      [{ ...base, quantity: '-1' }, 'quantity'],
      [{ ...base, quantity: 'abc' }, 'quantity'],
      [{ ...base, price: 1 }, 'price'],
      [{ ...base, clientOrderId: 'has space' }, 'clientOrderId'],
      [{ ...base, type: 'market', price: undefined, quoteQuantity: '1' }, 'quantity'],
      [{ ...base, type: 'market', price: undefined, quantity: undefined }, 'quantity'],
      [{ ...base, type: 'market' }, 'price'],
      [{ ...base, type: 'stop' }, 'type'],
      [{ ...base, quoteQuantity: '10' }, 'quoteQuantity'],
    ];
    for (const [params, argument] of bad) {
      const e = thrown(() =>
        buildBinanceOrder(BTCUSDT, params as Parameters<typeof buildBinanceOrder>[1]),
      );
      expect([e.code, e.context.argument]).toEqual(['INVALID_ARGUMENT', argument]);
    }
    expect(
      thrown(() => binanceOrderRefQuery({ market: 'x', orderId: '1e3' })).context.argument,
    ).toBe('orderId');
    expect(binanceOrderRefQuery({ market: 'x', clientOrderId: 'a' })).toEqual({
      origClientOrderId: 'a',
    });
  });
});

describe('Binance normalisation', () => {
  it('an order answer: status, exact amounts, cancel ids, fills', () => {
    const o = normalizeBinanceOrder(
      BinanceOrderResponse.parse({
        symbol: 'BTCUSDT',
        origClientOrderId: 'mine',
        orderId: 7,
        clientOrderId: 'cancel-1',
        transactTime: 5,
        price: '60000.10000000',
        origQty: '0.00100000',
        executedQty: '0.00040000',
        cummulativeQuoteQty: '24.00004000',
        status: 'CANCELED',
        timeInForce: 'GTC',
        type: 'LIMIT',
        side: 'SELL',
      }),
      'BTC/USDT',
    );
    expect(o).toMatchObject({
      orderId: '7',
      clientOrderId: 'mine',
      cancelClientOrderId: 'cancel-1',
      status: 'cancelled',
      exchangeStatus: 'CANCELED',
      side: 'sell',
      time: 5,
    });
    expect(o.price?.toFixed()).toBe('60000.1');
    expect(o.filledQuantity.toFixed()).toBe('0.0004');
    expect(o.filledQuoteQuantity?.toFixed()).toBe('24.00004');
  });

  it('an unknown status or a missing RESULT field is VALIDATION_FAILED', () => {
    const ack = BinanceOrderResponse.parse({ symbol: 'BTCUSDT', orderId: 1, clientOrderId: 'a' });
    expect(thrown(() => normalizeBinanceOrder(ack, 'BTC/USDT')).code).toBe('VALIDATION_FAILED');
    const odd = BinanceOrderResponse.parse({
      symbol: 'BTCUSDT',
      orderId: 1,
      clientOrderId: 'a',
      status: 'WEIRD',
      side: 'BUY',
      type: 'LIMIT',
      origQty: '1',
      executedQty: '0',
    });
    expect(thrown(() => normalizeBinanceOrder(odd, 'BTC/USDT')).context.path).toBe('status');
  });

  it('a trade takes the taker side', () => {
    const t = { id: 1, price: '1.5', qty: '2', time: 3, isBuyerMaker: true };
    expect(normalizeBinanceTrade(t, 'BTC/USDT').side).toBe('sell');
    expect(normalizeBinanceTrade({ ...t, isBuyerMaker: false }, 'BTC/USDT').side).toBe('buy');
  });
});
