import { A_TO_B, B_TO_A, CHOOSE, COMMIT_OUTCOMES, END, ROUND, SEND } from '../contract/protocol.js';
import { MAX_PARTICIPANTS } from '../limits.js';
import type { Direction, ProtocolDefinition, Step } from '../contract/protocol.js';

// Header: [clock, phase (1 voting, 2 deciding, 3 done), decision (0 none, 1 commit, 2 abort),
// first round of the phase, coordinator crashed]; then the cohorts as bit sets, two words each
// (cohort i is bit i & 31 of word i >> 5): a set per cohort state (none of them: IDLE), the
// votes the coordinator holds, its acks, "received the coordinator's message this round", and
// crashed. Bit sets make a run of many cohorts a few word operations (resolveRun), not a loop.
const CLOCK = 0;
const PHASE = 1;
const DECISION = 2;
const PHASE_START = 3;
const COORDINATOR_CRASHED = 4;
const WORDS = 2; // MAX_PARTICIPANTS = 64 cohorts
const SET_YES = 5; // voted YES, waiting for the decision: in doubt if it never hears it
const SET_NO = SET_YES + WORDS; // voted NO and aborted at once
const SET_COMMITTED = SET_NO + WORDS;
const SET_ABORTED = SET_COMMITTED + WORDS;
const VOTE_YES = SET_ABORTED + WORDS; // the coordinator holds a YES vote
const VOTE_NO = VOTE_YES + WORDS;
const ACK = VOTE_NO + WORDS;
const GOT = ACK + WORDS;
const CRASHED = GOT + WORDS;
// The round of the clock's position (a function of the clock, kept so next need not divide).
const CURRENT_ROUND = CRASHED + WORDS;
const STATE_SIZE = CURRENT_ROUND + 1;
// Cohort states, as describe and canonicalize number them (never IDLE: in none of the sets).
const IDLE = 0; // never received PREPARE
const YES = 1;
const NO = 2;
const COMMITTED = 3;
const ABORTED = 4;
const STATE_SETS = [SET_YES, SET_NO, SET_COMMITTED, SET_ABORTED] as const;
// Decisions.
const COMMIT = 1;
const ABORT = 2;

interface CommitConfig {
  readonly rounds: number;
  readonly participants: number;
  readonly abortRate: number;
  /** [P(YES), P(NO)] for a cohort's vote. */
  readonly vote: Float64Array;
  /** Clock steps per round: (with crashes, the round's start,) n sends, n (vote, reply) pairs, and the round's end. */
  readonly width: number;
  /** 1 where crashes are drawn: position 0 of every round is then its start. */
  readonly start: number;
  /** Every cohort's bit, by word. */
  readonly all0: number;
  readonly all1: number;
  /** canonicalize's scratch: one key per cohort. */
  readonly keys: Int32Array;
}

/** The most peers one run names: 31 bits from its first. */
const RUN = 0x7fffffff;

/**
 * Two-phase commit, the atomic-commit analogy (Gray 1978; Bernstein, Hadzilacos and Goodman,
 * Concurrency Control and Recovery in Database Systems, 1987, ch. 7): a coordinator (A's side)
 * and n cohorts (B's side). Phase 1, up to R rounds: (a) the coordinator sends PREPARE to every
 * cohort whose vote it lacks; (b) each cohort that received it votes — NO with probability
 * abortRate, drawn at its first PREPARE, aborting at once — and sends its vote. Phase 1 ends
 * early when all votes are in or a NO arrived; the decision is COMMIT iff n YES votes arrived.
 * Phase 2, from the next round, up to R rounds: (a) the decision goes to every cohort that has
 * not acknowledged it; (b) each cohort that received it applies it and acknowledges. A cohort
 * that never received PREPARE aborts unilaterally; one that voted YES and never heard the
 * decision is in doubt (blocked, holding its locks). The trial ends committed, aborted, blocked
 * or — never, which is counted, not assumed — inconsistent.
 *
 * Crashes (node 0 the coordinator, node 1 + i cohort i): a crashed cohort hears nothing, so it
 * neither votes nor acknowledges, and the coordinator, missing its vote, aborts at the phase's
 * end. A crashed coordinator sends nothing and decides nothing more, and nobody else can act,
 * so the trial ends there: a cohort that is up and voted YES is in doubt (blocked), one that
 * never heard PREPARE aborts. Outcomes count decisions: a crashed cohort's earlier decision
 * stands, and one in doubt when it crashed has made none; blocked is a cohort up and in doubt.
 */
