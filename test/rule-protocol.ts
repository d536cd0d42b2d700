import { A_TO_B, CHOOSE, END, GENERALS_OUTCOMES, SEND, generalsOutcome } from '../src/contract/protocol.js';
import type { ProtocolDefinition } from '../src/contract/protocol.js';

/** A protocol that keeps every rule of the contract, for the negative tests to break one rule at a time. */
export const COIN = Float64Array.of(0.5, 0.5);

/**
 * A small good protocol: A tosses a coin (state[2]), sends the order in the last round, and
 * ends. Each test breaks exactly one rule of it.
 */
export function good(name: string): ProtocolDefinition<{ rounds: number }> {
  return {
    name,
    summary: 'test',
    exactNote: 'test',
    outcomes: GENERALS_OUTCOMES,
    usesRounds: true,
    parameters: [],
    configure: (params) => ({ rounds: params.rounds }),
    stateSize: () => 3,
    init(state) {
      state.fill(0);
    },
    next(state, config, step) {
      if (state[0] === 0) {
        step.kind = CHOOSE;
        step.choices = COIN;
        step.label = 'coin';
      } else if (state[0] === 1) {
        step.kind = SEND;
        step.direction = A_TO_B;
        step.round = config.rounds;
        step.label = 'order';
      } else {
        step.kind = END;
        step.outcome = generalsOutcome(true, state[1] === 1);
      }
    },
    resolve(state, _config, step, result) {
      if (step.kind === CHOOSE) state[2] = result;
      else state[1] = result;
      state[0] = state[0]! + 1;
    },
    describe: (state) => `clock ${state[0]}`,
  };
}
