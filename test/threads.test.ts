import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blocksPerTask } from '../src/engine/schedule/runner.js';
import { ONE_BLOCK, earlyWorkerCount } from '../src/cli/early.js';
import { BLOCK_SIZE } from '../src/engine/schedule/blocks.js';
import { adoptEarlyWorker, startWorkersEarly } from '../src/engine/schedule/threads.js';
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
