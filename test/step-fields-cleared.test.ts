import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliSeries } from './cli-series.js';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { arqFile } from './arq-file.js';

/**
 * Every engine gives `next` a fresh step before each call, not only its kind unset: a field a
 * `next` leaves as it found it held what the call before left there, and each engine calls `next`
 * in an order of its own (check on a fresh step, the exact engine clock by clock, Monte Carlo
 * trial by trial), so the same file computed other numbers in each, with exit 0.
 */

const ARQ = arqFile('arq-unset');

/**
 * A sends to peer 1, then to the peer a send that names none goes to (node 1: peer 0), each peer
 * crashing at the round's start with crash.cohort: reached iff both arrive.
 */
const PAIR = `export default ({ SEND, END, ROUND, A_TO_B }) => ({
  name: 'pair-unset',
  outcomes: { names: ['reached', 'short'], success: [0], disagreement: [1] },
  configure: (p) => ({ crashes: p.crashes === 1 ? 1 : 0 }),
  stateSize: () => 6, // clock, got by peer 0, got by peer 1, then node 0 (A), 1 and 2 (the peers) crashed
  init(s) { s.fill(0); },
  next(s, c, step) {
    const at = s[0] - c.crashes;
    if (at < 0) { step.kind = ROUND; step.round = 1; }
    else if (at < 2 && s[3] === 1) { step.kind = END; step.outcome = 1; }
    else if (at === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; step.peer = 1; }
    else if (at === 1) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; }
    else { step.kind = END; step.outcome = s[1] === 1 && s[2] === 1 ? 0 : 1; }
  },
  resolve(s, c, step, r) {
    const at = s[0] - c.crashes;
    if (at === 0) s[2] = r;
    else if (at === 1) s[1] = r;
    s[0]++;
  },
  describe: (s) => \`\${s[1]}\${s[2]}\`,
  roles: ['A', 'cohort'],
  nodes: () => [0, 1, 1],
  crash(s, c, node) { s[3 + node] = 1; },
  crashed: (s, c, node) => s[3 + node] === 1,
});
`;

const SCENARIO = 'protocol: ./p.mjs\nloss: { AtoB: 0.1, BtoA: 0.5 }\nredundancy: 1\nrounds: 3\ntrials: 20000\nseed: 7\n';

describe('a step field next leaves as it found it reads as check read it in every engine, never as the last call left it', () => {
  it('a send that names no direction goes A→B in every engine, as check saw it, not where the last send went', () => {
    const slip = ARQ.replace(
      "step.kind = SEND; step.direction = A_TO_B; step.round = round; step.label = 'order';",
      "step.kind = SEND; step.round = round; step.label = 'order';",
    );
    assert.notEqual(slip, ARQ, 'the slip applies');
    const dir = tempFiles({ 'p.mjs': slip, 's.yaml': SCENARIO });
    // Before: check passed (its fresh step said A_TO_B), exact followed each order as its state's
    // last call left the direction (success 0.705625), and run --workers 1 printed 0.68889
    // (z −11.6 against that), exit 0; retransmit at these losses is 0.833625.
    const [checked, exact, run, trace] = cliSeries([
      ['check', join(dir, 'p.mjs')],
      ['exact', join(dir, 's.yaml'), '-f', 'csv'],
      ['run', join(dir, 's.yaml'), '--workers', '1', '-f', 'csv'],
      ['trace', join(dir, 's.yaml'), '--trial', '2'],
    ]) as [CliResult, CliResult, CliResult, CliResult];
    assert.equal(checked.status, 0, checked.stderr);
    assert.equal(exact.status, 0, exact.stderr);
    // retransmit at loss 0.1 A→B, 0.5 B→A, R = 3: both 0.833625, neither 0.001, onlyB 0.165375
    assert.match(exact.stdout, /,0\.833625,0\.001,0,0\.165375,0\.833625,/);
    assert.equal(run.status, 0, run.stderr);
    const [header, row] = run.stdout.trim().split('\n') as [string, string];
    const at = (column: string): number => Number(row.split(',')[header.split(',').indexOf(column)]);
    assert.equal(at('success_exact'), 0.833625);
    assert.ok(Math.abs(at('success_z')) < 4, `success ${at('success')} against 0.833625 (z ${at('success_z')})`);
    assert.equal(trace.status, 0, trace.stderr);
    assert.doesNotMatch(trace.stdout, /B → A: order/);
    assert.match(trace.stdout, /A → B: order/);
  });

  it('with crashes, a send that names no peer goes to node 1 (peer 0) in every engine, not to the peer the last send named', () => {
    const dir = tempFiles({ 'p.mjs': PAIR, 's.yaml': 'protocol: ./p.mjs\nloss: 0.2\nredundancy: 1\ntrials: 100000\nseed: 1\ncrash: { cohort: 0.5 }\n' });
    // Both peers up (1/4) and both sends arriving (0.8 each): 0.16. Before: exact 0.32 and run
    // 0.31806 (the second send counted as peer 1's again, so peer 0's crash went unseen), exit 0.
    const [checked, exact, run] = cliSeries([
      ['check', join(dir, 'p.mjs')],
      ['exact', join(dir, 's.yaml'), '-f', 'csv'],
      ['run', join(dir, 's.yaml'), '--workers', '1', '-f', 'csv'],
    ]) as [CliResult, CliResult, CliResult];
    assert.equal(checked.status, 0, checked.stderr);
    assert.equal(exact.status, 0, exact.stderr);
    assert.match(exact.stdout, /^s,pair-unset,bernoulli,0\.2,1,1,0\.5,0\.16,0\.84,0\.16,0\.84,/m);
    assert.equal(run.status, 0, run.stderr);
    const [header, row] = run.stdout.trim().split('\n') as [string, string];
    const at = (column: string): number => Number(row.split(',')[header.split(',').indexOf(column)]);
    assert.equal(at('trials'), 100_000);
    assert.ok(Math.abs(at('success_z')) < 4, `success ${at('success')} against 0.16 (z ${at('success_z')})`);
    assert.equal(at('success_exact'), 0.16);
  });
});
