import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { BIN, CLI_TIMEOUT_MS, ROOT, isToolVariable, tempFiles } from './helpers.js';

/**
 * The suite gives the same verdicts in whatever environment CI or a user runs it: `CI=true`,
 * `FORCE_COLOR=1`, GitHub Actions with its real step summary, a `TWOGENERALS_DEBUG` left set. A
 * test file that started the CLI (or Node) itself, not through `cli`, passed its own environment
 * on: under GitHub Actions a failing gate of a test appended its Markdown to the job's real
 * summary and printed `::error` annotations for it, and under FORCE_COLOR=1 a library caller's
 * `console.log` of a number came back coloured (`\x1b[33m1000\x1b[39m`), failing its test.
 */
describe("the suite's own environment", () => {
  const HOSTILE = {
    CI: 'true',
    FORCE_COLOR: '1',
    NO_COLOR: '1',
    GITHUB_ACTIONS: 'true',
    TWOGENERALS_DEBUG: '1',
    TWOGENERALS_PROGRESS_DELAY_MS: '0',
    TWOGENERALS_TEST_SERIES_CHECK: '0',
  };

  /** What a test process (one that loads helpers.ts) sees, and what a process it starts as most tests do prints. */
  function fromATestProcess(
    dir: string,
    summary: string,
  ): { env: Record<string, string>; cli: { status: number; stdout: string; stderr: string }; log: string } {
    const script = `
      import { spawnSync } from 'node:child_process';
      await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'test', 'helpers.js')).href)});
      const cli = spawnSync(process.execPath, [${JSON.stringify(BIN)}, 'run', ${JSON.stringify(join(dir, 'gate.yaml'))}, '--format', 'csv'], { encoding: 'utf8' });
      const log = spawnSync(process.execPath, ['-e', 'console.log(1000)'], { encoding: 'utf8' }).stdout;
      process.stdout.write(JSON.stringify({ env: process.env, cli: { status: cli.status, stdout: cli.stdout, stderr: cli.stderr }, log }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      encoding: 'utf8',
      timeout: CLI_TIMEOUT_MS,
      env: { ...process.env, ...HOSTILE, GITHUB_STEP_SUMMARY: summary, GITHUB_WORKSPACE: dir },
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as ReturnType<typeof fromATestProcess>;
  }

  it('holds none of the variables the tool reads, and passes none to a process a test starts itself', () => {
    const dir = tempFiles({ 'gate.yaml': 'name: g\nprotocol: messenger\ntrials: 1000\nexpect:\n  - { metric: success, atLeast: 0.99 }\n' });
    const summary = join(dir, 'step-summary.md');
    const seen = fromATestProcess(dir, summary);
    assert.deepEqual(Object.keys(seen.env).filter(isToolVariable).sort(), ['FORCE_COLOR', 'TWOGENERALS_CACHE_DIR']);
    assert.equal(seen.env['FORCE_COLOR'], '0');
    // The record of checked protocol files goes to a folder of the test process's own, not the user's cache.
    assert.match(seen.env['TWOGENERALS_CACHE_DIR'] ?? '', /[\\/]twogenerals-test-cache-\d+-\d+-\d+$/);
    assert.ok(seen.env['TWOGENERALS_CACHE_DIR']!.startsWith(tmpdir()));
    assert.equal(seen.env['TWOGENERALS_TEST_SERIES_CHECK'], '0', "the suite's own parameters stay");
    // The gate fails as in any plain shell: exit 1, the CSV, one line on stderr; no annotation, no summary written.
    assert.equal(seen.cli.status, 1, seen.cli.stderr);
    assert.match(seen.cli.stdout, /^scenario,/);
    assert.match(seen.cli.stderr, /^expect failed: g \(.*\): success .* is not at least 0\.99\n$/);
    assert.equal(existsSync(summary), false, "the job's step summary is the job's");
    assert.equal(seen.log, '1000\n', 'no colour');
  });

  it("runs from the package's folder, whatever folder the runner started in (tests name its files by relative paths)", () => {
    const script = `await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist', 'test', 'helpers.js')).href)}); process.stdout.write(process.cwd());`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: tempFiles({}), encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(join(r.stdout, '/'), join(ROOT, '/'));
  });

  it('names exactly the variables the tool reads as its own', () => {
    for (const name of [
      'NO_COLOR',
      'FORCE_COLOR',
      'CI',
      'GITHUB_ACTIONS',
      'GITHUB_STEP_SUMMARY',
      'GITHUB_WORKSPACE',
      'TWOGENERALS_DEBUG',
      'TWOGENERALS_WATCHDOG_MS',
    ])
      assert.ok(isToolVariable(name), name);
    for (const name of ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG', 'TWOGENERALS_TEST_CLI_TIMEOUT_MS', 'CIRCLE', 'GITHUB_TOKEN'])
      assert.ok(!isToolVariable(name), name);
  });
});
