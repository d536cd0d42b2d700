import { A_TO_B, B_TO_A } from '../../contract/protocol.js';
import { twoPhaseCommit } from '../../protocols/two-phase-commit.js';
import type { SamplingTable } from '../../rng/sampler.js';
import type { CellModel } from '../model.js';
import { grownHistogram, toTally } from '../tally.js';
import type { Tally } from '../tally.js';
import { choiceTable } from './generic.js';
import type { TrialKernel } from './trial-kernel.js';

/**
 * Two-phase commit's own trial kernel, for the cells the trial kernel would otherwise run (too
 * many cohorts for the automaton) on a channel whose every send is lost or received and leaves
 * it as it is (bernoulli): a whole trial in one function, the cohorts as bit sets in local
 * variables, a round's fates as one bit mask, the generator inline. It makes exactly the generic engine's draws in its order —
 * round by round, the coordinator's message to every cohort lacking its vote (ack) in ascending
 * order, then each cohort that received it drawing its vote (when abortRate is neither 0 nor 1)
 * and its reply's fate; a tie on a threshold's high part decided by the next word — so its
 * tallies equal the generic engine's and `trace` replays any of its trials (tests hold it to
 * that on many cells). Null where it does not apply.
 */
export function commitKernelFor(model: CellModel): TrialKernel | null {
  if (kernels.has(model)) return kernels.get(model)!;
  const kernel = makeCommitKernel(model);
  kernels.set(model, kernel);
  return kernel;
}

const kernels = new WeakMap<CellModel, TrialKernel | null>();

/** The two-phase commit config fields the kernel reads. */
interface CommitCell {
  readonly rounds: number;
  readonly participants: number;
  readonly abortRate: number;
  readonly vote: Float64Array;
}

const TWO_31 = 2 ** 31;
/** Outcome indices, in COMMIT_OUTCOMES' order (contract/protocol.ts). */
const COMMITTED = 0;
const ABORTED = 1;
const BLOCKED = 2;
/** The most cohorts the kernel keeps in one word. */
const MAX_COHORTS = 31;

function makeCommitKernel(model: CellModel): TrialKernel | null {
  if (model.protocol !== twoPhaseCommit || model.crash !== null || model.replay || model.initialStates.length !== 1) return null;
  const cell = model.protocolConfig as CommitCell;
  const n = cell.participants;
  if (!(n >= 1 && n <= MAX_COHORTS && cell.rounds >= 1)) return null;
  const channelState = model.initialStates[0]!.state;
  // every send's fate, by round (1 .. 2R) and direction, from the one channel state: outcome 1
  // (received) iff the word's high 31 bits are above `highs[i]`, a tie decided by `tables[i]`
  const highs = new Int32Array(4 * cell.rounds);
  const tables: SamplingTable[] = [];
  const classes = [-1, -1]; // the delivery class of a received message, by direction
  for (let round = 1; round <= 2 * cell.rounds; round++) {
    for (const direction of [A_TO_B, B_TO_A]) {
      const tr = model.transmissions[model.channel.transmissionFor(model.channelConfig, channelState, direction, round)]!;
      const table = tr.sampling;
      if (!(table.size === 2 && table.high[0]! < TWO_31 && tr.nextState[0] === channelState && tr.nextState[1] === channelState)) return null;
      // lost, then received (bernoulli's two fates), each direction's received copies counted in one class
      if (!(tr.received[0] === 0 && tr.received[1] === 1 && tr.deliveryClass[0] === -1)) return null;
      if (round > 1 && classes[direction] !== tr.deliveryClass[1]) return null;
      classes[direction] = tr.deliveryClass[1]!;
      highs[tables.length] = table.high[0]!;
      tables.push(table);
    }
  }
  const voting = cell.abortRate > 0 && cell.abortRate < 1;
  const votes = choiceTable(cell.vote);
  if (voting && !(votes.size === 2 && votes.high[0]! < TWO_31)) return null;
  const cohorts: CommitCohorts = { n, rounds: cell.rounds, certainNo: cell.abortRate >= 1, votes: voting ? votes : null };
  return commitTrials(cohorts, highs, tables, classes as [number, number], model.outcomes.names.length, model.deliveryValues.length);
}

/** The outcome after a tie on threshold 0's high part `x`: the next word's top 22 bits decide, as the sampler does. */
function afterTie(table: SamplingTable, x: number, low22: number): number {
  return x * 2 ** 22 + low22 < table.threshold[0]! ? 0 : 1;
}

/** The cell as the trial reads it: n cohorts, R rounds a phase, the votes' table where they are drawn. */
interface CommitCohorts {
  readonly n: number;
  readonly rounds: number;
  /** abortRate 1: every cohort votes NO without a draw (abortRate 0: YES). */
  readonly certainNo: boolean;
  readonly votes: SamplingTable | null;
}

