import type { SimRequest, SimResponse } from '../../../src/testing/index.js';
import { aggTrades, bookTicker, depth, depthWeight, klines, trades } from './market-data.js';
import {
  accountInfo,
  type BinanceParams,
  cancelAll,
  cancelOrder,
  openOrders,
  placeOrder,
  queryOrder,
} from './orders.js';
import { splitRestSignature, verifyBinanceSignature } from './signing.js';
import {
  type BinanceSimError,
  type BinanceSimState,
  binanceError,
  isBinanceError,
} from './state.js';

interface Route {
  readonly weight: (p: BinanceParams) => number;
  readonly signed: boolean;
  /** An order endpoint: costs 1 only when it fails; a new order counts toward ORDERS. */
  readonly order?: 'new' | 'cancel';
  readonly run: (
    state: BinanceSimState,
    p: BinanceParams,
    account: string,
  ) => object | BinanceSimError;
}

const fixed = (w: number) => () => w;

const routes: Readonly<Record<string, Route>> = {
  'GET /api/v3/ping': { weight: fixed(1), signed: false, run: () => ({}) },
  'GET /api/v3/time': {
    weight: fixed(1),
    signed: false,
    run: (s) => ({ serverTime: s.ctx.now() }),
  },
  'GET /api/v3/exchangeInfo': {
    weight: fixed(20),
    signed: false,
    run: (s, p) => {
      let names: string[] | undefined;
      if (p.symbol !== undefined) names = [p.symbol];
      else if (p.symbols !== undefined) {
        try {
          names = (JSON.parse(p.symbols) as unknown[]).map(String);
        } catch {
          return binanceError(400, -1100, "Illegal characters found in parameter 'symbols'.");
        }
      }
      const list = names === undefined ? s.markets : names.map((n) => s.market(n));
      if (list.some((m) => m === undefined)) return binanceError(400, -1121, 'Invalid symbol.');
      return s.exchangeInfo(list as typeof s.markets);
    },
  },
  'GET /api/v3/depth': {
    weight: (p) => depthWeight(Math.min(Number(p.limit ?? 100) || 100, 5000)),
    signed: false,
    run: (s, p) => depth(s, p),
  },
  'GET /api/v3/trades': { weight: fixed(25), signed: false, run: (s, p) => trades(s, p) },
  'GET /api/v3/aggTrades': { weight: fixed(4), signed: false, run: (s, p) => aggTrades(s, p) },
  'GET /api/v3/klines': { weight: fixed(2), signed: false, run: (s, p) => klines(s, p) },
  'GET /api/v3/ticker/bookTicker': {
    weight: (p) => (p.symbol !== undefined ? 2 : 4),
    signed: false,
    run: (s, p) => bookTicker(s, p),
  },
  'POST /api/v3/order': {
    weight: fixed(1),
    signed: true,
    order: 'new',
    run: (s, p, a) => placeOrder(s, a, p),
  },
  'POST /api/v3/order/test': { weight: fixed(1), signed: true, run: () => ({}) },
  'DELETE /api/v3/order': {
    weight: fixed(1),
    signed: true,
    order: 'cancel',
    run: (s, p, a) => cancelOrder(s, a, p),
  },
  'DELETE /api/v3/openOrders': {
    weight: fixed(1),
    signed: true,
    order: 'cancel',
    run: (s, p, a) => cancelAll(s, a, p),
  },
  'GET /api/v3/order': { weight: fixed(4), signed: true, run: (s, p, a) => queryOrder(s, a, p) },
  'GET /api/v3/openOrders': {
    weight: (p) => (p.symbol !== undefined ? 6 : 80),
    signed: true,
    run: (s, p, a) => openOrders(s, a, p),
  },
  'GET /api/v3/account': {
    weight: fixed(20),
    signed: true,
    run: (s, p, a) => accountInfo(s, a, p),
  },
};

function errorResponse(e: BinanceSimError, headers: Record<string, string>): SimResponse {
  return { status: e.status, headers, body: { code: e.code, msg: e.msg } };
}

/**
 * Checks the API key, the signature and the timestamp of a signed request (REST or WS
 * API); returns the account id or the Binance error.
 */