export const twoPhaseCommit: ProtocolDefinition<CommitConfig> = {
  name: 'two-phase-commit',
  sides: ['Coordinator', 'Cohort'],
  summary: 'Coordinator and `participants` cohorts: prepare/vote, then decide/ack; cohorts can block.',
  outcomes: COMMIT_OUTCOMES,
  exactNote:
    'always on memoryless channels (bernoulli, cut: any number of cohorts, O(R²)); on gilbert-elliott small cells only (about 3 cohorts at R = 4 in a second), Monte Carlo beyond; with crashes, the generic engine (small cells)',
  usesRounds: true,
  parameters: [
    { name: 'participants', description: 'cohorts of the coordinator', integer: true, minimum: 1, maximum: MAX_PARTICIPANTS, default: 3 },
    { name: 'abortRate', description: 'probability that a cohort votes NO', minimum: 0, maximum: 1, default: 0 },
  ],
  roundLimit: (params) => 2 * params.rounds,
  configure: (params) => {
    const participants = params['participants']!;
    const abortRate = params['abortRate']!;
    const start = params['crashes'] === 1 ? 1 : 0;
    const width = 3 * participants + 1 + start;
    return {
      rounds: params.rounds,
      participants,
      abortRate,
      vote: Float64Array.of(1 - abortRate, abortRate),
      width,
      start,
      // int32 (| 0): for 31 cohorts (1 << 31) - 1 is a double, which no int32 word would equal
      all0: participants >= 32 ? -1 : ((1 << participants) - 1) | 0,
      all1: participants <= 32 ? 0 : participants >= 64 ? -1 : ((1 << (participants - 32)) - 1) | 0,
      keys: new Int32Array(participants),
    };
  },
  stateSize: () => STATE_SIZE,
  init(state) {
    for (let i = 0; i < STATE_SIZE; i++) state[i] = 0; // a loop: fill is a call into the runtime, every trial
    state[PHASE] = 1;
    state[PHASE_START] = 1;
    state[CURRENT_ROUND] = 1;
  },
  next(state, config, step) {
    // Positions where nothing happens are skipped in one move of the clock, not one call each:
    // the states and steps are the same as stepping through them one by one. Each part of a
    // round is announced as one run (step.peers): the coordinator's message to every cohort that
    // still needs it, then every cohort that received it voting (or applying the decision) and
    // replying. A cohort's vote and its applying of the decision happen in resolve, so that the
    // Monte Carlo engine may run the whole part without calling next.
    const n = config.participants;
    const width = config.width;
    let clock = state[CLOCK]!;
    let round = state[CURRENT_ROUND]!;
    let position = clock - (round - 1) * width - config.start;
    for (;;) {
      const phase = state[PHASE]!;
      if (phase === 3 || state[COORDINATOR_CRASHED] === 1) {
        state[CLOCK] = clock;
        step.kind = END;
        step.outcome = outcome(state, config);
        return;
      }
      if (position === -1) {
        state[CLOCK] = clock;
        step.kind = ROUND;
        step.round = round;
        return;
      }
      if (position < n) {
        // (a) the coordinator's message to every cohort from `position` whose vote (ack) it lacks
        const lacking0 = phase === 1 ? ~(state[VOTE_YES]! | state[VOTE_NO]!) & config.all0 : ~state[ACK]! & config.all0;
        const lacking1 = phase === 1 ? ~(state[VOTE_YES + 1]! | state[VOTE_NO + 1]!) & config.all1 : ~state[ACK + 1]! & config.all1;
        const i = firstFrom(lacking0, lacking1, position, n);
        clock += i - position;
        position = i;
        if (i < n) {
          state[CLOCK] = clock;
          send(step, A_TO_B, round, i, phase === 1 ? 'PREPARE' : state[DECISION] === COMMIT ? 'COMMIT' : 'ABORT');
          step.peers = window(lacking0, lacking1, i);
          return;
        }
      }
      if (position < 3 * n) {
        // (b) every cohort from `position` that received the coordinator's message this round:
        // first its vote, then its reply
        const got0 = state[GOT]!;
        const got1 = state[GOT + 1]!;
        let i = (position - n) >> 1;
        const reply = ((position - n) & 1) === 1;
        if (!(reply && hasBit(got0, got1, i))) {
          i = firstFrom(got0, got1, reply ? i + 1 : i, n);
          clock += n + 2 * i - position;
          position = n + 2 * i;
        }
        if (i < n) {
          const peers = window(got0, got1, i);
          let choosers = 0;
          if (phase === 1 && config.abortRate > 0 && config.abortRate < 1) {
            // every idle cohort votes first, but the one at its reply already has
            choosers = peers & ~window(decided(state, 0), decided(state, 1), i);
            if (reply) choosers &= ~1;
          }
          state[CLOCK] = clock;
          if ((choosers & 1) === 1) {
            step.kind = CHOOSE;
            step.choices = config.vote;
            step.label = 'vote';
            step.peer = i;
            step.round = round;
            step.direction = B_TO_A; // the run's sends, after the choice
          } else {
            send(step, B_TO_A, round, i, replyLabel(state, config, i));
            // a later peer of the run chooses: the step names its choice (the Monte Carlo kernel takes the run whole)
            if (choosers !== 0) step.choices = config.vote;
          }
          step.peers = peers;
          step.choosers = choosers;
          return;
        }
      }
      state[CLOCK] = clock;
      endRound(state, config, round);
      clock++;
      position = -config.start;
      round++;
      state[CURRENT_ROUND] = round;
    }
  },
  resolve(state, config, step, result) {
    // The step says whose turn it was, and so where the clock goes: the part after it in the
    // round, whether or not next was called since the part before.
    const peer = step.peer;
    const base = (step.round - 1) * config.width + config.start;
    const w = peer >> 5;
    const bit = 1 << (peer & 31);
    if (step.kind === SEND) {
      if (step.direction === A_TO_B) {
        state[GOT + w] = result === 1 ? state[GOT + w]! | bit : state[GOT + w]! & ~bit;
        state[CLOCK] = base + peer + 1;
        return;
      }
      if (state[PHASE] === 1) vote(state, config, peer, 1, result);
      else decide(state, peer, 1, result);
      state[CLOCK] = base + config.participants + 2 * peer + 2;
    } else if (step.kind === CHOOSE) {
      setState(state, w, bit, result === 0 ? SET_YES : SET_NO);
      state[CLOCK] = base + config.participants + 2 * peer + 1;
    } else state[CLOCK]!++; // ROUND: the round's crashes are already in the state
  },
  resolveRun(state, config, step, delivered, chosen) {
    // Every part of the run at once, as bit sets: what resolve does cohort by cohort.
    const first = step.peer;
    const peers = step.peers;
    const last = first + 31 - Math.clz32(peers);
    const base = (step.round - 1) * config.width + config.start;
    if (config.all1 === 0) {
      resolveNarrowRun(state, config, step, peers << first, delivered << first, chosen << first);
      state[CLOCK] = step.direction === A_TO_B ? base + last + 1 : base + config.participants + 2 * last + 2;
      return;
    }
    if (step.direction === A_TO_B) {
      clearBits(state, GOT, first, peers & ~delivered);
      orBits(state, GOT, first, delivered);
      state[CLOCK] = base + last + 1;
      return;
    }
    if (state[PHASE] === 1) {
      const choosers = step.choosers;
      if (choosers !== 0) {
        for (const set of STATE_SETS) clearBits(state, set, first, choosers);
        orBits(state, SET_NO, first, choosers & chosen);
        orBits(state, SET_YES, first, choosers & ~chosen);
      }
      vote(state, config, first, peers, delivered);
    } else decide(state, first, peers, delivered);
    state[CLOCK] = base + config.participants + 2 * last + 2;
  },
  roles: ['coordinator', 'cohort'],
  nodes: ({ participants }) => [0, ...new Array<number>(participants).fill(1)],
  crash(state, _config, node) {
    if (node === 0) state[COORDINATOR_CRASHED] = 1;
    else state[CRASHED + ((node - 1) >> 5)] = state[CRASHED + ((node - 1) >> 5)]! | (1 << ((node - 1) & 31));
  },
  crashed: (state, _config, node) => (node === 0 ? state[COORDINATOR_CRASHED] === 1 : cohortIn(state, CRASHED, node - 1)),
  describe(state, config) {
    const names = ['idle', 'voted YES', 'voted NO', 'committed', 'aborted'];
    const cohorts = Array.from({ length: config.participants }, (_, i) => `${names[cohortState(state, i)]!}${cohortIn(state, CRASHED, i) ? ' (crashed)' : ''}`);
    const decision = ['undecided', 'decided COMMIT', 'decided ABORT'][state[DECISION]!];
    return `coordinator ${decision}${state[COORDINATOR_CRASHED] === 1 ? ' (crashed)' : ''}; cohorts: ${cohorts.join(', ')}`;
  },
  canonicalize(state, config) {
    // Cohorts are interchangeable, so states that differ by a permutation of cohorts are one
    // state. Within a round, cohorts already served and those still to serve are kept apart (and
    // the one being served stays put), since the schedule treats them differently.
    const n = config.participants;
    const position = (state[CLOCK]! % config.width) - config.start;
    if (position === -1) sortCohorts(state, config, 0, n);
    else if (position < n) {
      sortCohorts(state, config, 0, position);
      sortCohorts(state, config, position, n);
    } else if (position < 3 * n) {
      const i = (position - n) >> 1;
      sortCohorts(state, config, 0, i);
      sortCohorts(state, config, (position - n) % 2 === 0 ? i : i + 1, n);
    } else sortCohorts(state, config, 0, n);
  },
};

