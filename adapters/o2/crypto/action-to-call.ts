import { createError } from '../../../src/errors/index.js';
import { concatBytes, encodeIdentity, U64_MAX, u64 } from './encoding.js';
import { bytesToHex, type Hex, toBytes32 } from './hex.js';
import type { ContractCall } from './signing-bytes.js';

/**
 * What `actionToCall` needs to know about a market.
 *
 * @example
 * const market: SigningMarket = { contractId: m.contract_id, baseAssetId: m.base.asset, quoteAssetId: m.quote.asset, baseDecimals: m.base.decimals };
 */
export interface SigningMarket {
  /** The order-book contract id (`market.contract_id`, not `market_id`). */
  readonly contractId: Hex;
  readonly baseAssetId: Hex;
  readonly quoteAssetId: Hex;
  /** Decimals of the base asset (`market.base.decimals`). */
  readonly baseDecimals: number;
}

const ZERO_ASSET = bytesToHex(new Uint8Array(32));

const ORDER_TYPE_TAG = { Spot: 1n, FillOrKill: 2n, PostOnly: 3n, Market: 4n } as const;

/**
 * Turns one wire action (`{"CreateOrder":{…}}`, `{"CancelOrder":{…}}`, `{"SettleBalance":{…}}`
 * or `{"RegisterReferer":{…}}`) into the contract call that is signed for it. A buy forwards
 * `price × quantity / 10^baseDecimals` of the quote asset; a sell forwards `quantity` of the
 * base asset. `RegisterReferer` calls `accountsRegistryId`, which is then required.
 * Throws `INVALID_ARGUMENT` naming the offending field.
 *
 * @example
 * const call = actionToCall(
 *   { CreateOrder: { side: 'Buy', price: '20000000', quantity: '100000000000', order_type: 'Spot' } },
 *   market,
 * );
 * call.amount; // 2000000000n (quote units locked by the buy)
 */
export function actionToCall(
  action: unknown,
  market: SigningMarket,
  accountsRegistryId?: Hex,
): ContractCall {
  const entries = isRecord(action) ? Object.entries(action) : [];
  const [entry] = entries;
  if (entry === undefined || entries.length !== 1) {
    throw invalid('action', 'expected an object with exactly one action variant');
  }
  const [variant, body] = entry;
  const base = `action.${variant}`;
  if (!isRecord(body)) throw invalid(base, 'expected an object');
  switch (variant) {
    case 'CreateOrder':
      return createOrderCall(body, market, base);
    case 'CancelOrder':
      return {
        contractId: market.contractId,
        selector: 'cancel_order',
        amount: 0n,
        assetId: ZERO_ASSET,
        gas: U64_MAX,
        callData: toBytes32(stringField(body, 'order_id', base), `${base}.order_id`),
      };
    case 'SettleBalance':
      return {
        contractId: market.contractId,
        selector: 'settle_balance',
        amount: 0n,
        assetId: ZERO_ASSET,
        gas: U64_MAX,
        callData: identityBytes(body['to'], `${base}.to`),
      };
    case 'RegisterReferer': {
      if (accountsRegistryId === undefined) {
        throw invalid('accountsRegistryId', 'RegisterReferer needs the accounts registry id');
      }
      // The SDKs send `to`; the docs write `referer`. Accept either.
      const key = body['to'] !== undefined ? 'to' : 'referer';
      return {
        contractId: bytesToHex(toBytes32(accountsRegistryId, 'accountsRegistryId')),
        selector: 'register_referer',
        amount: 0n,
        assetId: ZERO_ASSET,
        gas: U64_MAX,
        callData: identityBytes(body[key], `${base}.${key}`),
      };
    }
    default:
      throw invalid('action', `unknown action variant "${variant}"`);
  }
}

function createOrderCall(
  body: Record<string, unknown>,
  market: SigningMarket,
  base: string,
): ContractCall {
  const sideRaw = body['side'];
  const side = typeof sideRaw === 'string' ? sideRaw.toLowerCase() : '';
  if (side !== 'buy' && side !== 'sell') throw invalid(`${base}.side`, 'expected Buy or Sell');
  const price = u64Value(body['price'], `${base}.price`);
  const quantity = u64Value(body['quantity'], `${base}.quantity`);
  const orderType = encodeOrderType(body['order_type'], `${base}.order_type`);
  if (!Number.isInteger(market.baseDecimals) || market.baseDecimals < 0) {
    throw invalid('market.baseDecimals', 'expected a non-negative integer');
  }
  const amount =
    side === 'buy' ? (price * quantity) / 10n ** BigInt(market.baseDecimals) : quantity;
  if (amount > U64_MAX) {
    throw invalid(`${base}`, 'price × quantity / 10^baseDecimals exceeds u64');
  }
  return {
    contractId: market.contractId,
    selector: 'create_order',
    amount,
    assetId: side === 'buy' ? market.quoteAssetId : market.baseAssetId,
    gas: U64_MAX,
    callData: concatBytes([u64(price), u64(quantity), orderType]),
  };
}

function encodeOrderType(value: unknown, field: string): Uint8Array {
  if (typeof value === 'string') {
    const tag = (ORDER_TYPE_TAG as Record<string, bigint | undefined>)[value];
    if (tag === undefined) throw invalid(field, `unknown order type "${value}"`);
    return u64(tag);
  }
  if (isRecord(value)) {
    const limit = value['Limit'];
    if (limit !== undefined) {
      if (!Array.isArray(limit) || limit.length !== 2) {
        throw invalid(`${field}.Limit`, 'expected [price, timestamp]');
      }
      return concatBytes([
        u64(0n),
        u64(u64Value(limit[0], `${field}.Limit.0`)),
        u64(u64Value(limit[1], `${field}.Limit.1`)),
      ]);
    }
    const bounded = value['BoundedMarket'];
    if (isRecord(bounded)) {
      return concatBytes([
        u64(5n),
        u64(u64Value(bounded['max_price'], `${field}.BoundedMarket.max_price`)),
        u64(u64Value(bounded['min_price'], `${field}.BoundedMarket.min_price`)),
      ]);
    }
  }
  throw invalid(field, 'expected Spot, Market, FillOrKill, PostOnly, {Limit} or {BoundedMarket}');
}

function identityBytes(value: unknown, field: string): Uint8Array {
  if (isRecord(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Address' || keys[0] === 'ContractId')) {
      const kind = keys[0];
      const id = value[kind];
      if (typeof id === 'string') return encodeIdentity(kind, toBytes32(id, `${field}.${kind}`));
    }
  }
  throw invalid(field, 'expected an Identity {"Address": "0x…"} or {"ContractId": "0x…"}');
}

/** A u64 given as a decimal string, a bigint or a safe non-negative JSON integer. */
function u64Value(value: unknown, field: string): bigint {
  let out: bigint | undefined;
  if (typeof value === 'bigint') out = value;
  else if (typeof value === 'string' && /^\d{1,20}$/.test(value)) out = BigInt(value);
  else if (typeof value === 'number' && Number.isSafeInteger(value)) out = BigInt(value);
  if (out === undefined || out < 0n || out > U64_MAX) {
    throw invalid(field, 'expected a u64 (decimal string or safe integer)');
  }
  return out;
}

function stringField(body: Record<string, unknown>, key: string, base: string): string {
  const v = body[key];
  if (typeof v !== 'string') throw invalid(`${base}.${key}`, 'expected a 0x hex string');
  return v;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(field: string, problem: string): Error {
  return createError('INVALID_ARGUMENT', `o2 ${field}: ${problem}`, {
    context: { argument: field, exchange: 'o2' },
  });
}
