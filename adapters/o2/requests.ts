import { createError } from '../../src/errors/index.js';
import {
  actionToCall,
  buildActionsSigningBytes,
  buildSessionSigningBytes,
  buildWithdrawSigningBytes,
  type Hex,
  type O2Wallet,
  type SessionKey,
  type SigningMarket,
} from './crypto/index.js';
import {
  O2_MAX_ACTIONS,
  type O2ClientFrame,
  type O2SessionActionsRequest,
  type O2SessionRequest,
  type O2WireAction,
  type O2WireOrderType,
  type O2WithdrawRequest,
} from './schemas/requests.js';

/**
 * Builders for what the client sends: signed request bodies (session creation, session
 * actions, withdraw) and socket frames. Signing uses the exact byte layouts of
 * `./crypto`; the bodies match the request schemas.
 */

function invalid(argument: string, message: string): Error {
  return createError('INVALID_ARGUMENT', `o2 ${argument}: ${message}`, {
    context: { argument, exchange: 'o2' },
  });
}

function lower(id: Hex): Hex {
  return id.toLowerCase() as Hex;
}

/**
 * The wire `precision` string for a depth level: `10^level` (level 1 = finest).
 *
 * @example
 * o2DepthPrecision(1); // '10'
 */
export function o2DepthPrecision(level: number): string {
  if (!Number.isInteger(level) || level < 1 || level > 18) {
    throw invalid('precision', `expected a level from 1 to 18, got ${level}`);
  }
  // Built as text: 10 ** 18 is not exact as a JS number.
  return `1${'0'.repeat(level)}`;
}

function identityList(ids: readonly { ContractId: Hex }[]): { ContractId: string }[] {
  if (ids.length === 0 || ids.length > 10) {
    throw invalid('identities', `expected 1 to 10 identities per request, got ${ids.length}`);
  }
  return ids.map((i) => ({ ContractId: i.ContractId.toLowerCase() }));
}

/**
 * Socket frame builders. Account streams are keyed by the trading-account contract id.
 *
 * @example
 * ws.send(JSON.stringify(o2Frames.subscribeDepth(marketId, 1)));
 */
export const o2Frames = {
  subscribeDepth: (marketId: Hex, level = 1): O2ClientFrame => ({
    action: 'subscribe_depth',
    market_id: lower(marketId),
    precision: o2DepthPrecision(level),
  }),
  unsubscribeDepth: (marketId: Hex): O2ClientFrame => ({
    action: 'unsubscribe_depth',
    market_id: lower(marketId),
  }),
  subscribeTrades: (marketId: Hex): O2ClientFrame => ({
    action: 'subscribe_trades',
    market_id: lower(marketId),
  }),
  unsubscribeTrades: (marketId: Hex): O2ClientFrame => ({
    action: 'unsubscribe_trades',
    market_id: lower(marketId),
  }),
  subscribeOrders: (accounts: readonly Hex[]): O2ClientFrame => ({
    action: 'subscribe_orders',
    identities: identityList(accounts.map((a) => ({ ContractId: a }))),
  }),
  /** Connection-global on the server: removes every order subscription of the socket. */
  unsubscribeOrders: (): O2ClientFrame => ({ action: 'unsubscribe_orders' }),
  subscribeBalances: (accounts: readonly Hex[]): O2ClientFrame => ({
    action: 'subscribe_balances',
    identities: identityList(accounts.map((a) => ({ ContractId: a }))),
  }),
  unsubscribeBalances: (accounts: readonly Hex[]): O2ClientFrame => ({
    action: 'unsubscribe_balances',
    identities: identityList(accounts.map((a) => ({ ContractId: a }))),
  }),
  subscribeNonce: (accounts: readonly Hex[]): O2ClientFrame => ({
    action: 'subscribe_nonce',
    identities: identityList(accounts.map((a) => ({ ContractId: a }))),
  }),
  unsubscribeNonce: (accounts: readonly Hex[]): O2ClientFrame => ({
    action: 'unsubscribe_nonce',
    identities: identityList(accounts.map((a) => ({ ContractId: a }))),
  }),
} as const;

