import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UsageError } from '../src/errors.js';
import { GENERALS_OUTCOMES } from '../src/contract/protocol.js';
import { BUILT_IN_CHANNELS } from '../src/catalog/channels.js';
import { BUILT_IN_PROTOCOLS } from '../src/catalog/protocols.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { scenarioSchema } from '../src/scenario/schema.js';
import { loadScenario } from '../src/scenario/resolve.js';
import { oneSendProtocolFile, scenarioFrom, tempFiles } from './helpers.js';
import { good } from './rule-protocol.js';

/**
 * The validator's message for every kind of schema problem, each with its place (file:line:column,
 * at the key or at the value), and resolve's rules for crashes, registered protocols and
 * protocol files: in-process, each refusal asserted whole.
 */

/** The whole one-line refusal of a scenario (messenger unless it names another protocol). */
function refusal(data: Record<string, unknown>): string {
  try {
    scenarioFrom({ protocol: 'messenger', ...data });
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${String(error)}`);
    return error.message;
  }
  assert.fail(`accepted: ${JSON.stringify(data)}`);
}

// The catalog's lists as the messages give them: a protocol, a channel or a parameter added to the catalog changes no expectation here.
const PROTOCOL_NAMES = BUILT_IN_PROTOCOLS.map((p) => p.name).join(', ');
const CHANNEL_NAMES = BUILT_IN_CHANNELS.map((c) => c.name).join(', ');
const TOP_LEVEL_KEYS = Object.keys((scenarioSchema() as { properties: Record<string, unknown> }).properties).join(', ');

describe('the validator: one message for each kind of schema problem, at its place', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ lost: 0.1 }, `test.json:1:25: unknown key 'lost' (did you mean 'loss'?); known keys: ${TOP_LEVEL_KEYS}`],
    [{ trials: { precision: 0.01, foo: 1 } }, "test.json:1:52: unknown key 'foo' in trials; known keys: precision, maxTrials"],
    [{ trials: { maxTrials: 10 } }, "test.json:1:34: trials needs the key 'precision'"],
    [{ trials: 'many' }, "test.json:1:34: trials must be a whole number or a mapping (got 'many')"],
    [{ trials: null }, 'test.json:1:34: trials must be a whole number or a mapping (got nothing)'],
    [{ seed: [1] }, 'test.json:1:32: seed must be a whole number or a string (got a list)'],
    [{ description: { a: 1 } }, 'test.json:1:39: description must be a string (got a mapping)'],
    [{ description: 5 }, 'test.json:1:39: description must be a string (got 5)'],
    [{ redundancy: true }, 'test.json:1:38: redundancy must be a whole number (got true)'],
    [{ loss: -0.1 }, 'test.json:1:32: loss must be at least 0 (got -0.1)'],
    [{ loss: 1.5 }, 'test.json:1:32: loss must be at most 1 (got 1.5)'],
    [{ rounds: 0 }, 'test.json:1:34: rounds must be at least 1 (got 0)'],
    [{ trials: { precision: 0 } }, 'test.json:1:47: trials.precision must be greater than 0 (got 0)'],
    [{ trials: { precision: 0.01, maxTrials: 1.5 } }, 'test.json:1:64: trials.maxTrials must be a whole number (got 1.5)'],
    [
      { channel: { model: 'bernoulli', after: 2 } },
      "test.json:1:56: channel 'bernoulli' has no parameter 'after' (after belongs to the cut channel); its only parameter is loss, set at the top level (loss: 0.3)",
    ],
    [
      { channel: { model: 'cut', loss: 1 } },
      "test.json:1:50: channel 'cut' has no parameter 'loss' (loss belongs to the bernoulli channel); it takes after, direction",
    ],
    [
      { channel: { model: 'gilbert-elliott', goodToBad: 0.1, badToGood: 0.1, direction: 'AtoB' } },
      "test.json:1:94: channel 'gilbert-elliott' has no parameter 'direction' (direction belongs to the cut channel); it takes goodToBad, badToGood, lossGood, lossBad",
    ],
    [
      { channel: { model: 'gilbert-elliott', goodToBad: 0.1, badToGood: 0.1, goodtobad: 1 } },
      "test.json:1:94: channel 'gilbert-elliott' has no parameter 'goodtobad' (did you mean 'goodToBad'?); it takes goodToBad, badToGood, lossGood, lossBad",
    ],
    [{ channel: { model: 'gilbert-elliott' } }, "test.json:1:35: channel needs the key 'goodToBad'"],
    [
      { channel: 'gilbert-elliott' },
      'test.json:1:35: the gilbert-elliott channel needs goodToBad and badToGood: give channel as an object, { model: gilbert-elliott, goodToBad: …, badToGood: … }',
    ],
    [{ channel: 'trace' }, 'test.json:1:35: the trace channel needs file, or AtoB and BtoA: give channel as an object, { model: trace, file: … }'],
    [{ loss: { AtoB: 0.1, BtoA: 0.2, X: 1 } }, "test.json:1:55: unknown key 'X' in loss; known keys: AtoB, BtoA"],
    [{ loss: { AtoB: 0.1 } }, "test.json:1:32: loss needs the key 'BtoA'"],
    // A required key misspelt (another case, a typo) is named as the unknown key it is, with the hint, not as a missing key.
    [{ loss: { atob: 0.1, BtoA: 0.2 } }, "test.json:1:33: unknown key 'atob' in loss (did you mean 'AtoB'?); known keys: AtoB, BtoA"],
    [{ trials: { Precision: 0.01 } }, "test.json:1:35: unknown key 'Precision' in trials (did you mean 'precision'?); known keys: precision, maxTrials"],
    [{ sweep: { loss: { From: 0.1, to: 0.3 } } }, "test.json:1:42: unknown key 'From' in sweep.loss (did you mean 'from'?); known keys: from, to, step"],
    [{ crash: { 'a-b': 0.1 } }, "test.json:1:34: crash has a key 'a-b' that is not a name (letters and digits, starting with a letter)"],
    [{ crash: {} }, 'test.json:1:33: crash must name at least one parameter'],
    [
      { protocol: 'messager' },
      `test.json:1:13: unknown protocol 'messager' (did you mean 'messenger'?); choose one of: ${PROTOCOL_NAMES}, or a protocol file by its path, relative to the scenario (./my-protocol.mjs)`,
    ],
    [{ channel: { model: 'cut', direction: 'up' } }, "test.json:1:62: unknown channel.direction 'up'; choose one of: both, AtoB, BtoA"],
    [{ channel: 'bernouli' }, `test.json:1:35: unknown channel model 'bernouli' (did you mean 'bernoulli'?); choose one of: ${CHANNEL_NAMES}`],
    [{ channel: 'b'.repeat(70) }, `test.json:1:35: unknown channel model '${'b'.repeat(57)}…'; choose one of: ${CHANNEL_NAMES}`],
    [{ name: '-bad' }, "test.json:1:32: name '-bad' may use only letters, digits, '.', '_' and '-', and must start with a letter or digit"],
    [{ sweep: { loss: [] } }, 'test.json:1:41: sweep.loss must list at least one value'],
    [{ sweep: { loss: [0.1, 'x'] } }, "test.json:1:46: sweep.loss[1] must be a number (got 'x')"],
    [{ sweep: {} }, 'test.json:1:33: sweep must name at least one parameter'],
    [{ expect: 'x' }, "test.json:1:34: expect must be a list (got 'x')"],
    [{ expect: [{ metric: 'success' }] }, 'test.json:1:35: expect[0] needs atLeast, atMost or notWorseThan'],
    [{ expect: [{ metric: 'success', atLeast: 2 }] }, 'test.json:1:65: expect[0].atLeast must be at most 1 (got 2)'],
    [
      // The bound misspelt, alone: named as the unknown key it is, with the hint, not as a missing bound.
      { expect: [{ metric: 'success', atleast: 0.5 }] },
      "test.json:1:55: unknown key 'atleast' in expect[0] (did you mean 'atLeast'?); known keys: metric, atLeast, atMost, notWorseThan",
    ],
    [
      { expect: [{ metric: 'success', atLeast: 0.5, extra: 1 }] },
      "test.json:1:69: unknown key 'extra' in expect[0]; known keys: metric, atLeast, atMost, notWorseThan",
    ],
  ];
  for (const [data, message] of cases) {
    it(JSON.stringify(data).slice(0, 90), () => assert.equal(refusal(data), message));
  }
  it('a misspelt protocol or channel model key is named as written, not as the key missing', () => {
    assert.throws(
      () => scenarioFrom({ Protocol: 'messenger' }),
      (e: unknown) =>
        e instanceof UsageError && e.message === `test.json:1:2: unknown key 'Protocol' (did you mean 'protocol'?); known keys: ${TOP_LEVEL_KEYS}`,
    );
    assert.match(refusal({ channel: { Model: 'cut' } }), /^test\.json:1:36: unknown key 'Model' in channel \(did you mean 'model'\?\); known keys: model, /);
  });
});

describe('resolve: crashes, and parameters where they do not apply', () => {
  const name = 'units-no-crashes';
  before(() => registerProtocol(good(name)));
  after(() => unregister(name));
  it('crash rates by role, matched without regard to case; all 0 is no crash parameter at all', () => {
    const some = scenarioFrom({ protocol: 'messenger', crash: { a: 0.1, b: 0 } });
    assert.equal(some.params['crashA'], 0.1);
    assert.equal(some.params['crashB'], 0);
    assert.deepEqual(some.resolved['crash'], { a: 0.1, b: 0 });
    const none = scenarioFrom({ protocol: 'messenger', crash: { a: 0 } });
    assert.equal('crashA' in none.params, false);
    assert.equal('crash' in none.resolved, false);
    assert.equal(scenarioFrom({ protocol: 'two-phase-commit', crash: 0.1 }).params['crash'], 0.1);
    assert.equal(refusal({ crash: { c: 0.1 } }), "test.json:1:34: the messenger protocol has no role 'c' (did you mean 'A'?); its roles are A, B");
  });
  it('a crash rate for a protocol without crash support, or for a role it does not have', () => {
    const unsupported = `the ${name} protocol does not support crashes (its definition declares no roles, nodes, crash and crashed; see docs/writing-a-protocol.md, "Crashes")`;
    assert.equal(refusal({ protocol: name, crash: 0.1 }), `test.json:1:32: crash is 0.1, but ${unsupported}`);
    assert.equal(refusal({ protocol: name, sweep: { crash: [0.1] } }), `test.json:1:41: sweep.crash has 0.1, but ${unsupported}`);
    assert.equal(refusal({ protocol: name, sweep: { crashB: [0, 0.2] } }), `test.json:1:41: sweep.crashB has 0.2, but ${unsupported}`);
    assert.equal(scenarioFrom({ protocol: name, crash: 0 }).params['crash'], undefined);
    // A swept crash rate of 0 is no crash at all, as a rate of 0 set is: taken, whatever crash parameter it is.
    for (const parameter of ['crash', 'crashA', 'crashCohort']) {
      assert.deepEqual(scenarioFrom({ protocol: name, sweep: { [parameter]: [0] } }).sweep[0]!.values, [0], parameter);
      assert.deepEqual(scenarioFrom({ protocol: name, sweep: { [parameter]: { from: 0, to: 0 } } }).sweep[0]!.values, [0], parameter);
    }
    assert.equal(
      refusal({ protocol: 'two-phase-commit', sweep: { crashA: [0.1] } }),
      "test.json:1:41: crashA is the crash rate of role A; the two-phase-commit protocol's roles are coordinator, cohort",
    );
    assert.equal(scenarioFrom({ protocol: 'two-phase-commit', sweep: { crashCoordinator: [0.1, 0.2] } }).sweep[0]!.values.length, 2);
    assert.equal(scenarioFrom({ protocol: 'messenger', sweep: { crash: [0, 0.5] } }).sweep[0]!.values.length, 2);
  });
  it('channel parameters: defaults filled in, per direction split, where they apply', () => {
    assert.deepEqual(scenarioFrom({ protocol: 'messenger', channel: { model: 'cut' } }).params, { after: 0, direction: 'both', redundancy: 2, rounds: 1 });
    assert.deepEqual(scenarioFrom({ protocol: 'messenger', loss: { AtoB: 0.1, BtoA: 0.2 } }).params, {
      lossAtoB: 0.1,
      lossBtoA: 0.2,
      redundancy: 2,
      rounds: 1,
    });
    const ge = scenarioFrom({ protocol: 'messenger', channel: { model: 'gilbert-elliott', goodToBad: 0.1, badToGood: 0.3 } });
    assert.deepEqual(ge.params, { goodToBad: 0.1, badToGood: 0.3, lossGood: 0, lossBad: 1, redundancy: 2, rounds: 1 });
    // the resolved scenario (what results record) carries the top-level channel's values, defaults filled in
    assert.equal(scenarioFrom({ protocol: 'messenger', loss: 0.2 }).resolved['loss'], 0.2);
    assert.equal(scenarioFrom({ protocol: 'messenger' }).resolved['loss'], 0.5);
    assert.deepEqual(scenarioFrom({ protocol: 'messenger', loss: { AtoB: 0.1, BtoA: 0.2 } }).resolved['loss'], { AtoB: 0.1, BtoA: 0.2 });
    assert.equal('loss' in scenarioFrom({ protocol: 'messenger', channel: { model: 'cut' } }).resolved, false);
    // a step that lands its last value just past `to` (rounded to 12 digits) past the maximum
    assert.equal(refusal({ sweep: { loss: { from: 0, to: 1, step: 0.100000000005 } } }), 'test.json:1:41: sweep.loss reaches above 1');
    assert.equal(refusal({ sweep: { goodToBad: [0.1] } }), 'test.json:1:34: goodToBad applies only to the gilbert-elliott channel, not to bernoulli');
    assert.deepEqual(scenarioFrom({ protocol: 'messenger', sweep: { loss: { from: 0.1, to: 0.5, step: 0.1 } } }).sweep[0]!.values, [0.1, 0.2, 0.3, 0.4, 0.5]);
    assert.equal(
      refusal({ channel: { model: 'trace', file: 'missing.txt' } }),
      'test.json:1:59: no such file: missing.txt (a path in a scenario is relative to the scenario file)',
    );
  });
});

describe('resolve: a trace channel’s files, found and digested', () => {
  const TRACE = 'test/fixtures/trace.txt';
  /** sha256 over each named file: its parameter name, NUL, its text, NUL (in declaration order). */
  const digestOf = (files: [string, string][]) => {
    const hash = createHash('sha256');
    for (const [name, file] of files) hash.update(`${name}\u0000`).update(readFileSync(file, 'utf8')).update('\u0000');
    return hash.digest('hex');
  };
  it('records the files’ digest and where they are; a digest given must match', () => {
    const one = scenarioFrom({ protocol: 'messenger', channel: { model: 'trace', file: TRACE } });
    const digest = digestOf([['file', TRACE]]);
    assert.equal(one.params['digest'], digest);
    assert.deepEqual(one.resolved['channel'], { model: 'trace', file: TRACE, digest });
    assert.deepEqual(one.files, { [TRACE]: resolvePath(TRACE) });
    assert.equal(scenarioFrom({ protocol: 'messenger', channel: { model: 'trace', file: TRACE, digest } }).params['digest'], digest);
    assert.equal(
      refusal({ channel: { model: 'trace', file: TRACE, digest: 'abc' } }),
      'test.json:1:94: the channel files are not the ones these results were made with (their digest differs)',
    );
    const reversed = `${readFileSync(TRACE, 'utf8').trim().split('').reverse().join('')}\n`;
    const dir = tempFiles({ 'b.txt': reversed, 'short.txt': '0110\n' });
    const both = scenarioFrom({ protocol: 'messenger', channel: { model: 'trace', file: TRACE, BtoA: join(dir, 'b.txt') } });
    assert.equal(
      both.params['digest'],
      digestOf([
        ['file', TRACE],
        ['BtoA', join(dir, 'b.txt')],
      ]),
    );
    assert.equal(scenarioFrom({ protocol: 'messenger', channel: { model: 'bernoulli' } }).files, undefined);
    assert.match(
      refusal({ channel: { model: 'trace', file: TRACE, BtoA: join(dir, 'short.txt') } }),
      /short\.txt: the B→A trace has 4 packets and the A→B trace \(.*trace\.txt\) 48; per-direction traces must cover the same packets/,
    );
  });
});

describe('the validator: a registered protocol’s own outcomes and parameters', () => {
  const name = 'units-own';
  before(() =>
    registerProtocol({
      ...good(name),
      outcomes: { ...GENERALS_OUTCOMES, names: ['won', 'lost', 'tieA', 'tieB'] },
      parameters: [{ name: 'unitsSpare', description: 'spare', integer: true, minimum: 0, maximum: 3, default: 1 }],
    }),
  );
  after(() => unregister(name));
  it('expect names success, disagreement or one of its own outcomes', () => {
    assert.equal(scenarioFrom({ protocol: name, expect: [{ metric: 'won', atLeast: 0.1 }] }).expect[0]!.metric, 'won');
    assert.equal(scenarioFrom({ protocol: name, expect: [{ metric: 'success', atMost: 0.9 }] }).expect.length, 1);
    assert.equal(
      refusal({
        protocol: name,
        expect: [
          { metric: 'success', atLeast: 0.1 },
          { metric: 'wonn', atLeast: 0.1 },
        ],
      }),
      "test.json:1:80: unknown expect[1].metric 'wonn' (did you mean 'won'?); choose one of: success, disagreement, won, lost, tieA, tieB",
    );
    assert.equal(refusal({ protocol: name, expect: [5] }), 'test.json:1:35: expect[0] must be a mapping (got 5)');
  });
  it('its parameters swept alone, with others, or set where another protocol runs', () => {
    assert.deepEqual(scenarioFrom({ protocol: name, sweep: { unitsSpare: [0, 3] } }).sweep[0]!.values, [0, 3]);
    assert.equal(scenarioFrom({ protocol: name, sweep: { unitsSpare: [0], loss: [0.1, 0.2] } }).sweep.length, 2);
    assert.equal(scenarioFrom({ protocol: name, unitsSpare: 2 }).params['unitsSpare'], 2);
    assert.equal(refusal({ protocol: name, sweep: 'x' }), "test.json:1:33: sweep must be a mapping (got 'x')");
    assert.equal(refusal({ protocol: name, sweep: null }), 'test.json:1:33: sweep must be a mapping (got nothing)');
    assert.equal(refusal({ protocol: name, sweep: {} }), 'test.json:1:33: sweep must name at least one parameter');
    assert.equal(refusal({ protocol: 'messenger', unitsSpare: 2 }), `test.json:1:25: unitsSpare applies only to the ${name} protocol, not to messenger`);
    assert.equal(
      refusal({ protocol: name, sweep: { unitsSpare: { from: 0, to: 2, by: 1 } } }),
      "test.json:1:64: unknown key 'by' in sweep.unitsSpare; known keys: from, to, step",
    );
  });
});

describe('resolve: a scenario naming a protocol file', () => {
  const FILE = oneSendProtocolFile('unitsfile');
  it('loads the file, records its digest and where the scenario was, and refuses another file’s digest', async () => {
    const dir = tempFiles({ 'p.mjs': FILE, 's.json': JSON.stringify({ protocol: './p.mjs', loss: 0.2 }) });
    const scenario = await loadScenario(join(dir, 's.json'));
    assert.equal(scenario.protocol, 'unitsfile');
    assert.equal(scenario.resolved['protocol'], './p.mjs');
    assert.match(String(scenario.resolved['protocolDigest']), /^sha256:[0-9a-f]{64}$|^[0-9a-f]{64}$/);
    // Relative to the working folder, with '/': the bytes do not depend on where a checkout lives.
    assert.equal(scenario.resolved['scenarioFile'], join(dir, 's.json'));
    assert.deepEqual(scenario.protocolFile, { file: join(dir, 'p.mjs'), digest: scenario.resolved['protocolDigest'] });
    // loaded again (from the check's cache), the same
    assert.equal((await loadScenario(join(dir, 's.json'))).resolved['protocolDigest'], scenario.resolved['protocolDigest']);
    const other = tempFiles({
      'p.mjs': FILE.replace("'unitsfile'", "'unitsfile2'"),
      's.json': JSON.stringify({ protocol: './p.mjs', protocolDigest: 'sha256:0' }),
    });
    await assert.rejects(
      () => loadScenario(join(other, 's.json')),
      (e: unknown) =>
        e instanceof UsageError &&
        e.message === `${join(other, 's.json')}:1:40: the protocol file ./p.mjs is not the one these results were made with (its digest differs)`,
    );
    const missing = tempFiles({ 's.json': JSON.stringify({ protocol: './none.mjs' }) });
    await assert.rejects(
      () => loadScenario(join(missing, 's.json')),
      (e: unknown) =>
        e instanceof UsageError &&
        /^.*s\.json:1:13: protocol file .*none\.mjs: does not exist \(a path in a scenario is relative to the scenario file\)$/.test(e.message),
    );
    // a built-in protocol's scenario records no protocol file
    const plain = await loadScenario(join(tempFiles({ 's.json': JSON.stringify({ protocol: 'messenger' }) }), 's.json'));
    assert.equal(plain.protocolFile, undefined);
    assert.equal('scenarioFile' in plain.resolved, false);
    unregister('unitsfile');
    unregister('unitsfile2');
  });
});
