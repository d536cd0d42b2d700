import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cli, retryProtocolFile, tempFiles } from './helpers.js';
import { cliSeriesOnce } from './cli-series.js';

/**
 * A protocol file that declares a state too small for what it writes (a write past the end of an
 * Int32Array is lost without a word, and reads back undefined), only in a cell `check` and the
 * quick check do not explore, is refused in one line (exit 2) by every command and engine: it
 * was counted (success 0 of a protocol that succeeds 97% of the time, exit 0).
 */

const dir = tempFiles({});
after(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'small-state.mjs');
// Its state is 3 words, declared as 1 only in the cell bad=7.
writeFileSync(file, retryProtocolFile('small-state').replace('stateSize: () => 3', 'stateSize: (c) => (c.bad ? 1 : 3)'));

describe('a state written past its declared size in a cell the quick check does not explore', () => {
  it('passes check (its small cells declare room)', () => {
    const r = cli(['check', file]);
    assert.equal(r.status, 0, r.stderr);
  });
  const cell = ['--set', `protocol=${file}`, '--set', 'bad=7', '--set', 'rounds=3', '--set', 'loss=0.3', '--quiet'];
  const commands = [
    ['exact'],
    ['trace', '--trial', '3'],
    ['run', '--trials', '2000', '--no-exact'],
    ['run', '--trials', '1000000', '--workers', '2', '--no-exact'],
    ['run', '--trials', '2000'],
  ];
  // The commands in one CLI process (cli-series.ts), run once for the tests.
  const refusals = cliSeriesOnce(commands.map((command) => [...command, ...cell]));
  for (const [i, command] of commands.entries()) {
    it(`${command.join(' ')}: one line naming the file, exit 2`, () => {
      const r = refusals()[i]!;
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

describe('a badly formed announced run in a cell the quick check does not explore', () => {
  // step.peers without bit 0 on the cell's sends: the Monte Carlo engines refused it, exact and
  // trace (which take a run part by part) and small runs printed numbers with exit 0.
  const badRun = join(dir, 'bad-run.mjs');
  writeFileSync(badRun, retryProtocolFile('bad-run').replace("step.label = 'MSG'; return;", "step.label = 'MSG'; if (c.bad) step.peers = 2; return;"));
  it('passes check (its small cells announce no run)', () => {
    const r = cli(['check', badRun]);
    assert.equal(r.status, 0, r.stderr);
  });
  const cell = ['--set', `protocol=${badRun}`, '--set', 'bad=7', '--set', 'rounds=3', '--set', 'loss=0.3', '--quiet'];
  const commands = [['exact'], ['trace', '--trial', '3'], ['run', '--trials', '2000', '--no-exact'], ['run', '--trials', '2000']];
  const refusals = cliSeriesOnce(commands.map((command) => [...command, ...cell]));
  for (const [i, command] of commands.entries()) {
    it(`${command.join(' ')}: one line naming the file and the field, exit 2`, () => {
      const r = refusals()[i]!;
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^twogenerals: protocol bad-run \(.*bad-run\.mjs\): step\.peers is 2, without bit 0: .*\n$/);
    });
  }
});
