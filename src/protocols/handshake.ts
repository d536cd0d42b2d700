import { A_TO_B, B_TO_A, END, GENERALS_OUTCOMES, SEND, generalsOutcome } from './types.js';
import type { ProtocolDefinition, ProtocolParams } from './types.js';

// state: [clock = legs resolved so far, first lost leg (0: none)]
const CLOCK = 0;
const FIRST_LOST = 1;

/**
 * The ack-of-ack regress: leg i (round i) goes A→B for odd i, B→A for even i, and is
 * dispatched iff leg i−1 was received. A general attacks iff it received every leg addressed to
 * it among legs 1..R. Once leg j is lost no later leg is dispatched, so the receivers of legs
 * j..R all miss one.
 */
export const handshake: ProtocolDefinition<ProtocolParams> = {
  name: 'handshake',
  summary: 'Ack-of-ack chain of R legs; each leg is sent iff the previous one arrived.',
  outcomes: GENERALS_OUTCOMES,
  exactNote: 'always (about 2R states)',
  parameters: [],
  usesRounds: true,
  configure: (params) => params,
  stateSize: () => 2,
  init(state) {
    state[CLOCK] = 0;
    state[FIRST_LOST] = 0;
  },
  next(state, { rounds }, step) {
    const leg = state[CLOCK]! + 1;
    if (state[FIRST_LOST] === 0 && leg <= rounds) {
      step.kind = SEND;
      step.direction = leg % 2 === 1 ? A_TO_B : B_TO_A;
      step.round = leg;
      step.label = leg === 1 ? 'order' : `ack ${leg - 1}`;
      return;
    }
    const lost = state[FIRST_LOST]!;
    // Legs lost..rounds were missed; odd legs are addressed to B, even legs to A.
    const bMissed = lost > 0 && (lost % 2 === 1 || lost + 1 <= rounds);
    const aMissed = lost > 0 && (lost % 2 === 0 || lost + 1 <= rounds);
    step.kind = END;
    step.outcome = generalsOutcome(!aMissed, !bMissed);
  },
  resolve(state, _config, _step, received) {
    const leg = state[CLOCK]! + 1;
    if (received === 0) state[FIRST_LOST] = leg;
    state[CLOCK] = leg;
  },
  describe(state) {
    const legs = state[FIRST_LOST]! > 0 ? state[FIRST_LOST]! - 1 : state[CLOCK]!;
    return legs === 0 ? 'nothing received yet' : `legs 1..${legs} received`;
  },
};
