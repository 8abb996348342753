import path from 'node:path';
import { killAll, root, runNode, startNode } from './run-cli';

// `npm start -- --duration 15` as CI sees it: not a terminal, so plain lines. The demo
// must show its books, the two injected faults and the SDK recovering from each, end with
// books equal to the simulator's truth, and exit 0.
afterEach(killAll);

it('npm start -- --duration 15 shows books, the injected faults and the recovery, and exits 0', async () => {
  const r = await runNode([path.join(root, 'scripts/start.mjs'), '--duration', '15']);
  const out = r.stdout;
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.code).toBe(0);
  // Book lines for both markets, with both sides filled.
  expect(out).toMatch(/\] book fFUEL\/fUSDC bid [\d.]+ x [\d.]+ \| ask [\d.]+ x [\d.]+ \| spread/);
  expect(out).toMatch(/\] book fETH\/fUSDC bid [\d.]+ x [\d.]+ \| ask [\d.]+ x [\d.]+ \| spread/);
  expect(out).toMatch(
    /\] stats msgs\/s \d+ \| trade latency p50 \d+ ms p99 \d+ ms \| reconnects \d+/,
  );
  // The faults, then the recovery after each.
  const drop = out.indexOf('FAULT injected: the exchange drops every connection');
  const stall = out.indexOf('FAULT injected: the exchange stalls');
  expect(drop).toBeGreaterThan(0);
  expect(stall).toBeGreaterThan(drop);
  const recoveredAfterDrop = out.indexOf('RECOVERED', drop);
  expect(recoveredAfterDrop).toBeGreaterThan(drop);
  expect(recoveredAfterDrop).toBeLessThan(stall);
  expect(out.indexOf('RECOVERED', stall)).toBeGreaterThan(stall);
  // At the end, the books the SDK maintained are the exchange's.
  expect(out).toContain("check: fFUEL/fUSDC book (top 5) matches the exchange's");
  expect(out).toContain("check: fETH/fUSDC book (top 5) matches the exchange's");
  expect(out).toMatch(
    /done: \d+ messages, [1-9]\d* reconnects, \d+ resyncs, faults injected: dropConnections 1, stall 1/,
  );
}, 180_000);

it('npm start without --duration runs until Ctrl-C, then checks the books and exits 0', async () => {
  const demo = await startNode(
    [path.join(root, 'scripts/start.mjs')],
    /\] book fETH\/fUSDC bid [\d.]+ x [\d.]+ .* \| live$/,
  );
  const r = await demo.stop();
  expect(r.code).toBe(0);
  expect(r.stdout).toContain("check: fFUEL/fUSDC book (top 5) matches the exchange's");
  expect(r.stdout).toMatch(/done: \d+ messages/);
}, 180_000);
