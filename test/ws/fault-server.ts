import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** One frame the server received, with its arrival time (ms, performance clock). */
export interface Received {
  readonly at: number;
  readonly conn: number;
  readonly text: string;
  readonly json: unknown;
}

/**
 * A real `ws` server on 127.0.0.1 with fault injection: kill sockets, refuse connections,
 * stall (no pong, no data), malformed frames, close codes. Everything it receives is
 * recorded with its arrival time so tests can measure pacing at the server.
 */
export class FaultServer {
  readonly received: Received[] = [];
  readonly sockets: WebSocket[] = [];
  port = 0;
  connections = 0;
  #http: Server;
  #wss: WebSocketServer;
  #stalled = false;
  #pongsMuted = false;
  #onConnection: ((ws: WebSocket, n: number) => void) | undefined;
  #onFrame: ((ws: WebSocket, json: unknown, text: string) => void) | undefined;
  #waiters: { check: () => boolean; resolve: () => void }[] = [];

  private constructor() {
    this.#http = createServer();
    this.#wss = this.#makeWss();
  }

  /** Starts a server on an ephemeral port. */
  static async start(): Promise<FaultServer> {
    const s = new FaultServer();
    await s.#listen(0);
    return s;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  /** Open sockets right now. */
  get open(): WebSocket[] {
    return this.sockets.filter((s) => s.readyState === WebSocket.OPEN);
  }

  /** Called for each new connection (1-based count). */
  onConnection(fn: (ws: WebSocket, n: number) => void): void {
    this.#onConnection = fn;
  }

  /** Called for each text frame received (after it is recorded). */
  onFrame(fn: (ws: WebSocket, json: unknown, text: string) => void): void {
    this.#onFrame = fn;
  }

  /** Sends `value` (JSON unless a string) to every open socket. */
  broadcast(value: unknown): void {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    for (const s of this.open) s.send(text);
  }

  /** Kills every socket without a close frame (like a dropped TCP connection). */
  killAll(): void {
    for (const s of this.open) s.terminate();
  }

  /** Closes every socket with a close frame. */
  closeAll(code: number, reason = ''): void {
    for (const s of this.open) s.close(code, reason);
  }

  /** Stops answering pings and sending anything: a silent half-open peer. */
  stall(stalled = true): void {
    this.#stalled = stalled;
  }

  /** Pings go unanswered while data still flows (a peer whose pongs are lost). */
  mutePongs(muted = true): void {
    this.#pongsMuted = muted;
  }

  /** Stops listening: new connections are refused. Open sockets are killed. */
  async refuse(): Promise<void> {
    this.killAll();
    await new Promise<void>((r) => this.#http.close(() => r()));
  }

  /** Listens again on the same port. */
  async accept(): Promise<void> {
    this.#http = createServer();
    this.#wss = this.#makeWss();
    await this.#listen(this.port);
  }

  /** Resolves when `check()` holds (re-checked after every frame and connection), or rejects after `ms`. */
  waitFor(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const w = {
        check,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      };
      const t = setTimeout(() => {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      this.#waiters.push(w);
    });
  }

  /** Frames received whose JSON matches. */
  framesWhere(match: (json: Record<string, unknown>) => boolean): Received[] {
    return this.received.filter(
      (r) =>
        typeof r.json === 'object' && r.json !== null && match(r.json as Record<string, unknown>),
    );
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.#wss.close();
    if (this.#http.listening) await new Promise<void>((r) => this.#http.close(() => r()));
    this.#http.closeAllConnections?.();
  }

  #notify(): void {
    for (const w of [...this.#waiters]) {
      if (w.check()) {
        this.#waiters = this.#waiters.filter((x) => x !== w);
        w.resolve();
      }
    }
  }

  #makeWss(): WebSocketServer {
    const wss = new WebSocketServer({ server: this.#http, autoPong: false });
    wss.on('connection', (ws) => {
      const n = ++this.connections;
      this.sockets.push(ws);
      ws.on('error', () => undefined);
      ws.on('ping', (data) => {
        if (!this.#stalled && !this.#pongsMuted) ws.pong(data);
      });
      ws.on('message', (data: Buffer) => {
        if (this.#stalled) return;
        const text = data.toString();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        this.received.push({ at: performance.now(), conn: n, text, json });
        this.#onFrame?.(ws, json, text);
        this.#notify();
      });
      this.#onConnection?.(ws, n);
      this.#notify();
    });
    return wss;
  }

  async #listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.#http.address() as AddressInfo).port;
  }
}
