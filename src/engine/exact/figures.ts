import type { OutcomeSet } from '../../contract/protocol.js';
import { LEAST_NORMAL, ONE_IN_UNITS, roundedRatio, roundedSquareRootOfRatio } from '../../stats/exact-rounding.js';
import { shortNumber } from '../../export/numbers.js';
import type { NeumaierSum } from '../../stats/sum.js';

/**
 * The figures printed of a cell that combine several of its exact values (success and
 * disagreement sum outcomes; messengers are messages times the copies), each rounded once from
 * the engine's exact sums: a mean rounded and then multiplied by the copies, or two rounded
 * outcomes added, can land an ulp off the nearest double (6.106666666666666 for
 * 6.1066666666666665).
 */
export interface ExactFigures {
  readonly success: number;
  readonly disagreement: number;
  readonly messengersMean: number;
  readonly messengersSd: number;
}

/**
 * An engine's sums, exactly: counts of 2^-1074 units (exact-rounding.ts), each the engine's
 * compensated sum of its paths' masses (or of masses times a cost) with its carried error.
 */
export interface ExactSums {
  /** Mass ending in each outcome. */
  readonly outcomes: readonly bigint[];
  /** Mass by messages dispatched. */
  readonly messages: readonly bigint[];
  /** Copies delivered and rounds used, times the mass. */
  readonly delivered: bigint;
  readonly rounds: bigint;
}

/** The exact values of a cell from its sums, each rounded once. */
export interface RoundedOnce {
  readonly outcomes: number[];
  readonly messages: number[];
  readonly messagesMean: number;
  readonly messagesSecondMoment: number;
  readonly deliveredMean: number;
  readonly roundsMean: number;
  readonly figures: ExactFigures;
}

const sum = (values: readonly bigint[]): bigint => values.reduce((s, v) => s + v, 0n);

/** The index of the only entry that is not 0, or −1. */
function sole(values: readonly bigint[]): number {
  const found = values.flatMap((v, i) => (v === 0n ? [] : [i]));
  return found.length === 1 ? found[0]! : -1;
}

/**
 * Each figure of a cell from the engine's exact sums, rounded once; `copies` messengers a message.
 * Every figure is taken relative to the paths' whole mass as the engine summed it (the outcomes'
 * masses together), not to the 1 it stands for: the branch probabilities are rounded (loss 0.1
 * and its complement 0.9 as doubles add up to 1 + 2.8e-17), and the ratio cancels most of what
 * that drift does to every figure alike (a handshake's exact values agree with exact rationals
 * of the decimal loss in more cells so). A sure thing is set as such: an outcome that holds every
 * path's mass is 1, a cost every trial pays that whole number, with sd 0.
 */
/** roundedOnce of an engine's running sums: of its paths' masses by outcome and by messages dispatched (a hole for none), and of the copies delivered and rounds used. */
export function roundedOnceOfSums(
  sums: { outcomes: readonly NeumaierSum[]; messages: ArrayLike<NeumaierSum | undefined>; delivered: NeumaierSum; rounds: NeumaierSum },
  set: OutcomeSet,
  copies: number,
): RoundedOnce {
  const messages = Array.from(sums.messages, (m) => m?.units() ?? 0n);
  return roundedOnce({ outcomes: sums.outcomes.map((o) => o.units()), messages, delivered: sums.delivered.units(), rounds: sums.rounds.units() }, set, copies);
}

