import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, tempFiles } from './helpers.js';

/**
 * A canonicalize wrong only with more cohorts than `check` explores (1 to 3, and the default 3):
 * it caps the YES replies counted at 2 from five cohorts on, so a majority of five is never
 * reached. `check` and the quick check pass it; the exact engine printed majority 0 (exit 0) for a
 * cell whose majority is 0.5225 (q = 0.8³ = 0.512 a cohort, P(at least 3 of 5)).
 */
const PROTOCOL = `export default ({ SEND, CHOOSE, END, A_TO_B, B_TO_A }) => ({
  name: 'capped-vote',
  outcomes: { names: ['majority', 'nomajority'], success: [0], disagreement: [1] },
  parameters: [{ name: 'cohorts', description: 'cohorts', minimum: 1, maximum: 9, default: 3, integer: true }],
  usesRounds: false,
  configure: (p) => ({ n: p.cohorts, vote: [0.8, 0.2] }),
  stateSize: () => 5, // clock, the cohort next, its phase (0 ask, 1 vote, 2 reply), YES voted, YES received
  init: (s) => { s.fill(0); },
  next(s, { n, vote }, step) {
    if (s[1] >= n) { step.kind = END; step.outcome = 2 * s[4] > n ? 0 : 1; return; }
    step.peer = s[1]; step.round = 1;
    if (s[2] === 0) { step.kind = SEND; step.direction = A_TO_B; step.label = 'ask'; }
    else if (s[2] === 1) { step.kind = CHOOSE; step.choices = vote; step.label = 'vote'; }
    else { step.kind = SEND; step.direction = B_TO_A; step.label = 'reply'; }
  },
  resolve(s, c, step, r) {
    s[0]++;
    if (s[2] === 0) { if (r) s[2] = 1; else s[1]++; return; }
    if (s[2] === 1) { s[3] = r === 0 ? 1 : 0; s[2] = 2; return; }
    if (r && s[3]) s[4]++;
    s[1]++; s[2] = 0; s[3] = 0;
  },
  canonicalize(s, c) { if (c.n >= 5 && s[4] > 2) s[4] = 2; },
  describe: (s) => 'cohort ' + s[1] + ', ' + s[4] + ' YES received',
});
`;

describe('a canonicalize wrong only in cells check does not explore', () => {
  const dir = tempFiles({ 'vote.mjs': PROTOCOL, 'vote.yaml': 'protocol: ./vote.mjs\nloss: 0.2\nredundancy: 1\n' });
  const scenario = join(dir, 'vote.yaml');
  it('passes check, and its exact values where it is right are printed', () => {
    assert.equal(cli(['check', join(dir, 'vote.mjs')]).status, 0);
    const r = cli(['exact', scenario, '--set', 'cohorts=3', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /,3,0\.517996544,/);
  });
  it('is refused in one line (exit 2) where it changes an exact value, not printed', () => {
    for (const args of [
      ['exact', scenario, '--set', 'cohorts=5', '--format', 'csv'],
      ['run', scenario, '--set', 'cohorts=5', '--trials', '1000'],
    ]) {
      const r = cli(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^twogenerals: protocol capped-vote \(.*vote\.mjs\): canonicalize changes the exact probability of majority \(0\.52249136149\d* without merging, 0 with\): it merges states whose futures differ in this cell/,
      );
      assert.equal(r.stderr.split('\n').length, 2);
    }
  });
});