/** Parameters of {@link o2CreateOrderAction}. */
export interface O2CreateOrderParams {
  readonly side: 'buy' | 'sell';
  /** Price in quote chain units (see `scaleO2Price`). */
  readonly price: bigint;
  /** Quantity in base chain units (see `scaleO2Quantity`). */
  readonly quantity: bigint;
  /** Default: `'Spot'`. `Limit` timestamps are Unix seconds. */
  readonly orderType?:
    | 'Spot'
    | 'Market'
    | 'FillOrKill'
    | 'PostOnly'
    | { readonly Limit: readonly [bigint, bigint] }
    | { readonly BoundedMarket: { readonly maxPrice: bigint; readonly minPrice: bigint } };
}

/**
 * A `CreateOrder` action in wire form (capitalised side, decimal-string integers).
 *
 * @example
 * o2CreateOrderAction({ side: 'buy', price: 20_000_000n, quantity: 100_000_000_000n });
 * // { CreateOrder: { side: 'Buy', price: '20000000', quantity: '100000000000', order_type: 'Spot' } }
 */
export function o2CreateOrderAction(p: O2CreateOrderParams): O2WireAction {
  const t = p.orderType ?? 'Spot';
  let orderType: O2WireOrderType;
  if (typeof t === 'string') orderType = t;
  else if ('Limit' in t) orderType = { Limit: [String(t.Limit[0]), String(t.Limit[1])] };
  else {
    orderType = {
      BoundedMarket: {
        max_price: String(t.BoundedMarket.maxPrice),
        min_price: String(t.BoundedMarket.minPrice),
      },
    };
  }
  return {
    CreateOrder: {
      side: p.side === 'buy' ? 'Buy' : 'Sell',
      price: String(p.price),
      quantity: String(p.quantity),
      order_type: orderType,
    },
  };
}

/**
 * A `CancelOrder` action.
 *
 * @example
 * o2CancelOrderAction('0x…');
 */
export function o2CancelOrderAction(orderId: Hex): O2WireAction {
  return { CancelOrder: { order_id: lower(orderId) } };
}

/**
 * A `SettleBalance` action moving a book's proceeds back to the trading account.
 *
 * @example
 * o2SettleBalanceAction(tradeAccountId);
 */
export function o2SettleBalanceAction(tradeAccountId: Hex): O2WireAction {
  return { SettleBalance: { to: { ContractId: lower(tradeAccountId) } } };
}

/** Parameters of {@link createO2SessionRequest}. */
export interface O2SessionRequestParams {
  /** The owner wallet that signs (Fuel or EVM). */
  readonly owner: O2Wallet;
  readonly tradeAccountId: Hex;
  /** The new session's key (its address becomes `session_id`). */
  readonly sessionKey: SessionKey;
  /** Order-book contract ids (`market.contract_id`) the session may call. */
  readonly contractIds: readonly Hex[];
  /** The trading account's current nonce (session creation consumes it). */
  readonly nonce: bigint;
  readonly chainId: bigint;
  /** Unix seconds. */
  readonly expiry: bigint;
}

/**
 * The signed `PUT /v1/session` body; send it with header `O2-Owner-Id: owner.b256Address`.
 *
 * @example
 * const body = createO2SessionRequest({ owner, tradeAccountId, sessionKey, contractIds: [m.contract_id], nonce, chainId, expiry });
 */
export function createO2SessionRequest(p: O2SessionRequestParams): O2SessionRequest {
  if (p.contractIds.length === 0) {
    throw invalid('contractIds', 'a session needs at least one order-book contract id');
  }
  const contractIds = p.contractIds.map(lower);
  const bytes = buildSessionSigningBytes({
    nonce: p.nonce,
    chainId: p.chainId,
    sessionId: p.sessionKey.b256Address,
    expiry: p.expiry,
    contractIds,
  });
  return {
    contract_id: lower(p.tradeAccountId),
    session_id: { Address: p.sessionKey.b256Address },
    signature: { Secp256k1: p.owner.personalSign(bytes) },
    contract_ids: contractIds,
    nonce: String(p.nonce),
    expiry: String(p.expiry),
  };
}

