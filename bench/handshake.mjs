// @ts-check
/**
 * The built-in handshake protocol, written as a protocol file: `npm run bench` runs W3 with it
 * beside the built-in one, to show that a protocol file runs as fast as a built-in protocol.
 *
 * @type {import('twogenerals/protocol').ProtocolFactory}
 */
export default ({ SEND, END, A_TO_B, B_TO_A, GENERALS_OUTCOMES, generalsOutcome }) => ({
  name: 'handshake-file',
  summary: 'The ack-of-ack chain of R legs, as a protocol file.',
  outcomes: GENERALS_OUTCOMES,
  configure: (params) => params,
  // [legs resolved so far (the clock), first lost leg (0: none)]
  stateSize: () => 2,
  init(state) {
    state[0] = 0;
    state[1] = 0;
  },
  next(state, { rounds }, step) {
    const leg = state[0] + 1;
    if (state[1] === 0 && leg <= rounds) {
      step.kind = SEND;
      step.direction = leg % 2 === 1 ? A_TO_B : B_TO_A;
      step.round = leg;
      step.label = leg === 1 ? 'order' : `ack ${leg - 1}`;
      return;
    }
    const lost = state[1];
    const bMissed = lost > 0 && (lost % 2 === 1 || lost + 1 <= rounds);
    const aMissed = lost > 0 && (lost % 2 === 0 || lost + 1 <= rounds);
    step.kind = END;
    step.outcome = generalsOutcome(!aMissed, !bMissed);
  },
  resolve(state, _config, _step, received) {
    const leg = state[0] + 1;
    if (received === 0) state[1] = leg;
    state[0] = leg;
  },
  describe: (state) => (state[1] > 0 ? `legs 1..${state[1] - 1} received` : `legs 1..${state[0]} received`),
});
