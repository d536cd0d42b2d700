import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempFiles } from './helpers.js';
import { cliSeries } from './cli-series.js';

/** A seed tagged in YAML's verbatim form (`!<tag:yaml.org,2002:int>`) is the number after the tag, with `--set` as in a file. */
describe('--set seed with a verbatim YAML tag', () => {
  it("runs as the file's seed with that tag and as the untagged seed", () => {
    const dir = tempFiles({ 's.yaml': 'protocol: messenger\ntrials: 100\nseed: !<tag:yaml.org,2002:int> 12\n' });
    const base = ['run', '--workers', '1', '-f', 'csv', '--trials', '100'];
    const [tagged, plain, file] = cliSeries([
      [...base, '--set', 'seed=!<tag:yaml.org,2002:int> 12'],
      [...base, '--set', 'seed=12'],
      ['run', join(dir, 's.yaml'), '--workers', '1', '-f', 'csv'],
    ]);
    assert.equal(plain!.status, 0, plain!.stderr);
    assert.equal(tagged!.status, 0, tagged!.stderr);
    assert.equal(tagged!.stdout, plain!.stdout);
    assert.equal(file!.status, 0, file!.stderr);
    // The built-in scenario and the file differ only in their names.
    assert.equal(file!.stdout.split('\n')[1]!.replace(/^[^,]*,/, ''), plain!.stdout.split('\n')[1]!.replace(/^[^,]*,/, ''));
  });

  it('is held to the number the tag reads, as in a file', () => {
    const [hex] = cliSeries([['run', '--workers', '1', '--trials', '100', '--set', 'seed=!<tag:yaml.org,2002:int> 0x10']]);
    assert.equal(hex!.status, 2);
    assert.match(hex!.stderr, /seed 0x10 is read as the number 16, the same seed as 16 .*write --set seed=16/);
    assert.equal(hex!.stderr.split('\n').length, 2);
  });
});
