import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { LEAST_NORMAL, refuseUnderflow } from '../src/engine/exact/figures.js';
import { ExactUnderflow } from '../src/engine/exact/result.js';
import { cliIn } from './in-process.js';

const RETRANSMIT_UNDERFLOW = ['--set', 'protocol=retransmit', '--set', 'loss=0.9', '--set', 'redundancy=100', '--set', 'rounds=2000'];
const REASON =
  'the exact probability of neither, onlyA and onlyB is below 7.2e-305, smaller than a double holds to its last digit ' +
  "(its paths' probabilities underflow), so no exact value is printed rather than a wrong one";

describe('exact probabilities too small for a double', () => {
  it('exact leaves the cell without exact values and says why, where its paths underflow (no subnormal printed as exact)', async () => {
    // Every order lost in 2,000 rounds: 0.9^200,000, near 1e-9152, far below any double.
    const r = await cliIn(['exact', ...RETRANSMIT_UNDERFLOW, '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const [row] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    for (const column of ['neither_exact', 'onlyB_exact', 'success_exact', 'disagreement_exact', 'messengers_exact']) assert.equal(row![column], '', column);
    assert.equal(r.stderr, `warning: seed-foot-soldiers (loss=0.9, redundancy=100, rounds=2000): no exact values: ${REASON}\n`);
  });

  it('run prints its estimates and a note saying why the exact columns are empty', async () => {
    const r = await cliIn(['run', ...RETRANSMIT_UNDERFLOW, '--trials', '1000', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout.split('\n')[0]!, /_exact/);
    assert.equal(r.stderr, `note: no exact values for seed-foot-soldiers (loss=0.9, redundancy=100, rounds=2000): ${REASON}\n`);
  });

  it('the same protocol with fewer rounds, whose smallest probability a double holds, keeps its exact values', async () => {
    const r = await cliIn(['exact', '--set', 'protocol=retransmit', '--set', 'loss=0.9', '--set', 'redundancy=10', '--set', 'rounds=200', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    const [row] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    assert.ok(Number(row!['neither_exact']) > 1e-100, row!['neither_exact']);
    assert.equal(r.stderr, '');
  });

  it('trace --first an outcome whose probability underflows is refused with its bound', async () => {
    const r = await cliIn(['trace', '--first', 'neither', ...RETRANSMIT_UNDERFLOW, '--trials', '1e12']);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^twogenerals: --first neither: in cell 1 a trial ends in neither with exact probability below 7\.174e-305: the first is expected after more than /,
    );
  });

  it('refuses a subnormal probability, and one that underflowed products of path masses could have lost, and nothing else', () => {
    const figures = { success: 0.5, disagreement: 0.5, messengersMean: 1, messengersSd: 0 };
    const refused = (outcomes: number[], underflows: number): ExactUnderflow | null => {
      try {
        refuseUnderflow({ outcomes, figures }, ['a', 'b'], underflows);
        return null;
      } catch (error) {
        assert.ok(error instanceof ExactUnderflow);
        return error;
      }
    };
    assert.equal(refused([1, 0], 0), null); // 0, no mass lost: it cannot happen
    assert.equal(refused([1 - 1e-300, 1e-300], 0), null);
    assert.deepEqual(refused([1, 2.5e-323], 0)?.tiny, [1]);
    assert.deepEqual(refused([1, 0], 1)?.tiny, [1]); // every path of b may have underflowed to nothing
    assert.deepEqual(refused([1, LEAST_NORMAL * 1000], 1000)?.tiny, [1]);
    assert.equal(refused([1 - 1e-290, 1e-290], 1000), null);
  });
});
