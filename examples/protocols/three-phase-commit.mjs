// @ts-check
/**
 * Three-phase commit (Skeen 1981) with its timeout rules, over lossy links: a coordinator and
 * `cohorts` cohorts, three rounds.
 *
 * Round 1, CAN-COMMIT: the coordinator asks every cohort; a cohort that hears it votes (NO with
 * probability noVoteRate, aborting at once) and replies. A cohort that hears nothing times out
 * and aborts.
 * Round 2, PRE-COMMIT: with every YES vote in hand the coordinator sends PRE-COMMIT, otherwise
 * it aborts and sends ABORT. A cohort that hears PRE-COMMIT is prepared and acknowledges; one
 * that hears ABORT aborts; a cohort still waiting hears nothing, times out and aborts.
 * Round 3, DO-COMMIT: with every acknowledgement in hand the coordinator commits and sends
 * DO-COMMIT, otherwise it times out and aborts, sending ABORT. A prepared cohort that hears
 * nothing times out and commits: the rule that keeps 3PC from blocking when the coordinator
 * crashes — and that, over a lossy or partitioned link, commits a cohort while the coordinator
 * aborts. Two-phase commit would block there; three-phase commit becomes inconsistent.
 *
 * Outcomes: committed (everyone), aborted (everyone), blocked (never, listed to line up with
 * two-phase commit), inconsistent (the coordinator and some cohort decided differently).
 *
 * Crashes (node 0 the coordinator, node 1 + i cohort i): a crashed node sends nothing, decides
 * nothing more and does not time out. A crashed coordinator leaves the cohorts to their timeouts
 * (waiting: abort; prepared: commit), which is why three-phase commit does not block. Outcomes
 * count the decisions made, a crashed node's earlier one included.
 *
 * @type {import('twogenerals/protocol').ProtocolFactory}
 */
