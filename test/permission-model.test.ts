import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { BIN, CLI_TIMEOUT_MS, ROOT, cli } from './helpers.js';

/**
 * Under Node's permission model (`--permission`; `--experimental-permission` on Node 20), which
 * allows worker threads and child processes only when asked: starting the pool's threads threw
 * ERR_ACCESS_DENIED out of every run of more than a block (a stack trace, exit 1, the code of a
 * failed gate). Now the blocks run on the main thread with the same counts, `--workers` given is
 * noted as unheeded, and a protocol file, checked in a process of its own, is refused in one line
 * that names the option to add.
 */
const PERMISSION = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';

function permitted(allow: readonly string[], args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [PERMISSION, '--allow-fs-read=*', ...allow, '--no-warnings', BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: CLI_TIMEOUT_MS,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("Node's permission model", () => {
  it('runs the blocks a pool would take on this thread, with the same counts, noting a --workers it cannot heed', () => {
    const args = ['run', '--trials', '140000', '--format', 'csv'];
    const usual = cli(args);
    assert.equal(usual.status, 0, usual.stderr);
    const quiet = permitted([], args);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.equal(quiet.stdout, usual.stdout);
    assert.equal(quiet.stderr, '');
    const asked = permitted([], [...args, '--workers', '2']);
    assert.equal(asked.status, 0, asked.stderr);
    assert.equal(asked.stdout, usual.stdout);
    assert.equal(
      asked.stderr,
      "note: --workers 2: Node's permission model allows no threads here (--allow-worker), so the run uses this one (results are the same for any number)\n",
    );
  });

  it('refuses a protocol file in one line without --allow-child-process, and runs it with the usual counts with it', () => {
    const args = ['run', 'examples/three-phase-commit.yaml', '--trials', '70000', '--format', 'csv'];
    const refused = permitted([], args);
    assert.equal(refused.status, 2, refused.stderr);
    assert.equal(
      refused.stderr,
      "twogenerals: examples/three-phase-commit.yaml:8:11: loading a protocol file needs a process of its own to check it in, which Node's permission model forbids here: add --allow-child-process\n",
    );
    assert.equal(refused.stdout, '');
    const usual = cli(args);
    assert.equal(usual.status, 0, usual.stderr);
    const allowed = permitted(['--allow-child-process'], args);
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.equal(allowed.stdout, usual.stdout);
  });
});
