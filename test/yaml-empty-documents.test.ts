import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { refusal, succeeded } from './assert-cli.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// A scenario file with an empty YAML document beside its one scenario (a `---` at its end, as
// generators write, or before its start marker) was refused as holding more than one document.
describe('empty YAML documents beside a scenario', () => {
  const scenario = 'protocol: retransmit\nloss: 0.3\nrounds: 3\ntrials: 1000\nseed: 1\n';
  const dir = tempFiles({
    'plain.yaml': scenario,
    'ended.yaml': `${scenario}---\n`,
    'started.yaml': `---\n---\n${scenario}...\n# the end\n`,
    'two.yaml': `${scenario}---\n${scenario}`,
    'none.yaml': '---\n---\n',
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the one scenario as the file without them', async () => {
    const plain = succeeded(await cliIn(['run', join(dir, 'plain.yaml'), '-f', 'csv']));
    for (const name of ['ended', 'started']) {
      const csv = succeeded(await cliIn(['run', join(dir, `${name}.yaml`), '-f', 'csv']), name);
      assert.equal(csv.replace(new RegExp(`^${name},`, 'm'), 'plain,'), plain, name);
    }
  });

  it('still refuses two scenarios in one file, and a file of empty documents', async () => {
    assert.match(refusal(await cliIn(['run', join(dir, 'two.yaml')])), /two\.yaml:6:1: malformed YAML: the file holds more than one document/);
    assert.match(
      refusal(await cliIn(['validate', join(dir, 'none.yaml')])),
      /none\.yaml: its documents are all empty; a scenario needs at least a protocol\n$/,
    );
  });
});
