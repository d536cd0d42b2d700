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
 * many cohorts for the automaton) on a channel whose every send is a two-way fate that leaves
 * it as it is (bernoulli): a whole trial in one function, the cohorts as bit sets in local
 * variables, the generator inline. It makes exactly the generic engine's draws in its order —
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

/** A send's fate in a round and direction: outcome 1 iff x is above `high` (a tie: the table decides with the next word). */
interface Fate {
  readonly high: number;
  readonly table: SamplingTable;
  /** All ones where outcome 0 is received, else 0; and where the two outcomes' receptions differ. */
  readonly received0: number;
  readonly flip: number;
  readonly class0: number;
  readonly class1: number;
}

const TWO_31 = 2 ** 31;
/** The most cohorts the kernel keeps in one word. */
const MAX_COHORTS = 31;

function makeCommitKernel(model: CellModel): TrialKernel | null {
  if (model.protocol !== twoPhaseCommit || model.crash !== null || model.replay || model.initialStates.length !== 1) return null;
  const cell = model.protocolConfig as CommitCell;
  const n = cell.participants;
  if (!(n >= 1 && n <= MAX_COHORTS)) return null;
  const channelState = model.initialStates[0]!.state;
  // every send's fate, by round (1 .. 2R) and direction, from the one channel state
  const fates: Fate[] = [];
  for (let round = 1; round <= 2 * cell.rounds; round++) {
    for (const direction of [A_TO_B, B_TO_A]) {
      const tr = model.transmissions[model.channel.transmissionFor(model.channelConfig, channelState, direction, round)]!;
      const table = tr.sampling;
      if (!(table.size === 2 && table.high[0]! < TWO_31 && tr.nextState[0] === channelState && tr.nextState[1] === channelState)) return null;
      fates.push({
        high: table.high[0]! | 0, // below 2^31: an int32, so the compares stay integer
        table,
        received0: -tr.received[0]! | 0, // | 0: −0 is a double
        flip: -(tr.received[0]! ^ tr.received[1]!) | 0,
        class0: tr.deliveryClass[0]!,
        class1: tr.deliveryClass[1]!,
      });
    }
  }
  const voting = cell.abortRate > 0 && cell.abortRate < 1;
  const votes = choiceTable(cell.vote);
  if (voting && !(votes.size === 2 && votes.high[0]! < TWO_31)) return null;
  return commitTrials(n, cell.rounds, cell.abortRate >= 1, voting ? votes : null, fates, model.outcomes.names.length, model.deliveryValues.length);
}

/** The outcome after a tie on threshold 0's high part `x`: the next word's top 22 bits decide, as the sampler does. */
function afterTie(table: SamplingTable, x: number, low22: number): number {
  return x * 2 ** 22 + low22 < table.threshold[0]! ? 0 : 1;
}

