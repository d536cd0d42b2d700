import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { goldenCases, runCase } from '../scripts/golden.js';
import { BIN, ROOT, tempFiles } from './helpers.js';
import { cliIn } from './in-process.js';

/** The CLI as a separate process, asynchronously, so that several run at once. */
function cliAsync(args: readonly string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/**
 * A process that keeps a core busy until stopped: the load under which a run rationed by the
 * clock used to print fewer exact values. At the lowest priority, so that it takes the cores'
 * idle time and the suite's other tests lose none to it. Stopped by its own pid.
 */
function loadTheMachine(): { stop: () => Promise<void> } {
  const burners = Array.from({ length: 1 }, () => {
    const burner = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
    if (burner.pid !== undefined) setPriority(burner.pid, 19);
    return burner;
  });
  return {
    stop: async () => {
      await Promise.all(
        burners.map(
          (b) =>
            new Promise<void>((resolve) => {
              if (b.exitCode !== null || b.signalCode !== null) return resolve();
              b.once('exit', () => resolve());
              b.kill('SIGKILL');
            }),
        ),
      );
    },
  };
}

const rowsOf = (csv: string): Record<string, string>[] => parseCsv(csv, { columns: true }) as Record<string, string>[];

/** The randomized attack at R rounds: its exact values need about (R / 1,000)² × 210,000 steps of work. */
const randomized = (rounds: number): string => JSON.stringify({ protocol: 'randomized', loss: 0.3, rounds, trials: 2000, seed: 5 });

describe('the same bytes on every run, however loaded the machine', () => {
  it('runs a cell whose exact values take most of the automatic budget three times at once, on a busy machine: identical, exact included', async () => {
    const file = join(tempFiles({ 's.json': randomized(1000) }), 's.json');
    const load = loadTheMachine();
    try {
      const runs = await Promise.all([1, 2, 2].map((workers) => cliAsync(['run', file, '--format', 'csv', '--workers', String(workers)])));
      for (const r of runs) assert.equal(r.status, 0, r.stderr);
      for (const r of runs.slice(1)) assert.equal(r.stdout, runs[0]!.stdout);
      const [row] = rowsOf(runs[0]!.stdout);
      assert.notEqual(row!['success_exact'], '', 'the exact value is within the budget, on any machine');
      assert.equal(row!['seed'], '5');
    } finally {
      await load.stop();
    }
  });

  it('a cell past the automatic budget has no exact values on any run, says why in results.json and manifest.json, and --exact computes them', async () => {
    const dir = tempFiles({ 's.json': randomized(1300) });
    const out = join(dir, 'results');
    const r = await cliIn(['run', join(dir, 's.json'), '--format', 'csv', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stdout.split('\n')[0]!, /_exact/, 'no exact columns: no cell has exact values');
    // Said on stderr too, in one note (the table alone would not say why its exact columns are missing).
    const notes = r.stderr.split('\n').filter((line) => line.startsWith('note: no exact values'));
    assert.equal(notes.length, 1, r.stderr);
    assert.match(notes[0]!, /^note: no exact values for .*rounds=1300.*: it needs more than 250,000 steps of work.*\(--exact allows more\)$/);
    const [saved] = readdirSync(out).filter((f) => !f.startsWith('.'));
    const results = JSON.parse(readFileSync(join(out, saved!, 'results.json'), 'utf8'));
    assert.deepEqual(results.exact, [null]);
    assert.match(results.exactMissing[0], /more than 250,000 steps of work.*automatic attempt \(--exact allows more\)/);
    const manifest = JSON.parse(readFileSync(join(out, saved!, 'manifest.json'), 'utf8'));
    assert.equal(manifest.exactMissing.length, 1);
    assert.equal(manifest.exactMissing[0].reason, results.exactMissing[0]);
    assert.equal(manifest.exactMissing[0].params.rounds, 1300);
    // The re-export keeps the reason.
    const again = await cliIn(['merge', join(out, saved!, 'results.json'), '--format', 'json']);
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout).exactMissing, results.exactMissing);
    const exact = await cliIn(['run', join(dir, 's.json'), '--format', 'csv', '--exact']);
    assert.equal(exact.status, 0, exact.stderr);
    assert.notEqual(rowsOf(exact.stdout)[0]!['success_exact'], '');
    const off = await cliIn(['run', join(dir, 's.json'), '--format', 'json', '--no-exact']);
    assert.match(JSON.parse(off.stdout).exactMissing[0], /--no-exact/);
    assert.doesNotMatch(off.stderr, /no exact values/, 'turned off by the user: nothing to note');
  });

  it('prints the committed golden bytes for the shipped examples that run in a moment (all of them: npm run golden, on every Node in CI)', async () => {
    const quick = goldenCases().filter((c) => /partition/.test(c.name));
    assert.ok(quick.length >= 4);
    for (const c of quick) assert.equal(runCase(c), readFileSync(join(ROOT, 'test', 'golden', c.name), 'utf8'), c.name);
  });

  it('draws a trace alike however its path is written, from any folder: only the file column tells them apart', async () => {
    const dir = tempFiles({ 't.txt': '0\n1\n0\n0\n1\n1\n0\n0\n0\n1\n' });
    mkdirSync(join(dir, 'sub'));
    const scenario = (file: string): string => `name: t\nprotocol: handshake\nrounds: 2\nchannel: { model: trace, file: ${file} }\ntrials: 5000\nseed: 3\n`;
    writeFileSync(join(dir, 'a.yaml'), scenario('t.txt'));
    writeFileSync(join(dir, 'sub', 'b.yaml'), scenario('../t.txt'));
    writeFileSync(join(dir, 'c.yaml'), scenario(join(dir, 't.txt')));
    const counts = await Promise.all(
      [join(dir, 'a.yaml'), join(dir, 'sub', 'b.yaml'), join(dir, 'c.yaml')].map(async (file) => {
        const r = await cliIn(['run', file, '--format', 'csv', '--no-exact']);
        assert.equal(r.status, 0, r.stderr);
        const [row] = rowsOf(r.stdout);
        return Object.entries(row!).filter(([column]) => column !== 'file');
      }),
    );
    assert.deepEqual(counts[1], counts[0]);
    assert.deepEqual(counts[2], counts[0]);
  });
});
