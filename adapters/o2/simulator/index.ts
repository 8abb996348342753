export { createO2SimulatorProtocol } from './protocol.js';
export { o2SimMarkets } from './markets.js';
export { o2SimId } from './state.js';
export type { O2SimAccount, O2SimulatorOptions, O2SimSession } from './state.js';
