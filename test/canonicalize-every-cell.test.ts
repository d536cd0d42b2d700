import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, tempFiles } from './helpers.js';
import { CAPPED_VOTE_PROTOCOL as PROTOCOL } from './capped-vote.js';

/**
 * A canonicalize wrong only with more cohorts than `check` explores (1 to 3, and the default 3):
 * it caps the YES replies counted at 2 from five cohorts on, so a majority of five is never
 * reached. `check` and the quick check pass it; the exact engine printed majority 0 (exit 0) for a
 * cell whose majority is 0.5225 (q = 0.8³ = 0.512 a cohort, P(at least 3 of 5)).
 */

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
