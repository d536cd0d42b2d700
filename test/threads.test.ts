import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Worker } from 'node:worker_threads';
import { blocksPerTask, poolSize, runCells } from '../src/engine/schedule/runner.js';
import { expandCells } from '../src/scenario/cells.js';
import { scenarioFrom } from './helpers.js';
import { ONE_BLOCK, earlyWorkerCount } from '../src/cli/early.js';
import { BLOCK_SIZE } from '../src/engine/schedule/blocks.js';
import { adoptEarlyWorker, releaseWorker, startWorkersEarly } from '../src/engine/schedule/threads.js';
import { cli } from './helpers.js';

/** Starts `count` threads early and returns how many a pool could adopt. */
async function earlyThreads(count: number): Promise<number> {
  startWorkersEarly(count);
  let adopted = 0;
  for (let thread = adoptEarlyWorker(); thread; thread = adoptEarlyWorker()) {
    adopted++;
    await thread.terminate();
  }
  return adopted;
}

describe('pool threads started before the CLI loads', () => {
  it('are wanted for run, as many as --workers asks and the machine has', () => {
    const argv = (...args: string[]) => ['node', 'twogenerals', ...args];
    assert.equal(earlyWorkerCount(argv('run', 'scenario.yaml'), 4), 4);
    assert.equal(earlyWorkerCount(argv('run', '--workers', '2'), 4), 2);
    assert.equal(earlyWorkerCount(argv('run', '--workers=3', 'x.yaml'), 4), 3);
    assert.equal(earlyWorkerCount(argv('run', '--workers', '8'), 4), 4, 'no more than the cores');
  });

  it('are not wanted where no pool will run', () => {
    const argv = (...args: string[]) => ['node', 'twogenerals', ...args];
    assert.equal(earlyWorkerCount(argv('run', '--workers', 'many'), 4), 0, 'the CLI will reject it');
    assert.equal(earlyWorkerCount(argv('run', '--help'), 4), 0);
    assert.equal(earlyWorkerCount(argv('validate', 'scenario.yaml'), 4), 0);
    assert.equal(earlyWorkerCount(argv(), 4), 0);
    assert.equal(earlyWorkerCount(argv('run', '--trials', '1000'), 4), 0, 'one block runs on the main thread');
    assert.equal(earlyWorkerCount(argv('run', '--trials=65536', '--workers', '2'), 4), 0);
    assert.equal(earlyWorkerCount(argv('run', '--trials', '1e6'), 4), 4);
    assert.equal(earlyWorkerCount(argv('run', '--trials', 'lots'), 4), 4, 'the CLI will judge it');
    assert.equal(ONE_BLOCK, BLOCK_SIZE);
  });

  it("are not wanted where the one scenario file's cells hold one block in all (a peek at the file, erring towards threads)", () => {
    const argv = (...args: string[]) => ['node', 'twogenerals', ...args];
    const files: Record<string, string> = {
      'small.yaml': 'protocol: messenger\ntrials: 1000 # a quick look\nloss: 0.1\n',
      'small.json': '{ "protocol": "handshake", "trials": 65536 }',
      'large.yaml': 'protocol: messenger\ntrials: 1e6\n',
      'unsaid.yaml': 'protocol: messenger\n',
      'swept.yaml': 'trials: 40000\nsweep:\n  loss: [0.1, 0.2]\n',
      'small-sweep.yaml': 'protocol: messenger\ntrials: 20000\nsweep:\n  loss: [0.1, 0.3]\nexpect:\n  - { metric: success, atLeast: 0.5 }\n',
      'small-sweep.json': '{ "trials": 10000, "sweep": { "loss": [0.1, 0.2], "redundancy": [1, 2, 3] } }',
      'flow-sweep.yaml': 'trials: 20000\nsweep: { extraCopies: [0, 2] }\n',
      'ranged.yaml': 'trials: 1000\nsweep:\n  rounds: { from: 1, to: 10 }\n',
      'listed.yaml': 'trials: 1000\nsweep:\n  loss:\n    - 0.1\n    - 0.2\n',
      'precise.yaml': 'trials: { precision: 0.01 }\n',
      'nested.yaml': 'trials: 1000\nexpect:\n  trials: 5\n',
      'twice.json': '{ "trials": 10, "x": { "trials": 20 } }',
      'documents.yaml': 'trials: 1000\n---\ntrials: 1000\n',
      'zero.yaml': 'trials: 0\n',
    };
    const read = (file: string): string | undefined => files[file];
    const count = (...args: string[]): number => earlyWorkerCount(argv(...args), 4, read);
    assert.equal(count('run', 'small.yaml'), 0);
    assert.equal(count('run', 'small.json', '--workers', '2'), 0);
    assert.equal(count('run', '--format', 'csv', 'small.yaml'), 0);
    for (const file of ['small-sweep.yaml', 'small-sweep.json', 'flow-sweep.yaml']) assert.equal(count('run', file), 0, `${file}: one block in all`);
    for (const file of [
      'large.yaml',
      'unsaid.yaml',
      'swept.yaml',
      'ranged.yaml',
      'listed.yaml',
      'precise.yaml',
      'nested.yaml',
      'twice.json',
      'documents.yaml',
      'zero.yaml',
      'missing.yaml',
    ])
      assert.equal(count('run', file), 4, file);
    assert.equal(count('run', 'small.yaml', 'small.json'), 4, 'two cells: a pool runs');
    assert.equal(count('run', 'small.yaml', '--set', 'trials=1e6'), 4);
    assert.equal(count('run', 'small.yaml', '--sweep', 'loss=0.1,0.2'), 4);
    assert.equal(count('run', 'small.yaml', '--trials', '1e6'), 4, 'the command line wins');
  });

  it('start as many as asked, and none for one worker, which runs on the main thread', async () => {
    assert.equal(await earlyThreads(3), 3);
    assert.equal(await earlyThreads(1), 0);
    assert.equal(await earlyThreads(0), 0);
  });

  it('keep no process alive: bad input still ends at once with exit 2', () => {
    const r = cli(['run', 'no-such-scenario.yaml', '--workers', '2']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^twogenerals: no-such-scenario\.yaml/);
  });
});

