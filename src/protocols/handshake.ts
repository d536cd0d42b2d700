import { A_TO_B, B_TO_A, END, GENERALS_OUTCOMES, ROUND, SEND, generalsOutcome, twoGeneralsCrashes } from '../contract/protocol.js';
import type { ProtocolDefinition, ProtocolParams } from '../contract/protocol.js';

// state: [clock, first leg missed (0: none), A crashed, B crashed, rounds started, rounds played]
const CLOCK = 0;
const FIRST_LOST = 1;
const CRASHED = 2; // + node: 0 is A, 1 is B
const STARTED = 4;
const PLAYED = 5;

/**
 * The ack-of-ack regress: leg i (round i) goes A→B for odd i, B→A for even i, and is
 * dispatched iff leg i−1 was received. A general attacks iff it received every leg addressed to
 * it among legs 1..R. Once leg j is lost no later leg is dispatched, so the receivers of legs
 * j..R all miss one.
 *
 * With crashes every round 1..R starts (the generals decide after round R): a leg whose sender
 * has crashed is never dispatched, one to a crashed receiver never arrives — either way the
 * first missed leg, as a loss is — and a general who crashed does not attack.
 */
export const handshake: ProtocolDefinition<ProtocolParams> = {
  name: 'handshake',
  summary: 'Ack-of-ack chain of R legs; each leg is sent iff the previous one arrived.',
  outcomes: GENERALS_OUTCOMES,
  exactNote: 'always (about 2R states)',
  parameters: [],
  usesRounds: true,
  configure: (params) => params,
  stateSize: () => 6,
  init(state) {
    state.fill(0);
  },
  next(state, { rounds, crashes }, step) {
    for (;;) {
      const leg = state[PLAYED]! + 1;
      const chainAlive = state[FIRST_LOST] === 0;
      if (leg > rounds || (!chainAlive && crashes !== 1)) break;
      if (crashes === 1 && state[STARTED]! < leg) {
        step.kind = ROUND;
        step.round = leg;
        return;
      }
      const sender = leg % 2 === 1 ? 0 : 1;
      if (chainAlive && state[CRASHED + sender] === 0) {
        step.kind = SEND;
        step.direction = sender === 0 ? A_TO_B : B_TO_A;
        step.round = leg;
        step.label = leg === 1 ? 'order' : `ack ${leg - 1}`;
        return;
      }
      if (chainAlive) state[FIRST_LOST] = leg; // its sender crashed: the leg is never dispatched
      state[PLAYED] = leg;
    }
    const lost = state[FIRST_LOST]!;
    // Legs lost..rounds were missed; odd legs are addressed to B, even legs to A.
    const bMissed = lost > 0 && (lost % 2 === 1 || lost + 1 <= rounds);
    const aMissed = lost > 0 && (lost % 2 === 0 || lost + 1 <= rounds);
    step.kind = END;
    step.outcome = generalsOutcome(!aMissed && state[CRASHED] === 0, !bMissed && state[CRASHED + 1] === 0);
  },
  resolve(state, _config, step, received) {
    if (step.kind === ROUND) state[STARTED] = step.round;
    else {
      const leg = state[PLAYED]! + 1;
      if (received === 0) state[FIRST_LOST] = leg;
      state[PLAYED] = leg;
    }
    state[CLOCK] = state[CLOCK]! + 1;
  },
  ...twoGeneralsCrashes(CRASHED),
  describe(state) {
    const legs = state[FIRST_LOST]! > 0 ? state[FIRST_LOST]! - 1 : state[PLAYED]!;
    const crashed = `${state[CRASHED] === 1 ? '; A crashed' : ''}${state[CRASHED + 1] === 1 ? '; B crashed' : ''}`;
    return `${legs === 0 ? 'nothing received yet' : `legs 1..${legs} received`}${crashed}`;
  },
};
