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
 * Written the fast way (docs/writing-a-protocol.md, "Writing a fast protocol"): every per-cohort
 * flag is a bit set in one Int32 word (bit i: cohort i; 16 cohorts at most), so `next` finds the
 * next cohort with one Math.clz32 instead of a scan, and a whole run of cohorts is resolved in a
 * few word operations.
 *
 * @type {import('twogenerals/protocol').ProtocolFactory}
 */
export default ({ SEND, CHOOSE, END, ROUND, A_TO_B, B_TO_A, COMMIT_OUTCOMES }) => {
  // state: [clock, coordinator (0 undecided, 1 committed, 2 aborted), coordinator crashed, then
  //         bit sets over the cohorts: its local state (in none of the four: initial), what the
  //         coordinator holds from it (YES or ACK; NO), heard the coordinator this round, crashed;
  //         and the clock's round (kept so that next need not divide)]
  const CLOCK = 0;
  const COORDINATOR = 1;
  const COORDINATOR_CRASHED = 2;
  const WAITING = 3; // voted YES
  const PREPARED = 4;
  const COMMITTED = 5;
  const ABORTED = 6;
  const HOLDS = 7; // the coordinator holds its YES (round 1) or ACK (round 2)
  const HOLDS_NO = 8;
  const HEARD = 9;
  const CRASHED = 10;
  const ROUND_NOW = 11;
  const STATE_SIZE = 12;
  const STATE_SETS = [WAITING, PREPARED, COMMITTED, ABORTED];

  /** The lowest set bit's index (x not 0). */
  const lowest = (x) => 31 - Math.clz32(x & -x);
  /** The cohorts past their initial state. */
  const decided = (state) => state[WAITING] | state[PREPARED] | state[COMMITTED] | state[ABORTED];
  /** Cohort i's local state: 0 initial, 1 voted YES, 2 prepared, 3 committed, 4 aborted. */
  const cohortState = (state, i) => {
    for (let s = 0; s < 4; s++) if (((state[STATE_SETS[s]] >>> i) & 1) === 1) return s + 1;
    return 0;
  };

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
      const n = params.cohorts;
      return { n, all: (1 << n) - 1, vote: Float64Array.of(1 - params.noVoteRate, params.noVoteRate), width: 3 * n + 1 + start, start };
    },
    stateSize: () => STATE_SIZE,
    init(state) {
      for (let i = 0; i < STATE_SIZE; i++) state[i] = 0; // a loop: fill is a call into the runtime, every trial
      state[ROUND_NOW] = 1;
    },
    // Each part of a round is announced as one run of sends (step.peers): the coordinator's
    // message to every cohort it addresses, then every cohort that heard it voting and replying.
    // resolve places the clock after the part it resolves, and a vote that needs no draw is cast
    // there, so the Monte Carlo engine may take a whole run without calling next between parts.
    // next and resolveParts stay under V8's size for inlining a function (460 bytes of bytecode,
    // about 900 for all that one caller takes in), so that the Monte Carlo kernel takes them into
    // its own code: the cohorts' run and their replies are functions of their own.
    next(state, config, step) {
      const n = config.n;
      const width = config.width;
      for (;;) {
        const clock = state[CLOCK];
        const round = state[ROUND_NOW];
        if (round > 3) {
          step.kind = END;
          step.outcome = outcome(state, config);
          return;
        }
        const position = clock - (round - 1) * width - config.start;
        if (position === -1) {
          step.kind = ROUND;
          step.round = round;
          return;
        }
        if (position < n) {
          // the coordinator's message to every cohort from `position` it addresses
          const addressed = addressedBy(state, config, round) & (-1 << position);
          if (addressed !== 0) {
            const first = lowest(addressed);
            state[CLOCK] = clock + first - position;
            step.kind = SEND;
            step.direction = A_TO_B;
            step.round = round;
            step.peer = first;
            step.peers = addressed >>> first;
            step.label = round === 1 ? 'CAN-COMMIT' : state[COORDINATOR] === 2 ? 'ABORT' : round === 2 ? 'PRE-COMMIT' : 'DO-COMMIT';
            return;
          }
          state[CLOCK] = clock + n - position;
          continue;
        }
        if (position < 3 * n) {
          if (announceReplies(state, config, step, clock, round, position)) return;
          state[CLOCK] = clock + 3 * n - position;
          continue;
        }
        endRound(state, config, round);
        state[CLOCK] = clock + 1;
        state[ROUND_NOW] = round + 1;
      }
    },
    resolve(state, config, step, result) {
      if (step.kind === ROUND)
        state[CLOCK]++; // the round's crashes are already in the state
      else if (step.kind === CHOOSE) {
        const bit = 1 << step.peer;
        for (const s of STATE_SETS) state[s] &= ~bit;
        state[result === 0 ? WAITING : ABORTED] |= bit;
        state[CLOCK] = (step.round - 1) * config.width + config.start + config.n + 2 * step.peer + 1;
      } else resolveParts(state, config, step.direction, step.round, step.peer, 1, 0, result, 0);
    },
    // A whole announced run in one call (the Monte Carlo engine's fast path): bit b of delivered
    // (chosen) is peer step.peer + b's, and the bit sets take the run in a few word operations.
    resolveRun(state, config, step, delivered, chosen) {
      resolveParts(state, config, step.direction, step.round, step.peer, step.peers, step.choosers, delivered, chosen);
    },
    roles: ['coordinator', 'cohort'],
    nodes: ({ n }) => [0, ...new Array(n).fill(1)],
    crash(state, _config, node) {
      if (node === 0) state[COORDINATOR_CRASHED] = 1;
      else state[CRASHED] |= 1 << (node - 1);
    },
    crashed: (state, _config, node) => (node === 0 ? state[COORDINATOR_CRASHED] === 1 : ((state[CRASHED] >>> (node - 1)) & 1) === 1),
    describe(state, { n }) {
      const names = ['initial', 'voted YES', 'prepared', 'committed', 'aborted'];
      const coordinator = `${['undecided', 'committed', 'aborted'][state[COORDINATOR]]}${state[COORDINATOR_CRASHED] ? ' (crashed)' : ''}`;
      const cohorts = Array.from({ length: n }, (_, i) => `${names[cohortState(state, i)]}${(state[CRASHED] >>> i) & 1 ? ' (crashed)' : ''}`);
      return `coordinator ${coordinator}; cohorts: ${cohorts.join(', ')}`;
    },
  };

  /**
   * Announces the run of every cohort from `position` that heard the coordinator: its vote
   * (round 1), then its reply; false where there is none.
   */
  function announceReplies(state, config, step, clock, round, position) {
    const n = config.n;
    const from = (position - n) >> 1;
    let voting = votingIn(state, config, round) & (-1 << from);
    if (((position - n) & 1) === 1) voting &= ~(1 << from); // cohort `from` has voted: this is its reply
    const taking = voting | (replyingIn(state, round) & (-1 << from));
    if (taking === 0) return false;
    const first = lowest(taking);
    const choosers = voting >>> first;
    const chooses = (choosers & 1) === 1;
    state[CLOCK] = clock + n + 2 * first + (chooses ? 0 : 1) - position;
    step.kind = chooses ? CHOOSE : SEND;
    step.direction = B_TO_A;
    step.round = round;
    step.peer = first;
    step.peers = taking >>> first;
    step.choosers = choosers;
    step.choices = config.vote;
    step.label = chooses ? 'vote' : round === 1 ? (((state[ABORTED] >>> first) & 1) === 1 || config.vote[1] >= 1 ? 'NO' : 'YES') : 'ACK';
    return true;
  }

  /**
   * The parts of a run of cohorts (bit b: cohort from + b) in one go, as resolve does them one by
   * one: the coordinator's message (delivered: heard), or the choosers' votes (chosen: NO) and
   * every peer's reply (delivered: received). The clock goes after the run's last part.
   */
  function resolveParts(state, config, direction, round, from, peers, choosers, delivered, chosen) {
    const base = (round - 1) * config.width + config.start;
    const last = from + 31 - Math.clz32(peers);
    const got = delivered << from;
    if (direction === A_TO_B) {
      state[HEARD] = (state[HEARD] & ~(peers << from)) | got;
      if (round >= 2) hear(state, got, round);
      state[CLOCK] = base + last + 1;
    } else {
      applyReplies(state, config, round, peers << from, got, choosers << from, chosen << from);
      state[CLOCK] = base + config.n + 2 * last + 2;
    }
  }

  /** A run of cohorts' replies: the voters' votes (chosen: NO), a vote that needs no draw, what the coordinator now holds (got). */
  function applyReplies(state, config, round, run, got, voters, chosen) {
    if (voters !== 0) {
      const no = voters & chosen;
      for (const s of STATE_SETS) state[s] &= ~voters;
      state[WAITING] |= voters & ~no;
      state[ABORTED] |= no;
    }
    if (round === 1) state[config.vote[1] >= 1 ? ABORTED : WAITING] |= run & ~decided(state); // a vote that needs no draw
    const holdsNo = round === 1 ? got & state[ABORTED] : 0;
    state[HOLDS] = (state[HOLDS] & ~got) | (got & ~holdsNo);
    state[HOLDS_NO] = (state[HOLDS_NO] & ~got) | holdsNo;
  }

  /** The cohorts the coordinator, unless crashed, sends to in this round: everyone in round 1, then those voted YES or prepared. */
  function addressedBy(state, config, round) {
    if (state[COORDINATOR_CRASHED] !== 0) return 0;
    return round === 1 ? config.all : state[WAITING] | state[PREPARED];
  }

  /** The cohorts that, having heard CAN-COMMIT, draw their vote now. */
  function votingIn(state, config, round) {
    return round === 1 && config.vote[1] > 0 && config.vote[1] < 1 ? state[HEARD] & ~decided(state) : 0;
  }

  /** The cohorts that, having heard the coordinator, reply (their vote in round 1, an ACK in round 2). */
  function replyingIn(state, round) {
    if (round > 2) return 0;
    return state[HEARD] & (round === 1 ? ~state[COMMITTED] : state[WAITING] | state[PREPARED]);
  }

  /** The cohorts `heard` hear the coordinator in round 2 or 3. */
  function hear(state, heard, round) {
    if (state[COORDINATOR] === 2) {
      const aborting = heard & (state[WAITING] | state[PREPARED]);
      state[WAITING] &= ~aborting;
      state[PREPARED] &= ~aborting;
      state[ABORTED] |= aborting;
    } else if (round === 2) {
      const preparing = heard & state[WAITING];
      state[WAITING] &= ~preparing;
      state[PREPARED] |= preparing;
    } else if (round === 3) {
      const committing = heard & state[PREPARED];
      state[PREPARED] &= ~committing;
      state[COMMITTED] |= committing;
    }
  }

  /** The end of a round: the coordinator decides, cohorts that heard nothing time out; replies are cleared. Crashed nodes do nothing. */
  function endRound(state, config, round) {
    const allHeld = (state[HOLDS] & config.all) === config.all;
    const timedOut = config.all & ~state[HEARD] & ~state[CRASHED];
    if (round === 1) {
      state[ABORTED] |= timedOut & ~decided(state); // timeout before voting
    } else if (round === 2) {
      const aborting = timedOut & state[WAITING]; // timeout waiting for PRE-COMMIT
      state[WAITING] &= ~aborting;
      state[ABORTED] |= aborting;
    } else if (round === 3) {
      const committing = timedOut & state[PREPARED]; // timeout when prepared: commit
      state[PREPARED] &= ~committing;
      state[COMMITTED] |= committing;
    }
    state[HOLDS] = 0;
    state[HOLDS_NO] = 0;
    state[HEARD] = 0;
    if (state[COORDINATOR_CRASHED] === 1) return;
    if (round === 1 && !allHeld) state[COORDINATOR] = 2;
    if (round === 2 && state[COORDINATOR] === 0 && !allHeld) state[COORDINATOR] = 2;
    if (round === 2 && state[COORDINATOR] === 0 && allHeld) state[COORDINATOR] = 1; // commits, and sends DO-COMMIT in round 3
  }

  function outcome(state, config) {
    const coordinator = state[COORDINATOR];
    const committed = coordinator === 1 || state[COMMITTED] !== 0;
    // a crashed cohort short of a decision made none
    const aborted = coordinator === 2 || (config.all & ~state[COMMITTED] & (state[ABORTED] | ~state[CRASHED])) !== 0;
    if (committed && aborted) return 3; // inconsistent
    return committed ? 0 : 1;
  }
};
