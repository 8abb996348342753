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
