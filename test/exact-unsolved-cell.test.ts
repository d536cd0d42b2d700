import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXACT_NOT_TRIED, runCells } from '../src/engine/schedule/runner.js';
import { expandCells } from '../src/scenario/cells.js';
import { scenarioFrom, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// `exact` prints nothing but exact values: on a cell the engine could not solve it printed a row
// of empty fields and a warning, exit 0. 21 nodes able to crash at once are more than the engine
// branches over (16), which it knows before any work: the cell used here.
describe('exact on a cell it cannot solve', () => {
  const unsolvable = 'protocol: two-phase-commit\nparticipants: 20\ncrash: 0.01\nloss: 0.1\nrounds: 2\ntrials: 1000\n';
  const dir = tempFiles({ 'big.yaml': unsolvable, 'gated.yaml': `${unsolvable}expect:\n  - {metric: success, atLeast: 0.5}\n` });
  const big = join(dir, 'big.yaml');
  const WHY = '21 nodes may crash in round 1, more than the 16 it branches over; `twogenerals run` estimates it with trials';

  it('is refused in one line naming the cell and why, exit 2, nothing printed, in every format', async () => {
    for (const format of ['table', 'csv', 'json', 'markdown', 'junit']) {
      const r = await cliIn(['exact', big, '-f', format]);
      assert.equal(r.status, 2, `${format}: ${r.stderr}`);
      assert.equal(r.stdout, '', format);
      assert.equal(
        r.stderr,
        `twogenerals: ${big}: no exact values for big (loss=0.1, redundancy=2, rounds=2, participants=20, abortRate=0, crash=0.01): ${WHY}\n`,
      );
    }
  });

  it('in a sweep, names the cell among the others, and prints none of them', async () => {
    const r = await cliIn(['exact', big, '--sweep', 'participants=1,20,2', '-f', 'csv']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^twogenerals: .*big\.yaml: no exact values for big \(.*participants=20.*\) \(cell 2 of 3\): 21 nodes may crash/);
    assert.equal(r.stderr.split('\n').length, 2);
  });

  it('a gate on the cell names that cell, not a cell before it left uncomputed', async () => {
    // The cell past reach is found before any cell is computed: the gate was judged on every
    // cell, and refused as "cannot be judged in … participants=2", a cell the engine can solve.
    const gated = join(dir, 'gated.yaml');
    for (const sweep of ['participants=2,20', 'participants=20,2']) {
      const r = await cliIn(['exact', gated, '--sweep', sweep, '-f', 'csv']);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^twogenerals: .*gated\.yaml:8:5: the gate on success cannot be judged in gated \(.*participants=20,.*\): it has no trials and no exact value/,
      );
      assert.equal(r.stderr.split('\n').length, 2);
    }
  });

  it('solves the cells it can as before (exit 0)', async () => {
    const r = await cliIn(['exact', big, '--set', 'participants=2', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.trim().split('\n')[1]!, /^big,two-phase-commit,bernoulli,0\.1,2,2,2,0,0\.01,0\.95\d+,/);
  });

  it('run keeps its Monte Carlo columns for the cell and exits 0, saying why it has no exact values', async () => {
    const r = await cliIn(['run', big, '--exact', '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 2);
    assert.match(r.stderr, /^warning: big \(.*\): no exact values: 21 nodes may crash in round 1/m);
  });

  it('stops the exact values at the first cell without them where asked (exactAllOrNone): the cells after it are not computed', async () => {
    // Three cohorts over Gilbert–Elliott with crashes at R 8, then two: each past 100,000 steps of work.
    const channel = { model: 'gilbert-elliott', goodToBad: 0.3, badToGood: 0.3 };
    const scenario = scenarioFrom({ protocol: 'two-phase-commit', channel, crash: 0.01, rounds: 8, sweep: { participants: [3, 2] } });
    const explicitLimits = { maxWork: 100_000, maxWords: 1e9 };
    const all = await runCells(expandCells(scenario), { exact: 'on', simulate: false, workers: 1, explicitLimits });
    for (const r of all) assert.match(r.exactMissing ?? '', /^it needs more than 100,000 steps of work \(/);
    const stopped = await runCells(expandCells(scenario), { exact: 'on', simulate: false, workers: 1, explicitLimits, exactAllOrNone: true });
    assert.deepEqual(
      stopped.map((r) => r.exactMissing),
      [all[0]!.exactMissing, EXACT_NOT_TRIED],
    );
  });

  it('finds a cell refused at its start before computing the cells before it (exactAllOrNone)', async () => {
    // Three cohorts over Gilbert–Elliott with crashes at R 8: seconds of the generic engine, far past one slice of work.
    const channel = { model: 'gilbert-elliott', goodToBad: 0.3, badToGood: 0.3 };
    const scenario = scenarioFrom({ protocol: 'two-phase-commit', channel, crash: 0.01, rounds: 8, sweep: { participants: [3, 20] } });
    const [first, second] = await runCells(expandCells(scenario), { exact: 'on', simulate: false, workers: 1, exactAllOrNone: true });
    assert.equal(first!.exactMissing, EXACT_NOT_TRIED);
    assert.match(second!.exactMissing ?? '', /^21 nodes may crash in round 1, more than the 16 it branches over$/);
    const r = await cliIn([
      'exact',
      big,
      '--set',
      'loss=null',
      '--set',
      'channel={model: gilbert-elliott, goodToBad: 0.3, badToGood: 0.3}',
      '--set',
      'rounds=8',
      '--sweep',
      'participants=3,20',
    ]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^twogenerals: .*big\.yaml: no exact values for big \(.*participants=20.*\) \(cell 2 of 2\): 21 nodes may crash in round 1/);
  });
});
