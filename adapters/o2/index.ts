// `tickwire/adapters/o2`: the O2 wire layer (signing, schemas, normalisers, error map,
// scaling, request builders) and the simulator personality. Named exports only.
export type {
  Hex,
  O2Wallet,
  SessionKey,
  ContractCall,
  SigningMarket,
  SessionSigningParams,
  WithdrawSigningParams,
} from './crypto/index.js';
export {
  sha256,
  keccak256,
  fuelPersonalSignDigest,
  evmPersonalSignDigest,
  fuelCompactSign,
  recoverPublicKey,
  b256FromPublicKey,
  evmB256FromPublicKey,
  publicKeyFromPrivateKey,
  createFuelWallet,
  createEvmWallet,
  generateFuelWallet,
  createSessionKey,
  buildSessionSigningBytes,
  buildWithdrawSigningBytes,
  buildActionsSigningBytes,
  actionToCall,
  functionSelector,
} from './crypto/index.js';
export {
  O2DepthFrame,
  O2DepthResponse,
  O2Order,
  O2Trade,
  O2OrdersFrame,
  O2TradesFrame,
  O2BalancesFrame,
  O2NonceFrame,
  O2ErrorBody,
  O2ActionErrorFrame,
  O2Market,
  O2MarketsResponse,
  O2MarketSummaryResponse,
  O2TickerResponse,
  O2TradesResponse,
  O2AggregatedTradesResponse,
  O2BarsResponse,
  O2CreateAccountResponse,
  O2AccountResponse,
  O2BalanceResponse,
  O2OrdersResponse,
  O2OrderResponse,
  O2SessionResponse,
  O2WithdrawResponse,
  O2SessionActionsResponse,
  O2WireAction,
  O2SessionActionsRequest,
  O2SessionRequest,
  O2WithdrawRequest,
  O2ClientFrame,
  O2_MAX_ACTIONS,
  parseO2ServerMessage,
  parseO2ServerFrame,
  parseO2DepthFrameFast,
  parseO2DepthDeltaText,
  isScannedO2DepthDelta,
  O2ScannedDepthDelta,
  normalizeO2Depth,
  normalizeO2DepthResponse,
  deriveO2OrderStatus,
  normalizeO2Order,
  normalizeO2Trade,
  normalizeO2Balance,
  normalizeO2Nonce,
  normalizeO2Market,
} from './schemas/index.js';
export type {
  O2DepthDeltaText,
  O2ServerFrame,
  O2MarketDecimals,
  O2AssetDecimals,
  O2DepthUpdate,
  O2OrderUpdate,
  O2TradeUpdate,
  O2BalanceUpdate,
  O2MarketInfo,
} from './schemas/index.js';
export type {
  O2RevertInfo,
  O2ErrorInfo,
  O2RateLimitNotice,
  O2ResponseMapperOptions,
} from './errors.js';
export {
  mapO2Error,
  createO2ResponseMapper,
  decodeO2Revert,
  O2_ERROR_CODES,
  O2_REVERT_ENUMS,
  O2_REVERT_SIGNALS,
} from './errors.js';
export type { O2ScaleMarket, O2OrderRule, O2OrderCheckOptions } from './scaling.js';
export {
  o2TickSize,
  o2StepSize,
  scaleO2Price,
  scaleO2Quantity,
  unscaleO2Price,
  unscaleO2Quantity,
  roundO2Price,
  roundO2Quantity,
  o2OrderValue,
  checkO2Order,
  prepareO2Order,
} from './scaling.js';
export type {
  O2CreateOrderParams,
  O2SessionRequestParams,
  O2ActionGroup,
  O2SessionActionsParams,
  O2WithdrawParams,
} from './requests.js';
export {
  o2DepthPrecision,
  o2Frames,
  o2CreateOrderAction,
  o2CancelOrderAction,
  o2SettleBalanceAction,
  createO2SessionRequest,
  createO2SessionActionsRequest,
  createO2WithdrawRequest,
} from './requests.js';

export { createO2SimulatorProtocol, o2SimMarkets, o2SimId } from './simulator/index.js';
export type { O2SimAccount, O2SimulatorOptions, O2SimSession } from './simulator/index.js';
export { O2Adapter, O2_NETWORKS, O2_RATE_LIMITS, O2_ENDPOINTS } from './o2-adapter.js';
export type {
  O2AdapterOptions,
  O2Network,
  O2Channels,
  O2Ticker,
  O2Candle,
  O2TradesCursor,
  O2TradesPage,
  O2Account,
} from './o2-adapter.js';
// ---- trading ----
export { O2Trading } from './trading/o2-trading.js';
export type {
  O2TradingHost,
  O2OrderType,
  O2OrderParams,
  O2BatchAction,
  O2ActionsResult,
  O2PlaceOrderResult,
  O2SessionInfo,
  O2MarketSummary,
} from './trading/o2-trading.js';
export { O2NonceManager, classifyO2NonceEffect } from './trading/nonce-manager.js';
export type {
  O2NonceEffect,
  O2NonceManagerOptions,
  O2NonceStats,
} from './trading/nonce-manager.js';
export { O2_TRADING_ENDPOINTS } from './trading/endpoints.js';
export { o2OwnerWallet, resolveO2Credentials, o2OwnerRestOptions } from './trading/credentials.js';
export type { O2Credentials } from './trading/credentials.js';
// ---- end trading ----
// ---- streams ----
export { O2Streams, O2_PONG, decodeO2Message, o2ServerError } from './streams/o2-streams.js';
export type {
  O2StreamOptions,
  O2StreamsHost,
  O2StreamCounters,
  O2WsMessage,
} from './streams/o2-streams.js';
// ---- end streams ----
// ---- book ----
export { watchO2OrderBook, createO2BookStats, toLevelInputs } from './book/index.js';
export type {
  O2WatchOrderBookOptions,
  O2BookVerifyOptions,
  O2BookVerifyStats,
  O2BookStats,
  O2BookEvent,
  O2BookResyncReason,
  O2BookSource,
} from './book/index.js';
// ---- end book ----
