export {
  DecimalString,
  LenientDecimalString,
  IntegerString,
  LenientIntegerString,
  TimestampMs,
  Side,
} from './primitives.js';
export { parse } from './parse.js';
