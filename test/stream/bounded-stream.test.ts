import fc from 'fast-check';
import { BoundedStream, EventStream, FanOut, SequenceDedup } from '../../src/stream/index.js';
import { createError } from '../../src/errors/index.js';

async function drain<T>(s: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of s) out.push(v);
  return out;
}

describe('BoundedStream', () => {
  it('buffers before the first next() and keeps push order', async () => {
    const s = new BoundedStream<number>();
    s.push(1);
    s.push(2);
    s.end();
    expect(await drain(s)).toEqual([1, 2]);
  });

  it('drop_oldest keeps the newest `capacity` values and counts drops', async () => {
    const s = new BoundedStream<number>({ capacity: 3 });
    for (let i = 1; i <= 10; i++) s.push(i);
    s.end();
    expect(await drain(s)).toEqual([8, 9, 10]);
    expect(s.dropped).toBe(7);
  });

  it('drop_newest keeps the oldest', async () => {
    const s = new BoundedStream<number>({ capacity: 3, overflow: 'drop_newest' });
    for (let i = 1; i <= 10; i++) expect(s.push(i)).toBe(i <= 3);
    s.end();
    expect(await drain(s)).toEqual([1, 2, 3]);
    expect(s.dropped).toBe(7);
  });

  it('error policy: the next next() throws BUFFER_OVERFLOW, then the stream is done', async () => {
    const released = jest.fn();
    const s = new BoundedStream<number>({ capacity: 2, overflow: 'error' }, released);
    s.push(1);
    s.push(2);
    expect(s.push(3)).toBe(false);
    await expect(s.next()).rejects.toMatchObject({
      code: 'BUFFER_OVERFLOW',
      context: { capacity: 2 },
    });
    await expect(s.next()).resolves.toEqual({ value: undefined, done: true });
    expect(released).toHaveBeenCalledTimes(1);
  });

  it('conflate keeps only the latest value', async () => {
    const s = new BoundedStream<number>({ conflate: true });
    for (let i = 1; i <= 5; i++) s.push(i);
    await expect(s.next()).resolves.toEqual({ value: 5, done: false });
    s.push(6);
    s.push(7);
    s.end();
    expect(await drain(s)).toEqual([7]);
    expect(s.dropped).toBe(5);
  });

  it('a waiting reader gets the value directly', async () => {
    const s = new BoundedStream<number>({ capacity: 1 });
    const p = s.next();
    s.push(42);
    await expect(p).resolves.toEqual({ value: 42, done: false });
    expect(s.size).toBe(0);
  });

  it('fail(): buffered values first, then the error once', async () => {
    const s = new BoundedStream<number>();
    s.push(1);
    s.fail(createError('WS_CLOSED_NO_RETRY', 'x', { context: { code: 1008, reason: '' } }));
    expect(s.push(2)).toBe(false);
    await expect(s.next()).resolves.toEqual({ value: 1, done: false });
    await expect(s.next()).rejects.toMatchObject({ code: 'WS_CLOSED_NO_RETRY' });
    await expect(s.next()).resolves.toMatchObject({ done: true });
  });

  it('abort: pending and later next() reject with ABORTED; upstream released once', async () => {
    const ac = new AbortController();
    const released = jest.fn();
    const s = new BoundedStream<number>({ signal: ac.signal }, released);
    s.push(1);
    await s.next();
    const p = s.next();
    ac.abort(new Error('stop'));
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(s.next()).rejects.toMatchObject({ code: 'ABORTED' });
    expect(s.push(2)).toBe(false);
    expect(released).toHaveBeenCalledTimes(1);
  });

  it('an already-aborted signal yields a closed stream', async () => {
    const ac = new AbortController();
    ac.abort();
    const released = jest.fn();
    const s = new BoundedStream<number>({ signal: ac.signal }, released);
    expect(s.closed).toBe(true);
    await expect(s.next()).rejects.toMatchObject({ code: 'ABORTED' });
    expect(released).toHaveBeenCalledTimes(1);
  });

  it('break, return and throw in for await release the stream', async () => {
    for (const how of ['break', 'throw'] as const) {
      const released = jest.fn();
      const s = new BoundedStream<number>({}, released);
      s.push(1);
      s.push(2);
      try {
        for await (const v of s) {
          expect(v).toBe(1);
          if (how === 'break') break;
          throw new Error('boom');
        }
      } catch {
        // expected for 'throw'
      }
      expect(released).toHaveBeenCalledTimes(1);
      expect(s.push(3)).toBe(false);
    }
  });

  it('ring buffer agrees with a plain-array model under any push/next interleaving (property)', async () => {
    // Exercises the wrap-around index arithmetic of the ring: drop_oldest overwrites at the
    // head, reads advance it, and a capacity above 1024 makes the ring grow while wrapped.
    const op = fc.oneof(
      { weight: 3, arbitrary: fc.constant<'push'>('push') },
      { weight: 1, arbitrary: fc.constant<'next'>('next') },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1025, max: 1100 })),
        fc.constantFrom<'drop_oldest' | 'drop_newest'>('drop_oldest', 'drop_newest'),
        fc.array(op, { maxLength: 3000, size: 'max' }),
        async (capacity, overflow, ops) => {
          const s = new BoundedStream<number>({ capacity, overflow });
          const model: number[] = [];
          let dropped = 0;
          let waiting: Promise<IteratorResult<number>> | undefined;
          let expectWaiting: number | undefined;
          let v = 0;
          for (const o of ops) {
            if (o === 'push') {
              const value = v++;
              const accepted = s.push(value);
              if (waiting !== undefined) {
                expect(accepted).toBe(true);
                expectWaiting = value;
              } else if (model.length < capacity) {
                expect(accepted).toBe(true);
                model.push(value);
              } else if (overflow === 'drop_oldest') {
                expect(accepted).toBe(true);
                model.shift();
                model.push(value);
                dropped++;
              } else {
                expect(accepted).toBe(false);
                dropped++;
              }
              if (waiting !== undefined) {
                expect(await waiting).toEqual({ value: expectWaiting, done: false });
                waiting = undefined;
              }
            } else if (waiting === undefined) {
              if (model.length === 0) waiting = s.next();
              else expect(await s.next()).toEqual({ value: model.shift(), done: false });
            }
            expect(s.size).toBe(model.length);
            expect(s.dropped).toBe(dropped);
          }
          if (waiting !== undefined) {
            s.end();
            expect(await waiting).toEqual({ value: undefined, done: true });
          } else {
            s.end();
            expect(await drain(s)).toEqual(model);
          }
        },
      ),
      { numRuns: 150, endOnFailure: true },
    );
  });

  it('dedup: a duplicate is never delivered (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 200 }),
        fc.integer({ min: 31, max: 100 }),
        async (seqs, window) => {
          const s = new BoundedStream<{ seq: number }>({
            capacity: 1000,
            dedup: { sequenceOf: (m) => m.seq, window },
          });
          for (const seq of seqs) s.push({ seq });
          s.end();
          const out = (await drain(s)).map((m) => m.seq);
          expect(out).toEqual([...new Set(seqs)]);
          expect(s.duplicates).toBe(seqs.length - out.length);
        },
      ),
    );
  });
});

