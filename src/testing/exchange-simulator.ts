import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { createError } from '../errors/index.js';
import { parse } from '../schemas/index.js';
import { createFaultState, type FaultState, SimFaultSpec, SimScenario } from './faults.js';
import { MatchingEngine } from './matching-engine.js';
import { createPrng, type Prng } from './prng.js';
import type {
  SimContext,
  SimRequest,
  SimResponse,
  SimSession,
  SimSocket,
  SimulatorProtocol,
} from './protocol.js';
import { type SimStats, StatsRecorder } from './stats.js';
import type { SimBook, SimEvent } from './types.js';

/**
 * Options of {@link ExchangeSimulator}.
 *
 * @example
 * new ExchangeSimulator({ protocol: createBinanceSimulatorProtocol(), seed: 7, eventsPerSecond: 50 });
 */
export interface ExchangeSimulatorOptions {
  /** The exchange personality (wire protocol) to speak. */
  readonly protocol: SimulatorProtocol;
  /** Seed of the market generator; the same seed gives the same frames. Default 1. */
  readonly seed?: number;
  /** TCP port on 127.0.0.1. Default 0 (any free port). */
  readonly port?: number;
  /** Market-maker levels per side. Default 20. */
  readonly levels?: number;
  /**
   * Market events per second; `'drain'` generates as fast as every socket drains (keeping
   * `bufferedAmount` under `highWaterMark`); 0 generates only on `sim.step()`. Default 10.
   */
  readonly eventsPerSecond?: number | 'drain';
  /** Stop generating after this many events. Default unlimited. */
  readonly maxEvents?: number;
  /** Stop generating after this long (ms). Default unlimited. */
  readonly durationMs?: number;
  /** Probability that a generated event is a taker trade. Default 0.3. */
  readonly tradeProbability?: number;
  /**
   * Clock for timestamps in frames and responses (epoch ms). Default `Date.now`. Pass a
   * deterministic clock to make frames byte-identical across runs.
   */
  readonly clock?: () => number;
  /** Requests made while a 429's `Retry-After` runs before the client is banned (418). Default 3. */
  readonly banAfterIgnored?: number;
  /** Length of a 418 ban (s). Default 120. */
  readonly banSeconds?: number;
  /** In `'drain'` mode, pause generation while any socket buffers more than this (bytes). Default 1 MiB. */
  readonly highWaterMark?: number;
}

interface Connection {
  readonly ws: WebSocket;
  readonly socket: SimSocket;
  session: SimSession | undefined;
}

interface ClientLimitState {
  retryUntil: number;
  ignored: number;
  bannedUntil: number;
}

/**
 * An exchange on loopback: an HTTP + WebSocket server on 127.0.0.1 speaking one
 * exchange's real wire protocol (the personality), with seeded markets, a matching engine,
 * injectable faults and the truth (`book()`, `stats()`) to compare a client against.
 *
 * @example
 * await using sim = await new ExchangeSimulator({
 *   protocol: createBinanceSimulatorProtocol(),
 *   seed: 42,
 * }).start();
 * const depth = await fetch(`${sim.httpUrl}/api/v3/depth?symbol=BTCUSDT`);
 * sim.book('BTCUSDT'); // the truth
 */
export class ExchangeSimulator {
  /** The matching engine (books, accounts, orders). */
  readonly engine: MatchingEngine;
  readonly #options: ExchangeSimulatorOptions;
  readonly #protocol: SimulatorProtocol;
  readonly #stats = new StatsRecorder();
  readonly #faults: FaultState = createFaultState();
  readonly #faultRng: Prng;
  readonly #now: () => number;
  readonly #ctx: SimContext;
  readonly #connections = new Set<Connection>();
  readonly #captures = new Set<SimSession>();
  readonly #limits = new Map<string, ClientLimitState>();
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly #listeners = new Set<(event: SimEvent) => void>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #eventWatchers: { at: number; fire: () => void }[] = [];
  #server: Server | undefined;
  #wss: WebSocketServer | undefined;
  #connSeq = 0;
  #loopTimer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #closed = false;
  #started = false;
  #finished = false;
  #resolveFinished: () => void = () => {};
  /** Resolves when `maxEvents` or `durationMs` is reached. */
  readonly finished: Promise<void>;

