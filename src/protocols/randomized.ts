import { A_TO_B, B_TO_A, CHOOSE, END, GENERALS_OUTCOMES, SEND, generalsOutcome } from './types.js';
import { randomizedLevels } from '../engine/exact/randomized-levels.js';
import type { ProtocolDefinition } from './types.js';

// state: [clock, A's own level, A's record of B's level, B's own level, B's record of A's level,
//         B knows the key, A's message arrived at B this round, key (0 until drawn)]
const CLOCK = 0;
const A_OWN = 1;
const A_OTHER = 2;
const B_OWN = 3;
const B_OTHER = 4;
const B_KNOWS = 5;
const B_GOT = 6;
const KEY = 7;

interface RandomizedConfig {
  readonly rounds: number;
  /** The key's distribution: uniform on 1..R. */
  readonly keyChoices: Float64Array;
}

/**
 * Randomized coordinated attack for two generals who both wish to attack (Varghese and Lynch;
 * N. Lynch, Distributed Algorithms, 1996, §5.2, RandomAttack). Each general keeps a level for
 * itself and a record of the other's (own 0, other −1). Every round both send (key if known,
 * both levels as at the start of the round); at the end of the round a general that received
 * learns the key and raises each level to the larger of its record and the message's, and then,
 * received or not, its own level becomes 1 + its record of the other's. After R rounds a general
 * attacks iff it knows the key and its own level is at least the key, uniform on 1..R.
 *
 * A draws the key before round 1; nothing the generals send or do depends on its value until the
 * decision, so it is drawn here at the decision. That is the same distribution, and it lets the
 * exact engine merge runs that differ only in the key: polynomial instead of R times larger.
 * Guarantee: for every loss pattern chosen independently of the key, P(disagreement) ≤ 1/R.
 */
export const randomized: ProtocolDefinition<RandomizedConfig> = {
  name: 'randomized',
  summary: 'Varghese–Lynch randomized attack: levels and a random key; disagreement at most 1/R.',
  outcomes: GENERALS_OUTCOMES,
  exactNote: 'always, on every channel (O(R²) level states: R = 1,000 in well under a second)',
  parameters: [],
  usesRounds: true,
  configure: ({ rounds }) => ({ rounds, keyChoices: new Float64Array(rounds).fill(1 / rounds) }),
  stateSize: () => 8,
  init(state) {
    state.fill(0);
    state[A_OTHER] = -1;
    state[B_OTHER] = -1;
  },
  // clock = 2·(round − 1) + part: part 0 is A's message, part 1 B's; 2R is the decision.
  next(state, { rounds, keyChoices }, step) {
    const clock = state[CLOCK]!;
    if (clock < 2 * rounds) {
      step.kind = SEND;
      step.direction = clock % 2 === 0 ? A_TO_B : B_TO_A;
      step.round = (clock >> 1) + 1;
      step.label =
        clock % 2 === 0 ? `levels ${state[A_OWN]}/${state[A_OTHER]} + key` : `levels ${state[B_OWN]}/${state[B_OTHER]}${state[B_KNOWS] ? ' + key' : ''}`;
      return;
    }
    if (state[KEY] === 0) {
      step.kind = CHOOSE;
      step.choices = keyChoices;
      step.label = 'key';
      return;
    }
    const key = state[KEY]!;
    step.kind = END;
    step.outcome = generalsOutcome(state[A_OWN]! >= key, state[B_KNOWS] === 1 && state[B_OWN]! >= key);
  },
  resolve(state, _config, step, result) {
    const clock = state[CLOCK]!;
    if (step.kind === CHOOSE) {
      state[KEY] = result + 1;
      state[CLOCK] = clock + 1;
      return;
    }
    if (clock % 2 === 0) {
      state[B_GOT] = result;
    } else {
      // End of the round: both updates use the levels as they stood at its start.
      const [aOwn, aOther, bOwn, bOther] = [state[A_OWN]!, state[A_OTHER]!, state[B_OWN]!, state[B_OTHER]!];
      let aRecord = aOther;
      let bRecord = bOther;
      if (result === 1) aRecord = Math.max(aOther, bOwn); // A hears B's own level
      if (state[B_GOT] === 1) {
        bRecord = Math.max(bOther, aOwn);
        state[B_KNOWS] = 1;
      }
      state[A_OTHER] = aRecord;
      state[B_OTHER] = bRecord;
      state[A_OWN] = 1 + aRecord;
      state[B_OWN] = 1 + bRecord;
      state[B_GOT] = 0;
    }
    state[CLOCK] = clock + 1;
  },
  exactSolver: (config, model, limits) => randomizedLevels(model, config.rounds, limits),
  describe: (state) =>
    `A: level ${state[A_OWN]}, record of B ${state[A_OTHER]}; B: level ${state[B_OWN]}, record of A ${state[B_OTHER]}, ${state[B_KNOWS] ? 'knows' : 'does not know'} the key` +
    (state[KEY] ? `; key ${state[KEY]}` : ''),
};
