// Benchmark runner: `npm run bench -- <suite>` runs bench/<suite>.ts; no argument runs all.
// Benchmarks are compiled once with tsc (CommonJS, into .bench-out/) and each suite runs
// in its own `node --expose-gc` process, so jest and ts-node never sit on the hot path.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const out = '.bench-out';

const available = existsSync('bench')
  ? readdirSync('bench')
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
      .map((f) => f.slice(0, -3))
      .sort()
  : [];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const suites = wanted.length > 0 ? wanted : available;
const unknown = suites.filter((s) => !available.includes(s));
if (unknown.length > 0 || suites.length === 0) {
  console.error(
    `unknown or no bench suite: ${unknown.join(', ') || '(none)'}; available: ${available.join(', ') || '(none yet)'}`,
  );
  process.exit(2);
}

execFileSync(process.execPath, [tsc, '-p', 'tsconfig.bench.json'], { stdio: 'inherit' });
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'package.json'), '{"type":"commonjs"}\n');

let failed = 0;
for (const suite of suites) {
  const r = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      path.join(out, 'bench', `${suite}.js`),
      ...process.argv.slice(2).filter((a) => a.startsWith('-')),
    ],
    {
      stdio: 'inherit',
    },
  );
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
