// @ts-check
/**
 * The built-in two-phase commit, written as a protocol file: `npm run bench` runs W4 with it
 * beside the built-in one, to show that a protocol file with many parties runs at a built-in
 * protocol's rate. Its parameters are named as three-phase-commit.mjs names them (`cohorts`,
 * `noVoteRate`), since `participants` and `abortRate` belong to the built-in, and each phase's
 * round limit is `phaseRounds` (the contract's `rounds` bounds every send's round, and phase 2
 * runs after phase 1).
 *
 * Written the fast way (docs/writing-a-protocol.md, "Writing a fast protocol"): each per-cohort
 * flag is a bit set (cohort i is bit i & 31 of word i >> 5), so `next` finds the next cohort
 * with one Math.clz32 instead of a scan, and `resolveRun` applies a whole run of cohorts in a few
 * word operations.
 *
 * @type {import('twogenerals/protocol').ProtocolFactory}
 */
export default ({ SEND, CHOOSE, END, A_TO_B, B_TO_A, COMMIT_OUTCOMES }) => {
  // [clock, phase (1 voting, 2 deciding, 3 done), decision (0 none, 1 commit, 2 abort), first
  // round of the phase, the clock's round (kept so that next need not divide)], then bit sets of
  // `words` words each: a cohort's state (in none of the four: idle), the votes the coordinator
  // holds (YES, NO), its acks, and "received the coordinator's message this round".
  const CLOCK = 0;
  const PHASE = 1;
  const DECISION = 2;
  const PHASE_START = 3;
  const ROUND = 4;
  const HEADER = 5;
  const SETS = 8;
  // Sets, numbered from 0; word w of set s is at HEADER + SETS * w + s (word 0 at a constant place).
  const STATE_YES = 0; // voted YES: in doubt until it hears the decision
  const STATE_NO = 1; // voted NO, aborted
  const STATE_COMMITTED = 2;
  const STATE_ABORTED = 3;
  const VOTE_YES = 4;
  const VOTE_NO = 5;
  const ACK = 6;
  const GOT = 7;
  const STATE_SETS = [STATE_YES, STATE_NO, STATE_COMMITTED, STATE_ABORTED];
  // Word 0 of each set (the only word up to 31 cohorts).
  const W_YES = HEADER + STATE_YES;
  const W_NO = HEADER + STATE_NO;
  const W_COMMITTED = HEADER + STATE_COMMITTED;
  const W_ABORTED = HEADER + STATE_ABORTED;
  const W_VOTE_YES = HEADER + VOTE_YES;
  const W_VOTE_NO = HEADER + VOTE_NO;
  const W_ACK = HEADER + ACK;
  const W_GOT = HEADER + GOT;
  const COMMIT = 1;
  const RUN = 0x7fffffff; // a run names 31 peers at most

  /** Where word w of set s is. */
  const at = (s, w) => HEADER + SETS * w + s;
  /** The lowest set bit's index (x not 0). */
  const lowest = (x) => 31 - Math.clz32(x & -x);

  /** Every cohort's bit in word w. */
  function all(config, w) {
    const left = config.n - 32 * w;
    return left >= 32 ? -1 : ((1 << left) - 1) | 0; // | 0: with 31 cohorts left, (1 << 31) - 1 is -2147483649, no Int32
  }

  /** The set's bits from cohort `from` on, as a run's bits: bit b is cohort from + b. */
  function window(state, config, s, from) {
    const w = from >> 5;
    const o = from & 31;
    let bits = state[at(s, w)] >>> o;
    if (o !== 0 && w + 1 < config.words) bits |= state[at(s, w + 1)] << (32 - o);
    return bits & RUN;
  }

  /** The cohorts from `from` on that are not idle, as a run's bits. */
  const decided = (state, config, from) =>
    window(state, config, STATE_YES, from) |
    window(state, config, STATE_NO, from) |
    window(state, config, STATE_COMMITTED, from) |
    window(state, config, STATE_ABORTED, from);

  /** The first cohort from `from` on in set s, or (with `lacking`) in neither s nor t; n if there is none. */
  function firstFrom(state, config, from, lacking, s, t) {
    for (let w = from >> 5; w < config.words; w++) {
      const word = lacking ? ~(state[at(s, w)] | state[at(t, w)]) : state[at(s, w)];
      let bits = word & all(config, w);
      if (w === from >> 5) bits &= -1 << (from & 31);
      if (bits !== 0) return 32 * w + lowest(bits);
    }
    return config.n;
  }

  /** Whether cohort i is in set s. */
  const inSet = (state, s, i) => ((state[at(s, i >> 5)] >>> (i & 31)) & 1) === 1;

  /** A cohort's state: 0 idle, 1 voted YES, 2 voted NO, 3 committed, 4 aborted. */
  function cohortState(state, i) {
    for (let s = 0; s < 4; s++) if (inSet(state, STATE_SETS[s], i)) return s + 1;
    return 0;
  }

  const send = (step, direction, round, peer, label) => {
    step.kind = SEND;
    step.direction = direction;
    step.round = round;
    step.peer = peer;
    step.label = label;
  };

  function endRound(state, config, round) {
    let allVotes = true;
    let allYes = true;
    let anyNo = false;
    let allAcks = true;
    for (let w = 0; w < config.words; w++) {
      const every = all(config, w);
      const yes = state[at(VOTE_YES, w)];
      const no = state[at(VOTE_NO, w)];
      allVotes &&= (yes | no) === every;
      allYes &&= yes === every;
      anyNo ||= no !== 0;
      allAcks &&= state[at(ACK, w)] === every;
      state[at(GOT, w)] = 0;
    }
    const last = round - state[PHASE_START] + 1 >= config.rounds;
    if (state[PHASE] === 1 && (allVotes || anyNo || last)) {
      state[DECISION] = allYes ? COMMIT : 2;
      state[PHASE] = 2;
      state[PHASE_START] = round + 1;
    } else if (state[PHASE] === 2 && (allAcks || last)) state[PHASE] = 3;
  }

  function outcome(state, config) {
    let committed = false;
    let aborted = false;
    for (let w = 0; w < config.words; w++) {
      if (state[at(STATE_YES, w)] !== 0) return 2; // some cohort in doubt: blocked
      const c = state[at(STATE_COMMITTED, w)];
      committed ||= c !== 0;
      aborted ||= c !== all(config, w);
    }
    if (committed && aborted) return 3;
    return committed ? 0 : 1;
  }

  /** A run's bits (bit b: cohort from + b) as bits of word w, where from - 32 * w = o. */
  const shifted = (bits, o) => (o >= 0 ? bits << o : bits >>> -o);

  /**
   * The parts of a run of cohorts (bit b: cohort from + b) in one go, as resolve does them one
   * by one: the coordinator's message (delivered: received), or the choosers' votes (chosen: NO)
   * and every peer's reply (delivered: received). A word of each set at a time (a run of 31
   * touches two at most), every cohort of the word at once. The clock goes after the run's last part.
   */
  function resolveParts(state, config, direction, round, from, peers, choosers, delivered, chosen) {
    const base = (round - 1) * config.width;
    const last = from + 31 - Math.clz32(peers);
    const voting = state[PHASE] === 1;
    const commit = state[DECISION] === COMMIT;
    for (let w = from >> 5; w <= last >> 5; w++) {
      const o = from - 32 * w;
      const run = shifted(peers, o);
      const got = shifted(delivered, o);
      if (direction === A_TO_B) {
        state[at(GOT, w)] = (state[at(GOT, w)] & ~run) | got;
        continue;
      }
      let yes = state[at(STATE_YES, w)];
      let no = state[at(STATE_NO, w)];
      let committed = state[at(STATE_COMMITTED, w)];
      let aborted = state[at(STATE_ABORTED, w)];
      const voters = shifted(choosers, o);
      if (voters !== 0) {
        const votedNo = voters & shifted(chosen, o);
        yes = (yes & ~voters) | (voters & ~votedNo);
        no = (no & ~voters) | votedNo;
        committed &= ~voters;
        aborted &= ~voters;
      }
      if (voting) {
        const idle = run & ~(yes | no | committed | aborted); // a vote that needs no draw
        if (config.abortRate >= 1) no |= idle;
        else yes |= idle;
        state[at(VOTE_NO, w)] = (state[at(VOTE_NO, w)] & ~got) | (got & no);
        state[at(VOTE_YES, w)] = (state[at(VOTE_YES, w)] & ~got) | (got & ~no);
      } else {
        const applying = commit ? run : run & ~no; // one that voted NO stays so
        yes &= ~applying;
        no &= ~applying;
        committed &= ~applying;
        aborted &= ~applying;
        if (commit) committed |= applying;
        else aborted |= applying;
        state[at(ACK, w)] |= got;
      }
      state[at(STATE_YES, w)] = yes;
      state[at(STATE_NO, w)] = no;
      state[at(STATE_COMMITTED, w)] = committed;
      state[at(STATE_ABORTED, w)] = aborted;
    }
    state[CLOCK] = direction === A_TO_B ? base + last + 1 : base + config.n + 2 * last + 2;
  }

  return {
    name: 'two-phase-commit-file',
    sides: ['Coordinator', 'Cohort'],
    summary: 'The built-in two-phase commit, as a protocol file.',
    outcomes: COMMIT_OUTCOMES,
    usesRounds: false,
    parameters: [
      { name: 'phaseRounds', description: 'round limit of each phase', integer: true, minimum: 1, maximum: 64, default: 4 },
      // Default 2, as three-phase-commit.mjs: before every command the quick check explores the
      // default cell whole, 1,600 states with 2 cohorts (0.1 s) where 3 cohorts make 18,000 (0.8 s).
      { name: 'cohorts', description: 'cohorts of the coordinator', integer: true, minimum: 1, maximum: 64, default: 2 },
      { name: 'noVoteRate', description: 'probability that a cohort votes NO', minimum: 0, maximum: 1, default: 0 },
    ],
    configure: (params) => ({
      rounds: params.phaseRounds,
      n: params.cohorts,
      words: (params.cohorts + 31) >> 5,
      abortRate: params.noVoteRate,
      vote: Float64Array.of(1 - params.noVoteRate, params.noVoteRate),
      width: 3 * params.cohorts + 1,
      oneWord: params.cohorts <= 31,
      drawn: params.noVoteRate > 0 && params.noVoteRate < 1,
      every: params.cohorts <= 31 ? ((1 << params.cohorts) - 1) | 0 : -1, // | 0: (1 << 31) - 1 is -2147483649, which no Int32 word equals
    }),
    stateSize: ({ words }) => HEADER + SETS * words,
    init(state, config) {
      for (let i = HEADER + SETS * config.words - 1; i >= 0; i--) state[i] = 0; // a loop: fill is a call into the runtime, every trial
      state[PHASE] = 1;
      state[PHASE_START] = 1;
      state[ROUND] = 1;
    },
    // Each part of a round is one announced run (step.peers): the coordinator's message to every
    // cohort that needs it, then every cohort that received it voting (or applying the decision)
    // and replying, both done in resolve. Positions where nothing happens are passed in one move.
    // Up to 31 cohorts (W4 has 10), every set is word 0 alone (W_ indices) and a run's bits are
    // the set's shifted: next and resolveRun do what nextWords and resolveParts do, in straight
    // word operations. Each stays under V8's size for inlining a function (460 bytes of bytecode;
    // about 900 for all that one caller takes in), so that the Monte Carlo kernel takes them
    // and the round's end into its own code instead of calling them; the parts taken less often
    // (a run of replies, the outcome) are functions of their own.
    next(state, config, step) {
      if (!config.oneWord) {
        nextWords(state, config, step);
        return;
      }
      const n = config.n;
      for (;;) {
        const clock = state[CLOCK];
        const phase = state[PHASE];
        const round = state[ROUND];
        const position = clock - (round - 1) * config.width;
        if (phase === 3) {
          step.kind = END;
          step.outcome = outcomeOneWord(state, config);
          return;
        }
        if (position < n) {
          // the cohorts whose vote (phase 1) or ack (phase 2) the coordinator lacks
          const lacking = ~(phase === 1 ? state[W_VOTE_YES] | state[W_VOTE_NO] : state[W_ACK]) & config.every & (-1 << position);
          if (lacking !== 0) {
            const first = lowest(lacking);
            state[CLOCK] = clock + first - position;
            step.kind = SEND;
            step.direction = A_TO_B;
            step.round = round;
            step.peer = first;
            step.label = phase === 1 ? 'PREPARE' : state[DECISION] === COMMIT ? 'COMMIT' : 'ABORT';
            step.peers = lacking >>> first;
            return;
          }
          state[CLOCK] = clock + n - position;
        } else if (position < 3 * n) {
          const got = state[W_GOT] & (-1 << ((position - n) >> 1));
          if (got !== 0) {
            announceReplies(state, config, step, got, position, phase);
            return;
          }
          state[CLOCK] = clock + 3 * n - position;
        } else endOneWord(state, config, clock, round);
      }
    },
    resolve(state, config, step, result) {
      if (step.kind === CHOOSE) {
        const i = step.peer;
        const bit = 1 << (i & 31);
        for (const s of STATE_SETS) state[at(s, i >> 5)] &= ~bit;
        state[at(result === 0 ? STATE_YES : STATE_NO, i >> 5)] |= bit;
        state[CLOCK] = (step.round - 1) * config.width + config.n + 2 * i + 1;
      } else resolveParts(state, config, step.direction, step.round, step.peer, 1, 0, result, 0);
    },
    // A whole announced run in one call (the Monte Carlo engine's fast path): bit b of delivered
    // (chosen) is peer step.peer + b's, and the bit sets take the run in a few word operations.
    resolveRun(state, config, step, delivered, chosen) {
      const from = step.peer;
      const peers = step.peers;
      if (!config.oneWord) {
        resolveParts(state, config, step.direction, step.round, from, peers, step.choosers, delivered, chosen);
        return;
      }
      const last = from + 31 - Math.clz32(peers);
      const base = (step.round - 1) * config.width;
      if (step.direction === A_TO_B) {
        state[W_GOT] = (state[W_GOT] & ~(peers << from)) | (delivered << from);
        state[CLOCK] = base + last + 1;
      } else {
        applyReplies(state, config, peers << from, delivered << from, step.choosers << from, chosen << from);
        state[CLOCK] = base + config.n + 2 * last + 2;
      }
    },
    describe(state, config) {
      const names = ['idle', 'voted YES', 'voted NO', 'committed', 'aborted'];
      const cohorts = Array.from({ length: config.n }, (_, i) => names[cohortState(state, i)]);
      return `coordinator ${['undecided', 'decided COMMIT', 'decided ABORT'][state[DECISION]]}; cohorts: ${cohorts.join(', ')}`;
    },
  };

  /**
   * next for any number of cohorts. Each part of a round is one announced run (step.peers): the
   * coordinator's message to every cohort that needs it, then every cohort that received it
   * voting (or applying the decision) and replying, both done in resolve. Positions where
   * nothing happens are passed in one move.
   */
  function nextWords(state, config, step) {
      const n = config.n;
      for (;;) {
        const clock = state[CLOCK];
        const phase = state[PHASE];
        if (phase === 3) {
          step.kind = END;
          step.outcome = outcome(state, config);
          return;
        }
        const round = state[ROUND];
        const position = clock - (round - 1) * config.width;
        if (position < n) {
          // the cohorts whose vote (phase 1) or ack (phase 2) the coordinator lacks
          const first = phase === 1 ? firstFrom(state, config, position, true, VOTE_YES, VOTE_NO) : firstFrom(state, config, position, true, ACK, ACK);
          if (first < n) {
            const held = phase === 1 ? window(state, config, VOTE_YES, first) | window(state, config, VOTE_NO, first) : window(state, config, ACK, first);
            state[CLOCK] = clock + first - position;
            send(step, A_TO_B, round, first, phase === 1 ? 'PREPARE' : state[DECISION] === COMMIT ? 'COMMIT' : 'ABORT');
            step.peers = ~held & (n - first >= 31 ? RUN : (1 << (n - first)) - 1);
            return;
          }
          state[CLOCK] = clock + n - position;
          continue;
        }
        if (position < 3 * n) {
          const from = (position - n) >> 1;
          const replying = ((position - n) & 1) === 1;
          const first = firstFrom(state, config, from, false, GOT, GOT);
          if (first < n) {
            const peers = window(state, config, GOT, first);
            let choosers = 0;
            if (phase === 1 && config.abortRate > 0 && config.abortRate < 1) {
              choosers = peers & ~decided(state, config, first);
              if (replying && first === from) choosers &= ~1; // it has voted: this is its reply
            }
            const chooses = (choosers & 1) === 1;
            state[CLOCK] = clock + n + 2 * first + (chooses ? 0 : 1) - position;
            const no = inSet(state, STATE_NO, first) || (config.abortRate >= 1 && (decided(state, config, first) & 1) === 0);
            send(step, B_TO_A, round, first, phase === 2 ? 'ACK' : no ? 'NO' : 'YES');
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
        state[ROUND] = round + 1;
      }
  }

  /** The run of replies (with votes in phase 1) of the cohorts in `got`, from position on. */
  function announceReplies(state, config, step, got, position, phase) {
    const n = config.n;
    const first = lowest(got);
    const peers = got >>> first;
    const notIdle = (state[W_YES] | state[W_NO] | state[W_COMMITTED] | state[W_ABORTED]) >>> first;
    // the cohorts that draw their vote: those idle in phase 1, unless it is cohort `from`'s reply
    const choosers = phase === 1 && config.drawn ? peers & ~notIdle & ~(((position - n) & 1) === 1 && first === (position - n) >> 1 ? 1 : 0) : 0;
    const chooses = choosers & 1;
    state[CLOCK] += n + 2 * first + 1 - chooses - position;
    step.kind = chooses === 1 ? CHOOSE : SEND;
    step.direction = B_TO_A;
    step.round = state[ROUND];
    step.peer = first;
    step.label = chooses === 1 ? 'vote' : phase === 2 ? 'ACK' : ((state[W_NO] >>> first) & 1) === 1 || (config.abortRate >= 1 && (notIdle & 1) === 0) ? 'NO' : 'YES';
    step.choices = config.vote;
    step.peers = peers;
    step.choosers = choosers;
  }

  /** The end of a round: the coordinator decides, or a phase ends; the clock goes to the next round. */
  function endOneWord(state, config, clock, round) {
    state[W_GOT] = 0;
    state[CLOCK] = clock + 1;
    state[ROUND] = round + 1;
    const last = round - state[PHASE_START] + 1 >= config.rounds;
    if (state[PHASE] === 2) {
      if (last || state[W_ACK] === config.every) state[PHASE] = 3;
      return;
    }
    const allYes = state[W_VOTE_YES] === config.every;
    if (last || allYes || state[W_VOTE_NO] !== 0) {
      // every vote in (all YES), a NO, or the phase's last round: the coordinator decides
      state[DECISION] = allYes ? COMMIT : 2;
      state[PHASE] = 2;
      state[PHASE_START] = round + 1;
    }
  }

  function outcomeOneWord(state, config) {
    if (state[W_YES] !== 0) return 2; // some cohort in doubt: blocked
    const c = state[W_COMMITTED];
    if (c === 0) return 1;
    return c === config.every ? 0 : 3;
  }

  /** A run of replies: the voters' votes (chosen: NO), the votes or acks received (got), the decision applied. */
  function applyReplies(state, config, run, got, voters, chosen) {
    const votedNo = voters & chosen;
    let yes = (state[W_YES] & ~voters) | (voters & ~votedNo);
    let no = (state[W_NO] & ~voters) | votedNo;
    let committed = state[W_COMMITTED] & ~voters;
    let aborted = state[W_ABORTED] & ~voters;
    if (state[PHASE] === 1) {
      const idle = run & ~(yes | no | committed | aborted); // a vote that needs no draw
      if (config.abortRate >= 1) no |= idle;
      else yes |= idle;
      state[W_VOTE_NO] = (state[W_VOTE_NO] & ~got) | (got & no);
      state[W_VOTE_YES] = (state[W_VOTE_YES] & ~got) | (got & ~no);
    } else {
      const commit = state[DECISION] === COMMIT;
      const applying = commit ? run : run & ~no; // one that voted NO stays so
      yes &= ~applying;
      no &= ~applying;
      committed = commit ? committed | applying : committed & ~applying;
      aborted = commit ? aborted & ~applying : aborted | applying;
      state[W_ACK] |= got;
    }
    state[W_YES] = yes;
    state[W_NO] = no;
    state[W_COMMITTED] = committed;
    state[W_ABORTED] = aborted;
  }
};
