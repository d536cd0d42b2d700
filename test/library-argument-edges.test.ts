import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_WORKERS } from '../src/engine/schedule/runner.js';
import { runExperiment } from '../src/experiment.js';
import type { ExperimentOptions } from '../src/experiment.js';
import type { Overrides } from '../src/scenario/overrides.js';
import { loadScenario } from '../src/scenario/resolve.js';

/**
 * A library caller's arguments at the edges of what they mean: overrides given as a list (an
 * object's every key read, none there) are refused as no object; each list override's refusal
 * shows that key's own form; `workers` takes its largest value; and a mode left out is refused,
 * not run as one the caller did not choose.
 */
describe("a library caller's arguments at their edges", () => {
  const good: ExperimentOptions = { exact: 'auto', simulate: true, confidence: 0.95, workers: 1 };

  it('refuses overrides given as a list, empty or not', async () => {
    for (const [overrides, shown] of [
      [[], '[]'],
      [['loss=0.2'], '["loss=0.2"]'],
    ] as const) {
      await assert.rejects(loadScenario(undefined, overrides as unknown as Overrides), (error: Error) => {
        assert.equal(error.message, `overrides: ${shown} is not an object of trials, seed, precision, set and sweep`);
        return true;
      });
    }
  });

  it("shows each list override's own form in its refusal: set as ['loss=0.2'], sweep as ['loss=0.1,0.2']", async () => {
    for (const [overrides, form] of [
      [{ set: 'loss=0.2' }, "set: 'loss=0.2' is not a list of texts, such as ['loss=0.2']"],
      [{ sweep: 'loss=0.1,0.2' }, "sweep: 'loss=0.1,0.2' is not a list of texts, such as ['loss=0.1,0.2']"],
    ] as const) {
      await assert.rejects(loadScenario(undefined, overrides as unknown as Overrides), (error: Error) => {
        assert.equal(error.message, `overrides.${form}`);
        return true;
      });
    }
  });

  it(`runs with workers: ${MAX_WORKERS}, the largest taken`, async () => {
    const scenario = await loadScenario(undefined, { trials: '2000' });
    const report = await runExperiment([scenario], { ...good, workers: MAX_WORKERS });
    assert.equal(report.summaries[0]!.trials, 2000);
  });

  it('refuses an exact mode or a simulate left undefined', async () => {
    const scenario = await loadScenario(undefined, { trials: '2000' });
    for (const [key, message] of [
      ['exact', "options.exact: undefined is not 'auto', 'on' or 'off'"],
      ['simulate', 'options.simulate: undefined is not true or false'],
    ] as const) {
      await assert.rejects(runExperiment([scenario], { ...good, [key]: undefined } as unknown as ExperimentOptions), (error: Error) => {
        assert.equal(error.message, message);
        return true;
      });
    }
  });
});
