import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { blocksPerTask } from '../src/engine/runner.js';
import { adoptEarlyWorker, startWorkersEarly } from '../src/engine/threads.js';
import { cli } from './helpers.js';

/** Starts threads early for these arguments and returns how many a pool could adopt. */
async function earlyThreads(...args: string[]): Promise<number> {
  startWorkersEarly(['node', 'twogenerals', ...args]);
  let count = 0;
  for (let thread = adoptEarlyWorker(); thread; thread = adoptEarlyWorker()) {
    count++;
    await thread.terminate();
  }
  return count;
}

describe('pool threads started before the CLI loads', () => {
  const cores = availableParallelism();
  const expected = (workers: number): number => (Math.min(workers, cores) >= 2 ? Math.min(workers, cores) : 0);

  it('are started for run, as many as --workers asks and the machine has', async () => {
    assert.equal(await earlyThreads('run', 'scenario.yaml'), expected(cores));
    assert.equal(await earlyThreads('run', '--workers', '2'), expected(2));
    assert.equal(await earlyThreads('run', '--workers=3', 'x.yaml'), expected(3));
  });

  it('are not started where no pool will run', async () => {
    assert.equal(await earlyThreads('run', '--workers', '1'), 0, 'one worker runs on the main thread');
    assert.equal(await earlyThreads('run', '--workers', 'many'), 0, 'the CLI will reject it');
    assert.equal(await earlyThreads('run', '--help'), 0);
    assert.equal(await earlyThreads('validate', 'scenario.yaml'), 0);
    assert.equal(await earlyThreads(), 0);
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
    assert.ok(sizes.every((size, i) => size >= 1 && size <= 64 && (i === 0 || size <= sizes[i - 1]!)), 'never growing');
    assert.equal(blocksPerTask(1e6, 2), 64);
    assert.equal(blocksPerTask(3, 8), 1);
  });
});
