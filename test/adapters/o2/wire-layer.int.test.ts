// The wire layer end to end against the simulator's O2 personality (an independent
// implementation of the same protocol doc): signed request builders, scaling from human
// units, response schemas and the error map, over real HTTP on 127.0.0.1.
import { ExchangeSimulator } from '../../../src/testing/index.js';
import { createO2SimulatorProtocol } from '../../../adapters/o2/simulator/index.js';
import { createFuelWallet, createSessionKey, type Hex } from '../../../adapters/o2/crypto/index.js';
import { mapO2Error } from '../../../adapters/o2/errors.js';
import {
  createO2SessionActionsRequest,
  createO2SessionRequest,
  o2CancelOrderAction,
  o2CreateOrderAction,
  o2SettleBalanceAction,
} from '../../../adapters/o2/requests.js';
import { prepareO2Order, unscaleO2Price } from '../../../adapters/o2/scaling.js';
import {
  normalizeO2Market,
  O2AccountResponse,
  O2CreateAccountResponse,
  O2DepthResponse,
  O2MarketsResponse,
  O2SessionActionsResponse,
  O2SessionResponse,
  type O2Market,
} from '../../../adapters/o2/schemas/index.js';
import { parse } from '../../../src/schemas/index.js';

let sim: ExchangeSimulator;

beforeAll(async () => {
  sim = await new ExchangeSimulator({
    protocol: createO2SimulatorProtocol(),
    seed: 5,
    eventsPerSecond: 0,
    levels: 6,
  }).start();
});

afterAll(async () => {
  await sim.close();
});

async function http(
  method: string,
  path: string,
  body?: unknown,
  owner?: string,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.httpUrl}${path}`, {
    method,
    headers: {
      'Content-Type': 'application/json',
      ...(owner === undefined ? {} : { 'O2-Owner-Id': owner }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

describe('O2 wire layer against the simulator', () => {
  it('creates a session, places, reverts and cancels using only the wire-layer builders', async () => {
    const markets = parse(O2MarketsResponse, (await http('GET', '/v1/markets')).body, 'markets');
    const m: O2Market = markets.markets[0]!;
    const info = normalizeO2Market(m);
    const signing = {
      marketId: m.market_id as Hex,
      contractId: m.contract_id as Hex,
      baseAssetId: m.base.asset as Hex,
      quoteAssetId: m.quote.asset as Hex,
      baseDecimals: m.base.decimals,
    };

    const owner = createFuelWallet(`0x${'c3'.repeat(32)}`);
    const created = parse(
      O2CreateAccountResponse,
      (await http('POST', '/v1/accounts', { identity: { Address: owner.b256Address } })).body,
      'account',
    );
    const account = created.trade_account_id as Hex;
    const nonceOf = async (): Promise<bigint> =>
      parse(
        O2AccountResponse,
        (await http('GET', `/v1/accounts?trade_account_id=${account}`)).body,
        'account',
      ).trade_account!.nonce;

    const session = createSessionKey();
    const put = await http(
      'PUT',
      '/v1/session',
      createO2SessionRequest({
        owner,
        tradeAccountId: account,
        sessionKey: session,
        contractIds: [m.contract_id as Hex],
        nonce: await nonceOf(),
        chainId: markets.chain_id,
        expiry: BigInt(Math.floor(Date.now() / 1000) + 3600),
      }),
      owner.b256Address,
    );
    expect(put.status).toBe(200);
    expect(parse(O2SessionResponse, put.body, 'session').session_id).toEqual({
      Address: session.b256Address,
    });

    const send = async (actions: ReturnType<typeof o2CancelOrderAction>[], forge = false) => {
      const body = createO2SessionActionsRequest({
        sessionKey: session,
        tradeAccountId: account,
        nonce: await nonceOf(),
        groups: [{ market: signing, actions }],
        collectOrders: true,
      });
      if (forge) {
        const sig = body.signature.Secp256k1;
        body.signature = {
          Secp256k1: `${sig.slice(0, 10)}${sig[10] === '0' ? '1' : '0'}${sig.slice(11)}`,
        };
      }
      const r = await http('POST', '/v1/session/actions', body, owner.b256Address);
      return {
        status: r.status,
        body: r.body,
        parsed: parse(O2SessionActionsResponse, r.body, 'actions'),
      };
    };

    // A resting buy two ticks of the book below the best bid, scaled from human units.
    const depth = parse(
      O2DepthResponse,
      (await http('GET', `/v1/depth?market_id=${m.market_id}&precision=10`)).body,
      'depth',
    );
    const lowBid = depth.buys[depth.buys.length - 1]!.price;
    const order = prepareO2Order(
      { price: unscaleO2Price(lowBid, m), quantity: info.stepSize! },
      { ...m, min_order: undefined },
    );
    const placed = await send([
      o2SettleBalanceAction(account),
      o2CreateOrderAction({ side: 'buy', ...order, orderType: 'Spot' }),
    ]);
    expect(placed.parsed.outcome).toBe('success');
    if (placed.parsed.outcome !== 'success') throw new Error('unreachable');
    const orderId = placed.parsed.orders![0]!.order_id as Hex;
    expect(placed.parsed.orders![0]!.price).toBe(String(order.price));
    const afterPlace = await nonceOf();

    // A forged signature: pre-flight 4000, mapped to AUTH_INVALID_SIGNATURE; nonce kept.
    const forged = await send([o2CancelOrderAction(orderId)], true);
    expect(forged.parsed.outcome).toBe('preflight');
    expect(mapO2Error(forged.body, { status: forged.status }).code).toBe('AUTH_INVALID_SIGNATURE');
    expect(await nonceOf()).toBe(afterPlace);

    // A post-only buy at the best ask would cross: on-chain revert, nonce consumed.
    const ask = depth.sells[0]!.price;
    const crossing = await send([
      o2CreateOrderAction({
        side: 'buy',
        price: BigInt(ask),
        quantity: order.quantity,
        orderType: 'PostOnly',
      }),
    ]);
    expect(crossing.parsed.outcome).toBe('reverted');
    const reverted = mapO2Error(crossing.body, { status: crossing.status });
    expect(reverted.code).toBe('EXCHANGE_REVERTED');
    expect(reverted.context).toMatchObject({ reason: 'OrderCreationError::OrderPartiallyFilled' });
    expect(await nonceOf()).toBe(afterPlace + 1n);

    // A stale nonce reverts with NonceError::InvalidNonce → NONCE_MISMATCH.
    const stale = await http(
      'POST',
      '/v1/session/actions',
      createO2SessionActionsRequest({
        sessionKey: session,
        tradeAccountId: account,
        nonce: afterPlace - 1n,
        groups: [{ market: signing, actions: [o2CancelOrderAction(orderId)] }],
      }),
      owner.b256Address,
    );
    expect(mapO2Error(stale.body, { status: stale.status }).code).toBe('NONCE_MISMATCH');

    const cancelled = await send([o2CancelOrderAction(orderId)]);
    expect(cancelled.parsed.outcome).toBe('success');
    if (cancelled.parsed.outcome !== 'success') throw new Error('unreachable');
    expect(cancelled.parsed.orders![0]).toMatchObject({ order_id: orderId, cancel: true });
  });
});
