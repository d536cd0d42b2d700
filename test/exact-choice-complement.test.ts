import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { choiceRatios } from '../src/stats/choice-ratios.js';
import { cliIn } from './in-process.js';

/**
 * A choice made as `Float64Array.of(1 - p, p)` (two-phase commit's vote, as the protocol-file
 * guide writes it) weighs p's decimal and the rest of 1, in every engine: abortRate 0.9 votes YES
 * with 1/10, not the double 1 − 0.9 = 0.09999999999999998, whose decimals and 0.9's do not add up
 * to 1. Over Gilbert–Elliott or with crashes (the per-state engine) committed printed
 * 0.09999999999999998 for 0.1.
 *
 * The expected values were computed outside the tool, by a brute-force enumeration of every copy
 * of every message and every vote in exact fractions (SPEC's model, each input the rational of its
 * decimal), rounded once to the nearest double.
 */
async function exactRow(sets: readonly string[]): Promise<Record<string, string>> {
  const { status, stdout, stderr } = await cliIn(['exact', '--format', 'csv', '--set', 'protocol=two-phase-commit', ...sets.flatMap((s) => ['--set', s])]);
  assert.equal(status, 0, stderr);
  const rows = parseCsv(stdout, { columns: true }) as Record<string, string>[];
  assert.equal(rows.length, 1);
  return rows[0]!;
}

describe('a choice given as 1 − p beside p', () => {
  it('weighs the decimals: 1/10 beside 9/10, 1/2 beside 0.2 and 0.3, the rest of 1 after them', () => {
    assert.deepEqual(choiceRatios([1 - 0.9, 0.9]), [
      { numerator: 1n, denominator: 10n },
      { numerator: 9n, denominator: 10n },
    ]);
    assert.deepEqual(choiceRatios([0.2, 0.3, 1 - 0.2 - 0.3]), [
      { numerator: 2n, denominator: 10n },
      { numerator: 3n, denominator: 10n },
      { numerator: 5n, denominator: 10n },
    ]);
    assert.deepEqual(choiceRatios([0.7, 1 - 0.7]), [
      { numerator: 7n, denominator: 10n },
      { numerator: 3n, denominator: 10n },
    ]);
  });

  it('leaves computed doubles as they are (1/3 and 2/3 are no decimals anyone wrote)', () => {
    assert.equal(choiceRatios([1 / 3, 2 / 3]), null);
    assert.equal(choiceRatios([0.25, 0.7]), null);
  });

  it('two-phase commit over Gilbert–Elliott votes YES with abortRate 0.9 at 1/10', async () => {
    const lossless = await exactRow([
      'participants=1',
      'rounds=1',
      'abortRate=0.9',
      'channel.model=gilbert-elliott',
      'channel.goodToBad=0',
      'channel.badToGood=0.5',
    ]);
    assert.equal(lossless['committed_exact'], '0.1');
    assert.equal(lossless['aborted_exact'], '0.9');
    const bursty = await exactRow([
      'participants=2',
      'rounds=1',
      'redundancy=1',
      'abortRate=0.9',
      'channel.model=gilbert-elliott',
      'channel.goodToBad=0.1',
      'channel.badToGood=0.3',
      'channel.lossGood=0.05',
      'channel.lossBad=0.9',
    ]);
    assert.equal(bursty['committed_exact'], '0.002878398758696289');
    assert.equal(bursty['blocked_exact'], '0.028533546328125');
  });

  it('takes a parameter of many digits for the decimal meant, its complement for the rest', () => {
    const p = 0.49543508709194095;
    // 1 − p is a 15-digit decimal, 0.504564912908059: p being the cell's parameter settles which one was written.
    assert.deepEqual(choiceRatios([1 - p, p], [3, p]), [
      { numerator: 10n ** 17n - 49543508709194095n, denominator: 10n ** 17n },
      { numerator: 49543508709194095n, denominator: 10n ** 17n },
    ]);
  });

  it('two-phase commit over Gilbert–Elliott weighs an abortRate of 16 and 17 digits as the independent cohorts do', async () => {
    for (const [abortRate, committed] of [
      ['0.8474337369372327', '0.003551203225139414'],
      ['0.49543508709194095', '0.12845503745144898'],
    ] as const) {
      const lossless = ['participants=3', 'rounds=2', `abortRate=${abortRate}`];
      const cohorts = await exactRow([...lossless, 'loss=0']);
      const perState = await exactRow([...lossless, 'channel.model=gilbert-elliott', 'channel.goodToBad=0', 'channel.badToGood=0.5', 'channel.lossGood=0']);
      assert.equal(cohorts['committed_exact'], committed, abortRate);
      assert.equal(perState['committed_exact'], committed, abortRate);
    }
  });

  it('two-phase commit with cohorts crashing votes YES with abortRate 0.9 at 1/10', async () => {
    const row = await exactRow(['participants=1', 'rounds=1', 'abortRate=0.9', 'loss=0', 'crash.cohort=0.1']);
    assert.equal(row['committed_exact'], '0.09');
    assert.equal(row['aborted_exact'], '0.91');
  });
});