export default ({ SEND, CHOOSE, END, ROUND, A_TO_B, B_TO_A, COMMIT_OUTCOMES }) => {
  // state: [clock, coordinator (0 undecided, 1 committed, 2 aborted), coordinator crashed, then
  //         per cohort: local state, what the coordinator holds from it (0 nothing, 1 YES or ACK,
  //         2 NO), heard the coordinator this round (0/1), crashed (0/1)]
  const CLOCK = 0;
  const COORDINATOR = 1;
  const COORDINATOR_CRASHED = 2;
  const HEADER = 3;
  const FIELDS = 4;
  // cohort states
  const INITIAL = 0;
  const WAITING = 1; // voted YES
  const PREPARED = 2;
  const COMMITTED = 3;
  const ABORTED = 4;
  const at = (i, f) => HEADER + FIELDS * i + f;

  return {
    name: 'three-phase-commit',
    sides: ['Coordinator', 'Cohort'],
    summary: 'Skeen 1981: CAN-COMMIT, PRE-COMMIT, DO-COMMIT with timeouts; never blocks, but loss can make it inconsistent.',
    outcomes: COMMIT_OUTCOMES,
    usesRounds: false,
    roundLimit: () => 3, // always three rounds, whatever `rounds` says
    parameters: [
      { name: 'cohorts', description: 'cohorts of the coordinator', integer: true, minimum: 1, maximum: 16, default: 2 },
      { name: 'noVoteRate', description: 'probability that a cohort votes NO', minimum: 0, maximum: 1, default: 0 },
    ],
    configure: (params) => {
      // With crashes, position 0 of every round is its start, where the engine draws them.
      const start = params.crashes === 1 ? 1 : 0;
      return { n: params.cohorts, vote: Float64Array.of(1 - params.noVoteRate, params.noVoteRate), width: 3 * params.cohorts + 1 + start, start };
    },
    stateSize: ({ n }) => HEADER + FIELDS * n,
    init(state) {
      state.fill(0);
    },
    // Each part of a round is announced as one run of sends (step.peers): the coordinator's
    // message to every cohort it addresses, then every cohort that heard it voting and replying.
    // resolve places the clock after the part it resolves, and a vote that needs no draw is cast
    // there, so the Monte Carlo engine may take a whole run without calling next between parts.
    next(state, config, step) {
      const { n, width, start } = config;
      for (;;) {
        const clock = state[CLOCK];
        const round = Math.floor(clock / width) + 1;
        if (round > 3) {
          step.kind = END;
          step.outcome = outcome(state, n);
          return;
        }
        const position = clock - (round - 1) * width - start;
        if (position === -1) {
          step.kind = ROUND;
          step.round = round;
          return;
        }
        if (position < n) {
          // the coordinator's message to every cohort from `position` it addresses
          let peers = 0;
          let first = -1;
          for (let j = position; j < n && (first < 0 || j - first < 31); j++) {
            if (!addressed(state, j, round)) continue;
            if (first < 0) first = j;
            peers |= 1 << (j - first);
          }
          if (first >= 0) {
            state[CLOCK] = clock + first - position;
            step.kind = SEND;
            step.direction = A_TO_B;
            step.round = round;
            step.peer = first;
            step.peers = peers;
            step.label = round === 1 ? 'CAN-COMMIT' : state[COORDINATOR] === 2 ? 'ABORT' : round === 2 ? 'PRE-COMMIT' : 'DO-COMMIT';
            return;
          }
          state[CLOCK] = clock + n - position;
          continue;
        }
        if (position < 3 * n) {
          // every cohort from `position` that heard the coordinator: its vote (round 1), then its reply
          const from = (position - n) >> 1;
          const replying = (position - n) % 2 === 1;
          let peers = 0;
          let choosers = 0;
          let first = -1;
          for (let j = from; j < n && (first < 0 || j - first < 31); j++) {
            const chooses = !(replying && j === from) && votes(state, config, j, round);
            if (!chooses && !replies(state, j, round)) continue;
            if (first < 0) first = j;
            peers |= 1 << (j - first);
            if (chooses) choosers |= 1 << (j - first);
          }
          if (first >= 0) {
            const chooses = (choosers & 1) === 1;
            state[CLOCK] = clock + n + 2 * first + (chooses ? 0 : 1) - position;
            step.kind = chooses ? CHOOSE : SEND;
            step.direction = B_TO_A;
            step.round = round;
            step.peer = first;
            step.peers = peers;
            step.choosers = choosers;
            step.choices = config.vote;
            step.label = chooses ? 'vote' : round === 1 ? (state[at(first, 0)] === ABORTED || config.vote[1] >= 1 ? 'NO' : 'YES') : 'ACK';
            return;
          }
          state[CLOCK] = clock + 3 * n - position;
          continue;
        }
        endRound(state, n, round);
        state[CLOCK] = clock + 1;
      }
    },
    resolve(state, config, step, result) {
      if (step.kind === ROUND)
        state[CLOCK]++; // the round's crashes are already in the state
      else resolvePart(state, config, step.kind, step.direction, step.round, step.peer, result);
    },
    // A whole announced run in one call (the Monte Carlo engine's fast path): each part as
    // resolve does it, peer by peer; bit b of delivered (chosen) is peer step.peer + b's.
    resolveRun(state, config, step, delivered, chosen) {
      for (let rest = step.peers; rest !== 0; rest &= rest - 1) {
        const b = 31 - Math.clz32(rest & -rest);
        const i = step.peer + b;
        if ((step.choosers >>> b) & 1) resolvePart(state, config, CHOOSE, step.direction, step.round, i, (chosen >>> b) & 1);
        resolvePart(state, config, SEND, step.direction, step.round, i, (delivered >>> b) & 1);
      }
    },
    roles: ['coordinator', 'cohort'],
    nodes: ({ n }) => [0, ...new Array(n).fill(1)],
    crash(state, _config, node) {
      if (node === 0) state[COORDINATOR_CRASHED] = 1;
      else state[at(node - 1, 3)] = 1;
    },
    crashed: (state, _config, node) => (node === 0 ? state[COORDINATOR_CRASHED] === 1 : state[at(node - 1, 3)] === 1),
    describe(state, { n }) {
      const names = ['initial', 'voted YES', 'prepared', 'committed', 'aborted'];
      const coordinator = `${['undecided', 'committed', 'aborted'][state[COORDINATOR]]}${state[COORDINATOR_CRASHED] ? ' (crashed)' : ''}`;
      const cohorts = Array.from({ length: n }, (_, i) => `${names[state[at(i, 0)]]}${state[at(i, 3)] ? ' (crashed)' : ''}`);
      return `coordinator ${coordinator}; cohorts: ${cohorts.join(', ')}`;
    },
  };

  /** One part of a round, cohort i's: the coordinator's message to it, its vote, or its reply; the clock goes to the part after it. */
  function resolvePart(state, config, kind, direction, round, i, result) {
    const { n, width, start } = config;
    const base = (round - 1) * width + start;
    if (kind === SEND && direction === A_TO_B) {
      state[at(i, 2)] = result;
      if (result === 1 && round >= 2) hear(state, i, round, state[COORDINATOR]);
      state[CLOCK] = base + i + 1;
    } else if (kind === CHOOSE) {
      state[at(i, 0)] = result === 0 ? WAITING : ABORTED;
      state[CLOCK] = base + n + 2 * i + 1;
    } else {
      if (round === 1 && state[at(i, 0)] === INITIAL) state[at(i, 0)] = config.vote[1] >= 1 ? ABORTED : WAITING; // a vote that needs no draw
      if (result === 1) state[at(i, 1)] = round === 1 && state[at(i, 0)] === ABORTED ? 2 : 1;
      state[CLOCK] = base + n + 2 * i + 2;
    }
  }

  /** Whether the coordinator, unless crashed, sends to cohort i in this round: everyone in round 1, then those voted YES or prepared. */
  function addressed(state, i, round) {
    const s = state[at(i, 0)];
    return state[COORDINATOR_CRASHED] === 0 && (round === 1 || s === WAITING || s === PREPARED);
  }

  /** Whether cohort i, having heard CAN-COMMIT, draws its vote now. */
  function votes(state, config, i, round) {
    return round === 1 && state[at(i, 2)] === 1 && state[at(i, 0)] === INITIAL && config.vote[1] > 0 && config.vote[1] < 1;
  }

  /** Whether cohort i, having heard the coordinator, replies (its vote in round 1, an ACK in round 2). */
  function replies(state, i, round) {
    if (state[at(i, 2)] !== 1 || round > 2) return false;
    const s = state[at(i, 0)];
    return s === WAITING || s === PREPARED || (round === 1 && (s === ABORTED || s === INITIAL));
  }

  /** A cohort hears the coordinator in round 2 or 3. */
  function hear(state, i, round, coordinator) {
    const s = state[at(i, 0)];
    if (coordinator === 2) {
      if (s === WAITING || s === PREPARED) state[at(i, 0)] = ABORTED;
    } else if (round === 2 && s === WAITING) state[at(i, 0)] = PREPARED;
    else if (round === 3 && s === PREPARED) state[at(i, 0)] = COMMITTED;
  }

  /** The end of a round: the coordinator decides, cohorts that heard nothing time out; replies are cleared. Crashed nodes do nothing. */
  function endRound(state, n, round) {
    let allHeld = true;
    for (let i = 0; i < n; i++) {
      if (state[at(i, 1)] !== 1) allHeld = false;
      const s = state[at(i, 0)];
      const heard = state[at(i, 2)] === 1;
      if (!heard && state[at(i, 3)] === 0) {
        if (round === 1 && s === INITIAL)
          state[at(i, 0)] = ABORTED; // timeout before voting
        else if (round === 2 && s === WAITING)
          state[at(i, 0)] = ABORTED; // timeout waiting for PRE-COMMIT
        else if (round === 3 && s === PREPARED) state[at(i, 0)] = COMMITTED; // timeout when prepared: commit
      }
      state[at(i, 1)] = 0;
      state[at(i, 2)] = 0;
    }
    if (state[COORDINATOR_CRASHED] === 1) return;
    if (round === 1 && !allHeld) state[COORDINATOR] = 2;
    if (round === 2 && state[COORDINATOR] === 0 && !allHeld) state[COORDINATOR] = 2;
    if (round === 2 && state[COORDINATOR] === 0 && allHeld) state[COORDINATOR] = 1; // commits, and sends DO-COMMIT in round 3
  }

  function outcome(state, n) {
    const coordinator = state[COORDINATOR];
    let committed = coordinator === 1 ? 1 : 0;
    let aborted = coordinator === 2 ? 1 : 0;
    for (let i = 0; i < n; i++) {
      const s = state[at(i, 0)];
      if (s === COMMITTED) committed++;
      else if (s === ABORTED || state[at(i, 3)] === 0) aborted++; // a crashed cohort short of a decision made none
    }
    if (committed > 0 && aborted > 0) return 3; // inconsistent
    return committed > 0 ? 0 : 1;
  }
};
