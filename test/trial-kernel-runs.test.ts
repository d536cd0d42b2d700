import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { A_TO_B, CHOOSE, END, GENERALS_OUTCOMES, SEND } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { buildCellModel } from '../src/engine/model.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { MemoAutomaton } from '../src/engine/montecarlo/memo-automaton.js';
import { trialKernelWith } from '../src/engine/montecarlo/trial-kernel.js';
import { generatorAt, stateWithFirstOutput } from './helpers.js';

/**
 * A run's fast path in the trial kernel gathers its parts' outcomes as bits and counts them once
 * per run, with one loop for runs with choosers and one without: on a tie with a threshold's high
 * part, both must draw the next word and decide as the generic sampler does, live and on the
 * memo walk.
 */
const P = 0.3;
const choices = Float64Array.of(P, 1 - P);

/**
 * One run of two peers, announced at clock 0: with `vote`, each peer first chooses (P, 1 - P),
 * then is sent to; without, only the sends. Outcome: the chosen bits (votes) or the delivered
 * bits (sends only). The clock counts the parts: 2·peer a choice, 2·peer + 1 a send.
 */
function twoPeerRun(name: string, vote: boolean): ProtocolDefinition<null> {
  const CLOCK = 0;
  const CHOSEN = 1;
  const DELIVERED = 2;
  return {
    name,
    summary: 'test',
    exactNote: '',
    outcomes: GENERALS_OUTCOMES,
    usesRounds: false,
    parameters: [],
    configure: () => null,
    stateSize: () => 3,
    init: (state) => state.fill(0),
    next(state, _config, step) {
      const clock = state[CLOCK]!;
      if (clock >= 4) {
        step.kind = END;
        step.outcome = vote ? state[CHOSEN]! : state[DELIVERED]!;
        return;
      }
      const peer = clock >> 1;
      const choosing = (clock & 1) === 0;
      if (!vote && choosing) {
        state[CLOCK] = clock + 1;
        return this.next(state, _config, step);
      }
      step.kind = choosing ? CHOOSE : SEND;
      step.direction = A_TO_B;
      step.round = 1;
      step.peer = peer;
      step.peers = peer === 0 ? 0b11 : 0b1;
      if (vote) {
        step.choosers = (peer === 0 ? 0b11 : 0b1) & (choosing ? -1 : ~1);
        step.choices = choices;
      }
    },
    resolve(state, _config, step, result) {
      if (step.kind === CHOOSE) {
        state[CHOSEN]! |= result << step.peer;
        state[CLOCK] = 2 * step.peer + 1;
      } else {
        state[DELIVERED]! |= result << step.peer;
        state[CLOCK] = 2 * step.peer + 2;
      }
    },
    resolveRun(state, _config, step, delivered, chosen) {
      state[CHOSEN]! |= (chosen & step.choosers) << step.peer;
      state[DELIVERED]! |= delivered << step.peer;
      state[CLOCK] = 2 * (step.peer + 31 - Math.clz32(step.peers)) + 2;
    },
    describe: () => '',
  };
}

describe('trial kernel, a run’s fast path', () => {
  for (const vote of [true, false]) {
    it(`decides a tie on the run’s first ${vote ? 'choice' : 'send'} with the next word, live and on the memo walk`, () => {
      const protocol = twoPeerRun(`tie-run-${vote ? 'vote' : 'send'}`, vote);
      registerProtocol(protocol);
      try {
        // loss P, one copy: the send's threshold is the choice's, T = ⌈P · 2^53⌉
        const model = buildCellModel({ protocol: protocol.name, channel: 'bernoulli', params: { loss: P, redundancy: 1 } });
        const high = Math.floor(Math.ceil(P * 2 ** 53) / 2 ** 22);
        const firsts = new Set<number>();
        for (let seed = 1; seed <= 12; seed++) {
          const state = stateWithFirstOutput(high * 2, seed);
          const rng = generatorAt(state);
          assert.equal(rng.nextUint32() >>> 1, high, 'the constructed state ties');
          firsts.add(rng.nextUint32() >>> 31);
          const expected = runBlockGeneric(model, generatorAt(state), 20);
          assert.deepEqual(trialKernelWith(model, null)(state, 20), expected, `seed ${seed}, live`);
          assert.deepEqual(trialKernelWith(model, new MemoAutomaton(model))(state, 20), expected, `seed ${seed}, memo walk`);
        }
        assert.equal(firsts.size, 2, 'both sides of the tie were exercised');
      } finally {
        unregister(protocol.name);
      }
    });
  }
});
