import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { LEAST_NORMAL, underflowOf } from '../src/engine/exact/figures.js';
import { cliIn } from './in-process.js';

/** `--set` flags, one a value. */
const sets = (...values: string[]): string[] => values.flatMap((value) => ['--set', value]);

/** A command's CSV, which must exit 0: its first row, and what it wrote to stderr. */
async function csvRow(args: readonly string[]): Promise<{ row: Record<string, string>; stderr: string }> {
  const r = await cliIn([...args, '--format', 'csv']);
  assert.equal(r.status, 0, r.stderr);
  const [row] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
  return { row: row!, stderr: r.stderr };
}

const RETRANSMIT_UNDERFLOW = [...sets('protocol=retransmit', 'loss=0.9', 'redundancy=100', 'rounds=2000')];
const REASON =
  'the exact probability of neither, onlyA and onlyB is below 7.2e-305, smaller than a double holds to its last digit ' +
  "(its paths' probabilities underflow), so it is left empty rather than printed wrong";

describe('exact probabilities too small for a double', () => {
  it('exact leaves those exact columns empty and says why, where their paths underflow (no subnormal printed as exact)', async () => {
    // Every order lost in 2,000 rounds: 0.9^200,000, near 1e-9152, far below any double.
    const { row, stderr } = await csvRow(['exact', ...RETRANSMIT_UNDERFLOW]);
    for (const column of ['neither_exact', 'onlyA_exact', 'onlyB_exact', 'disagreement_exact']) assert.equal(row![column], '', column);
    assert.equal(row['success_exact'], '1');
    assert.ok(Number(row['messengers_exact']) > 200, row['messengers_exact']);
    assert.equal(stderr, `note: exact values left empty for seed-foot-soldiers (loss=0.9, redundancy=100, rounds=2000): ${REASON}\n`);
  });

  it('the reported cell: retransmit at loss 0.9999, 1,000 copies, 10,000 rounds prints no subnormal', async () => {
    const { row, stderr } = await csvRow(['exact', ...sets('protocol=retransmit', 'loss=0.9999', 'redundancy=1000', 'rounds=10000')]);
    assert.equal(row['neither_exact'], '');
    for (const [column, value] of Object.entries(row!))
      if (column.endsWith('_exact') && value !== '') assert.ok(Number(value) === 0 || Number(value) >= LEAST_NORMAL, `${column} ${value}`);
    assert.match(stderr, /^note: exact values left empty for .*: the exact probability of neither and onlyA is below /);
  });

  it('run prints its estimates, the exact values a double holds, and a note saying why the others are empty', async () => {
    const { row, stderr } = await csvRow(['run', ...RETRANSMIT_UNDERFLOW, '--trials', '1000']);
    assert.equal(row['disagreement_exact'], '');
    assert.equal(row['disagreement_z'], '');
    assert.equal(row['success_exact'], '1');
    assert.equal(stderr, `note: exact values left empty for seed-foot-soldiers (loss=0.9, redundancy=100, rounds=2000): ${REASON}\n`);
  });

  it('the same protocol with fewer rounds, whose smallest probability a double holds, keeps its exact values', async () => {
    const { row, stderr } = await csvRow(['exact', ...sets('protocol=retransmit', 'loss=0.9', 'redundancy=10', 'rounds=200')]);
    assert.ok(Number(row['neither_exact']) > 1e-100, row['neither_exact']);
    assert.equal(stderr, '');
  });

  it('trace --first an outcome whose probability underflows is refused with its bound', async () => {
    const r = await cliIn(['trace', '--first', 'neither', ...RETRANSMIT_UNDERFLOW, '--trials', '1e12']);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^twogenerals: --first neither: in cell 1 a trial ends in neither with exact probability below 7\.174e-305: the first is expected after more than /,
    );
  });

  it('a loss^k the channel could not hold (1e-170 squared, below any double) leaves onlyA empty, not 0: an outcome said to be impossible', async () => {
    const { row, stderr } = await csvRow(['exact', ...sets('loss=1e-170')]);
    assert.equal(row['onlyA_exact'], '');
    assert.equal(row['disagreement_exact'], '');
    assert.equal(row['both_exact'], '1');
    assert.match(stderr, /^note: exact values left empty for .*: the exact probability of neither, onlyA and onlyB is below /);
    const held = await csvRow(['exact', ...sets('loss=1e-150')]);
    assert.equal(Number(held.row['onlyA_exact']), 1e-300);
    assert.equal(held.stderr, '');
  });

  // Every solver and channel, not only the generic engine over bernoulli: all 330 copies lost (0.1^330, or a
  // bad burst of 330 at 0.1 a copy to stay) is far below any double, and is no probability 0.
  const BURSTY = 'channel={model: gilbert-elliott, goodToBad: 0.5, badToGood: 0.9}';
  for (const [what, flags] of [
    ['the messenger over gilbert-elliott', sets(BURSTY)],
    ['the randomized protocol (its levels solver) over bernoulli', sets('protocol=randomized', 'loss=0.1')],
    ['the randomized protocol over gilbert-elliott', sets('protocol=randomized', BURSTY)],
  ] as const) {
    it(`${what}: a message of 330 copies all lost is left empty with its note, not printed as 0`, async () => {
      const { row, stderr } = await csvRow(['exact', ...flags, ...sets('redundancy=330')]);
      for (const column of ['neither_exact', 'onlyA_exact', 'onlyB_exact', 'disagreement_exact']) assert.equal(row![column], '', `${column} ${row![column]}`);
      assert.equal(row['success_exact'], '1');
      assert.match(stderr, /^note: exact values left empty for .*: the exact probability of neither, onlyA and onlyB is below /);
    });
  }

  it('two-phase commit (the independent-cohorts solver): 64 cohorts at loss 0.999 leave committed empty, not 0; inconsistent stays an exact 0', async () => {
    // Every cohort's PREPARE and vote through, about (0.002²)^64 = 1e-345: far below any double.
    const { row, stderr } = await csvRow(['exact', ...sets('protocol=two-phase-commit', 'loss=0.999', 'participants=64')]);
    assert.equal(row['committed_exact'], '');
    assert.equal(row['success_exact'], '');
    assert.equal(row['inconsistent_exact'], '0');
    assert.equal(row['disagreement_exact'], '0');
    assert.ok(Number(row['aborted_exact']) > 0.8, row['aborted_exact']);
    assert.match(stderr, /^note: exact values left empty for .*: the exact probability of committed is below /);
  });

  it('two-phase commit with 64 cohorts over 4 rounds at loss 0.1, whose outcomes a double holds, keeps every exact value', async () => {
    const { row, stderr } = await csvRow(['exact', ...sets('protocol=two-phase-commit', 'loss=0.1', 'participants=64', 'rounds=4')]);
    for (const column of ['committed_exact', 'aborted_exact', 'blocked_exact', 'success_exact'])
      assert.ok(Number(row![column]) > 0, `${column} ${row![column]}`);
    assert.equal(stderr, '');
  });

  it('the randomized protocol at 1,200 rounds, whose weights underflow only on paths of no outcome that small, keeps every exact value', async () => {
    const { row, stderr } = await csvRow(['exact', ...sets('protocol=randomized', 'loss=0.5', 'redundancy=1', 'rounds=1200')]);
    // 1/1200 less about 2^-300 (the levels end equal that rarely): the double nearest it is that
    // nearest 1/1200, 5.35e-20 above it (the one below, …333, is 5.49e-20 below).
    assert.equal(row['disagreement_exact'], '0.0008333333333333334');
    assert.equal(stderr, '');
  });

  it('leaves out a subnormal probability, and one that underflowed products of path masses could have lost, and nothing else', () => {
    const tiny = (outcomes: number[], underflows: number) => underflowOf(outcomes, ['a', 'b'], underflows, 1)?.outcomes;
    assert.equal(tiny([1, 0], 0), undefined); // 0, no mass lost: it cannot happen
    assert.equal(tiny([1 - 1e-300, 1e-300], 0), undefined);
    assert.deepEqual(tiny([1, 2.5e-323], 0), [1]);
    assert.deepEqual(tiny([1, 0], 1), [1]); // every path of b may have underflowed to nothing
    assert.deepEqual(tiny([1, LEAST_NORMAL * 1000], 1000), [1]);
    assert.equal(tiny([1 - 1e-290, 1e-290], 1000), undefined);
  });
});
