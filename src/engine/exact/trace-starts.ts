import { thousands } from '../../io/text.js';
import type { Replay } from '../../contract/channel.js';
import { CHOOSE, END, ROUND, Step, clearStep, receiverNode, senderNode } from '../../contract/protocol.js';
import { MAX_TRIAL_STEPS, SentAfterCrash, TrialNeverEnds, UnannouncedRound, choiceEntry } from '../montecarlo/generic.js';
import { crashedNodes, misorderedRound, refuseChoiceAfterCrash, refuseCrashNotKept, refuseRevived } from '../montecarlo/trial-rules.js';
import { choiceWeights, crashBranches } from './generic.js';
import { lowPart, productHigh } from '../../stats/double-double.js';
import { refuseUnreadableStep } from '../unfilled-step.js';
import type { CellModel } from '../model.js';
import { roundedValues, tooMuchWork } from './result.js';
import { roundedOnceOfSums } from './figures.js';
import { NeumaierSum } from '../../stats/sum.js';
import type { ExactLimits, ExactSteps } from './result.js';

/** Starts between looks at the work done (a protocol step is a unit of work). */
const CHECK_EVERY = 1024;
/**
 * Work between looks within the starts: one start whose protocol branches at many chance points
 * (two-phase commit's votes: 2^cohorts paths) can be more work than the limit by itself, and must
 * be stopped at the limit, and let the caller's thread run, as a cheap start is.
 */
const CHECK_WORK = 65_536;

/** A path of one trial still to follow: the protocol's state, the trace position and what it has cost. */
interface Branch {
  readonly state: Int32Array;
  readonly position: number;
  /** Its probability in double-double: high and low parts (a crash pattern's and a choice's weights carry theirs). */
  readonly probability: number;
  readonly probabilityLow: number;
  readonly messages: number;
  readonly delivered: number;
  readonly round: number;
  /** The last round started (ROUND), with crashes. */
  readonly started: number;
}

/**
 * The exact value of a cell over a replayed trace (a long measured trace: see Replay): the
 * average over every start position of what a trial from that start does. From a given start
 * the fate of each copy is read from the trace, so a trial is one path through the protocol,
 * branching only at the protocol's own chance points and the crash patterns at each round's
 * start, which are followed with their probabilities, in double-double as the generic engine
 * weighs them (a path's rounded factors, a crash rate's complement and its rate, otherwise drift
 * by an ulp or more of what is printed). Every start is followed in turn: the work is the starts times a trial's steps
 * (10^6 starts of a retransmission over 10 rounds: a few million protocol steps) and the memory
 * the trace's own. Sums are compensated (NeumaierSum): starts weigh 1/L each, and plain
 * summation of millions of terms would lose digits the result prints.
 */
