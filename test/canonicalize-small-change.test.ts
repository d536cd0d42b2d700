import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import { refusal } from './assert-cli.js';
import { cli, tempFiles } from './helpers.js';
import { CAPPED_VOTE_PROTOCOL as PROTOCOL } from './capped-vote.js';

/**
 * A wrong canonicalize is refused however small the probability it changes: the capped vote of
 * canonicalize-every-cell (YES replies counted at most 2 from five cohorts on), at a loss of 0.97,
 * where a majority of five has probability 3.7e-9 and the merged engine gives 0. A refusal only
 * past 1e-6 would print 0 for it, exit 0.
 */

describe('a wrong canonicalize that changes an exact value by 3.7e-9', () => {
  const dir = tempFiles({ 'vote.mjs': PROTOCOL, 'vote.yaml': 'protocol: ./vote.mjs\nloss: 0.97\nredundancy: 1\n' });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused in one line (exit 2), not printed as 0', () => {
    const says = refusal(cli(['exact', join(dir, 'vote.yaml'), '--set', 'cohorts=5', '--format', 'csv']), 'exact');
    assert.match(says, /canonicalize changes the exact probability of majority \(3\.72845\d*e-9 without merging, 0 with\)/);
  });
});