export function roundedOnce(sums: ExactSums, set: OutcomeSet, copies: number): RoundedOnce {
  const k = BigInt(copies);
  const whole = sum(sums.outcomes);
  const ratio = (units: bigint): number => (whole > 0n ? roundedRatio(units, whole) : 0);
  const sureOutcome = sole(sums.outcomes);
  const share = (units: bigint): number => (sureOutcome >= 0 ? (units === 0n ? 0 : 1) : ratio(units));
  const outcomeShare = (indices: readonly number[]): number => share(sum(indices.map((i) => sums.outcomes[i]!)));
  const figures = { success: outcomeShare(set.success), disagreement: outcomeShare(set.disagreement) };
  const sureCost = sole(sums.messages);
  const shared = { outcomes: sums.outcomes.map(share), deliveredMean: ratio(sums.delivered), roundsMean: ratio(sums.rounds) };
  if (sureCost >= 0) {
    return {
      ...shared,
      messages: sums.messages.map((v) => (v === 0n ? 0 : 1)),
      messagesMean: sureCost,
      messagesSecondMoment: sureCost * sureCost,
      figures: { ...figures, messengersMean: sureCost * copies, messengersSd: 0 },
    };
  }
  const s0 = sum(sums.messages);
  const s1 = sum(sums.messages.map((units, m) => units * BigInt(m)));
  const s2 = sum(sums.messages.map((units, m) => units * BigInt(m) * BigInt(m)));
  return {
    ...shared,
    messages: sums.messages.map(ratio),
    messagesMean: ratio(s1),
    messagesSecondMoment: ratio(s2),
    figures: {
      ...figures,
      messengersMean: ratio(s1 * k),
      // About the distribution's own mean: Var = (S0·S2 − S1²)/S0², exact, never below 0, no cancellation.
      messengersSd: s0 > 0n ? roundedSquareRootOfRatio(k * k * (s0 * s2 - s1 * s1), s0 * s0) : 0,
    },
  };
}

/**
 * Messengers from moments of messages alone (a solver that keeps no distribution): the mean's and
 * the variance's sums (2^-1074 units, at least 0) times the copies, each rounded once.
 */
export function messengersFromMoments(meanUnits: bigint, varianceUnits: bigint, copies: number): Pick<ExactFigures, 'messengersMean' | 'messengersSd'> {
  const k = BigInt(copies);
  return {
    messengersMean: roundedRatio(meanUnits * k, ONE_IN_UNITS),
    messengersSd: roundedSquareRootOfRatio(k * k * varianceUnits, ONE_IN_UNITS),
  };
}

export { LEAST_NORMAL } from '../../stats/exact-rounding.js';

/** Outcomes whose exact probabilities a double cannot hold to their last digit: which, the bound they are below, and why. */
export interface ExactUnderflow {
  readonly outcomes: readonly number[];
  readonly below: number;
  readonly reason: string;
  /** The most messages a path of the cell can dispatch: what bounds the cost of a lost path. */
  readonly largestMessages: number;
}

/**
 * The outcomes whose exact values a double cannot hold to their last digit: a probability below
 * the least normal double (a subnormal of a few bits: 2.5e-323 where the truth is near 1e-435),
 * or, where `underflows` products of path masses fell below it (each losing up to 2^-1075 of
 * mass), one not far enough above what they lost for its 17 digits to be right (under
 * underflows·2^-1021, 0 included: its every path may have underflowed to nothing). Undefined
 * where there are none. Their columns are left empty rather than wrong.
 */
export function underflowOf(outcomes: readonly number[], names: readonly string[], underflows: number, largestMessages: number): ExactUnderflow | undefined {
  const lost = underflows * 2 * LEAST_NORMAL; // underflows · 2^-1021
  const unreliable = (p: number): boolean => (p > 0 && p < LEAST_NORMAL) || (underflows > 0 && p < lost);
  const tiny = names.flatMap((_, i) => (unreliable(outcomes[i]!) ? [i] : []));
  if (tiny.length === 0) return undefined;
  const below = Math.max(lost, LEAST_NORMAL);
  return {
    outcomes: tiny,
    below,
    largestMessages,
    reason:
      `the exact probability of ${listed(tiny.map((i) => names[i]!))} is below ${shortNumber(below, 2)}, smaller than a double holds to its last digit ` +
      "(its paths' probabilities underflow), so it is left empty rather than printed wrong",
  };
}

/**
 * The messengers' sd of a cell whose paths lost mass to underflow, or NaN where it is too small
 * to tell from what they lost: a lost path of mass m and cost c adds up to m·c² to the variance
 * (a handshake's first leg lost with probability 1e-320 or 1e-500, held as a subnormal of a few
 * bits or as 0: an sd of 2e-160 printed 1.999988867151698e-160, or 0). Held where all the lost
 * mass (`below`) at the largest cost adds less than 2^-54 of the variance.
 */
export function sdBeyondUnderflow(sd: number, underflow: ExactUnderflow, copies: number): number {
  const largestCost = copies * underflow.largestMessages;
  return sd >= 2 ** 27 * Math.sqrt(underflow.below) * largestCost ? sd : Number.NaN;
}

/** Names as a sentence lists them: a, b and c. */
function listed(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
