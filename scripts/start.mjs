// `npm start`: the demo bot (examples/demo-bot.ts) against the embedded O2 simulator.
// It runs compiled JavaScript from the same cache as the `tickwire` bin (built on first
// use, a few seconds), so no TypeScript loader is involved.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
let demo;
try {
  const { compiledRoot } = require('../bin/tickwire.cjs');
  demo = require(path.join(compiledRoot(), 'examples', 'demo', 'main.js'));
} catch (e) {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
process.exitCode = await demo.main(process.argv.slice(2));