/** Whether cohort i is in the set whose words are (word0, word1). */
function hasBit(word0: number, word1: number, i: number): boolean {
  return (((i < 32 ? word0 : word1) >>> (i & 31)) & 1) === 1;
}

/** Whether cohort i is in the set at `at`. */
function cohortIn(state: Int32Array, at: number, i: number): boolean {
  return hasBit(state[at]!, state[at + 1]!, i);
}

/** The first cohort from `from` in the set (word0, word1), or n if none is. */
function firstFrom(word0: number, word1: number, from: number, n: number): number {
  if (from >= n) return n;
  if (from < 32) {
    const low = word0 >>> from;
    if (low !== 0) return from + 31 - Math.clz32(low & -low);
    return word1 === 0 ? n : 32 + 31 - Math.clz32(word1 & -word1);
  }
  const high = word1 >>> (from - 32);
  return high === 0 ? n : from + 31 - Math.clz32(high & -high);
}

/** The set (word0, word1) from cohort `from` on, as a run's bits: bit b is cohort from + b (31 at most). */
function window(word0: number, word1: number, from: number): number {
  if (from >= 32) return (word1 >>> (from - 32)) & RUN;
  if (from === 0) return word0 & RUN;
  return ((word0 >>> from) | (word1 << (32 - from))) & RUN;
}

