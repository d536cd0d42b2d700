import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCellModel } from '../src/engine/model.js';
import type { CellSpec } from '../src/engine/model.js';
import { commitKernelFor } from '../src/engine/montecarlo/commit-kernel.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { generatorAt, stateWithFirstOutput } from './helpers.js';

/**
 * Two-phase commit's own kernel must make the generic engine's draws in its order: the same
 * tally from the same stream on every cell it takes, ties included; it declines the cells it
 * cannot take.
 */
describe('two-phase commit kernel', () => {
  const commit = (participants: number, extra: Record<string, number> = {}): CellSpec => ({
    protocol: 'two-phase-commit',
    channel: 'bernoulli',
    params: { participants, abortRate: 0.05, loss: 0.1, redundancy: 1, rounds: 4, ...extra },
  });
  const cells = [
    commit(10),
    commit(3, { abortRate: 0.3, loss: 0.4, redundancy: 2, rounds: 2 }),
    commit(12, { abortRate: 1, lossAtoB: 0.2, lossBtoA: 0.5 }),
    commit(31, { abortRate: 0.01, loss: 0.2, rounds: 3 }),
    commit(7, { abortRate: 0, loss: 0.5, redundancy: 3, rounds: 1 }),
    commit(20, { abortRate: 0.5, loss: 0.3, rounds: 6 }),
    commit(1, { abortRate: 0.9, loss: 0.7, rounds: 5 }),
  ] satisfies CellSpec[];
  for (const spec of cells) {
    it(`${spec.channel} ${JSON.stringify(spec.params)}: the generic engine's tally`, () => {
      const model = buildCellModel(spec);
      const kernel = commitKernelFor(model);
      assert.ok(kernel, 'the kernel takes the cell');
      for (const block of [0, 1]) {
        const generic = runBlockGeneric(model, blockStream('commit-kernel', JSON.stringify(spec.params), block), 3000);
        assert.deepEqual(kernel(blockState('commit-kernel', JSON.stringify(spec.params), block), 3000), generic);
        assert.deepEqual(runBlock(model, blockState('commit-kernel', JSON.stringify(spec.params), block), 3000), generic, 'dispatch');
      }
    });
  }

  it('decides a tie on a threshold with the next word, as the generic sampler does', () => {
    const model = buildCellModel(commit(10, { loss: 0.3 }));
    // the first draw (the first PREPARE's fate) ties the loss threshold's high part
    const high = Math.floor(Math.ceil(0.3 * 2 ** 53) / 2 ** 22);
    const seconds = new Set<number>();
    for (let seed = 1; seed <= 12; seed++) {
      const state = stateWithFirstOutput(high * 2, seed);
      const rng = generatorAt(state);
      assert.equal(rng.nextUint32() >>> 1, high, 'the constructed state ties');
      seconds.add(rng.nextUint32() >>> 31);
      assert.deepEqual(commitKernelFor(model)!(state, 50), runBlockGeneric(model, generatorAt(state), 50));
    }
    assert.equal(seconds.size, 2, 'both sides of the tie were exercised');
  });

  it('declines what it cannot take: a channel with memory, crashes, more than 31 cohorts, another protocol', () => {
    const bursty = { goodToBad: 0.1, badToGood: 0.4, lossGood: 0.02, lossBad: 0.7 };
    assert.equal(commitKernelFor(buildCellModel({ ...commit(10), channel: 'gilbert-elliott', params: { ...commit(10).params, ...bursty } })), null);
    assert.equal(commitKernelFor(buildCellModel(commit(10, { crash: 0.01 }))), null);
    assert.equal(commitKernelFor(buildCellModel(commit(32))), null);
    assert.equal(commitKernelFor(buildCellModel({ protocol: 'handshake', channel: 'bernoulli', params: { loss: 0.3, redundancy: 1, rounds: 3 } })), null);
  });
});
