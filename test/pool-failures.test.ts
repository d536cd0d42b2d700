import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../src/errors.js';
import { BLOCK_SIZE } from '../src/engine/schedule/blocks.js';
import type { BlockTask } from '../src/engine/schedule/blocks.js';
import { WorkerPool } from '../src/engine/schedule/pool.js';
import { cellSpec } from '../src/engine/schedule/runner.js';
import { expandCells } from '../src/scenario/cells.js';
import { scenarioFrom } from './helpers.js';

/**
 * What the pool does when the main thread's handling of a worker's reply throws (a tally whose
 * counts pass 2^53 is refused as it is added): the run fails with that error, once, instead of an
 * uncaught exception taking the process down with a stack trace.
 */
describe('a reply the main thread refuses', () => {
  const tasks = (count: number): BlockTask[] => {
    const trials = count * BLOCK_SIZE;
    const cell = expandCells(scenarioFrom({ protocol: 'messenger', trials, seed: 7 }))[0]!;
    return Array.from({ length: count }, (_, i) => ({ id: i, spec: cellSpec(cell), seed: '7', cellKey: 'a', trials, firstBlock: i, blocks: 1 }));
  };
  for (const method of ['stream', 'run'] as const) {
    it(`fails ${method}'s promise with the refusal, on worker threads`, async () => {
      const pool = new WorkerPool(2);
      const refusal = new UsageError('', 'refused as it was added');
      let heard = 0;
      const done = (): void => {
        heard++;
        throw refusal;
      };
      try {
        await assert.rejects(method === 'stream' ? pool.stream(tasks(4), done) : pool.run(tasks(4), done), (error: unknown) => error === refusal);
        assert.ok(heard >= 1);
      } finally {
        await pool.close();
      }
    });
  }
});
