import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { cliIn } from './in-process.js';

/**
 * A crash rate, a loss or a vote's probability near 1 leaves a complement whose double is far from
 * its decimal's (1 − 0.9999999999999999 is 1.11e-16 as doubles, 1e-16 in decimals). The exact
 * engines weighed that double with the low part it leaves, a tenth of the value, which keeps only
 * its own 53 bits, so a value near a tie between two doubles was printed an ulp off: 1e-32 as
 * 9.999999999999999e-33. The expected values are closed forms in exact fractions (the
 * complements of the decimals, multiplied), rounded once to the nearest double, computed outside
 * the tool.
 */
async function exactRows(args: readonly string[]): Promise<Record<string, string>[]> {
  const { status, stdout, stderr } = await cliIn(['exact', '--format', 'csv', ...args]);
  assert.equal(status, 0, stderr);
  return parseCsv(stdout, { columns: true }) as Record<string, string>[];
}

const sets = (values: readonly string[]): string[] => values.flatMap((v) => ['--set', v]);

describe('exact values where a complement of a decimal near 1 is small', () => {
  it('a crash rate of 0.9999999999999999: both generals up with (1e-16)^2 = 1e-32', async () => {
    const [row] = await exactRows(sets(['protocol=messenger', 'loss=0', 'redundancy=1', 'crash=0.9999999999999999']));
    assert.equal(Number(row!['both_exact']), 1e-32);
    assert.equal(Number(row!['delivered_mean_exact']), 1e-32);
    assert.equal(Number(row!['onlyA_exact']), 9.999999999999999e-17);
    assert.equal(Number(row!['neither_exact']), 0.9999999999999999);
  });

  it('two-phase commit, a cohort crashing at 0.9999999999999999 and voting NO at 0.99999999999999: committed 1e-16 · 1e-14', async () => {
    // One cohort, a reliable link: committed iff the cohort is up in round 1 and votes YES.
    const [row] = await exactRows([
      ...sets(['protocol=two-phase-commit', 'participants=1', 'loss=0', 'redundancy=1', 'rounds=1', 'abortRate=0.99999999999999']),
      ...sets(['crash.cohort=0.9999999999999999']),
    ]);
    assert.equal(Number(row!['committed_exact']), 1e-30);
  });

  it('a loss of 0.9999999999999998 each way: the randomized protocol at R 1 attacks with (2e-16)^2 = 4e-32', async () => {
    const [row] = await exactRows(sets(['protocol=randomized', 'loss=0.9999999999999998', 'redundancy=1', 'rounds=1']));
    assert.equal(Number(row!['both_exact']), 4e-32);
  });

  it('a Gilbert–Elliott good state losing 0.9999999999999998: the randomized protocol at k 2, R 2 disagrees as the fractions say', async () => {
    const [row] = await exactRows([
      ...sets(['protocol=randomized', 'redundancy=2', 'rounds=2', 'channel.model=gilbert-elliott']),
      ...sets(['channel.goodToBad=0.5', 'channel.badToGood=0.5', 'channel.lossGood=0.9999999999999998', 'channel.lossBad=1']),
    ]);
    assert.equal(Number(row!['onlyA_exact']), 1.9999999999999992e-16);
    assert.equal(Number(row!['onlyB_exact']), 1.9999999999999992e-16);
  });

  it("two-phase commit's independent cohorts on a reliable link: committed (1 − abortRate)^n", async () => {
    const rows = await exactRows([
      ...sets(['protocol=two-phase-commit', 'loss=0', 'redundancy=1', 'rounds=1']),
      ...['--sweep', 'participants=6,8', '--sweep', 'abortRate=0.9999999999999993,0.9999999999999999'],
    ]);
    const committed = rows.map((r) => Number(r['committed_exact']));
    assert.deepEqual(committed, [1.17649e-91, 1e-96, 5.764801e-122, 1e-128]);
  });

  it("a vote's NO at 0.9999999999999999 or 0.9999999999999997 over a lossless Gilbert–Elliott link commits with (1 − abortRate)^n", async () => {
    const rows = await exactRows([
      ...sets(['protocol=two-phase-commit', 'redundancy=1', 'rounds=1', 'channel.model=gilbert-elliott', 'channel.goodToBad=0', 'channel.badToGood=0.5']),
      ...['--sweep', 'participants=2,4', '--sweep', 'abortRate=0.9999999999999999,0.9999999999999997'],
    ]);
    const committed = rows.map((r) => Number(r['committed_exact']));
    assert.deepEqual(committed, [1e-32, 9e-32, 1e-64, 8.1e-63]);
  });
});
