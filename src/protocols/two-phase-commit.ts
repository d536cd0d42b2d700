import { A_TO_B, B_TO_A, CHOOSE, COMMIT_OUTCOMES, END, MAX_ANNOUNCED, ROUND, SEND } from '../contract/protocol.js';
import { MAX_PARTICIPANTS } from '../limits.js';
import type { Direction, ProtocolDefinition, Step } from '../contract/protocol.js';

// Header: [clock, phase (1 voting, 2 deciding, 3 done), decision (0 none, 1 commit, 2 abort),
// first round of the phase, coordinator crashed]; then per cohort [state, vote the coordinator
// holds, ack, got, crashed].
const CLOCK = 0;
const PHASE = 1;
const DECISION = 2;
const PHASE_START = 3;
const COORDINATOR_CRASHED = 4;
const HEADER = 5;
const FIELDS = 5;
// Cohort state, vote held by the coordinator, ack held, "received the coordinator's message
// this round", and crashed.
const STATE = 0;
const VOTE = 1;
const ACK = 2;
const GOT = 3;
const CRASHED = 4;
// Cohort states.
const IDLE = 0; // never received PREPARE
const YES = 1; // voted YES, waiting for the decision: in doubt if it never hears it
const NO = 2; // voted NO and aborted at once
const COMMITTED = 3;
const ABORTED = 4;
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
  /** 1 / width, for roundOf. */
  readonly inverse: number;
}

