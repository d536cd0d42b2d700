import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli, tempFiles } from './helpers.js';

/**
 * A protocol file that declares a state too small for what it writes (a write past the end of an
 * Int32Array is lost without a word, and reads back undefined), only in a cell `check` and the
 * quick check do not explore, is refused in one line (exit 2) by every command and engine: it
 * was counted (success 0 of a protocol that succeeds 97% of the time, exit 0).
 */

const dir = tempFiles({});
after(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'small-state.mjs');
writeFileSync(
  file,
  `export default ({ SEND, CHOOSE, END, A_TO_B }) => ({
  name: 'small-state',
  outcomes: { names: ['delivered', 'dark'], success: [0], disagreement: [] },
  parameters: [{ name: 'bad', description: 'a state too small at 7', minimum: 0, maximum: 10, default: 0, integer: true }],
  configure: (p) => ({ rounds: p.rounds, bad: p.bad === 7, choices: [0.75, 0.25] }),
  stateSize: (c) => (c.bad ? 1 : 3),
  init(s) { s.fill(0); },
  next(s, c, step) {
    for (;;) {
      const round = (s[0] >> 1) + 1, part = s[0] & 1;
      if (s[1] === 1 || round > c.rounds) { step.kind = END; step.outcome = s[1] === 1 ? 0 : 1; return; }
      step.round = round;
      if (part === 0) { step.kind = CHOOSE; step.label = 'try'; step.choices = c.choices; return; }
      if (s[2] === 1) { step.kind = SEND; step.direction = A_TO_B; step.label = 'MSG'; return; }
      s[0]++;
    }
  },
  resolve(s, c, step, r) {
    if ((s[0] & 1) === 0) s[2] = r === 0 ? 1 : 0; else { if (r === 1) s[1] = 1; s[2] = 0; }
    s[0]++;
  },
  describe: (s) => 'A ' + s[2] + '; B ' + s[1],
});
`,
);

describe('a state written past its declared size in a cell the quick check does not explore', () => {
  it('passes check (its small cells declare room)', () => {
    const r = cli(['check', file]);
    assert.equal(r.status, 0, r.stderr);
  });
  const cell = ['--set', `protocol=${file}`, '--set', 'bad=7', '--set', 'rounds=3', '--set', 'loss=0.3', '--quiet'];
  for (const command of [
    ['exact'],
    ['trace', '--trial', '3'],
    ['run', '--trials', '2000', '--no-exact'],
    ['run', '--trials', '1000000', '--workers', '2', '--no-exact'],
    ['run', '--trials', '2000'],
  ]) {
    it(`${command.join(' ')}: one line naming the file, exit 2`, () => {
      const r = cli([...command, ...cell]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^twogenerals: protocol small-state \(.*small-state\.mjs\): resolve wrote beyond the declared state size \(1\) \(state \[\d+\]\)\n$/,
      );
    });
  }
  it('the same file with room runs', () => {
    const r = cli(['run', '--trials', '20000', '--set', `protocol=${file}`, '--set', 'rounds=3', '--set', 'loss=0.3', '--quiet', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
  });
});
