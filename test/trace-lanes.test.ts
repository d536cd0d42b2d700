import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { buildCellModel } from '../src/engine/model.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { generatorAt, tempFiles } from './helpers.js';

describe('trace lanes: the start tables in the module’s memory', () => {
  it('draws each cell through its own table when blocks of cells with different tables take turns', () => {
    // One instance a thread (each WebAssembly memory reserves address space of its own, and V8
    // refuses new ones after some thousands): a block through another cell's table copies that
    // table in, growing the memory for a larger one.
    const noisy = new Xoshiro128(2, 7, 1, 8);
    const trace = (n: number) => Array.from({ length: n }, () => (noisy.nextUint32() % 10 < 2 ? '1' : '0')).join('');
    const dir = tempFiles({ 'small.txt': trace(20_050), 'large.txt': trace(300_000) });
    // The randomized protocol's keyed runs read its table in the module's memory (a protocol that
    // draws nothing of its own reads no table: result-order.ts).
    const cells = [
      { protocol: 'randomized', redundancy: 1, rounds: 2, file: join(dir, 'small.txt') },
      { protocol: 'randomized', redundancy: 1, rounds: 6, file: join(dir, 'large.txt') },
      { protocol: 'randomized', redundancy: 2, rounds: 3, file: join(dir, 'small.txt') },
    ].map((params) => buildCellModel({ protocol: params.protocol, channel: 'trace', params }));
    for (const model of cells) runBlock(model, Int32Array.of(1, 2, 3, 4), 150_000); // builds each table
    for (let block = 0; block < 6; block++) {
      const model = cells[block % 3]!;
      const stream = Int32Array.of(block, 6, 7, 8);
      assert.deepEqual(runBlock(model, stream, 20_000), runBlockGeneric(model, generatorAt(stream), 20_000), `block ${block}`);
    }
  });
});
