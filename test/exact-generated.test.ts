import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CHANNEL_NAMES } from '../src/channels/index.js';
import { exactCell, UNLIMITED } from '../src/engine/exact/index.js';
import type { ExactResult } from '../src/engine/exact/index.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel } from '../src/engine/model.js';
import { cellSpec, runCells } from '../src/engine/runner.js';
import { runExperiment } from '../src/experiment.js';
import { PROTOCOL_NAMES } from '../src/protocols/index.js';
import { expandCells } from '../src/scenario/cells.js';
import { proportionZ } from '../src/stats/zscore.js';
import { scenarioFrom } from './helpers.js';

/**
 * Every exact value, on every protocol × channel, over cells generated from a fixed seed: the
 * exact engine with symmetric states merged, without merging, and the protocol's structured
 * solver (where it has one) agree to 1e-12, and Monte Carlo agrees with them (|z| ≤ 4.5).
 */
const SEED = 20261129;
const CELLS_PER_PAIR = 3;
const TRIALS = 40_000;

// Thousandths, with the ends now and then: fast-check's doubles crowd near 0 and 1, where a
// channel's memory cannot show.
const probability = fc.oneof({ arbitrary: fc.constantFrom(0, 1), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 999 }).map((k) => k / 1000), weight: 5 });
const moderate = fc.integer({ min: 50, max: 700 }).map((k) => k / 1000);

function channelDocument(channel: string): fc.Arbitrary<Record<string, unknown>> {
  if (channel === 'bernoulli') {
    return fc.oneof(
      probability.map((loss) => ({ loss })),
      fc.tuple(probability, probability).map(([AtoB, BtoA]) => ({ loss: { AtoB, BtoA } })),
    );
  }
  if (channel === 'gilbert-elliott') {
    return fc.record({ goodToBad: probability, badToGood: probability, lossGood: moderate, lossBad: probability }).map((c) => ({ channel: { model: channel, ...c } }));
  }
  return fc.record({ after: fc.integer({ min: 0, max: 4 }), direction: fc.constantFrom('both', 'AtoB', 'BtoA') }).map((c) => ({ channel: { model: channel, ...c } }));
}

function protocolDocument(protocol: string): fc.Arbitrary<Record<string, unknown>> {
  if (protocol === 'two-phase-commit') {
    return fc.record({
      participants: fc.integer({ min: 2, max: 3 }),
      rounds: fc.integer({ min: 1, max: 3 }),
      abortRate: fc.oneof(fc.constant(0), probability),
      redundancy: fc.integer({ min: 1, max: 2 }),
    });
  }
  return fc.record({ rounds: fc.integer({ min: 1, max: 7 }), redundancy: fc.integer({ min: 1, max: 3 }) });
}

function generatedCells(protocol: string, channel: string): Record<string, unknown>[] {
  const arbitrary = fc.tuple(protocolDocument(protocol), channelDocument(channel)).map(([p, c]) => ({ protocol, ...p, ...c }));
  // Peers that could be merged need more cells: merging is where exact values went wrong before.
  const numRuns = protocol === 'two-phase-commit' ? 2 * CELLS_PER_PAIR : CELLS_PER_PAIR;
  return fc.sample(arbitrary, { seed: SEED + PROTOCOL_NAMES.indexOf(protocol) * 31 + CHANNEL_NAMES.indexOf(channel), numRuns });
}

function assertSame(a: ExactResult, b: ExactResult, where: string): void {
  a.outcomes.forEach((p, i) => assert.ok(Math.abs(p - b.outcomes[i]!) < 1e-12, `${where}: outcome ${i} ${p} vs ${b.outcomes[i]}`));
  for (const key of ['messagesMean', 'messagesSecondMoment', 'deliveredMean', 'roundsMean'] as const) {
    assert.ok(Math.abs(a[key] - b[key]) < 1e-12 * Math.max(1, Math.abs(b[key])), `${where}: ${key} ${a[key]} vs ${b[key]}`);
  }
}

