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
 * Crashes: every round 1..R starts with the engine's crash draws (the ends judge the connection
 * after round R); a crashed end sends nothing and does not count as established.
 *
 * @type {import('twogenerals/protocol').ProtocolFactory}
 */
export default ({ SEND, END, ROUND, A_TO_B, B_TO_A, GENERALS_OUTCOMES, generalsOutcome }) => {
  // state: [clock = width·(round − 1) + part, A holds SYN-ACK, A got SYN-ACK this round, B holds
  //         SYN, B holds ACK, A crashed, B crashed]
  const CLOCK = 0;
  const A_ESTABLISHED = 1;
  const A_HEARD = 2;
  const B_SYN = 3;
  const B_ESTABLISHED = 4;
  const CRASHED = 5; // + node: 0 is A, 1 is B
  return {
    name: 'tcp-handshake',
    summary: 'SYN, SYN-ACK, ACK with retransmission each round; a lost last ACK leaves a half-open connection.',
    outcomes: GENERALS_OUTCOMES,
    // With crashes, part 0 of every round is its start, where the engine draws them.
    configure: (params) => ({ rounds: params.rounds, start: params.crashes === 1 ? 1 : 0 }),
    stateSize: () => 7,
    init(state) {
      state.fill(0);
    },
    next(state, { rounds, start }, step) {
      const aUp = state[CRASHED] === 0;
      const bUp = state[CRASHED + 1] === 0;
      for (;;) {
        const clock = state[CLOCK];
        const round = Math.floor(clock / (3 + start)) + 1;
        const part = (clock % (3 + start)) - start;
        if (round > rounds) {
          step.kind = END;
          step.outcome = generalsOutcome(aUp && state[A_ESTABLISHED] === 1, bUp && state[B_ESTABLISHED] === 1);
          return;
        }
        step.round = round;
        if (part === -1) {
          step.kind = ROUND;
          return;
        }
        if (part === 0 && state[A_ESTABLISHED] === 0 && aUp) {
          step.kind = SEND;
          step.direction = A_TO_B;
          step.label = 'SYN';
          return;
        }
        if (part === 1 && state[B_SYN] === 1 && state[B_ESTABLISHED] === 0 && bUp) {
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
    resolve(state, { start }, step, received) {
      const part = step.kind === ROUND ? -1 : (state[CLOCK] % (3 + start)) - start;
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
    roles: ['A', 'B'],
    nodes: () => [0, 1],
    crash(state, _config, node) {
      state[CRASHED + node] = 1;
    },
    crashed: (state, _config, node) => state[CRASHED + node] === 1,
    describe: (state) =>
      `A ${state[A_ESTABLISHED] ? 'established' : state[CLOCK] > 0 ? 'SYN sent' : 'closed'}${state[CRASHED] ? ' (crashed)' : ''}; B ${state[B_ESTABLISHED] ? 'established' : state[B_SYN] ? 'SYN received' : 'listening'}${state[CRASHED + 1] ? ' (crashed)' : ''}`,
  };
};
