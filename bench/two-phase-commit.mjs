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
        const position = clock % config.width;
        if (position < n) {
          const i = position;
          const needed = phase === 1 ? state[field(i, VOTE)] === 0 : state[field(i, ACK)] === 0;
          if (needed) return send(step, A_TO_B, round, i, phase === 1 ? 'PREPARE' : state[DECISION] === COMMIT ? 'COMMIT' : 'ABORT');
        } else if (position < 3 * n) {
          const i = (position - n) >> 1;
          if (state[field(i, GOT)] === 1) {
            if ((position - n) % 2 === 0) {
              if (phase === 1 && state[field(i, STATE)] === IDLE) {
                if (config.abortRate > 0 && config.abortRate < 1) {
                  step.kind = CHOOSE;
                  step.choices = config.vote;
                  step.label = 'vote';
                  step.peer = i;
                  return;
                }
                state[field(i, STATE)] = config.abortRate >= 1 ? NO : YES;
              } else if (phase === 2) {
                const s = state[field(i, STATE)];
                state[field(i, STATE)] = state[DECISION] === COMMIT ? COMMITTED : s === NO ? NO : ABORTED;
              }
            } else {
              const s = state[field(i, STATE)];
              return send(step, B_TO_A, round, i, phase === 1 ? (s === NO ? 'NO' : 'YES') : 'ACK');
            }
          }
        } else endRound(state, config, round);
        state[CLOCK] = clock + 1;
      }
    },
    resolve(state, config, step, result) {
      const n = config.n;
      const clock = state[CLOCK];
      const position = clock % config.width;
      if (position < n) state[field(position, GOT)] = result;
      else {
        const i = (position - n) >> 1;
        if (step.kind === CHOOSE) state[field(i, STATE)] = result === 0 ? YES : NO;
        else if (result === 1) {
          if (state[PHASE] === 1) state[field(i, VOTE)] = state[field(i, STATE)] === NO ? NO : YES;
          else state[field(i, ACK)] = 1;
        }
      }
      state[CLOCK] = clock + 1;
    },
    describe(state, config) {
      const names = ['idle', 'voted YES', 'voted NO', 'committed', 'aborted'];
      const cohorts = Array.from({ length: config.n }, (_, i) => names[state[field(i, STATE)]]);
      return `coordinator ${['undecided', 'decided COMMIT', 'decided ABORT'][state[DECISION]]}; cohorts: ${cohorts.join(', ')}`;
    },
  };
};
