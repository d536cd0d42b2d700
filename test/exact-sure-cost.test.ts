import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, tempFiles } from './helpers.js';

/**
 * A sure figure prints as such: where every trial costs the same, the exact mean is that whole
 * number and its sd 0, and a sure outcome is 1. Two-phase commit with an abort rate over a channel
 * whose starts are equally likely (a Gilbert–Elliott chain alternating every copy, a trace) makes
 * the paths' masses fractional, so that they sum to the starts only up to an ulp: the sd printed
 * 1.8e-15 and the mean 15.999999999999998 before.
 */
describe('exact: a cost every trial pays, over equally likely starts with an abort rate', () => {
  const dir = tempFiles({
    'alternating.yaml': [
      'name: alternating',
      'protocol: two-phase-commit',
      'channel: { model: gilbert-elliott, goodToBad: 1, badToGood: 1 }',
      'participants: 2',
      'abortRate: 0.3',
      'sweep:',
      '  redundancy: [1, 2, 3]',
      '  rounds: [1, 3]',
      '',
    ].join('\n'),
    'trace.txt': '0\n1\n0\n1\n0\n1\n',
    'trace.yaml': [
      'name: trace',
      'protocol: two-phase-commit',
      'channel: { model: trace, file: trace.txt }',
      'participants: 2',
      'redundancy: 2',
      'abortRate: 0.3',
      '',
    ].join('\n'),
  });
  const exact = (file: string) => {
    const r = cli(['exact', join(dir, file), '--format', 'json']);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { rows: Record<string, number>[]; exact: { messages: number[] }[] };
  };

  it('a sure cost is its whole number with sd 0, and its distribution sums to 1 (Gilbert–Elliott)', () => {
    const out = exact('alternating.yaml');
    const sure = out.rows.map((row, i) => ({ row, messages: out.exact[i]!.messages })).filter(({ row }) => row['redundancy']! >= 2);
    assert.equal(sure.length, 4);
    for (const { row, messages } of sure) {
      const k = row['redundancy']!;
      assert.equal(row['messengers_exact'], 8 * k, JSON.stringify(row));
      assert.equal(row['messengers_sd_exact'], 0, JSON.stringify(row));
      assert.deepEqual(
        messages.filter((p) => p !== 0),
        [1],
      );
    }
  });

  it('a sure outcome is 1 (Gilbert–Elliott, one copy, three rounds: every vote is lost or every decision)', () => {
    const row = exact('alternating.yaml').rows.find((r) => r['redundancy'] === 1 && r['rounds'] === 3)!;
    assert.equal(row['aborted_exact'], 1, JSON.stringify(row));
  });

  it('a sure cost, copies delivered and rounds are whole numbers (trace starts)', () => {
    const row = exact('trace.yaml').rows[0]!;
    assert.equal(row['messengers_exact'], 16, JSON.stringify(row));
    assert.equal(row['messengers_sd_exact'], 0, JSON.stringify(row));
    assert.equal(row['delivered_mean_exact'], 8, JSON.stringify(row));
    assert.equal(row['rounds_mean_exact'], 2, JSON.stringify(row));
  });
});
