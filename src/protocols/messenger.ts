import { A_TO_B, END, GENERALS_OUTCOMES, ROUND, SEND, generalsOutcome, twoGeneralsCrashes } from '../contract/protocol.js';
import type { ProtocolDefinition, ProtocolParams } from '../contract/protocol.js';

// state: [clock, received, A crashed, B crashed]
const CLOCK = 0;
const RECEIVED = 1;
const CRASHED = 2; // + node: 0 is A, 1 is B

/**
 * The seed's foot soldiers: A dispatches the order once; A always attacks, B iff the order
 * arrived. With crashes, round 1 starts (clock 0) before the order (clock 1); a general who
 * crashed does not attack, and a crashed A sends nothing.
 */
export const messenger: ProtocolDefinition<ProtocolParams | null> = {
  name: 'messenger',
  summary: 'A sends the order once (k messengers) and attacks; B attacks iff it arrives.',
  outcomes: GENERALS_OUTCOMES,
  exactNote: 'always (3 states)',
  parameters: [],
  usesRounds: false,
  roundLimit: () => 1,
  configure: (params) => params,
  stateSize: () => 4,
  init(state) {
    state.fill(0);
  },
  next(state, config, step) {
    const orderAt = config?.['crashes'] === 1 ? 1 : 0;
    const clock = state[CLOCK]!;
    if (clock < orderAt) {
      step.kind = ROUND;
      step.round = 1;
      return;
    }
    const aUp = state[CRASHED] === 0;
    if (clock === orderAt && aUp) {
      step.kind = SEND;
      step.direction = A_TO_B;
      step.round = 1;
      step.label = 'order';
    } else {
      step.kind = END;
      step.outcome = generalsOutcome(aUp, state[CRASHED + 1] === 0 && state[RECEIVED] === 1);
    }
  },
  resolve(state, _config, step, received) {
    if (step.kind === SEND) state[RECEIVED] = received;
    state[CLOCK] = state[CLOCK]! + 1;
  },
  ...twoGeneralsCrashes(CRASHED),
  describe: (state) =>
    `${state[RECEIVED] === 1 ? 'B holds the order' : 'B has no order'}${state[CRASHED] === 1 ? '; A crashed' : ''}${state[CRASHED + 1] === 1 ? '; B crashed' : ''}`,
};
