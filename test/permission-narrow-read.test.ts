import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { BIN, CLI_TIMEOUT_MS, ROOT, cli } from './helpers.js';

/**
 * Under Node's permission model reading only the tool's own folder (`--allow-fs-read=…/twogenerals/`),
 * the launcher's code cache, named by the size of the Node.js binary, could not stat the binary:
 * every command stopped with a stack trace (ERR_ACCESS_DENIED, exit 1) before it began. Now the
 * script compiles without a cache there, with the usual output.
 */
const PERMISSION = process.allowedNodeEnvironmentFlags.has('--permission') ? '--permission' : '--experimental-permission';

describe("Node's permission model reading only the tool's folder", () => {
  it('runs with the usual counts, the Node.js binary unread', () => {
    const args = ['run', '--trials', '20000', '--format', 'csv'];
    const usual = cli(args);
    assert.equal(usual.status, 0, usual.stderr);
    const r = spawnSync(process.execPath, [PERMISSION, `--allow-fs-read=${ROOT.replace(/\/$/, '')}/`, '--no-warnings', BIN, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: CLI_TIMEOUT_MS,
    });
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.equal(r.stdout, usual.stdout);
  });
});
