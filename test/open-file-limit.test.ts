import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, CLI_TIMEOUT_MS, ROOT, shellWord } from './helpers.js';

/**
 * A process allowed few open files (`ulimit -n`): a worker thread or the process a protocol file
 * is checked in could not start, and the run ended in `internal error (please report it): … EMFILE`,
 * exit 3. Now each is one line saying what the system refused and what to do, exit 2. The limits
 * are climbed one by one until the command runs: the first ones are too low for Node itself to
 * start (its own failure, not the tool's), the next let Node start but not the tool's second
 * thread or process — how many files Node opens first differs by version, so the test finds them.
 */
describe('a process with few open files allowed', { skip: process.platform === 'win32' }, () => {
  const under = (limit: number, args: readonly string[]) => {
    const quoted = [process.execPath, BIN, ...args].map(shellWord).join(' ');
    return spawnSync('sh', ['-c', `ulimit -n ${limit} && exec ${quoted}`], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
  };
  /** The refusals seen climbing from a limit Node cannot start under to one the command runs under. */
  const climb = (args: readonly string[]): string[] => {
    const refusals: string[] = [];
    for (let limit = 12; limit <= 64; limit++) {
      const r = under(limit, args);
      assert.doesNotMatch(r.stderr, /internal error/, `ulimit -n ${limit}`);
      if (r.status === 0) return refusals;
      if (r.stderr.startsWith('twogenerals: ')) {
        assert.equal(r.status, 2, `ulimit -n ${limit}: ${r.stderr}`);
        assert.equal(r.stdout, '', `ulimit -n ${limit}`);
        assert.match(r.stderr, /^[^\n]+\n$/, `ulimit -n ${limit}: one line`);
        refusals.push(r.stderr);
      }
    }
    assert.fail(`${args.join(' ')} never ran under a limit of 64 open files`);
  };

  it('says a worker thread could not start, and how to run without one', () => {
    const refusals = climb(['run', '--trials', '1e6', '--workers', '2', '--format', 'csv']);
    assert.ok(refusals.length > 0, 'no limit let Node start but not a worker thread');
    for (const line of refusals)
      assert.equal(
        line,
        'twogenerals: a worker thread could not start (too many open files): run with --workers 1 (the same counts, on the main thread) or raise the limit\n',
      );
  });

  it("says a protocol file's checking process could not start", () => {
    const file = join(ROOT, 'examples', 'protocols', 'three-phase-commit.mjs');
    const refusals = climb(['run', join(ROOT, 'examples', 'three-phase-commit.yaml'), '--trials', '1000', '--workers', '1', '--format', 'csv']);
    assert.ok(refusals.length > 0, 'no limit let Node start but not the checking process');
    for (const line of refusals)
      assert.equal(line, `twogenerals: ${file}: could not be loaded: the process it is checked in did not start (too many open files)\n`);
  });
});
