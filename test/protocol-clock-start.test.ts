import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, tempFiles } from './helpers.js';

/** A messenger whose clock starts below 0 (the contract asks only that resolve advance it). */
const FILE = `export default ({ SEND, END, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'low-clock',
  outcomes: GENERALS_OUTCOMES,
  configure: (p) => p,
  stateSize: () => 2,
  init(s) { s[0] = -5; s[1] = 0; },
  next(s, c, step) {
    if (s[0] === -5) { step.kind = SEND; step.direction = A_TO_B; step.round = 1; step.label = 'order'; }
    else { step.kind = END; step.outcome = generalsOutcome(true, s[1] === 1); }
  },
  resolve(s, c, step, r) { s[1] = r; s[0] = -4; },
  describe: (s) => (s[1] ? 'heard' : 'not heard'),
});
`;

describe('a protocol file whose clock starts below 0', () => {
  it('gets its exact values (not zeros with exit 0)', () => {
    const dir = tempFiles({ 'low.mjs': FILE, 's.yaml': 'protocol: ./low.mjs\nloss: 0.25\nredundancy: 1\ntrials: 10000\n' });
    const exact = cli(['exact', join(dir, 's.yaml'), '-f', 'json']);
    assert.equal(exact.status, 0, exact.stderr);
    const row = JSON.parse(exact.stdout).rows[0];
    assert.equal(row.both_exact, 0.75);
    assert.equal(row.onlyA_exact, 0.25);
    assert.equal(row.messengers_exact, 1);
    const run = cli(['run', join(dir, 's.yaml'), '-f', 'json', '--workers', '1']);
    assert.equal(run.status, 0, run.stderr);
    const ran = JSON.parse(run.stdout).rows[0];
    assert.equal(ran.success_exact, 0.75);
    assert.ok(Math.abs(ran.success_z) < 4.5, String(ran.success_z));
  });
});
