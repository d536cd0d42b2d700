import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BIN, cli, CLI_TIMEOUT_MS, ROOT, temporaryDirectory } from './helpers.js';

/**
 * Node.js started with --disallow-code-generation-from-strings (a hardening option some sites put
 * in NODE_OPTIONS), where `new Function` throws: every run stopped with "internal error (please
 * report it): a worker thread failed: Code generation from strings disallowed for this context"
 * (exit 3). Now cells run on the engines that compile nothing, with the same counts; a chart,
 * which Vega draws by compiling its expressions, is refused in one line or left out of a result
 * folder with a note.
 */
function hardened(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: CLI_TIMEOUT_MS,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('Node.js that compiles no code from text', () => {
  // Two blocks each (65,536 trials and the rest), on the pool's threads: the compiled engines' size.
  const runs: [string, string[]][] = [
    ['the default scenario (the compiled kernel and its lanes)', []],
    ['retransmission (the bit walk)', ['scenarios/retransmit-round-limit.yaml']],
    ['a protocol file (the trial kernel)', ['examples/three-phase-commit.yaml']],
    ['two-phase commit with 10 cohorts (its own kernel)', ['examples/two-phase-commit.yaml', '--set', 'participants=10']],
    ['a replayed trace', ['examples/radio-link-trace.yaml']],
    ['Gilbert–Elliott', ['scenarios/bursty-redundancy.yaml']],
  ];
  for (const [what, scenario] of runs) {
    it(`runs ${what} with the counts it has elsewhere`, () => {
      const args = ['run', ...scenario, '--trials', '70000', '--format', 'csv'];
      const usual = cli(args);
      assert.equal(usual.status, 0, usual.stderr);
      const r = hardened(args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, usual.stdout);
    });
  }

  it("saves a sweep's result folder without its chart, saying why, and refuses `plot` in one line", () => {
    const dir = temporaryDirectory('twogenerals-no-codegen-');
    try {
      const r = hardened(['run', '--sweep', 'loss=0.1:0.5:0.2', '--trials', '2000', '--out', dir, '--format', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /^note: the result folder has no chart\.svg: drawing it needs Node\.js without --disallow-code-generation-from-strings$/m);
      const [folder] = readdirSync(dir);
      assert.deepEqual(readdirSync(join(dir, folder!)).sort(), ['manifest.json', 'results.csv', 'results.json', 'scenario.yaml']);
      const chart = join(dir, 'chart.svg');
      const plot = hardened(['plot', join(dir, folder!, 'results.csv'), '-o', chart]);
      assert.equal(plot.status, 2, plot.stderr);
      assert.match(
        plot.stderr,
        /^twogenerals: -o .*chart\.svg: drawing a chart needs Node\.js to compile code from text .*--disallow-code-generation-from-strings forbids here: run it without that option\n$/,
      );
      assert.ok(!existsSync(chart));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
