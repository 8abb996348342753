import type { SimEvent, SimSession, SimSocket } from '../../../src/testing/index.js';
import { type BinanceFrameCache, type BinanceStreamName, parseStreamName } from './frames.js';
import type { BinanceSimState } from './state.js';

type ControlId = number | string | null;

function validId(id: unknown): id is ControlId {
  if (id === null) return true;
  if (typeof id === 'number') return Number.isInteger(id);
  return typeof id === 'string' && /^[a-zA-Z0-9]{1,36}$/.test(id);
}

/**
 * One market-stream connection (`/ws/...` raw or `/stream?streams=` combined): live
 * SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY, server pings, and the
 * 5 messages/s and 1024 streams limits enforced the way Binance does.
 */
export class BinanceStreamSession implements SimSession {
  readonly #state: BinanceSimState;
  readonly #socket: SimSocket;
  readonly #frames: BinanceFrameCache;
  readonly #streams = new Map<string, BinanceStreamName>();
  #combined: boolean;
  #windowStart = 0;
  #windowCount = 0;
  #lastPong = Date.now();
  readonly #pingTimer: NodeJS.Timeout;
  #closed = false;

  constructor(
    state: BinanceSimState,
    socket: SimSocket,
    frames: BinanceFrameCache,
    initial: readonly BinanceStreamName[],
    combined: boolean,
  ) {
    this.#state = state;
    this.#socket = socket;
    this.#frames = frames;
    this.#combined = combined;
    for (const s of initial) this.#streams.set(s.name, s);
    this.#pingTimer = setInterval(() => this.#heartbeat(), state.pingIntervalMs);
    this.#pingTimer.unref();
  }

  #heartbeat(): void {
    if (Date.now() - this.#lastPong > this.#state.pongTimeoutMs) {
      this.#state.ctx.stats.violation('missedPong');
      this.#socket.terminate();
      return;
    }
    this.#socket.ping(String(this.#state.ctx.now()));
  }

  /** Counts one incoming message; false (and the socket is closed) when over the limit. */
  #countIncoming(): boolean {
    const now = Date.now();
    const second = now - (now % 1000);
    if (second !== this.#windowStart) {
      this.#windowStart = second;
      this.#windowCount = 0;
    }
    this.#windowCount += 1;
    if (this.#windowCount > this.#state.maxMessagesPerSecond) {
      if (this.#windowCount === this.#state.maxMessagesPerSecond + 1) {
        this.#state.ctx.stats.violation('wsMessageRate');
        this.#socket.close(1008, 'Too many messages');
      }
      return false;
    }
    return true;
  }

  onPing(): void {
    this.#countIncoming();
  }

  onPong(): void {
    this.#lastPong = Date.now();
    this.#countIncoming();
  }

  onMessage(text: string): void {
    if (!this.#countIncoming()) return;
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      this.#error(3, 'Invalid JSON: expected value at line 1 column 1', null);
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.#error(2, 'Invalid request: request must be an object', null);
      return;
    }
    const { method, params, id } = msg as { method?: unknown; params?: unknown; id?: unknown };
    if (!validId(id)) {
      this.#error(
        2,
        "Invalid request: 'id' must be an integer, a string of at most 36 alphanumeric characters, or null",
        null,
      );
      return;
    }
    switch (method) {
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE': {
        if (!Array.isArray(params) || params.some((p) => typeof p !== 'string')) {
          this.#error(2, 'Invalid request: params must be an array of stream names', id);
          return;
        }
        const parsed: BinanceStreamName[] = [];
        for (const name of params as string[]) {
          const s = parseStreamName(this.#state, name);
          if (s === undefined) {
            this.#error(2, `Invalid request: invalid stream name '${name}'`, id);
            return;
          }
          parsed.push(s);
        }
        if (method === 'SUBSCRIBE') {
          const added = parsed.filter((s) => !this.#streams.has(s.name)).length;
          if (this.#streams.size + added > this.#state.maxStreams) {
            this.#state.ctx.stats.violation('wsStreamLimit');
            this.#error(
              2,
              `Invalid request: too many streams; the limit is ${this.#state.maxStreams} per connection`,
              id,
            );
            return;
          }
          for (const s of parsed) this.#streams.set(s.name, s);
        } else {
          for (const s of parsed) this.#streams.delete(s.name);
        }
        this.#reply({ result: null, id });
        return;
      }
      case 'LIST_SUBSCRIPTIONS':
        this.#reply({ result: [...this.#streams.keys()], id });
        return;
      case 'SET_PROPERTY': {
        if (!Array.isArray(params) || params[0] !== 'combined') {
          this.#error(0, 'Unknown property', id);
          return;
        }
        if (typeof params[1] !== 'boolean') {
          this.#error(1, 'Invalid value type: expected Boolean', id);
          return;
        }
        this.#combined = params[1];
        this.#reply({ result: null, id });
        return;
      }
      case 'GET_PROPERTY':
        if (!Array.isArray(params) || params[0] !== 'combined') {
          this.#error(0, 'Unknown property', id);
          return;
        }
        this.#reply({ result: this.#combined, id });
        return;
      default:
        this.#error(2, 'Invalid request: unknown method', id);
    }
  }

  onEvent(event: SimEvent): void {
    if (this.#closed || (event.type !== 'depth' && event.type !== 'trade')) return;
    for (const s of this.#streams.values()) {
      if (s.market !== event.market) continue;
      for (const payload of this.#frames.frames(event, s)) {
        this.#socket.send(
          this.#combined ? `{"stream":${JSON.stringify(s.name)},"data":${payload}}` : payload,
        );
      }
    }
  }

  onClose(): void {
    this.#closed = true;
    clearInterval(this.#pingTimer);
  }

  #reply(body: object): void {
    this.#socket.reply(JSON.stringify(body));
  }

  #error(code: number, msg: string, id: ControlId): void {
    this.#reply({ code, msg, id });
  }
}
