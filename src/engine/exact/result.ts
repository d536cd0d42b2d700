import { thousands } from '../../io/text.js';
import { NeumaierSum } from '../../stats/sum.js';
import type { ExactFigures, ExactUnderflow, RoundedOnce } from './figures.js';
/** Exact distribution of a cell's outcome and cost. */
export interface ExactResult {
  /** Probability of each outcome, in the protocol's outcome order. */
  readonly outcomes: readonly number[];
  /**
   * messages[m]: probability that a trial dispatches m messages, where the engine that computed
   * the result tracks the whole distribution; null where it tracks only the moments below.
   */
  readonly messages: readonly number[] | null;
  /** E[messages] and E[messages²] per trial. */
  readonly messagesMean: number;
  readonly messagesSecondMoment: number;
  /**
   * Var[messages], where a solver that keeps only the moments computed it without the
   * cancellation of E[messages²] − E[messages]² (two-phase commit's independent cohorts: moments
   * about the loss-free cost); absent elsewhere (the sd is then the distribution's, or from the
   * two moments).
   */
  readonly messagesVariance?: number;
  /**
   * Where the result has no distribution of messages: the message count of the likeliest loss
   * pattern and that pattern's probability (a lower bound on the count's own probability, which
   * other patterns may reach too). The cost's z-score takes it where other counts are rare
   * (stats/summary.ts, costZ); absent where no solver gives it.
   */
  readonly likeliestPath?: LikeliestPath;
  readonly deliveredMean: number;
  readonly roundsMean: number;
  /**
   * Success, disagreement and the messengers' mean and sd, each rounded once from the engine's
   * exact sums (figures.ts); absent from results saved before them, where they are made from the
   * fields above.
   */
  readonly figures?: ExactFigures;
  /**
   * Outcomes whose exact probability a double cannot hold to its last digit (figures.ts,
   * underflowOf): their indices, the bound their probabilities are below, and why, in the
   * user's words. Their exact columns are left empty, and a figure below the bound too.
   */
  readonly underflow?: ExactUnderflow;
  /** Distinct states expanded: the size of the computation. */
  readonly statesExpanded: number;
  /** Which engine computed it: 'generic' (every state), or a structured solver's name (structured.ts). */
  readonly method: string;
}

/** A message count and the probability of the one loss pattern that costs it (ExactResult.likeliestPath). */
export interface LikeliestPath {
  readonly messages: number;
  readonly probability: number;
  /** 1 − probability, computed before rounding (absent from results saved before it was kept: 1 − probability then). */
  readonly leaving?: number;
}

/**
 * How far an exact computation may go. Work and memory are counted, never timed, so whether a
 * cell gets its exact value depends only on the cell: work is counted in units of under a
 * microsecond each (docs/benchmarks.md, "Figures behind the code"), whatever the engine (a branch of the generic engine:
 * a unit and one more per 8 fields of its state; 32 slots or transitions of the randomized
 * levels; two rounds of the cohorts' phase 2; a step of a trace's start), and
 * memory the number of stored numbers (states and their cost windows) alive at once, so one
 * state with very many branches cannot hide a blow-up.
 */
export interface ExactLimits {
  /** Units of work past which the computation gives up. */
  readonly maxWork: number;
  /** Stored numbers alive at once (about 8–16 bytes each, plus a small overhead per state). */
  readonly maxWords: number;
  /** Merge symmetric states (canonicalize) where that provably keeps the future; default true. */
  readonly merge?: boolean;
  /** Compare a protocol file's merged cell with the cell unmerged (canonical-check.ts); default true (false: the caller compares itself). */
  readonly compareMerged?: boolean;
  /** Hears the states expanded so far, a few times a second at most. */
  readonly progress?: (statesExpanded: number) => void;
  /** Work an earlier engine already spent on this cell, counted toward maxWork (a short trace's starts, before its tables). */
  readonly spent?: number;
}

