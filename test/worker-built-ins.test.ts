import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, oneMessageProtocolFile, tempFiles } from './helpers.js';

/**
 * A protocol file whose methods change a built-in only on a worker thread: the command's own
 * thread (its quick check, exact values and sampled trials) never sees the change, so only the
 * threads' own comparison, made once each has no task of the run left, can refuse the results.
 */
const FILE = oneMessageProtocolFile('thread-slip', {
  imports: "import { isMainThread } from 'node:worker_threads';",
  inResolve: 'if (!isMainThread) Math.hypot = () => 0;',
});

describe('a protocol file that changes a built-in only on a worker thread', () => {
  const dir = tempFiles({ 'slip.mjs': FILE, 's.yaml': 'protocol: ./slip.mjs\nloss: 0.3\nredundancy: 1\nrounds: 2\ntrials: 1000\n' });
  const file = join(dir, 'slip.mjs');
  const expected = `twogenerals: ${file}: changed JavaScript's built-in Math.hypot while the command ran (in a method, or a callback it scheduled): `;
  const commands = [
    ['run', '--workers', '2', '--no-exact', '--trials', '2000000', '-f', 'csv'],
    ['run', '--workers', '2', '--trials', '300000', '--sweep', 'loss=0.1:0.5:0.1', '-f', 'csv'],
    ['run', '--workers', '2', '--no-exact', '--precision', '0.001', '-f', 'csv'],
  ];
  for (const args of commands) {
    it(`is refused after the threads' last tasks, one line, exit 2, nothing written: ${args.join(' ')}`, () => {
      const r = cli([...args, join(dir, 's.yaml')]);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.ok(r.stderr.startsWith(expected), r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    });
  }
  it('runs on one thread, where the command compares its own built-ins (the change never happens there)', () => {
    const r = cli(['run', '--workers', '1', '--no-exact', '--trials', '200000', '-f', 'csv', join(dir, 's.yaml')]);
    assert.equal(r.status, 0, r.stderr);
  });
});