function modelsOf(data: Record<string, unknown>): CellModel[] {
  return expandCells(scenarioFrom({ ...data, trials: 1, seed: 1 })).map((cell) => buildCellModel(cellSpec(cell)));
}

describe('exact values over generated cells of every protocol × channel', () => {
  for (const protocol of PROTOCOL_NAMES) {
    for (const channel of CHANNEL_NAMES) {
      it(`${protocol} over ${channel}: merged = unmerged = structured, and Monte Carlo agrees`, async () => {
        for (const [i, data] of generatedCells(protocol, channel).entries()) {
          const where = JSON.stringify(data);
          const [model] = modelsOf(data);
          const plain = exactCell(model!, { ...UNLIMITED, merge: false }, 'generic');
          assertSame(exactCell(model!, UNLIMITED, 'generic'), plain, `${where} merged`);
          assertSame(exactCell(model!, UNLIMITED, 'auto'), plain, `${where} structured`);
          const report = await runExperiment([scenarioFrom({ ...data, trials: TRIALS, seed: `generated-${i}` })], { exact: 'on', simulate: true, confidence: 0.95, workers: 1 });
          const s = report.summaries[0]!;
          s.outcomes.forEach((o, j) => {
            const z = proportionZ(o.count, s.trials, plain.outcomes[j]!);
            assert.ok(Math.abs(z) <= 4.5, `${where}: ${s.outcomeNames[j]} ${o.count}/${s.trials} vs ${plain.outcomes[j]}, z = ${z}`);
          });
          assert.ok(s.exact && Math.abs(s.exact.messengersZ ?? 0) <= 4.5, `${where}: messengers z ${s.exact?.messengersZ}`);
        }
      });
    }
  }
});

describe('the exact engine never merges peers whose future depends on dispatch order', () => {
  it('two-phase commit over Gilbert–Elliott with two cohorts: the values an independent enumeration gives', () => {
    const [one] = modelsOf({ protocol: 'two-phase-commit', channel: { model: 'gilbert-elliott', goodToBad: 0.3, badToGood: 0.3 }, participants: 2, abortRate: 0, redundancy: 1, rounds: 1 });
    assert.equal(one!.dispatchOrderFree, false);
    const result = exactCell(one!);
    assert.ok(Math.abs(result.outcomes[1]! - 0.593475) < 1e-12, `aborted ${result.outcomes[1]}`);
    assert.ok(Math.abs(result.outcomes[2]! - 0.3465) < 1e-12, `blocked ${result.outcomes[2]}`);
    const [two] = modelsOf({ protocol: 'two-phase-commit', channel: { model: 'gilbert-elliott', goodToBad: 0.3, badToGood: 0.3 }, participants: 2, abortRate: 0, redundancy: 1, rounds: 2 });
    assert.ok(Math.abs(exactCell(two!).outcomes[0]! - 0.17432953121499) < 1e-12);
  });

  it('reads dispatch-order freedom off the channel: Bernoulli and the cut are free, Gilbert–Elliott is not', () => {
    const free = (channel: unknown) => modelsOf({ protocol: 'two-phase-commit', channel })[0]!.dispatchOrderFree;
    assert.equal(modelsOf({ protocol: 'two-phase-commit', loss: { AtoB: 0.1, BtoA: 0.4 } })[0]!.dispatchOrderFree, true);
    assert.equal(free({ model: 'cut', after: 1 }), true);
    assert.equal(free({ model: 'gilbert-elliott', goodToBad: 0.1, badToGood: 0.5 }), false);
    assert.equal(free({ model: 'gilbert-elliott', goodToBad: 0, badToGood: 1 }), false);
  });
});

