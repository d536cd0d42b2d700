// @ts-check
/**
 * TCP's three-way handshake with retransmission, over a lossy link, within R rounds. Each round:
 * (a) A, not yet holding a SYN-ACK, sends SYN; (b) B, holding a SYN but no ACK, sends SYN-ACK;
 * (c) A, having received a SYN-ACK in (b) of this round, sends ACK. A considers the connection
 * established once it holds a SYN-ACK, B once it holds the ACK.
 *
 * What it shows: A can end established while B never heard the ACK — a half-open connection,
 * the handshake's version of the Two Generals' disagreement (outcome onlyA). More rounds make it
 * rarer but never impossible: the last ACK is always unacknowledged.
 *
 * @type {import('twogenerals/protocol').ProtocolFactory}
 */
export default ({ SEND, END, A_TO_B, B_TO_A, GENERALS_OUTCOMES, generalsOutcome }) => {
  // state: [clock = 3·(round − 1) + part, A holds SYN-ACK, A got SYN-ACK this round, B holds SYN, B holds ACK]
  const CLOCK = 0;
  const A_ESTABLISHED = 1;
  const A_HEARD = 2;
  const B_SYN = 3;
  const B_ESTABLISHED = 4;
  return {
    name: 'tcp-handshake',
    summary: 'SYN, SYN-ACK, ACK with retransmission each round; a lost last ACK leaves a half-open connection.',
    outcomes: GENERALS_OUTCOMES,
    configure: (params) => ({ rounds: params.rounds }),
    stateSize: () => 5,
    init(state) {
      state.fill(0);
    },
    next(state, { rounds }, step) {
      for (;;) {
        const clock = state[CLOCK];
        const round = Math.floor(clock / 3) + 1;
        const part = clock % 3;
        if (round > rounds) {
          step.kind = END;
          step.outcome = generalsOutcome(state[A_ESTABLISHED] === 1, state[B_ESTABLISHED] === 1);
          return;
        }
        step.round = round;
        if (part === 0 && state[A_ESTABLISHED] === 0) {
          step.kind = SEND;
          step.direction = A_TO_B;
          step.label = 'SYN';
          return;
        }
        if (part === 1 && state[B_SYN] === 1 && state[B_ESTABLISHED] === 0) {
          step.kind = SEND;
          step.direction = B_TO_A;
          step.label = 'SYN-ACK';
          return;
        }
        if (part === 2 && state[A_HEARD] === 1) {
          step.kind = SEND;
          step.direction = A_TO_B;
          step.label = 'ACK';
          return;
        }
        if (part === 2) state[A_HEARD] = 0;
        state[CLOCK] = clock + 1;
      }
    },
    resolve(state, _config, _step, received) {
      const part = state[CLOCK] % 3;
      if (received === 1) {
        if (part === 0) state[B_SYN] = 1;
        else if (part === 1) {
          state[A_ESTABLISHED] = 1;
          state[A_HEARD] = 1;
        } else state[B_ESTABLISHED] = 1;
      }
      if (part === 2) state[A_HEARD] = 0;
      state[CLOCK] = state[CLOCK] + 1;
    },
    describe: (state) =>
      `A ${state[A_ESTABLISHED] ? 'established' : state[CLOCK] > 0 ? 'SYN sent' : 'closed'}; B ${state[B_ESTABLISHED] ? 'established' : state[B_SYN] ? 'SYN received' : 'listening'}`,
  };
};
