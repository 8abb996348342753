export { BoundedStream } from './bounded-stream.js';
export type { BoundedStreamOptions, OverflowPolicy } from './bounded-stream.js';
export { SequenceDedup } from './sequence-dedup.js';
export type { DedupOptions, SequenceId } from './sequence-dedup.js';
export { FanOut } from './fan-out.js';
export { EventStream } from './event-stream.js';
export type { TypedEvent } from './event-stream.js';
