/** Exchanges the command line knows (kept apart from the adapters so help loads fast). */
export const exchangeNames = ['o2', 'binance'] as const;
/** One of {@link exchangeNames}. */
export type ExchangeName = (typeof exchangeNames)[number];