/** The set bits of a word (SWAR: a table-free popcount, ten integer operations). */
function bitCount(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

function commitTrials(
  cohorts: CommitCohorts,
  highs: Int32Array,
  tables: readonly SamplingTable[],
  classes: readonly [number, number],
  outcomeCount: number,
  deliveryCount: number,
): TrialKernel {
  const { n, rounds, certainNo, votes } = cohorts;
  const all = n === 31 ? 0x7fffffff : (1 << n) - 1;
  const voteHigh = votes ? votes.high[0]! | 0 : -1;
  const roundsAt = outcomeCount; // sums: the outcomes' counts, the rounds used, the deliveries by class
  const deliveriesAt = outcomeCount + 1;
  const receivedAt = deliveriesAt + classes[0]; // where each direction's received messages count
  const repliedAt = deliveriesAt + classes[1];
  let histogram: Float64Array = new Float64Array(0); // the block's: histogram[m], trials of m messages
  /**
   * One trial from the generator state in `state` (left after the trial's draws): its outcome,
   * rounds and deliveries added into `sums`, its messages into `histogram`. A call per trial,
   * not one loop over the block, so that V8 optimizes it on entry: a long loop is optimized on
   * the stack (OSR), and that code kept the generator's words boxed, in memory (W4 took 1.4 times the CPU time).
   */
  const trial = (state: Int32Array, sums: Float64Array): void => {
    // The generator written out at each draw (a function cannot update the four locals, and a
    // closure over its state keeps it in memory, not registers): w is the output, x its high 31
    // bits; a tie on a high part draws again.
    let s0 = state[0]!;
    let s1 = state[1]!;
    let s2 = state[2]!;
    let s3 = state[3]!;
    let w = 0;
    let x = 0;
    let sent = 0; // messages from the coordinator
    let received = 0; // of them received
    let replied = 0; // replies received
    // Phase 1, round by round until every vote is in, a NO is in, or R rounds: PREPARE to every
    // cohort whose vote the coordinator lacks; each cohort that received it votes (at its first
    // PREPARE: drawn, or as abortRate makes certain) and replies.
    let yes = 0; // cohorts that voted YES (and have not heard the decision)
    let no = 0; // cohorts that voted NO
    let votesIn = 0; // votes the coordinator holds
    let noIn = 0; // NO votes among them
    let round = 0;
    do {
      round++;
      const lacking = all & ~votesIn;
      let got = 0;
      {
        const high = highs[2 * round - 2]!;
        for (let rest = lacking; rest !== 0; rest &= rest - 1) {
          {
            const r5 = Math.imul(s1, 5);
            w = Math.imul((r5 << 7) | (r5 >>> 25), 9);
            const t9 = s1 << 9;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t9;
            s3 = (s3 << 11) | (s3 >>> 21);
          }
          x = w >>> 1;
          let k = (high - x) >> 31; // all ones iff x is above the high part: received
          if (x === high) {
            {
              const r5 = Math.imul(s1, 5);
              w = Math.imul((r5 << 7) | (r5 >>> 25), 9);
              const t9 = s1 << 9;
              s2 ^= s0;
              s3 ^= s1;
              s1 ^= s2;
              s0 ^= s3;
              s2 ^= t9;
              s3 = (s3 << 11) | (s3 >>> 21);
            }
            k = -afterTie(tables[2 * round - 2]!, x, w >>> 10);
          }
          got |= rest & -rest & k;
        }
      }
      sent += bitCount(lacking);
      if (got !== 0) {
        const high = highs[2 * round - 1]!;
        const idle = got & ~(yes | no);
        const drawing = votes === null ? 0 : idle;
        let noes = 0;
        let delivered = 0;
        for (let rest = got; rest !== 0; rest &= rest - 1) {
          const bit = rest & -rest;
          if ((drawing & bit) !== 0) {
            {
              const r5 = Math.imul(s1, 5);
              w = Math.imul((r5 << 7) | (r5 >>> 25), 9);
              const t9 = s1 << 9;
              s2 ^= s0;
              s3 ^= s1;
              s1 ^= s2;
              s0 ^= s3;
              s2 ^= t9;
              s3 = (s3 << 11) | (s3 >>> 21);
            }
            x = w >>> 1;
            let k = (voteHigh - x) >> 31; // all ones: NO
            if (x === voteHigh) {
              {
                const r5 = Math.imul(s1, 5);
                w = Math.imul((r5 << 7) | (r5 >>> 25), 9);
                const t9 = s1 << 9;
                s2 ^= s0;
                s3 ^= s1;
                s1 ^= s2;
                s0 ^= s3;
                s2 ^= t9;
                s3 = (s3 << 11) | (s3 >>> 21);
              }
              k = -afterTie(votes!, x, w >>> 10);
            }
            noes |= bit & k;
          }
          {
            const r5 = Math.imul(s1, 5);
            w = Math.imul((r5 << 7) | (r5 >>> 25), 9);
            const t9 = s1 << 9;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t9;
            s3 = (s3 << 11) | (s3 >>> 21);
          }
          x = w >>> 1;
          let k = (high - x) >> 31;
          if (x === high) {
            {
              const r5 = Math.imul(s1, 5);
              w = Math.imul((r5 << 7) | (r5 >>> 25), 9);
              const t9 = s1 << 9;
              s2 ^= s0;
              s3 ^= s1;
              s1 ^= s2;
              s0 ^= s3;
              s2 ^= t9;
              s3 = (s3 << 11) | (s3 >>> 21);
            }
            k = -afterTie(tables[2 * round - 1]!, x, w >>> 10);
          }
          delivered |= bit & k;
        }
        if (votes === null) noes = certainNo ? idle : 0;
        no |= noes;
        yes |= idle & ~noes;
        received += bitCount(got);
        replied += bitCount(delivered);
        votesIn |= delivered;
        noIn |= delivered & no;
      }
    } while (votesIn !== all && noIn === 0 && round < rounds);
    // Phase 2, up to R rounds until every ack is in: the decision to every cohort whose ack the
    // coordinator lacks; each that received it acts on it and acks.
    const commit = votesIn === all && noIn === 0;
    let heard = 0; // cohorts that received the decision
    let acks = 0;
    const end = round + rounds;
    do {
      round++;
      const lacking = all & ~acks;
      let got = 0;
      {
        const high = highs[2 * round - 2]!;
        for (let rest = lacking; rest !== 0; rest &= rest - 1) {
          {
            const r5 = Math.imul(s1, 5);
            w = Math.imul((r5 << 7) | (r5 >>> 25), 9);
            const t9 = s1 << 9;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t9;
            s3 = (s3 << 11) | (s3 >>> 21);
          }
          x = w >>> 1;
          let k = (high - x) >> 31; // all ones iff x is above the high part: received
          if (x === high) {
            {
              const r5 = Math.imul(s1, 5);
              w = Math.imul((r5 << 7) | (r5 >>> 25), 9);
              const t9 = s1 << 9;
              s2 ^= s0;
              s3 ^= s1;
              s1 ^= s2;
              s0 ^= s3;
              s2 ^= t9;
              s3 = (s3 << 11) | (s3 >>> 21);
            }
            k = -afterTie(tables[2 * round - 2]!, x, w >>> 10);
          }
          got |= rest & -rest & k;
        }
      }
      sent += bitCount(lacking);
      if (got !== 0) {
        const high = highs[2 * round - 1]!;
        let delivered = 0;
        for (let rest = got; rest !== 0; rest &= rest - 1) {
          {
            const r5 = Math.imul(s1, 5);
            w = Math.imul((r5 << 7) | (r5 >>> 25), 9);
            const t9 = s1 << 9;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t9;
            s3 = (s3 << 11) | (s3 >>> 21);
          }
          x = w >>> 1;
          let k = (high - x) >> 31; // all ones iff x is above the high part: received
          if (x === high) {
            {
              const r5 = Math.imul(s1, 5);
              w = Math.imul((r5 << 7) | (r5 >>> 25), 9);
              const t9 = s1 << 9;
              s2 ^= s0;
              s3 ^= s1;
              s1 ^= s2;
              s0 ^= s3;
              s2 ^= t9;
              s3 = (s3 << 11) | (s3 >>> 21);
            }
            k = -afterTie(tables[2 * round - 1]!, x, w >>> 10);
          }
          delivered |= rest & -rest & k;
        }
        heard |= got;
        received += bitCount(got);
        replied += bitCount(delivered);
        acks |= delivered;
      }
    } while (acks !== all && round < end);
    // blocked: a YES voter that never heard the decision is in doubt; else committed or aborted
    // (never inconsistent: there is one decision)
    const outcome = (yes & ~heard) !== 0 ? BLOCKED : commit ? COMMITTED : ABORTED;
    sums[outcome]!++;
    sums[roundsAt]! += round;
    sums[receivedAt]! += received;
    sums[repliedAt]! += replied;
    const messages = sent + received;
    if (messages >= histogram.length) histogram = grownHistogram(histogram, messages);
    histogram[messages]!++;
    state[0] = s0;
    state[1] = s1;
    state[2] = s2;
    state[3] = s3;
  };
  return (stream, trials): Tally => {
    const state = stream.slice(0, 4);
    const sums = new Float64Array(deliveriesAt + deliveryCount);
    histogram = new Float64Array(256);
    for (let t = 0; t < trials; t++) trial(state, sums);
    return toTally(trials, sums.subarray(0, outcomeCount), histogram, sums.subarray(deliveriesAt), sums[roundsAt]!);
  };
}