/** One market's actions in a session-actions request. */
export interface O2ActionGroup {
  /** The market (`market_id`) plus what signing needs (order-book contract, assets, decimals). */
  readonly market: SigningMarket & { readonly marketId: Hex };
  readonly actions: readonly O2WireAction[];
}

/** Parameters of {@link createO2SessionActionsRequest}. */
export interface O2SessionActionsParams {
  readonly sessionKey: SessionKey;
  readonly tradeAccountId: Hex;
  /** The trading account's current nonce. */
  readonly nonce: bigint;
  /** At most 5 groups and 5 actions in total. */
  readonly groups: readonly O2ActionGroup[];
  /** Ask the server to return the resulting orders. Default: `false`. */
  readonly collectOrders?: boolean;
  /** Needed only for `RegisterReferer`. */
  readonly accountsRegistryId?: Hex;
}

/**
 * The signed `POST /v1/session/actions` body. Calls are signed in request order (groups in
 * order, actions in order). More than 5 actions or groups, or none, is `INVALID_ARGUMENT`
 * before anything is signed.
 *
 * @example
 * const body = createO2SessionActionsRequest({ sessionKey, tradeAccountId, nonce: 8n, groups: [{ market, actions: [o2CreateOrderAction(order)] }] });
 */
export function createO2SessionActionsRequest(p: O2SessionActionsParams): O2SessionActionsRequest {
  const total = p.groups.reduce((n, g) => n + g.actions.length, 0);
  if (p.groups.length === 0 || total === 0 || p.groups.some((g) => g.actions.length === 0)) {
    throw invalid('actions', 'a request needs at least one action in every market group');
  }
  if (p.groups.length > O2_MAX_ACTIONS || total > O2_MAX_ACTIONS) {
    throw invalid(
      'actions',
      `at most ${O2_MAX_ACTIONS} actions across at most ${O2_MAX_ACTIONS} markets per request, got ${total} in ${p.groups.length}`,
    );
  }
  const calls = p.groups.flatMap((g) =>
    g.actions.map((a) => actionToCall(a, g.market, p.accountsRegistryId)),
  );
  const signature = p.sessionKey.rawSign(buildActionsSigningBytes(p.nonce, calls));
  return {
    actions: p.groups.map((g) => ({
      market_id: lower(g.market.marketId),
      actions: [...g.actions],
    })),
    signature: { Secp256k1: signature },
    nonce: String(p.nonce),
    trade_account_id: lower(p.tradeAccountId),
    session_id: { Address: p.sessionKey.b256Address },
    ...(p.collectOrders === undefined ? {} : { collect_orders: p.collectOrders }),
  };
}

/** Parameters of {@link createO2WithdrawRequest}. */
export interface O2WithdrawParams {
  readonly owner: O2Wallet;
  readonly tradeAccountId: Hex;
  readonly nonce: bigint;
  readonly chainId: bigint;
  /** Recipient; default: the owner's own address. */
  readonly to?: { readonly kind: 'Address' | 'ContractId'; readonly id: Hex };
  readonly assetId: Hex;
  /** Chain units. */
  readonly amount: bigint;
}

/**
 * The signed `POST /v1/accounts/withdraw` body; send it with `O2-Owner-Id`.
 *
 * @example
 * const body = createO2WithdrawRequest({ owner, tradeAccountId, nonce, chainId, assetId, amount: 1_250_000_000n });
 */
export function createO2WithdrawRequest(p: O2WithdrawParams): O2WithdrawRequest {
  const to = p.to ?? { kind: 'Address' as const, id: p.owner.b256Address };
  const bytes = buildWithdrawSigningBytes({
    nonce: p.nonce,
    chainId: p.chainId,
    to,
    assetId: p.assetId,
    amount: p.amount,
  });
  return {
    trade_account_id: lower(p.tradeAccountId),
    signature: { Secp256k1: p.owner.personalSign(bytes) },
    nonce: String(p.nonce),
    to: to.kind === 'Address' ? { Address: lower(to.id) } : { ContractId: lower(to.id) },
    asset_id: lower(p.assetId),
    amount: String(p.amount),
  };
}
