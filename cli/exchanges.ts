import {
  canonicalDecimalString,
  fromScaledInteger,
  isTickwireError,
  MarketRegistry,
  type MarketInfo,
} from '../src/index.js';
import type { SimulatorProtocol } from '../src/testing/index.js';
import {
  createO2SimulatorProtocol,
  O2_NETWORKS,
  O2Adapter,
  o2Frames,
  type O2MarketInfo,
} from '../adapters/o2/index.js';
import { BinanceAdapter, createBinanceSimulatorProtocol } from '../adapters/binance/index.js';
import { type OptionValues, stringOption } from './args.js';
import { UsageError } from './errors.js';
import { exchangeName, type ExchangeName } from './names.js';

export { exchangeNames, type ExchangeName } from './names.js';

/** Market channels the command line can stream and record. */
export type MarketChannel = 'depth' | 'trades';
const marketChannels: readonly MarketChannel[] = ['depth', 'trades'];

/**
 * Where to reach an exchange.
 *
 * @example
 * const endpoints: Endpoints = { restUrl: 'http://127.0.0.1:8080', wsUrl: 'ws://127.0.0.1:8080/v1/ws' };
 */
export interface Endpoints {
  readonly restUrl: string;
  /** O2: the socket URL (`…/v1/ws`); Binance: the market-stream base (`wss://host:port`). */
  readonly wsUrl: string;
}

/** A frame source to record: the socket URL and what to send once it is open. */
export interface RawSubscription {
  readonly url: string;
  readonly send: readonly string[];
}

/**
 * What the command line needs to know about one exchange.
 *
 * @example
 * const { url, send } = exchangeSpec('o2', 'record').rawSubscription(endpoints, [{ channel: 'depth', market }]);
 */
export interface ExchangeSpec {
  readonly name: ExchangeName;
  readonly networks: Readonly<Record<string, Endpoints>>;
  readonly defaultNetwork: string;
  /** Path of the market socket under a simulator's base URL. */
  readonly socketPath: string;
  readonly channels: readonly MarketChannel[];
  createSimulatorProtocol(): SimulatorProtocol;
  /** Loads the exchange's markets over REST. */
  loadMarkets(endpoints: Endpoints, signal: AbortSignal): Promise<readonly MarketInfo[]>;
  /** The socket to open (and frames to send) to receive `subscriptions` raw. */
  rawSubscription(
    endpoints: Endpoints,
    subscriptions: readonly { channel: MarketChannel; market: MarketInfo }[],
  ): RawSubscription;
  /** Extra spellings of a market (O2: `FUEL/USDC` for `fFUEL/fUSDC`). */
  aliases?(market: MarketInfo): readonly string[];
  /** A wire price / quantity of `market` in human units (O2 sends chain integers). */
  humanPrice(market: MarketInfo, wire: string): string;
  humanQuantity(market: MarketInfo, wire: string): string;
}

const o2: ExchangeSpec = {
  name: 'o2',
  networks: O2_NETWORKS,
  defaultNetwork: 'testnet',
  socketPath: '/v1/ws',
  channels: marketChannels,
  createSimulatorProtocol: () => createO2SimulatorProtocol(),
  async loadMarkets(endpoints, signal) {
    await using adapter = new O2Adapter({ restUrl: endpoints.restUrl, wsUrl: endpoints.wsUrl });
    return await adapter.getMarkets({ signal });
  },
  rawSubscription(endpoints, subscriptions) {
    const send = subscriptions.map(({ channel, market }) =>
      JSON.stringify(
        channel === 'depth'
          ? o2Frames.subscribeDepth(market.id as `0x${string}`, 1)
          : o2Frames.subscribeTrades(market.id as `0x${string}`),
      ),
    );
    return { url: endpoints.wsUrl, send };
  },
  aliases(market) {
    // Testnet symbols carry an `f` prefix; the adapter accepts the plain names too.
    const strip = (s: string): string => (/^f[A-Z]/.test(s) ? s.slice(1) : s);
    const alias = `${strip(market.base)}/${strip(market.quote)}`;
    return alias === market.symbol ? [] : [alias];
  },
  humanPrice: (market, wire) =>
    fromScaledInteger(wire, (market as O2MarketInfo).quoteDecimals, 'price').toFixed(),
  humanQuantity: (market, wire) =>
    fromScaledInteger(wire, (market as O2MarketInfo).baseDecimals, 'quantity').toFixed(),
};

/** Binance's market-stream names per channel (binance-spot.md §8). */
const binanceStreamSuffix: Record<MarketChannel, string> = {
  depth: 'depth@100ms',
  trades: 'trade',
};

const binance: ExchangeSpec = {
  name: 'binance',
  networks: {
    mainnet: { restUrl: 'https://api.binance.com', wsUrl: 'wss://stream.binance.com:9443' },
    testnet: {
      restUrl: 'https://testnet.binance.vision',
      wsUrl: 'wss://stream.testnet.binance.vision',
    },
  },
  defaultNetwork: 'mainnet',
  socketPath: '',
  channels: marketChannels,
  createSimulatorProtocol: () => createBinanceSimulatorProtocol(),
  async loadMarkets(endpoints, signal) {
    await using adapter = new BinanceAdapter({
      restUrl: endpoints.restUrl,
      wsUrl: endpoints.wsUrl,
    });
    return await adapter.loadMarkets({ signal });
  },
  rawSubscription(endpoints, subscriptions) {
    const streams = subscriptions.map(
      ({ channel, market }) => `${market.id.toLowerCase()}@${binanceStreamSuffix[channel]}`,
    );
    return { url: `${endpoints.wsUrl}/stream?streams=${streams.join('/')}`, send: [] };
  },
  // Binance sends decimals already (`"60000.01000000"`): only the padding zeros go.
  humanPrice: (_market, wire) => canonicalDecimalString(wire, 'price'),
  humanQuantity: (_market, wire) => canonicalDecimalString(wire, 'quantity'),
};

