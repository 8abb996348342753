export { DROP, composeStages, composeInterceptors } from './processor.js';
export type { Drop, Handler, Interceptor, MaybePromise, Stage } from './processor.js';