const field = (i: number, f: number): number => HEADER + FIELDS * i + f;

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
    return { rounds: params.rounds, participants, abortRate, vote: Float64Array.of(1 - abortRate, abortRate), width, start, inverse: 1 / width };
  },
  stateSize: ({ participants }) => HEADER + FIELDS * participants,
  init(state) {
    state.fill(0);
    state[PHASE] = 1;
    state[PHASE_START] = 1;
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
    let round = roundOf(clock, config);
    let position = clock - (round - 1) * width - config.start;
    for (;;) {
      const phase = state[PHASE]!;
      if (phase === 3 || state[COORDINATOR_CRASHED] === 1) {
        state[CLOCK] = clock;
        step.kind = END;
        step.outcome = outcome(state, n);
        return;
      }
      if (position === -1) {
        state[CLOCK] = clock;
        step.kind = ROUND;
        step.round = round;
        return;
      }
      if (position < n) {
        // (a) the coordinator's message to every cohort from `position` that still needs it
        const held = phase === 1 ? VOTE : ACK;
        let i = position;
        while (i < n && state[HEADER + FIELDS * i + held] !== 0) i++;
        clock += i - position;
        position = i;
        if (i < n) {
          let peers = 1;
          for (let j = i + 1; j < n && j - i < MAX_ANNOUNCED; j++) if (state[HEADER + FIELDS * j + held] === 0) peers |= 1 << (j - i);
          state[CLOCK] = clock;
          send(step, A_TO_B, round, i, phase === 1 ? 'PREPARE' : state[DECISION] === COMMIT ? 'COMMIT' : 'ABORT');
          step.peers = peers;
          return;
        }
      }
      if (position < 3 * n) {
        // (b) every cohort from `position` that received the coordinator's message this round:
        // first its vote, then its reply
        let i = (position - n) >> 1;
        const reply = ((position - n) & 1) === 1;
        if (!(reply && state[field(i, GOT)] === 1)) {
          if (reply) i++;
          while (i < n && state[HEADER + FIELDS * i + GOT] !== 1) i++;
          clock += n + 2 * i - position;
          position = n + 2 * i;
        }
        if (i < n) {
          let peers = 0;
          let choosers = 0;
          const voting = phase === 1 && config.abortRate > 0 && config.abortRate < 1;
          for (let j = i; j < n && j - i < MAX_ANNOUNCED; j++) {
            if (state[HEADER + FIELDS * j + GOT] !== 1) continue;
            peers |= 1 << (j - i);
            // the cohort at its reply already voted
            if (voting && state[HEADER + FIELDS * j + STATE] === IDLE && !(j === i && reply)) choosers |= 1 << (j - i);
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
    }
  },
  resolve(state, config, step, result) {
    // The step says whose turn it was, and so where the clock goes: the part after it in the
    // round, whether or not next was called since the part before.
    const peer = step.peer;
    const at = HEADER + FIELDS * peer;
    const base = (step.round - 1) * config.width + config.start;
    if (step.kind === SEND) {
      if (step.direction === A_TO_B) {
        state[at + GOT] = result;
        state[CLOCK] = base + peer + 1;
        return;
      }
      if (state[PHASE] === 1) {
        if (state[at + STATE] === IDLE) state[at + STATE] = config.abortRate >= 1 ? NO : YES; // a vote that needs no draw
        if (result === 1) state[at + VOTE] = state[at + STATE] === NO ? NO : YES;
      } else {
        const s = state[at + STATE]!;
        state[at + STATE] = state[DECISION] === COMMIT ? COMMITTED : s === NO ? NO : ABORTED;
        if (result === 1) state[at + ACK] = 1;
      }
      state[CLOCK] = base + config.participants + 2 * peer + 2;
    } else if (step.kind === CHOOSE) {
      state[at + STATE] = result === 0 ? YES : NO;
      state[CLOCK] = base + config.participants + 2 * peer + 1;
    } else state[CLOCK]!++; // ROUND: the round's crashes are already in the state
  },
  roles: ['coordinator', 'cohort'],
  nodes: ({ participants }) => [0, ...new Array<number>(participants).fill(1)],
  crash(state, _config, node) {
    if (node === 0) state[COORDINATOR_CRASHED] = 1;
    else state[field(node - 1, CRASHED)] = 1;
  },
  crashed: (state, _config, node) => (node === 0 ? state[COORDINATOR_CRASHED] === 1 : state[field(node - 1, CRASHED)] === 1),
  describe(state, config) {
    const names = ['idle', 'voted YES', 'voted NO', 'committed', 'aborted'];
    const cohorts = Array.from(
      { length: config.participants },
      (_, i) => `${names[state[field(i, STATE)]!]}${state[field(i, CRASHED)] === 1 ? ' (crashed)' : ''}`,
    );
    const decision = ['undecided', 'decided COMMIT', 'decided ABORT'][state[DECISION]!];
    return `coordinator ${decision}${state[COORDINATOR_CRASHED] === 1 ? ' (crashed)' : ''}; cohorts: ${cohorts.join(', ')}`;
  },
  canonicalize(state, config) {
    // Cohorts are interchangeable, so states that differ by a permutation of cohorts are one
    // state. Within a round, cohorts already served and those still to serve are kept apart (and
    // the one being served stays put), since the schedule treats them differently.
    const n = config.participants;
    const position = (state[CLOCK]! % config.width) - config.start;
    if (position === -1) sortCohorts(state, 0, n);
    else if (position < n) {
      sortCohorts(state, 0, position);
      sortCohorts(state, position, n);
    } else if (position < 3 * n) {
      const i = (position - n) >> 1;
      sortCohorts(state, 0, i);
      sortCohorts(state, (position - n) % 2 === 0 ? i : i + 1, n);
    } else sortCohorts(state, 0, n);
  },
};

/**
 * The round (1-based) of clock position `clock`: ⌊clock / width⌋ + 1 by one multiplication, since a
 * modulo of numbers V8 does not know to be small integers compiles to the x87 remainder, which
 * took half of a trial's time. Exact: (clock + ½) / width lies at least ½ / width from an integer,
 * far beyond the product's rounding error for any clock below 2^40.
 */
function roundOf(clock: number, config: CommitConfig): number {
  return Math.floor((clock + 0.5) * config.inverse) + 1;
}

/** A cohort's reply: its vote (one that has not voted yet votes as abortRate makes certain), or its ACK. */
function replyLabel(state: Int32Array, config: CommitConfig, i: number): string {
  if (state[PHASE] === 2) return 'ACK';
  const s = state[field(i, STATE)]!;
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
  const n = config.participants;
  let allVotes = true;
  let allYes = true;
  let anyNo = false;
  let allAcks = true;
  for (let i = 0; i < n; i++) {
    const vote = state[field(i, VOTE)]!;
    allVotes &&= vote !== 0;
    allYes &&= vote === YES;
    anyNo ||= vote === NO;
    allAcks &&= state[field(i, ACK)] === 1;
    state[field(i, GOT)] = 0;
  }
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
function outcome(state: Int32Array, n: number): number {
  let committed = state[DECISION] === COMMIT ? 1 : 0;
  let aborted = state[DECISION] === ABORT ? 1 : 0;
  let inDoubt = 0;
  for (let i = 0; i < n; i++) {
    const s = state[field(i, STATE)]!;
    const up = state[field(i, CRASHED)] === 0;
    if (s === COMMITTED) committed++;
    else if (s === YES) inDoubt += up ? 1 : 0;
    else if (s !== IDLE || up) aborted++; // NO, ABORTED, or IDLE and up: it never voted YES, so it aborts
  }
  if (inDoubt > 0) return 2; // blocked
  if (committed > 0 && aborted > 0) return 3; // inconsistent: must never happen
  return committed > 0 ? 0 : 1;
}

/** Cohorts from..to−1 in ascending order of their fields: an insertion sort in place, as a few cohorts need and no allocation. */
function sortCohorts(state: Int32Array, from: number, to: number): void {
  for (let i = from + 1; i < to; i++) for (let j = i; j > from && cohortAfter(state, j - 1, j); j--) swapCohorts(state, j - 1, j);
}

/** Whether cohort a's fields come after cohort b's, compared field by field. */
function cohortAfter(state: Int32Array, a: number, b: number): boolean {
  for (let f = 0; f < FIELDS; f++) {
    const d = state[field(a, f)]! - state[field(b, f)]!;
    if (d !== 0) return d > 0;
  }
  return false;
}

function swapCohorts(state: Int32Array, a: number, b: number): void {
  for (let f = 0; f < FIELDS; f++) {
    const t = state[field(a, f)]!;
    state[field(a, f)] = state[field(b, f)]!;
    state[field(b, f)] = t;
  }
}
