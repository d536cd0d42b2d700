import { A_TO_B, B_TO_A, CHOOSE, END, GENERALS_OUTCOMES, SEND, generalsOutcome } from '../src/contract/protocol.js';
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

/**
 * A sends in round 1; where it arrives, B tosses `coin`: the first side ends (both attack), the
 * second sends an ack in round 2 (both if it arrives, onlyB if not); lost, the trial ends
 * (onlyA). A choice of the protocol's own one of whose branches goes on.
 */
export function coinThenAck(name: string, coin: Float64Array): ProtocolDefinition<{ rounds: number }> {
  return {
    ...good(name),
    stateSize: () => 4,
    next(state, _config, step) {
      if (state[0] === 0 || (state[0] === 2 && state[2] === 1)) {
        step.kind = SEND;
        step.direction = state[0] === 0 ? A_TO_B : B_TO_A;
        step.round = state[0] === 0 ? 1 : 2;
      } else if (state[0] === 1 && state[1] === 1) {
        step.kind = CHOOSE;
        step.choices = coin;
      } else {
        step.kind = END;
        step.outcome = state[1] === 0 ? 2 : state[0] === 2 || state[3] === 1 ? 0 : 3;
      }
    },
    resolve(state, _config, _step, result) {
      state[1 + state[0]!] = result;
      state[0] = state[0]! + 1;
    },
  };
}
