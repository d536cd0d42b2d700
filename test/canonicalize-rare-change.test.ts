import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import { refusal } from './assert-cli.js';
import { cli, tempFiles } from './helpers.js';
import { CAPPED_VOTE_PROTOCOL as PROTOCOL } from './capped-vote.js';
import { sameExactValue } from '../src/engine/exact/canonical-check.js';

/**
 * A wrong canonicalize is refused however small the value it changes, held to that value's own
 * digits: the capped vote of canonicalize-every-cell (YES replies counted at most 2 from five
 * cohorts on), at a loss of 0.99999, where a majority of five has probability 5.12e-30 and the
 * merged engine gives 0. Compared within 1e-12 in absolute terms, `exact` printed majority_exact 0
 * (exit 0).
 */

describe('a wrong canonicalize that changes an exact value below 1e-12', () => {
  const dir = tempFiles({ 'vote.mjs': PROTOCOL, 'vote.yaml': 'protocol: ./vote.mjs\nloss: 0.99999\nredundancy: 1\n' });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused in one line (exit 2), not printed as 0', () => {
    const says = refusal(cli(['exact', join(dir, 'vote.yaml'), '--set', 'cohorts=5', '--format', 'csv']), 'exact');
    assert.match(says, /canonicalize changes the exact probability of majority \(5\.1199\d*e-30 without merging, 0 with\)/);
  });

  it('passes where it is right (four cohorts, below its cap)', () => {
    const result = cli(['exact', join(dir, 'vote.yaml'), '--set', 'cohorts=4', '--format', 'csv']);
    assert.equal(result.status, 0, result.stderr);
  });
});

describe('an exact value merging kept', () => {
  it('is held to its own digits, not to 1e-12 in absolute terms', () => {
    assert.equal(sameExactValue(1e-18, 0), false);
    assert.equal(sameExactValue(1e-18, 2e-18), false);
    assert.equal(sameExactValue(1e-18, 1e-18 * (1 + 1e-14)), true);
    assert.equal(sameExactValue(0.5, 0.5 + 1e-13), true);
    assert.equal(sameExactValue(0, 0), true);
    // A mass lost to underflow on one side only: below every printed digit.
    assert.equal(sameExactValue(1e-310, 0), true);
  });
});
