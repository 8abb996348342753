#!/usr/bin/env node
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS bin loads with require() */
// The `tickwire` command. It runs compiled JavaScript, never TypeScript through a loader, so
// it starts in a fraction of a second:
// - in an installed package (no sources next to it) it runs dist/cjs/cli/main.js;
// - in a source checkout it runs a compiled copy of src/, adapters/, cli/ and the demo in
//   node_modules/.cache/tickwire/cjs-<hash of the sources>, built on first use (tsc, emit
//   only, a few seconds) and reused until a source file changes. Each copy is written to a
//   temporary folder and renamed into place, so concurrent runs (parallel tests, `npm start`
//   while `npm run build` wipes dist/) never see a half-written or missing build.
const { execFileSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const sourceDirs = ['src', 'adapters', 'cli', 'examples'];
const configFiles = ['tsconfig.json', 'tsconfig.build.json', 'cli/tsconfig.build.json'];
/** Cached builds older than this are removed when a newer one is made (ms). */
const staleAfterMs = 60 * 60 * 1000;

function listSources(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listSources(full, out);
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}

function sourceHash() {
  const hash = createHash('sha256');
  hash.update(require('typescript/package.json').version);
  const files = [];
  for (const dir of sourceDirs) {
    const full = path.join(root, dir);
    if (fs.existsSync(full)) listSources(full, files);
  }
  for (const file of configFiles) files.push(path.join(root, file));
  for (const file of files.sort()) {
    hash.update(path.relative(root, file));
    hash.update('\0');
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function pruneOldBuilds(cache, keep) {
  for (const name of fs.readdirSync(cache)) {
    const full = path.join(cache, name);
    if (full === keep) continue;
    try {
      if (Date.now() - fs.statSync(full).mtimeMs > staleAfterMs) {
        fs.rmSync(full, { recursive: true, force: true });
      }
    } catch {
      // Another process removed it first.
    }
  }
}

/**
 * The folder holding the compiled CommonJS tree (`cli/main.js`, `examples/demo-bot.js`…),
 * building it first when the sources changed.
 *
 * @example
 * const out = require('./bin/tickwire.cjs').compiledRoot();
 * require(`${out}/cli/main.js`).main(['--help']);
 */
function compiledRoot() {
  if (!fs.existsSync(path.join(root, 'cli', 'main.ts'))) return path.join(root, 'dist', 'cjs');
  const cache = path.join(root, 'node_modules', '.cache', 'tickwire');
  const out = path.join(cache, `cjs-${sourceHash()}`);
  if (fs.existsSync(path.join(out, 'cli', 'main.js'))) return out;
  fs.mkdirSync(cache, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  process.stderr.write('tickwire: compiling the sources (first run after a change)…\n');
  try {
    execFileSync(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        '-p',
        path.join(root, 'cli', 'tsconfig.build.json'),
        '--noCheck',
        '--module',
        'CommonJS',
        '--moduleResolution',
        'Node10',
        '--declaration',
        'false',
        '--sourceMap',
        'false',
        '--outDir',
        tmp,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (e) {
    // tsc exits non-zero on a syntax error; without the entry point there is nothing to run.
    if (!fs.existsSync(path.join(tmp, 'cli', 'main.js'))) {
      fs.rmSync(tmp, { recursive: true, force: true });
      const output = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
      throw new Error(`tickwire: could not compile the sources\n${output}`);
    }
  }
  fs.writeFileSync(path.join(tmp, 'package.json'), '{"type":"commonjs"}\n');
  try {
    fs.renameSync(tmp, out);
  } catch {
    // Another process finished the same build first: use theirs.
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  pruneOldBuilds(cache, out);
  return out;
}

function run() {
  let cli;
  try {
    cli = require(path.join(compiledRoot(), 'cli', 'main.js'));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
    return;
  }
  cli.main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`tickwire: internal error: ${e instanceof Error ? e.stack : e}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) run();

module.exports = { compiledRoot };
