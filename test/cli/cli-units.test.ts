import { createError } from '../../src/index.js';
import { describeFailure, UsageError } from '../../cli/errors.js';
import { exchangeSpec, resolveEndpoints } from '../../cli/exchanges.js';
import { depthLine } from '../../cli/format.js';
import { createStyles, fit, stripAnsi, visibleLength } from '../../cli/ui/ansi.js';
import { bookLine, renderBookPanel, sideBySide } from '../../cli/ui/book-panel.js';
import { faultPlan } from '../../examples/demo/main.js';

describe('resolveEndpoints', () => {
  const o2 = exchangeSpec('o2', 'stream');
  const binance = exchangeSpec('binance', 'stream');

  it('uses the network presets by default (o2 testnet, binance mainnet)', () => {
    expect(resolveEndpoints(o2, {}, 'stream')).toEqual({
      restUrl: 'https://api.testnet.o2.app',
      wsUrl: 'wss://api.testnet.o2.app/v1/ws',
    });
    expect(resolveEndpoints(o2, { network: 'mainnet' }, 'stream').restUrl).toBe(
      'https://api.o2.app',
    );
    expect(resolveEndpoints(binance, {}, 'stream').wsUrl).toBe('wss://stream.binance.com:9443');
  });

  it('--url derives REST and the socket on the same host, with the exchange socket path', () => {
    expect(resolveEndpoints(o2, { url: 'http://127.0.0.1:8080/' }, 'stream')).toEqual({
      restUrl: 'http://127.0.0.1:8080',
      wsUrl: 'ws://127.0.0.1:8080/v1/ws',
    });
    expect(resolveEndpoints(binance, { url: 'https://example.test' }, 'stream')).toEqual({
      restUrl: 'https://example.test',
      wsUrl: 'wss://example.test',
    });
  });

  it('--rest-url and --ws-url win over --url', () => {
    expect(
      resolveEndpoints(
        o2,
        { url: 'http://a.test', 'rest-url': 'http://b.test/', 'ws-url': 'ws://c.test/v1/ws' },
        'stream',
      ),
    ).toEqual({ restUrl: 'http://b.test', wsUrl: 'ws://c.test/v1/ws' });
  });

  it.each([
    [{ network: 'moon' }, 'unknown o2 network "moon" (one of: mainnet, testnet, devnet)'],
    [{ url: 'nope' }, '--url: not a URL'],
    [{ 'rest-url': 'ws://x.test' }, '--rest-url: expected a http or https URL'],
    [{ 'ws-url': 'http://x.test' }, '--ws-url: expected a ws or wss URL'],
  ])('rejects %j as a usage error', (values, message) => {
    expect(() => resolveEndpoints(o2, values, 'stream')).toThrow(UsageError);
    expect(() => resolveEndpoints(o2, values, 'stream')).toThrow(message);
  });
});

describe('describeFailure', () => {
  const refused = createError('TRANSPORT_CONNECTION_FAILED', 'GET http://127.0.0.1:9/v1/markets', {
    cause: new Error('connect ECONNREFUSED 127.0.0.1:9'),
  });

  it('usage errors exit 2 and point at the command help', () => {
    expect(
      describeFailure(new UsageError('missing <market>', 'stream'), { verbose: false }),
    ).toEqual({
      code: 2,
      lines: ['tickwire: missing <market>', 'Run `tickwire stream --help` for its usage.'],
    });
  });

  it('an unknown market is a usage error too', () => {
    const e = createError('UNKNOWN_MARKET', 'o2: unknown market "X"', {
      context: { market: 'X', exchange: 'o2' },
    });
    expect(describeFailure(e, { verbose: false }).code).toBe(2);
  });

  it('network failures exit 1 with the code and the root cause, without a stack', () => {
    const { code, lines } = describeFailure(refused, { verbose: false });
    expect(code).toBe(1);
    expect(lines[0]).toBe(
      'tickwire: GET http://127.0.0.1:9/v1/markets [TRANSPORT_CONNECTION_FAILED]: connect ECONNREFUSED 127.0.0.1:9',
    );
    expect(lines.join('\n')).not.toMatch(/^\s+at /m);
  });

  it('--verbose adds the stack and the cause chain', () => {
    const text = describeFailure(refused, { verbose: true }).lines.join('\n');
    expect(text).toMatch(/^\s+at /m);
    expect(text).toContain('caused by: Error: connect ECONNREFUSED 127.0.0.1:9');
  });
});

