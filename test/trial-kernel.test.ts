import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildCellModel } from '../src/engine/model.js';
import type { CellSpec } from '../src/engine/model.js';
import { runBlock } from '../src/engine/montecarlo/dispatch.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { trialKernelFor } from '../src/engine/montecarlo/trial-kernel.js';
import { loadProtocolFile } from '../src/protocol-files/load.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { exactCell } from '../src/engine/exact/index.js';
import { proportionZ } from '../src/stats/zscore.js';
import { END, SEND, A_TO_B, GENERALS_OUTCOMES } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { registerProtocol } from '../src/catalog/register.js';
import { generatorAt, ROOT, stateWithFirstOutput } from './helpers.js';

/**
 * The trial kernel runs the cells too large for an automaton (many cohorts, protocol files): it
 * must give the generic engine's tally from the same stream, draw for draw, on every channel.
 */
describe('trial kernel', () => {
  const commit = (participants: number, extra: Record<string, number> = {}) => ({
    participants,
    abortRate: 0.05,
    loss: 0.1,
    redundancy: 1,
    rounds: 4,
    ...extra,
  });
  const cells: CellSpec[] = [
    { protocol: 'two-phase-commit', channel: 'bernoulli', params: commit(10) },
    { protocol: 'two-phase-commit', channel: 'bernoulli', params: commit(3, { abortRate: 0.3, loss: 0.4, redundancy: 2, rounds: 2 }) },
    { protocol: 'two-phase-commit', channel: 'bernoulli', params: commit(12, { abortRate: 1, lossAtoB: 0.2, lossBtoA: 0.5 }) },
    { protocol: 'two-phase-commit', channel: 'gilbert-elliott', params: commit(6, { goodToBad: 0.1, badToGood: 0.4, lossGood: 0.02, lossBad: 0.7 }) },
    // cohorts beyond 32: two words of each cohort set, runs that cross them
    { protocol: 'two-phase-commit', channel: 'bernoulli', params: commit(45, { abortRate: 0.01, loss: 0.2 }) },
    { protocol: 'retransmit', channel: 'gilbert-elliott', params: { goodToBad: 0.2, badToGood: 0.3, redundancy: 3, rounds: 9 } },
    { protocol: 'randomized', channel: 'bernoulli', params: { loss: 0.3, redundancy: 1, rounds: 12 } },
    { protocol: 'handshake', channel: 'bernoulli', params: { loss: 0.3, redundancy: 2, rounds: 5 } },
  ];
  for (const spec of cells) {
    it(`${spec.protocol} over ${spec.channel} ${JSON.stringify(spec.params)} matches the generic engine`, () => {
      const model = buildCellModel(spec);
      for (const block of [0, 1]) {
        const generic = runBlockGeneric(model, blockStream('trial-kernel', spec.protocol, block), 5000);
        assert.deepEqual(trialKernelFor(model)(blockState('trial-kernel', spec.protocol, block), 5000), generic);
        assert.deepEqual(runBlock(model, blockState('trial-kernel', spec.protocol, block), 5000), generic, 'dispatch');
      }
    });
  }

  it('two-phase commit with 31, 32, 45 and 63 cohorts agrees with the structured exact values (fixed seed, |z| ≤ 4)', () => {
    for (const n of [31, 32, 45, 63]) {
      const model = buildCellModel({ protocol: 'two-phase-commit', channel: 'bernoulli', params: commit(n, { abortRate: 0.002, loss: 0.03, rounds: 2 }) });
      const exact = exactCell(model);
      const trials = 10_000;
      // through the generic engine: the protocol definition itself, cohort bits in two words
      const tally = runBlockGeneric(model, blockStream('trial-kernel', `wide-${n}`, 0), trials);
      exact.outcomes.forEach((p, i) => {
        const z = proportionZ(tally.outcomes[i]!, trials, p);
        assert.ok(Math.abs(z) <= 4, `${n} cohorts, outcome ${i}: ${tally.outcomes[i]} of ${trials} against ${p} (z ${z})`);
      });
    }
  });

  it('the three-phase-commit example file matches the generic engine', async () => {
    const { name } = await loadProtocolFile(join(ROOT, 'examples', 'protocols', 'three-phase-commit.mjs'), 'test');
    for (const params of [
      { cohorts: 3, noVoteRate: 0, loss: 0.05, redundancy: 1 },
      { cohorts: 10, noVoteRate: 0.1, loss: 0.2, redundancy: 2 },
    ]) {
      const model = buildCellModel({ protocol: name, channel: 'bernoulli', params });
      const generic = runBlockGeneric(model, blockStream('trial-kernel', name, 0), 5000);
      assert.deepEqual(trialKernelFor(model)(blockState('trial-kernel', name, 0), 5000), generic);
    }
  });

  it('decides a threshold tie with the next word, as the generic sampler does', () => {
    // The first draw is the first PREPARE; loss 0.3, one copy: lost iff m < T = ⌈0.3 · 2^53⌉.
    const model = buildCellModel({ protocol: 'two-phase-commit', channel: 'bernoulli', params: commit(10, { loss: 0.3 }) });
    const high = Math.floor(Math.ceil(0.3 * 2 ** 53) / 2 ** 22);
    const firsts = new Set<number>();
    for (let seed = 1; seed <= 12; seed++) {
      const state = stateWithFirstOutput(high * 2, seed);
      const rng = generatorAt(state);
      assert.equal(rng.nextUint32() >>> 1, high, 'the constructed state ties');
      firsts.add(rng.nextUint32() >>> 31);
      assert.deepEqual(trialKernelFor(model)(state, 50), runBlockGeneric(model, generatorAt(state), 50));
    }
    assert.equal(firsts.size, 2, 'both sides of the tie were exercised');
  });

  it('refuses a step left unfilled, as the generic engine does', () => {
    // Sends until a message is lost, then ends with no outcome: a slip the engines must refuse.
    const slip: ProtocolDefinition<null> = {
      name: 'trial-kernel-slip',
      summary: 'test',
      outcomes: GENERALS_OUTCOMES,
      exactNote: '',
      usesRounds: false,
      parameters: [],
      configure: () => null,
      stateSize: () => 2,
      init: (state) => state.fill(0),
      next(state, _config, step) {
        if (state[1] === 0) {
          step.kind = SEND;
          step.direction = A_TO_B;
          step.round = state[0]! + 1;
        } else step.kind = END;
      },
      resolve(state, _config, _step, result) {
        state[0]!++;
        state[1] = result === 1 ? 0 : 1;
      },
      describe: () => '',
    };
    registerProtocol(slip);
    const model = buildCellModel({ protocol: slip.name, channel: 'bernoulli', params: { loss: 0.5, redundancy: 1 } });
    const generic = (): unknown => runBlockGeneric(model, blockStream('slip', 'x', 0), 5000);
    const message = /END\) without an outcome/;
    assert.throws(generic, message);
    assert.throws(() => trialKernelFor(model)(blockState('slip', 'x', 0), 5000), message);
  });
});
