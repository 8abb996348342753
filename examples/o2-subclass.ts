// Subclassing an adapter: change ONE hook, inherit everything else. This subclass of
// O2Adapter overrides `processBookUpdate`, the post-processor every depth update passes
// through on its way into a `watchOrderBook` book, to measure how late the updates reach
// the bot (local receive time − O2's `seen_timestamp`). Sockets, resubscribe, REST
// verification, resyncs and the book itself are the adapter's, untouched.
// In this repository it runs as a test: `npx jest test/adapters/o2/book-subclass-example`.
// In your own project import from 'tickwire/adapters/o2' instead of the relative paths.
import { O2Adapter, type O2AdapterOptions, type O2DepthUpdate } from '../adapters/o2/index.js';

/** Feed lag seen so far (ms), over the depth updates that carried a `seen_timestamp`. */
export interface FeedLag {
  readonly samples: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/**
 * An O2 adapter that measures the lag of its order-book feed.
 *
 * `seen_timestamp`'s unit is not documented by O2; the simulator and the recorded fixtures
 * use epoch milliseconds, and that is what this example assumes.
 *
 * @example
 * await using o2 = new LagTrackingO2Adapter({ network: 'mainnet' });
 * for await (const book of o2.watchOrderBook('FUEL/USDC', { signal })) {
 *   if (o2.feedLag().maxMs > 500) console.warn('slow feed');
 * }
 */
export class LagTrackingO2Adapter extends O2Adapter {
  #samples = 0;
  #maxMs = 0;
  #sumMs = 0;

  constructor(options: O2AdapterOptions = {}) {
    super(options);
  }

  /** The one override: look at the update, then let the adapter's own hook handle it. */
  protected override processBookUpdate(update: O2DepthUpdate): O2DepthUpdate | undefined {
    const seen = update.seenTimestamp;
    if (seen !== undefined) {
      const lag = update.receivedAt - Number(seen);
      if (Number.isFinite(lag)) {
        this.#samples++;
        this.#sumMs += lag;
        if (lag > this.#maxMs) this.#maxMs = lag;
      }
    }
    return super.processBookUpdate(update);
  }

  /** The lag measured so far. */
  feedLag(): FeedLag {
    return {
      samples: this.#samples,
      maxMs: this.#maxMs,
      meanMs: this.#samples === 0 ? 0 : this.#sumMs / this.#samples,
    };
  }
}

/** What the example run saw; the test checks it. */
export interface SubclassExampleReport {
  readonly bestBid: string | undefined;
  readonly bestAsk: string | undefined;
  readonly updates: number;
  readonly lag: FeedLag;
}

/**
 * Watches a book through the subclass until `updates` depth updates were applied.
 *
 * @example
 * const report = await runSubclassExample({ restUrl: sim.httpUrl, wsUrl: `${sim.wsUrl}/v1/ws`, market: 'fFUEL/fUSDC', updates: 50 });
 */
export async function runSubclassExample(params: {
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly market: string;
  readonly updates: number;
  readonly signal?: AbortSignal;
}): Promise<SubclassExampleReport> {
  await using o2 = new LagTrackingO2Adapter({ restUrl: params.restUrl, wsUrl: params.wsUrl });
  const options = params.signal === undefined ? {} : { signal: params.signal };
  for await (const book of o2.watchOrderBook(params.market, options)) {
    const updates = o2.bookStats().updates;
    if (book.isSynced && updates >= params.updates) {
      return {
        bestBid: book.bestBid?.price,
        bestAsk: book.bestAsk?.price,
        updates,
        lag: o2.feedLag(),
      };
    }
  }
  throw new Error('the book watch ended early');
}
