import { thousands } from '../../io/text.js';
import { counted } from '../../io/wording.js';
import { CHOOSE, END, ROUND, SEND, Step, clearStep, receiverNode, senderNode } from '../../contract/protocol.js';
import { StepNotFilled, changedStepProblem, copyStep, refuseStoppedClock, refuseUnreadableStep, stepUnchanged } from '../unfilled-step.js';
import type { CellModel } from '../model.js';
import { SentAfterCrash, UnannouncedRound, UnexpectedRound, choiceEntry, sameProbabilities } from '../montecarlo/generic.js';
import {
  choicesChangedByResolve,
  crashedNodes,
  misorderedRound,
  refuseChoiceAfterCrash,
  refuseCrashNotKept,
  refuseRevived,
  refusePeerNotListed,
} from '../montecarlo/trial-rules.js';
import { NeumaierSum } from '../../stats/sum.js';
import { type DoubleDouble, dd, lowPart, productHigh, sumHigh } from '../../stats/double-double.js';
import { ddOfRatio, decimalRatio } from '../../stats/decimal-ratio.js';
import { choiceRatios } from '../../stats/choice-ratios.js';
import { StateTable } from '../state-table.js';
import { ExactUnavailable, WORK_SLICE, megabytes, roundedValues, tooMuchWork } from './result.js';
import { LEAST_NORMAL, roundedOnceOfSums, underflowOf } from './figures.js';
import type { ExactLimits, ExactSteps } from './result.js';
import { toolNow } from '../../io/tool-clock.js';

/**
 * Probability mass by messages dispatched so far: parts[2i] + parts[2i + 1] belongs to offset + i
 * messages (double-double, high and low parts side by side in one array: a path's many rounded
 * factors, a channel's and a key's, rounded at about 106 bits, not 53, so that the figures printed
 * are right to their last digit). Most states are reached with few distinct message counts, so
 * only that window is stored.
 */
class MessageMass {
  constructor(
    public offset: number,
    public parts: number[],
  ) {}

  /** Message counts in the window. */
  get size(): number {
    return this.parts.length >> 1;
  }

  /** The whole mass's high part; its low part is left in lowPart.sum. */
  total(): number {
    const parts = this.parts;
    let s = parts[0]!;
    let sLow = parts[1]!;
    for (let i = 2; i < parts.length; i += 2) {
      s = sumHigh(s, sLow, parts[i]!, parts[i + 1]!);
      sLow = lowPart.sum;
    }
    lowPart.sum = sLow;
    return s;
  }

  /** This mass times `factor` (+ `factorLow`), after `shift` more messages; a product that underflows is counted in `lost`. */
  scaled(factor: number, factorLow: number, shift: number, lost: Underflows): MessageMass {
    const from = this.parts;
    if (from.length === 2) return new MessageMass(this.offset + shift, [productOf(from[0]!, from[1]!, factor, factorLow, lost), lowPart.product]);
    const parts = new Array<number>(from.length);
    for (let i = 0; i < from.length; i += 2) {
      parts[i] = productOf(from[i]!, from[i + 1]!, factor, factorLow, lost);
      parts[i + 1] = lowPart.product;
    }
    return new MessageMass(this.offset + shift, parts);
  }

  /** Adds `other` times `factor` (+ `factorLow`), after `shift` more messages: what scaled(factor, factorLow, shift) would hold, without making it. */
  addScaled(other: MessageMass, factor: number, factorLow: number, shift: number, lost: Underflows): void {
    const start = other.offset + shift;
    const low = Math.min(this.offset, start);
    const high = Math.max(this.offset + this.size, start + other.size);
    if (low < this.offset || high > this.offset + this.size) {
      const grown = new Array<number>(2 * (high - low)).fill(0);
      this.parts.forEach((v, i) => (grown[i + 2 * (this.offset - low)] = v));
      this.offset = low;
      this.parts = grown;
    }
    const at = 2 * (start - this.offset);
    const from = other.parts;
    const parts = this.parts;
    for (let i = 0; i < from.length; i += 2) {
      const product = productOf(from[i]!, from[i + 1]!, factor, factorLow, lost);
      parts[at + i] = sumHigh(parts[at + i]!, parts[at + i + 1]!, product, lowPart.product);
      parts[at + i + 1] = lowPart.sum;
    }
  }
}

