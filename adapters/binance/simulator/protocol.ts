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
import { BinanceFrameCache, type BinanceStreamName, parseStreamName } from './frames.js';
import { handleBinanceRest } from './rest.js';
import { type BinanceSimulatorOptions, BinanceSimState } from './state.js';
import { BinanceStreamSession } from './streams.js';
import { BinanceWsApiSession } from './ws-api.js';

function streamsOf(state: BinanceSimState, url: URL): BinanceStreamName[] | string {
  let names: string[] = [];
  if (url.pathname === '/stream') {
    const list = url.searchParams.get('streams');
    names = list === null || list === '' ? [] : list.split('/');
  } else if (url.pathname.startsWith('/ws/')) {
    names = url.pathname
      .slice(4)
      .split('/')
      .filter((n) => n !== '');
  }
  const out: BinanceStreamName[] = [];
  for (const n of names) {
    const s = parseStreamName(state, n);
    if (s === undefined) return `Invalid stream name '${n}'`;
    out.push(s);
  }
  return out;
}

/**
 * The Binance Spot personality for {@link ExchangeSimulator}: REST (`/api/v3/*` with
 * weights, usage headers, HMAC / Ed25519 signatures), market streams (`/ws/<stream>` raw,
 * `/stream?streams=` combined, live SUBSCRIBE) and the WebSocket API (`/ws-api/v3`) with
 * the user data stream, per `binance-spot.md`.
 *
 * @example
 * const sim = await new ExchangeSimulator({ protocol: createBinanceSimulatorProtocol(), seed: 1 }).start();
 * const ws = new WebSocket(`${sim.wsUrl}/stream?streams=btcusdt@depth@100ms`);
 */
export function createBinanceSimulatorProtocol(
  options: BinanceSimulatorOptions = {},
): SimulatorProtocol {
  const state = new BinanceSimState(options);
  const frames = new BinanceFrameCache(state);
  return {
    exchange: 'binance',
    markets: state.markets,
    init(ctx: SimContext): void {
      state.init(ctx);
    },
    handleHttp(req: SimRequest): SimResponse {
      return handleBinanceRest(state, req);
    },
    acceptUpgrade(url: URL): SimUpgradeDecision {
      if (url.pathname === '/ws-api/v3') return { accept: true };
      if (
        url.pathname !== '/ws' &&
        url.pathname !== '/stream' &&
        !url.pathname.startsWith('/ws/')
      ) {
        return { accept: false, status: 404, reason: 'Not Found' };
      }
      const streams = streamsOf(state, url);
      if (typeof streams === 'string') return { accept: false, status: 400, reason: 'Bad Request' };
      if (streams.length > state.maxStreams) {
        state.ctx.stats.violation('wsStreamLimit');
        return { accept: false, status: 400, reason: 'Bad Request' };
      }
      return { accept: true };
    },
    openSession(socket: SimSocket): SimSession {
      if (socket.url.pathname === '/ws-api/v3') return new BinanceWsApiSession(state, socket);
      const streams = streamsOf(state, socket.url);
      return new BinanceStreamSession(
        state,
        socket,
        frames,
        typeof streams === 'string' ? [] : streams,
        socket.url.pathname === '/stream',
      );
    },
    faultBody(kind) {
      if (kind === 'server-error')
        return {
          code: -1008,
          msg: 'Server is currently overloaded with other requests. Please try again in a few minutes.',
        };
      if (kind === 'banned') {
        return {
          code: -1003,
          msg: `Way too much request weight used; IP banned until ${state.ctx.now() + 120_000}. Please use WebSocket Streams for live updates to avoid bans.`,
        };
      }
      return {
        code: -1003,
        msg: 'Too many requests; current limit of IP is 6000 requests per minute. Please use WebSocket Streams for live updates to avoid polling the API.',
      };
    },
    shutdownNotice(socket: SimSocket): string | undefined {
      const event = JSON.stringify({ e: 'serverShutdown', E: state.ctx.now() });
      // The WebSocket API wraps connection events in `event`, without a subscriptionId.
      if (socket.url.pathname === '/ws-api/v3') return `{"event":${event}}`;
      return socket.url.pathname === '/stream'
        ? `{"stream":"!serverShutdown","data":${event}}`
        : event;
    },
    formatLevel(market: SimMarketSpec, price: bigint, quantity: bigint) {
      return [state.price(market, price), state.qty(market, quantity)] as const;
    },
  };
}
