import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';
import { refusal } from './assert-cli.js';

/**
 * A messenger sent every round by A while it is up, with crash support; B attacks once one arrived,
 * A unless state[4] holds it back. WRITE is what crashed does besides reading its mark.
 */
const FILE = `export default ({ SEND, END, ROUND, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'asking',
  outcomes: GENERALS_OUTCOMES,
  configure: (p) => ({ rounds: p.rounds, width: p.crashes === 1 ? 2 : 1 }),
  stateSize: () => 5, // clock, B holds the order, A crashed, B crashed, a flag crashed must not touch
  init(s) { s.fill(0); },
  next(s, c, step) {
    for (;;) {
      const round = Math.floor(s[0] / c.width) + 1;
      if (round > c.rounds) { step.kind = END; step.outcome = generalsOutcome(s[2] === 0 && s[4] === 0, s[3] === 0 && s[1] === 1); return; }
      step.round = round;
      if (c.width === 2 && s[0] % 2 === 0) { step.kind = ROUND; return; }
      if (s[2] === 0) { step.kind = SEND; step.direction = A_TO_B; return; }
      s[0] += 1;
    }
  },
  resolve(s, c, step, r) { if (step.kind === SEND && r === 1) s[1] = 1; s[0] += 1; },
  roles: ['A', 'B'],
  nodes: () => [0, 1],
  crash(s, c, node) { s[2 + node] = 1; },
  crashed: (s, c, node) => { WRITE; return s[2 + node] === 1; },
  describe: (s) => (s[1] ? 'B holds the order' : 'B waits'),
});
`;
const SCENARIO = 'protocol: ./p.mjs\nloss: 0.25\nredundancy: 1\nrounds: 2\ncrash: 0.1\ntrials: 5000\n';
const WROTE = /crashed\(node 1\) wrote to the state it was given \(field 4: 0 → 1\): it must only read it, since each engine asks it at times of its own/;

describe('a crashed that writes to the state', () => {
  it('is refused by check, and by the quick check before run and exact', () => {
    const dir = tempFiles({ 'p.mjs': FILE.replace('WRITE', 'if (node === 1) s[4] ^= 1'), 's.yaml': SCENARIO });
    const results = cliSeries([
      ['check', join(dir, 'p.mjs')],
      ['run', join(dir, 's.yaml'), '--workers', '1'],
      ['exact', join(dir, 's.yaml')],
    ]);
    for (const r of results) {
      assert.match(refusal(r), WROTE);
    }
  });

  it('is refused by the trials every engine runs of a cell first, in a round the checks do not reach', () => {
    // From round 5's start (clock 8): check explores rounds 1 to 3, the quick check 2 rounds.
    const dir = tempFiles({ 'p.mjs': FILE.replace('WRITE', 'if (node === 1 && s[0] >= 8) s[4] ^= 1'), 's.yaml': SCENARIO.replace('rounds: 2', 'rounds: 5') });
    const [checked, ran, exact] = cliSeries([
      ['check', join(dir, 'p.mjs')],
      ['run', join(dir, 's.yaml'), '--workers', '1', '--no-exact'],
      ['exact', join(dir, 's.yaml')],
    ]) as [CliResult, CliResult, CliResult];
    assert.equal(checked.status, 0, checked.stderr);
    for (const r of [ran, exact]) {
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, WROTE);
    }
  });
});