const specs: Record<ExchangeName, ExchangeSpec> = { o2, binance };

/**
 * The spec of an exchange named on the command line; anything else is a usage error.
 *
 * @example
 * const spec = exchangeSpec('o2', 'stream');
 */
export function exchangeSpec(name: string | undefined, command: string): ExchangeSpec {
  return specs[exchangeName(name, command)];
}

/**
 * A channel named on the command line; anything else is a usage error.
 *
 * @example
 * const channel = marketChannel(spec, 'trades', 'stream');
 */
export function marketChannel(
  spec: ExchangeSpec,
  name: string | undefined,
  command: string,
): MarketChannel {
  const channel = spec.channels.find((c) => c === name?.toLowerCase());
  if (channel === undefined) {
    throw new UsageError(
      `${name === undefined ? 'missing <channel>' : `unknown channel ${JSON.stringify(name)}`} ` +
        `(${spec.name} channels: ${spec.channels.join(', ')})`,
      command,
    );
  }
  return channel;
}

function parseUrl(raw: string, option: string, command: string, schemes: string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--${option}: not a URL: ${JSON.stringify(raw)}`, command);
  }
  if (!schemes.includes(url.protocol)) {
    throw new UsageError(
      `--${option}: expected a ${schemes.map((s) => s.slice(0, -1)).join(' or ')} URL, got ${JSON.stringify(raw)}`,
      command,
    );
  }
  return url;
}

function trimSlash(s: string): string {
  return s.endsWith('/') ? s.slice(0, -1) : s;
}

/**
 * The REST and WebSocket URLs from `--network`, `--url`, `--rest-url` and `--ws-url`
 * (explicit URLs win over `--url`, which wins over the network preset).
 *
 * @example
 * resolveEndpoints(spec, { url: 'http://127.0.0.1:8080' }, 'stream');
 * // o2: { restUrl: 'http://127.0.0.1:8080', wsUrl: 'ws://127.0.0.1:8080/v1/ws' }
 */
export function resolveEndpoints(
  spec: ExchangeSpec,
  values: OptionValues,
  command: string,
): Endpoints {
  const networkName = stringOption(values, 'network') ?? spec.defaultNetwork;
  const network = spec.networks[networkName];
  if (network === undefined) {
    throw new UsageError(
      `unknown ${spec.name} network ${JSON.stringify(networkName)} (one of: ${Object.keys(spec.networks).join(', ')})`,
      command,
    );
  }
  let { restUrl, wsUrl } = network;
  const base = stringOption(values, 'url');
  if (base !== undefined) {
    const url = parseUrl(base, 'url', command, ['http:', 'https:', 'ws:', 'wss:']);
    const secure = url.protocol === 'https:' || url.protocol === 'wss:';
    const path = trimSlash(url.pathname);
    restUrl = `${secure ? 'https' : 'http'}://${url.host}${path}`;
    wsUrl = `${secure ? 'wss' : 'ws'}://${url.host}${path}${spec.socketPath}`;
  }
  const rest = stringOption(values, 'rest-url');
  if (rest !== undefined)
    restUrl = trimSlash(parseUrl(rest, 'rest-url', command, ['http:', 'https:']).href);
  const ws = stringOption(values, 'ws-url');
  if (ws !== undefined) wsUrl = trimSlash(parseUrl(ws, 'ws-url', command, ['ws:', 'wss:']).href);
  return { restUrl, wsUrl };
}

/**
 * Loads the markets and resolves each name (symbol, native id or alias); an unknown market
 * is a usage error that lists the known ones.
 *
 * @example
 * const [m] = await resolveMarkets(spec, (s) => spec.loadMarkets(endpoints, s), ['FUEL/USDC'], signal, 'stream');
 */
export async function resolveMarkets(
  spec: ExchangeSpec,
  load: (signal: AbortSignal) => Promise<readonly MarketInfo[]>,
  names: readonly string[],
  signal: AbortSignal,
  command: string,
): Promise<MarketInfo[]> {
  const list = await load(signal);
  const aliases = spec.aliases;
  const registry = new MarketRegistry({
    exchange: spec.name,
    ...(aliases === undefined ? {} : { aliases: (m: MarketInfo) => aliases.call(spec, m) }),
  });
  registry.set(list);
  return names.map((name) => {
    try {
      return registry.resolve(name);
    } catch (e) {
      if (!isTickwireError(e, 'UNKNOWN_MARKET')) throw e;
      const known = list
        .slice(0, 12)
        .map((m) => m.symbol)
        .join(', ');
      throw new UsageError(
        `unknown market ${JSON.stringify(name)} on ${spec.name} (markets: ${known}${list.length > 12 ? ', …' : ''})`,
        command,
      );
    }
  });
}
