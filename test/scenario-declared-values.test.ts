import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GENERALS_OUTCOMES } from '../src/contract/protocol.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { UsageError } from '../src/errors.js';
import { parseScenarioText } from '../src/scenario/parse.js';
import { resolveScenario } from '../src/scenario/resolve.js';
import { scenarioFrom } from './helpers.js';
import { good } from './rule-protocol.js';

// Scenario validation at 1 in 4 lines (docs/mutation.md): a declared parameter's value that YAML
// can write and JSON cannot (.nan, .inf), and a protocol's own metrics in expect.

const NAME = 'declared-values';

/** The whole one-line refusal of a YAML scenario. */
function refusal(yaml: string): string {
  try {
    resolveScenario(parseScenarioText(yaml, 'test.yaml'));
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${String(error)}`);
    return error.message;
  }
  assert.fail(`accepted: ${yaml}`);
}

describe('a declared numeric parameter', () => {
  before(() =>
    registerProtocol({
      ...good(NAME),
      outcomes: { ...GENERALS_OUTCOMES, names: ['won', 'lost', 'tieA', 'tieB'] },
      parameters: [
        { name: 'spareRate', description: 'spare', minimum: 0, maximum: 1, default: 0.5 },
        { name: 'spareCount', description: 'spare, no default', integer: true, minimum: 0, maximum: 9 },
      ],
    }),
  );
  after(() => unregister(NAME));

  it('refuses a whole-number parameter swept by a step that is not whole (from 1 by 0.5 would run 1.5), as for built-in ones', () => {
    assert.equal(
      refusal(`protocol: ${NAME}\nsweep:\n  spareCount: { from: 1, to: 3, step: 0.5 }\n`),
      'test.yaml:3:39: sweep.spareCount.step must be a whole number (got 0.5)',
    );
    // A fractional step of a fractional parameter is its own.
    resolveScenario(parseScenarioText(`protocol: ${NAME}\nsweep:\n  spareRate: { from: 0, to: 1, step: 0.5 }\nspareCount: 1\n`, 'test.yaml'));
  });

  it('refuses NaN and the infinities as not a number, set or swept (not judged against its range)', () => {
    assert.equal(refusal(`protocol: ${NAME}\nspareRate: .nan\n`), 'test.yaml:2:12: spareRate must be a number (got NaN)');
    assert.equal(refusal(`protocol: ${NAME}\nspareRate: .inf\n`), 'test.yaml:2:12: spareRate must be a number (got Infinity)');
    assert.equal(refusal(`protocol: ${NAME}\nspareRate: -.inf\n`), 'test.yaml:2:12: spareRate must be a number (got -Infinity)');
    assert.equal(refusal(`protocol: ${NAME}\nsweep:\n  spareRate: [0.1, .nan]\n`), 'test.yaml:3:20: sweep.spareRate[1] must be a number (got NaN)');
    assert.equal(
      refusal(`protocol: ${NAME}\nsweep:\n  spareRate: { from: 0, to: .inf, step: 0.5 }\n`),
      'test.yaml:3:29: sweep.spareRate.to must be a number (got Infinity)',
    );
  });

  it('refuses a value past its range, and takes its ends', () => {
    assert.equal(refusal(`protocol: ${NAME}\nspareRate: 1.5\nspareCount: 1\n`), 'test.yaml:2:12: spareRate must be at most 1 (got 1.5)');
    assert.equal(refusal(`protocol: ${NAME}\nspareRate: -0.5\nspareCount: 1\n`), 'test.yaml:2:12: spareRate must be at least 0 (got -0.5)');
    for (const v of [0, 1])
      assert.equal(resolveScenario(parseScenarioText(`protocol: ${NAME}\nspareRate: ${v}\nspareCount: 1\n`, 'test.yaml')).params['spareRate'], v);
  });

  it('a parameter without a default must be given (or swept); one with a default has it', () => {
    // Left out, it reached the protocol as NaN (the declaration says the scenario must give it).
    assert.equal(refusal(`protocol: ${NAME}\n`), `test.yaml:1:11: the ${NAME} protocol needs spareCount: give spareCount: … (or sweep it)`);
    const params = resolveScenario(parseScenarioText(`protocol: ${NAME}\nspareCount: 4\n`, 'test.yaml')).params;
    assert.equal(params['spareRate'], 0.5);
    assert.equal(params['spareCount'], 4);
  });

  it('its own metrics in expect: an entry that is nothing, or names no metric, is refused with one line', () => {
    assert.equal(refusal(`protocol: ${NAME}\nexpect: [null]\n`), 'test.yaml:2:10: expect[0] must be a mapping (got nothing)');
    assert.equal(refusal(`protocol: ${NAME}\nexpect: [{ atLeast: 0.1 }]\n`), "test.yaml:2:10: expect[0] needs the key 'metric'");
  });
});

describe('resolve: what a scenario carries', () => {
  it('a precision run carries its precision and its cap as trials; a fixed count carries no precision', () => {
    const precise = scenarioFrom({ protocol: 'messenger', trials: { precision: 0.01, maxTrials: 200000 } });
    assert.equal(precise.precision, 0.01);
    assert.equal(precise.trials, 200000);
    const fixed = scenarioFrom({ protocol: 'messenger', trials: 5000 });
    assert.equal(fixed.trials, 5000);
    assert.equal('precision' in fixed, false);
  });
});
