import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { whatItSaid } from '../src/protocol-files/isolate.js';
import { BIN, CLI_TIMEOUT_MS, ROOT, temporaryDirectory } from './helpers.js';

/**
 * Where the process a protocol file is checked in ends before it starts, the refusal quotes what
 * it said: the error's own line, not the first line of Node's report of an uncaught error (the
 * file and line it was thrown at, which said nothing of what went wrong), and not a warning.
 */
describe('what the checking process said as it ended', () => {
  it("quotes an uncaught error's own line", () => {
    const report =
      '/home/u/preload.cjs:1\nif (process.send) throw new Error("preload broke");\n                  ^\n\nError: preload broke\n    at Object.<anonymous> (/home/u/preload.cjs:1:25)\n\nNode.js v20.20.2\n';
    assert.equal(whatItSaid(report), '; it said: Error: preload broke');
    assert.equal(whatItSaid('file:///x.js:3\nfoo(\n^\n\nTypeError [ERR_X]: bad thing\n    at y\n'), '; it said: TypeError [ERR_X]: bad thing');
  });

  it("passes over Node's warnings, and quotes a first line otherwise", () => {
    const warned =
      '(node:123) ExperimentalWarning: something\n(Use `node --trace-warnings ...` to show where the warning was created)\nnode: bad option: --nope\n';
    assert.equal(whatItSaid(warned), '; it said: node: bad option: --nope');
    assert.equal(whatItSaid(''), '');
  });

  it('names the error of a preload that throws only in the checking process, run as a user runs the CLI', () => {
    const dir = temporaryDirectory('twogenerals-said-');
    try {
      const preload = join(dir, 'preload.cjs');
      writeFileSync(preload, 'if (process.send) throw new Error("the preload broke in a child process");\n');
      const r = spawnSync(process.execPath, ['-r', preload, BIN, 'run', 'examples/three-phase-commit.yaml', '--trials', '1000'], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: CLI_TIMEOUT_MS,
      });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /ended before it started \(exit code 1\); it said: Error: the preload broke in a child process\n$/);
      assert.equal(r.stderr.split('\n').length, 2, 'one line');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not started under --frozen-intrinsics, which keeps it from watching Math.random: one line saying so', () => {
    // It died replacing Math.random, and the refusal quoted only `isolate-worker.js:30`.
    const r = spawnSync(process.execPath, ['--frozen-intrinsics', '--no-warnings', BIN, 'run', 'examples/three-phase-commit.yaml', '--trials', '1000'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: CLI_TIMEOUT_MS,
    });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(
      r.stderr,
      'twogenerals: examples/three-phase-commit.yaml:8:11: loading a protocol file needs to watch Math.random and the clocks (a protocol that draws or reads the time is refused), which --frozen-intrinsics forbids here: run it without that option\n',
    );
  });
});
