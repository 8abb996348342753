// One zod schema per O2 wire message (the inferred type shares its name), the frame
// classifier, and normalisers to tickwire's unified models.
export {
  U64String,
  U128String,
  OpaqueTimestamp,
  WireId,
  O2Identity,
  O2Nonce,
  O2Side,
  LooseDecimal,
} from './primitives.js';
export { O2DepthLevel, O2DepthBook, O2DepthFrame, O2DepthResponse } from './depth.js';
export { parseO2DepthFrameFast } from './fast-depth.js';
export {
  parseO2DepthDeltaText,
  isScannedO2DepthDelta,
  O2ScannedDepthDelta,
  type O2DepthDeltaText,
} from './fast-depth-text.js';
export { O2OrderType, O2DesiredQuantity, O2OrderFill, O2Order, O2Trade } from './order.js';
export {
  O2OrdersFrame,
  O2TradesFrame,
  O2BookBalance,
  O2BalanceEntry,
  O2BalancesFrame,
  O2NonceFrame,
  O2ErrorBody,
  O2ActionErrorFrame,
} from './stream-frames.js';
export {
  O2ChainId,
  O2MarketAsset,
  O2Market,
  O2MarketsResponse,
  O2MarketSummaryResponse,
  O2TickerResponse,
  O2TradesResponse,
  O2Bar,
  O2BarsResponse,
  O2CreateAccountResponse,
  O2AccountSession,
  O2AccountResponse,
  O2BalanceResponse,
  O2OrdersResponse,
  O2OrderResponse,
  O2SessionResponse,
  O2WithdrawResponse,
  O2SessionActionsResponse,
  O2AggregatedTradesResponse,
} from './rest.js';
export type { O2ServerFrame } from './server-frame.js';
export { O2_ACTION_ROUTES, parseO2ServerMessage, parseO2ServerFrame } from './server-frame.js';
export type {
  O2MarketDecimals,
  O2AssetDecimals,
  O2DepthUpdate,
  O2OrderUpdate,
  O2TradeUpdate,
  O2BalanceUpdate,
  O2MarketInfo,
} from './normalize.js';
export {
  normalizeO2Depth,
  normalizeO2DepthResponse,
  deriveO2OrderStatus,
  normalizeO2Order,
  normalizeO2Trade,
  normalizeO2Balance,
  normalizeO2Nonce,
  normalizeO2Market,
} from './normalize.js';
export {
  O2WireOrderType,
  O2WireAction,
  O2_MAX_ACTIONS,
  O2SessionActionsRequest,
  O2SessionRequest,
  O2WithdrawRequest,
  O2ClientFrame,
} from './requests.js';
