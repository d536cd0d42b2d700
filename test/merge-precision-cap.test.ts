import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { savedContent } from '../src/export/json.js';
import { contentDigest } from '../src/results/verify.js';
import { tempFiles } from './helpers.js';
import { cliInProcess } from './in-process.js';

// The second planted-bug audit (docs/mutation.md): the trial cap of a saved precision run.

describe('merge: a saved precision run holds at least 1 and at most maxTrials trials', () => {
  const dir = tempFiles({ 'p.yaml': 'protocol: messenger\nloss: 0.2\ntrials: { precision: 0.05, maxTrials: 1000 }\nseed: cap\n' });
  /** The saved run with its one cell's counts replaced by `trials` delivered trials, its digest made to match. */
  const savedWith = async (trials: number): Promise<string> => {
    const r = await cliInProcess(['run', join(dir, 'p.yaml'), '-f', 'json']);
    assert.equal(r.status, 0, r.stderr);
    const saved = JSON.parse(r.stdout) as Record<string, unknown>;
    const tallies = saved['tallies'] as Record<string, unknown>[];
    tallies[0] = { key: tallies[0]!['key'], trials, outcomes: [trials, 0, 0, 0], messages: [0, trials], deliveries: [trials], rounds: trials };
    const path = join(dir, `saved-${trials}.json`);
    writeFileSync(path, JSON.stringify({ ...saved, digest: contentDigest(savedContent(saved)) }));
    return path;
  };
  it('accepts the cap itself, and refuses more trials, even a whole block, with one line and exit 2', async () => {
    const atCap = await cliInProcess(['merge', await savedWith(1000), '-f', 'csv']);
    assert.equal(atCap.status, 0, atCap.stderr);
    assert.match(atCap.stdout.split('\n')[1]!, /^p,messenger,bernoulli,0\.2,2,1,1000,cap,1000,/);
    // 1,001 is no whole number of blocks; 65,536 is one whole block, but above the cap.
    for (const trials of [1001, 65_536]) {
      const over = await savedWith(trials);
      const r = await cliInProcess(['merge', over, '-f', 'csv']);
      assert.equal(r.status, 2);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        new RegExp(
          `^twogenerals: .*saved-${trials}\\.json: cell 1 \\(messenger\\|bernoulli\\|[^)]*\\): the merged counts hold ${trials} trials; the scenario asks for 1000\n$`,
        ),
      );
    }
  });
});

describe('merge: a saved precision run holds whole blocks up to its cap, or the cap itself', () => {
  // maxTrials 200,000: three whole blocks fit (196,608), the cap is no whole number of blocks.
  const dir = tempFiles({
    'wide.yaml': 'protocol: messenger\nloss: 0.2\ntrials: { precision: 0.001, maxTrials: 200000 }\nseed: cap\n',
    'one.yaml': 'protocol: messenger\nloss: 0.2\ntrials: { precision: 0.05, maxTrials: 1 }\nseed: cap\n',
  });
  const saved = new Map<string, Record<string, unknown>>();
  const savedWith = async (file: string, trials: number): Promise<string> => {
    if (!saved.has(file)) {
      const r = await cliInProcess(['run', join(dir, file), '-f', 'json']);
      assert.equal(r.status, 0, r.stderr);
      saved.set(file, JSON.parse(r.stdout) as Record<string, unknown>);
    }
    const data = structuredClone(saved.get(file)!);
    const tallies = data['tallies'] as Record<string, unknown>[];
    tallies[0] = { key: tallies[0]!['key'], trials, outcomes: [trials, 0, 0, 0], messages: [0, trials], deliveries: [trials], rounds: trials };
    const path = join(dir, `${file}-${trials}.json`);
    writeFileSync(path, JSON.stringify({ ...data, digest: contentDigest(savedContent(data)) }));
    return path;
  };
  const trialsOf = (csv: string): string => csv.split('\n')[1]!.split(',')[6]!;
  it('takes one block and three (fewer than the cap), and the cap itself; refuses a part of a block below the cap', async () => {
    for (const trials of [65_536, 196_608, 200_000]) {
      const r = await cliInProcess(['merge', await savedWith('wide.yaml', trials), '-f', 'csv']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(trialsOf(r.stdout), String(trials));
    }
    for (const trials of [70_000, 65_535, 131_073]) {
      const path = await savedWith('wide.yaml', trials);
      const r = await cliInProcess(['merge', path, '-f', 'csv']);
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^twogenerals: .*: cell 1 \\([^)]*\\): the merged counts hold ${trials} trials; the scenario asks for 200000\n$`));
    }
  });
  it('takes a cap of one trial holding its one trial', async () => {
    const r = await cliInProcess(['merge', await savedWith('one.yaml', 1), '-f', 'csv']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(trialsOf(r.stdout), '1');
  });
});
