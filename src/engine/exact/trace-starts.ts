import { thousands } from '../../io/text.js';
import type { Replay } from '../../contract/channel.js';
import { CHOOSE, END, ROUND, Step, clearStep } from '../../contract/protocol.js';
import { MAX_TRIAL_STEPS, TrialNeverEnds, UnexpectedRound } from '../montecarlo/generic.js';
import { refuseUnreadableStep } from '../unfilled-step.js';
import type { CellModel } from '../model.js';
import { WORK_SLICE, momentsOf, tooMuchWork } from './result.js';
import type { ExactLimits, ExactSteps } from './result.js';

/** Starts between looks at the work done (a protocol step is a unit of work), and within a start every WORK_SLICE units. */
const CHECK_EVERY = 1024;

/**
 * A sum with Neumaier's compensation (Neumaier, "Rundungsfehleranalyse einiger Verfahren zur
 * Summation endlicher Summen", ZAMM 54, 1974): the rounding error of each addition is kept and
 * added back at the end, so a sum over millions of starts is as accurate as its last term.
 */
class CompensatedSum {
  private sum = 0;
  private compensation = 0;

  add(x: number): void {
    const t = this.sum + x;
    this.compensation += Math.abs(this.sum) >= Math.abs(x) ? this.sum - t + x : x - t + this.sum;
    this.sum = t;
  }

  get value(): number {
    return this.sum + this.compensation;
  }
}

/** A path of one trial still to follow: the protocol's state, the trace position and what it has cost. */
interface Branch {
  readonly state: Int32Array;
  readonly position: number;
  readonly probability: number;
  readonly messages: number;
  readonly delivered: number;
  readonly round: number;
}

/**
 * The exact value of a cell over a replayed trace (a long measured trace: see Replay): the
 * average over every start position of what a trial from that start does. From a given start
 * the fate of each copy is read from the trace, so a trial is one path through the protocol,
 * branching only at the protocol's own chance points, which are followed with their
 * probabilities. Every start is followed in turn: the work is the starts times a trial's steps
 * (10^6 starts of a retransmission over 10 rounds: a few million protocol steps) and the memory
 * the trace's own. Sums are compensated (CompensatedSum): starts weigh 1/L each, and plain
 * summation of millions of terms would lose digits the result prints.
 */
export function* traceStartsExact(model: CellModel, replay: Replay, limits: ExactLimits): ExactSteps {
  const { protocol, protocolConfig: config } = model;
  const starts = replay.starts;
  const outcomes = Array.from({ length: model.outcomes.names.length }, () => new CompensatedSum());
  const messages: CompensatedSum[] = [];
  const delivered = new CompensatedSum();
  const rounds = new CompensatedSum();
  const step = new Step();
  const pending: Branch[] = [];
  let expanded = 0;
  let reported = 0; // work yielded so far

  for (let start = 0; start < starts; start++) {
    if (start % CHECK_EVERY === CHECK_EVERY - 1) {
      if (expanded > limits.maxWork) throw tooMuchWork(limits, `${thousands(start)} of ${thousands(starts)} trace starts followed`);
      limits.progress?.(expanded);
      yield expanded - reported;
      reported = expanded;
    }
    const initial = new Int32Array(model.stateSize);
    protocol.init(initial, config);
    pending.push({ state: initial, position: start, probability: 1, messages: 0, delivered: 0, round: 0 });
    while (pending.length) {
      const branch = pending.pop()!;
      const state = branch.state;
      let { position, messages: sent, delivered: arrived, round } = branch;
      for (let steps = 0; ; steps++) {
        // Within a start too: one start's branches at the protocol's choices can be many (votes of
        // twenty cohorts: 2^20 paths), and the limit and the caller's turns must not wait for it.
        if (++expanded - reported >= WORK_SLICE) {
          if (expanded > limits.maxWork) throw tooMuchWork(limits, `${thousands(start)} of ${thousands(starts)} trace starts followed`);
          limits.progress?.(expanded);
          yield expanded - reported;
          reported = expanded;
        }
        clearStep(step);
        protocol.next(state, config, step);
        refuseUnreadableStep(protocol.name, step, outcomes.length, model.roundLimit, state);
        if (step.kind === END) {
          const p = branch.probability;
          outcomes[step.outcome]!.add(p);
          (messages[sent] ??= new CompensatedSum()).add(p);
          delivered.add(p * arrived);
          rounds.add(p * round);
          break;
        }
        if (steps === MAX_TRIAL_STEPS) throw new TrialNeverEnds(protocol.name, state, protocol.describe(state, config));
        // Crashes over a replayed trace are refused before this engine runs.
        if (step.kind === ROUND) throw new UnexpectedRound(protocol.name);
        if (step.kind === CHOOSE) {
          const choices = step.choices!;
          for (let i = 0; i < choices.length; i++) {
            if (choices[i] === 0) continue;
            const child = state.slice();
            protocol.resolve(child, config, step, i);
            pending.push({ state: child, position, probability: branch.probability * choices[i]!, messages: sent, delivered: arrived, round });
          }
          break;
        }
        const copies = replay.delivered(position, step.direction);
        position = replay.after(position);
        sent++;
        arrived += copies;
        round = step.round;
        protocol.resolve(state, config, step, copies > 0 ? 1 : 0);
      }
    }
  }
  if (expanded > reported) yield expanded - reported;
  const totals = Array.from(messages, (sum) => sum?.value ?? 0);
  // Moments of the whole-number totals, then one division: a whole cost comes out whole.
  const moments = momentsOf(totals);
  return {
    outcomes: outcomes.map((sum) => sum.value / starts),
    messages: totals.map((total) => total / starts),
    messagesMean: moments.mean / starts,
    messagesSecondMoment: moments.second / starts,
    deliveredMean: delivered.value / starts,
    roundsMean: rounds.value / starts,
    statesExpanded: expanded,
    method: 'trace starts, each followed',
  };
}
