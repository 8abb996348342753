/**
 * The processor vocabulary shared by the REST and WebSocket stacks.
 *
 * - A **stage** transforms one value (an outgoing request or frame: a pre-processor; an
 *   incoming response or message: a post-processor). It may be sync or async, and may
 *   return {@link DROP} to stop the value (e.g. filter heartbeats).
 * - An **interceptor** wraps the next handler, undici-style: `(next) => handler`. It can
 *   act before and after, retry, or short-circuit.
 *
 * Both compose with one helper each, in list order: the first processor in the list sees
 * the value first.
 */

/** A value or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/** Returned by a stage to drop the value: nothing further runs for it. */
export const DROP: unique symbol = Symbol.for('tickwire.pipeline.drop');
/** The type of {@link DROP}. */
export type Drop = typeof DROP;

/**
 * A pre- or post-processor: transforms one value, or returns {@link DROP}.
 *
 * @example
 * const stampTime: Stage<RestRequest> = function stampTime(req) {
 *   return { ...req, headers: { ...req.headers, 'x-sent-at': String(Date.now()) } };
 * };
 */
export type Stage<T> = (value: T) => MaybePromise<T | Drop>;

/** A handler of requests: what an interceptor wraps. */
export type Handler<TReq, TRes> = (request: TReq) => Promise<TRes>;

/**
 * Wraps the next handler.
 *
 * @example
 * const timing: Interceptor<RestRequest, RestResponse> = (next) =>
 *   async function timing(req) {
 *     const t0 = performance.now();
 *     try { return await next(req); } finally { record(performance.now() - t0); }
 *   };
 */
export type Interceptor<TReq, TRes> = (next: Handler<TReq, TRes>) => Handler<TReq, TRes>;

function isPromiseLike<T>(v: MaybePromise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/**
 * Composes stages into one, run in list order. Stays synchronous while every stage
 * returns synchronously (the hot path for incoming WebSocket messages allocates no
 * promise); switches to async at the first stage that returns a promise.
 *
 * @example
 * const post = composeStages([dropPongs, decodeEnvelope]);
 * const out = post(message); // T | DROP | Promise<T | DROP>
 */
export function composeStages<T>(stages: readonly Stage<T>[]): Stage<T> {
  const list = stages.slice();
  if (list.length === 0)
    return function identity(value) {
      return value;
    };
  if (list.length === 1) return list[0]!;
  return function composedStages(value: T): MaybePromise<T | Drop> {
    let current: T = value;
    for (let i = 0; i < list.length; i++) {
      const out = list[i]!(current);
      if (isPromiseLike(out)) return continueAsync(list, i + 1, out);
      if (out === DROP) return DROP;
      current = out;
    }
    return current;
  };
}

async function continueAsync<T>(
  stages: readonly Stage<T>[],
  from: number,
  pending: Promise<T | Drop>,
): Promise<T | Drop> {
  let current = await pending;
  for (let i = from; i < stages.length && current !== DROP; i++) {
    current = await stages[i]!(current as T);
  }
  return current;
}

/**
 * Composes interceptors around a terminal handler. The first interceptor in the list is
 * the outermost: it sees the request first and the response last.
 *
 * @example
 * const send = composeInterceptors([retry, timing], transport);
 */
export function composeInterceptors<TReq, TRes>(
  interceptors: readonly Interceptor<TReq, TRes>[],
  terminal: Handler<TReq, TRes>,
): Handler<TReq, TRes> {
  let handler = terminal;
  for (let i = interceptors.length - 1; i >= 0; i--) handler = interceptors[i]!(handler);
  return handler;
}
