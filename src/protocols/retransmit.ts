import { A_TO_B, B_TO_A, END, GENERALS_OUTCOMES, ROUND, SEND, generalsOutcome, twoGeneralsCrashes } from '../contract/protocol.js';
import type { ProtocolDefinition } from '../contract/protocol.js';

// state: [clock = width·(round−1) + part, B holds the order, A holds the ack, order arrived this
//         round, A crashed, B crashed]
const CLOCK = 0;
const HAS_ORDER = 1;
const HAS_ACK = 2;
const ORDER_THIS_ROUND = 3;
const CRASHED = 4; // + node: 0 is A, 1 is B

interface RetransmitConfig {
  readonly rounds: number;
  readonly crashes: boolean;
  /** Clock steps per round: the round's start where crashes are drawn, then parts (a) and (b). */
  readonly width: number;
}

/**
 * Repeat until acknowledged (ARQ) within R rounds. Each round has part (a), A sends
 * the order unless it holds the ack, and part (b), B acks iff the order arrived in (a) of this
 * round. A attacks iff it holds the ack, B iff it holds the order.
 *
 * With crashes every round 1..R starts (the generals decide after round R, so a general who
 * holds what it needs can still crash before then); a crashed general sends nothing and does
 * not attack.
 */
export const retransmit: ProtocolDefinition<RetransmitConfig> = {
  name: 'retransmit',
  summary: "A resends the order every round until B's ack arrives, for at most R rounds.",
  outcomes: GENERALS_OUTCOMES,
  exactNote: 'always (at most 8R states; R = 10000 in well under a second)',
  parameters: [],
  usesRounds: true,
  configure: ({ rounds, crashes }) => ({ rounds, crashes: crashes === 1, width: crashes === 1 ? 3 : 2 }),
  stateSize: () => 6,
  init(state) {
    state.fill(0);
  },
  next(state, { rounds, crashes, width }, step) {
    for (;;) {
      const clock = state[CLOCK]!;
      const round = Math.floor(clock / width) + 1;
      const part = (clock % width) - (crashes ? 1 : 0); // −1: the round starts
      const done = (state[HAS_ACK] === 1 && !crashes) || round > rounds;
      if (done) {
        step.kind = END;
        step.outcome = generalsOutcome(state[HAS_ACK] === 1 && state[CRASHED] === 0, state[HAS_ORDER] === 1 && state[CRASHED + 1] === 0);
        return;
      }
      if (part === -1) {
        step.kind = ROUND;
        step.round = round;
        return;
      }
      if (part === 0) {
        if (state[HAS_ACK] === 0 && state[CRASHED] === 0) {
          step.kind = SEND;
          step.direction = A_TO_B;
          step.round = round;
          step.label = 'order';
          return;
        }
        state[ORDER_THIS_ROUND] = 0; // A holds the ack or has crashed: no order this round
      } else if (state[ORDER_THIS_ROUND] === 1) {
        step.kind = SEND;
        step.direction = B_TO_A;
        step.round = round;
        step.label = 'ack';
        return;
      }
      state[CLOCK] = clock + 1; // nothing to send in this part
    }
  },
  resolve(state, { crashes, width }, step, received) {
    const clock = state[CLOCK]!;
    if (step.kind === SEND) {
      const part = (clock % width) - (crashes ? 1 : 0);
      if (part === 0) {
        state[ORDER_THIS_ROUND] = received;
        if (received === 1) state[HAS_ORDER] = 1;
      } else if (received === 1) {
        state[HAS_ACK] = 1;
      }
    }
    state[CLOCK] = clock + 1;
  },
  ...twoGeneralsCrashes(CRASHED),
  describe: (state) =>
    `B ${state[HAS_ORDER] ? 'holds' : 'lacks'} the order; A ${state[HAS_ACK] ? 'holds' : 'lacks'} the ack${state[CRASHED] === 1 ? '; A crashed' : ''}${state[CRASHED + 1] === 1 ? '; B crashed' : ''}`,
};
