import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { UsageError } from '../src/errors.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { scenarioFrom } from './helpers.js';
import { good } from './rule-protocol.js';

/** Negative tests for the validator's and resolve's rules, each with an input just inside that passes. */

// --- the validator and resolve -------------------------------------------------------------

describe('the validator refuses a protocol file’s parameters outside their declarations', () => {
  const name = 'rules-params';
  registerProtocol({
    ...good(name),
    parameters: [
      { name: 'rulesCohorts', description: 'whole', integer: true, minimum: 1, maximum: 5, default: 2 },
      { name: 'rulesBias', description: 'real', minimum: 0, maximum: 1, default: 0.5 },
    ],
  });
  after(() => unregister(name));
  const refuses = (data: Record<string, unknown>, message: RegExp) =>
    assert.throws(
      () => scenarioFrom({ protocol: name, ...data }),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
  it('whole numbers, bounds, numbers', () => {
    refuses({ rulesCohorts: 1.5 }, /rulesCohorts must be a whole number \(got 1\.5\)/);
    refuses({ rulesCohorts: 0 }, /rulesCohorts must be at least 1 \(got 0\)/);
    refuses({ rulesCohorts: 6 }, /rulesCohorts must be at most 5 \(got 6\)/);
    refuses({ rulesCohorts: '2' }, /rulesCohorts must be a whole number \(got '2'\)/);
    refuses({ rulesBias: 'x' }, /rulesBias must be a number \(got 'x'\)/);
    refuses({ rulesBias: -0.1 }, /rulesBias must be at least 0 \(got -0\.1\)/);
    refuses({ rulesBias: 1.01 }, /rulesBias must be at most 1 \(got 1\.01\)/);
    const ok = scenarioFrom({ protocol: name, rulesCohorts: 5, rulesBias: 1 });
    assert.equal(ok.params['rulesCohorts'], 5);
    assert.equal(scenarioFrom({ protocol: name, rulesCohorts: 1, rulesBias: 0.5 }).params['rulesBias'], 0.5);
  });
  it('swept: lists and ranges', () => {
    refuses({ sweep: { rulesCohorts: [1, 2.5] } }, /sweep\.rulesCohorts\[1\] must be a whole number \(got 2\.5\)/);
    refuses({ sweep: { rulesCohorts: [] } }, /sweep\.rulesCohorts must list at least one value/);
    refuses({ sweep: { rulesCohorts: { from: 1 } } }, /sweep\.rulesCohorts needs the key 'to'/);
    refuses({ sweep: { rulesCohorts: { to: 3 } } }, /sweep\.rulesCohorts needs the key 'from'/);
    refuses({ sweep: { rulesCohorts: { from: 1, to: 9 } } }, /sweep\.rulesCohorts\.to must be at most 5 \(got 9\)/);
    refuses({ sweep: { rulesCohorts: { from: 1, to: 3, step: 0 } } }, /sweep\.rulesCohorts\.step must be greater than 0 \(got 0\)/);
    refuses({ sweep: { rulesCohorts: { from: 1, to: 3, step: 'x' } } }, /sweep\.rulesCohorts\.step must be greater than 0 \(got 'x'\)/);
    refuses({ sweep: { rulesCohorts: { from: 1, to: 3, stride: 1 } } }, /unknown key 'stride' in sweep\.rulesCohorts; known keys: from, to, step/);
    refuses({ sweep: { rulesCohorts: 'all' } }, /sweep\.rulesCohorts must be a list or a mapping \(got 'all'\)/);
    refuses({ sweep: { rulesCohorts: [2, 2] } }, /sweep\.rulesCohorts lists 2 twice/);
    const swept = scenarioFrom({ protocol: name, sweep: { rulesCohorts: { from: 1, to: 5, step: 2 }, rulesBias: [0, 1] } });
    assert.deepEqual(
      swept.sweep.map((a) => [a.parameter, a.values]),
      [
        ['rulesCohorts', [1, 3, 5]],
        ['rulesBias', [0, 1]],
      ],
    );
  });
});

describe('resolve refuses what the schema cannot see', () => {
  const refuses = (data: Record<string, unknown>, message: RegExp) =>
    assert.throws(
      () => scenarioFrom(data),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
  it('duplicate sweep values, listed or given as ranges', () => {
    refuses({ protocol: 'retransmit', sweep: { loss: [0.1, 0.2, 0.1] } }, /sweep\.loss lists 0\.1 twice/);
    refuses({ protocol: 'retransmit', sweep: { rounds: [3, 3] } }, /sweep\.rounds lists 3 twice/);
    assert.equal(scenarioFrom({ protocol: 'retransmit', sweep: { loss: [0.1, 0.2] } }).sweep[0]!.values.length, 2);
  });
  it('empty and oversized ranges, too many cells', () => {
    refuses({ protocol: 'retransmit', sweep: { rounds: { from: 5, to: 4 } } }, /sweep\.rounds is empty: from 5 is above to 4/);
    assert.deepEqual(scenarioFrom({ protocol: 'retransmit', sweep: { rounds: { from: 4, to: 4 } } }).sweep[0]!.values, [4]);
    refuses({ protocol: 'retransmit', sweep: { loss: { from: 0, to: 1, step: 0.000001 } } }, /sweep\.loss has 1000001 values; at most 100000 are allowed/);
    refuses(
      { protocol: 'retransmit', sweep: { rounds: { from: 1, to: 400 }, redundancy: { from: 1, to: 251 } } },
      /the sweep has 100400 cells; at most 100000 are allowed/,
    );
    assert.equal(scenarioFrom({ protocol: 'retransmit', sweep: { rounds: { from: 1, to: 400 }, redundancy: { from: 1, to: 250 } } }).sweep.length, 2);
  });
  it('parameters of another protocol or channel', () => {
    refuses({ protocol: 'retransmit', participants: 2 }, /participants applies only to the two-phase-commit protocol, not to retransmit/);
    refuses({ protocol: 'retransmit', sweep: { abortRate: [0.1] } }, /abortRate applies only to the two-phase-commit protocol, not to retransmit/);
    refuses({ protocol: 'retransmit', sweep: { after: [1, 2] } }, /after applies only to the cut channel, not to bernoulli/);
    refuses(
      { protocol: 'retransmit', channel: { model: 'cut', after: 1 }, loss: 0.2 },
      /loss applies only to the bernoulli channel; the cut channel takes after, direction in its channel object/,
    );
    assert.equal(scenarioFrom({ protocol: 'two-phase-commit', participants: 2 }).params['participants'], 2);
  });
  it('a built-in protocol’s whole-number parameter given 1.5', () => {
    refuses({ protocol: 'two-phase-commit', participants: 1.5 }, /participants must be a whole number \(got 1\.5\)/);
    refuses({ protocol: 'two-phase-commit', abortRate: 1.5 }, /abortRate must be at most 1 \(got 1\.5\)/);
    refuses({ protocol: 'retransmit', rounds: 2.5 }, /rounds must be a whole number \(got 2\.5\)/);
    refuses({ protocol: 'retransmit', channel: { model: 'cut', after: 0.5 } }, /channel\.after must be a whole number \(got 0\.5\)/);
  });
});
