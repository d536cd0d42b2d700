import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { A_TO_B, CHOOSE, END, SEND } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';
import { registerProtocol, unregister } from '../src/catalog/register.js';
import { buildCellModel } from '../src/engine/model.js';
import type { CellModel, PreparedTransmission } from '../src/engine/model.js';
import { runBlockGeneric } from '../src/engine/montecarlo/generic.js';
import { MemoAutomaton } from '../src/engine/montecarlo/memo-automaton.js';
import { trialKernelWith } from '../src/engine/montecarlo/trial-kernel.js';
import { samplingTable } from '../src/rng/sampler.js';
import { blockState, blockStream } from '../src/rng/streams.js';
import { generatorAt, protocolOf, stateWithWordAt } from './helpers.js';

/**
 * The trial kernel's drawing code (source text in trial-kernel.ts, which StrykerJS cannot mutate
 * as code: scripts/mutate-templates.mjs plants mutants in it by hand) against the generic engine
 * where it has paths of its own: a draw on a threshold's high part and one above it, at each word
 * of a trial, for a single two-way draw and a run's fast path with and without choosers; fates
 * whose first outcome is the received one, or neither received; a run of three-way choices on a
 * protocol with resolveRun; two choice tables in one trial.
 */

function cell(definition: ProtocolDefinition<null>, params: Record<string, number>): CellModel {
  registerProtocol(definition);
  try {
    return buildCellModel({ protocol: definition.name, channel: 'bernoulli', params: { redundancy: 1, ...params } });
  } finally {
    unregister(definition.name);
  }
}

/** Both walks of the trial kernel, live and through an automaton, against the generic engine from `state`. */
function assertSameDraws(model: CellModel, state: Int32Array, trials: number, where: string): void {
  const expected = runBlockGeneric(model, generatorAt(state), trials);
  assert.deepEqual(trialKernelWith(model, null)(state, trials), expected, `${where}: live`);
  assert.deepEqual(trialKernelWith(model, new MemoAutomaton(model))(state, trials), expected, `${where}: memo`);
}

/** A threshold's high part, as the sampler compares a draw's high 31 bits with it. */
const highOf = (p: number): number => Math.floor(Math.ceil(p * 2 ** 53) / 2 ** 22);

/** Two choices: the outcome is 2 × the first + the second (two tables, looked up in turn). */
const twoChoices = protocolOf('draws-two-choices', 3, {
  next(state, _config, step) {
    if (state[0] === 2) {
      step.kind = END;
      step.outcome = 2 * state[1]! + state[2]!;
      return;
    }
    step.kind = CHOOSE;
    step.choices = state[0] === 0 ? FIRST : SECOND;
  },
  resolve(state, _config, _step, result) {
    state[1 + state[0]!] = result;
    state[0]!++;
  },
});
const FIRST = Float64Array.of(0.9, 0.1);
const SECOND = Float64Array.of(0.2, 0.8);

/**
 * A run of three peers, each choosing (`choices`, where given) then sending; the outcome is the
 * number received and the choices' sum, at most 3. Positions: part p's choice 2p, its send 2p + 1 (state[0]).
 */
function run(name: string, choices: Float64Array | null): ProtocolDefinition<null> {
  return protocolOf(name, 3, {
    next(state, _config, step) {
      const clock = state[0]!;
      if (clock >= 6) {
        step.kind = END;
        step.outcome = Math.min(3, state[1]! + state[2]!);
        return;
      }
      const peer = clock >> 1;
      const rest = 0b111 >>> peer;
      const choosing = choices !== null && (clock & 1) === 0;
      step.kind = choosing ? CHOOSE : SEND;
      step.direction = A_TO_B;
      step.round = 1;
      step.peer = peer;
      step.peers = rest;
      if (choices) {
        step.choices = choices;
        step.choosers = choosing ? rest : rest & ~1;
      }
    },
    resolve(state, _config, step, result) {
      if (step.kind === CHOOSE) {
        state[2]! += result;
        state[0] = 2 * step.peer + 1;
      } else {
        state[1]! += result;
        state[0] = 2 * step.peer + 2;
      }
    },
    resolveRun(state, _config, _step, delivered, chosen) {
      state[0] = 6;
      state[1] = bits(delivered);
      state[2] = bits(chosen);
    },
  });
}

function bits(v: number): number {
  let n = 0;
  for (let rest = v; rest !== 0; rest &= rest - 1) n++;
  return n;
}

