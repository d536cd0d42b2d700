import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isolatedExecArgv } from '../src/protocol-files/isolate.js';
import { cli, CLI_TIMEOUT_MS, ROOT, temporaryDirectory } from './helpers.js';

/**
 * The bundled library (the package's "." export, dist/lib) as a user's script calls it: whatever
 * options its caller started Node with, a protocol file loads (in its checking process) and runs
 * on the pool's threads, with the CLI's counts. The library had no checking process beside it, so
 * no protocol file loaded at all; under `node -e` the checking process ran the caller's code, and
 * under --input-type no pool thread started.
 */
const LIBRARY = join(ROOT, 'dist', 'lib', 'index.js');
const SCENARIO = join(ROOT, 'examples', 'three-phase-commit.yaml');
const TRIALS = 300_000; // several blocks: the pool's threads run them

/** The script's body: the example's outcome counts, as JSON on stdout, from `tg` (the library). */
const body = `const s = await tg.loadScenario(${JSON.stringify(SCENARIO)}, { trials: '${TRIALS}' });
  const r = await tg.runExperiment([s], { exact: 'off', simulate: true, confidence: 0.95, workers: 2 });
  process.stdout.write(JSON.stringify(r.summaries[0].outcomes.map((o) => o.count)));`;

function counts(nodeOptions: readonly string[], script: string): number[] {
  const r = spawnSync(process.execPath, [...nodeOptions, script], { cwd: ROOT, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as number[];
}

describe('the library, called by a user script', () => {
  const expected = (() => {
    const run = cli(['run', SCENARIO, '--trials', String(TRIALS), '--no-exact', '--format', 'csv']);
    assert.equal(run.status, 0, run.stderr);
    const [header, row] = run.stdout
      .trim()
      .split('\n')
      .map((line) => line.split(','));
    return ['committed', 'aborted', 'blocked', 'inconsistent'].map((name) => Number(row![header!.indexOf(name)]));
  })();

  it('loads a protocol file and runs it on its threads under --input-type=module -e, with the CLI counts', () => {
    assert.deepEqual(counts(['--input-type=module', '-e'], `const tg = await import(${JSON.stringify(LIBRARY)});\n${body}`), expected);
  });

  it('does so under -e and -p in CommonJS, through import()', () => {
    const script = `import(${JSON.stringify(LIBRARY)}).then(async (tg) => { ${body} })`;
    assert.deepEqual(counts(['-e'], script), expected);
    assert.deepEqual(counts(['-p'], `${script}, ''`), expected);
  });
});

describe("a library caller's console", () => {
  it("reaches its stdout after a protocol file loads, while the file's own console output goes to stderr", () => {
    // Loading a protocol file replaced the process's console with one writing to stderr, as the
    // CLI's must be (stdout carries only results): the caller's console.log went to stderr.
    const dir = temporaryDirectory('twogenerals-library-console-');
    try {
      const example = join(ROOT, 'examples', 'protocols', 'tcp-handshake.mjs');
      writeFileSync(
        join(dir, 'noisy.mjs'),
        `import make from ${JSON.stringify(example)};\nconsole.log('the file speaks');\nexport default (api) => ({ ...make(api), name: 'noisy-handshake' });\n`,
      );
      writeFileSync(join(dir, 'noisy.yaml'), 'protocol: ./noisy.mjs\nloss: 0.1\nredundancy: 1\nrounds: 2\ntrials: 1000\n');
      const script = `const tg = await import(${JSON.stringify(LIBRARY)});
        const s = await tg.loadScenario(${JSON.stringify(join(dir, 'noisy.yaml'))});
        const r = await tg.runExperiment([s], { exact: 'off', simulate: true, confidence: 0.95, workers: 1 });
        console.log('the caller speaks', r.summaries[0].trials);`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', timeout: CLI_TIMEOUT_MS });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'the caller speaks 1000\n');
      assert.match(r.stderr, /the file speaks/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the checking process's Node options", () => {
  it("keeps the caller's loaders and flags, and sets its own heap limit", () => {
    assert.deepEqual(isolatedExecArgv(['--experimental-strip-types', '-r', './preload.cjs', '--conditions=dev', '--enable-source-maps'], 64), [
      '--experimental-strip-types',
      '-r',
      './preload.cjs',
      '--conditions=dev',
      '--enable-source-maps',
      '--max-old-space-size=64',
    ]);
    assert.deepEqual(isolatedExecArgv(['--max-old-space-size=4096'], 64), ['--max-old-space-size=64']);
  });

  it('drops code to evaluate, a REPL, a syntax check, the test runner, watch mode and a debugger, with their values', () => {
    const cases: [string[], string[]][] = [
      [['-e', 'code'], []],
      [['--eval', 'code', '--no-warnings'], ['--no-warnings']],
      [['--eval=code'], []],
      [['-p', 'code'], []],
      [['-pe', 'code', '--trace-warnings'], ['--trace-warnings']],
      [['--print', 'code'], []],
      [['--input-type', 'module', '-e', 'code'], []],
      [['--input-type=module', '--eval', 'code'], []],
      [['-i'], []],
      [['--interactive', '--no-deprecation'], ['--no-deprecation']],
      [['-c'], []],
      [['--check'], []],
      [['--test', '--test-reporter', 'tap', '--test-name-pattern=x', '--test-concurrency', '2'], []],
      [['--experimental-test-coverage', '--test-only'], []],
      [['--watch', '--watch-path', 'src', '--watch-preserve-output'], []],
      [['--inspect-brk=9229', '--inspect', '--inspect-port', '9230', '--inspect-wait'], []],
      [['--run', 'build'], []],
    ];
    for (const [given, kept] of cases) assert.deepEqual(isolatedExecArgv(given, 64), [...kept, '--max-old-space-size=64'], given.join(' '));
  });
});
