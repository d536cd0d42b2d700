import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, CLI_TIMEOUT_MS, ROOT, shellWord, temporaryDirectory } from './helpers.js';

/**
 * A shell left in a directory since deleted (`rmdir` of the directory it is in): a run of a
 * protocol file there ended in `could not be loaded: … it said: Error: ENOENT: no such file or
 * directory, uv_cwd`, and once its checking process started elsewhere, in a bare `twogenerals: no
 * such file or directory` that named nothing. Now it is one line saying what is wrong (exit 2); a
 * run that needs no directory runs as anywhere.
 */
describe('a command run from a directory deleted since the shell entered it', { skip: process.platform === 'win32' }, () => {
  const inDeleted = (args: readonly string[]) => {
    const dir = temporaryDirectory('twogenerals-gone-');
    try {
      const quoted = [process.execPath, BIN, ...args].map(shellWord).join(' ');
      return spawnSync('sh', ['-c', `cd ${shellWord(dir)} && rmdir ${shellWord(dir)} && exec ${quoted}`], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('says so in one line for a protocol file', () => {
    const r = inDeleted(['run', join(ROOT, 'examples', 'three-phase-commit.yaml'), '--trials', '1000']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'twogenerals: the current directory no longer exists (deleted since the shell entered it): run from one that does\n');
  });

  it('runs the built-in default scenario as anywhere', () => {
    const r = inDeleted(['run', '--trials', '1000', '--format', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^scenario,/);
  });
});
