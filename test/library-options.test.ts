import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runExperiment } from '../src/experiment.js';
import type { ExperimentOptions } from '../src/experiment.js';
import { MAX_WORKERS } from '../src/engine/schedule/runner.js';
import { loadScenario } from '../src/scenario/resolve.js';

/**
 * A library caller's options are held to what they mean, as the CLI's flags are: `workers: NaN`
 * ran no trial and returned counts of 0 (a result of 0 trials where 200,000 were asked), and
 * `workers: 1e9` started threads until memory ran out.
 */
describe("a library caller's run options", () => {
  const good: ExperimentOptions = { exact: 'auto', simulate: true, confidence: 0.95, workers: 1 };
  const cases: [Partial<Record<keyof ExperimentOptions, unknown>>, RegExp][] = [
    [{ workers: Number.NaN }, /^options\.workers: NaN is not a whole number from 1 to \d+/],
    [{ workers: 0 }, /^options\.workers: 0 is not a whole number/],
    [{ workers: -1 }, /^options\.workers: -1 is not a whole number/],
    [{ workers: 1.5 }, /^options\.workers: 1\.5 is not a whole number/],
    [{ workers: MAX_WORKERS + 1 }, new RegExp(`^options\\.workers: ${MAX_WORKERS + 1} is not a whole number from 1 to ${MAX_WORKERS}`)],
    [{ workers: '2' }, /^options\.workers: 2 is not a whole number/],
    [{ exact: 'yes' }, /^options\.exact: yes is not 'auto', 'on' or 'off'$/],
    [{ simulate: 'no' }, /^options\.simulate: no is not true or false$/],
    [{ confidence: 1 }, /^options\.confidence: 1 is not a number strictly between 0 and 1/],
    [{ confidence: 0 }, /^options\.confidence: 0 is not a number strictly between 0 and 1/],
    [{ confidence: 1 - 1e-17 }, /^options\.confidence: /],
    [{ confidence: '0.95' }, /^options\.confidence: 0\.95 is not a number/],
  ];
  const unknown: [Record<string, unknown>, RegExp][] = [
    [{ worker: 2 }, /^options\.worker: not an option of runExperiment \(exact, simulate, confidence, workers, /],
    [{ confidenceLevel: 0.99 }, /^options\.confidenceLevel: not an option of runExperiment/],
    [{ shard: { index: 0, count: 2 } }, /^options\.shard: not an option of runExperiment/],
    [{ progress: 'bar' }, /^options\.progress: bar is not a function$/],
    [{ exactSlow: 1 }, /^options\.exactSlow: 1 is not a function$/],
    [{ exactAllOrNone: 'yes' }, /^options\.exactAllOrNone: yes is not true or false$/],
  ];
  for (const [bad, message] of unknown) {
    it(`refuses ${JSON.stringify(bad)}, which names no option or is not of its kind`, async () => {
      const scenario = await loadScenario(undefined, { trials: '2000' });
      await assert.rejects(runExperiment([scenario], { ...good, ...bad } as ExperimentOptions), (error: Error) => {
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('takes an option given as undefined as not given', async () => {
    const scenario = await loadScenario(undefined, { trials: '2000' });
    const report = await runExperiment([scenario], { ...good, progress: undefined, exactAllOrNone: undefined });
    assert.equal(report.summaries[0]!.trials, 2000);
  });
  for (const [bad, message] of cases) {
    it(`refuses ${JSON.stringify(bad)}`, async () => {
      const scenario = await loadScenario(undefined, { trials: '200000' });
      await assert.rejects(runExperiment([scenario], { ...good, ...bad } as ExperimentOptions), (error: Error) => {
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('runs the asked trials with good ones', async () => {
    const scenario = await loadScenario(undefined, { trials: '2000' });
    const report = await runExperiment([scenario], good);
    assert.equal(report.summaries[0]!.trials, 2000);
  });
});
