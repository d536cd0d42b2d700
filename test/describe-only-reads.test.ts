import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';
import { refusal } from './assert-cli.js';

/** A messenger sent every round; B attacks once one arrives. WRITE is what describe does to the state besides reading it. */
const FILE = `export default ({ SEND, END, A_TO_B, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'describing',
  outcomes: GENERALS_OUTCOMES,
  configure: (p) => ({ rounds: p.rounds }),
  stateSize: () => 2,
  init(s) { s[0] = 0; s[1] = 0; },
  next(s, c, step) {
    if (s[0] < c.rounds) { step.kind = SEND; step.direction = A_TO_B; step.round = s[0] + 1; }
    else { step.kind = END; step.outcome = generalsOutcome(true, s[1] === 1); }
  },
  resolve(s, c, step, r) { if (r === 1) s[1] = 1; s[0] += 1; },
  describe: (s) => { WRITE; return s[1] ? 'B holds the order' : 'B waits'; },
});
`;
const SCENARIO = 'protocol: ./p.mjs\nloss: 0.5\nredundancy: 1\nrounds: 2\ntrials: 100\n';
const WROTE = /describe wrote to the state it was given \(field 1: 1 → 0\): it must only read it, since run and exact never call it/;

describe('a describe that writes to the state', () => {
  it('is refused by check, and by the quick check before run, exact and trace', () => {
    const dir = tempFiles({ 'p.mjs': FILE.replace('WRITE', 's[1] = 0'), 's.yaml': SCENARIO });
    const results = cliSeries([
      ['check', join(dir, 'p.mjs')],
      ['run', join(dir, 's.yaml'), '--workers', '1'],
      ['exact', join(dir, 's.yaml')],
      ['trace', join(dir, 's.yaml'), '--trial', '1'],
    ]);
    for (const r of results) {
      assert.match(refusal(r), WROTE);
    }
  });

  it('is refused by trace in a cell the checks do not visit (round 4 on), where it would tell another trial than run counts', () => {
    // check explores rounds 1 to 3, the quick check 2 rounds: neither reaches a clock of 4.
    const dir = tempFiles({ 'p.mjs': FILE.replace('WRITE', 'if (s[0] >= 4) s[1] = 0'), 's.yaml': SCENARIO.replace('rounds: 2', 'rounds: 5') });
    const [checked, traced] = cliSeries([
      ['check', join(dir, 'p.mjs')],
      ['trace', join(dir, 's.yaml'), '--trial', '1'],
    ]) as [CliResult, CliResult];
    assert.equal(checked.status, 0, checked.stderr);
    assert.equal(traced.status, 2, traced.stdout + traced.stderr);
    assert.equal(traced.stdout, '');
    assert.match(traced.stderr, WROTE);
  });
});