/** Adds the cohorts of a run's bits (bit b: cohort from + b) to the set at `at`. */
function orBits(state: Int32Array, at: number, from: number, bits: number): void {
  if (bits === 0) return;
  if (from >= 32) {
    state[at + 1] = state[at + 1]! | (bits << (from - 32));
    return;
  }
  state[at] = state[at]! | (bits << from);
  if (from > 0) state[at + 1] = state[at + 1]! | (bits >>> (32 - from));
}

/** Removes the cohorts of a run's bits from the set at `at`. */
function clearBits(state: Int32Array, at: number, from: number, bits: number): void {
  if (bits === 0) return;
  if (from >= 32) {
    state[at + 1] = state[at + 1]! & ~(bits << (from - 32));
    return;
  }
  state[at] = state[at]! & ~(bits << from);
  if (from > 0) state[at + 1] = state[at + 1]! & ~(bits >>> (32 - from));
}

/** Word w of the cohorts that are not idle (in one of the state sets). */
function decided(state: Int32Array, w: number): number {
  return state[SET_YES + w]! | state[SET_NO + w]! | state[SET_COMMITTED + w]! | state[SET_ABORTED + w]!;
}

/** Puts the cohort of `bit` in word w into the state set `set` (and out of the others). */
function setState(state: Int32Array, w: number, bit: number, set: number): void {
  for (const s of STATE_SETS) state[s + w] = state[s + w]! & ~bit;
  state[set + w] = state[set + w]! | bit;
}

