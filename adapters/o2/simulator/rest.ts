import {
  actionToCall,
  b256FromPublicKey,
  buildActionsSigningBytes,
  buildSessionSigningBytes,
  buildWithdrawSigningBytes,
  type ContractCall,
  evmB256FromPublicKey,
  evmPersonalSignDigest,
  fuelPersonalSignDigest,
  type Hex,
  recoverPublicKey,
  sha256,
} from '../crypto/index.js';
import { formatScaled } from '../../../src/testing/format.js';
import type {
  SimMarketSpec,
  SimPlaceOrder,
  SimRequest,
  SimResponse,
} from '../../../src/testing/index.js';
import type { O2SimState } from './state.js';

const HEX32 = /^0x[0-9a-f]{64}$/;
const SIG = /^0x[0-9a-fA-F]{128}$/;

function ok(body: object): SimResponse {
  return { status: 200, body };
}

function error(status: number, code: number, message: string): SimResponse {
  return { status, body: { code, message } };
}

function revert(reason: string): SimResponse {
  return {
    status: 400,
    body: { code: 1000, message: `Transaction reverted: ${reason}`, reason, receipts: null },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The request's JSON object body, or the O2 error to answer instead (1002 parse, 1001 shape). */
function jsonObjectBody(
  req: SimRequest,
): { ok: true; body: Record<string, unknown> } | { ok: false; response: SimResponse } {
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody);
  } catch {
    return { ok: false, response: error(400, 1002, 'Parse error') };
  }
  if (!isRecord(body)) return { ok: false, response: error(400, 1001, 'Invalid request') };
  return { ok: true, body };
}

function u64(v: unknown): bigint | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return BigInt(v);
  if (typeof v === 'string' && /^0x[0-9a-fA-F]{1,16}$/.test(v)) return BigInt(v);
  return undefined;
}

/** True when `signature` over `digest` recovers to `expected` (b256, Fuel or zero-padded EVM). */
/** True when `signature` is the owner's personal-sign (Fuel or EVM) over `bytes`. */
function signedByOwner(bytes: Uint8Array, signature: string, owner: string): boolean {
  return signedBy(
    { fuel: fuelPersonalSignDigest(bytes), evm: evmPersonalSignDigest(bytes) },
    signature,
    owner,
  );
}

function signedBy(
  digests: { fuel: Uint8Array; evm?: Uint8Array },
  signature: string,
  expected: string,
): boolean {
  if (!SIG.test(signature)) return false;
  const sig = signature.toLowerCase() as Hex;
  try {
    if (b256FromPublicKey(recoverPublicKey(digests.fuel, sig)) === expected) return true;
  } catch {
    // not recoverable with this digest; try the EVM form below
  }
  if (digests.evm === undefined) return false;
  try {
    return evmB256FromPublicKey(recoverPublicKey(digests.evm, sig)) === expected;
  } catch {
    return false;
  }
}

