import { thousands } from '../../io/text.js';
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
  readonly deliveredMean: number;
  readonly roundsMean: number;
  /** Distinct states expanded: the size of the computation. */
  readonly statesExpanded: number;
  /** Which engine computed it: 'generic' (every state), or the protocol's own structured solver. */
  readonly method: string;
}

/**
 * How far an exact computation may go. Work is measured, not guessed: the clock is read every
 * few thousand branches, and memory is the number of stored numbers (states and their cost
 * windows) alive at once, so one state with very many branches cannot hide a blow-up.
 */
export interface ExactLimits {
  /** performance.now() past which the computation gives up. */
  readonly deadline: number;
  /** Stored numbers alive at once (about 8–16 bytes each, plus a small overhead per state). */
  readonly maxWords: number;
  /** Merge symmetric states (canonicalize) where that provably keeps the future; default true. */
  readonly merge?: boolean;
  /** Hears the states expanded so far, a few times a second at most. */
  readonly progress?: (statesExpanded: number) => void;
}

/** The exact computation stopped before it finished; `message` says why, in the user's words. */
export class ExactUnavailable extends Error {
  override name = 'ExactUnavailable';
}

/** No limits worth the name: tests and library callers that know their cell is small. */
export const UNLIMITED: ExactLimits = { deadline: Number.POSITIVE_INFINITY, maxWords: Number.POSITIVE_INFINITY };

/** --exact: up to this long per cell and this much memory before giving up with a reason. */
export const EXPLICIT_EXACT_SECONDS = 60;
export const EXPLICIT_EXACT_WORDS = 40_000_000;
/** The automatic attempt's memory cap; its time is rationed by the run (schedule/runner.ts). */
export const AUTO_EXACT_WORDS = 4_000_000;

export function limitsFor(seconds: number, maxWords: number, progress?: (states: number) => void): ExactLimits {
  return { deadline: performance.now() + seconds * 1000, maxWords, ...(progress ? { progress } : {}) };
}

/** A computation done in one go, as the generator the engines' callers drive (it has nothing to yield). */
// biome-ignore lint/correctness/useYield: a solver that needs no slices still answers as a generator
export function* finished(result: ExactResult): Generator<void, ExactResult> {
  return result;
}

/** Mean and second moment of a distribution over message counts. */
export function momentsOf(distribution: readonly number[]): { mean: number; second: number } {
  let mean = 0;
  let second = 0;
  for (let m = 0; m < distribution.length; m++) {
    mean += m * distribution[m]!;
    second += m * m * distribution[m]!;
  }
  return { mean, second };
}

/** The memory a number of stored words stands for, as the limits' messages give it. */
export function megabytes(words: number): string {
  return `${thousands(Math.round((words * 8) / 2 ** 20))} MB`;
}
