import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { cliIn } from './in-process.js';

/**
 * Two-phase commit's independent cohorts rounded the messages' variance to a double and then took
 * its root, so the messengers' sd could land an ulp off the nearest double to the exact one. With
 * one cohort and one round a phase the messages are 2 + X + Y, X (the vote) and Y (the ACK) each
 * sent with probability 1 − loss^k, independent: Var = 2·q·(1 − q), q = loss^k, times k² for
 * messengers. Square roots of those exact fractions, rounded once, computed outside the tool.
 */
async function sd(loss: string, copies: number): Promise<number> {
  const sets = ['protocol=two-phase-commit', 'participants=1', 'rounds=1', 'abortRate=0', `loss=${loss}`, `redundancy=${copies}`];
  const { status, stdout, stderr } = await cliIn(['exact', '--format', 'csv', ...sets.flatMap((s) => ['--set', s])]);
  assert.equal(status, 0, stderr);
  const [row] = parseCsv(stdout, { columns: true }) as Record<string, string>[];
  return Number(row!['messengers_sd_exact']);
}

describe("the independent cohorts' messengers sd, rounded once", () => {
  it('loss 0.999, k 1: √0.001998 = 0.04469899327725402 (printed 0.044698993277254025)', async () => {
    assert.equal(await sd('0.999', 1), 0.04469899327725402);
  });

  it('loss 1e-5, k 3: 3·√(2·1e-15·(1 − 1e-15)) = 1.341640786499873e-7 (printed 1.3416407864998733e-7)', async () => {
    assert.equal(await sd('1e-5', 3), 1.341640786499873e-7);
  });
});
