import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { refusal, succeeded } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// YAML's merge key (`<<: *base`) in a scenario file: a value tagged `!!merge` ended every command
// as an internal error (`Symbol(<<) could not be cloned`, exit 3); a merge of something not a
// mapping was refused without a line or column; a value merged in was placed at line 1 (or at
// the mapping it was merged into), and a seed merged in ran as another seed where the same seed
// written plainly is refused. A key written as a number or null (`1: x`) was placed at line 1.
describe('YAML merge keys in scenario files', () => {
  const base = 'protocol: retransmit\nloss: 0.2\ntrials: 1000\nseed: 1\n';
  const dir = tempFiles({
    'tagged.yaml': `${base}rounds: !!merge 3\n`,
    'tagged-item.yaml': `${base}sweep: {redundancy: [1, !!merge 2]}\n`,
    'number.yaml': 'protocol: retransmit\nloss: 0.2\n<<: 3\n',
    'listed.yaml': 'protocol: retransmit\nloss: 0.2\n<<: [{rounds: 2}, nothing]\n',
    'merged-rounds.yaml': 'protocol: retransmit\nloss: 0.2\n<<: {trials: 1000, rounds: -1}\n',
    'merged-after.yaml': 'protocol: retransmit\nchannel:\n  model: cut\n  <<: {direction: both, after: -1}\n',
    'merged-seed.yaml': 'protocol: messenger\ntrials: 1000\n<<: {seed: 0x10}\n',
    'merged.yaml': 'protocol: retransmit\n<<: {loss: 0.2, redundancy: 2}\nrounds: 3\ntrials: 1000\nseed: 1\n',
    'plain.yaml': 'protocol: retransmit\nloss: 0.2\nredundancy: 2\nrounds: 3\ntrials: 1000\nseed: 1\n',
    'number-key.yaml': 'protocol: retransmit\n1: x\n',
    'null-key.yaml': 'protocol: retransmit\nloss: { AtoB: 0.1, BtoA: 0.2, ~: 1 }\n',
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const at = (name: string) => join(dir, name);

  it('refuses a value tagged !!merge where it is written, as no scenario value', async () => {
    for (const command of ['run', 'validate', 'exact']) {
      const line = refusal(await cliIn([command, at('tagged.yaml')]), command);
      assert.match(line, /tagged\.yaml:5:17: rounds is YAML's merge key \(!!merge, a key that merges a mapping: <<: \*base\), which no scenario value is/);
    }
    assert.match(refusal(await cliIn(['run', at('tagged-item.yaml')])), /tagged-item\.yaml:5:\d+: sweep\.redundancy\.1 is YAML's merge key/);
    assert.match(refusal(await cliIn(['run', '--set', 'loss={AtoB: !!merge 3, BtoA: 0.1}'])), /^twogenerals: --set loss=.*: loss\.AtoB is YAML's merge key/);
    assert.match(refusal(await cliIn(['run', '--precision', '!!merge 3'])), /trials\.precision must be a number \(got '!!merge 3'\)/);
  });

  it('refuses a merge of what is no mapping at its line and column', async () => {
    assert.match(
      refusal(await cliIn(['validate', at('number.yaml')])),
      /number\.yaml:3:5: malformed YAML: a merge key \(<<\) takes a mapping, an alias of one \(<<: \*base\) or a list of them\n$/,
    );
    assert.match(refusal(await cliIn(['validate', at('listed.yaml')])), /listed\.yaml:3:19: malformed YAML: a merge key/);
    assert.match(refusal(await cliIn(['run', '--set', 'channel={<<: 3}'])), /--set channel=\{<<: 3\}: a merge key \(<<\) takes a mapping/);
  });

  it('places a merged value where it is written, and holds a merged seed as a written one', async () => {
    assert.match(refusal(await cliIn(['run', at('merged-rounds.yaml')])), /merged-rounds\.yaml:3:28: rounds must be at least 1 \(got -1\)/);
    assert.match(refusal(await cliIn(['run', at('merged-after.yaml')])), /merged-after\.yaml:4:32: channel\.after must be at least 0 \(got -1\)/);
    assert.match(refusal(await cliIn(['run', at('merged-seed.yaml')])), /merged-seed\.yaml:3:12: seed 0x10 is read as the number 16, the same seed as 16/);
  });

  it('places a key written as a number or null where it is written, not at line 1', async () => {
    assert.match(refusal(await cliIn(['run', at('number-key.yaml')])), /number-key\.yaml:2:1: unknown key '1'/);
    assert.match(refusal(await cliIn(['run', at('null-key.yaml')])), /null-key\.yaml:2:31: unknown key '' in loss/);
  });

  it('runs a merged scenario, in a file or a --set, as the same scenario written plainly', async () => {
    const plain = succeeded(await cliIn(['run', at('plain.yaml'), '-f', 'csv']));
    const merged = succeeded(await cliIn(['run', at('merged.yaml'), '-f', 'csv']));
    assert.equal(merged.replace(/^merged,/m, 'plain,'), plain);
    const cut = ['run', at('plain.yaml'), '--set', 'loss=null', '-f', 'csv'];
    assert.equal(
      succeeded(await cliIn([...cut, '--set', 'channel={<<: {model: cut, after: 1}, direction: both}'])),
      succeeded(await cliIn([...cut, '--set', 'channel={model: cut, after: 1, direction: both}'])),
    );
  });
});
