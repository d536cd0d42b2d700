import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';

/** A cohort hears PREPARE in round 1 and votes in round 2: its choice opens round 2, before its reply. */
const FILE = `export default ({ SEND, CHOOSE, END, A_TO_B, B_TO_A }) => ({
  name: 'late-ballot',
  outcomes: { names: ['yes', 'no', 'silent'], success: [0], disagreement: [2] },
  roundLimit: () => 2,
  usesRounds: false,
  configure: () => ({ ballot: [0.5, 0.5] }),
  stateSize: () => 3,
  init(s) { s[0] = 0; s[1] = 0; s[2] = 0; },
  next(s, c, step) {
    if (s[0] === 0) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; step.peer = 0; step.label = 'PREPARE'; }
    else if (s[0] === 1 && s[1] === 1) { step.kind = CHOOSE; step.choices = c.ballot; step.round = 2; step.peer = 0; step.label = 'ballot'; }
    else if (s[0] === 2) { step.kind = SEND; step.direction = B_TO_A; step.round = 2; step.peer = 0; step.label = 'VOTE'; }
    else { step.kind = END; step.outcome = s[1] === 1 ? s[2] : 2; }
  },
  resolve(s, c, step, r) {
    if (s[0] === 0) s[1] = r;
    else if (s[0] === 1) s[2] = r;
    s[0] += 1;
  },
  describe: (s) => (s[1] ? (s[0] > 1 ? 'voted' : 'heard') : 'waiting'),
});
`;

describe('trace: a choice in a later round', () => {
  it('opens that round in the text timeline and the Mermaid diagram, before the send that follows it', () => {
    const dir = tempFiles({ 'p.mjs': FILE, 's.yaml': 'protocol: ./p.mjs\nloss: 0\nredundancy: 1\ntrials: 10\n' });
    const [text, mermaid] = cliSeries([
      ['trace', join(dir, 's.yaml'), '--trial', '1'],
      ['trace', join(dir, 's.yaml'), '--trial', '1', '--format', 'mermaid'],
    ]) as [CliResult, CliResult];
    assert.equal(text.status, 0, text.stderr);
    const lines = text.stdout.split('\n');
    const ballot = lines.findIndex((l) => l.includes('ballot: choice'));
    assert.match(lines[ballot]!, /^round 2 +B 1 ballot: choice \d$/, text.stdout);
    // Round 1's state is told before round 2 opens, not after the ballot.
    assert.equal(lines[ballot - 1], '          heard', text.stdout);
    assert.equal(lines.filter((l) => l.startsWith('round 2')).length, 1, text.stdout);
    assert.equal(mermaid.status, 0, mermaid.stderr);
    const notes = mermaid.stdout.split('\n').filter((l) => l.includes('round 2') || l.includes('ballot') || l.includes('VOTE'));
    assert.deepEqual(
      notes.map((l) => l.trim().replace(/: .*/, '')),
      ['Note over A,B1', 'Note over B1', 'B1->>A'],
      mermaid.stdout,
    );
  });
});
