import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { tempFiles } from './helpers.js';
import { cliInProcess } from './in-process.js';

/**
 * The messengers' z where a cost other than the usual one is rare and the exact engine keeps no
 * distribution of messages (two-phase commit over the Bernoulli channel: independent cohorts).
 * 3 cohorts, R 2, one copy, loss 4e-7, 10,000 trials: a trial loses a message with probability
 * about 4.8e-6, so 0.048 such trials are expected in a run. The normal z of one such trial (two
 * messengers more) read 5.6 and was warned about as a disagreement, yet one happens in about 5%
 * of runs. The expected z is the binomial mid-p of the number of trials away from 12 messengers,
 * 10,000 trials each away with probability 1 − (1 − 4e-7)^12 (a message of the 12 lost), as a
 * normal quantile: computed outside the tool (mpmath at 40 digits).
 */
const SCENARIO = { protocol: 'two-phase-commit', participants: 3, loss: 4e-7, redundancy: 1, rounds: 2, trials: 10_000 };

const CASES = [
  // seed 84: one trial of 14 messengers; P(X > 1) + P(X = 1)/2 = 0.0240, z = Φ⁻¹(1 − that)
  { seed: 84, strayed: 1, z: 1.977528663223885 },
  // seed 1: none; P(X = 0)/2 = 0.4766, z = Φ⁻¹(that), negative as the mean is below the exact one
  { seed: 1, strayed: 0, z: -0.058771915548076814 },
];

describe('two-phase commit: the messengers z of rare costs is a binomial mid-p, not the normal z', () => {
  for (const { seed, strayed, z } of CASES) {
    it(`seed ${seed}: ${strayed} trial(s) away from the usual cost gives z ${z.toFixed(3)} and no warning`, async () => {
      const file = join(tempFiles({ 's.json': JSON.stringify({ ...SCENARIO, seed }) }), 's.json');
      const r = await cliInProcess(['run', file, '--format', 'csv', '--workers', '1']);
      assert.equal(r.status, 0, r.stderr);
      const [row] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
      assert.equal(Number(row!['messengers_max']) > 12, strayed > 0, 'the seed gives the trials the case names');
      // To a few units in the last place: the chance of leaving the pattern is the engine's own, not 1 − its probability in doubles (4e-11 off).
      assert.ok(Math.abs(Number(row!['messengers_z']) - z) < 1e-14, `messengers_z ${row!['messengers_z']}, expected ${z}`);
      assert.doesNotMatch(r.stderr, /standard errors from the exact value/);
    });
  }
});

describe('two-phase commit: where no loss pattern holds most of the mass, the messengers z stays the normal z', () => {
  it('loss 0.5, 5 trials: z = (mean − exact) / (exact sd / √5)', async () => {
    const file = join(
      tempFiles({ 's.json': JSON.stringify({ protocol: 'two-phase-commit', participants: 2, loss: 0.5, redundancy: 1, rounds: 2, trials: 5, seed: 1 }) }),
      's.json',
    );
    const run = await cliInProcess(['run', file, '--format', 'csv', '--workers', '1']);
    const exact = await cliInProcess(['exact', file, '--format', 'csv']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(exact.status, 0, exact.stderr);
    const [row] = parseCsv(run.stdout, { columns: true }) as Record<string, string>[];
    const [exactRow] = parseCsv(exact.stdout, { columns: true }) as Record<string, string>[];
    const normal = (Number(row!['messengers_mean']) - Number(exactRow!['messengers_exact'])) / (Number(exactRow!['messengers_sd_exact']) / Math.sqrt(5));
    assert.ok(Math.abs(Number(row!['messengers_z']) - normal) < 1e-9, `messengers_z ${row!['messengers_z']}, the normal z ${normal}`);
  });
});

/**
 * Rare costs on both sides of the usual one: retransmission over 3 rounds where a crash (1e-6 a
 * node and round) costs less and a loss (2e-6) more; 10,000 trials expect 0.06 trials away from
 * 2 messengers. Seed 37 has one trial of 4: the mean's normal z read 5.0 and was warned about.
 * The expected z is the mid-p of the sum of the strays' offsets (here +2) under a binomial number
 * of strays (10,000 trials, each straying with the exact probability of a cost other than 2),
 * each offset drawn from the exact distribution given a stray, computed outside the tool by
 * enumerating every sequence of up to 6 strays (Python's itertools.product, mpmath).
 */
describe('rare costs on both sides of the usual one: the messengers z is the mid-p of the strays’ sum', () => {
  it('retransmit, crash 1e-6, loss 2e-6, seed 37: one trial of 4 messengers gives z 2.31 and no warning', async () => {
    const scenario = { protocol: 'retransmit', loss: 2e-6, crash: 1e-6, redundancy: 1, rounds: 3, trials: 10_000, seed: 37 };
    const file = join(tempFiles({ 's.json': JSON.stringify(scenario) }), 's.json');
    const r = await cliInProcess(['run', file, '--format', 'csv', '--workers', '1']);
    assert.equal(r.status, 0, r.stderr);
    const [row] = parseCsv(r.stdout, { columns: true }) as Record<string, string>[];
    assert.equal(row!['messengers_max'], '4', 'the seed gives the trial the case names');
    assert.ok(Math.abs(Number(row!['messengers_z']) - 2.3114544473222896) < 1e-9, `messengers_z ${row!['messengers_z']}`);
    assert.doesNotMatch(r.stderr, /standard errors from the exact value/);
  });
});