describe('trial kernel: its own drawing paths, draw for draw the generic engine', () => {
  it('a draw on a threshold’s high part (both sides of the tie) and one above it, at each of a trial’s first words', () => {
    const cells: [string, CellModel, number[]][] = [
      ['two choices', cell(twoChoices, { loss: 0.3 }), [highOf(0.9), highOf(0.2)]],
      ['a run', cell(run('draws-run', null), { loss: 0.3 }), [highOf(0.3)]],
      ['a run of choosers', cell(run('draws-choosers', Float64Array.of(0.4, 0.6)), { loss: 0.3 }), [highOf(0.3), highOf(0.4)]],
    ];
    for (const [name, model, highs] of cells) {
      for (const high of highs) {
        for (let j = 0; j < 6; j++) {
          for (const word of [2 * high, 2 * high + 1, 2 * high + 2]) {
            for (let seed = 1; seed <= 2; seed++) assertSameDraws(model, stateWithWordAt(word, seed, j), 3, `${name}: word ${j} is ${word}, seed ${seed}`);
          }
        }
      }
    }
  });

  it('a run over fates whose first outcome is the received one, or neither received', () => {
    const base = cell(run('draws-fates', null), { loss: 0.3 });
    const transmission = (probabilities: number[], received: number[], deliveryClass: number[]): PreparedTransmission => ({
      probabilities: Float64Array.from(probabilities),
      received: Uint8Array.from(received),
      delivered: Float64Array.from(deliveryClass, (c) => (c >= 0 ? 1 : 0)),
      nextState: new Int32Array(probabilities.length),
      deliveryClass: Int32Array.from(deliveryClass),
      sampling: samplingTable(probabilities),
      probabilitiesLow: new Float64Array(probabilities.length),
      deliveredMass: Float64Array.from(deliveryClass, (c, i) => (c >= 0 ? probabilities[i]! : 0)),
      deliveredMassLow: new Float64Array(probabilities.length),
    });
    for (const [name, aToB] of [
      ['received first', transmission([0.6, 0.4], [1, 0], [0, -1])],
      ['never received', transmission([0.3, 0.7], [0, 0], [-1, -1])],
      ['received both ways, in two classes', transmission([0.3, 0.7], [1, 1], [0, 1])],
    ] as const) {
      const model: CellModel = { ...base, transmissions: [aToB, base.transmissions[1]!], deliveryValues: [1, 1] };
      const state = blockState('trial-kernel-draws', name, 0);
      const expected = runBlockGeneric(model, blockStream('trial-kernel-draws', name, 0), 400);
      assert.deepEqual(trialKernelWith(model, null)(state, 400), expected, `${name}: live`);
      assert.deepEqual(trialKernelWith(model, new MemoAutomaton(model))(state, 400), expected, `${name}: memo`);
    }
  });

  it('a run that starts in a channel state its transmission leaves: its first part moves the channel, the rest draw from the new state', () => {
    const base = cell(run('draws-moving', null), { loss: 0.3 });
    const [aToB, bToA] = base.transmissions as [PreparedTransmission, PreparedTransmission];
    // state 1 (the start) sends through a transmission of loss 0.9 that leads to state 0, which sends as bernoulli
    const lossy: PreparedTransmission = {
      ...aToB,
      sampling: samplingTable([0.9, 0.1]),
      probabilities: Float64Array.of(0.9, 0.1),
      deliveryClass: Int32Array.of(-1, 2),
    };
    const channel = base.channel;
    const model: CellModel = {
      ...base,
      channel: {
        ...channel,
        transmissionFor: (config, state, direction, round) => (state === 1 ? 2 : channel.transmissionFor(config, state, direction, round)),
      },
      transmissions: [aToB, bToA, lossy],
      deliveryValues: [1, 1, 1],
      initialStates: [{ probability: 1, state: 1 }],
      dispatchOrderFree: false,
    };
    assertSameDraws(model, blockState('trial-kernel-draws', 'moving', 0), 400, 'a moving channel');
  });

  it('a run of three-way choices on a protocol with resolveRun is resolved part by part (its masks hold two outcomes)', () => {
    const model = cell(run('draws-three-way', Float64Array.of(0.3, 0.3, 0.4)), { loss: 0.3 });
    assertSameDraws(model, blockState('trial-kernel-draws', 'three-way', 0), 400, 'three-way choosers');
  });

  it('two choice tables in one trial: each step’s own', () => {
    assertSameDraws(cell(twoChoices, { loss: 0.3 }), blockState('trial-kernel-draws', 'two-tables', 0), 400, 'two tables');
  });
});
