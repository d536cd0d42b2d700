import { A_TO_B, B_TO_A, CHOOSE, END, GENERALS_OUTCOMES, ROUND, SEND, generalsOutcome, twoGeneralsCrashes } from '../contract/protocol.js';
import type { ProtocolDefinition } from '../contract/protocol.js';

// state: [clock, A's own level, A's record of B's level, B's own level, B's record of A's level,
//         B knows the key, A's message arrived at B this round, key (0 until drawn), A crashed,
//         B crashed]
const CLOCK = 0;
const A_OWN = 1;
const A_OTHER = 2;
const B_OWN = 3;
const B_OTHER = 4;
const B_KNOWS = 5;
const B_GOT = 6;
const KEY = 7;
const CRASHED = 8; // + node: 0 is A, 1 is B

interface RandomizedConfig {
  readonly rounds: number;
  /** The key's distribution: uniform on 1..R. */
  readonly keyChoices: Float64Array;
  readonly crashes: boolean;
  /** Clock steps per round: the round's start where crashes are drawn, A's message, B's. */
  readonly width: number;
  /** Each message's label, made once: a trial of R rounds sends 2R messages and needs only a few labels. */
  readonly labels: Map<number, string>;
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
 *
 * With crashes every round starts with the crash draws; a crashed general sends nothing, updates
 * nothing and does not attack.
 */
export const randomized: ProtocolDefinition<RandomizedConfig> = {
  name: 'randomized',
  summary: 'Varghese–Lynch randomized attack: levels and a random key; disagreement at most 1/R.',
  outcomes: GENERALS_OUTCOMES,
  exactNote: 'always, on every channel (O(R²) level states: R = 1,000 in well under a second)',
  parameters: [],
  usesRounds: true,
  configure: ({ rounds, crashes }) => ({
    rounds,
    keyChoices: new Float64Array(rounds).fill(1 / rounds),
    crashes: crashes === 1,
    width: crashes === 1 ? 3 : 2,
    labels: new Map(),
  }),
  stateSize: () => 10,
  init(state) {
    state.fill(0);
    state[A_OTHER] = -1;
    state[B_OTHER] = -1;
  },
  // clock = width·(round − 1) + part: with crashes part 0 is the round's start; then A's message,
  // then B's; width·R is the decision.
  next(state, { rounds, keyChoices, crashes, width, labels }, step) {
    for (;;) {
      const clock = state[CLOCK]!;
      if (clock < width * rounds) {
        const part = (clock % width) - (crashes ? 1 : 0);
        const round = Math.floor(clock / width) + 1;
        if (part === -1) {
          step.kind = ROUND;
          step.round = round;
          return;
        }
        if (state[CRASHED + part] === 0) {
          step.kind = SEND;
          step.direction = part === 0 ? A_TO_B : B_TO_A;
          step.round = round;
          step.label =
            part === 0
              ? levelsLabel(labels, rounds, state[A_OWN]!, state[A_OTHER]!, 1)
              : levelsLabel(labels, rounds, state[B_OWN]!, state[B_OTHER]!, state[B_KNOWS]!);
          return;
        }
        // A crashed general sends nothing; the round's end still comes for the other.
        if (part === 0) state[B_GOT] = 0;
        else endRound(state, 0);
        state[CLOCK] = clock + 1;
        continue;
      }
      if (state[KEY] === 0) {
        step.kind = CHOOSE;
        step.choices = keyChoices;
        step.label = 'key';
        return;
      }
      const key = state[KEY]!;
      step.kind = END;
      step.outcome = generalsOutcome(state[CRASHED] === 0 && state[A_OWN]! >= key, state[CRASHED + 1] === 0 && state[B_KNOWS] === 1 && state[B_OWN]! >= key);
      return;
    }
  },
  resolve(state, { crashes, width }, step, result) {
    const clock = state[CLOCK]!;
    if (step.kind === CHOOSE) state[KEY] = result + 1;
    else if (step.kind === SEND) {
      if ((clock % width) - (crashes ? 1 : 0) === 0) state[B_GOT] = result;
      else endRound(state, result);
    }
    state[CLOCK] = clock + 1;
  },
  ...twoGeneralsCrashes(CRASHED),
  describe: (state) =>
    `A: level ${state[A_OWN]}, record of B ${state[A_OTHER]}; B: level ${state[B_OWN]}, record of A ${state[B_OTHER]}, ${state[B_KNOWS] ? 'knows' : 'does not know'} the key` +
    (state[KEY] ? `; key ${state[KEY]}` : '') +
    (state[CRASHED] === 1 ? '; A crashed' : '') +
    (state[CRASHED + 1] === 1 ? '; B crashed' : ''),
};

/**
 * The end of a round, `fromB` saying whether B's message reached A: both updates use the levels
 * as they stood at its start. A crashed general updates nothing (and hears nothing).
 */
function endRound(state: Int32Array, fromB: number): void {
  const [aOwn, aOther, bOwn, bOther] = [state[A_OWN]!, state[A_OTHER]!, state[B_OWN]!, state[B_OTHER]!];
  let aRecord = aOther;
  let bRecord = bOther;
  if (fromB === 1) aRecord = Math.max(aOther, bOwn); // A hears B's own level
  if (state[B_GOT] === 1) {
    bRecord = Math.max(bOther, aOwn);
    state[B_KNOWS] = 1;
  }
  if (state[CRASHED] === 0) {
    state[A_OTHER] = aRecord;
    state[A_OWN] = 1 + aRecord;
  }
  if (state[CRASHED + 1] === 0) {
    state[B_OTHER] = bRecord;
    state[B_OWN] = 1 + bRecord;
  }
  state[B_GOT] = 0;
}

/** The label of a message carrying these levels (each from −1 to R + 1), and the key if `key` is 1. */
function levelsLabel(labels: Map<number, string>, rounds: number, own: number, other: number, key: number): string {
  if (own < -1 || own > rounds + 1 || other < -1 || other > rounds + 1) return `levels ${own}/${other}${key ? ' + key' : ''}`;
  const id = ((own + 1) * (rounds + 3) + other + 1) * 2 + key;
  let label = labels.get(id);
  if (label === undefined) labels.set(id, (label = `levels ${own}/${other}${key ? ' + key' : ''}`));
  return label;
}