/** A cohort's state, numbered as describe and canonicalize number them. */
function cohortState(state: Int32Array, i: number): number {
  if (cohortIn(state, SET_YES, i)) return YES;
  if (cohortIn(state, SET_NO, i)) return NO;
  if (cohortIn(state, SET_COMMITTED, i)) return COMMITTED;
  return cohortIn(state, SET_ABORTED, i) ? ABORTED : IDLE;
}

/**
 * Phase 1, the cohorts of `peers` (bit b: cohort from + b) reply: one still idle votes as
 * abortRate makes certain (a vote that needs no draw); the coordinator holds the votes of those
 * in `delivered`.
 */
function vote(state: Int32Array, config: CommitConfig, from: number, peers: number, delivered: number): void {
  const idle = peers & ~window(decided(state, 0), decided(state, 1), from);
  orBits(state, config.abortRate >= 1 ? SET_NO : SET_YES, from, idle);
  if (delivered === 0) return;
  const no = delivered & window(state[SET_NO]!, state[SET_NO + 1]!, from);
  const yes = delivered & ~no;
  orBits(state, VOTE_NO, from, no);
  clearBits(state, VOTE_YES, from, no);
  orBits(state, VOTE_YES, from, yes);
  clearBits(state, VOTE_NO, from, yes);
}

/** Phase 2, the cohorts of `peers` apply the decision (one that voted NO stays so); the coordinator holds the acks of `delivered`. */
function decide(state: Int32Array, from: number, peers: number, delivered: number): void {
  if (state[DECISION] === COMMIT) {
    for (const set of STATE_SETS) clearBits(state, set, from, peers);
    orBits(state, SET_COMMITTED, from, peers);
  } else {
    const aborting = peers & ~window(state[SET_NO]!, state[SET_NO + 1]!, from);
    clearBits(state, SET_YES, from, aborting);
    clearBits(state, SET_COMMITTED, from, aborting);
    orBits(state, SET_ABORTED, from, aborting);
  }
  orBits(state, ACK, from, delivered);
}

/**
 * resolveRun where every cohort's bit is in word 0 (32 cohorts or fewer): the run's peers, the
 * delivered and the chosen as cohort bits.
 */
function resolveNarrowRun(state: Int32Array, config: CommitConfig, step: Step, run: number, got: number, chosen: number): void {
  if (step.direction === A_TO_B) {
    state[GOT] = (state[GOT]! & ~run) | got;
    return;
  }
  let yes = state[SET_YES]!;
  let no = state[SET_NO]!;
  let committed = state[SET_COMMITTED]!;
  let aborted = state[SET_ABORTED]!;
  if (state[PHASE] === 1) {
    const choosers = step.choosers << step.peer;
    if (choosers !== 0) {
      committed &= ~choosers;
      aborted &= ~choosers;
      yes = (yes & ~choosers) | (choosers & ~chosen);
      no = (no & ~choosers) | (choosers & chosen);
    }
    const idle = run & ~(yes | no | committed | aborted);
    if (config.abortRate >= 1) no |= idle;
    else yes |= idle;
    const gotNo = got & no;
    const gotYes = got & ~no;
    state[VOTE_NO] = (state[VOTE_NO]! & ~gotYes) | gotNo;
    state[VOTE_YES] = (state[VOTE_YES]! & ~gotNo) | gotYes;
  } else {
    if (state[DECISION] === COMMIT) {
      yes &= ~run;
      no &= ~run;
      aborted &= ~run;
      committed |= run;
    } else {
      const aborting = run & ~no;
      yes &= ~aborting;
      committed &= ~aborting;
      aborted |= aborting;
    }
    state[ACK] = state[ACK]! | got;
  }
  state[SET_YES] = yes;
  state[SET_NO] = no;
  state[SET_COMMITTED] = committed;
  state[SET_ABORTED] = aborted;
}

/** A cohort's reply: its vote (one that has not voted yet votes as abortRate makes certain), or its ACK. */
function replyLabel(state: Int32Array, config: CommitConfig, i: number): string {
  if (state[PHASE] === 2) return 'ACK';
  const s = cohortState(state, i);
  return s === NO || (s === IDLE && config.abortRate >= 1) ? 'NO' : 'YES';
}

function send(step: Step, direction: Direction, round: number, peer: number, label: string): void {
  step.kind = SEND;
  step.direction = direction;
  step.round = round;
  step.peer = peer;
  step.label = label;
}

