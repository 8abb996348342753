import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { closedPort, killAll, runCli, startCli } from './run-cli';

// The `tickwire` command run as a child process, the way a user runs it. The first run
// compiles the sources into the bin's cache (a few seconds); later runs start in well
// under a second (plus a recompile whenever a source file changed in between).
jest.setTimeout(120_000);
let dir: string;

beforeAll(async () => {
  const warm = await runCli(['--version']);
  expect(warm.code).toBe(0);
}, 180_000);

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tickwire-cli-'));
});

afterEach(async () => {
  await killAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('help', () => {
  it('prints the commands with --help and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['stream', 'book', 'record', 'replay', 'simulate']) {
      expect(r.stdout).toContain(`  ${c}`);
    }
  });

  it.each(['stream', 'book', 'record', 'replay', 'simulate'])(
    'prints the usage of %s with --help and exits 0',
    async (command) => {
      const r = await runCli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: tickwire ${command}`));
    },
  );

  it('exits 2 with the usage when no command is given', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Usage: tickwire <command>');
  });
});

describe('usage errors exit 2 with a clear message', () => {
  it.each([
    [['frob'], 'unknown command "frob"'],
    [['stream', 'o2', 'depth', 'x', '--bogus'], 'unknown option --bogus'],
    [['stream', 'kraken', 'depth', 'BTC/USDT'], 'unknown exchange "kraken"'],
    [['stream', 'o2', 'candles', 'x'], 'unknown channel "candles"'],
    [['stream', 'o2', 'depth'], 'missing <market>'],
    [['stream', 'o2', 'depth', 'x', '--network', 'moon'], 'unknown o2 network "moon"'],
    [['stream', 'o2', 'depth', 'x', '--url', 'not a url'], '--url: not a URL'],
    [['book', 'o2', 'x', '--depth', '0'], '--depth must be an integer from 1 to 500'],
    [['record', 'o2', 'depth', '--out', 'x.jsonl'], 'missing --market'],
    [['replay'], 'missing <file.jsonl>'],
    [['replay', 'x.jsonl', '--speed', 'fast'], '--speed must be a number'],
    [['simulate'], 'missing <exchange>'],
    [['simulate', '--exchange', 'o2', '--port'], 'option --port needs a value'],
    [['simulate', '--exchange', 'o2', '--port', '70000'], '--port must be an integer'],
  ])('tickwire %j', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toMatch(/Run `tickwire( \w+)? --help`/);
    expect(r.stdout).toBe('');
  });

  it('a fault scenario that is not one is a usage error', async () => {
    const file = path.join(dir, 'faults.json');
    writeFileSync(file, JSON.stringify({ steps: [{ atMs: 1, fault: { kind: 'meteor' } }] }));
    const r = await runCli(['simulate', '--exchange', 'o2', '--faults', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a fault scenario');
  });

  it('an unknown market exits 2 and lists the known ones', async () => {
    const sim = await startCli(['simulate', '--exchange', 'o2', '--json']);
    const { url } = JSON.parse(sim.firstLine) as { url: string };
    const out = path.join(dir, 'x.jsonl');
    const r = await runCli([
      'record',
      'o2',
      'depth',
      '--market',
      'DOGE/USDC',
      '--out',
      out,
      '--url',
      url,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      'unknown market "DOGE/USDC" on o2 (markets: fFUEL/fUSDC, fETH/fUSDC)',
    );
    expect((await sim.stop()).code).toBe(0);
  });
});

describe('network failures exit 1 without a stack', () => {
  it('says what failed and where', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const out = path.join(dir, 'x.jsonl');
    const r = await runCli([
      'record',
      'o2',
      'depth',
      '--market',
      'fFUEL/fUSDC',
      '--out',
      out,
      '--url',
      url,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${url}/v1/markets`);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(r.stderr).toContain('[TRANSPORT_CONNECTION_FAILED]');
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it('prints the stack and causes with --verbose', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const out = path.join(dir, 'x.jsonl');
    const r = await runCli([
      'record',
      'o2',
      'depth',
      '--market',
      'fFUEL/fUSDC',
      '--out',
      out,
      '--url',
      url,
      '--verbose',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\s+at /m);
    expect(r.stderr).toContain('caused by: Error: connect ECONNREFUSED');
  });
});

describe('simulate, record, replay', () => {
  it('simulate runs a fault scenario file and reports the faults it fired', async () => {
    const file = path.join(dir, 'faults.json');
    writeFileSync(
      file,
      JSON.stringify({
        steps: [
          { atMs: 100, fault: { kind: 'dropConnections' } },
          { afterEvents: 5, fault: { kind: 'stall', durationMs: 200 } },
        ],
      }),
    );
    const r = await runCli([
      'simulate',
      '--exchange',
      'binance',
      '--rate',
      '100',
      '--faults',
      file,
      '--duration',
      '1.5',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^binance simulator listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stdout).toContain('markets    BTC/USDT, ETH/USDT');
    expect(r.stderr).toContain(`faults: 2 step(s) armed from ${file}`);
    expect(r.stderr).toContain('faults: every step fired (dropConnections 1, stall 1)');
  });

  it('records frames from the simulator and replays exactly those frames', async () => {
    const sim = await startCli([
      'simulate',
      '--exchange',
      'o2',
      '--json',
      '--seed',
      '7',
      '--rate',
      '200',
    ]);
    const info = JSON.parse(sim.firstLine) as {
      url: string;
      wsUrl: string;
      markets: { symbol: string }[];
    };
    expect(info.wsUrl).toBe(`${info.url.replace('http', 'ws')}/v1/ws`);
    expect(info.markets.map((m) => m.symbol)).toEqual(['fFUEL/fUSDC', 'fETH/fUSDC']);

    const file = path.join(dir, 'o2.jsonl');
    const rec = await runCli([
      'record',
      'o2',
      'depth',
      'trades',
      '--market',
      'FUEL/USDC',
      '--out',
      file,
      '--frames',
      '25',
      '--url',
      info.url,
    ]);
    expect(rec.code).toBe(0);
    expect(rec.stderr).toContain(`recorded 25 frames into ${file}`);
    const recorded = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { receivedAt: number; text: string });
    expect(recorded).toHaveLength(25);
    // A depth subscription starts with the snapshot; every frame is an O2 frame of that market.
    expect(JSON.parse(recorded[0]!.text)).toMatchObject({ action: 'subscribe_depth' });
    for (const f of recorded) {
      expect(typeof f.receivedAt).toBe('number');
      expect(JSON.parse(f.text)).toMatchObject({ market_id: expect.stringMatching(/^0xc0c5/) });
    }
    expect((await sim.stop()).code).toBe(0);

    const replay = await startCli(['replay', file, '--speed', 'max', '--json']);
    const { url, frames } = JSON.parse(replay.firstLine) as { url: string; frames: number };
    expect(frames).toBe(25);
    const received = await new Promise<string[]>((resolve, reject) => {
      const got: string[] = [];
      const ws = new WebSocket(url);
      ws.on('message', (data) => {
        got.push(String(data));
        if (got.length === 25) {
          ws.close();
          resolve(got);
        }
      });
      ws.once('error', reject);
    });
    expect(received).toEqual(recorded.map((f) => f.text));
    const stopped = await replay.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.stderr).toContain('replay stopped: 25 frames sent');
  });
});

