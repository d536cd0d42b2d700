import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliSeries } from './cli-series.js';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { refusal } from './assert-cli.js';

/**
 * With crashes, a protocol's `nodes` is held to what its steps name in every cell every engine
 * runs, not only in those `check` explores: a node left off the list (or given a role index past
 * `roles`) got no crash rate, so it never crashed, and run and exact printed the numbers of a cell
 * where it cannot, with exit 0. The quick check before every command sees only the default cell.
 */

/** A sends to each of `peers` peers (default 1) in round 1; reached iff every one got it. `nodes` as written below. */
const fan = (nodes: string): string => `export default ({ SEND, END, ROUND, A_TO_B }) => ({
  name: 'fan',
  outcomes: { names: ['reached', 'short'], success: [0], disagreement: [1] },
  parameters: [{ name: 'peers', description: 'peers A sends to', minimum: 1, maximum: 4, default: 1, integer: true }],
  configure: (p) => ({ n: p.peers, crashes: p.crashes === 1 ? 1 : 0 }),
  stateSize: () => 3, // clock, peers reached (bits), nodes crashed (bits)
  init() {},
  next(s, c, step) {
    const at = s[0] - c.crashes;
    if (at < 0) { step.kind = ROUND; step.round = 1; }
    else if (s[2] & 1) { step.kind = END; step.outcome = 1; }
    else if (at < c.n) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; step.peer = at; }
    else { step.kind = END; step.outcome = s[1] === (1 << c.n) - 1 ? 0 : 1; }
  },
  resolve(s, c, step, r) {
    if (s[0] - c.crashes >= 0 && r) s[1] |= 1 << step.peer;
    s[0]++;
  },
  describe: (s) => \`reached \${s[1]}\`,
  roles: ['A', 'peer'],
  nodes: ${nodes},
  crash(s, c, node) { s[2] |= 1 << node; },
  crashed: (s, c, node) => ((s[2] >> node) & 1) === 1,
});
`;

/** Two peers, each up with 1/2 and reached with 0.8: success (0.5 · 0.8)² = 0.16. */
const SCENARIO = 'protocol: ./p.mjs\npeers: 2\nloss: 0.2\nredundancy: 1\ntrials: 10000\nseed: 1\ncrash: { peer: 0.5 }\n';

const commands = (dir: string): string[][] => [
  ['run', join(dir, 's.yaml'), '-f', 'csv'],
  ['run', join(dir, 's.yaml'), '--workers', '2', '--trials', '100000', '-f', 'csv'],
  ['exact', join(dir, 's.yaml'), '-f', 'csv'],
  ['trace', join(dir, 's.yaml'), '--trial', '1'],
];

describe('with crashes, nodes is held to the steps in every cell, not only in those check explores', () => {
  it('a send to a peer nodes leaves off is refused by run, exact, trace and check, not run as a peer that never crashes', () => {
    const dir = tempFiles({ 'p.mjs': fan('() => [0, 1]'), 's.yaml': SCENARIO });
    // Before: check passed (an A → B send was held to the list only by its sender), and run and
    // exact printed success 0.32 (peer 1 never crashing) against the 0.16 of the cell, exit 0.
    const results = cliSeries([...commands(dir), ['check', join(dir, 'p.mjs')]]);
    for (const r of results) {
      assert.match(refusal(r), /a send names peer 1, but nodes lists only 2 nodes/);
    }
  });

  it('a role index past roles in a cell the quick check does not see is refused, not given no crash rate', () => {
    const dir = tempFiles({ 'p.mjs': fan('(c) => [0, ...new Array(c.n).fill(c.n > 1 ? 2 : 1)]'), 's.yaml': SCENARIO });
    // Before: run printed success 0.64 (no peer ever crashing), exit 0.
    for (const r of cliSeries(commands(dir))) {
      assert.equal(r.status, 2, r.stdout);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^twogenerals: protocol fan \(.*p\.mjs\): nodes returned \[0,2,2\]; it must list at least 2 role indices into roles \(0 to 1\)\n$/,
      );
    }
  });

  it('nodes that returns no role indices is refused naming what it returned, not as a check that failed', () => {
    const dir = tempFiles({ 'p.mjs': fan('() => [0n, 1n]'), 's.yaml': SCENARIO });
    // Before: `the check failed: Do not know how to serialize a BigInt` (JSON of the list).
    for (const r of cliSeries([['check', join(dir, 'p.mjs')], commands(dir)[0]!])) {
      assert.equal(r.status, 2, r.stdout);
      assert.match(r.stderr, /nodes returned \[0n,1n\]; it must list 2 to 30 role indices into roles \(0 to 1\)/);
      assert.doesNotMatch(r.stderr, /serialize/);
    }
  });

  it('nodes listing every peer runs as before: success 0.16 exact, the estimate beside it', () => {
    const dir = tempFiles({ 'p.mjs': fan('(c) => [0, ...new Array(c.n).fill(1)]'), 's.yaml': SCENARIO });
    const [run, , exact] = cliSeries(commands(dir)) as [CliResult, CliResult, CliResult];
    assert.equal(exact.status, 0, exact.stderr);
    assert.match(exact.stdout, /^s,fan,bernoulli,0\.2,1,1,2,0\.5,0\.16,0\.84,/m);
    assert.equal(run.status, 0, run.stderr);
    const [header, row] = run.stdout.trim().split('\n') as [string, string];
    const at = (column: string): number => Number(row.split(',')[header.split(',').indexOf(column)]);
    assert.equal(at('success_exact'), 0.16);
    assert.ok(Math.abs(at('success_z')) < 4, `success ${at('success')} against 0.16 (z ${at('success_z')})`);
  });
});
