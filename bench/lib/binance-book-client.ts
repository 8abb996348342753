// One side of the binance-vs-ccxt bench, in its own process: keeps a BTCUSDT order book
// from the simulator's diff stream and reports how fast, at what CPU cost, and whether it
// ended equal to the truth.
//   tickwire: BinanceAdapter.watchOrderBook('BTC/USDT', { depth: 10 })
//   ccxt:     ccxt.pro.binance watchOrderBook('BTC/USDT') (URLs pointed at the simulator)
//   raw:      ws + JSON.parse + a Map book with the documented sync (binance-spot.md §7)
// Protocol (IPC): → { type: 'start', side, httpUrl, wsUrl, target } ← { type: 'ready' }
//   → { type: 'go' } ← ClientResult
import { WebSocket } from 'ws';
import { BinanceAdapter } from '../../adapters/binance/index.js';
import type { OrderBookView } from '../../src/book/index.js';

export type Side = 'tickwire' | 'ccxt' | 'raw';

export interface ClientStart {
  readonly type: 'start';
  readonly side: Side;
  readonly httpUrl: string;
  readonly wsUrl: string;
  /** Update id the book reaches once the run's last event is applied. */
  readonly target: number;
}

export interface ClientResult {
  readonly type: 'result';
  readonly side: Side;
  readonly wallMs: number;
  readonly cpuUs: number;
  readonly sequence: number;
  /** Levels as the side keeps them: exact strings (tickwire, raw) or numbers (ccxt). */
  readonly bids: readonly (readonly [string | number, string | number])[];
  readonly asks: readonly (readonly [string | number, string | number])[];
  /** hrtime (ns) at which the book was correct again after each desync. */
  readonly resyncedAtNs: readonly string[];
  readonly errors: number;
}

type Level = readonly [string | number, string | number];

interface Runner {
  /** Resolves when the book first syncs. */
  readonly ready: Promise<void>;
  /** Resolves when the book has applied `target`. */
  readonly finished: Promise<void>;
  book(): Promise<{ sequence: number; bids: Level[]; asks: Level[] }>;
  readonly resyncedAtNs: string[];
  errors: number;
  close(): Promise<void>;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const now = (): string => process.hrtime.bigint().toString();

function tickwireRunner(s: ClientStart): Runner {
  const adapter = new BinanceAdapter({
    restUrl: s.httpUrl,
    wsUrl: s.wsUrl,
    wsApiUrl: `${s.wsUrl}/ws-api/v3`,
  });
  const ready = deferred();
  const finished = deferred();
  let final: OrderBookView | undefined;
  const r: Runner = {
    ready: ready.promise,
    finished: finished.promise,
    resyncedAtNs: [],
    errors: 0,
    book: () => {
      const v = final!;
      return Promise.resolve({
        sequence: v.sequence ?? -1,
        bids: v.bids().map((l) => [l.price, l.quantity] as const),
        asks: v.asks().map((l) => [l.price, l.quantity] as const),
      });
    },
    close: () => adapter.close(),
  };
  let desynced = false;
  let synced = false;
  adapter.events.on((e) => {
    if (e.type === 'resynced') desynced = true;
    else if (e.type === 'error') r.errors++;
  });
  void (async () => {
    for await (const view of adapter.watchOrderBook('BTC/USDT', { depth: 10 })) {
      if (!view.isSynced) continue;
      if (desynced) {
        desynced = false;
        r.resyncedAtNs.push(now());
      }
      if (!synced) {
        synced = true;
        ready.resolve();
      }
      if ((view.sequence ?? -1) >= s.target) {
        // The whole book at that moment, before leaving the loop releases it.
        final = adapter.orderBookView('BTC/USDT');
        finished.resolve();
        return;
      }
    }
  })();
  return r;
}

interface CcxtOrderBook {
  readonly nonce?: number;
  readonly bids: [number, number][];
  readonly asks: [number, number][];
}
interface CcxtBinance {
  urls: { api: { public: string; ws: { spot: string } } };
  loadMarkets(): Promise<unknown>;
  loadHttpProxyAgent(): Promise<unknown>;
  watchOrderBook(symbol: string): Promise<CcxtOrderBook>;
  close(): Promise<void>;
}

function ccxtRunner(s: ClientStart): Runner {
  // ccxt is a devDependency used only here; its own typings are not loaded into tsc.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ccxt = require('ccxt') as {
    pro: { binance: new (config: object) => CcxtBinance };
  };
  const ex = new ccxt.pro.binance({
    options: { fetchMarkets: { types: ['spot'] }, defaultType: 'spot' },
  });
  ex.urls.api.public = `${s.httpUrl}/api/v3`;
  // ccxt appends "/<stream index>" to this URL; the query keeps the simulator's path at /ws
  // (raw frames), and "/stream" in the URL marks it as a spot connection for ccxt.
  ex.urls.api.ws.spot = `${s.wsUrl}/ws?ccxt=/stream`;
  const ready = deferred();
  const finished = deferred();
  let last: CcxtOrderBook | undefined;
  const r: Runner = {
    ready: ready.promise,
    finished: finished.promise,
    resyncedAtNs: [],
    errors: 0,
    book: () =>
      Promise.resolve({
        sequence: last?.nonce ?? -1,
        bids: (last?.bids ?? []).map(([p, q]) => [p, q] as const),
        asks: (last?.asks ?? []).map(([p, q]) => [p, q] as const),
      }),
    close: () => ex.close(),
  };
  void (async () => {
    // ccxt refuses a plain ws:// URL until its node:http agent is loaded.
    await ex.loadHttpProxyAgent();
    await ex.loadMarkets();
    let desynced = false;
    let synced = false;
    for (;;) {
      try {
        const ob = await ex.watchOrderBook('BTC/USDT');
        last = ob;
        if (desynced) {
          desynced = false;
          r.resyncedAtNs.push(now());
        }
        if (!synced) {
          synced = true;
          ready.resolve();
        }
        if ((ob.nonce ?? -1) >= s.target) {
          finished.resolve();
          return;
        }
      } catch {
        // A gap (ChecksumError) or a dropped socket: ccxt drops the book; watching again
        // resubscribes and fetches a new snapshot.
        r.errors++;
        desynced = true;
      }
    }
  })();
  return r;
}

