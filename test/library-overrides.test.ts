import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadScenario } from '../src/scenario/resolve.js';
import type { Overrides } from '../src/scenario/overrides.js';

/**
 * A library caller's overrides are held to the flags' shape: a key loadScenario does not know
 * (`loss`, meant as `set: ['loss=0.2']`) was ignored, so the scenario ran with its own loss and
 * the caller read its figures as those of the loss it asked for; a number where text is read
 * stopped with `text.trim is not a function`.
 */
describe("a library caller's scenario overrides", () => {
  const cases: [unknown, RegExp][] = [
    [{ loss: '0.2' }, /^overrides\.loss: not an override \(trials, seed, precision, set or sweep\): a scenario's value is given as set: \['loss=…'\]$/],
    [{ trials: '1000', rounds: 3 }, /^overrides\.rounds: not an override/],
    [{ trials: 1000 }, /^overrides\.trials: 1000 is not text/],
    [{ seed: 1.5 }, /^overrides\.seed: 1\.5 is not text/],
    [{ precision: 0.01 }, /^overrides\.precision: 0\.01 is not text/],
    [{ set: 'loss=0.2' }, /^overrides\.set: 'loss=0\.2' is not a list of texts/],
    [{ sweep: ['loss=0.1,0.2', 3] }, /^overrides\.sweep: \["loss=0\.1,0\.2",3\] is not a list of texts/],
    ['trials=1000', /^overrides: 'trials=1000' is not an object/],
    [null, /^overrides: null is not an object/],
  ];
  for (const [bad, message] of cases) {
    it(`refuses ${JSON.stringify(bad)}`, async () => {
      for (const file of [undefined, 'retransmit-round-limit']) {
        await assert.rejects(loadScenario(file, bad as Overrides), (error: Error) => {
          assert.match(error.message, message);
          return true;
        });
      }
    });
  }

  for (const bad of [null, { protocol: 'messenger' }, 42]) {
    it(`refuses the scenario ${JSON.stringify(bad)}`, async () => {
      await assert.rejects(loadScenario(bad as never), (error: Error) => {
        assert.match(
          error.message,
          /^file: (null|an object|a number) is not a scenario file's path or a shipped scenario's name \(or undefined: the default scenario\)$/,
        );
        return true;
      });
    });
  }

  it('takes the flags as the CLI gives them', async () => {
    const scenario = await loadScenario('retransmit-round-limit', {
      trials: '2000',
      seed: '7',
      set: ['loss=0.2'],
      sweep: ['rounds=1,2'],
      precision: undefined,
    });
    assert.equal(scenario.trials, 2000);
    assert.equal(scenario.params['loss'], 0.2);
    assert.equal(scenario.seed, '7');
  });
});
