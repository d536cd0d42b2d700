import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChannelDefinition } from '../src/contract/channel.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel, CellSpec } from '../src/engine/model.js';
import { commitKernelFor } from '../src/engine/montecarlo/commit-kernel.js';
import { runBlockCompiled } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { generatorAt, stateWithWordAt } from './helpers.js';

/**
 * Two-phase commit's kernel keeps every send's fate in one threshold and each direction's
 * deliveries in one class: a cell that breaks either must be declined, and dispatch must then
 * give the generic engine's tally. Each cell here is one where the kernel, had it taken the cell,
 * would count differently.
 */
describe('two-phase commit kernel: the cells it must decline', () => {
  const commit = (participants: number, extra: Record<string, number> = {}): CellSpec => ({
    protocol: 'two-phase-commit',
    channel: 'bernoulli',
    params: { participants, abortRate: 0.2, lossAtoB: 0.2, lossBtoA: 0.5, redundancy: 1, rounds: 3, ...extra },
  });

  it('a channel whose round 1 uses the other direction’s transmission: a direction’s deliveries in two classes', () => {
    const model = buildCellModel(commit(12));
    assert.ok(commitKernelFor(model), 'the kernel takes the cell over bernoulli');
    // the same two transmissions, swapped in round 1: each direction's received messages count in class 1 − d there, d after
    const channel = model.channel as ChannelDefinition<unknown>;
    const swapped: CellModel = {
      ...model,
      channel: {
        ...channel,
        transmissionFor: (config, state, direction, round) => (round === 1 ? 1 - direction : channel.transmissionFor(config, state, direction, round)),
      },
    };
    assert.equal(commitKernelFor(swapped), null);
    const stream = blockState('commit-declines', 'swapped', 0);
    const tally = runBlockCompiled(swapped, stream, 2000);
    assert.deepEqual(tally, runBlockGeneric(swapped, blockStream('commit-declines', 'swapped', 0), 2000));
    // every trial's round 1 counts in the other class: the bernoulli cell's tally differs
    assert.notDeepEqual(tally.deliveries, runBlockCompiled(model, stream, 2000).deliveries);
  });

  it('an abortRate below 2^-53 (a YES vote of probability 1 in doubles): a vote threshold beyond 31 bits', () => {
    const model = buildCellModel(commit(1, { abortRate: 1e-17, lossAtoB: 1e-17 }));
    assert.equal(commitKernelFor(model), null);
    // word 0 (the PREPARE's fate) arrives, word 1 (the vote) is 0: YES by the table, NO by a
    // 31-bit threshold that wrapped to −2^31
    for (let seed = 1; seed <= 3; seed++) {
      const state = stateWithWordAt(0, seed, 1);
      assert.notEqual(generatorAt(state).nextUint32() >>> 1, 0, 'the PREPARE arrives');
      const tally = runBlockCompiled(model, state, 1);
      assert.deepEqual(tally, runBlockGeneric(model, generatorAt(state), 1));
      assert.deepEqual(tally.outcomes, [1, 0, 0, 0], 'committed');
    }
  });
});
