// Dual build: one tsc pass per module format (the library, the `tickwire` command in cli/
// and the demo; see cli/tsconfig.build.json), each with its own package.json marker
// so Node picks the right loader for dist/esm (ESM) and dist/cjs (CommonJS).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');

rmSync('dist', { recursive: true, force: true });
const builds = [
  {
    dir: 'dist/esm',
    type: 'module',
    args: ['--module', 'ESNext', '--moduleResolution', 'Bundler'],
  },
  {
    dir: 'dist/cjs',
    type: 'commonjs',
    args: ['--module', 'CommonJS', '--moduleResolution', 'Node10'],
  },
];
for (const b of builds) {
  execFileSync(
    process.execPath,
    [tsc, '-p', 'cli/tsconfig.build.json', '--outDir', b.dir, ...b.args],
    {
      stdio: 'inherit',
    },
  );
  mkdirSync(b.dir, { recursive: true });
  writeFileSync(`${b.dir}/package.json`, JSON.stringify({ type: b.type }) + '\n');
}
console.log('built dist/esm and dist/cjs');
