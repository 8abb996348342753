import { sha256 } from '../crypto/index.js';
import type { SimContext, SimMarketSpec, SimOrder } from '../../../src/testing/index.js';
import { o2SimMarkets } from './markets.js';

/**
 * A pre-created O2 trading account: its owner's b256 address (Fuel, or the zero-padded
 * EVM form), optionally a fixed trade-account id, and its balances (asset symbol → chain
 * integer string).
 *
 * @example
 * const account: O2SimAccount = { owner: wallet.b256Address, balances: { fUSDC: '1000000000000' } };
 */
export interface O2SimAccount {
  readonly owner: string;
  readonly tradeAccountId?: string;
  readonly balances?: Readonly<Record<string, string>>;
}

/**
 * Options of the O2 personality.
 *
 * @example
 * createO2SimulatorProtocol({ inactivityTimeoutMs: 1000 });
 */
export interface O2SimulatorOptions {
  /** Markets. Default {@link o2SimMarkets}. */
  readonly markets?: readonly SimMarketSpec[];
  /** Accounts that exist from the start. Default none (create them with `POST /v1/accounts`). */
  readonly accounts?: readonly O2SimAccount[];
  /** Balances credited to every account (created or configured without balances). Default 1 000 000 fUSDC, 1 000 000 fFUEL, 1 000 fETH. */
  readonly defaultBalances?: Readonly<Record<string, string>>;
  /** Chain id signed into session and withdraw messages. Default 0. */
  readonly chainId?: bigint;
  /** Close a socket that received nothing for this long (ms). Default 60 000. */
  readonly inactivityTimeoutMs?: number;
  /** HTTP status of pre-flight rejections (4000, 7003, 7004) on `POST /v1/session/actions`: O2 sends 200 or 4xx. Default 400. */
  readonly preflightStatus?: number;
  /** Requests per second per owner on `PUT /v1/session` and `POST /v1/session/actions`. Default 5. */
  readonly sessionRequestsPerSecond?: number;
  /**
   * HTTP status of the per-owner rate-limit answers (body `code: 1003`): O2 may send 429,
   * 200 or 400 (the official TS SDK reads only the body code). Default 429.
   */
  readonly rateLimitStatus?: number;
  /** `Retry-After` of those answers, in seconds; `null` sends none. Default 1. */
  readonly rateLimitRetryAfterSeconds?: number | null;
}

/**
 * A session registered with `PUT /v1/session`.
 *
 * @example
 * const s: O2SimSession = { sessionId: key.b256Address, contractIds: [contractId], expiry: 1767225600n };
 */
export interface O2SimSession {
  readonly sessionId: string;
  readonly contractIds: readonly string[];
  readonly expiry: bigint;
}

const enc = new TextEncoder();

/**
 * Deterministic pseudo ids (`0x` + 64 hex) for trade accounts, orders and transactions.
 *
 * @example
 * o2SimId(`trade_account:${owner}`); // the trade account the simulator creates for `owner`
 */
export function o2SimId(label: string): string {
  return `0x${Buffer.from(sha256(enc.encode(`tickwire-sim:${label}`))).toString('hex')}`;
}

/** Shared state of one O2 personality. */
export class O2SimState {
  readonly markets: readonly SimMarketSpec[];
  readonly options: O2SimulatorOptions;
  readonly chainId: bigint;
  readonly inactivityTimeoutMs: number;
  readonly preflightStatus: number;
  readonly sessionRps: number;
  readonly rateLimitStatus: number;
  readonly rateLimitRetryAfterSeconds: number | null;
  readonly booksRegistryId = o2SimId('books_registry');
  readonly accountsRegistryId = o2SimId('accounts_registry');
  readonly oracleId = o2SimId('trade_account_oracle');
  /** owner b256 → trade account id, and back. */
  readonly accountByOwner = new Map<string, string>();
  readonly ownerByAccount = new Map<string, string>();
  readonly sessions = new Map<string, O2SimSession>();
  /** Trade accounts whitelisted through `POST /analytics/v1/whitelist`. */
  readonly whitelisted = new Set<string>();
  /** The wire `order_type` each order was placed with, and its creation tx id, by `order_id`. */
  readonly orderTypes = new Map<string, unknown>();
  readonly orderTx = new Map<string, string>();
  #seq = 0;
  #ctx: SimContext | undefined;