describe('stream and book against `tickwire simulate`', () => {
  const decimal = /^\d+(\.\d+)?$/;

  it('stream --json prints one parseable trade per line with the right fields', async () => {
    const sim = await startCli(['simulate', '--exchange', 'o2', '--json', '--rate', '200']);
    const { url } = JSON.parse(sim.firstLine) as { url: string };
    const r = await runCli([
      'stream',
      'o2',
      'trades',
      'FUEL/USDC',
      '--json',
      '--count',
      '5',
      '--url',
      url,
    ]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(5);
    const ids = new Set<string>();
    for (const line of lines) {
      const t = JSON.parse(line) as Record<string, unknown>;
      expect(Object.keys(t).sort()).toEqual(
        ['channel', 'exchange', 'id', 'market', 'price', 'quantity', 'side', 'time'].sort(),
      );
      expect(t).toMatchObject({ exchange: 'o2', channel: 'trades', market: 'fFUEL/fUSDC' });
      expect(t['price']).toMatch(decimal);
      expect(t['quantity']).toMatch(decimal);
      // fFUEL trades near the simulator's start price, 0.0213, in human units.
      expect(Number(t['price'])).toBeGreaterThan(0.01);
      expect(Number(t['price'])).toBeLessThan(0.05);
      expect(['buy', 'sell']).toContain(t['side']);
      expect(typeof t['time']).toBe('number');
      ids.add(t['id'] as string);
    }
    expect(ids.size).toBe(5);
    expect((await sim.stop()).code).toBe(0);
  });

  it('stream stops quietly with exit 0 when its reader goes away (| head)', async () => {
    const sim = await startCli(['simulate', '--exchange', 'o2', '--json', '--rate', '200']);
    const { url } = JSON.parse(sim.firstLine) as { url: string };
    const stream = await startCli(['stream', 'o2', 'depth', 'fFUEL/fUSDC', '--json', '--url', url]);
    stream.child.stdout?.destroy();
    const r = await stream.closed;
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('EPIPE');
    expect((await sim.stop()).code).toBe(0);
  });

  it('stream --json depth starts with a snapshot in human units, then deltas', async () => {
    const sim = await startCli(['simulate', '--exchange', 'o2', '--json', '--rate', '200']);
    const { url } = JSON.parse(sim.firstLine) as { url: string };
    const r = await runCli([
      'stream',
      'o2',
      'depth',
      'fETH/fUSDC',
      '--json',
      '--count',
      '4',
      '--url',
      url,
    ]);
    expect(r.code).toBe(0);
    const updates = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            kind: string;
            market: string;
            bids: [string, string][];
            asks: [string, string][];
            receivedAt: number;
          },
      );
    expect(updates.map((u) => u.kind)).toEqual(['snapshot', 'delta', 'delta', 'delta']);
    const snap = updates[0]!;
    expect(snap.market).toBe('fETH/fUSDC');
    expect(snap.bids.length).toBeGreaterThan(0);
    expect(snap.asks.length).toBeGreaterThan(0);
    for (const [price, size] of [...snap.bids, ...snap.asks]) {
      expect(price).toMatch(decimal);
      expect(size).toMatch(decimal);
    }
    // Near 3150 (the simulator's fETH start price), best bid below best ask.
    expect(Number(snap.bids[0]![0])).toBeGreaterThan(3000);
    expect(Number(snap.bids[0]![0])).toBeLessThan(Number(snap.asks[0]![0]));
    expect((await sim.stop()).code).toBe(0);
  });

  it('book --json prints the maintained book each interval', async () => {
    const sim = await startCli(['simulate', '--exchange', 'o2', '--json', '--rate', '200']);
    const { url } = JSON.parse(sim.firstLine) as { url: string };
    const r = await runCli([
      'book',
      'o2',
      'fFUEL/fUSDC',
      '--json',
      '--depth',
      '3',
      '--interval',
      '0.2',
      '--duration',
      '1.5',
      '--url',
      url,
    ]);
    expect(r.code).toBe(0);
    const views = r.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            synced: boolean;
            bids: [string, string][];
            asks: [string, string][];
            messagesIn: number;
          },
      );
    expect(views.length).toBeGreaterThanOrEqual(3);
    const last = views[views.length - 1]!;
    expect(last.synced).toBe(true);
    expect(last.bids).toHaveLength(3);
    expect(last.asks).toHaveLength(3);
    expect(Number(last.bids[0]![0])).toBeLessThan(Number(last.asks[0]![0]));
    expect(last.messagesIn).toBeGreaterThan(0);
    expect((await sim.stop()).code).toBe(0);
  });

  it('stream --json works the same on binance (BTCUSDT and BTC/USDT both resolve)', async () => {
    const sim = await startCli(['simulate', '--exchange', 'binance', '--json', '--rate', '200']);
    const { url } = JSON.parse(sim.firstLine) as { url: string };
    const trades = await runCli([
      'stream',
      'binance',
      'trades',
      'BTCUSDT',
      '--json',
      '--count',
      '3',
      '--url',
      url,
    ]);
    expect(trades.code).toBe(0);
    for (const line of trades.stdout.trim().split('\n')) {
      expect(JSON.parse(line)).toMatchObject({
        exchange: 'binance',
        channel: 'trades',
        market: 'BTC/USDT',
        price: expect.stringMatching(decimal),
        quantity: expect.stringMatching(decimal),
      });
    }
    const depth = await runCli([
      'stream',
      'binance',
      'depth',
      'BTC/USDT',
      '--json',
      '--count',
      '2',
      '--url',
      url,
    ]);
    expect(depth.code).toBe(0);
    const [snap, delta] = depth.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; sequence?: string; bids: [string, string][] });
    expect(snap!.kind).toBe('snapshot');
    expect(delta!.kind).toBe('delta');
    // Binance sequences its depth: the delta carries its update id; padding zeros are gone.
    expect(delta!.sequence).toMatch(/^\d+$/);
    expect(snap!.bids[0]![0]).not.toMatch(/\.\d*0$/);
    expect((await sim.stop()).code).toBe(0);
  });
});