function commitTrials(
  n: number,
  rounds: number,
  certainNo: boolean,
  votes: SamplingTable | null,
  fates: readonly Fate[],
  outcomeCount: number,
  deliveryCount: number,
): TrialKernel {
  const all = n === 31 ? 0x7fffffff : (1 << n) - 1;
  const voteHigh = votes ? votes.high[0]! | 0 : 0;
  const roundsAt = outcomeCount; // sums: the outcomes' counts, the rounds used, the deliveries by class
  const deliveriesAt = outcomeCount + 1;
  /**
   * One trial from the generator state in `state` (left after the trial's draws): its outcome,
   * rounds and deliveries added into `sums`; returns its messages. A function per trial, not one
   * loop over the block, so that V8 optimizes it on entry: a long loop is optimized on the stack
   * (OSR), and that code kept the generator's words boxed, in memory.
   */
  const trial = (state: Int32Array, sums: Float64Array): number => {
    let s0 = state[0]!;
    let s1 = state[1]!;
    let s2 = state[2]!;
    let s3 = state[3]!;
    // The generator inline (no closure over its state, which would keep it in memory, not
    // registers): w is the output, x its high 31 bits; a tie on a high part draws again.
    let w = 0;
    let x = 0;
    {
      // cohort states (none of them: idle), the votes and acks the coordinator holds
      let yes = 0;
      let no = 0;
      let committed = 0;
      let aborted = 0;
      let voteYes = 0;
      let voteNo = 0;
      let acks = 0;
      let phase = 1;
      let decision = 0; // 1 commit, 2 abort
      let phaseStart = 1;
      let messages = 0;
      let lastRound = 0;
      for (let round = 1; phase !== 3; round++) {
        // (a) the coordinator's message to every cohort lacking its vote (ack)
        const lacking = phase === 1 ? all & ~(voteYes | voteNo) : all & ~acks;
        let got = 0;
        if (lacking !== 0) {
          const f = fates[2 * (round - 1)]!;
          const high = f.high;
          const received0 = f.received0;
          const flip = f.flip;
          let ones = 0;
          let parts = 0;
          for (let rest = lacking; rest !== 0; rest &= rest - 1) {
            const bit = rest & -rest;
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
            let k = (high - x) >>> 31; // x above the high part, without a branch
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
              k = afterTie(f.table, x, w >>> 10);
            }
            ones += k;
            parts++;
            got |= bit & (received0 ^ (flip & -k));
          }
          count(f, ones, parts);
          messages += parts;
          lastRound = round;
        }
        // (b) each cohort that received it: its vote (phase 1, a first PREPARE), then its reply
        if (got !== 0) {
          const f = fates[2 * (round - 1) + 1]!;
          const high = f.high;
          const received0 = f.received0;
          const flip = f.flip;
          let ones = 0;
          let parts = 0;
          let delivered = 0;
          // phase 1: the idle cohorts vote, drawing (votes) or as abortRate makes certain
          const idle = phase === 1 ? got & ~(yes | no) : 0;
          const drawing = votes === null ? 0 : idle;
          if (votes === null) {
            if (certainNo) no |= idle;
            else yes |= idle;
          }
          for (let rest = got; rest !== 0; rest &= rest - 1) {
            const bit = rest & -rest;
            if ((drawing & bit) !== 0) {
              {
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
                let k = (voteHigh - x) >>> 31;
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
                  k = afterTie(votes!, x, w >>> 10);
                }
                no |= bit & -k;
                yes |= bit & (k - 1);
              }
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
            let k = (high - x) >>> 31; // x above the high part, without a branch
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
              k = afterTie(f.table, x, w >>> 10);
            }
            ones += k;
            parts++;
            delivered |= bit & (received0 ^ (flip & -k));
          }
          count(f, ones, parts);
          messages += parts;
          lastRound = round;
          if (phase === 1) {
            voteNo |= delivered & no;
            voteYes |= delivered & ~no;
          } else {
            if (decision === 1) {
              committed |= got;
              yes &= ~got;
            } else {
              const aborting = got & ~no;
              aborted |= aborting;
              yes &= ~aborting;
            }
            acks |= delivered;
          }
        }
        // the round's end
        const last = round - phaseStart + 1 >= rounds;
        if (phase === 1 && ((voteYes | voteNo) === all || voteNo !== 0 || last)) {
          decision = voteYes === all ? 1 : 2;
          phase = 2;
          phaseStart = round + 1;
        } else if (phase === 2 && (acks === all || last)) phase = 3;
      }
      // blocked: a cohort in doubt; inconsistent: some committed and some aborted (never)
      let outcome: number;
      if (yes !== 0) outcome = 2;
      else {
        const anyCommitted = decision === 1 || committed !== 0;
        const anyAborted = decision === 2 || (no | aborted | (all & ~(yes | no | committed | aborted))) !== 0;
        outcome = anyCommitted && anyAborted ? 3 : anyCommitted ? 0 : 1;
      }
      sums[outcome]!++;
      sums[roundsAt]! += lastRound;
      state[0] = s0;
      state[1] = s1;
      state[2] = s2;
      state[3] = s3;
      return messages;
    }

    function count(f: Fate, ones: number, parts: number): void {
      if (f.class0 >= 0) sums[deliveriesAt + f.class0]! += parts - ones;
      if (f.class1 >= 0) sums[deliveriesAt + f.class1]! += ones;
    }
  };
  return (stream, trials): Tally => {
    const state = stream.slice(0, 4);
    const sums = new Float64Array(deliveriesAt + deliveryCount);
    let histogram: Float64Array = new Float64Array(256);
    for (let t = 0; t < trials; t++) {
      const messages = trial(state, sums);
      if (messages >= histogram.length) histogram = grownHistogram(histogram, messages);
      histogram[messages]!++;
    }
    return toTally(trials, sums.subarray(0, outcomeCount), histogram, sums.subarray(deliveriesAt), sums[roundsAt]!);
  };
}
