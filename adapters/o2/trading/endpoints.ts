import { z } from 'zod';
import type { EndpointTable } from '../../../src/adapter/exchange-adapter.js';
import {
  O2CreateAccountResponse,
  O2ErrorBody,
  O2MarketSummaryResponse,
  O2SessionActionsResponse,
  O2SessionResponse,
} from '../schemas/index.js';

/**
 * `PUT /v1/session` as the adapter reads it: the session transaction, or an error body that
 * came with a 2xx status (O2 sends pre-flight rejections with HTTP 200 on its signed routes).
 *
 * @example
 * const r = O2SessionOutcome.parse(body);
 * if (r.outcome === 'error') throw mapO2Error(r.body, { status: 200 });
 */
export const O2SessionOutcome = z.union([
  O2SessionResponse.transform((r) => ({ outcome: 'success' as const, ...r })),
  O2ErrorBody.transform((body) => ({ outcome: 'error' as const, body })),
]);
export type O2SessionOutcome = z.output<typeof O2SessionOutcome>;

/**
 * The trading half of O2's REST endpoints, declared as data and merged into
 * `O2_ENDPOINTS`. Writes are never retried automatically (`idempotent: false`) and draw on
 * the documented per-owner pools of `O2_RATE_LIMITS` (`session`, `sessionActions` at 5/s,
 * `createAccount` at 1/s). Their `O2-Owner-Id` header comes from the adapter's credentials.
 *
 * @example
 * O2_TRADING_ENDPOINTS.sessionActions.throttle.key; // 'sessionActions'
 */
export const O2_TRADING_ENDPOINTS = {
  summary: {
    method: 'GET',
    path: '/v1/markets/summary',
    what: 'o2 market summary',
    schema: O2MarketSummaryResponse,
  },
  createAccount: {
    method: 'POST',
    path: '/v1/accounts',
    what: 'o2 POST /v1/accounts',
    idempotent: false,
    throttle: { key: 'createAccount', weight: 1 },
    schema: O2CreateAccountResponse,
  },
  session: {
    method: 'PUT',
    path: '/v1/session',
    what: 'o2 PUT /v1/session',
    idempotent: false,
    throttle: { key: 'session', weight: 1 },
    schema: O2SessionOutcome,
  },
  sessionActions: {
    method: 'POST',
    path: '/v1/session/actions',
    what: 'o2 POST /v1/session/actions',
    idempotent: false,
    throttle: { key: 'sessionActions', weight: 1 },
    schema: O2SessionActionsResponse,
  },
} as const satisfies EndpointTable;
