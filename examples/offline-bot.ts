// Test a bot offline: a Binance simulator on 127.0.0.1, a tiny bot talking to it with the
// real wire protocol, a fault injected mid-run, and the simulator's truth to check against.
// In this repository it runs as a test: `npx jest test/testing/offline-bot-example`. In
// your own project import from 'tickwire/testing' and 'tickwire/adapters/binance' instead
// of the relative paths.
import { createHmac } from 'node:crypto';
import { WebSocket } from 'ws';
import { ExchangeSimulator } from '../src/testing/index.js';
import {
  binanceSimDemoAccount,
  createBinanceSimulatorProtocol,
} from '../adapters/binance/index.js';

/** What the example bot saw; the test checks it. */
export interface OfflineBotReport {
  readonly tradesSeen: number;
  readonly orderStatus: string;
  readonly btcFree: string;
  readonly reconnected: boolean;
  readonly faultsInjected: number;
}

function signed(params: Record<string, string | number>): string {
  const query = Object.entries(params)
    .map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  const secret = binanceSimDemoAccount.secret ?? '';
  return `${query}&signature=${createHmac('sha256', secret).update(query).digest('hex')}`;
}

function connect(url: string, onTrade: () => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('message', (data) => {
      if ((JSON.parse(data.toString()) as { e?: string }).e === 'trade') onTrade();
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Runs the example bot against a fresh simulator and returns what it observed. */
export async function runOfflineBot(): Promise<OfflineBotReport> {
  await using sim = await new ExchangeSimulator({
    protocol: createBinanceSimulatorProtocol(), // demo account: 100 000 USDT, 10 BTC
    seed: 7, // same seed, same market
    eventsPerSecond: 200,
  }).start();

  // 1. Market data: a raw trade stream.
  let tradesSeen = 0;
  let ws = await connect(`${sim.wsUrl}/ws/btcusdt@trade`, () => (tradesSeen += 1));

  // 2. Trading: a market buy of 0.002 BTC through the signed REST API.
  const res = await fetch(
    `${sim.httpUrl}/api/v3/order?${signed({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.002',
      timestamp: Date.now(),
    })}`,
    { method: 'POST', headers: { 'X-MBX-APIKEY': binanceSimDemoAccount.apiKey } },
  );
  const order = (await res.json()) as { status: string };

  // 3. A fault: the exchange drops every connection; the bot reconnects.
  const closed = new Promise((resolve) => ws.once('close', resolve));
  sim.inject({ kind: 'dropConnections' });
  await closed;
  ws = await connect(`${sim.wsUrl}/ws/btcusdt@trade`, () => (tradesSeen += 1));
  const reconnected = ws.readyState === WebSocket.OPEN;
  await new Promise((resolve) => setTimeout(resolve, 200));
  ws.close();

  // 4. The truth: balances from the account endpoint, faults from stats().
  const account = (await (
    await fetch(`${sim.httpUrl}/api/v3/account?${signed({ timestamp: Date.now() })}`, {
      headers: { 'X-MBX-APIKEY': binanceSimDemoAccount.apiKey },
    })
  ).json()) as { balances: { asset: string; free: string }[] };
  return {
    tradesSeen,
    orderStatus: order.status,
    btcFree: account.balances.find((b) => b.asset === 'BTC')?.free ?? '0',
    reconnected,
    faultsInjected: sim.stats().faults.dropConnections,
  };
}
