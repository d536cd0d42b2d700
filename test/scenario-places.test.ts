import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { unregister } from '../src/catalog/register.js';
import { UsageError } from '../src/errors.js';
import { readScenarioFile } from '../src/scenario/parse.js';
import { loadScenarioSource } from '../src/scenario/resolve.js';
import { oneSendProtocolFile, scenarioFrom, tempFiles } from './helpers.js';

/**
 * Where a scenario's pieces come from when they are not where the file is (a protocol file merge
 * found elsewhere, the scenario file the results record), which channel parameters a cell carries,
 * and the place the validator names inside lists and role mappings (docs/mutation.md, eighth round).
 */

function refusal(data: Record<string, unknown>): string {
  try {
    scenarioFrom({ protocol: 'messenger', ...data });
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${String(error)}`);
    return error.message;
  }
  assert.fail(`accepted: ${JSON.stringify(data)}`);
}

describe('the validator names a place inside a list or a mapping of roles', () => {
  it('an index of two digits is an index: sweep.rounds[10], expect[10]', () => {
    const rounds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0];
    assert.equal(refusal({ sweep: { rounds } }), 'test.json:1:65: sweep.rounds[10] must be at least 1 (got 0)');
    const expect = Array.from({ length: 11 }, (_, i) => ({ metric: 'success', atLeast: i === 10 ? 2 : 0 }));
    assert.equal(refusal({ expect }).replace(/^test\.json:\d+:\d+: /, ''), 'expect[10].atLeast must be at most 1 (got 2)');
  });
  it('a role named with a digit at its end is a key: crash.B2', () => {
    assert.equal(refusal({ crash: { B2: 2 } }), 'test.json:1:39: crash.B2 must be at most 1 (got 2)');
  });
});

describe('a channel parameter left out and without a default', () => {
  it('is not among the cell’s parameters (a trace channel given only its file)', async () => {
    const dir = tempFiles({ 't.txt': '0110\n', 's.json': JSON.stringify({ protocol: 'messenger', channel: { model: 'trace', file: 't.txt' } }) });
    const scenario = await loadScenarioSource(readScenarioFile(join(dir, 's.json')));
    assert.deepEqual(Object.keys(scenario.params).sort(), ['digest', 'file', 'redundancy', 'rounds']);
    assert.equal(scenario.params['file'], 't.txt');
  });
});

describe('a protocol file and a scenario file recorded elsewhere (merge, a saved report)', () => {
  const FILE = oneSendProtocolFile('placesfile');
  it('loads the protocol file where it was found, not beside the scenario, and records the scenario file as given', async () => {
    const found = tempFiles({ 'p.mjs': FILE });
    const dir = tempFiles({ 's.json': JSON.stringify({ protocol: './p.mjs', loss: 0.2 }) });
    const source = { ...readScenarioFile(join(dir, 's.json')), protocolAt: join(found, 'p.mjs'), scenarioFile: 'runs/s.json' };
    try {
      const scenario = await loadScenarioSource(source);
      assert.equal(scenario.protocol, 'placesfile');
      assert.equal(scenario.protocolFile?.file, join(found, 'p.mjs'));
      assert.equal(scenario.resolved['scenarioFile'], 'runs/s.json');
    } finally {
      unregister('placesfile');
    }
  });
});
