import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runExperiment } from '../src/experiment.js';
import { proportionZ } from '../src/stats/zscore.js';
import { closedForm } from './closed-forms.js';
import { scenarioFrom } from './helpers.js';

/**
 * The project's statistical conscience: Monte Carlo and the exact engine must agree, cell by
 * cell, at fixed seeds, across protocols and extreme parameters. A broken engine, sampler, stream
 * or statistic shows up here as a |z| beyond 3.5; a broken protocol rule, which both engines
 * would share, as an exact value off the protocol's closed form (test/closed-forms.ts).
 */
const TABLE: Record<string, unknown>[] = [
  { protocol: 'messenger', sweep: { loss: [0, 0.05, 0.5, 0.95, 1], redundancy: [1, 16] } },
  { protocol: 'handshake', loss: 0.2, redundancy: 1, sweep: { rounds: [1, 2, 3, 8, 64] } },
  { protocol: 'handshake', sweep: { loss: [0, 0.01, 0.6, 1], redundancy: [1, 3] }, rounds: 5 },
  { protocol: 'retransmit', redundancy: 1, sweep: { loss: [0, 0.3, 0.7, 1], rounds: [1, 16, 64] } },
  { protocol: 'retransmit', loss: { AtoB: 0.1, BtoA: 0.6 }, sweep: { redundancy: [1, 16] }, rounds: 6 },
  { protocol: 'randomized', redundancy: 1, sweep: { loss: [0.1, 0.5], rounds: [1, 4, 16] } },
  { protocol: 'randomized', channel: { model: 'cut', direction: 'BtoA' }, redundancy: 1, rounds: 6, sweep: { after: [0, 3, 6] } },
  { protocol: 'two-phase-commit', loss: 0.2, redundancy: 1, rounds: 3, abortRate: 0.1, sweep: { participants: [1, 2, 3] } },
  { protocol: 'messenger', channel: { model: 'gilbert-elliott', goodToBad: 0.05, badToGood: 0.45 }, sweep: { redundancy: [1, 2, 4] } },
  {
    protocol: 'retransmit',
    channel: { model: 'gilbert-elliott', goodToBad: 0.1, badToGood: 0.3, lossGood: 0.05, lossBad: 0.8 },
    redundancy: 2,
    sweep: { rounds: [1, 8] },
  },
  { protocol: 'handshake', channel: { model: 'gilbert-elliott', goodToBad: 0.2, badToGood: 0.2, lossGood: 0, lossBad: 0.9 }, redundancy: 3, rounds: 4 },
  { protocol: 'retransmit', channel: { model: 'cut', direction: 'AtoB', after: 2 }, redundancy: 1, rounds: 5 },
];

/**
 * A sample mean of values in [min, max] within 3.5 standard errors of the exact mean μ: the sd
 * is at most √((max − μ)(μ − min)) (Bhatia and Davis 2000), so a constant needs equality.
 */
function assertMeanWithin(observed: number, mean: number, min: number, max: number, trials: number, what: string): void {
  const sd = Math.sqrt(Math.max(0, (max - mean) * (mean - min)));
  const tolerance = (3.5 * sd) / Math.sqrt(trials) + 1e-12 * Math.max(1, Math.abs(mean));
  assert.ok(Math.abs(observed - mean) <= tolerance, `${what} ${observed} vs ${mean} (± ${tolerance})`);
}

describe('Monte Carlo agrees with the exact engine', () => {
  for (const [i, data] of TABLE.entries()) {
    it(`${data['protocol']} table ${i + 1}: every |z| ≤ 3.5`, async () => {
      const scenario = scenarioFrom({ ...data, trials: 100_000, seed: `agreement-${i}` });
      const report = await runExperiment([scenario], { exact: 'on', simulate: true, confidence: 0.95, workers: 1 });
      for (const s of report.summaries) {
        const where = JSON.stringify(s.result.cell.params);
        const e = s.exact;
        assert.ok(e, `${where}: exact values missing`);
        for (const [name, z] of [
          ['success', e.successZ],
          ['disagreement', e.disagreementZ],
          ['messengers', e.messengersZ],
        ] as const) {
          assert.ok(z !== null && Math.abs(z) <= 3.5, `${where}: ${name} z = ${z}`);
        }
        s.outcomes.forEach((o, j) => {
          const z = proportionZ(o.count, s.trials, e.outcomes[j]!);
          assert.ok(Math.abs(z) <= 3.5, `${where}: ${s.outcomeNames[j]} ${o.count} vs ${e.outcomes[j]}, z = ${z}`);
        });
        const { loss, lossAtoB, lossBtoA, redundancy, rounds } = s.result.cell.params as Record<string, number>;
        const closedFormKnown = scenario.channel === 'bernoulli' && ['messenger', 'handshake', 'retransmit'].includes(scenario.protocol);
        if (closedFormKnown && (loss !== undefined || lossAtoB === lossBtoA)) {
          const form = closedForm(scenario.protocol, (loss ?? lossAtoB)!, redundancy!, rounds!);
          s.outcomeNames.forEach((name, j) => {
            assert.ok(
              Math.abs(e.outcomes[j]! - form.outcomes[name]!) < 1e-12,
              `${where}: exact ${name} ${e.outcomes[j]} vs closed form ${form.outcomes[name]}`,
            );
          });
        }
        // Delivered copies and rounds used: means within 3.5 standard errors, the sd bounded by
        // Bhatia–Davis from the exact mean and the range (rounds ≤ messages; copies ≤ k·messages).
        const mostMessages = s.result.tally!.messages.length - 1;
        const mostRounds = Math.min(mostMessages, (scenario.protocol === 'two-phase-commit' ? 2 : 1) * rounds!);
        assertMeanWithin(s.deliveredMean, e.deliveredMean, 0, redundancy! * mostMessages, s.trials, `${where}: delivered`);
        assertMeanWithin(s.roundsMean, e.roundsMean, 1, mostRounds, s.trials, `${where}: rounds`);
      }
    });
  }
});