describe('exact at the sizes people run', () => {
  it('two-phase commit with 64 cohorts at R = 64 agrees with Monte Carlo', async () => {
    const data = { protocol: 'two-phase-commit', loss: 0.3, redundancy: 1, rounds: 64, participants: 64, abortRate: 0.01, trials: 20_000, seed: 'large-commit' };
    const report = await runExperiment([scenarioFrom(data)], { exact: 'on', simulate: true, confidence: 0.95, workers: 1 });
    const s = report.summaries[0]!;
    assert.equal(s.result.exact?.method, 'independent cohorts');
    s.outcomes.forEach((o, j) => assert.ok(Math.abs(proportionZ(o.count, s.trials, s.exact!.outcomes[j]!)) <= 4.5, `${s.outcomeNames[j]}: ${o.count} vs ${s.exact!.outcomes[j]}`));
    assert.ok(Math.abs(s.exact!.messengersZ!) <= 4.5, `messengers z ${s.exact!.messengersZ}`);
    assert.ok(Math.abs(s.roundsMean - s.exact!.roundsMean) <= 0.02 * s.exact!.roundsMean);
  });

  it('the randomized protocol at R = 1,000 agrees with Monte Carlo, on Bernoulli and bursty loss', async () => {
    for (const channel of [{ loss: 0.4 }, { channel: { model: 'gilbert-elliott', goodToBad: 0.01, badToGood: 0.2 } }]) {
      const data = { protocol: 'randomized', redundancy: 1, rounds: 1000, trials: 20_000, seed: 'large-randomized', ...channel };
      const report = await runExperiment([scenarioFrom(data)], { exact: 'on', simulate: true, confidence: 0.95, workers: 1 });
      const s = report.summaries[0]!;
      assert.equal(s.result.exact?.method, 'levels');
      s.outcomes.forEach((o, j) => assert.ok(Math.abs(proportionZ(o.count, s.trials, s.exact!.outcomes[j]!)) <= 4.5, `${s.outcomeNames[j]}: ${o.count} vs ${s.exact!.outcomes[j]}`));
    }
  });

  it('the structured solvers agree with the per-state engine on every small cell where both run', () => {
    const rng = fc.sample(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), probability, probability), { seed: SEED, numRuns: 40 });
    for (const [participants, rounds, loss, abortRate] of rng) {
      const [model] = modelsOf({ protocol: 'two-phase-commit', participants, rounds, loss, abortRate, redundancy: 1 });
      assertSame(exactCell(model!), exactCell(model!, UNLIMITED, 'generic'), `participants ${participants}, R ${rounds}, loss ${loss}, abortRate ${abortRate}`);
    }
    for (const [rounds, , loss] of rng) {
      const [model] = modelsOf({ protocol: 'randomized', rounds: 3 * rounds, loss, redundancy: 2 });
      assertSame(exactCell(model!), exactCell(model!, UNLIMITED, 'generic'), `randomized R ${3 * rounds}, loss ${loss}`);
    }
  });
});

describe('an exact attempt never costs more than it can give', () => {
  it('the automatic attempt gives up on a cell too large for it, and the trials still run', async () => {
    const scenario = scenarioFrom({ protocol: 'two-phase-commit', channel: { model: 'gilbert-elliott', goodToBad: 0.3, badToGood: 0.3 }, participants: 64, rounds: 8, abortRate: 0.05, trials: 1000, seed: 1 });
    const [result] = await runCells(expandCells(scenario), { exact: 'auto', simulate: true, workers: 1 });
    assert.equal(result!.exact, null);
    assert.equal(result!.exactSkipped, undefined);
    assert.equal(result!.tally!.trials, 1000);
  });

  it('--exact says within its limits why it cannot, instead of running unbounded', async () => {
    const scenario = scenarioFrom({ protocol: 'two-phase-commit', channel: { model: 'gilbert-elliott', goodToBad: 0.3, badToGood: 0.3 }, participants: 64, rounds: 8, abortRate: 0.05, trials: 1000, seed: 1 });
    const [result] = await runCells(expandCells(scenario), { exact: 'on', simulate: false, workers: 1 });
    assert.equal(result!.exact, null);
    assert.match(result!.exactSkipped ?? '', /memory|time/);
  });
});