export function* traceStartsExact(model: CellModel, replay: Replay, limits: ExactLimits, projected = false): ExactSteps {
  const { protocol, protocolConfig: config } = model;
  const starts = replay.starts;
  const outcomes = Array.from({ length: model.outcomes.names.length }, () => new NeumaierSum());
  const messages: NeumaierSum[] = [];
  const delivered = new NeumaierSum();
  const rounds = new NeumaierSum();
  // What every trial's end shares (undefined before the first end, NaN where ends differ): that figure, not its rounded average.
  let deliveredSure: number | undefined;
  let roundsSure: number | undefined;
  const step = new Step();
  const pending: Branch[] = [];
  let expanded = 0;
  let reported = 0; // work yielded so far

  /**
   * Refuses the cell once its work is past the limit, or (projected) once the work of the starts
   * so far, as much again for every start to come, would pass it; else tells the progress.
   */
  const look = (start: number): void => {
    if (expanded > limits.maxWork || (projected && (expanded / (start + 1)) * starts > limits.maxWork))
      throw tooMuchWork(limits, `${thousands(start)} of ${thousands(starts)} trace starts followed`);
    limits.progress?.(expanded);
  };

  for (let start = 0; start < starts; start++) {
    if (start % CHECK_EVERY === CHECK_EVERY - 1) {
      look(start);
      yield expanded - reported;
      reported = expanded;
    }
    const initial = new Int32Array(model.stateSize);
    protocol.init(initial, config);
    pending.push({ state: initial, position: start, probability: 1, probabilityLow: 0, messages: 0, delivered: 0, round: 0, started: 0 });
    while (pending.length) {
      const branch = pending.pop()!;
      const state = branch.state;
      let { position, messages: sent, delivered: arrived, round } = branch;
      const started = branch.started;
      for (let steps = 0; ; steps++) {
        if (++expanded - reported >= CHECK_WORK) {
          look(start);
          yield expanded - reported;
          reported = expanded;
        }
        clearStep(step);
        protocol.next(state, config, step);
        refuseUnreadableStep(protocol.name, step, outcomes.length, model.roundLimit, state);
        if (step.kind === END) {
          const p = branch.probability;
          const pLow = branch.probabilityLow;
          outcomes[step.outcome]!.add(p);
          outcomes[step.outcome]!.add(pLow);
          const sum = (messages[sent] ??= new NeumaierSum());
          sum.add(p);
          sum.add(pLow);
          delivered.add(productHigh(p, pLow, arrived, 0));
          delivered.add(lowPart.product);
          rounds.add(productHigh(p, pLow, round, 0));
          rounds.add(lowPart.product);
          deliveredSure = deliveredSure === undefined || deliveredSure === arrived ? arrived : NaN;
          roundsSure = roundsSure === undefined || roundsSure === round ? round : NaN;
          break;
        }
        if (steps === MAX_TRIAL_STEPS) throw new TrialNeverEnds(protocol.name, state, protocol.describe(state, config));
        if (step.kind === ROUND) {
          // A round's start: every way the nodes still up may crash, each a branch with its probability (as the generic engine).
          if (model.crash !== null && misorderedRound(step.round, started, model.roundLimit))
            throw new UnannouncedRound(protocol.name, step, started, model.roundLimit);
          for (const [child, p, marks, pLow] of crashBranches(model, state, step.round)) {
            const down = crashedNodes(protocol, config, child, model.crash!.length);
            protocol.resolve(child, config, step, 0);
            refuseRevived(protocol, config, child, step.round, down);
            refuseCrashNotKept(protocol, config, child, step.round, marks);
            const probability = productHigh(branch.probability, branch.probabilityLow, p, pLow);
            const probabilityLow = lowPart.product;
            pending.push({ state: child, position, probability, probabilityLow, messages: sent, delivered: arrived, round, started: step.round });
          }
          break;
        }
        if (step.kind === CHOOSE) {
          if (model.crash !== null) refuseChoiceAfterCrash(protocol, config, step, state, model.crash.length);
          const { made } = choiceEntry(step.choices!, protocol.name, state);
          const weights = choiceWeights(made, model.parameterValues);
          const choices = step.choices!;
          const down = model.crash === null ? null : crashedNodes(protocol, config, state, model.crash.length);
          for (let i = 0; i < choices.length; i++) {
            if (choices[i] === 0) continue;
            const child = state.slice();
            protocol.resolve(child, config, step, i);
            refuseRevived(protocol, config, child, step.round, down);
            const probability = productHigh(branch.probability, branch.probabilityLow, weights[i]!.hi, weights[i]!.lo);
            const probabilityLow = lowPart.product;
            pending.push({ state: child, position, probability, probabilityLow, messages: sent, delivered: arrived, round, started });
          }
          break;
        }
        // A crashed node dispatches nothing, and nothing reaches one: its copies still use up their packets, none delivered.
        let reaches = true;
        if (model.crash !== null) {
          if (step.round > started) throw new UnannouncedRound(protocol.name, step, started);
          const sender = senderNode(step.direction, step.peer);
          if (protocol.crashed!(state, config, sender)) throw new SentAfterCrash(protocol.name, sender, step, protocol.describe(state, config));
          reaches = !protocol.crashed!(state, config, receiverNode(step.direction, step.peer));
        }
        const copies = reaches ? replay.delivered(position, step.direction) : 0;
        position = replay.after(position);
        sent++;
        arrived += copies;
        round = step.round;
        const down = model.crash === null ? null : crashedNodes(protocol, config, state, model.crash.length);
        protocol.resolve(state, config, step, copies > 0 ? 1 : 0);
        refuseRevived(protocol, config, state, step.round, down);
      }
    }
  }
  if (expanded > reported) yield expanded - reported;
  // Each figure the exact sum over the starts (whole numbers where the protocol draws nothing) over their number, rounded once (figures.ts).
  const rounded = roundedOnceOfSums({ outcomes, messages, delivered, rounds }, model.outcomes, model.copies);
  return {
    ...roundedValues(rounded, deliveredSure, roundsSure),
    statesExpanded: expanded,
    method: 'trace starts, each followed',
  };
}