describe('depthLine', () => {
  it('turns O2 chain integers into exact human decimals by the market decimals', () => {
    const spec = exchangeSpec('o2', 'stream');
    const market = {
      symbol: 'fFUEL/fUSDC',
      id: '0xc0',
      base: 'fFUEL',
      quote: 'fUSDC',
      baseDecimals: 9,
      quoteDecimals: 9,
      raw: {},
    };
    const line = depthLine(spec, market, {
      kind: 'delta',
      market: 'fFUEL/fUSDC',
      bids: [{ price: '21290000', quantity: '1800000000000' }],
      asks: [{ price: '21310000', quantity: '0' }],
      receivedAt: 5,
      raw: {},
    });
    expect(line).toEqual({
      exchange: 'o2',
      channel: 'depth',
      market: 'fFUEL/fUSDC',
      kind: 'delta',
      bids: [['0.02129', '1800']],
      asks: [['0.02131', '0']],
      receivedAt: 5,
    });
  });
});

describe('book panel', () => {
  const bids = [
    { price: '0.02129', quantity: '1800' },
    { price: '0.0212', quantity: '600.5' },
  ];
  const asks = [{ price: '0.02131', quantity: '25' }];

  it('renders every line exactly `width` columns, decimals aligned, the spread exact', () => {
    const lines = renderBookPanel(
      { title: 'fFUEL/fUSDC', status: 'live', healthy: true, bids, asks, trades: [] },
      { width: 30, depth: 2, trades: 1, styles: createStyles(true) },
    );
    for (const l of lines) expect(visibleLength(l)).toBe(30);
    const plain = lines.map(stripAnsi);
    expect(plain).toContain(' bid 0.02129  1800.0'.padEnd(30));
    expect(plain).toContain(' bid 0.02120   600.5'.padEnd(30));
    expect(plain).toContain(' ask 0.02131    25.0'.padEnd(30));
    expect(plain.find((l) => l.includes('spread'))).toContain('spread 0.00002 (9.4 bp)');
    // Asks above the spread, bids below; an empty ask slot stays blank.
    expect(plain.findIndex((l) => l.includes('ask'))).toBeLessThan(
      plain.findIndex((l) => l.includes('spread')),
    );
  });

  it('is plain text without colours (NO_COLOR, pipes)', () => {
    const lines = renderBookPanel(
      { title: 'x', status: 'live', healthy: true, bids, asks, trades: [] },
      { width: 30, depth: 2, styles: createStyles(false) },
    );
    expect(lines.join('')).not.toContain('\x1b');
  });

  it('bookLine summarises the top of book for non-terminal output', () => {
    expect(bookLine('fFUEL/fUSDC', bids, asks)).toBe(
      'fFUEL/fUSDC bid 0.02129 x 1800 | ask 0.02131 x 25 | spread 0.00002 (9.4 bp) | levels 2/1',
    );
    expect(bookLine('x', [], [])).toBe('x bid – | ask – | spread – | levels 0/0');
  });

  it('fit pads and cuts by printed width; sideBySide stacks when too narrow', () => {
    expect(fit('abc', 5)).toBe('abc  ');
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(sideBySide([['a'], ['b']], 1, 4)).toEqual(['a  b']);
    expect(sideBySide([['a'], ['b']], 1, 3)).toEqual(['a', '', 'b']);
  });
});

describe('demo fault plan', () => {
  it('puts both faults early enough in a short run to show the recovery', () => {
    expect(faultPlan(15_000)).toEqual({ dropAtMs: 4500, stallAtMs: 7500, stallMs: 3000 });
  });

  it('adds the silently lost update to runs of 30 s or more, and repeats without a duration', () => {
    expect(faultPlan(40_000).skipAtMs).toBe(6000);
    expect(faultPlan(undefined).repeatMs).toBe(30_000);
  });
});
