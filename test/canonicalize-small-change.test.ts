import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import { refusal } from './assert-cli.js';
import { cli, tempFiles } from './helpers.js';

/**
 * A wrong canonicalize is refused however small the probability it changes: the capped vote of
 * canonicalize-every-cell (YES replies counted at most 2 from five cohorts on), at a loss of 0.97,
 * where a majority of five has probability 3.7e-9 and the merged engine gives 0. A refusal only
 * past 1e-6 would print 0 for it, exit 0.
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

describe('a wrong canonicalize that changes an exact value by 3.7e-9', () => {
  const dir = tempFiles({ 'vote.mjs': PROTOCOL, 'vote.yaml': 'protocol: ./vote.mjs\nloss: 0.97\nredundancy: 1\n' });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused in one line (exit 2), not printed as 0', () => {
    const says = refusal(cli(['exact', join(dir, 'vote.yaml'), '--set', 'cohorts=5', '--format', 'csv']), 'exact');
    assert.match(says, /canonicalize changes the exact probability of majority \(3\.72845\d*e-9 without merging, 0 with\)/);
  });
});
