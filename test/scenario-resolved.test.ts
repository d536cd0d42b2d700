import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { scenarioSchema } from '../src/scenario/schema.js';
import { UsageError } from '../src/errors.js';
import { parseScenarioText } from '../src/scenario/parse.js';
import { loadScenario, loadScenarioSource, resolveScenario } from '../src/scenario/resolve.js';
import { describeValue } from '../src/scenario/validate.js';
import { protocolNamed } from '../src/catalog/protocols.js';
import type { Scenario } from '../src/scenario/types.js';
import { oneSendProtocolFile, tempFiles } from './helpers.js';
import { good } from './rule-protocol.js';

/**
 * Scenario validation at 1 in 2 lines (docs/mutation.md, ninth round): the resolved scenario that
 * results and shards record, field by field; the place each refusal names; a channel in its own
 * mapping with the common keys at the top level; and a protocol file's parameters when swept.
 */

const resolved = (yaml: string): Scenario => resolveScenario(parseScenarioText(yaml, 'test.yaml'));

/** The whole one-line refusal of a YAML scenario. */
function refusal(yaml: string): string {
  try {
    resolved(yaml);
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${String(error)}`);
    return error.message;
  }
  assert.fail(`accepted: ${yaml}`);
}

describe('the resolved scenario (what results and shards record)', () => {
  it('a description left out is empty, not missing', () => {
    const scenario = resolved('protocol: messenger\n');
    assert.equal(scenario.description, '');
    assert.equal(scenario.resolved['description'], '');
    assert.equal(resolved('protocol: messenger\ndescription: why\n').resolved['description'], 'why');
  });

  it('holds the protocol’s own parameters and the sweep as given', () => {
    const scenario = resolved('protocol: two-phase-commit\nparticipants: 3\nabortRate: 0.2\nsweep:\n  rounds: [1, 2]\n');
    assert.equal(scenario.resolved['participants'], 3);
    assert.equal(scenario.resolved['abortRate'], 0.2);
    assert.deepEqual(scenario.resolved['sweep'], { rounds: [1, 2] });
    assert.ok(!('undefined' in scenario.resolved));
    assert.ok(!('sweep' in resolved('protocol: messenger\n').resolved), 'no sweep, no key');
  });

  it('no expectations is an empty list; each expectation names its own entry', () => {
    assert.deepEqual(resolved('protocol: messenger\n').expect, []);
    const scenario = resolved('protocol: messenger\nexpect:\n  - { metric: success, atLeast: 0.1 }\n  - { metric: disagreement, atMost: 0.5 }\n');
    assert.deepEqual(
      scenario.expect.map((e) => e.place),
      ['test.yaml:3:5', 'test.yaml:4:5'],
    );
  });

  it('a scenario that is no file (text, the default) records no scenario file, even with a protocol file', async () => {
    const dir = tempFiles({ 'p.mjs': oneSendProtocolFile('resolvedtext') });
    try {
      for (const source of ['(text)', '(default scenario)']) {
        const scenario = await loadScenarioSource(parseScenarioText(JSON.stringify({ protocol: join(dir, 'p.mjs') }), source));
        assert.equal(scenario.protocol, 'resolvedtext');
        assert.equal(scenario.resolved['scenarioFile'], undefined, source);
      }
    } finally {
      unregister('resolvedtext');
    }
  });
});

describe('the place a refusal names', () => {
  it('too many cells: the sweep', () => {
    assert.equal(
      refusal('protocol: messenger\nsweep:\n  rounds: { from: 1, to: 400 }\n  loss: { from: 0, to: 0.999, step: 0.001 }\n'),
      'test.yaml:3:3: the sweep has 400000 cells; at most 100000 are allowed',
    );
  });

  it('a sweep value listed twice: the second one', () => {
    assert.equal(refusal('protocol: messenger\nsweep:\n  rounds: [1, 2, 1]\n'), 'test.yaml:3:18: sweep.rounds lists 1 twice');
  });

  it('exactly 100,000 values of one parameter are taken, 100,001 are not', () => {
    assert.equal(resolved('protocol: messenger\nsweep:\n  loss: { from: 0, to: 0.99999, step: 0.00001 }\n').sweep[0]!.values.length, 100_000);
    assert.equal(
      refusal('protocol: messenger\nsweep:\n  loss: { from: 0, to: 1, step: 0.00001 }\n'),
      'test.yaml:3:9: sweep.loss has 100001 values; at most 100000 are allowed',
    );
  });
});

describe('a channel in its own mapping, the common keys at the top level', () => {
  const GE = 'channel: { model: gilbert-elliott, goodToBad: 0.1, badToGood: 0.3, lossGood: 0.05, lossBad: 0.8 }\n';

  it('takes rounds, redundancy, crash rates and a protocol’s parameters at the top level', () => {
    const scenario = resolved(`protocol: two-phase-commit\n${GE}rounds: 3\nredundancy: 2\nparticipants: 2\nabortRate: 0.1\ncrash: 0.01\n`);
    assert.deepEqual(
      { ...scenario.params },
      { goodToBad: 0.1, badToGood: 0.3, lossGood: 0.05, lossBad: 0.8, redundancy: 2, rounds: 3, participants: 2, abortRate: 0.1, crash: 0.01 },
    );
  });

  it('refuses the bernoulli channel’s loss there, at its key', () => {
    assert.equal(
      refusal(`protocol: messenger\n${GE}loss: 0.2\n`),
      'test.yaml:3:1: loss applies only to the bernoulli channel; the gilbert-elliott channel takes goodToBad, badToGood, lossGood, lossBad in its channel object',
    );
  });
});

describe('a protocol file’s own parameter, swept', () => {
  const NAME = 'resolved-swept';
  before(() => registerProtocol({ ...good(NAME), parameters: [{ name: 'spareRate', description: 'spare', minimum: 0, maximum: 1, default: 0.5 }] }));
  after(() => unregister(NAME));

  it('leaves a built-in protocol’s scenario to the schema: an unknown metric is refused while a protocol file is loaded', () => {
    // The schema's refusal (every built-in protocol's outcomes), not the projection for a protocol file.
    assert.equal(
      refusal('protocol: messenger\nexpect:\n  - { metric: bogus, atLeast: 0.1 }\n'),
      "test.yaml:3:15: unknown expect[0].metric 'bogus'; choose one of: success, disagreement, both, neither, onlyA, onlyB, committed, aborted, blocked, inconsistent",
    );
  });

  it('checks the rest of the sweep against the schema', () => {
    assert.equal(refusal(`protocol: ${NAME}\nsweep:\n  spareRate: [0.1, 0.2]\n  rounds: [0]\n`), 'test.yaml:4:12: sweep.rounds[0] must be at least 1 (got 0)');
  });

  it('an empty list, at the axis; a range without a step is taken; a step that is not a number is refused', () => {
    assert.equal(refusal(`protocol: ${NAME}\nsweep:\n  spareRate: []\n`), 'test.yaml:3:14: sweep.spareRate must list at least one value');
    assert.deepEqual(resolved(`protocol: ${NAME}\nsweep:\n  spareRate: { from: 0, to: 1 }\n`).sweep[0]!.values, [0, 1]);
    assert.equal(
      refusal(`protocol: ${NAME}\nsweep:\n  spareRate: { from: 0, to: 1, step: '0.5' }\n`),
      "test.yaml:3:38: sweep.spareRate.step must be greater than 0 (got '0.5')",
    );
    assert.equal(refusal(`protocol: ${NAME}\nsweep:\n  spareRate: 3\n`), 'test.yaml:3:14: sweep.spareRate must be a list or a mapping (got 3)');
  });
});

/** The tenth round's sample (lines 1 modulo 4 of validate.ts and resolve.ts): what its survivors showed untested. */
describe('scenario validation, the tenth round', () => {
  it('an unknown key at the top level or in the sweep: the key’s place, the keys known there, never the channel’s wording', () => {
    assert.equal(
      refusal('protocol: messenger\nlossy: 0.1\n'),
      `test.yaml:2:1: unknown key 'lossy' (did you mean 'loss'?); known keys: ${Object.keys((scenarioSchema() as { properties: Record<string, unknown> }).properties).join(', ')}`,
    );
    assert.match(refusal('protocol: messenger\nsweep:\n  bogus: [1]\n'), /^test\.yaml:3:3: unknown key 'bogus' in sweep; known keys: loss, lossAtoB, /);
    assert.equal(
      refusal('protocol: messenger\nexpect:\n  - { metric: success, atLeast: 0.1, bogus: 1 }\n'),
      "test.yaml:3:38: unknown key 'bogus' in expect[0]; known keys: metric, atLeast, atMost, notWorseThan",
    );
  });

  it('a channel’s unknown key: where it belongs, the cut channel’s direction included', () => {
    assert.equal(
      refusal('protocol: messenger\nchannel: { model: bernoulli, direction: AtoB }\n'),
      "test.yaml:2:30: channel 'bernoulli' has no parameter 'direction' (direction belongs to the cut channel); its only parameter is loss, set at the top level (loss: 0.3)",
    );
    assert.equal(
      refusal('protocol: messenger\nchannel: { model: cut, after: 2, dirn: AtoB }\n'),
      "test.yaml:2:34: channel 'cut' has no parameter 'dirn'; it takes after, direction",
    );
  });

  it('the bernoulli channel’s loss in its mapping: said to belong at the top level, with the value written', () => {
    assert.equal(
      refusal('protocol: messenger\nchannel: { model: bernoulli, loss: 0.2 }\n'),
      "test.yaml:2:30: channel 'bernoulli' takes loss at the top level, not inside channel: write loss: 0.2 beside channel",
    );
  });

  it('a protocol file this process has not loaded, resolved as text: refused at the protocol', () => {
    assert.equal(refusal('protocol: ./nope.mjs\n'), 'test.yaml:1:11: protocol file ./nope.mjs is not loaded');
  });

  it('records a precision target with its trial cap, the default cap where none is given', () => {
    assert.deepEqual(resolved('protocol: messenger\ntrials: { precision: 0.01 }\n').resolved['trials'], { precision: 0.01, maxTrials: 100_000_000 });
    assert.deepEqual(resolved('protocol: messenger\ntrials: { precision: 0.01, maxTrials: 5000 }\n').resolved['trials'], { precision: 0.01, maxTrials: 5000 });
  });

  it('a value is quoted whole up to 60 characters, cut with an ellipsis past them', () => {
    assert.equal(describeValue('a'.repeat(60)), `'${'a'.repeat(60)}'`);
    assert.equal(describeValue('a'.repeat(61)), `'${'a'.repeat(57)}…'`);
  });

  it('crash rates by role for a protocol with no roles: refused as a protocol without crashes, and rates of 0 taken', () => {
    const NAME = 'tenth-no-roles';
    registerProtocol({ ...good(NAME) });
    try {
      assert.equal(
        refusal(`protocol: ${NAME}\ncrash: { x: 0.1 }\n`),
        `test.yaml:2:1: crash.x is 0.1, but the ${NAME} protocol does not support crashes (its definition declares no roles, nodes, crash and crashed; see docs/writing-a-protocol.md, "Crashes")`,
      );
      assert.ok(!('crash' in resolved(`protocol: ${NAME}\ncrash: { x: 0 }\n`).params));
    } finally {
      unregister(NAME);
    }
  });

  it('names a scenario by its file, prefixed where the name would not start with a letter or digit', async () => {
    const dir = tempFiles({ '_odd.yaml': 'protocol: messenger\n', 'plain-1.yaml': 'protocol: messenger\n' });
    assert.equal((await loadScenario(join(dir, '_odd.yaml'))).name, 'scenario-_odd');
    assert.equal((await loadScenario(join(dir, 'plain-1.yaml'))).name, 'plain-1');
  });

  it('loads a protocol file to run by default (not only its description), and keeps a scenario file the data records', async () => {
    const dir = tempFiles({ 'p.mjs': oneSendProtocolFile('tenth-runs'), 's.yaml': 'protocol: ./p.mjs\n', 'q.mjs': oneSendProtocolFile('tenth-recorded') });
    try {
      const scenario = await loadScenario(join(dir, 's.yaml'));
      assert.equal(scenario.protocol, 'tenth-runs');
      assert.deepEqual(protocolNamed('tenth-runs')!.configure({ rounds: 2 }), { rounds: 2 }, 'the file’s own configure, not a described one that throws');
      const recorded = await loadScenarioSource(
        parseScenarioText(JSON.stringify({ protocol: join(dir, 'q.mjs'), scenarioFile: '/elsewhere/kept.yaml' }), join(dir, 'results.json')),
      );
      assert.equal(recorded.resolved['scenarioFile'], '/elsewhere/kept.yaml');
    } finally {
      unregister('tenth-runs');
      unregister('tenth-recorded');
    }
  });
});

/** The tenth round's second sample (lines 3 modulo 4 of validate.ts and resolve.ts). */
describe('scenario validation, the tenth round, lines 3 modulo 4', () => {
  it('refuses a gate on an outcome the protocol does not have, built-in protocols too (it was judged on nothing and passed)', () => {
    assert.equal(
      refusal('protocol: messenger\nexpect:\n  - { metric: committed, atLeast: 0.1 }\n'),
      "test.yaml:3:15: unknown expect[0].metric 'committed'; choose one of: success, disagreement, both, neither, onlyA, onlyB",
    );
    assert.match(
      refusal('protocol: two-phase-commit\nexpect:\n  - { metric: onlyA, atMost: 0.1 }\n'),
      /^test\.yaml:3:15: unknown expect\[0\]\.metric 'onlyA'; choose one of: success, disagreement, committed, /,
    );
    assert.equal(resolved('protocol: two-phase-commit\nexpect:\n  - { metric: blocked, atMost: 0.1 }\n').expect.length, 1);
    assert.equal(resolved('protocol: messenger\nexpect:\n  - { metric: onlyA, atMost: 0.1 }\n').expect.length, 1);
  });

  it('records the expectations as given, and a channel in its own mapping only there', () => {
    assert.deepEqual(resolved('protocol: messenger\nexpect:\n  - { metric: success, atLeast: 0.1 }\n').resolved['expect'], [
      { metric: 'success', atLeast: 0.1 },
    ]);
    const ge = resolved('protocol: messenger\nchannel: { model: gilbert-elliott, goodToBad: 0.1, badToGood: 0.3, lossGood: 0.05, lossBad: 0.8 }\n').resolved;
    assert.deepEqual(Object.keys(ge), ['name', 'description', 'protocol', 'channel', 'redundancy', 'rounds', 'trials', 'seed']);
  });

  it('a swept range without `from`: refused at the axis', () => {
    const NAME = 'tenth-swept-range';
    registerProtocol({ ...good(NAME), parameters: [{ name: 'spareRate', description: 'spare', minimum: 0, maximum: 1, default: 0.5 }] });
    try {
      assert.equal(refusal(`protocol: ${NAME}\nsweep:\n  spareRate: { to: 1 }\n`), "test.yaml:3:14: sweep.spareRate needs the key 'from'");
    } finally {
      unregister(NAME);
    }
  });

  it('loads a protocol file to run from a source too, and takes a digest that matches the file', async () => {
    const text = oneSendProtocolFile('tenth-source-runs');
    const dir = tempFiles({ 'r.mjs': text });
    try {
      const digest = createHash('sha256').update(text).digest('hex');
      const scenario = await loadScenarioSource(
        parseScenarioText(JSON.stringify({ protocol: join(dir, 'r.mjs'), protocolDigest: digest }), join(dir, 'x.json')),
      );
      assert.equal(scenario.resolved['protocolDigest'], digest);
      assert.deepEqual(protocolNamed('tenth-source-runs')!.configure({ rounds: 3 }), { rounds: 3 });
    } finally {
      unregister('tenth-source-runs');
    }
  });

  it('finds a protocol file beside the source first, then beside the scenario file the data records, never from the working directory', async () => {
    const beside = tempFiles({ 'p.mjs': oneSendProtocolFile('tenth-beside') });
    const recordedDir = tempFiles({ 'p.mjs': oneSendProtocolFile('tenth-there'), 's.yaml': 'protocol: ./p.mjs\n' });
    const elsewhere = tempFiles({});
    const cwdDir = tempFiles({ 'q.mjs': oneSendProtocolFile('tenth-cwd') });
    const data = JSON.stringify({ protocol: './p.mjs', scenarioFile: join(recordedDir, 's.yaml') });
    const cwd = process.cwd();
    try {
      assert.equal((await loadScenarioSource(parseScenarioText(data, join(beside, 'results.json')))).protocol, 'tenth-beside');
      assert.equal((await loadScenarioSource(parseScenarioText(data, join(elsewhere, 'results.json')))).protocol, 'tenth-there');
      process.chdir(cwdDir);
      await assert.rejects(loadScenarioSource(parseScenarioText(JSON.stringify({ protocol: './q.mjs' }), join(elsewhere, 'results.json'))), UsageError);
    } finally {
      process.chdir(cwd);
      for (const name of ['tenth-beside', 'tenth-there', 'tenth-cwd']) unregister(name);
    }
  });
});