describe('the pool', () => {
  it("runs on this thread alone where all the cells' trials fit in one block, and on the workers asked for beyond", () => {
    const cells = (trials: number, losses: number[]) => expandCells(scenarioFrom({ protocol: 'messenger', trials, sweep: { loss: losses } }));
    assert.equal(poolSize(cells(20_000, [0.1, 0.3]), 4), 1);
    assert.equal(poolSize(cells(32_768, [0.1, 0.3]), 4), 1, 'exactly one block');
    assert.equal(poolSize(cells(32_769, [0.1, 0.3]), 4), 4);
    assert.equal(poolSize(cells(ONE_BLOCK, [0.1]), 3), 1);
    assert.equal(poolSize(cells(1e6, [0.1]), 2), 2);
    const capped = expandCells(scenarioFrom({ protocol: 'messenger', trials: { precision: 0.01, maxTrials: 1e6 } }));
    assert.equal(poolSize(capped, 2), 2, 'an adaptive cell counts its cap');
  });
});

describe('threads kept between runs', () => {
  it('a pool that ended cleanly leaves its threads for the next, which counts exactly what fresh threads count', async () => {
    await earlyThreads(0); // none waiting before
    const cells = expandCells(scenarioFrom({ protocol: 'handshake', trials: 200_000, seed: 3, sweep: { loss: [0.2, 0.4] } }));
    const first = await runCells(cells, { exact: 'off', simulate: true, workers: 2 });
    const kept: Worker[] = [];
    for (let thread = adoptEarlyWorker(); thread; thread = adoptEarlyWorker()) kept.push(thread);
    assert.equal(kept.length, 2, 'both threads kept');
    for (const thread of kept) await releaseWorker(thread);
    const again = await runCells(cells, { exact: 'off', simulate: true, workers: 2 });
    assert.deepEqual(
      again.map((r) => r.tally),
      first.map((r) => r.tally),
    );
    const alone = await runCells(cells, { exact: 'off', simulate: true, workers: 1 });
    assert.deepEqual(
      alone.map((r) => r.tally),
      first.map((r) => r.tally),
    );
    await earlyThreads(0);
  });
});

describe('task sizes', () => {
  it('shrink as the run goes on, from at most 64 blocks to one', () => {
    const sizes: number[] = [];
    for (let left = 1526; left > 0; left -= sizes[sizes.length - 1]!) sizes.push(blocksPerTask(left, 2));
    assert.equal(sizes[0], 47);
    assert.equal(sizes[sizes.length - 1], 1);
    assert.ok(
      sizes.every((size, i) => size >= 1 && size <= 64 && (i === 0 || size <= sizes[i - 1]!)),
      'never growing',
    );
    assert.equal(blocksPerTask(1e6, 2), 64);
    assert.equal(blocksPerTask(3, 8), 1);
  });
});
