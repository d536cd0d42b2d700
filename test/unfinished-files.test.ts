import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { finishedWriting, removeUnfinishedFiles, startedWriting } from '../src/io/unfinished-files.js';
import { tempFiles } from './helpers.js';

/**
 * What a signal removes: a file still being written under its temporary name, never one whose
 * writing finished (renamed into place, or whose temporary name was reused for a later file).
 */
describe('the files an interrupted command removes', () => {
  const dir = tempFiles({});
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('removes the files still being written and keeps those finished', () => {
    const [done, open, again] = ['done.tmp', 'open.tmp', 'again.tmp'].map((name) => join(dir, name)) as [string, string, string];
    for (const file of [done, open, again]) {
      writeFileSync(file, 'x');
      startedWriting(file);
    }
    finishedWriting(done);
    finishedWriting(again);
    removeUnfinishedFiles();
    assert.equal(existsSync(done), true, 'a finished file is kept');
    assert.equal(existsSync(again), true);
    assert.equal(existsSync(open), false, 'a file still being written is removed');
    // Nothing is left to remove: a second signal removes nothing written since.
    writeFileSync(open, 'y');
    removeUnfinishedFiles();
    assert.equal(existsSync(open), true);
  });
});