interface Diff {
  readonly U: number;
  readonly u: number;
  readonly b: [string, string][];
  readonly a: [string, string][];
}

function rawRunner(s: ClientStart): Runner {
  const ready = deferred();
  const finished = deferred();
  const bids = new Map<string, string>();
  const asks = new Map<string, string>();
  let bookId = -1;
  let synced = false;
  let everSynced = false;
  let buffer: Diff[] = [];
  let fetching = false;
  let ws: WebSocket | undefined;
  let closed = false;
  let done = false;
  const r: Runner = {
    ready: ready.promise,
    finished: finished.promise,
    resyncedAtNs: [],
    errors: 0,
    book: () => {
      const sorted = (m: Map<string, string>, desc: boolean): Level[] =>
        [...m.entries()].sort((x, y) =>
          desc ? Number(y[0]) - Number(x[0]) : Number(x[0]) - Number(y[0]),
        );
      return Promise.resolve({
        sequence: bookId,
        bids: sorted(bids, true),
        asks: sorted(asks, false),
      });
    },
    close: () => {
      closed = true;
      ws?.terminate();
      return Promise.resolve();
    },
  };
  const apply = (side: Map<string, string>, levels: [string, string][]): void => {
    for (let i = 0; i < levels.length; i++) {
      const l = levels[i]!;
      if (Number(l[1]) === 0) side.delete(l[0]);
      else side.set(l[0], l[1]);
    }
  };
  const desync = (d: Diff | undefined): void => {
    r.errors++;
    synced = false;
    buffer = d === undefined ? [] : [d];
    if (d !== undefined) void snapshot();
  };
  const onDiff = (d: Diff): void => {
    if (!synced) {
      buffer.push(d);
      if (!fetching) void snapshot();
      return;
    }
    if (d.u <= bookId) return;
    if (d.U > bookId + 1) return desync(d);
    apply(bids, d.b);
    apply(asks, d.a);
    bookId = d.u;
    if (!done && bookId >= s.target) {
      done = true;
      finished.resolve();
    }
  };
  const snapshot = async (): Promise<void> => {
    fetching = true;
    try {
      for (;;) {
        const res = await fetch(`${s.httpUrl}/api/v3/depth?symbol=BTCUSDT&limit=1000`);
        const snap = (await res.json()) as {
          lastUpdateId: number;
          bids: [string, string][];
          asks: [string, string][];
        };
        if (snap.lastUpdateId < (buffer[0]?.U ?? 0)) continue;
        bids.clear();
        asks.clear();
        apply(bids, snap.bids);
        apply(asks, snap.asks);
        bookId = snap.lastUpdateId;
        const pending = buffer;
        buffer = [];
        synced = true;
        if (everSynced) r.resyncedAtNs.push(now());
        everSynced = true;
        ready.resolve();
        for (const d of pending) {
          onDiff(d);
          if (!synced) return;
        }
        return;
      }
    } finally {
      fetching = false;
    }
  };
  const connect = (): void => {
    const socket = new WebSocket(`${s.wsUrl}/stream`);
    ws = socket;
    socket.on('open', () =>
      socket.send('{"method":"SUBSCRIBE","params":["btcusdt@depth@100ms"],"id":1}'),
    );
    socket.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { stream?: string; data?: Diff };
      if (m.data !== undefined) onDiff(m.data);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (closed) return;
      synced = false;
      buffer = [];
      r.errors++;
      connect();
    });
  };
  connect();
  return r;
}

let runner: Runner | undefined;
let t0 = 0n;
let cpu0: NodeJS.CpuUsage | undefined;
let side: Side = 'raw';

process.on('message', (m: ClientStart | { type: 'go' }) => {
  if (m.type === 'start') {
    side = m.side;
    runner =
      m.side === 'tickwire' ? tickwireRunner(m) : m.side === 'ccxt' ? ccxtRunner(m) : rawRunner(m);
    void runner.ready.then(() => process.send!({ type: 'ready' }));
    return;
  }
  const r = runner!;
  t0 = process.hrtime.bigint();
  cpu0 = process.cpuUsage();
  void r.finished.then(async () => {
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    const book = await r.book();
    const result: ClientResult = {
      type: 'result',
      side,
      wallMs,
      cpuUs: cpu.user + cpu.system,
      sequence: book.sequence,
      bids: book.bids,
      asks: book.asks,
      resyncedAtNs: r.resyncedAtNs,
      errors: r.errors,
    };
    process.send!(result, () => {
      void r.close().finally(() => process.exit(0));
    });
  });
});

// The bench ends a run with SIGTERM; exiting normally lets `node --cpu-prof` (inherited by
// fork) write this client's profile.
process.on('SIGTERM', () => process.exit(0));
