import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliSeries } from './cli-series.js';

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

/** The same messenger with its clock moved by about 2^30 in one resolve (from 1 to 2^30). */
const JUMP = FILE.replace("name: 'low-clock'", "name: 'far-clock'")
  .replace('s[0] = -5;', 's[0] = 1;')
  .replace('s[0] === -5', 's[0] === 1')
  .replace('s[0] = -4;', 's[0] = 1 << 30;');

describe('a protocol file whose clock starts below 0, or jumps far', () => {
  it('gets its exact values (not zeros with exit 0)', () => {
    const dir = tempFiles({ 'low.mjs': FILE, 's.yaml': 'protocol: ./low.mjs\nloss: 0.25\nredundancy: 1\ntrials: 10000\n' });
    const [exact, run] = cliSeries([
      ['exact', join(dir, 's.yaml'), '-f', 'json'],
      ['run', join(dir, 's.yaml'), '-f', 'json', '--workers', '1'],
    ]) as [CliResult, CliResult];
    assert.equal(exact.status, 0, exact.stderr);
    const row = JSON.parse(exact.stdout).rows[0];
    assert.equal(row.both_exact, 0.75);
    assert.equal(row.onlyA_exact, 0.25);
    assert.equal(row.messengers_exact, 1);
    assert.equal(run.status, 0, run.stderr);
    const ran = JSON.parse(run.stdout).rows[0];
    assert.equal(ran.success_exact, 0.75);
    assert.ok(Math.abs(ran.success_z) < 3.5, String(ran.success_z));
  });

  it('a clock that jumps by 2^30, or across the whole Int32 range, in one resolve: exact at once, not after a walk over every clock between', () => {
    // No clock is read here: levels kept by their clock's place in an array (a walk over the 2^30
    // clocks between took over a minute) lose the level 2^32 − 1 places on, and print zeros at once.
    const WHOLE = JUMP.replace("name: 'far-clock'", "name: 'whole-clock'")
      .replace('s[0] = 1;', 's[0] = -2147483648;')
      .replace('s[0] === 1', 's[0] === -2147483648')
      .replace('s[0] = 1 << 30;', 's[0] = 2147483647;');
    const scenario = (file: string): string => `protocol: ./${file}\nloss: 0.25\nredundancy: 1\ntrials: 10000\n`;
    const dir = tempFiles({ 'far.mjs': JUMP, 'whole.mjs': WHOLE, 'far.yaml': scenario('far.mjs'), 'whole.yaml': scenario('whole.mjs') });
    // Both files, both commands, in one CLI process (cli-series.ts).
    const runs = ['whole', 'far'].flatMap((name) => ['exact', 'run'].map((command) => ({ name, command })));
    const results = cliSeries(
      runs.map(({ name, command }) => [command, join(dir, `${name}.yaml`), '-f', 'json', '--workers', '1'].slice(0, command === 'exact' ? 4 : 6)),
    );
    for (const [i, { name, command }] of runs.entries()) {
      const file = `${name}.mjs`;
      const r = results[i]!;
      assert.equal(r.status, 0, r.stderr);
      const row = JSON.parse(r.stdout).rows[0];
      assert.equal(row.success_exact, 0.75, `${command} ${file}`);
      assert.equal(row.disagreement_exact, 0.25, `${command} ${file}`);
      assert.equal(row.messengers_exact, 1, `${command} ${file}`);
    }
  });
});
