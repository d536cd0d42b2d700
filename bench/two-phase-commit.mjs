// @ts-check
/**
 * The built-in two-phase commit, written as a protocol file: `npm run bench` runs W4 with it
 * beside the built-in one, to show that a protocol file with many parties runs at a built-in
 * protocol's rate. Its parameters are named as three-phase-commit.mjs names them (`cohorts`,
 * `noVoteRate`), since `participants` and `abortRate` belong to the built-in, and each phase's
 * round limit is `phaseRounds` (the contract's `rounds` bounds every send's round, and phase 2
 * runs after phase 1).
 *
 * @type {import('twogenerals/protocol').ProtocolFactory}
 */
export default ({ SEND, CHOOSE, END, A_TO_B, B_TO_A, COMMIT_OUTCOMES }) => {
  // [clock, phase (1 voting, 2 deciding, 3 done), decision (0 none, 1 commit, 2 abort), first
  // round of the phase]; then per cohort [state, vote the coordinator holds, ack, got].
  const CLOCK = 0;
  const PHASE = 1;
  const DECISION = 2;
  const PHASE_START = 3;
  const HEADER = 4;
  const FIELDS = 4;
  const STATE = 0;
  const VOTE = 1;
  const ACK = 2;
  const GOT = 3;
  const IDLE = 0;
  const YES = 1;
  const NO = 2;
  const COMMITTED = 3;
  const ABORTED = 4;
  const COMMIT = 1;
  const field = (i, f) => HEADER + FIELDS * i + f;

  const send = (step, direction, round, peer, label) => {
    step.kind = SEND;
    step.direction = direction;
    step.round = round;
    step.peer = peer;
    step.label = label;
  };

  function endRound(state, config, round) {
    const n = config.n;
    let allVotes = true;
    let allYes = true;
    let anyNo = false;
    let allAcks = true;
    for (let i = 0; i < n; i++) {
      const vote = state[field(i, VOTE)];
      allVotes &&= vote !== 0;
      allYes &&= vote === YES;
      anyNo ||= vote === NO;
      allAcks &&= state[field(i, ACK)] === 1;
      state[field(i, GOT)] = 0;
    }
    const last = round - state[PHASE_START] + 1 >= config.rounds;
    if (state[PHASE] === 1 && (allVotes || anyNo || last)) {
      state[DECISION] = allYes ? COMMIT : 2;
      state[PHASE] = 2;
      state[PHASE_START] = round + 1;
    } else if (state[PHASE] === 2 && (allAcks || last)) state[PHASE] = 3;
  }

  function outcome(state, n) {
    let committed = 0;
    let aborted = 0;
    let inDoubt = 0;
    for (let i = 0; i < n; i++) {
      const s = state[field(i, STATE)];
      if (s === COMMITTED) committed++;
      else if (s === YES) inDoubt++;
      else aborted++;
    }
    if (inDoubt > 0) return 2;
    if (committed > 0 && aborted > 0) return 3;
    return committed === n ? 0 : 1;
  }

  /** One part of a round, cohort i's: the coordinator's message to it, its vote, or its reply; the clock goes to the part after it. */
  function resolvePart(state, config, kind, direction, round, i, result) {
    const n = config.n;
    const base = (round - 1) * config.width;
    if (kind === CHOOSE) {
      state[field(i, STATE)] = result === 0 ? YES : NO;
      state[CLOCK] = base + n + 2 * i + 1;
    } else if (direction === A_TO_B) {
      state[field(i, GOT)] = result;
      state[CLOCK] = base + i + 1;
    } else {
      const s = state[field(i, STATE)];
      if (state[PHASE] === 1) {
        if (s === IDLE) state[field(i, STATE)] = config.abortRate >= 1 ? NO : YES; // a vote that needs no draw
        if (result === 1) state[field(i, VOTE)] = state[field(i, STATE)] === NO ? NO : YES;
      } else {
        state[field(i, STATE)] = state[DECISION] === COMMIT ? COMMITTED : s === NO ? NO : ABORTED;
        if (result === 1) state[field(i, ACK)] = 1;
      }
      state[CLOCK] = base + n + 2 * i + 2;
    }
  }

  return {
    name: 'two-phase-commit-file',
    sides: ['Coordinator', 'Cohort'],
    summary: 'The built-in two-phase commit, as a protocol file.',
    outcomes: COMMIT_OUTCOMES,
    usesRounds: false,
    parameters: [
      { name: 'phaseRounds', description: 'round limit of each phase', integer: true, minimum: 1, maximum: 64, default: 4 },
      { name: 'cohorts', description: 'cohorts of the coordinator', integer: true, minimum: 1, maximum: 64, default: 3 },
      { name: 'noVoteRate', description: 'probability that a cohort votes NO', minimum: 0, maximum: 1, default: 0 },
    ],
    configure: (params) => ({
      rounds: params.phaseRounds,
      n: params.cohorts,
      abortRate: params.noVoteRate,
      vote: Float64Array.of(1 - params.noVoteRate, params.noVoteRate),
      width: 3 * params.cohorts + 1,
    }),
    stateSize: ({ n }) => HEADER + FIELDS * n,
    init(state) {
      state.fill(0);
      state[PHASE] = 1;
      state[PHASE_START] = 1;
    },
    // Each part of a round is one announced run (step.peers), as in the built-in: the
    // coordinator's message to every cohort that needs it, then every cohort that received it
    // voting (or applying the decision) and replying, both done in resolve.
    next(state, config, step) {
      const n = config.n;
      for (;;) {
        const clock = state[CLOCK];
        const phase = state[PHASE];
        if (phase === 3) {
          step.kind = END;
          step.outcome = outcome(state, n);
          return;
        }
        const round = Math.floor(clock / config.width) + 1;
        const position = clock - (round - 1) * config.width;
        if (position < n) {
          const held = phase === 1 ? VOTE : ACK;
          let first = -1;
          let peers = 0;
          for (let j = position; j < n && (first < 0 || j - first < 31); j++) {
            if (state[field(j, held)] !== 0) continue;
            if (first < 0) first = j;
            peers |= 1 << (j - first);
          }
          if (first >= 0) {
            state[CLOCK] = clock + first - position;
            send(step, A_TO_B, round, first, phase === 1 ? 'PREPARE' : state[DECISION] === COMMIT ? 'COMMIT' : 'ABORT');
            step.peers = peers;
            return;
          }
          state[CLOCK] = clock + n - position;
          continue;
        }
        if (position < 3 * n) {
          const from = (position - n) >> 1;
          const replying = ((position - n) & 1) === 1;
          const voting = phase === 1 && config.abortRate > 0 && config.abortRate < 1;
          let first = -1;
          let peers = 0;
          let choosers = 0;
          for (let j = from; j < n && (first < 0 || j - first < 31); j++) {
            if (state[field(j, GOT)] !== 1) continue;
            if (first < 0) first = j;
            peers |= 1 << (j - first);
            if (voting && state[field(j, STATE)] === IDLE && !(replying && j === from)) choosers |= 1 << (j - first);
          }
          if (first >= 0) {
            const chooses = (choosers & 1) === 1;
            state[CLOCK] = clock + n + 2 * first + (chooses ? 0 : 1) - position;
            const s = state[field(first, STATE)];
            send(step, B_TO_A, round, first, phase === 2 ? 'ACK' : s === NO || (s === IDLE && config.abortRate >= 1) ? 'NO' : 'YES');
            if (chooses) {
              step.kind = CHOOSE;
              step.label = 'vote';
            }
            step.choices = config.vote;
            step.peers = peers;
            step.choosers = choosers;
            return;
          }
          state[CLOCK] = clock + 3 * n - position;
          continue;
        }
        endRound(state, config, round);
        state[CLOCK] = clock + 1;
      }
    },
    resolve(state, config, step, result) {
      resolvePart(state, config, step.kind, step.direction, step.round, step.peer, result);
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
    describe(state, config) {
      const names = ['idle', 'voted YES', 'voted NO', 'committed', 'aborted'];
      const cohorts = Array.from({ length: config.n }, (_, i) => names[state[field(i, STATE)]]);
      return `coordinator ${['undecided', 'decided COMMIT', 'decided ABORT'][state[DECISION]]}; cohorts: ${cohorts.join(', ')}`;
    },
  };
};
