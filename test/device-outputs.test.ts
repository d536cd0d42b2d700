import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, CLI_TIMEOUT_MS, ROOT } from './helpers.js';

/**
 * A device is written in place, so only its own permission counts, not its folder's: the check
 * before any work asked whether /dev takes new entries, which it does for root alone, so
 * `--junit /dev/null` or `/dev/stdout`, and `-o /dev/stdout`, were refused (`permission
 * denied`, exit 2) to every other user — on a CI runner too — while the suite, run as root, passed.
 * Here the CLI runs as a user other than root: as this one, or, under root, as nobody (setpriv).
 */
const root = process.getuid?.() === 0;
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((file) => existsSync(file));
/** Under root, whether nobody may read the CLI where it is (a checkout under /root is not theirs to read). */
const nobodyReads = (): boolean =>
  !root || spawnSync(setpriv!, ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', join(ROOT, 'dist', 'bundle', 'cli.cjs')]).status === 0;
const notRoot = (args: readonly string[]) => {
  const command = root ? [setpriv!, '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, BIN, ...args] : [process.execPath, BIN, ...args];
  return spawnSync(command[0]!, command.slice(1), { cwd: ROOT, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
};

describe('an output flag naming a device, for a user other than root', { skip: process.platform === 'win32' || (root && (!setpriv || !nobodyReads())) }, () => {
  it('writes --junit /dev/null as root does, and tries /dev/full (no space left there), not refusing either beforehand', () => {
    const csv = notRoot(['run', '--trials', '1000', '-f', 'csv']);
    assert.equal(csv.status, 0, csv.stderr);
    const toNull = notRoot(['run', '--trials', '1000', '-f', 'csv', '--junit', '/dev/null']);
    assert.equal(toNull.status, 0, toNull.stderr);
    assert.equal(toNull.stdout, csv.stdout);
    const toFull = notRoot(['run', '--trials', '1000', '-f', 'csv', '--junit', '/dev/full']);
    assert.equal(toFull.status, 2);
    assert.equal(toFull.stdout, csv.stdout);
    assert.equal(toFull.stderr, 'twogenerals: --junit /dev/full: cannot write the JUnit report: no space left on the device (the results went to stdout)\n');
  });

  it('still refuses, before any work, a new file in a folder it cannot write', () => {
    const refused = notRoot(['run', '--trials', '1000', '-f', 'csv', '--junit', '/dev/new-report.xml']);
    assert.equal(refused.status, 2);
    assert.equal(refused.stdout, '');
    assert.equal(refused.stderr, 'twogenerals: --junit /dev/new-report.xml: cannot write the JUnit report: permission denied\n');
  });
});
