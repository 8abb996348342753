export {
  Decimal,
  parseDecimal,
  parseUnsignedInteger,
  fromScaledInteger,
  toScaledInteger,
  formatDecimal,
  decimalPlaces,
  isDecimalString,
} from './decimal.js';
export type { DecimalLike, ScaleRounding } from './decimal.js';
