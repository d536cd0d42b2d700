import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UNLIMITED, exactCell } from '../src/engine/exact/index.js';
import { EXPLICIT_EXACT_WORDS, EXPLICIT_EXACT_WORK } from '../src/engine/exact/result.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel } from '../src/engine/model.js';
import { cellSpec, runCells } from '../src/engine/schedule/runner.js';
import { runExperiment } from '../src/experiment.js';
import { expandCells } from '../src/scenario/cells.js';
import { proportionZ } from '../src/stats/zscore.js';
import { assertSameExact, scenarioFrom } from './helpers.js';

/** The exact engine's structure and limits; every protocol × channel is checked in contract.test.ts. */
const SEED = 20261129;
const probability = fc.oneof({ arbitrary: fc.constantFrom(0, 1), weight: 1 }, { arbitrary: fc.integer({ min: 1, max: 999 }).map((k) => k / 1000), weight: 5 });

function modelsOf(data: Record<string, unknown>): CellModel[] {
  return expandCells(scenarioFrom({ ...data, trials: 1, seed: 1 })).map((cell) => buildCellModel(cellSpec(cell)));
}

describe('the exact engine never merges peers whose future depends on dispatch order', () => {
  it('two-phase commit over Gilbert–Elliott with two cohorts: the values an independent enumeration gives', () => {
    const [one] = modelsOf({
      protocol: 'two-phase-commit',
      channel: { model: 'gilbert-elliott', goodToBad: 0.3, badToGood: 0.3 },
      participants: 2,
      abortRate: 0,
      redundancy: 1,
      rounds: 1,
    });
    assert.equal(one!.dispatchOrderFree, false);
    const result = exactCell(one!);
    assert.ok(Math.abs(result.outcomes[1]! - 0.593475) < 1e-12, `aborted ${result.outcomes[1]}`);
    assert.ok(Math.abs(result.outcomes[2]! - 0.3465) < 1e-12, `blocked ${result.outcomes[2]}`);
    const [two] = modelsOf({
      protocol: 'two-phase-commit',
      channel: { model: 'gilbert-elliott', goodToBad: 0.3, badToGood: 0.3 },
      participants: 2,
      abortRate: 0,
      redundancy: 1,
      rounds: 2,
    });
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
    const data = {
      protocol: 'two-phase-commit',
      loss: 0.3,
      redundancy: 1,
      rounds: 64,
      participants: 64,
      abortRate: 0.01,
      trials: 20_000,
      seed: 'large-commit',
    };
    const report = await runExperiment([scenarioFrom(data)], { exact: 'on', simulate: true, confidence: 0.95, workers: 1 });
    const s = report.summaries[0]!;
    assert.equal(s.result.exact?.method, 'independent cohorts');
    s.outcomes.forEach((o, j) =>
      assert.ok(Math.abs(proportionZ(o.count, s.trials, s.exact!.outcomes[j]!)) <= 3.5, `${s.outcomeNames[j]}: ${o.count} vs ${s.exact!.outcomes[j]}`),
    );
    assert.ok(Math.abs(s.exact!.messengersZ!) <= 3.5, `messengers z ${s.exact!.messengersZ}`);
    assert.ok(Math.abs(s.roundsMean - s.exact!.roundsMean) <= 0.02 * s.exact!.roundsMean);
  });

  it('the randomized protocol at R = 1,000 agrees with Monte Carlo, on Bernoulli and bursty loss', async () => {
    for (const channel of [{ loss: 0.4 }, { channel: { model: 'gilbert-elliott', goodToBad: 0.01, badToGood: 0.2 } }]) {
      const data = { protocol: 'randomized', redundancy: 1, rounds: 1000, trials: 10_000, seed: 'large-randomized', ...channel };
      const report = await runExperiment([scenarioFrom(data)], { exact: 'on', simulate: true, confidence: 0.95, workers: 1 });
      const s = report.summaries[0]!;
      assert.equal(s.result.exact?.method, 'levels');
      s.outcomes.forEach((o, j) =>
        assert.ok(Math.abs(proportionZ(o.count, s.trials, s.exact!.outcomes[j]!)) <= 3.5, `${s.outcomeNames[j]}: ${o.count} vs ${s.exact!.outcomes[j]}`),
      );
    }
  });

  it('the structured solvers agree with the per-state engine on every small cell where both run', () => {
    // Up to four cohorts or four rounds, not both: the per-state engine alone takes seconds there.
    const sizes = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })).filter(([p, r]) => p + r <= 7);
    const rng = fc.sample(
      fc.tuple(sizes, probability, probability).map(([[p, r], loss, abortRate]) => [p, r, loss, abortRate] as const),
      { seed: SEED, numRuns: 40 },
    );
    for (const [participants, rounds, loss, abortRate] of rng) {
      const [model] = modelsOf({ protocol: 'two-phase-commit', participants, rounds, loss, abortRate, redundancy: 1 });
      assertSameExact(
        exactCell(model!),
        exactCell(model!, UNLIMITED, 'generic'),
        `participants ${participants}, R ${rounds}, loss ${loss}, abortRate ${abortRate}`,
      );
    }
    for (const [rounds, , loss] of rng) {
      const [model] = modelsOf({ protocol: 'randomized', rounds: 3 * rounds, loss, redundancy: 2 });
      assertSameExact(exactCell(model!), exactCell(model!, UNLIMITED, 'generic'), `randomized R ${3 * rounds}, loss ${loss}`);
    }
  });
});

/** Two-phase commit over Gilbert–Elliott with 64 cohorts: every cohort's place in the order is state, far past any limit. */
const TOO_LARGE = {
  protocol: 'two-phase-commit',
  channel: { model: 'gilbert-elliott', goodToBad: 0.3, badToGood: 0.3 },
  participants: 64,
  rounds: 8,
  abortRate: 0.05,
  trials: 1000,
  seed: 1,
};

describe('an exact attempt never costs more than it can give', () => {
  it('the automatic attempt gives up on a cell too large for it, and the trials still run', async () => {
    const scenario = scenarioFrom(TOO_LARGE);
    const [result] = await runCells(expandCells(scenario), { exact: 'auto', simulate: true, workers: 1 });
    assert.equal(result!.exact, null);
    assert.equal(result!.exactSkipped, undefined);
    assert.equal(result!.tally!.trials, 1000);
  });

  it('--exact says within its limits why it cannot, instead of running unbounded', async () => {
    const scenario = scenarioFrom(TOO_LARGE);
    // --exact's limits, the memory one shrunk twentyfold: the cell outgrows either long before it ends.
    const explicitLimits = { maxWork: EXPLICIT_EXACT_WORK, maxWords: EXPLICIT_EXACT_WORDS / 20 };
    const [result] = await runCells(expandCells(scenario), { exact: 'on', simulate: false, workers: 1, explicitLimits });
    assert.equal(result!.exact, null);
    assert.match(result!.exactSkipped ?? '', /^it needs more than 15 MB of memory \(/);
  });
});