/** How many products of path masses fell below the least normal double (each losing up to 2^-1075 of mass). */
interface Underflows {
  count: number;
}

/** mass × probability in double-double (its low part left in lowPart.product), counted in `lost` where it underflows: falls below the least normal double, and loses bits, from two factors above 0. */
function productOf(mass: number, massLow: number, probability: number, probabilityLow: number, lost: Underflows): number {
  const product = productHigh(mass, massLow, probability, probabilityLow);
  if (product < LEAST_NORMAL && product !== mass && mass > 0 && probability > 0) lost.count++;
  return product;
}

/**
 * Probability mass reaching one protocol-and-channel state, by messages dispatched so far; the
 * delivered and rounds masses are expectations times probability, which add when branches merge.
 */
interface Node {
  readonly state: Int32Array;
  readonly channelState: number;
  readonly messages: MessageMass;
  /** High and low parts, as the masses. */
  deliveredMass: number;
  deliveredMassLow: number;
  roundsMass: number;
  roundsMassLow: number;
  /**
   * The copies delivered and the rounds used that every path here shares, or NaN where paths
   * differ: where every trial ends with the same, that is the mean, exactly (the masses above,
   * products of rounded probabilities, give it only to a few ulps: 24.000000000000007).
   */
  deliveredSure: number;
  roundsSure: number;
  /** The last round started (ROUND) on the paths here, the least of them where they differ (crashes only). */
  started: number;
  /** The most of them: a round start here must follow both (paths that differ make it out of order on one). */
  startedMost: number;
}

/** Fields per block that new states are copied into. */
const STATE_BLOCK_WORDS = 1 << 14;

/** Stored numbers per state besides its fields and cost window (object headers, its slots in the table). */
const NODE_OVERHEAD_WORDS = 16;

/**
 * The exact engine over every state: runs the protocol definition with every chance point
 * branched and weighted by its probability, merging branches that reach the same state. Because
 * every resolve advances the protocol's clock (state[0]), processing states in clock order sees
 * every path into a state before the state is expanded, so the work is polynomial in the round
 * limit for the protocols that ship. A generator: it yields about every WORK_SLICE units of work
 * (a state expanded, a branch — more units for a larger state — and the numbers of cost window a
 * branch copies: branchWork) so that a caller
 * can share the thread (the run's worker pool), and it stops by the limits' work and memory,
 * throwing ExactUnavailable with the reason.
 *
 * States that differ only by a permutation of interchangeable peers are merged (`canonicalize`)
 * only where the fate of a copy does not depend on the copies dispatched before it
 * (`model.dispatchOrderFree`): on a channel with memory, a peer's place in the dispatch order
 * changes its future, and merging would be wrong.
 */
