export { Throttler, ThrottlePriority } from './throttler.js';
export type {
  RateLimitPool,
  LinkedWeight,
  ThrottleTicket,
  ThrottlerOptions,
  ThrottlePermit,
  PoolStats,
  ThrottlerStats,
  ThrottleWaitEvent,
} from './throttler.js';
export { SlidingWindow } from './sliding-window.js';
