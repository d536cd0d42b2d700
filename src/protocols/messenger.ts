import { A_TO_B, END, GENERALS_OUTCOMES, SEND, generalsOutcome } from './types.js';
import type { ProtocolDefinition } from './types.js';

// state: [clock, received]
const CLOCK = 0;
const RECEIVED = 1;

/** The seed's foot soldiers: A dispatches the order once; A always attacks, B iff the order arrived. */
export const messenger: ProtocolDefinition<null> = {
  name: 'messenger',
  summary: 'A sends the order once (k messengers) and attacks; B attacks iff it arrives.',
  outcomes: GENERALS_OUTCOMES,
  exactNote: 'always (3 states)',
  parameters: [],
  usesRounds: false,
  roundLimit: () => 1,
  configure: () => null,
  stateSize: () => 2,
  init(state) {
    state[CLOCK] = 0;
    state[RECEIVED] = 0;
  },
  next(state, _config, step) {
    if (state[CLOCK] === 0) {
      step.kind = SEND;
      step.direction = A_TO_B;
      step.round = 1;
      step.label = 'order';
    } else {
      step.kind = END;
      step.outcome = generalsOutcome(true, state[RECEIVED] === 1);
    }
  },
  resolve(state, _config, _step, received) {
    state[RECEIVED] = received;
    state[CLOCK] = 1;
  },
  describe: (state) => (state[RECEIVED] === 1 ? 'B holds the order' : 'B has no order'),
};
