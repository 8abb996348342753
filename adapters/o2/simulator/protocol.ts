import type {
  SimContext,
  SimMarketSpec,
  SimRequest,
  SimResponse,
  SimSession,
  SimSocket,
  SimUpgradeDecision,
  SimulatorProtocol,
} from '../../../src/testing/index.js';
import { handleO2Rest } from './rest.js';
import { type O2SimulatorOptions, O2SimState } from './state.js';
import { O2FrameCache, O2WsSession } from './ws.js';

/**
 * The O2 personality for {@link ExchangeSimulator}: REST (`/v1/markets`, depth, trades,
 * bars, ticker, accounts, balance, orders, order, `PUT /v1/session`,
 * `POST /v1/session/actions` with secp256k1 signature checks and the account nonce) and the
 * `/v1/ws` socket, per `o2-protocol.md`.
 *
 * @example
 * const sim = await new ExchangeSimulator({ protocol: createO2SimulatorProtocol(), seed: 1 }).start();
 * const ws = new WebSocket(`${sim.wsUrl}/v1/ws`);
 */
export function createO2SimulatorProtocol(options: O2SimulatorOptions = {}): SimulatorProtocol {
  const state = new O2SimState(options);
  const frames = new O2FrameCache(state);
  return {
    exchange: 'o2',
    markets: state.markets,
    init(ctx: SimContext): void {
      state.init(ctx);
    },
    handleHttp(req: SimRequest): SimResponse {
      return handleO2Rest(state, req);
    },
    acceptUpgrade(url: URL): SimUpgradeDecision {
      return url.pathname === '/v1/ws'
        ? { accept: true }
        : { accept: false, status: 404, reason: 'Not Found' };
    },
    openSession(socket: SimSocket): SimSession {
      return new O2WsSession(state, socket, frames);
    },
    faultBody(kind) {
      if (kind === 'server-error') return { code: 1000, error: 'Internal server error' };
      if (kind === 'banned') return { code: 1003, message: 'Rate limit exceeded: client banned' };
      return { code: 1003, message: 'Rate limit exceeded' };
    },
    formatLevel(_market: SimMarketSpec, price: bigint, quantity: bigint) {
      return [price.toString(), quantity.toString()] as const;
    },
  };
}