export function* genericExact(model: CellModel, limits: ExactLimits): ExactSteps {
  const { protocol, protocolConfig: config, channel, channelConfig, transmissions } = model;
  const canonicalize = limits.merge !== false && model.dispatchOrderFree ? protocol.canonicalize : undefined;
  const outcomes = model.outcomes.names.map(() => new NeumaierSum());
  const messages: NeumaierSum[] = [];
  const deliveredMean = new NeumaierSum();
  const roundsMean = new NeumaierSum();
  // What every trial's end shares (Node's deliveredSure, roundsSure): undefined before the first end, NaN where ends differ.
  let deliveredSure: number | undefined;
  let roundsSure: number | undefined;
  // Equally likely starts (a trace's positions) start with mass 1 each, not 1/L: the masses stay
  // whole numbers wherever the protocol makes no fractional choice, so they add up exactly, and
  // the average is one division at the end — an integer cost comes out as that integer.
  const starts = model.initialStates;
  const scale = starts.length > 1 && starts.every((s) => s.probability === starts[0]!.probability) ? starts.length : 1;
  let expanded = 0;
  const underflows: Underflows = { count: 0 };
  let work = limits.spent ?? 0;
  let reported = work; // work yielded so far (or spent before)
  let liveWords = 0;
  let lastProgress = limits.progress ? toolNow() : 0; // the `performance` global loads perf_hooks: only for progress
  // The states waiting, a table per clock, and those clocks as a min-heap: the next level is the
  // least clock waiting, however far the protocol's clock jumps (a file may move it by millions
  // in one resolve, or start it below 0), not a walk over every number in between.
  const levels = new Map<number, StateTable<Node>>();
  const clocks: number[] = [];
  const nodeWords = (node: Node): number => model.stateSize + node.messages.size + NODE_OVERHEAD_WORDS;
  const branchUnits = stateBranchUnits(model.stateSize);
  /** A branch's work: its state's units, and one per 32 numbers of the cost window it copies. */
  const branchWork = (messages: MessageMass): number => branchUnits + (messages.size >> 5);

  // New states are copied into shared blocks, a view each: a state of more than 16 fields in an
  // array of its own is memory outside V8's heap (malloc, and a sweep by the collector), which
  // took more time than the rest of a branch (two-phase commit with 10 cohorts).
  let block = new Int32Array(0);
  let blockUsed = 0;
  const kept = (child: Int32Array): Int32Array => {
    const n = child.length;
    if (blockUsed + n > block.length) {
      block = new Int32Array(Math.max(STATE_BLOCK_WORDS, n));
      blockUsed = 0;
    }
    const copy = block.subarray(blockUsed, blockUsed + n);
    copy.set(child);
    blockUsed += n;
    return copy;
  };

  /**
   * A branch into `child` (a scratch state, copied only where the state is new): mass `from` times
   * `factor` after `shift` more messages. A state reached before takes the mass in place, so a
   * merge allocates nothing.
   */
  const addBranch = (
    child: Int32Array,
    channelState: number,
    from: MessageMass,
    factor: number,
    factorLow: number,
    shift: number,
    deliveredMass: number,
    deliveredMassLow: number,
    roundsMass: number,
    roundsMassLow: number,
    started: number,
    deliveredSure: number,
    roundsSure: number,
    startedMost = started,
  ): void => {
    canonicalize?.(child, config);
    const clock = child[0]!;
    let level = levels.get(clock);
    if (level === undefined) {
      level = new StateTable();
      levels.set(clock, level);
      pushClock(clocks, clock);
    }
    const existing = level.find(channelState, child);
    if (!existing) {
      const node: Node = {
        state: kept(child),
        channelState,
        messages: from.scaled(factor, factorLow, shift, underflows),
        deliveredMass,
        deliveredMassLow,
        roundsMass,
        roundsMassLow,
        deliveredSure,
        roundsSure,
        started,
        startedMost,
      };
      level.add(node);
      liveWords += nodeWords(node);
      return;
    }
    const before = existing.messages.size;
    existing.messages.addScaled(from, factor, factorLow, shift, underflows);
    liveWords += existing.messages.size - before;
    existing.deliveredMass = sumHigh(existing.deliveredMass, existing.deliveredMassLow, deliveredMass, deliveredMassLow);
    existing.deliveredMassLow = lowPart.sum;
    existing.roundsMass = sumHigh(existing.roundsMass, existing.roundsMassLow, roundsMass, roundsMassLow);
    existing.roundsMassLow = lowPart.sum;
    if (existing.deliveredSure !== deliveredSure) existing.deliveredSure = Number.NaN;
    if (existing.roundsSure !== roundsSure) existing.roundsSure = Number.NaN;
    if (started < existing.started) existing.started = started;
    if (startedMost > existing.startedMost) existing.startedMost = startedMost;
  };
  // The limit is on the numbers the states waiting store (fields, cost window, NODE_OVERHEAD_WORDS
  // a state), at 8 bytes each: not on the process. V8's objects around each state (the node, its
  // cost window's array, the state's view) and the level being expanded, whose states stay held
  // until its last one is done, come on top: at --exact's 305 MB the process peaks at 760–840 MB
  // (two-phase commit, 64 cohorts, over Gilbert–Elliott or a 52-packet trace), and the message says so.
  // With crashes, the nodes a state has crashed stay down through every resolve (one that revives a node is refused).
  const nodes = model.crash?.length ?? 0;
  const downOf = (s: Int32Array): Uint8Array | null => crashedNodes(protocol, config, s, nodes);
  const refuseRevivedIn = (s: Int32Array, round: number, d: Uint8Array | null): void => refuseRevived(protocol, config, s, round, d);
  const checkLimits = (): void => {
    if (liveWords > limits.maxWords) {
      throw new ExactUnavailable(
        `it needs more than ${megabytes(limits.maxWords)} of memory (counting 8 bytes a stored number of the states waiting, not the objects holding them, with which the engine takes 2–3 times that; ${counted(expanded, 'state')} expanded, ${thousands(Math.round(liveWords / (model.stateSize + NODE_OVERHEAD_WORDS)))} waiting)`,
      );
    }
    if (work > limits.maxWork) throw tooMuchWork(limits, `${counted(expanded, 'state')} expanded, more waiting`);
    const now = limits.progress ? toolNow() : 0;
    if (limits.progress && now - lastProgress > 200) {
      lastProgress = now;
      limits.progress(expanded);
    }
  };

  for (const { probability, state: channelState } of starts) {
    const state = new Int32Array(model.stateSize);
    protocol.init(state, config);
    addBranch(state, channelState, new MessageMass(0, [scale === 1 ? probability : 1, 0]), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }

  const step = new Step();
  const given = new Step();
  const refuseChangedStep = (state: Int32Array): void => {
    if (stepUnchanged(given, step)) return;
    const problem = changedStepProblem(given, step);
    if (problem) throw new StepNotFilled(protocol.name, problem, state);
  };
  const scratch = new Int32Array(model.stateSize);
  while (clocks.length > 0) {
    const clock = popClock(clocks);
    const level = levels.get(clock)!;
    levels.delete(clock); // release the level once processed
    for (const node of level.nodes) {
      expanded++;
      liveWords -= nodeWords(node);
      if (++work - reported >= WORK_SLICE) {
        checkLimits();
        yield work - reported;
        reported = work;
      }
      const mass = node.messages.total();
      const massLow = lowPart.sum;
      if (mass === 0) continue;
      const state = node.state;
      clearStep(step);
      protocol.next(state, config, step);
      refuseUnreadableStep(protocol.name, step, outcomes.length, model.roundLimit, state);
      if (step.kind === END) {
        outcomes[step.outcome]!.add(mass);
        outcomes[step.outcome]!.add(massLow);
        const parts = node.messages.parts;
        for (let i = 0; i < parts.length; i += 2) {
          const sum = (messages[node.messages.offset + (i >> 1)] ??= new NeumaierSum());
          sum.add(parts[i]!);
          sum.add(parts[i + 1]!);
        }
        deliveredMean.add(node.deliveredMass);
        deliveredMean.add(node.deliveredMassLow);
        roundsMean.add(node.roundsMass);
        roundsMean.add(node.roundsMassLow);
        deliveredSure = deliveredSure === undefined || deliveredSure === node.deliveredSure ? node.deliveredSure : Number.NaN;
        roundsSure = roundsSure === undefined || roundsSure === node.roundsSure ? node.roundsSure : Number.NaN;
        continue;
      }
      const from = state[0]!;
      // The step as next filled it: every branch's resolve gets the one step, and must leave it so.
      copyStep(given, step);
      // With crashes, the nodes down here stay down through every resolve (a resolve that revives one is refused).
      const down = model.crash === null ? null : downOf(state);
      if (step.kind === CHOOSE) {
        if (model.crash !== null) refuseChoiceAfterCrash(protocol, config, step, state, model.crash.length);
        // An array given again with other probabilities is refused, as every engine refuses it (states are expanded out of a trial's order).
        const { made } = choiceEntry(step.choices!, protocol.name, state);
        // A choice's branches with a probability above 0, each resolved with the index of the choice,
        // weighed by the probabilities next gave (a resolve that changes them is refused).
        const choices = step.choices!;
        const weights = choiceWeights(made, model.parameterValues);
        for (let i = 0; i < made.length; i++) {
          if (made[i] === 0) continue;
          const { hi: p, lo: pLow } = weights[i]!;
          work += branchWork(node.messages);
          if (work - reported >= WORK_SLICE) {
            checkLimits();
            yield work - reported;
            reported = work;
          }
          scratch.set(state);
          // Held where they are as next gave them just before (other work on this thread between slices may have refilled them).
          const intact = sameProbabilities(made, choices);
          protocol.resolve(scratch, config, step, i);
          if (intact && !sameProbabilities(made, choices)) throw new StepNotFilled(protocol.name, choicesChangedByResolve(made, choices), state);
          checkClock(protocol.name, from, scratch);
          refuseRevivedIn(scratch, step.round, down);
          const deliveredMass = productHigh(node.deliveredMass, node.deliveredMassLow, p, pLow);
          const deliveredMassLow = lowPart.product;
          const roundsMass = productHigh(node.roundsMass, node.roundsMassLow, p, pLow);
          addBranch(
            scratch,
            node.channelState,
            node.messages,
            p,
            pLow,
            0,
            deliveredMass,
            deliveredMassLow,
            roundsMass,
            lowPart.product,
            node.started,
            node.deliveredSure,
            node.roundsSure,
            node.startedMost,
          );
        }
        refuseChangedStep(state);
        continue;
      }
      if (step.kind === ROUND) {
        // A round start's crash patterns: each a crashed state and its probability.
        if (model.crash !== null)
          for (const started of [node.started, node.startedMost])
            if (misorderedRound(step.round, started, model.roundLimit)) throw new UnannouncedRound(protocol.name, step, started, model.roundLimit);
        for (const [child, p, marks, pLow] of crashBranches(model, state, step.round)) {
          work += branchWork(node.messages);
          if (work - reported >= WORK_SLICE) {
            checkLimits();
            yield work - reported;
            reported = work;
          }
          const fallen = downOf(child);
          protocol.resolve(child, config, step, 0);
          checkClock(protocol.name, from, child);
          refuseRevivedIn(child, step.round, fallen);
          refuseCrashNotKept(protocol, config, child, step.round, marks);
          const deliveredMass = productHigh(node.deliveredMass, node.deliveredMassLow, p, pLow);
          const deliveredMassLow = lowPart.product;
          const roundsMass = productHigh(node.roundsMass, node.roundsMassLow, p, pLow);
          addBranch(
            child,
            node.channelState,
            node.messages,
            p,
            pLow,
            0,
            deliveredMass,
            deliveredMassLow,
            roundsMass,
            lowPart.product,
            step.round,
            node.deliveredSure,
            node.roundsSure,
          );
        }
        refuseChangedStep(state);
        continue;
      }
      if (step.kind !== SEND) throw new Error('unknown step kind');
      let reaches = true;
      if (model.crash !== null) {
        if (step.round > node.started) throw new UnannouncedRound(protocol.name, step, node.started);
        refusePeerNotListed(protocol.name, step, state, model.crash.length);
        const sender = senderNode(step.direction, step.peer);
        if (protocol.crashed!(state, config, sender)) throw new SentAfterCrash(protocol.name, sender, step, protocol.describe(state, config));
        reaches = !protocol.crashed!(state, config, receiverNode(step.direction, step.peer));
      }
      const t = transmissions[channel.transmissionFor(channelConfig, node.channelState, step.direction, step.round)]!;
      for (let i = 0; i < t.probabilities.length; i++) {
        const p = t.probabilities[i]!;
        const pLow = t.probabilitiesLow[i]!;
        work += branchWork(node.messages);
        scratch.set(state);
        protocol.resolve(scratch, config, step, reaches ? t.received[i]! : 0);
        checkClock(protocol.name, from, scratch);
        refuseRevivedIn(scratch, step.round, down);
        // What the paths delivered, times p, and (where the message reaches) their mass times the
        // copies this outcome delivers times its probability (the table's product, not the mean
        // given the outcome times p); the rounds used: this round, times the mass and p.
        let deliveredMass = productHigh(node.deliveredMass, node.deliveredMassLow, p, pLow);
        let deliveredMassLow = lowPart.product;
        if (reaches) {
          const own = productHigh(mass, massLow, t.deliveredMass[i]!, t.deliveredMassLow[i]!);
          deliveredMass = sumHigh(deliveredMass, deliveredMassLow, own, lowPart.product);
          deliveredMassLow = lowPart.sum;
        }
        const weight = productHigh(mass, massLow, p, pLow);
        const roundsMass = productHigh(weight, lowPart.product, step.round, 0);
        addBranch(
          scratch,
          t.nextState[i]!,
          node.messages,
          p,
          pLow,
          1,
          deliveredMass,
          deliveredMassLow,
          roundsMass,
          lowPart.product,
          node.started,
          node.deliveredSure + (reaches ? t.delivered[i]! : 0),
          step.round,
          node.startedMost,
        );
      }
      refuseChangedStep(state);
    }
    checkLimits();
  }
  if (work > reported) yield work - reported;
  // Every figure the exact sum of the paths' masses over their whole (1, or the number of equally
  // likely starts, each weighing 1: whole numbers wherever the protocol draws nothing), rounded once (figures.ts).
  const rounded = roundedOnceOfSums({ outcomes, messages, delivered: deliveredMean, rounds: roundsMean }, model.outcomes, model.copies);
  // A branch the channel's tables lost to underflow (a loss^k of 1e-400 held as 0) may have lost up to the least normal double each time it was weighed: count each unit of work as one.
  if (model.tablesUnderflow) underflows.count += Math.max(1, work);
  const underflow = underflowOf(rounded.outcomes, model.outcomes.names, underflows.count, rounded.messages.length - 1);
  return {
    ...roundedValues(rounded, deliveredSure, roundsSure),
    ...(underflow ? { underflow } : {}),
    statesExpanded: expanded,
    method: canonicalize ? 'generic, symmetric states merged' : 'generic',
  };
}

/**
 * A branch's units of work by the size of its state: a branch copies the state, hashes its
 * fields and compares them with those filed, and a new state is kept, so a larger state costs
 * more (one unit and one more per 8 fields keeps a unit near its meant cost at 6 to 24 fields:
 * docs/benchmarks.md, "Figures behind the code"), where a unit is meant to be about a microsecond
 * (result.ts), as the other engines' are.
 */
function stateBranchUnits(stateSize: number): number {
  return 1 + (stateSize >> 3);
}

/**
 * One crash pattern out of a state: the crashed state (not yet resolved), its probability (the
 * nearest double of the product of the rates' decimals and their complements, decimal-ratio.ts),
 * the nodes down (1 each), which crashed must say once it is resolved, and what that double
 * leaves of the product.
 */
type Branch = readonly [Int32Array, number, Uint8Array, number];

/** Nodes up whose crashes are drawn at once at most: 2^16 branches from one state. */
const MAX_CRASHING_NODES = 16;

/** The refusal where more nodes may crash at a round's start than the engine branches over (no limit helps), else null. */
export function tooManyCrashing(able: number, round: number): ExactUnavailable | null {
  return able > MAX_CRASHING_NODES
    ? new ExactUnavailable(`${able} nodes may crash in round ${round}, more than the ${MAX_CRASHING_NODES} it branches over`, false)
    : null;
}

/**
 * The start of a round: every way the nodes still up (and able to crash) may crash, each as the
 * crashed state and its probability, the product of each node's rate or its complement, and the
 * nodes down in it (crashed is held to them after the round's resolve, as check holds it).
 */
export function crashBranches(model: CellModel, state: Int32Array, round: number): Branch[] {
  const { protocol, protocolConfig: config, crash } = model;
  if (crash === null) throw new UnexpectedRound(protocol.name);
  const able: number[] = [];
  const before = new Uint8Array(crash.length); // the nodes down already, 1 each
  for (let node = 0; node < crash.length; node++) {
    if (protocol.crashed!(state, config, node)) before[node] = 1;
    else if (crash[node]! > 0) able.push(node);
  }
  const tooMany = tooManyCrashing(able.length, round);
  if (tooMany) throw tooMany;
  const branches: Branch[] = [];
  for (let mask = 0; mask < 1 << able.length; mask++) {
    const { hi, lo } = crashPatternWeight(crash, able, mask);
    if (!(hi > 0)) continue;
    const child = state.slice();
    const down = before.slice();
    able.forEach((node, j) => {
      if (mask & (1 << j)) {
        protocol.crash!(child, config, node);
        down[node] = 1;
      }
    });
    branches.push([child, hi, down, lo]);
  }
  return branches;
}

/** crashPatternWeight's answers by the rates, then by the nodes able to crash and the pattern (bit sets, up to 30 nodes): a cell's states meet the same few again and again. */
const crashPatternWeights = new WeakMap<object, Map<number | string, DoubleDouble>>();

/**
 * The probability of a crash pattern, the product of the rates' decimals (those in `mask`) and the
 * others' complements, as the nearest double and what it leaves: a pair to about 106 bits. The
 * product of the doubles with the low part it leaves would not be: where a rate is near 1 its
 * double complement is far from its decimal's (1 − 0.9999999999999999 is 1.11e-16, not 1e-16), so
 * that low part is a tenth of the value and keeps only its own 53 bits.
 */
function crashPatternWeight(crash: Float64Array, able: readonly number[], mask: number): DoubleDouble {
  let known = crashPatternWeights.get(crash);
  if (!known) crashPatternWeights.set(crash, (known = new Map()));
  let key: number | string;
  if (crash.length <= 30) {
    let ableBits = 0;
    for (const node of able) ableBits |= 1 << node;
    key = ableBits * 2 ** MAX_CRASHING_NODES + mask;
  } else key = `${able.join(',')}/${mask}`;
  let weight = known.get(key);
  if (weight === undefined) {
    let numerator = 1n;
    let denominator = 1n;
    able.forEach((node, j) => {
      const rate = decimalRatio(crash[node]!);
      numerator *= mask & (1 << j) ? rate.numerator : rate.denominator - rate.numerator;
      denominator *= rate.denominator;
    });
    known.set(key, (weight = ddOfRatio({ numerator, denominator })));
  }
  return weight;
}

/** choiceWeights' answers by the cell's parameter values, then by the probabilities a choice gave. */
const choiceWeightsOf = new WeakMap<readonly number[], WeakMap<Float64Array, readonly DoubleDouble[]>>();

/**
 * Each probability of a choice as the value it stands for (choiceRatios), the nearest double and
 * what it leaves, which the doubles alone do not say; the double itself where it stands for itself.
 * Not the double with what it leaves: the complement 1 − p of a p near 1 is far from its decimal's
 * (crashPatternWeight).
 */
export function choiceWeights(made: Float64Array, parameterValues: readonly number[]): readonly DoubleDouble[] {
  let known = choiceWeightsOf.get(parameterValues);
  if (!known) choiceWeightsOf.set(parameterValues, (known = new WeakMap()));
  let weights = known.get(made);
  if (weights) return weights;
  const values = Array.from(made);
  const ratios = choiceRatios(values, parameterValues);
  weights = ratios === null ? values.map(dd) : ratios.map(ddOfRatio);
  known.set(made, weights);
  return weights;
}

/** Adds `clock` to the min-heap `heap`. */
function pushClock(heap: number[], clock: number): void {
  let i = heap.push(clock) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! <= clock) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = clock;
}

/** Takes the least clock from the min-heap `heap` (not empty). */
function popClock(heap: number[]): number {
  const least = heap[0]!;
  const last = heap.pop()!;
  if (heap.length === 0) return least;
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= heap.length) break;
    if (child + 1 < heap.length && heap[child + 1]! < heap[child]!) child++;
    if (heap[child]! >= last) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = last;
  return least;
}

function checkClock(name: string, from: number, child: Int32Array): void {
  refuseStoppedClock(name, from, child);
}
