import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { simulateCell } from '../src/engine/schedule/runner.js';
import { expandCells } from '../src/scenario/cells.js';
import { meanZ, proportionZ } from '../src/stats/zscore.js';
import { ROOT, scenarioFrom } from './helpers.js';
import { bernoulli, gilbertElliott, handshakeOnTrace, lostAll } from './oracle-forms.js';
import type { Expected } from './oracle-forms.js';

// --- the Monte Carlo engine against the same oracles --------------------------------------------

describe('Monte Carlo against the oracles (fixed seeds, |z| ≤ 3.5)', () => {
  const TRIALS = 100_000;
  async function simulate(data: Record<string, unknown>, expected: Omit<Expected, 'delivered'>, where: string) {
    const [cell] = expandCells(scenarioFrom({ ...data, trials: TRIALS, seed: 'oracles' }));
    const tally = (await simulateCell(cell!))!;
    assert.equal(tally.trials, TRIALS);
    expected.outcomes.forEach((p, i) => {
      const z = proportionZ(tally.outcomes[i]!, TRIALS, p);
      assert.ok(Math.abs(z) <= 3.5, `${where} outcome ${i}: ${tally.outcomes[i]} of ${TRIALS} vs ${p}: z=${z}`);
    });
    const mean = tally.messages.reduce((s, n, m) => s + n * m, 0) / TRIALS;
    const second = tally.messages.reduce((s, n, m) => s + n * m * m, 0) / TRIALS;
    const z = meanZ(mean, TRIALS, expected.messages, Math.sqrt(Math.max(second - mean * mean, 1e-12)));
    assert.ok(Math.abs(z) <= 3.5, `${where} messages ${mean} vs ${expected.messages}: z=${z}`);
    const rounds = tally.rounds / TRIALS;
    assert.ok(Math.abs(rounds - expected.rounds) <= 3.5 * Math.sqrt(1 / TRIALS) * R_SPREAD, `${where} rounds ${rounds} vs ${expected.rounds}`);
  }
  // rounds used lie within 1..R, so their sd is at most (R − 1)/2; 2 covers R ≤ 5
  const R_SPREAD = 2;

  it('retransmit A→B 0.1, B→A 0.6, k 1, R 3', async () => {
    const { qa, qb } = bernoulli(0.1, 0.6, 1);
    const fails = 1 - qa * qb;
    const rounds = 1 + fails + fails * fails;
    const neither = lostAll(0.1, 3);
    const outcomes = [1 - fails * fails * fails, neither, 0, fails * fails * fails - neither];
    await simulate(
      { protocol: 'retransmit', loss: { AtoB: 0.1, BtoA: 0.6 }, redundancy: 1, rounds: 3 },
      { outcomes, messages: rounds * (1 + qa), rounds },
      'retransmit',
    );
  });
  it('two-phase commit A→B 0.2, B→A 0.4, k 1, R 1, 2 cohorts, abortRate 0.2', async () => {
    const { qa, qb } = bernoulli(0.2, 0.4, 1);
    const committed = lostAll(qa * 0.8 * qb * qa, 2);
    const aborted = lostAll(1 - qa + qa * 0.2 + qa * 0.8 * qa, 2) - committed;
    await simulate(
      { protocol: 'two-phase-commit', loss: { AtoB: 0.2, BtoA: 0.4 }, redundancy: 1, rounds: 1, participants: 2, abortRate: 0.2 },
      { outcomes: [committed, aborted, 1 - committed - aborted, 0], messages: 2 * (2 + 2 * qa), rounds: 2 },
      '2PC',
    );
  });
  it('gilbert-elliott messenger k 3 and retransmit R 2', async () => {
    const chain = gilbertElliott(0.1, 0.3, 0.05, 0.8);
    const channel = { model: 'gilbert-elliott', goodToBad: 0.1, badToGood: 0.3, lossGood: 0.05, lossBad: 0.8 };
    const got = 1 - chain.three(true, true, true);
    await simulate({ protocol: 'messenger', channel, redundancy: 3 }, { outcomes: [got, 0, 1 - got, 0], messages: 1, rounds: 1 }, 'GE messenger');
    const both = chain.one(false) * chain.one(false) + chain.two(false, false) * chain.two(true, false) + chain.two(true, false) * chain.one(false);
    const neither = chain.two(true, true);
    const roundTwo = 1 - chain.one(false) * chain.one(false);
    const messages = 1 + chain.one(false) + roundTwo + chain.two(false, false) * chain.one(true) + chain.two(true, false);
    await simulate(
      { protocol: 'retransmit', channel, redundancy: 1, rounds: 2 },
      { outcomes: [both, neither, 0, 1 - both - neither], messages, rounds: 1 + roundTwo },
      'GE retransmit',
    );
  });
  it('trace handshake k 2, R 3, a trace per direction', async () => {
    const one = [0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0];
    const other = [1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1];
    // Committed files named by one relative path: a cell's stream follows its parameters, the
    // paths included, so a fresh temporary folder each run would make this a different test each run.
    const dir = 'test/fixtures/oracle';
    assert.equal(readFileSync(join(ROOT, dir, 'one.txt'), 'utf8').trim(), one.join(''));
    assert.equal(readFileSync(join(ROOT, dir, 'other.txt'), 'utf8').trim(), other.join(''));
    process.chdir(ROOT);
    const channel = { model: 'trace', file: `${dir}/one.txt`, AtoB: `${dir}/one.txt`, BtoA: `${dir}/other.txt` };
    await simulate({ protocol: 'handshake', channel, redundancy: 2, rounds: 3 }, handshakeOnTrace(one, other, 2, 3), 'trace');
  });
});
