import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI_TIMEOUT_MS, ROOT, cli } from './helpers.js';

/** The README's library example ("As a library"), run as written (the package imports itself by name), prints the CLI's counts. */
describe("the README's library example", () => {
  it('runs as written and prints the counts `run` prints', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## As a library'));
    const example = /```js\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(example?.includes("from 'twogenerals'"), 'the section has its example');
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', example!], { cwd: ROOT, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
    assert.equal(r.status, 0, r.stderr);
    const run = cli(['run', 'three-phase-commit', '--trials', '100000', '--format', 'csv']);
    assert.equal(run.status, 0, run.stderr);
    const [header, row] = run.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(','));
    const names = ['committed', 'aborted', 'blocked', 'inconsistent'];
    assert.equal(r.stdout, `${names.map((name) => `${name} ${row![header!.indexOf(name)]}`).join(', ')}\n`);
  });
});
