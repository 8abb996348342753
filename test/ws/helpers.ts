import {
  WsConnection,
  WsManager,
  type WsEvent,
  type WsManagerOptions,
} from '../../src/ws/index.js';
import * as nativeSocket from '../../src/ws/native-socket.js';

/** The test protocol: `{op:'sub'|'unsub', key}` from the client, `{key, seq, …}` from the server. */
export interface TestMsg {
  readonly key?: string;
  readonly seq?: number;
  readonly id?: number;
  readonly op?: string;
  readonly [k: string]: unknown;
}

export const router = (m: TestMsg): string | undefined => m.key;

/** The WebSocket clients every integration suite runs over (`describe.each(TRANSPORTS)`). */
export const TRANSPORTS = ['ws', 'native'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/**
 * Proves that a suite really runs over `transport`: call-through spies on the native
 * client's connect and on `WsConnection.open`, checked after each test. The 'ws' run never
 * connects natively; the 'native' run does whenever a test opened a connection to a
 * ws:// or wss:// URL at all.
 * Call inside the `describe.each(TRANSPORTS)` body.
 */
export function expectTransportUsed(transport: Transport): void {
  let native: jest.SpiedFunction<typeof nativeSocket.connectNative> | undefined;
  let open: jest.SpiedFunction<WsConnection['open']> | undefined;
  beforeEach(() => {
    native = jest.spyOn(nativeSocket, 'connectNative');
    open = jest.spyOn(WsConnection.prototype, 'open');
  });
  afterEach(() => {
    const nativeConnects = native!.mock.calls.length;
    // Opens refused before any socket (a URL that is not ws:// or wss://) do not count.
    const opens = open!.mock.contexts.filter((c) => /^wss?:/.test((c as WsConnection).url)).length;
    native!.mockRestore();
    open!.mockRestore();
    if (transport === 'ws') expect(nativeConnects).toBe(0);
    else if (opens > 0) expect(nativeConnects).toBeGreaterThan(0);
  });
}

export function channel(key: string, isPrivate = false) {
  return {
    key,
    subscribe: () => ({ op: 'sub', key }),
    unsubscribe: () => ({ op: 'unsub', key }),
    private: isPrivate,
  };
}

/** Resolves with the first event of `type` that matches, or rejects after `ms`. */
export function nextEvent<TType extends WsEvent['type']>(
  m: WsManager<TestMsg>,
  type: TType,
  match: (e: Extract<WsEvent, { type: TType }>) => boolean = () => true,
  ms = 5000,
): Promise<Extract<WsEvent, { type: TType }>> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for event ${type}`));
    }, ms);
    const off = m.events.on(type, (e) => {
      if (!match(e)) return;
      clearTimeout(t);
      off();
      resolve(e);
    });
  });
}

/** Reads `n` values from an iterator (rejects after `ms`). */
export async function take<T>(it: AsyncIterator<T>, n: number, ms = 5000): Promise<T[]> {
  const out: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${out.length}/${n} values`)), ms);
  });
  try {
    while (out.length < n) {
      const r = await Promise.race([it.next(), timeout]);
      if (r.done) break;
      out.push(r.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return out;
}

/** Collects every error code reported on the event stream. */
export function errorCodes(m: WsManager<TestMsg>): string[] {
  const codes: string[] = [];
  m.events.on('error', (e) => codes.push(e.error.code));
  return codes;
}

/**
 * A manager for the test protocol against `url`: fast backoff without jitter, no heartbeat,
 * a send rate that never paces a test. Pushed onto `into`, which the file's afterEach closes.
 */
export function testManager(
  url: string,
  into: WsManager<TestMsg>[],
  extra: Partial<WsManagerOptions<TestMsg>> = {},
): WsManager<TestMsg> {
  const m = new WsManager<TestMsg>({
    url,
    router,
    backoff: { base: 10, cap: 50, jitter: 0, resetAfter: 10_000 },
    heartbeat: false,
    sendLimit: { messagesPerSecond: 1000, headroom: 0 },
    ...extra,
  });
  into.push(m);
  return m;
}