export function authenticate(
  state: BinanceSimState,
  apiKey: string | undefined,
  payload: string,
  signature: string | undefined,
  p: BinanceParams,
  encoding: 'rest' | 'ws-api',
  checkSignature = true,
): string | BinanceSimError {
  if (apiKey === undefined || apiKey === '')
    return binanceError(401, -2014, 'API-key format invalid.');
  const key = state.keys.get(apiKey);
  if (key === undefined)
    return binanceError(401, -2015, 'Invalid API-key, IP, or permissions for action.');
  if (p.timestamp === undefined) {
    return binanceError(
      400,
      -1102,
      "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    );
  }
  if (checkSignature) {
    if (signature === undefined || signature === '') {
      return binanceError(
        400,
        -1102,
        "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
      );
    }
    if (!verifyBinanceSignature(key, payload, signature, encoding)) {
      return binanceError(400, -1022, 'Signature for this request is not valid.');
    }
  }
  const now = state.ctx.now();
  let ts = Number(p.timestamp);
  if (!Number.isFinite(ts))
    return binanceError(400, -1100, "Illegal characters found in parameter 'timestamp'.");
  if (ts > 1e14) ts = Math.floor(ts / 1000); // microseconds
  const recvWindow = p.recvWindow === undefined ? 5000 : Number(p.recvWindow);
  if (!Number.isFinite(recvWindow) || recvWindow > 60_000) {
    return binanceError(400, -1131, 'recvWindow must be less than 60000');
  }
  if (ts >= now + 1000) {
    return binanceError(
      400,
      -1021,
      "Timestamp for this request was 1000ms ahead of the server's time.",
    );
  }
  if (now - ts > recvWindow)
    return binanceError(400, -1021, 'Timestamp for this request is outside of the recvWindow.');
  return apiKey;
}

/** Decodes query and form body; a key in both takes the query's value (as Binance does). */
function params(req: SimRequest): Record<string, string> {
  const out: Record<string, string> = {};
  const contentType = String(req.headers['content-type'] ?? '');
  if (req.rawBody !== '' && !contentType.includes('json')) {
    for (const [k, v] of new URLSearchParams(req.rawBody)) out[k] = v;
  }
  for (const [k, v] of req.query) out[k] = v;
  return out;
}

/** Answers one Binance REST request. */
export function handleBinanceRest(state: BinanceSimState, req: SimRequest): SimResponse {
  if (req.path === '/api/v3/userDataStream') {
    return {
      status: 410,
      body: {
        code: -1099,
        msg: 'The listenKey user data stream has been removed; use the WebSocket API.',
      },
    };
  }
  const route = routes[`${req.method} ${req.path}`];
  if (route === undefined) return { status: 404, body: { code: -1000, msg: 'Unknown endpoint.' } };
  const ctx = state.ctx;
  const ip = req.remoteAddress;
  const p = params(req);
  const weight = route.weight(p);
  const already = ctx.stats.weightUsed(ip);
  if (already + weight > state.weightLimit) {
    ctx.stats.violation('requestWeight');
    const now = ctx.now();
    const retry = Math.max(1, Math.ceil((60_000 - (now % 60_000)) / 1000));
    return {
      status: 429,
      headers: { 'Retry-After': String(retry), 'X-MBX-USED-WEIGHT-1M': String(already) },
      body: {
        code: -1003,
        msg: `Too much request weight used; current limit is ${state.weightLimit} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
      },
    };
  }
  let used = ctx.stats.useWeight(ip, route.order !== undefined ? 0 : weight);
  const headers = (): Record<string, string> => ({ 'X-MBX-USED-WEIGHT-1M': String(used) });
  const fail = (e: BinanceSimError): SimResponse => {
    if (route.order !== undefined) used = ctx.stats.useWeight(ip, weight);
    return errorResponse(e, headers());
  };

  let account = '';
  if (route.signed) {
    const { payload, signature } = splitRestSignature(req.rawQuery, req.rawBody);
    const apiKeyHeader = req.headers['x-mbx-apikey'];
    const auth = authenticate(
      state,
      Array.isArray(apiKeyHeader) ? apiKeyHeader[0] : apiKeyHeader,
      payload,
      signature,
      p,
      'rest',
    );
    if (typeof auth !== 'string') return fail(auth);
    account = auth;
  }
  const orderHeaders: Record<string, string> = {};
  if (route.order === 'new') {
    const c10 = ctx.countInWindow(`orders10s:${account}`, 10_000, 0);
    const c1d = ctx.countInWindow(`orders1d:${account}`, 86_400_000, 0);
    if (c10 >= state.ordersPer10s || c1d >= state.ordersPerDay) {
      ctx.stats.violation('orderRate');
      used = ctx.stats.useWeight(ip, weight);
      return {
        status: 429,
        headers: {
          ...headers(),
          'Retry-After': '10',
          'X-MBX-ORDER-COUNT-10S': String(c10),
          'X-MBX-ORDER-COUNT-1D': String(c1d),
        },
        body: {
          code: -1015,
          msg: `Too many new orders; current limit is ${state.ordersPer10s} orders per 10 SECOND.`,
        },
      };
    }
  }
  const result = route.run(state, p, account);
  if (isBinanceError(result)) return fail(result);
  if (route.order === 'new') {
    orderHeaders['X-MBX-ORDER-COUNT-10S'] = String(
      ctx.countInWindow(`orders10s:${account}`, 10_000, 1),
    );
    orderHeaders['X-MBX-ORDER-COUNT-1D'] = String(
      ctx.countInWindow(`orders1d:${account}`, 86_400_000, 1),
    );
  }
  return { status: 200, headers: { ...headers(), ...orderHeaders }, body: result };
}
