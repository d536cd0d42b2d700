import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { oneSendProtocolFile, tempFiles } from './helpers.js';
import type { CliResult } from './helpers.js';
import { cliIn } from './in-process.js';

/**
 * Results of a trace scenario read back by the commands that re-read them (plot, merge, a
 * re-run of the saved scenario.yaml), from another folder than the one `run` ran in: the trace
 * is found where the scenario named it, else beside the results or in --trace-dir, by its
 * sha256; nowhere, one line and exit 2. Also a CSV's text columns (the trace's file and digest,
 * a seed that is a word) are read as text by plot, not refused as numbers.
 */
const TRACE = `${'0'.repeat(40)}1${'0'.repeat(19)}11${'0'.repeat(38)}\n`;
const SCENARIO = `protocol: messenger
channel: { model: trace, file: traces/link.txt }
trials: 3000
seed: alpha
sweep:
  redundancy: [1, 2, 3]
`;

function project(): string {
  const dir = tempFiles({});
  mkdirSync(join(dir, 'scenario', 'traces'), { recursive: true });
  mkdirSync(join(dir, 'elsewhere'));
  writeFileSync(join(dir, 'scenario', 'link.yaml'), SCENARIO);
  writeFileSync(join(dir, 'scenario', 'traces', 'link.txt'), TRACE);
  return dir;
}

/** A command run from `cwd`, in this process: what these tests check is where it finds the files from there. */
const run = (cwd: string, args: readonly string[]): Promise<CliResult> => cliIn(args, {}, cwd);

/** The one folder `run --out` saved under `out`. */
function savedFolder(out: string): string {
  const [only, ...more] = readdirSync(out);
  assert.equal(more.length, 0);
  return join(out, only!);
}