  constructor(options: ExchangeSimulatorOptions) {
    this.#options = options;
    this.#protocol = options.protocol;
    this.#now = options.clock ?? Date.now;
    const seed = options.seed ?? 1;
    this.#faultRng = createPrng(seed ^ 0x5bd1e995);
    this.finished = new Promise((resolve) => {
      this.#resolveFinished = resolve;
    });
    this.engine = new MatchingEngine({
      markets: this.#protocol.markets,
      rng: createPrng(seed),
      now: this.#now,
      levels: options.levels ?? 20,
      ...(options.tradeProbability !== undefined
        ? { tradeProbability: options.tradeProbability }
        : {}),
      emit: (event) => this.#dispatch(event),
    });
    const stats = this.#stats;
    const now = this.#now;
    this.#ctx = {
      engine: this.engine,
      now,
      stats: {
        violation: (kind) => stats.violation(kind),
        useWeight: (key, weight) => stats.useWeight(key, weight, now()),
        weightUsed: (key) => stats.weightUsed(key, now()),
      },
      countInWindow: (key, intervalMs, amount) => {
        const t = now();
        const start = t - (t % intervalMs);
        const id = `${key}|${intervalMs}`;
        let w = this.#windows.get(id);
        if (w === undefined || w.start !== start) {
          w = { start, count: 0 };
          this.#windows.set(id, w);
        }
        w.count += amount;
        return w.count;
      },
    };
    this.#protocol.init(this.#ctx);
  }

  /** The exchange this simulator speaks. */
  get exchange(): string {
    return this.#protocol.exchange;
  }

  /** The listening port (after `start()`). */
  get port(): number {
    const addr = this.#server?.address() as AddressInfo | null | undefined;
    if (addr == null) {
      throw createError('CLOSED', 'simulator: not listening; call start() first');
    }
    return addr.port;
  }

  /** `http://127.0.0.1:<port>`. */
  get httpUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** `ws://127.0.0.1:<port>`. */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Market ids in configuration order. */
  get markets(): string[] {
    return this.engine.marketIds;
  }

  /**
   * Starts listening and generating; resolves with the simulator itself.
   *
   * @example
   * const sim = await new ExchangeSimulator({ protocol }).start();
   */
  async start(options: { signal?: AbortSignal } = {}): Promise<this> {
    if (this.#started) return this;
    options.signal?.throwIfAborted();
    this.#started = true;
    const server = createServer((req, res) => {
      // A client that resets mid-request must not become an unhandled rejection.
      this.#onRequest(req, res).catch(() => res.destroy());
    });
    const wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });
    server.on('upgrade', (req, socket, head) => this.#onUpgrade(req, socket as Socket, head, wss));
    this.#server = server;
    this.#wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    if (this.#options.durationMs !== undefined) {
      this.#later(this.#options.durationMs, () => this.#finish());
    }
    this.#startLoop();
    return this;
  }

  /**
   * The truth book of a market in the exchange's wire format, with its sequence.
   *
   * @example
   * const { sequence, bids, asks } = sim.book('BTCUSDT', 5);
   */
  book(market: string, limit = Number.POSITIVE_INFINITY): SimBook {
    const m = this.engine.market(market);
    return {
      market,
      sequence: m.sequence,
      bids: m.bids.levels(limit).map((l) => this.#protocol.formatLevel(m.spec, l.price, l.total)),
      asks: m.asks.levels(limit).map((l) => this.#protocol.formatLevel(m.spec, l.price, l.total)),
    };
  }

  /**
   * Counters: frames sent, faults injected by kind, weight per window, limit violations.
   *
   * @example
   * sim.stats().faults.dropConnections; // 1
   */
  stats(): SimStats {
    return this.#stats.snapshot();
  }

  /**
   * Generates `count` market events now (also in manual mode, `eventsPerSecond: 0`).
   *
   * @example
   * sim.step(100);
   */
  step(count = 1): void {
    for (let i = 0; i < count; i++) this.#generateOne();
  }

  /**
   * Generates `events` market events and returns the exact frames a socket connected to
   * `path` would have received (after sending `send`), without any socket. Useful to
   * pre-build frames for flood benchmarks (serve them with {@link FixtureReplayer} at
   * `speed: Infinity`); afterwards `book()` is the book those frames lead to.
   *
   * @example
   * const frames = sim.captureFrames('/ws/btcusdt@depth@100ms', { events: 100_000 });
   */
  captureFrames(path: string, options: { events: number; send?: readonly string[] }): string[] {
    const frames: string[] = [];
    const url = new URL(path, 'ws://127.0.0.1');
    const decision = this.#protocol.acceptUpgrade(url);
    if (!decision.accept) {
      throw createError('INVALID_ARGUMENT', `simulator: ${path} is refused (${decision.status})`, {
        context: { argument: 'path' },
      });
    }
    const socket: SimSocket = {
      id: ++this.#connSeq,
      url,
      remoteAddress: '127.0.0.1',
      bufferedAmount: 0,
      send: (frame) => frames.push(frame),
      reply: (frame) => frames.push(frame),
      ping: () => {},
      close: () => {},
      terminate: () => {},
    };
    const session = this.#protocol.openSession(socket, this.#ctx);
    this.#captures.add(session);
    try {
      for (const m of options.send ?? []) session.onMessage(m);
      this.step(options.events);
    } finally {
      this.#captures.delete(session);
      session.onClose();
    }
    return frames;
  }

  /**
   * Calls `listener` with every engine event (market and account), in order. Returns a
   * function that removes it.
   *
   * @example
   * const off = sim.onEvent((e) => { if (e.type === 'trade') trades++; });
   */
  onEvent(listener: (event: SimEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Injects one fault now. Every injected fault is counted in `stats().faults`.
   *
   * @example
   * sim.inject({ kind: 'dropConnections' });
   * sim.inject({ kind: 'serverError', count: 2, status: 502 });
   */
  inject(fault: SimFaultSpec): void {
    const f = parse(SimFaultSpec, fault, 'simulator fault');
    const s = this.#faults;
    const now = Date.now();
    switch (f.kind) {
      case 'dropConnections':
        if (f.every !== undefined) s.dropEvery = f.every;
        if (f.probability !== undefined) s.dropProbability = f.probability;
        if (f.every === undefined && f.probability === undefined) this.#dropAll();
        return;
      case 'stall':
        s.stalledUntil = Math.max(s.stalledUntil, now + f.durationMs);
        this.#stats.fault('stall');
        return;
      case 'skipSequence':
        s.skipDepth += f.count;
        return;
      case 'duplicateEvents':
        s.duplicate += f.count;
        return;
      case 'malformedFrames':
        s.malformed += f.count;
        return;
      case 'rateLimit':
        s.rateLimit = {
          count: s.rateLimit.count + f.count,
          retryAfterSeconds: f.retryAfterSeconds,
        };
        return;
      case 'serverError':
        s.serverError = { count: s.serverError.count + f.count, status: f.status };
        return;
      case 'slowResponse':
        s.slow = {
          count: s.slow.count + f.count,
          delayMs: f.delayMs,
          after: f.phase === 'after',
        };
        return;
      case 'serverShutdown': {
        this.#stats.fault('serverShutdown');
        for (const c of this.#connections) {
          const notice = this.#protocol.shutdownNotice?.(c.socket);
          if (notice !== undefined) c.socket.send(notice);
        }
        const after = f.closeAfterMs;
        if (after !== undefined) {
          const targets = [...this.#connections];
          this.#later(after, () => {
            for (const c of targets) c.ws.close(1001, 'server shutdown');
          });
        }
        return;
      }
      case 'refuseConnections':
        if (f.count !== undefined) s.refuseCount += f.count;
        if (f.durationMs !== undefined) s.refuseUntil = Math.max(s.refuseUntil, now + f.durationMs);
        if (f.count === undefined && f.durationMs === undefined) s.refuseCount += 1;
        return;
    }
  }

  /** Clears every armed fault (a running stall ends now). */
  clearFaults(): void {
    Object.assign(this.#faults, createFaultState());
  }

  /** True while a stall fault holds every frame back. */
  get stalled(): boolean {
    return this.#faults.stalledUntil > Date.now();
  }

  /**
   * Runs a fault scenario (an object or the path of a JSON file); resolves once every step
   * has fired.
   *
   * @example
   * await sim.runScenario('fixtures/sim/drop-and-stall.json', { signal });
   */
  async runScenario(
    scenario: SimScenario | string,
    options: { signal?: AbortSignal } = {},
  ): Promise<void> {
    // Event counts and times run from the call, even while a scenario file is being read.
    const base = this.#stats.eventsGenerated;
    const t0 = Date.now();
    const raw: unknown =
      typeof scenario === 'string' ? JSON.parse(await readFile(scenario, 'utf8')) : scenario;
    const parsed = parse(SimScenario, raw, 'simulator scenario');
    const done = Promise.all(
      parsed.steps.map(
        (step) =>
          new Promise<void>((resolve, reject) => {
            const signal = options.signal;
            const fire = (): void => {
              signal?.removeEventListener('abort', onAbort);
              if (!this.#closed) this.inject(step.fault);
              resolve();
            };
            const onAbort = (): void => {
              reject(
                createError('ABORTED', 'simulator scenario aborted', { cause: signal?.reason }),
              );
            };
            if (signal?.aborted === true) return onAbort();
            signal?.addEventListener('abort', onAbort, { once: true });
            if ('atMs' in step) this.#later(Math.max(0, step.atMs - (Date.now() - t0)), fire);
            else this.#eventWatchers.push({ at: base + step.afterEvents, fire });
          }),
      ),
    );
    this.#fireEventWatchers();
    await done;
  }

  /**
   * Stops generating, closes every socket and the server.
   *
   * @example
   * await sim.close();
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#loopTimer !== undefined) clearTimeout(this.#loopTimer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const c of this.#connections) c.ws.terminate();
    this.#connections.clear();
    this.#wss?.close();
    const server = this.#server;
    if (server !== undefined && server.listening) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.#finish();
  }

  /** Same as {@link close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ------------------------------------------------------------------ market loop

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#loopTimer !== undefined) clearTimeout(this.#loopTimer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#loopTimer = undefined;
    this.#immediate = undefined;
    this.#resolveFinished();
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #generateOne(): void {
    if (this.#closed) return;
    const max = this.#options.maxEvents;
    if (max !== undefined && this.#stats.eventsGenerated >= max) return;
    this.#stats.eventsGenerated += 1;
    this.engine.generate();
    const n = this.#stats.eventsGenerated;
    const f = this.#faults;
    if (f.dropEvery > 0 && n % f.dropEvery === 0) this.#dropAll();
    else if (f.dropProbability > 0 && this.#faultRng.chance(f.dropProbability)) this.#dropAll();
    if (this.#eventWatchers.length > 0) this.#fireEventWatchers();
    if (max !== undefined && n >= max) this.#finish();
  }

  #fireEventWatchers(): void {
    const n = this.#stats.eventsGenerated;
    const due = this.#eventWatchers.filter((w) => n >= w.at).sort((a, b) => a.at - b.at);
    for (const w of due) {
      this.#eventWatchers.splice(this.#eventWatchers.indexOf(w), 1);
      w.fire();
    }
  }

  #startLoop(): void {
    const rate = this.#options.eventsPerSecond ?? 10;
    if (rate === 0) return;
    if (rate === 'drain') {
      const hwm = this.#options.highWaterMark ?? 1024 * 1024;
      const tick = (): void => {
        this.#loopTimer = undefined;
        if (this.#closed || this.#finished) return;
        let buffered = 0;
        for (const c of this.#connections) buffered = Math.max(buffered, c.ws.bufferedAmount);
        if (this.stalled || buffered > hwm) {
          this.#loopTimer = setTimeout(tick, 1);
          return;
        }
        for (let i = 0; i < 256 && !this.#finished; i++) this.#generateOne();
        // setImmediate, not setTimeout(0): timers are clamped to 1 ms, which would cap the rate.
        this.#immediate = setImmediate(tick);
      };
      this.#loopTimer = setTimeout(tick, 0);
      return;
    }
    const interval = Math.max(1, Math.floor(1000 / rate));
    const t0 = performance.now();
    let produced = 0;
    const tick = (): void => {
      this.#loopTimer = undefined;
      if (this.#closed || this.#finished) return;
      const due = Math.floor(((performance.now() - t0) * rate) / 1000);
      // Never burst more than a second's worth after a pause (stall, slow host).
      if (due - produced > rate) produced = due - Math.ceil(rate);
      if (this.stalled) produced = due;
      while (produced < due && !this.#finished) {
        produced += 1;
        this.#generateOne();
      }
      this.#loopTimer = setTimeout(tick, interval);
    };
    this.#loopTimer = setTimeout(tick, interval);
  }

  #dispatch(event: SimEvent): void {
    if (event.type === 'depth' && this.#faults.skipDepth > 0) {
      this.#faults.skipDepth -= 1;
      this.#stats.fault('skipSequence');
      return;
    }
    for (const listener of this.#listeners) listener(event);
    for (const session of this.#captures) session.onEvent(event);
    for (const c of this.#connections) {
      try {
        c.session?.onEvent(event);
      } catch (e) {
        this.#sessionFailed(c, e);
      }
    }
  }

  #dropAll(): void {
    this.#stats.fault('dropConnections');
    for (const c of this.#connections) c.ws.terminate();
  }

  #sessionFailed(c: Connection, _error: unknown): void {
    this.#stats.violation('simulatorSessionError');
    c.ws.close(1011, 'internal error');
  }

  // ------------------------------------------------------------------ HTTP

  #limitState(key: string): ClientLimitState {
    let s = this.#limits.get(key);
    if (s === undefined) {
      s = { retryUntil: 0, ignored: 0, bannedUntil: 0 };
      this.#limits.set(key, s);
    }
    return s;
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.#stats.httpRequests += 1;
    const remote = req.socket.remoteAddress ?? 'unknown';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawQuery = q >= 0 ? rawUrl.slice(q + 1) : '';
    const request: SimRequest = {
      method: req.method ?? 'GET',
      path: q >= 0 ? rawUrl.slice(0, q) : rawUrl,
      rawQuery,
      query: new URLSearchParams(rawQuery),
      headers: req.headers,
      rawBody: Buffer.concat(chunks).toString('utf8'),
      remoteAddress: remote,
    };
    let response: SimResponse;
    try {
      response = await this.#answer(request);
    } catch (e) {
      this.#stats.violation('simulatorHttpError');
      response = { status: 500, body: { error: e instanceof Error ? e.message : String(e) } };
    }
    if (this.#closed || res.destroyed) return;
    const body = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    const headers: Record<string, string> = {
      'content-type':
        typeof response.body === 'string' ? 'text/plain' : 'application/json;charset=UTF-8',
      ...response.headers,
    };
    res.writeHead(response.status, headers);
    res.end(body);
  }

  async #answer(req: SimRequest): Promise<SimResponse> {
    const f = this.#faults;
    const limit = this.#limitState(req.remoteAddress);
    const wall = Date.now();
    const banSeconds = this.#options.banSeconds ?? 120;
    if (limit.bannedUntil > wall) {
      const retry = Math.ceil((limit.bannedUntil - wall) / 1000);
      return this.#faultResponse(418, 'banned', retry);
    }
    if (limit.retryUntil > wall) {
      this.#stats.violation('ignoredRetryAfter');
      limit.ignored += 1;
      if (limit.ignored >= (this.#options.banAfterIgnored ?? 3)) {
        limit.bannedUntil = wall + banSeconds * 1000;
        limit.ignored = 0;
        limit.retryUntil = 0;
        this.#stats.fault('ban');
        return this.#faultResponse(418, 'banned', banSeconds);
      }
      return this.#faultResponse(429, 'rate-limited', Math.ceil((limit.retryUntil - wall) / 1000));
    }
    if (f.rateLimit.count > 0) {
      f.rateLimit.count -= 1;
      this.#stats.fault('rateLimit');
      limit.retryUntil = wall + f.rateLimit.retryAfterSeconds * 1000;
      return this.#faultResponse(429, 'rate-limited', f.rateLimit.retryAfterSeconds);
    }
    if (f.serverError.count > 0) {
      f.serverError.count -= 1;
      this.#stats.fault('serverError');
      return { status: f.serverError.status, body: this.#protocol.faultBody('server-error', 0) };
    }
    let delayAfter = 0;
    if (f.slow.count > 0) {
      f.slow.count -= 1;
      this.#stats.fault('slowResponse');
      const delay = f.slow.delayMs;
      if (f.slow.after) delayAfter = delay;
      else await new Promise<void>((resolve) => this.#later(delay, resolve));
    }
    const response = await this.#protocol.handleHttp(req, this.#ctx);
    if (delayAfter > 0) await new Promise<void>((resolve) => this.#later(delayAfter, resolve));
    if (response.status === 429) {
      const after = Number(
        response.headers?.['Retry-After'] ?? response.headers?.['retry-after'] ?? 1,
      );
      limit.retryUntil = wall + (Number.isFinite(after) ? after : 1) * 1000;
    }
    return response;
  }

  #faultResponse(
    status: number,
    kind: 'rate-limited' | 'banned',
    retryAfterSeconds: number,
  ): SimResponse {
    return {
      status,
      headers: { 'Retry-After': String(retryAfterSeconds) },
      body: this.#protocol.faultBody(kind, retryAfterSeconds),
    };
  }

  // ------------------------------------------------------------------ WebSocket

  #onUpgrade(req: IncomingMessage, socket: Socket, head: Buffer, wss: WebSocketServer): void {
    socket.on('error', () => {});
    const f = this.#faults;
    const refuse = (status: number, reason: string): void => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroySoon();
    };
    if (this.#closed) return refuse(503, 'Service Unavailable');
    if (f.refuseCount > 0 || f.refuseUntil > Date.now()) {
      if (f.refuseCount > 0) f.refuseCount -= 1;
      this.#stats.fault('refuseConnections');
      return refuse(503, 'Service Unavailable');
    }
    const url = new URL(req.url ?? '/', 'ws://127.0.0.1');
    const decision = this.#protocol.acceptUpgrade(url);
    if (!decision.accept) return refuse(decision.status, decision.reason);
    wss.handleUpgrade(req, socket, head, (ws) => this.#onConnection(ws, req, url));
  }

  #onConnection(ws: WebSocket, req: IncomingMessage, url: URL): void {
    if (this.#closed) {
      ws.terminate();
      return;
    }
    const stats = this.#stats;
    const faults = this.#faults;
    const isStalled = (): boolean => faults.stalledUntil > Date.now();
    const raw = (frame: string): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.send(frame);
      stats.framesSent += 1;
    };
    const socket: SimSocket = {
      id: ++this.#connSeq,
      url,
      remoteAddress: req.socket.remoteAddress ?? 'unknown',
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      send(frame) {
        if (isStalled()) return;
        if (faults.malformed > 0) {
          faults.malformed -= 1;
          stats.fault('malformedFrames');
          raw(frame.slice(0, Math.max(1, frame.length >> 1)));
        }
        raw(frame);
        if (faults.duplicate > 0) {
          faults.duplicate -= 1;
          stats.fault('duplicateEvents');
          raw(frame);
        }
      },
      reply(frame) {
        if (!isStalled()) raw(frame);
      },
      ping(payload) {
        if (!isStalled() && ws.readyState === WebSocket.OPEN) ws.ping(payload ?? '');
      },
      close(code, reason) {
        ws.close(code, reason);
      },
      terminate() {
        ws.terminate();
      },
    };
    const conn: Connection = { ws, socket, session: undefined };
    this.#connections.add(conn);
    stats.connectionsOpened += 1;
    stats.connectionsOpen += 1;
    const guard = (fn: () => void): void => {
      try {
        fn();
      } catch (e) {
        this.#sessionFailed(conn, e);
      }
    };
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      stats.messagesReceived += 1;
      const text = isBinary ? '' : Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
      guard(() => conn.session?.onMessage(text));
    });
    ws.on('ping', (payload) => {
      stats.messagesReceived += 1;
      guard(() => conn.session?.onPing?.());
      if (!isStalled() && ws.readyState === WebSocket.OPEN) ws.pong(payload);
    });
    ws.on('pong', (payload) => guard(() => conn.session?.onPong?.(payload.toString('utf8'))));
    ws.on('close', () => {
      this.#connections.delete(conn);
      stats.connectionsOpen -= 1;
      guard(() => conn.session?.onClose());
    });
    guard(() => {
      conn.session = this.#protocol.openSession(socket, this.#ctx);
    });
  }
}
