import assert from 'node:assert/strict';
import fs, { existsSync, readdirSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkOutputFile } from '../src/io/output-place.js';
import { checkWritable } from '../src/results/folder.js';
import { tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

// access(W_OK) says yes to root everywhere (a CI container), and /proc takes no new file from anyone:
// such a place passed the check before the work and was refused only once the results were printed.
describe('an output place where nothing can be created is refused before any work', () => {
  it('--out, --junit and -o under /proc', async () => {
    for (const args of [
      ['run', '--trials', '100', '-f', 'csv', '--out', '/proc'],
      ['run', '--trials', '100', '-f', 'csv', '--junit', '/proc/gates.xml'],
      ['plot', 'scenarios/redundancy-vs-loss.yaml', '--trials', '100', '-o', '/proc/chart.svg'],
    ]) {
      const r = await cliIn(args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /cannot (save results there|write the JUnit report|write the chart): /);
    }
  });

  it('the checks themselves, and they leave nothing behind where a file can be made', () => {
    // Root is told what creating there does; any other user meets /proc's permissions first.
    assert.throws(() => checkWritable('/proc'), /--out \/proc: cannot save results there: (a directory cannot be created there|permission denied)$/);
    assert.throws(
      () => checkOutputFile('/proc/x.svg', '-o /proc/x.svg', 'the chart'),
      /cannot write the chart: (a file cannot be created in \/proc|permission denied)$/,
    );
    const dir = tempFiles({});
    checkOutputFile(`${dir}/chart.svg`, '-o', 'the chart');
    assert.deepEqual(checkWritable(dir), []);
    assert.deepEqual(readdirSync(dir), []);
    checkOutputFile('/dev/null', '--junit /dev/null', 'the JUnit report');
  });
});

describe('--out made by another run between the check and the mkdir (runs started together)', () => {
  it('is taken as found, not refused as "not a directory", and is not this run’s to remove', () => {
    const dir = join(tempFiles({}), 'results', 'ci');
    const real = fs.mkdirSync;
    // The other run's mkdir lands just before this one's, for each folder this run makes.
    fs.mkdirSync = ((path: fs.PathLike, options?: fs.MakeDirectoryOptions) => {
      real(path, options);
      return real(path, options);
    }) as typeof fs.mkdirSync;
    syncBuiltinESMExports();
    let created: string[];
    try {
      created = checkWritable(dir);
    } finally {
      fs.mkdirSync = real;
      syncBuiltinESMExports();
    }
    assert.deepEqual(created, []);
    assert.ok(existsSync(dir));
  });
});
