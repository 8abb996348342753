import { UsageError } from './errors.js';

/** Exchanges the command line knows (kept apart from the adapters so help loads fast). */
export const exchangeNames = ['o2', 'binance'] as const;
/** One of {@link exchangeNames}. */
export type ExchangeName = (typeof exchangeNames)[number];

/**
 * The exchange named on the command line, checked without loading any adapter; a missing
 * or unknown name is a usage error.
 *
 * @example
 * exchangeName('O2', 'stream'); // 'o2'
 */
export function exchangeName(name: string | undefined, command: string): ExchangeName {
  if (name === undefined || name === '') {
    throw new UsageError(`missing <exchange> (one of: ${exchangeNames.join(', ')})`, command);
  }
  const known = exchangeNames.find((n) => n === name.toLowerCase());
  if (known === undefined) {
    throw new UsageError(
      `unknown exchange ${JSON.stringify(name)} (one of: ${exchangeNames.join(', ')})`,
      command,
    );
  }
  return known;
}
