import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

// Builds the dual package, then loads it through its own name (the repo resolves itself
// via package.json "exports") from fresh `node` processes, once with require() and once
// with import(), for every subpath whose sources exist so far.
const root = path.join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
};

const sourceOf: Record<string, string> = {
  '.': 'src/index.ts',
  './adapters/o2': 'adapters/o2/index.ts',
  './adapters/binance': 'adapters/binance/index.ts',
  './testing': 'src/testing/index.ts',
};
const subpaths = Object.keys(pkg.exports).filter((s) => s !== './package.json');
const present = subpaths.filter((s) => existsSync(path.join(root, sourceOf[s] ?? '-')));

function run(code: string, type: 'commonjs' | 'module'): string {
  const args = type === 'module' ? ['--input-type=module', '-e', code] : ['-e', code];
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();
}

describe('package exports (dual ESM + CJS)', () => {
  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
  }, 180_000);

  it('maps every designed subpath', () => {
    expect(subpaths.sort()).toEqual(['.', './adapters/binance', './adapters/o2', './testing']);
    expect(present).toContain('.');
  });

  it.each(present)(
    'require() and import() both load %s',
    (sub) => {
      const spec = sub === '.' ? 'tickwire' : `tickwire/${sub.slice(2)}`;
      const cjs = run(
        `const m = require('${spec}'); console.log(JSON.stringify(Object.keys(m).sort()));`,
        'commonjs',
      );
      const esm = run(
        `const m = await import('${spec}'); console.log(JSON.stringify(Object.keys(m).filter(k => k !== 'default').sort()));`,
        'module',
      );
      const cjsKeys = JSON.parse(cjs) as string[];
      expect(cjsKeys.length).toBeGreaterThan(0);
      expect(JSON.parse(esm)).toEqual(cjsKeys);
    },
    60_000,
  );

  it('both module formats expose TickwireError, and errors cross the two copies', () => {
    const cjs = run(
      "const { TickwireError, createError } = require('tickwire'); const e = createError('RATE_LIMITED', 'x', { context: { retryAfterMs: 1 } }); console.log(typeof TickwireError, e instanceof TickwireError, e.code);",
      'commonjs',
    );
    expect(cjs).toBe('function true RATE_LIMITED');
    const mixed = run(
      "import { createRequire } from 'node:module'; const require = createRequire(process.cwd() + '/'); const esm = await import('tickwire'); const cjs = require('tickwire'); const e = new cjs.TickwireError('WS_CLOSED', 'x', { context: { code: 1006, reason: '' } }); console.log(esm.TickwireError !== cjs.TickwireError, e instanceof esm.TickwireError, e instanceof esm.TransportError, esm.isTickwireError(e, 'WS_CLOSED'));",
      'module',
    );
    expect(mixed).toBe('true true true true');
  }, 60_000);
});