describe('BoundedStream.tryNext', () => {
  it('takes buffered values synchronously in push order, then defers to next()', async () => {
    const s = new BoundedStream<number>();
    expect(s.tryNext()).toBeUndefined();
    s.push(1);
    s.push(2);
    expect(s.tryNext()).toEqual({ value: 1, done: false });
    expect(s.size).toBe(1);
    await expect(s.next()).resolves.toEqual({ value: 2, done: false });
    expect(s.tryNext()).toBeUndefined();
    const waiting = s.next();
    s.push(3);
    await expect(waiting).resolves.toEqual({ value: 3, done: false });
  });

  it('mixed with next() over a wrapped ring delivers every value once, in order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('push', 'try', 'poll', 'next'), { maxLength: 300 }),
        async (ops) => {
          const s = new BoundedStream<number>({ capacity: 10_000 });
          const out: number[] = [];
          let pushed = 0;
          for (const op of ops) {
            if (op === 'push') s.push(pushed++);
            else if (op === 'try') {
              const r = s.tryNext();
              if (r !== undefined) out.push(r.value);
            } else if (op === 'poll') {
              const v = s.poll(-1);
              if (v !== -1) out.push(v);
            } else if (s.size > 0) {
              const r = await s.next();
              if (r.done !== true) out.push(r.value);
            }
          }
          s.end();
          out.push(...(await drain(s)));
          expect(out).toEqual(Array.from({ length: pushed }, (_, i) => i));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('leaves terminal outcomes to next(): buffered values before a fail(), nothing after an abort or an overflow error', async () => {
    const failed = new BoundedStream<number>();
    failed.push(1);
    failed.fail(createError('WS_CLOSED', 'gone'));
    expect(failed.tryNext()).toEqual({ value: 1, done: false });
    expect(failed.tryNext()).toBeUndefined();
    expect(failed.poll('none')).toBe('none');
    await expect(failed.next()).rejects.toMatchObject({ code: 'WS_CLOSED' });

    const controller = new AbortController();
    const aborted = new BoundedStream<number>({ signal: controller.signal });
    aborted.push(1);
    controller.abort();
    expect(aborted.tryNext()).toBeUndefined();
    expect(aborted.poll('none')).toBe('none');
    await expect(aborted.next()).rejects.toMatchObject({ code: 'ABORTED' });

    const overflow = new BoundedStream<number>({ capacity: 1, overflow: 'error' });
    overflow.push(1);
    overflow.push(2);
    expect(overflow.tryNext()).toBeUndefined();
    expect(overflow.poll('none')).toBe('none');
    await expect(overflow.next()).rejects.toMatchObject({ code: 'BUFFER_OVERFLOW' });
  });
});

describe('SequenceDedup', () => {
  it('forgets ids that fall out of the window unless monotonic', () => {
    const d = new SequenceDedup<number>({ sequenceOf: (n) => n, window: 2 });
    expect([1, 2, 3, 1].map((n) => d.accept(n))).toEqual([true, true, true, true]);
    const m = new SequenceDedup<number>({ sequenceOf: (n) => n, window: 2, monotonic: true });
    expect([1, 2, 3, 1, 4].map((n) => m.accept(n))).toEqual([true, true, true, false, true]);
  });

  it('values without an id always pass', () => {
    const d = new SequenceDedup<{ id?: string }>({ sequenceOf: (m) => m.id });
    expect(d.accept({})).toBe(true);
    expect(d.accept({})).toBe(true);
  });
});

describe('FanOut', () => {
  it('shares one upstream; idle runs once when the last reader leaves', async () => {
    const idle = jest.fn();
    const fan = new FanOut<number>(idle);
    const a = fan.reader();
    const b = fan.reader({ capacity: 1 });
    fan.push(1);
    fan.push(2);
    expect(await a.next()).toEqual({ value: 1, done: false });
    expect(await b.next()).toEqual({ value: 2, done: false });
    expect(fan.dropped).toBe(1);
    await a.return();
    expect(idle).not.toHaveBeenCalled();
    expect(fan.readerCount).toBe(1);
    await b.return();
    expect(idle).toHaveBeenCalledTimes(1);
    expect(fan.idle).toBe(true);
    expect(fan.dropped).toBe(1); // drops of gone readers still count
  });
});

describe('EventStream', () => {
  it('delivers to listeners (by type) and for-await readers; a throwing listener is isolated', async () => {
    type E = { type: 'a'; n: number } | { type: 'b' };
    const ev = new EventStream<E>();
    const seenA: number[] = [];
    ev.on(() => {
      throw new Error('listener bug');
    });
    const off = ev.on('a', (e) => seenA.push(e.n));
    const it = ev.iterate();
    ev.emit({ type: 'a', n: 1 });
    ev.emit({ type: 'b' });
    off();
    ev.emit({ type: 'a', n: 2 });
    ev.end();
    expect(seenA).toEqual([1]);
    expect((await drain(it)).map((e) => e.type)).toEqual(['a', 'b', 'a']);
  });
});