/** Answers one O2 REST request (o2-protocol.md §3). */
export function handleO2Rest(state: O2SimState, req: SimRequest): SimResponse {
  const ctx = state.ctx;
  ctx.stats.useWeight(req.remoteAddress, 1);
  const q = req.query;
  const key = `${req.method} ${req.path}`;
  switch (key) {
    case 'GET /health':
      return ok({ status: 'ok' });
    case 'GET /v1/markets':
      return ok(state.marketsBody());
    case 'GET /v1/markets/summary':
    case 'GET /v1/markets/ticker': {
      const m = state.market(q.get('market_id'));
      if (m === undefined) return error(404, 2000, 'Market not found');
      return ok(key.endsWith('summary') ? summary(state, m) : ticker(state, m));
    }
    case 'GET /v1/depth':
      return depth(state, q);
    case 'GET /v1/trades':
      return trades(state, q);
    case 'GET /v1/trades_by_account':
      return trades(state, q, true);
    case 'GET /v1/bars':
      return bars(state, q);
    case 'POST /v1/accounts': {
      const parsed = jsonObjectBody(req);
      if (!parsed.ok) return parsed.response;
      const body = parsed.body;
      const identity = isRecord(body.identity) ? body.identity : undefined;
      const owner = identity?.Address ?? identity?.ContractId;
      if (typeof owner !== 'string' || !HEX32.test(owner.toLowerCase()))
        return error(400, 1001, 'Invalid request');
      const id = state.createAccount(owner.toLowerCase());
      return ok({ trade_account_id: id, nonce: `0x${ctx.engine.nonce(id).toString(16)}` });
    }
    case 'GET /v1/accounts':
      return account(state, q);
    case 'GET /v1/balance': {
      const assetId = q.get('asset_id') ?? '';
      const acct = (q.get('contract') ?? '').toLowerCase();
      const symbol = state.assetSymbol(assetId);
      if (symbol === undefined || !ctx.engine.hasAccount(acct))
        return error(404, 4002, 'Account not found');
      const entry = state.balanceEntry(acct, symbol);
      return ok({
        order_books: entry.order_books,
        total_locked: entry.total_locked,
        total_unlocked: entry.total_unlocked,
        trading_account_balance: entry.trading_account_balance,
      });
    }
    case 'GET /v1/orders': {
      const m = state.market(q.get('market_id'));
      if (m === undefined) return error(404, 2000, 'Market not found');
      const acct = (q.get('contract') ?? '').toLowerCase();
      const count = Number(q.get('count') ?? '20');
      if (!Number.isInteger(count) || count < 1 || count > 200)
        return error(400, 7002, 'Invalid pagination');
      const open = q.get('is_open');
      let list = ctx.engine.orders(acct, {
        market: m.id,
        ...(open === 'true' ? { open: true } : {}),
      });
      if (open === 'false')
        list = list.filter((o) => o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED');
      if (q.get('direction') !== 'asc') list = list.reverse();
      return ok({
        identity: { ContractId: acct },
        market_id: m.id,
        orders: list.slice(0, count).map((o) => state.orderBody(o)),
      });
    }
    case 'GET /v1/order': {
      const m = state.market(q.get('market_id'));
      const orderId = (q.get('order_id') ?? '').toLowerCase();
      if (m === undefined) return error(404, 2000, 'Market not found');
      for (const acct of state.ownerByAccount.keys()) {
        const o = ctx.engine.findOrder(acct, { clientOrderId: orderId });
        if (o !== undefined && o.market === m.id) return ok({ order: state.orderBody(o) });
      }
      return error(404, 3000, 'Order not found');
    }
    case 'POST /analytics/v1/whitelist': {
      const parsed = jsonObjectBody(req);
      if (!parsed.ok) return parsed.response;
      const body = parsed.body;
      const acct = typeof body.tradeAccount === 'string' ? body.tradeAccount : '';
      if (!HEX32.test(acct.toLowerCase())) return error(400, 1001, 'Invalid request');
      const already = state.whitelisted.has(acct.toLowerCase());
      state.whitelisted.add(acct.toLowerCase());
      return ok({ success: true, tradeAccount: acct, alreadyWhitelisted: already });
    }
    case 'PUT /v1/session':
      return createSession(state, req);
    case 'POST /v1/accounts/withdraw':
      return withdraw(state, req);
    case 'POST /v1/session/actions':
      return sessionActions(state, req);
    default:
      return error(404, 1001, `Unknown endpoint ${req.method} ${req.path}`);
  }
}

function summary(state: O2SimState, m: SimMarketSpec): object {
  const trades = state.ctx.engine.market(m.id).trades;
  let high = 0n;
  let low = 0n;
  let volume = 0n;
  for (const t of trades) {
    if (high === 0n || t.price > high) high = t.price;
    if (low === 0n || t.price < low) low = t.price;
    volume += t.quantity;
  }
  const first = trades[0]?.price ?? 0n;
  const last = trades[trades.length - 1]?.price ?? 0n;
  return [
    {
      market_id: m.id,
      high_price: high.toString(),
      low_price: low.toString(),
      last_price: last.toString(),
      volume_24h: volume.toString(),
      change_24h: (last - first).toString(),
    },
  ];
}

function ticker(state: O2SimState, m: SimMarketSpec): object {
  const book = state.ctx.engine.market(m.id);
  const trades = book.trades;
  let high = 0n;
  let low = 0n;
  let base = 0n;
  let quote = 0n;
  for (const t of trades) {
    if (high === 0n || t.price > high) high = t.price;
    if (low === 0n || t.price < low) low = t.price;
    base += t.quantity;
    quote += t.quoteQuantity;
  }
  const open = trades[0]?.price ?? 0n;
  const last = trades[trades.length - 1]?.price ?? 0n;
  const change = last - open;
  // Percentage with two decimals, computed on integers.
  const pct = open === 0n ? '0.00' : formatScaled((change * 10000n) / open, 2, 2);
  return [
    {
      ask: (book.asks.best()?.price ?? 0n).toString(),
      ask_volume: (book.asks.best()?.total ?? 0n).toString(),
      average: ((open + last) / 2n).toString(),
      base_volume: base.toString(),
      bid: (book.bids.best()?.price ?? 0n).toString(),
      bid_volume: (book.bids.best()?.total ?? 0n).toString(),
      change: change.toString(),
      close: last.toString(),
      high: high.toString(),
      last: last.toString(),
      low: low.toString(),
      open: open.toString(),
      percentage: pct,
      previous_close: open.toString(),
      quote_volume: quote.toString(),
      timestamp: String(state.ctx.now()),
    },
  ];
}

/** The bucket of `price` at `precision`: bids round down, asks round up (never crossing). */
export function depthBucket(price: bigint, precision: bigint, isBid: boolean): bigint {
  const r = price % precision;
  if (r === 0n) return price;
  return isBid ? price - r : price - r + precision;
}

/** Levels grouped by `precision` (chain-price buckets): bids floor, asks ceil. */
export function groupedLevels(
  levels: readonly { price: bigint; total: bigint }[],
  precision: bigint,
  isBid: boolean,
  limit = Number.POSITIVE_INFINITY,
): { price: string; quantity: string }[] {
  const out: { price: bigint; quantity: bigint }[] = [];
  for (const l of levels) {
    const bucket = depthBucket(l.price, precision, isBid);
    const lastLevel = out[out.length - 1];
    if (lastLevel !== undefined && lastLevel.price === bucket) lastLevel.quantity += l.total;
    else {
      if (out.length >= limit) break;
      out.push({ price: bucket, quantity: l.total });
    }
  }
  return out.map((l) => ({ price: l.price.toString(), quantity: l.quantity.toString() }));
}

/** Parses a wire precision (`"10"`, `10`): a power of ten from 1 to 10^18; undefined when invalid. */
export function parsePrecision(v: unknown): bigint | undefined {
  const n = u64(v ?? '10');
  if (n === undefined || n < 1n) return undefined;
  let p = n;
  while (p % 10n === 0n) p /= 10n;
  return p === 1n ? n : undefined;
}

function depth(state: O2SimState, q: URLSearchParams): SimResponse {
  const m = state.market(q.get('market_id'));
  if (m === undefined) return error(404, 2000, 'Market not found');
  const precision = parsePrecision(q.get('precision') ?? '10');
  if (precision === undefined) return error(400, 1001, 'Invalid precision');
  const limit = q.get('limit') === null ? Number.POSITIVE_INFINITY : Number(q.get('limit'));
  const book = state.ctx.engine.market(m.id);
  return ok({
    action: 'depth',
    market_id: m.id,
    orders: {
      buys: groupedLevels(book.bids.levels(), precision, true, limit),
      sells: groupedLevels(book.asks.levels(), precision, false, limit),
    },
  });
}

function tradeBody(t: {
  id: number;
  price: bigint;
  quantity: bigint;
  quoteQuantity: bigint;
  takerSide: 'buy' | 'sell';
  time: number;
  makerAccount?: string;
  takerAccount?: string;
}): object {
  return {
    trade_id: String(t.id),
    side: t.takerSide === 'buy' ? 'sell' : 'buy',
    price: t.price.toString(),
    quantity: t.quantity.toString(),
    total: t.quoteQuantity.toString(),
    timestamp: t.time,
    ...(t.makerAccount !== undefined ? { maker: { ContractId: t.makerAccount } } : {}),
    ...(t.takerAccount !== undefined ? { taker: { ContractId: t.takerAccount } } : {}),
  };
}

export { tradeBody };

function trades(state: O2SimState, q: URLSearchParams, byAccount = false): SimResponse {
  const m = state.market(q.get('market_id'));
  if (m === undefined) return error(404, 2000, 'Market not found');
  const count = Number(q.get('count') ?? '50');
  if (!Number.isInteger(count) || count < 1 || count > 50)
    return error(400, 5001, 'Invalid trade count');
  const direction = q.get('direction') ?? 'desc';
  let list = state.ctx.engine.market(m.id).trades.slice();
  const contract = (q.get('contract') ?? q.get('account'))?.toLowerCase();
  if (contract !== undefined)
    list = list.filter((t) => t.makerAccount === contract || t.takerAccount === contract);
  if (direction === 'desc') list.reverse();
  const side = (t: (typeof list)[number]): string =>
    t.makerAccount === contract && t.takerAccount === contract
      ? 'both'
      : t.makerAccount === contract
        ? 'maker'
        : 'taker';
  return ok({
    trades: list
      .slice(0, count)
      .map((t) => (byAccount ? { ...tradeBody(t), trader_side: side(t) } : tradeBody(t))),
    market_id: m.id,
  });
}

const resolutions: Readonly<Record<string, number>> = {
  '1s': 1000,
  '1m': 60_000,
  '2m': 120_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
  '1w': 604_800_000,
  '1M': 2_592_000_000,
  '3M': 7_776_000_000,
};

function bars(state: O2SimState, q: URLSearchParams): SimResponse {
  const m = state.market(q.get('market_id'));
  if (m === undefined) return error(404, 2000, 'Market not found');
  const ms = resolutions[q.get('resolution') ?? ''];
  if (ms === undefined) return error(400, 7001, 'Invalid time range');
  const from = Number(q.get('from') ?? '0');
  const to = Number(q.get('to') ?? String(Number.MAX_SAFE_INTEGER));
  const out: {
    timestamp: number;
    open: bigint;
    high: bigint;
    low: bigint;
    close: bigint;
    buy: bigint;
    sell: bigint;
  }[] = [];
  for (const t of state.ctx.engine.market(m.id).trades) {
    if (t.time < from || t.time > to) continue;
    const ts = t.time - (t.time % ms);
    let bar = out[out.length - 1];
    if (bar === undefined || bar.timestamp !== ts) {
      bar = {
        timestamp: ts,
        open: t.price,
        high: t.price,
        low: t.price,
        close: t.price,
        buy: 0n,
        sell: 0n,
      };
      out.push(bar);
    }
    if (t.price > bar.high) bar.high = t.price;
    if (t.price < bar.low) bar.low = t.price;
    bar.close = t.price;
    if (t.takerSide === 'buy') bar.buy += t.quantity;
    else bar.sell += t.quantity;
  }
  return ok({
    action: 'bars',
    bars: out.map((b) => ({
      open: b.open.toString(),
      high: b.high.toString(),
      low: b.low.toString(),
      close: b.close.toString(),
      buy_volume: b.buy.toString(),
      sell_volume: b.sell.toString(),
      timestamp: b.timestamp,
    })),
    market_id: m.id,
  });
}

function account(state: O2SimState, q: URLSearchParams): SimResponse {
  const engine = state.ctx.engine;
  let id: string | undefined;
  const owner = q.get('owner')?.toLowerCase();
  const tradeAccountId = q.get('trade_account_id')?.toLowerCase();
  if (owner !== undefined) id = state.accountByOwner.get(owner);
  else if (tradeAccountId !== undefined)
    id = state.ownerByAccount.has(tradeAccountId) ? tradeAccountId : undefined;
  else return error(400, 1001, 'Invalid request: pass owner, owner_contract or trade_account_id');
  if (id === undefined) return ok({ trade_account_id: null, trade_account: null, session: null });
  const session = state.sessions.get(id);
  return ok({
    trade_account_id: id,
    trade_account: {
      last_modification: 0,
      nonce: Number(engine.nonce(id)),
      owner: { Address: state.ownerByAccount.get(id) },
      synced_with_network: true,
    },
    session:
      session === undefined
        ? null
        : {
            session_id: { Address: session.sessionId },
            contract_ids: session.contractIds,
            expiry: session.expiry.toString(),
          },
  });
}

function ownerCheck(
  state: O2SimState,
  req: SimRequest,
  tradeAccountId: string,
  limit: { key: string; limit: number; intervalMs: number } = {
    key: req.path,
    limit: state.sessionRps,
    intervalMs: 1000,
  },
): SimResponse | string {
  const header = req.headers['o2-owner-id'];
  const owner = (Array.isArray(header) ? header[0] : header)?.toLowerCase();
  if (owner === undefined || !HEX32.test(owner))
    return error(400, 1001, 'Missing O2-Owner-Id header');
  if (state.ownerByAccount.get(tradeAccountId) !== owner)
    return error(404, 4002, 'Account not found');
  const n = state.ctx.countInWindow(`o2:${owner}:${limit.key}`, limit.intervalMs, 1);
  if (n > limit.limit) {
    state.ctx.stats.violation('o2RateLimit');
    const retryAfter = state.rateLimitRetryAfterSeconds;
    return {
      status: state.rateLimitStatus,
      ...(retryAfter === null ? {} : { headers: { 'Retry-After': String(retryAfter) } }),
      body: { code: 1003, message: 'Rate limit exceeded' },
    };
  }
  return owner;
}

function createSession(state: O2SimState, req: SimRequest): SimResponse {
  const parsed = jsonObjectBody(req);
  if (!parsed.ok) return parsed.response;
  const body = parsed.body;
  const tradeAccountId = typeof body.contract_id === 'string' ? body.contract_id.toLowerCase() : '';
  const owner = ownerCheck(state, req, tradeAccountId);
  if (typeof owner !== 'string') return owner;
  const sessionId = isRecord(body.session_id) ? body.session_id.Address : undefined;
  const signature = isRecord(body.signature) ? body.signature.Secp256k1 : undefined;
  const nonce = u64(body.nonce);
  const expiry = u64(body.expiry);
  const contractIds = Array.isArray(body.contract_ids) ? body.contract_ids : undefined;
  if (
    typeof sessionId !== 'string' ||
    !HEX32.test(sessionId.toLowerCase()) ||
    typeof signature !== 'string' ||
    nonce === undefined ||
    expiry === undefined ||
    contractIds === undefined ||
    contractIds.some((c) => typeof c !== 'string' || !HEX32.test(c.toLowerCase()))
  ) {
    return error(400, 1001, 'Invalid request');
  }
  const ids = (contractIds as string[]).map((c) => c.toLowerCase() as Hex);
  if (ids.length === 0) return revert('SessionError::NoApprovedContractIdsProvided');
  const bytes = buildSessionSigningBytes({
    nonce,
    chainId: state.chainId,
    sessionId: sessionId.toLowerCase() as Hex,
    expiry,
    contractIds: ids,
  });
  if (!signedByOwner(bytes, signature, owner)) {
    return error(400, 4000, 'Signature verification failed');
  }
  const engine = state.ctx.engine;
  if (nonce !== engine.nonce(tradeAccountId)) return revert('NonceError::InvalidNonce');
  if (expiry * 1000n <= BigInt(state.ctx.now())) {
    engine.bumpNonce(tradeAccountId);
    return revert('SessionError::SessionInThePast');
  }
  state.sessions.set(tradeAccountId, {
    sessionId: sessionId.toLowerCase(),
    contractIds: ids,
    expiry,
  });
  engine.bumpNonce(tradeAccountId);
  return ok({
    tx_id: state.nextId('tx'),
    trade_account_id: tradeAccountId,
    contract_ids: ids,
    session_id: { Address: sessionId.toLowerCase() },
    session_expiry: expiry.toString(),
  });
}

interface PlannedAction {
  readonly market: SimMarketSpec;
  readonly action: Record<string, unknown>;
}

function sessionActions(state: O2SimState, req: SimRequest): SimResponse {
  const parsed = jsonObjectBody(req);
  if (!parsed.ok) return parsed.response;
  const body = parsed.body;
  const tradeAccountId =
    typeof body.trade_account_id === 'string' ? body.trade_account_id.toLowerCase() : '';
  const owner = ownerCheck(state, req, tradeAccountId);
  if (typeof owner !== 'string') return owner;
  const pre = (code: number, message: string): SimResponse =>
    error(state.preflightStatus, code, message);
  const groups = Array.isArray(body.actions) ? body.actions : [];
  const planned: PlannedAction[] = [];
  for (const g of groups) {
    if (!isRecord(g) || !Array.isArray(g.actions)) return error(400, 1001, 'Invalid request');
    const m = state.market(typeof g.market_id === 'string' ? g.market_id : undefined);
    if (m === undefined) return pre(2000, 'Market not found');
    for (const a of g.actions) {
      if (!isRecord(a)) return error(400, 1001, 'Invalid request');
      planned.push({ market: m, action: a });
    }
  }
  if (planned.length === 0) return pre(7003, 'No actions provided');
  if (planned.length > 5 || groups.length > 5) return pre(7004, 'Too many actions');
  const session = state.sessions.get(tradeAccountId);
  const sessionId = isRecord(body.session_id) ? body.session_id.Address : undefined;
  if (
    session === undefined ||
    typeof sessionId !== 'string' ||
    sessionId.toLowerCase() !== session.sessionId ||
    session.expiry * 1000n <= BigInt(state.ctx.now())
  ) {
    return pre(4001, 'Invalid session');
  }
  const nonce = u64(body.nonce);
  const signature = isRecord(body.signature) ? body.signature.Secp256k1 : undefined;
  if (nonce === undefined || typeof signature !== 'string')
    return error(400, 1001, 'Invalid request');
  let calls: ContractCall[];
  try {
    calls = planned.map((p) =>
      actionToCall(
        p.action,
        {
          contractId: state.contractId(p.market) as Hex,
          baseAssetId: (p.market.base.id ?? '') as Hex,
          quoteAssetId: (p.market.quote.id ?? '') as Hex,
          baseDecimals: p.market.base.decimals,
        },
        state.accountsRegistryId as Hex,
      ),
    );
  } catch (e) {
    return error(400, 1001, `Invalid request: ${e instanceof Error ? e.message : String(e)}`);
  }
  const digest = sha256(buildActionsSigningBytes(nonce, calls));
  if (!signedBy({ fuel: digest }, signature, session.sessionId))
    return pre(4000, 'Signature verification failed');
  const engine = state.ctx.engine;
  if (nonce !== engine.nonce(tradeAccountId)) return revert('NonceError::InvalidNonce');
  for (const p of planned) {
    if (p.action.CreateOrder === undefined && p.action.CancelOrder === undefined) continue;
    if (!session.contractIds.includes(state.contractId(p.market))) {
      engine.bumpNonce(tradeAccountId);
      return revert('SignerError::InvalidSigner');
    }
  }
  // Validate every action against the current state first: a batch reverts as a whole.
  const orders: SimPlaceOrder[] = [];
  for (const p of planned) {
    const reason = validate(state, tradeAccountId, p, orders);
    if (reason !== undefined) {
      engine.bumpNonce(tradeAccountId);
      return revert(reason);
    }
  }
  const txId = state.nextId('tx');
  const touched: string[] = [];
  let next = 0;
  for (const p of planned) {
    const cancel = p.action.CancelOrder;
    if (isRecord(cancel)) {
      const o = engine.cancelOrder(tradeAccountId, p.market.id, {
        clientOrderId: String(cancel.order_id).toLowerCase(),
      });
      if (o !== undefined) touched.push(o.clientOrderId);
      continue;
    }
    if (isRecord(p.action.CreateOrder)) {
      const input = orders[next++] as SimPlaceOrder;
      if (input.clientOrderId !== undefined) state.orderTx.set(input.clientOrderId, txId);
      const result = engine.placeOrder(input);
      if (result.ok) touched.push(result.order.clientOrderId);
    }
  }
  engine.bumpNonce(tradeAccountId);
  const collect = body.collect_orders === true;
  const out: object = { tx_id: txId };
  if (!collect) return ok(out);
  const collected = touched
    .map((id) => engine.findOrder(tradeAccountId, { clientOrderId: id }))
    .filter((o) => o !== undefined)
    .map((o) => state.orderBody(o));
  return ok({ ...out, orders: collected });
}

/** Checks one action; pushes the engine order a CreateOrder will place. Returns a revert reason. */
function validate(
  state: O2SimState,
  account: string,
  p: PlannedAction,
  orders: SimPlaceOrder[],
): string | undefined {
  const engine = state.ctx.engine;
  const m = p.market;
  const cancel = p.action.CancelOrder;
  if (isRecord(cancel)) {
    const o = engine.findOrder(account, { clientOrderId: String(cancel.order_id).toLowerCase() });
    if (o === undefined) return 'OrderCancelError::NotOrderOwner';
    if (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED')
      return 'OrderCancelError::OrderNotActive';
    return undefined;
  }
  const create = p.action.CreateOrder;
  if (!isRecord(create)) return undefined;
  const price = u64(create.price);
  const quantity = u64(create.quantity);
  const side = typeof create.side === 'string' ? create.side.toLowerCase() : '';
  if (
    price === undefined ||
    quantity === undefined ||
    quantity === 0n ||
    (side !== 'buy' && side !== 'sell')
  ) {
    return 'OrderCreationError::InvalidOrderArgs';
  }
  const priceStep = 10n ** BigInt(m.quote.decimals - state.maxPrecision(m, 'quote'));
  const qtyStep = 10n ** BigInt(m.base.decimals - state.maxPrecision(m, 'base'));
  if (price % priceStep !== 0n) return 'OrderCreationError::PricePrecision';
  if (quantity % qtyStep !== 0n) return 'OrderCreationError::InvalidOrderArgs';
  const t = create.order_type;
  let input: SimPlaceOrder;
  const common = {
    account,
    market: m.id,
    side: side as 'buy' | 'sell',
    quantity,
    clientOrderId: state.nextId('order'),
  };
  if (t === 'Spot' || (isRecord(t) && Array.isArray(t.Limit))) {
    input = { ...common, type: 'limit', price, timeInForce: 'GTC' };
  } else if (t === 'PostOnly') {
    input = { ...common, type: 'limit', price, timeInForce: 'GTC', postOnly: true };
  } else if (t === 'FillOrKill') {
    input = { ...common, type: 'limit', price, timeInForce: 'FOK' };
  } else if (t === 'Market') {
    input = { ...common, type: 'market' };
  } else if (isRecord(t) && isRecord(t.BoundedMarket)) {
    const bound = u64(side === 'buy' ? t.BoundedMarket.max_price : t.BoundedMarket.min_price);
    if (bound === undefined) return 'OrderCreationError::InvalidMarketOrderArgs';
    input = { ...common, type: 'market', price: bound };
  } else {
    return 'OrderCreationError::InvalidOrderArgs';
  }
  if ((price * quantity) % 10n ** BigInt(m.base.decimals) !== 0n)
    return 'OrderCreationError::FractionalPrice';
  const book = engine.market(m.id);
  const opposite = side === 'buy' ? book.asks : book.bids;
  const best = opposite.best();
  const crosses =
    best !== undefined && (side === 'buy' ? best.price <= price : best.price >= price);
  if (input.postOnly === true && crosses) return 'OrderCreationError::OrderPartiallyFilled';
  if (input.timeInForce === 'FOK') {
    let available = 0n;
    for (const l of opposite.levels()) {
      if (side === 'buy' ? l.price > price : l.price < price) break;
      available += l.total;
    }
    if (available < quantity) return 'OrderCreationError::OrderNotFilled';
  }
  const balances = engine.balances(account);
  const free = (sym: string): bigint => balances.find((b) => b.asset === sym)?.free ?? 0n;
  if (
    side === 'buy'
      ? free(m.quote.symbol) < engine.quoteAmount(m, price, quantity)
      : free(m.base.symbol) < quantity
  ) {
    return 'OrderCreationError::InvalidInputAmount';
  }
  state.orderTypes.set(common.clientOrderId, t);
  orders.push(input);
  return undefined;
}

function withdraw(state: O2SimState, req: SimRequest): SimResponse {
  const parsed = jsonObjectBody(req);
  if (!parsed.ok) return parsed.response;
  const body = parsed.body;
  const tradeAccountId =
    typeof body.trade_account_id === 'string' ? body.trade_account_id.toLowerCase() : '';
  const owner = ownerCheck(state, req, tradeAccountId, {
    key: 'withdraw',
    limit: 10,
    intervalMs: 60_000,
  });
  if (typeof owner !== 'string') return owner;
  const signature = isRecord(body.signature) ? body.signature.Secp256k1 : undefined;
  const nonce = u64(body.nonce);
  const amount =
    typeof body.amount === 'string' && /^\d+$/.test(body.amount) ? BigInt(body.amount) : undefined;
  const to = isRecord(body.to) ? body.to : undefined;
  const kind =
    to?.Address !== undefined ? 'Address' : to?.ContractId !== undefined ? 'ContractId' : undefined;
  const toId = kind === undefined ? undefined : to?.[kind];
  const assetId = typeof body.asset_id === 'string' ? body.asset_id.toLowerCase() : '';
  if (
    typeof signature !== 'string' ||
    nonce === undefined ||
    amount === undefined ||
    kind === undefined ||
    typeof toId !== 'string' ||
    !HEX32.test(toId.toLowerCase()) ||
    !HEX32.test(assetId)
  ) {
    return error(400, 1001, 'Invalid request');
  }
  const bytes = buildWithdrawSigningBytes({
    nonce,
    chainId: state.chainId,
    to: { kind, id: toId.toLowerCase() as Hex },
    assetId: assetId as Hex,
    amount,
  });
  if (!signedByOwner(bytes, signature, owner)) {
    return error(400, 4000, 'Signature verification failed');
  }
  const engine = state.ctx.engine;
  if (nonce !== engine.nonce(tradeAccountId)) return revert('NonceError::InvalidNonce');
  const symbol = state.assetSymbol(assetId);
  let reason: string | undefined;
  if (amount === 0n) reason = 'WithdrawError::AmountIsZero';
  else if (symbol === undefined || !engine.withdraw(tradeAccountId, symbol, amount)) {
    reason = 'WithdrawError::NotEnoughBalance';
  }
  engine.bumpNonce(tradeAccountId);
  if (reason !== undefined) return revert(reason);
  return ok({ tx_id: state.nextId('tx') });
}