  constructor(options: O2SimulatorOptions) {
    this.options = options;
    this.markets = options.markets ?? o2SimMarkets;
    this.chainId = options.chainId ?? 0n;
    this.inactivityTimeoutMs = options.inactivityTimeoutMs ?? 60_000;
    this.preflightStatus = options.preflightStatus ?? 400;
    this.sessionRps = options.sessionRequestsPerSecond ?? 5;
    this.rateLimitStatus = options.rateLimitStatus ?? 429;
    this.rateLimitRetryAfterSeconds =
      options.rateLimitRetryAfterSeconds === undefined ? 1 : options.rateLimitRetryAfterSeconds;
  }

  get ctx(): SimContext {
    if (this.#ctx === undefined) throw new Error('o2 simulator: not initialised');
    return this.#ctx;
  }

  init(ctx: SimContext): void {
    this.#ctx = ctx;
    for (const a of this.options.accounts ?? [])
      this.createAccount(a.owner.toLowerCase(), a.tradeAccountId, a.balances);
  }

  nextId(kind: string): string {
    return o2SimId(`${kind}:${++this.#seq}`);
  }

  /** Creates the trade account of `owner` (idempotent) and funds it. */
  createAccount(
    owner: string,
    tradeAccountId?: string,
    balances?: Readonly<Record<string, string>>,
  ): string {
    const existing = this.accountByOwner.get(owner);
    if (existing !== undefined) return existing;
    const id = (tradeAccountId ?? o2SimId(`trade_account:${owner}`)).toLowerCase();
    this.accountByOwner.set(owner, id);
    this.ownerByAccount.set(id, owner);
    const funds = balances ??
      this.options.defaultBalances ?? {
        fUSDC: '1000000000000000',
        fFUEL: '1000000000000000',
        fETH: '1000000000000',
      };
    const scaled: Record<string, bigint> = {};
    for (const [asset, v] of Object.entries(funds)) if (/^\d+$/.test(v)) scaled[asset] = BigInt(v);
    this.ctx.engine.createAccount(id, scaled);
    return id;
  }

  market(id: string | null | undefined): SimMarketSpec | undefined {
    if (id == null) return undefined;
    const lower = id.toLowerCase();
    return this.markets.find((m) => m.id === lower);
  }

  contractId(m: SimMarketSpec): string {
    return m.extra?.contractId ?? o2SimId(`book:${m.id}`);
  }

  assetId(symbol: string): string {
    for (const m of this.markets) {
      if (m.base.symbol === symbol) return m.base.id ?? symbol;
      if (m.quote.symbol === symbol) return m.quote.id ?? symbol;
    }
    return symbol;
  }

  assetSymbol(assetId: string): string | undefined {
    const lower = assetId.toLowerCase();
    for (const m of this.markets) {
      if (m.base.id === lower) return m.base.symbol;
      if (m.quote.id === lower) return m.quote.symbol;
    }
    return undefined;
  }

  maxPrecision(m: SimMarketSpec, side: 'base' | 'quote'): number {
    const v = side === 'base' ? m.extra?.baseMaxPrecision : m.extra?.quoteMaxPrecision;
    return v === undefined ? (side === 'base' ? m.base.decimals : m.quote.decimals) : Number(v);
  }

  /** `GET /v1/markets` body. */
  marketsBody(): object {
    return {
      books_registry_id: this.booksRegistryId,
      accounts_registry_id: this.accountsRegistryId,
      trade_account_oracle_id: this.oracleId,
      chain_id: `0x${this.chainId.toString(16).padStart(16, '0')}`,
      base_asset_id: '0xf8f8b6283d7fa5b672b530cbb84fcccb4ff8dc40f8176ef4544ddb1f1952ad07',
      markets: this.markets.map((m) => ({
        contract_id: this.contractId(m),
        market_id: m.id,
        maker_fee: '0',
        taker_fee: '0',
        min_order: '1000000000',
        dust: '1000',
        price_window: '0',
        base: {
          symbol: m.base.symbol,
          asset: m.base.id ?? m.base.symbol,
          decimals: m.base.decimals,
          max_precision: this.maxPrecision(m, 'base'),
        },
        quote: {
          symbol: m.quote.symbol,
          asset: m.quote.id ?? m.quote.symbol,
          decimals: m.quote.decimals,
          max_precision: this.maxPrecision(m, 'quote'),
        },
      })),
    };
  }

  /** The O2 wire form of an order (the `SubscribeOrder` shape shared by REST and WS). */
  orderBody(o: SimOrder): object {
    const m = this.market(o.market);
    const engine = this.ctx.engine;
    const remaining = o.quantity - o.filled;
    const final = !(o.status === 'NEW' || o.status === 'PARTIALLY_FILLED');
    const last = o.fills[o.fills.length - 1];
    const tx = this.orderTx.get(o.clientOrderId);
    return {
      order_id: o.clientOrderId,
      market_id: o.market,
      owner: { ContractId: o.account },
      side: o.side,
      order_type: this.orderTypes.get(o.clientOrderId) ?? (o.type === 'market' ? 'Market' : 'Spot'),
      price: o.price.toString(),
      quantity: o.quantity.toString(),
      quantity_fill: o.filled.toString(),
      price_fill: (last?.price ?? 0n).toString(),
      timestamp: String(o.createdAt),
      close: final,
      partially_filled: o.status === 'PARTIALLY_FILLED',
      cancel: o.status === 'CANCELED',
      desired_quantity:
        o.side === 'sell'
          ? { Base: { remaining_quantity: remaining.toString() } }
          : {
              Quote: {
                desired_base_quantity: { Quantity: o.quantity.toString() },
                remaining_quote_token: (m === undefined
                  ? 0n
                  : engine.quoteAmount(m, o.price, remaining)
                ).toString(),
              },
            },
      fills: o.fills.map((f) => ({
        order_id: o.clientOrderId,
        price: f.price.toString(),
        quantity: f.quantity.toString(),
        timestamp: String(f.time),
      })),
      history: [
        { type: 'created', status: 'confirmed', tx_id: tx ?? o2SimId(`created:${o.orderId}`) },
        ...o.fills.map((f) => ({
          type: 'trade',
          status: 'confirmed',
          tx_id: o2SimId(`trade:${f.tradeId}`),
        })),
        ...(o.status === 'CANCELED'
          ? [{ type: 'cancelled', status: 'confirmed', tx_id: o2SimId(`cancel:${o.orderId}`) }]
          : []),
      ],
    };
  }

  /** One `balance` entry (REST `/v1/balance` fields plus identity and asset id on the stream). */
  balanceEntry(
    account: string,
    symbol: string,
  ): {
    total_locked: string;
    total_unlocked: string;
    trading_account_balance: string;
    order_books: Record<string, { locked: string; unlocked: string; fee: string }>;
  } {
    const engine = this.ctx.engine;
    const b = engine.balances(account).find((x) => x.asset === symbol) ?? { free: 0n, locked: 0n };
    const books: Record<string, { locked: string; unlocked: string; fee: string }> = {};
    for (const m of this.markets) {
      if (m.base.symbol !== symbol && m.quote.symbol !== symbol) continue;
      let locked = 0n;
      for (const o of engine.orders(account, { market: m.id, open: true })) {
        if (o.type !== 'limit') continue;
        if (o.side === 'buy' && m.quote.symbol === symbol) {
          locked +=
            engine.quoteAmount(m, o.price, o.quantity) - engine.quoteAmount(m, o.price, o.filled);
        } else if (o.side === 'sell' && m.base.symbol === symbol) locked += o.quantity - o.filled;
      }
      books[this.contractId(m)] = { locked: locked.toString(), unlocked: '0', fee: '0' };
    }
    return {
      total_locked: b.locked.toString(),
      total_unlocked: b.free.toString(),
      trading_account_balance: b.free.toString(),
      order_books: books,
    };
  }
}
