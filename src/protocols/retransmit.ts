import { A_TO_B, B_TO_A, END, GENERALS_OUTCOMES, SEND, generalsOutcome } from './types.js';
import type { ProtocolDefinition, ProtocolParams } from './types.js';

// state: [clock = 2·(round−1) + part, B holds the order, A holds the ack, order arrived this round]
const CLOCK = 0;
const HAS_ORDER = 1;
const HAS_ACK = 2;
const ORDER_THIS_ROUND = 3;

/**
 * Repeat until acknowledged (ARQ) within R rounds. Each round has part (a), A sends
 * the order unless it holds the ack, and part (b), B acks iff the order arrived in (a) of this
 * round. A attacks iff it holds the ack, B iff it holds the order.
 */
export const retransmit: ProtocolDefinition<ProtocolParams> = {
  name: 'retransmit',
  summary: "A resends the order every round until B's ack arrives, for at most R rounds.",
  outcomes: GENERALS_OUTCOMES,
  exactNote: 'always (at most 8R states; R = 10000 in well under a second)',
  parameters: [],
  usesRounds: true,
  configure: (params) => params,
  stateSize: () => 4,
  init(state) {
    state.fill(0);
  },
  next(state, { rounds }, step) {
    for (;;) {
      const clock = state[CLOCK]!;
      const round = (clock >> 1) + 1;
      const done = state[HAS_ACK] === 1 || round > rounds;
      if (done) {
        step.kind = END;
        step.outcome = generalsOutcome(state[HAS_ACK] === 1, state[HAS_ORDER] === 1);
        return;
      }
      if ((clock & 1) === 0) {
        step.kind = SEND;
        step.direction = A_TO_B;
        step.round = round;
        step.label = 'order';
        return;
      }
      if (state[ORDER_THIS_ROUND] === 1) {
        step.kind = SEND;
        step.direction = B_TO_A;
        step.round = round;
        step.label = 'ack';
        return;
      }
      state[CLOCK] = clock + 1; // B has nothing to acknowledge this round
    }
  },
  resolve(state, _config, _step, received) {
    const clock = state[CLOCK]!;
    if ((clock & 1) === 0) {
      state[ORDER_THIS_ROUND] = received;
      if (received === 1) state[HAS_ORDER] = 1;
    } else if (received === 1) {
      state[HAS_ACK] = 1;
    }
    state[CLOCK] = clock + 1;
  },
  describe: (state) => `B ${state[HAS_ORDER] ? 'holds' : 'lacks'} the order; A ${state[HAS_ACK] ? 'holds' : 'lacks'} the ack`,
};
