/**
 * An asset of a simulated market: its symbol, its integer scale and (O2) its asset id.
 *
 * @example
 * const usdt: SimAsset = { symbol: 'USDT', decimals: 8 };
 */
export interface SimAsset {
  /** Ticker symbol (`'BTC'`, `'fUSDC'`). */
  readonly symbol: string;
  /** Number of decimals of the integer amounts the engine keeps for this asset. */
  readonly decimals: number;
  /** Exchange-native id of the asset (O2: `0x` + 64 hex); defaults to the symbol. */
  readonly id?: string;
}

/**
 * One market the simulator runs. All amounts are scaled integers: prices by
 * `priceDecimals`, quantities by `base.decimals`, quote amounts by `quote.decimals`.
 *
 * @example
 * const btc: SimMarketSpec = {
 *   id: 'BTCUSDT', base: { symbol: 'BTC', decimals: 8 }, quote: { symbol: 'USDT', decimals: 8 },
 *   priceDecimals: 2, tickSize: 1n, stepSize: 1000n, lot: 100000n, startPrice: 6000000n,
 * };
 */
export interface SimMarketSpec {
  /** Exchange-native market id (`'BTCUSDT'`, an O2 `market_id`). */
  readonly id: string;
  readonly base: SimAsset;
  readonly quote: SimAsset;
  /** Scale of price integers (decimals). */
  readonly priceDecimals: number;
  /** Price increment, in scaled price units. */
  readonly tickSize: bigint;
  /** Quantity increment, in scaled base units. */
  readonly stepSize: bigint;
  /** Typical generated order size unit, in scaled base units (a multiple of `stepSize`). */
  readonly lot: bigint;
  /** Initial mid price, in scaled price units (a multiple of `tickSize`). */
  readonly startPrice: bigint;
  /** Data only the personality reads (O2: the order-book `contract_id`). */
  readonly extra?: Readonly<Record<string, string>>;
}

/**
 * Order side.
 *
 * @example
 * const side: SimSide = 'buy';
 */
export type SimSide = 'buy' | 'sell';

/**
 * Lifecycle state of a simulated order (Binance's names; O2 derives its flags from it).
 *
 * @example
 * if (order.status === 'FILLED') done();
 */
export type SimOrderStatus =
  'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';

/**
 * One fill of an order (scaled integers).
 *
 * @example
 * const avg = order.fills.reduce((s, f) => s + f.quoteQuantity, 0n);
 */
export interface SimFill {
  readonly tradeId: number;
  readonly price: bigint;
  readonly quantity: bigint;
  readonly quoteQuantity: bigint;
  readonly time: number;
  /** True when this order was the resting (maker) side. */
  readonly maker: boolean;
}

/**
 * A snapshot of an order as the engine sees it (events carry copies, never live state).
 *
 * @example
 * const open = sim.engine.orders(account, { open: true }); // SimOrder[]
 */
export interface SimOrder {
  readonly orderId: number;
  /** Client id (Binance `clientOrderId`, O2 hex `order_id`). */
  readonly clientOrderId: string;
  readonly account: string;
  readonly market: string;
  readonly side: SimSide;
  readonly type: 'limit' | 'market';
  readonly timeInForce: 'GTC' | 'IOC' | 'FOK';
  readonly postOnly: boolean;
  /** Limit price (scaled); for a market order the worst price it may reach, 0 when unbounded. */
  readonly price: bigint;
  readonly quantity: bigint;
  readonly filled: bigint;
  readonly filledQuote: bigint;
  readonly status: SimOrderStatus;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly fills: readonly SimFill[];
}

/**
 * A trade printed on a market; `takerSide` is the aggressor.
 *
 * @example
 * sim.onEvent((e) => { if (e.type === 'trade') for (const t of e.trades) log(t.price); });
 */
export interface SimTrade {
  readonly id: number;
  readonly market: string;
  readonly price: bigint;
  readonly quantity: bigint;
  readonly quoteQuantity: bigint;
  /** Side of the taker; the maker was on the other side. */
  readonly takerSide: SimSide;
  readonly time: number;
  readonly makerAccount?: string;
  readonly takerAccount?: string;
  readonly makerOrderId?: number;
  readonly takerOrderId?: number;
}

/**
 * A changed price level: the new absolute total at that price (0 = removed).
 *
 * @example
 * const [price, quantity]: SimLevelChange = [6000001n, 0n]; // level removed
 */
export type SimLevelChange = readonly [price: bigint, quantity: bigint];

/**
 * A balance of one asset of one account (scaled by the asset's decimals).
 *
 * @example
 * sim.engine.balances('tickwire-sim-key'); // [{ asset: 'USDT', free: …n, locked: 0n }, …]
 */
export interface SimBalance {
  readonly asset: string;
  readonly free: bigint;
  readonly locked: bigint;
}

/**
 * What happened inside the engine; personalities turn these into wire frames.
 *
 * @example
 * sim.onEvent((e) => { if (e.type === 'depth') seen = e.lastUpdateId; });
 */
export type SimEvent =
  | {
      readonly type: 'depth';
      readonly market: string;
      readonly firstUpdateId: number;
      readonly lastUpdateId: number;
      readonly time: number;
      readonly bids: readonly SimLevelChange[];
      readonly asks: readonly SimLevelChange[];
    }
  | {
      readonly type: 'trade';
      readonly market: string;
      readonly time: number;
      readonly trades: readonly SimTrade[];
    }
  | {
      readonly type: 'order';
      readonly account: string;
      readonly time: number;
      readonly order: SimOrder;
      readonly execution: 'NEW' | 'TRADE' | 'CANCELED' | 'EXPIRED' | 'REJECTED';
      readonly fill?: SimFill;
    }
  | {
      readonly type: 'balance';
      readonly account: string;
      readonly time: number;
      readonly balances: readonly SimBalance[];
    }
  | {
      readonly type: 'nonce';
      readonly account: string;
      readonly time: number;
      readonly nonce: bigint;
    };

/**
 * The truth book of a market (`sim.book(market)`), levels in the exchange's wire format.
 *
 * @example
 * const { sequence, bids, asks } = sim.book('BTCUSDT', 10);
 */
export interface SimBook {
  readonly market: string;
  /** The last update id applied (Binance `lastUpdateId`; O2 has none on the wire). */
  readonly sequence: number;
  /** Bids, best (highest) first, as `[price, quantity]` wire strings. */
  readonly bids: readonly (readonly [string, string])[];
  /** Asks, best (lowest) first. */
  readonly asks: readonly (readonly [string, string])[];
}