/** A command's CSV, which must have succeeded. */
const csvOf = (r: CliResult): string => {
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

function refusedInOneLine(r: { status: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, pattern);
}

describe('results of a trace scenario, read back from another folder', () => {
  it('plot, merge and the saved scenario.yaml find the trace where the scenario named it', async () => {
    const dir = project();
    const expected = csvOf(await run(dir, ['run', 'scenario/link.yaml', '-f', 'csv', '--no-exact']));
    assert.equal((await run(dir, ['run', 'scenario/link.yaml', '--no-exact', '--out', 'out', '--quiet'])).status, 0);
    const saved = savedFolder(join(dir, 'out'));
    const away = join(dir, 'elsewhere');
    // From a folder where the scenario's relative path means nothing.
    assert.equal(csvOf(await run(away, ['merge', join(saved, 'results.json'), '-f', 'csv'])), expected);
    for (const file of ['results.json', 'results.csv']) {
      const plotted = await run(away, ['plot', join(saved, file), '--metric', 'success']);
      assert.equal(plotted.status, 0, `${file}: ${plotted.stderr}`);
      assert.match(plotted.stdout, /^<svg/);
    }
    const again = await run(away, ['run', join(saved, 'scenario.yaml'), '-f', 'csv', '--no-exact']);
    assert.equal(csvOf(again), expected);
  });

  it('a trace moved away: refused in one line, then found beside the results or in --trace-dir', async () => {
    const dir = project();
    assert.equal((await run(dir, ['run', 'scenario/link.yaml', '--no-exact', '--out', 'out', '--quiet'])).status, 0);
    for (const i of [1, 2]) {
      const shard = await run(dir, ['run', 'scenario/link.yaml', '--shard', `${i}/2`]);
      assert.equal(shard.status, 0, shard.stderr);
      writeFileSync(join(dir, 'elsewhere', `${i}.json`), shard.stdout);
    }
    const expected = csvOf(await run(dir, ['run', 'scenario/link.yaml', '-f', 'csv']));
    const saved = savedFolder(join(dir, 'out'));
    renameSync(join(dir, 'scenario'), join(dir, 'moved'));
    const notFound = /\(scenario 1\): the trace file traces\/link\.txt these counts were made with \(sha256 [0-9a-f]{12}…\) was not found/;
    refusedInOneLine(await run(dir, ['plot', join(saved, 'results.json')]), notFound);
    refusedInOneLine(await run(dir, ['merge', 'elsewhere/1.json', 'elsewhere/2.json', '-f', 'csv']), /was not found; .*--trace-dir/);
    // --trace-dir names the folder holding it, as written (traces/link.txt) or by its name.
    assert.equal(csvOf(await run(dir, ['merge', 'elsewhere/1.json', 'elsewhere/2.json', '-f', 'csv', '--trace-dir', 'moved'])), expected);
    assert.equal(csvOf(await run(dir, ['merge', 'elsewhere/1.json', 'elsewhere/2.json', '-f', 'csv', '--trace-dir', 'moved/traces'])), expected);
    // Beside the results, by its name.
    copyFileSync(join(dir, 'moved', 'traces', 'link.txt'), join(saved, 'link.txt'));
    assert.equal((await run(dir, ['plot', join(saved, 'results.json')])).status, 0);
    // Another file by that name is refused by its sha256, never used.
    writeFileSync(join(saved, 'link.txt'), TRACE.replace('11', '00'));
    refusedInOneLine(await run(dir, ['plot', join(saved, 'results.json')]), /not the ones these results were made with \(their digest differs\)/);
    // Two files by that name (beside the results, in --trace-dir): the one with the recorded sha256 is taken.
    mkdirSync(join(dir, 'elsewhere', 'traces'));
    writeFileSync(join(dir, 'elsewhere', 'link.txt'), TRACE.replace('11', '00'));
    copyFileSync(join(dir, 'moved', 'traces', 'link.txt'), join(dir, 'elsewhere', 'traces', 'link.txt'));
    assert.equal(csvOf(await run(dir, ['merge', 'elsewhere/1.json', 'elsewhere/2.json', '-f', 'csv', '--trace-dir', 'elsewhere/traces'])), expected);
  });
});

describe('results made in a project that moved since (another machine, another checkout path)', () => {
  it('a baseline, a saved run and its scenario.yaml find the protocol file and trace where the moved scenario file names them', async () => {
    const root = tempFiles({});
    const made = join(root, 'alice', 'proj');
    mkdirSync(join(made, 'ci', 'traces'), { recursive: true });
    writeFileSync(join(made, 'ci', 'p.mjs'), oneSendProtocolFile('p'));
    writeFileSync(join(made, 'ci', 'traces', 'link.txt'), TRACE);
    const base = 'protocol: ./p.mjs\nchannel: { model: trace, file: traces/link.txt }\ntrials: 3000\nsweep: { redundancy: [1, 2] }\n';
    writeFileSync(join(made, 'ci', 'base.yaml'), base);
    writeFileSync(join(made, 'ci', 'gate.yaml'), `${base}seed: 7\nexpect:\n  - { metric: disagreement, notWorseThan: baseline }\n`);
    assert.equal((await run(made, ['run', 'ci/base.yaml', '--out', 'ci/saved', '--quiet'])).status, 0);
    renameSync(savedFolder(join(made, 'ci', 'saved')), join(made, 'ci', 'baseline'));
    const expected = csvOf(await run(made, ['run', 'ci/gate.yaml', '-f', 'csv']));
    assert.equal((await run(made, ['run', 'ci/gate.yaml', '--out', 'out', '--quiet'])).status, 0);
    // The project, its baseline and its saved run, at another path; nothing left where they were made.
    const moved = join(root, 'runner', 'work', 'proj');
    mkdirSync(join(root, 'runner', 'work'), { recursive: true });
    renameSync(made, moved);
    const saved = savedFolder(join(moved, 'out'));
    assert.equal(csvOf(await run(moved, ['run', 'ci/gate.yaml', '-f', 'csv'])), expected, 'the baseline');
    assert.equal(csvOf(await run(root, ['merge', join(saved, 'results.json'), '-f', 'csv'])), expected, 'merge of the saved run');
    assert.equal(csvOf(await run(root, ['run', join(saved, 'scenario.yaml'), '-f', 'csv'])), expected, 'its scenario.yaml run again');
  });
});

describe('a saved scenario.yaml whose trace has a stale copy where it was made', () => {
  it('runs on the copy with the recorded sha256, not the first copy found', async () => {
    const root = tempFiles({});
    const made = join(root, 'alice', 'proj');
    mkdirSync(join(made, 'ci', 'traces'), { recursive: true });
    writeFileSync(join(made, 'ci', 'traces', 'link.txt'), TRACE);
    writeFileSync(join(made, 'ci', 'link.yaml'), SCENARIO);
    const expected = csvOf(await run(made, ['run', 'ci/link.yaml', '-f', 'csv']));
    assert.equal((await run(made, ['run', 'ci/link.yaml', '--out', 'out', '--quiet'])).status, 0);
    const moved = join(root, 'runner', 'proj');
    mkdirSync(join(root, 'runner'));
    renameSync(made, moved);
    // Where the results were made (the recorded path itself, the first place tried), the
    // scenario again and a stale copy of its trace (another sha256).
    mkdirSync(join(made, 'ci', 'traces'), { recursive: true });
    writeFileSync(join(made, 'ci', 'traces', 'link.txt'), TRACE.replace('1', '0'));
    writeFileSync(join(made, 'ci', 'link.yaml'), SCENARIO);
    const saved = savedFolder(join(moved, 'out'));
    assert.equal(csvOf(await run(moved, ['run', join(saved, 'scenario.yaml'), '-f', 'csv'])), expected);
  });
});

describe('shards of the default scenario given a protocol file and a trace by --set', () => {
  it('merged where they ran, from a folder of their own or from elsewhere, find the files their paths name from the working folder', async () => {
    const dir = tempFiles({ 'p.mjs': oneSendProtocolFile('p'), 'link.txt': TRACE });
    mkdirSync(join(dir, 'shards'));
    mkdirSync(join(dir, 'elsewhere'));
    const given = ['--set', 'protocol=./p.mjs', '--set', 'loss=null', '--set', 'channel={model: trace, file: link.txt}', '--trials', '3000'];
    const expected = csvOf(await run(dir, ['run', ...given, '-f', 'csv']));
    for (const i of [1, 2]) writeFileSync(join(dir, 'shards', `${i}.json`), csvOf(await run(dir, ['run', ...given, '--shard', `${i}/2`])));
    // The paths (./p.mjs, link.txt) are the working folder's where the shards ran, which no scenario file records.
    assert.equal(csvOf(await run(dir, ['merge', 'shards/2.json', 'shards/1.json', '-f', 'csv'])), expected);
    assert.equal(csvOf(await run(join(dir, 'shards'), ['merge', '1.json', '2.json', '-f', 'csv'])), expected);
    assert.equal(csvOf(await run(join(dir, 'elsewhere'), ['merge', '../shards/1.json', '../shards/2.json', '-f', 'csv'])), expected);
  });
});