/** The exact computation stopped before it finished; `message` says why, in the user's words. */
export class ExactUnavailable extends Error {
  override name = 'ExactUnavailable';
  /** `byLimits`: the work or memory limits stopped it, which --exact raises (false: no limit would help, as more nodes able to crash at once than the engine branches over). */
  constructor(
    message: string,
    readonly byLimits = true,
  ) {
    super(message);
  }
}

/** No limits worth the name: tests and library callers that know their cell is small. */
export const UNLIMITED: ExactLimits = { maxWork: Number.POSITIVE_INFINITY, maxWords: Number.POSITIVE_INFINITY };

/** --exact: up to this much work per cell (about a minute on a 2020s laptop core) and this much memory before giving up with a reason. */
export const EXPLICIT_EXACT_WORK = 90_000_000;
export const EXPLICIT_EXACT_WORDS = 40_000_000;
/** The automatic attempt's memory cap; its work is budgeted by the run (schedule/runner.ts). */
export const AUTO_EXACT_WORDS = 4_000_000;

/** Work between the points where an engine checks its limits and yields its thread. */
export const WORK_SLICE = 4096;

/** The reason given when the work limit is reached. */
export function tooMuchWork(limits: ExactLimits, done: string): ExactUnavailable {
  return new ExactUnavailable(`it needs more than ${thousands(limits.maxWork)} steps of work (${done})`);
}

/**
 * An exact computation as its callers drive it: it yields the work done since its last yield
 * (at most a few WORK_SLICEs at a time), so that a caller can share the thread and account for
 * the work, and returns the result or throws ExactUnavailable.
 */
export type ExactSteps = Generator<number, ExactResult>;

/** Mean and second moment of a distribution over message counts. */
export function momentsOf(distribution: readonly number[]): { mean: number; second: number } {
  const mean = new NeumaierSum();
  const second = new NeumaierSum();
  for (let m = 0; m < distribution.length; m++) {
    mean.add(m * distribution[m]!);
    second.add(m * m * distribution[m]!);
  }
  return { mean: mean.value(), second: second.value() };
}

/** The index of the only entry of `values` that is not 0, or −1: a sure thing (every trial ends there, or pays that cost). */
export function soleNonZero(values: readonly number[]): number {
  let found = -1;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === 0) continue;
    if (found >= 0) return -1;
    found = i;
  }
  return found;
}

/**
 * Each value's share by `share`; where one value holds everything, 1 there and 0 elsewhere: the
 * paths' masses are products of rounded probabilities and sum to the whole only up to a few ulps,
 * and a sure thing is 1, not their rounded ratio.
 */
export function sharesOf(values: readonly number[], share: (value: number) => number): number[] {
  return soleNonZero(values) >= 0 ? values.map((v) => (v === 0 ? 0 : 1)) : values.map(share);
}

/** A figure every trial's end shares (undefined: none ended; NaN: ends differ), else `mean`: a sure count is that whole number. */
export function sureOr(value: number | undefined, mean: number): number {
  return value === undefined || Number.isNaN(value) ? mean : value;
}

/** An engine's exact values from its figures rounded once, the copies delivered and rounds used taken as sure counts where every trial shares them (sureOr). */
export function roundedValues(rounded: RoundedOnce, deliveredSure: number | undefined, roundsSure: number | undefined) {
  return {
    outcomes: rounded.outcomes,
    messages: rounded.messages,
    messagesMean: rounded.messagesMean,
    messagesSecondMoment: rounded.messagesSecondMoment,
    deliveredMean: sureOr(deliveredSure, rounded.deliveredMean),
    roundsMean: sureOr(roundsSure, rounded.roundsMean),
    figures: rounded.figures,
  };
}

/** The memory a number of stored words stands for, as the limits' messages give it. */
export function megabytes(words: number): string {
  return `${thousands(Math.round((words * 8) / 2 ** 20))} MB`;
}
