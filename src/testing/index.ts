export { ExchangeSimulator } from './exchange-simulator.js';
export type { ExchangeSimulatorOptions } from './exchange-simulator.js';
export type {
  SimContext,
  SimRequest,
  SimResponse,
  SimSession,
  SimSocket,
  SimStatsSink,
  SimUpgradeDecision,
  SimulatorProtocol,
} from './protocol.js';
export type {
  SimAsset,
  SimBalance,
  SimBook,
  SimEvent,
  SimFill,
  SimLevelChange,
  SimMarketSpec,
  SimOrder,
  SimOrderStatus,
  SimSide,
  SimTrade,
} from './types.js';
export { MatchingEngine } from './matching-engine.js';
export type {
  MatchingEngineOptions,
  SimMarketState,
  SimPlaceOrder,
  SimPlaceResult,
  SimRejectReason,
} from './matching-engine.js';
export { BookSide } from './order-book.js';
export type { BookLevel, RestingEntry } from './order-book.js';
export { createPrng } from './prng.js';
export type { Prng } from './prng.js';
export { SimFaultSpec, SimScenario, faultKinds } from './faults.js';
export type { FaultKind } from './faults.js';
export type { SimStats, SimWeightWindow } from './stats.js';
export { formatScaled, parseScaled } from './format.js';
export { recordFixture } from './recorder.js';
export type { FixtureFrame, RecordFixtureOptions } from './recorder.js';
export { FixtureReplayer, parseFixture } from './replayer.js';
export type { FixtureReplayerOptions } from './replayer.js';
