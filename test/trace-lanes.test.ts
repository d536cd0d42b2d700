import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { A_TO_B, CHOOSE, END, SEND } from '../src/contract/protocol.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { resultOrderFor } from '../src/engine/montecarlo/result-order.js';
import { Xoshiro128 } from '../src/rng/xoshiro128.js';
import { generatorAt, tempFiles } from './helpers.js';
import { COIN, good } from './rule-protocol.js';

describe('trace lanes: the start tables in the module’s memory', () => {
  /**
   * A sends up to three times until one arrives; then B tosses a coin, whose both sides end,
   * except after three losses, where tails sends once more: a key that goes on, for 0.8% of the
   * starts at 20% loss. So the protocol has no result order (result-order.ts) and draws through
   * the start table, in keyed runs (99% of the starts or more stop at a key that ends).
   */
  function registerKeyedButOne(name: string): void {
    registerProtocol({
      ...good(name),
      stateSize: () => 5,
      next(state, _config, step) {
        if (state[2] === 0 && state[1] === 0 && state[0]! < 3) {
          step.kind = SEND;
          step.direction = A_TO_B;
          step.round = state[0]! + 1;
        } else if (state[2] === 0) {
          step.kind = CHOOSE;
          step.choices = COIN;
        } else if (state[2] === 2) {
          step.kind = SEND;
          step.direction = A_TO_B;
          step.round = 4;
        } else {
          step.kind = END;
          step.outcome = state[1] === 1 ? (state[3] === 1 ? 0 : 3) : state[4] === 1 ? 1 : 2;
        }
      },
      resolve(state, _config, step, result) {
        if (step.kind === CHOOSE) {
          state[3] = result;
          state[2] = state[1] === 0 && result === 1 ? 2 : 1;
        } else if (state[2] === 2) {
          state[4] = result;
          state[2] = 1;
        } else {
          state[0] = state[0]! + 1;
          state[1] = result;
        }
      },
    });
  }

  it('draws each cell through its own table when blocks of cells with different tables take turns', () => {
    // One instance a thread (each WebAssembly memory reserves address space of its own, and V8
    // refuses new ones after some thousands): a block through another cell's table copies that
    // table in, growing the memory for a larger one.
    const noisy = new Xoshiro128(2, 7, 1, 8);
    const trace = (n: number) => Array.from({ length: n }, () => (noisy.nextUint32() % 10 < 2 ? '1' : '0')).join('');
    const dir = tempFiles({ 'small.txt': trace(20_050), 'large.txt': trace(300_000), 'other.txt': trace(25_000) });
    // Keyed runs read the table in the module's memory (a protocol with a result order reads none).
    const name = 'lanes-keyed-but-one';
    registerKeyedButOne(name);
    try {
      const cells = [
        { redundancy: 1, rounds: 4, file: join(dir, 'small.txt') },
        { redundancy: 1, rounds: 4, file: join(dir, 'large.txt') },
        { redundancy: 1, rounds: 4, file: join(dir, 'other.txt') },
      ].map((params) => buildCellModel({ protocol: name, channel: 'trace', params }));
      for (const model of cells) {
        assert.equal(resultOrderFor(model), null);
        runBlock(model, Int32Array.of(1, 2, 3, 4), 150_000); // builds each table
      }
      for (let block = 0; block < 6; block++) {
        const model = cells[block % 3]!;
        const stream = Int32Array.of(block, 6, 7, 8);
        assert.deepEqual(runBlock(model, stream, 20_000), runBlockGeneric(model, generatorAt(stream), 20_000), `block ${block}`);
      }
    } finally {
      unregister(name);
    }
  });
});
