import { WebSocket } from 'ws';

/** A raw `ws` client that keeps every text frame and lets a test wait for one. */
export interface FrameCollector {
  readonly ws: WebSocket;
  readonly frames: string[];
  /** Resolves with the first frame (from `from` on) matching `match`; rejects after `timeoutMs`. */
  waitFor(match: (frame: string) => boolean, timeoutMs?: number, from?: number): Promise<string>;
  /** Resolves once at least `n` frames arrived. */
  waitForCount(n: number, timeoutMs?: number): Promise<void>;
  /** Resolves with the close code once the socket closed. */
  closed: Promise<number>;
}

/** Opens a raw `ws` socket and collects its frames; resolves once open. */
export async function openCollector(url: string): Promise<FrameCollector> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const frames: string[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (d) => {
    frames.push(d.toString());
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waitUntil = <T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const tryNow = (): boolean => {
        const v = check();
        if (v === undefined) return false;
        waiters.delete(onFrame);
        clearTimeout(timer);
        resolve(v);
        return true;
      };
      const onFrame = (): void => {
        tryNow();
      };
      const timer = setTimeout(() => {
        waiters.delete(onFrame);
        reject(new Error(`timed out waiting for ${what}; got ${frames.length} frames`));
      }, timeoutMs);
      waiters.add(onFrame);
      tryNow();
    });
  return {
    ws,
    frames,
    closed,
    waitFor(match, timeoutMs = 5000, from = 0) {
      return waitUntil(
        () => {
          for (let i = from; i < frames.length; i++)
            if (match(frames[i] as string)) return frames[i];
          return undefined;
        },
        timeoutMs,
        'a matching frame',
      );
    },
    async waitForCount(n, timeoutMs = 5000) {
      await waitUntil(() => (frames.length >= n ? true : undefined), timeoutMs, `${n} frames`);
    },
  };
}

/** Closes a socket and waits for the close (terminating when the peer is silent). */
export async function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  await new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.terminate();
  });
}

/** Recursively lists the keys of a JSON value in order (object keys, array items' shapes). */
export function keyShape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [keyShape(v[0])];
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, keyShape(x)]));
  }
  return typeof v;
}

/** The keys of an object, in order. */
export function keysOf(v: unknown): string[] {
  return typeof v === 'object' && v !== null ? Object.keys(v) : [];
}
