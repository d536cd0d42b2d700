import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../src/errors.js';
import { expandCells } from '../src/scenario/cells.js';
import { applyOverrides } from '../src/scenario/overrides.js';
import { parseScenarioText } from '../src/scenario/parse.js';
import { loadScenario, resolveScenario } from '../src/scenario/resolve.js';
import { scenarioFrom } from './helpers.js';

describe('scenario resolution', () => {
  it('fills defaults and names the scenario after its file', () => {
    const s = resolveScenario(parseScenarioText('protocol: handshake\n', 'dir/my scenario.yaml'));
    assert.equal(s.name, 'my-scenario');
    assert.equal(s.channel, 'bernoulli');
    assert.deepEqual(s.params, { loss: 0.5, redundancy: 2, rounds: 1 });
    assert.equal(s.trials, 1000000);
    assert.equal(s.seed, '2026');
  });

  it("the built-in default is the seed's foot soldiers", async () => {
    const s = await loadScenario(undefined);
    assert.equal(s.protocol, 'messenger');
    assert.deepEqual(s.params, { loss: 0.5, redundancy: 2, rounds: 1 });
  });

  it('reads JSON and YAML alike', () => {
    const yaml = resolveScenario(parseScenarioText('protocol: retransmit\nloss: 0.2\n', 'a.yaml'));
    const json = resolveScenario(parseScenarioText('{"protocol": "retransmit", "loss": 0.2}', 'a.json'));
    assert.deepEqual(json.params, yaml.params);
  });

  it('splits per-direction loss into lossAtoB and lossBtoA', () => {
    const s = scenarioFrom({ protocol: 'retransmit', loss: { AtoB: 0.1, BtoA: 0.4 } });
    assert.deepEqual(s.params, { lossAtoB: 0.1, lossBtoA: 0.4, redundancy: 2, rounds: 1 });
  });
});

describe('sweeps', () => {
  it('expand ranges without floating-point drift, the first axis slowest', () => {
    const s = scenarioFrom({ protocol: 'messenger', sweep: { loss: { from: 0.1, to: 0.5, step: 0.1 }, redundancy: [1, 2] } });
    assert.deepEqual(s.sweep[0]!.values, [0.1, 0.2, 0.3, 0.4, 0.5]);
    const cells = expandCells(s);
    assert.equal(cells.length, 10);
    assert.deepEqual(
      cells.slice(0, 3).map((c) => [c.params['loss'], c.params['redundancy']]),
      [
        [0.1, 1],
        [0.1, 2],
        [0.2, 1],
      ],
    );
  });

  it('give every cell its own key, independent of trials and seed', () => {
    const cells = expandCells(scenarioFrom({ protocol: 'messenger', sweep: { redundancy: { from: 1, to: 4 } } }));
    assert.equal(new Set(cells.map((c) => c.key)).size, 4);
    const again = expandCells(scenarioFrom({ protocol: 'messenger', trials: 5, seed: 'x', sweep: { redundancy: { from: 1, to: 4 } } }));
    assert.deepEqual(
      again.map((c) => c.key),
      cells.map((c) => c.key),
    );
  });

  it("sweeping one direction's loss keeps the other at the shared loss", () => {
    const [cell] = expandCells(scenarioFrom({ protocol: 'retransmit', loss: 0.3, sweep: { lossAtoB: [0.1] } }));
    assert.deepEqual(cell!.params, { lossAtoB: 0.1, lossBtoA: 0.3, redundancy: 2, rounds: 1 });
  });

  it('refuse grids over 100,000 cells', () => {
    assert.throws(
      () => scenarioFrom({ protocol: 'messenger', sweep: { loss: { from: 0, to: 1, step: 0.001 }, redundancy: { from: 1, to: 1000 } } }),
      /the sweep has 1001000 cells; at most 100000/,
    );
  });
});

describe('command-line overrides', () => {
  const base = () => parseScenarioText('protocol: messenger\nloss: 0.5\n', 'f.yaml');

  it('replace file values and add sweeps', () => {
    const s = resolveScenario(
      applyOverrides(base(), { set: ['loss=0.25', 'protocol=handshake'], trials: '1e4', seed: 'abc', sweep: ['rounds=1:3', 'redundancy=1,4'] }),
    );
    assert.equal(s.protocol, 'handshake');
    assert.equal(s.params['loss'], 0.25);
    assert.equal(s.trials, 10000);
    assert.equal(s.seed, 'abc');
    assert.deepEqual(
      s.sweep.map((a) => [a.parameter, a.values]),
      [
        ['rounds', [1, 2, 3]],
        ['redundancy', [1, 4]],
      ],
    );
  });

  it('set one direction of a shared loss', () => {
    const s = resolveScenario(applyOverrides(base(), { set: ['loss.AtoB=0.1'] }));
    assert.deepEqual(s.params, { lossAtoB: 0.1, lossBtoA: 0.5, redundancy: 2, rounds: 1 });
  });

  it('report their own flag as the place of an error', () => {
    assert.throws(
      () => resolveScenario(applyOverrides(base(), { set: ['redundancy=0'] })),
      (e: unknown) => e instanceof UsageError && e.message === '--set redundancy=0: redundancy must be at least 1 (got 0)',
    );
  });

  it('leave the original data untouched', () => {
    const source = base();
    applyOverrides(source, { set: ['loss=0.1'] });
    assert.equal(source.data['loss'], 0.5);
  });
});