function endRound(state: Int32Array, config: CommitConfig, round: number): void {
  const { all0, all1 } = config;
  const yes0 = state[VOTE_YES]!;
  const yes1 = state[VOTE_YES + 1]!;
  const no0 = state[VOTE_NO]!;
  const no1 = state[VOTE_NO + 1]!;
  const allVotes = ((yes0 | no0) & all0) === all0 && ((yes1 | no1) & all1) === all1;
  const allYes = (yes0 & all0) === all0 && (yes1 & all1) === all1;
  const anyNo = (no0 | no1) !== 0;
  const allAcks = (state[ACK]! & all0) === all0 && (state[ACK + 1]! & all1) === all1;
  state[GOT] = 0;
  state[GOT + 1] = 0;
  const last = round - state[PHASE_START]! + 1 >= config.rounds;
  if (state[PHASE] === 1 && (allVotes || anyNo || last)) {
    state[DECISION] = allYes ? COMMIT : ABORT;
    state[PHASE] = 2;
    state[PHASE_START] = round + 1;
  } else if (state[PHASE] === 2 && (allAcks || last)) {
    state[PHASE] = 3;
  }
}

/**
 * The trial's outcome from the decisions made: the coordinator's, and each cohort's (committed,
 * aborted, NO; one that never heard PREPARE aborts unilaterally if it is up). A cohort up and in
 * doubt blocks; a crashed one in doubt, or never prepared, has decided nothing.
 */
function outcome(state: Int32Array, config: CommitConfig): number {
  const up0 = ~state[CRASHED]!;
  const up1 = ~state[CRASHED + 1]!;
  if (((state[SET_YES]! & up0) | (state[SET_YES + 1]! & up1)) !== 0) return 2; // blocked
  const idleUp = (~decided(state, 0) & config.all0 & up0) | (~decided(state, 1) & config.all1 & up1);
  const committed = state[DECISION] === COMMIT || (state[SET_COMMITTED]! | state[SET_COMMITTED + 1]!) !== 0;
  // NO, ABORTED, or idle and up: it never voted YES, so it aborts
  const aborted = state[DECISION] === ABORT || (state[SET_NO]! | state[SET_NO + 1]! | state[SET_ABORTED]! | state[SET_ABORTED + 1]! | idleUp) !== 0;
  if (committed && aborted) return 3; // inconsistent: must never happen
  return committed ? 0 : 1;
}

/** All of a cohort's sets, in the order canonicalize compares them: the key's digits, most significant first. */
function cohortKey(state: Int32Array, i: number): number {
  const vote = cohortIn(state, VOTE_YES, i) ? YES : cohortIn(state, VOTE_NO, i) ? NO : 0;
  const b = (at: number): number => (cohortIn(state, at, i) ? 1 : 0);
  return (((cohortState(state, i) * 3 + vote) * 2 + b(ACK)) * 2 + b(GOT)) * 2 + b(CRASHED);
}

/** Cohort i's bit in every set as `key` says. */
function writeCohort(state: Int32Array, i: number, key: number): void {
  const w = i >> 5;
  const bit = 1 << (i & 31);
  const put = (at: number, on: boolean): void => {
    state[at + w] = on ? state[at + w]! | bit : state[at + w]! & ~bit;
  };
  put(CRASHED, (key & 1) === 1);
  put(GOT, ((key >> 1) & 1) === 1);
  put(ACK, ((key >> 2) & 1) === 1);
  const rest = key >> 3;
  const vote = rest % 3;
  put(VOTE_YES, vote === YES);
  put(VOTE_NO, vote === NO);
  const s = (rest - vote) / 3;
  put(SET_YES, s === YES);
  put(SET_NO, s === NO);
  put(SET_COMMITTED, s === COMMITTED);
  put(SET_ABORTED, s === ABORTED);
}

/** Cohorts from..to−1 in ascending order of their sets (compared as cohortKey orders them): an insertion sort of their keys. */
function sortCohorts(state: Int32Array, config: CommitConfig, from: number, to: number): void {
  if (to - from < 2) return;
  const keys = config.keys;
  for (let i = from; i < to; i++) {
    const key = cohortKey(state, i);
    let j = i;
    for (; j > from && keys[j - 1]! > key; j--) keys[j] = keys[j - 1]!;
    keys[j] = key;
  }
  for (let i = from; i < to; i++) writeCohort(state, i, keys[i]!);
}
