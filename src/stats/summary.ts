import type { CellResult } from '../engine/schedule/runner.js';
import type { Cell } from '../scenario/types.js';
import type { Interval } from './wilson.js';
import { sdBeyondUnderflow } from '../engine/exact/figures.js';
import { compoundBinomialMidPZ } from './compound-poisson.js';
import { neumaierSum } from './sum.js';
import { wilsonInterval } from './wilson.js';
import { RARE_EXPECTED, binomialMidPZ, meanZ, proportionZ } from './zscore.js';

/** An estimated proportion with its Wilson interval. */
export interface Proportion extends Interval {
  readonly count: number;
  readonly estimate: number;
}

export interface CostSummary {
  readonly mean: number;
  readonly sd: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface ExactSummary {
  readonly outcomes: readonly number[];
  readonly success: number;
  readonly disagreement: number;
  readonly messengersMean: number;
  readonly messengersSd: number;
  readonly deliveredMean: number;
  readonly roundsMean: number;
  /** z-scores of the estimates against these values (null without trials). */
  readonly successZ: number | null;
  readonly disagreementZ: number | null;
  readonly messengersZ: number | null;
  /** z of each outcome's count against its exact probability (null without trials). */
  readonly outcomeZ: readonly (number | null)[];
}

/** Everything printed about one cell, computed from its counts in this one place. */
export interface CellSummary {
  /** The cell: its scenario, index and parameters (what exporters and plan print beside its figures). */
  readonly cell: Cell;
  readonly params: Readonly<Record<string, number | string>>;
  /** The counts and exact values as the engines gave them (for re-exporting and checking them). */
  readonly result: CellResult;
  readonly outcomeNames: readonly string[];
  readonly trials: number;
  readonly outcomes: readonly Proportion[];
  readonly success: Proportion;
  readonly disagreement: Proportion;
  readonly messengers: CostSummary;
  readonly deliveredMean: number;
  readonly roundsMean: number;
  readonly exact: ExactSummary | null;
  readonly confidence: number;
}

export function summarize(result: CellResult, confidence: number): CellSummary {
  const outcomeSet = result.cell.scenario.protocolDefinition.outcomes;
  const tally = result.tally;
  const trials = tally?.trials ?? 0;
  const counts = tally?.outcomes ?? outcomeSet.names.map(() => 0);
  const proportion = (count: number): Proportion => ({ count, estimate: trials ? count / trials : NaN, ...wilsonInterval(count, trials, confidence) });
  const sumOf = (indices: readonly number[], values: readonly number[]): number => indices.reduce((s, i) => s + values[i]!, 0);
  const success = proportion(sumOf(outcomeSet.success, counts));
  const disagreement = proportion(sumOf(outcomeSet.disagreement, counts));
  const messengers = costSummary(tally?.messages ?? [], result.copies, trials);
  let exact: ExactSummary | null = null;
  if (result.exact) {
    const e = result.exact;
    // The engine's own moments (summed exactly where it could), and where it gave the distribution,
    // the sd from it, about the mean: see centredSd.
    // The engine's figures rounded once from its exact sums where it gave them (figures.ts).
    const f = e.figures;
    const cost = {
      ...momentCost(e.messagesMean, e.messagesSecondMoment, result.copies, e.messagesVariance),
      ...(e.messages && neumaierSum(e.messages) > 0 ? distributionCost(e.messages, e.messagesMean, result.copies) : {}),
      // A saved results.json holds null where the sd's column is empty (export/json.ts, exactBlock): left empty again.
      ...(f ? { mean: f.messengersMean, sd: (f.messengersSd as number | null) ?? Number.NaN } : {}),
      mode: e.messages ? modeOf(e.messages) : -1,
    };
    // Sums of many products may stray past 0 or 1 by rounding (a trace's thousands of starts): a probability is printed as one.
    const probability = (p: number): number => Math.min(1, Math.max(0, p));
    // A probability a double cannot hold to its last digit (engine/exact/figures.ts, underflowOf) is left out (NaN: an empty column), not printed wrong.
    const tiny = e.underflow;
    // A sum of outcomes is left out where it is that small and one of them is: not where each is held (inconsistent, 0 by the protocol's structure).
    const held = (p: number, of: readonly number[]): number => (tiny && p < tiny.below && of.some((i) => tiny.outcomes.includes(i)) ? Number.NaN : p);
    const successExact = held(probability(f ? f.success : exactShare(outcomeSet.success, e.outcomes)), outcomeSet.success);
    const disagreementExact = held(probability(f ? f.disagreement : exactShare(outcomeSet.disagreement, e.outcomes)), outcomeSet.disagreement);
    // Where success (disagreement) is one outcome, that outcome's column is the same number.
    const outcomesExact = e.outcomes.map((p, i) => (tiny?.outcomes.includes(i) ? Number.NaN : probability(p)));
    if (outcomeSet.success.length === 1) outcomesExact[outcomeSet.success[0]!] = successExact;
    if (outcomeSet.disagreement.length === 1) outcomesExact[outcomeSet.disagreement[0]!] = disagreementExact;
    // The exact mass of the outcomes not among `indices`, each held by its double, for a z near 1
    // (zscore.ts, proportionZ); where one of them is left empty, 1 − p is taken instead.
    const rest = (indices: readonly number[]): number | undefined => {
      const others = outcomesExact.filter((_, i) => !indices.includes(i));
      return others.some(Number.isNaN) ? undefined : neumaierSum(others);
    };
    exact = {
      outcomes: outcomesExact,
      success: successExact,
      disagreement: disagreementExact,
      messengersMean: cost.mean,
      // An sd too small to tell from the mass underflow lost is left out too (figures.ts, sdBeyondUnderflow).
      messengersSd: tiny ? sdBeyondUnderflow(cost.sd, tiny, result.copies) : cost.sd,
      deliveredMean: e.deliveredMean,
      roundsMean: e.roundsMean,
      successZ: trials && !Number.isNaN(successExact) ? proportionZ(success.count, trials, successExact, rest(outcomeSet.success)) : null,
      disagreementZ:
        trials && !Number.isNaN(disagreementExact) ? proportionZ(disagreement.count, trials, disagreementExact, rest(outcomeSet.disagreement)) : null,
      messengersZ: trials ? costZ(tally!.messages, e.messages, e.likeliestPath ?? null, trials, messengers.mean, cost) : null,
      outcomeZ: outcomesExact.map((p, i) => (trials && !Number.isNaN(p) ? proportionZ(counts[i]!, trials, p, rest([i])) : null)),
    };
  }
  return {
    cell: result.cell,
    params: result.cell.params,
    result,
    outcomeNames: outcomeSet.names,
    trials,
    outcomes: counts.map(proportion),
    success,
    disagreement,
    messengers,
    deliveredMean: trials ? tally!.deliveries.reduce((sum, n, c) => sum + n * result.deliveryValues[c]!, 0) / trials : NaN,
    roundsMean: trials ? tally!.rounds / trials : NaN,
    exact,
    confidence,
  };
}

/** Statistics of messengers dispatched, from the exact histogram of messages per trial. */
function costSummary(histogram: readonly number[], copies: number, trials: number): CostSummary {
  if (trials === 0) return { mean: NaN, sd: NaN, min: NaN, p50: NaN, p90: NaN, p99: NaN, max: NaN };
  let sum = 0;
  for (let m = 0; m < histogram.length; m++) sum += m * histogram[m]!;
  const mean = sum / trials;
  // About the mean, as centredSd does for exact values: sumSquares / trials − mean² cancels all but
  // a few digits where a cost other than the usual one is rare (0.01184142005104728 for
  // 0.011841420051121402, the handshake at loss 1e-6 over 2·10⁸ trials).
  let squares = 0;
  for (let m = 0; m < histogram.length; m++) if (histogram[m]) squares += histogram[m]! * (m - mean) * (m - mean);
  const variance = squares / trials;
  const first = histogram.findIndex((c) => c > 0);
  // The last bin holding a trial, not the histogram's last: one read back from a file may end in
  // empty bins (an engine's never does), and the maximum is where trials are.
  let last = histogram.length - 1;
  while (last > first && histogram[last] === 0) last--;
  return {
    mean: mean * copies,
    sd: Math.sqrt(variance) * copies,
    min: first * copies,
    p50: percentile(histogram, trials, 50) * copies,
    p90: percentile(histogram, trials, 90) * copies,
    p99: percentile(histogram, trials, 99) * copies,
    max: last * copies,
  };
}

/**
 * Nearest-rank percentile: the least value with at least ⌈q·n⌉ trials at or below it, for q =
 * percent/100. The rank is worked out in whole numbers (n = 100a + b, so ⌈q·n⌉ = percent·a +
 * ⌈percent·b/100⌉): q·n in doubles is rounded, and past about 10^14 trials ⌈q·n⌉ came out one off.
 */
export function percentile(histogram: readonly number[], trials: number, percent: number): number {
  const hundreds = Math.floor(trials / 100);
  const rank = Math.max(1, percent * hundreds + Math.ceil((percent * (trials - 100 * hundreds)) / 100));
  let seen = 0;
  for (let m = 0; m < histogram.length; m++) {
    seen += histogram[m]!;
    if (seen >= rank) return m;
  }
  return histogram.length - 1;
}

/**
 * The exact probability of some outcomes: their sum, or where that is over one half, one minus
 * the others' (the outcomes sum to one), which is the more accurate near 1: a sure thing is 1
 * exactly, not 1 − 1e-16.
 */
function exactShare(indices: readonly number[], outcomes: readonly number[]): number {
  const chosen = neumaierSum(indices.map((i) => outcomes[i]!));
  return chosen > 0.5 ? 1 - neumaierSum(outcomes.filter((_, i) => !indices.includes(i))) : chosen;
}

/** Mean and sd of messengers from the moments of messages, where no distribution was computed (mode unknown: −1). */
function momentCost(mean: number, second: number, copies: number, variance?: number): { mean: number; sd: number; mode: number } {
  return { mean: mean * copies, sd: Math.sqrt(Math.max(0, variance ?? second - mean * mean)) * copies, mode: -1 };
}

/**
 * The sd of messages from their distribution, about the mean: where a cost other than the usual
 * one is rare (a few starts of a trace in thousands, a loss of 1e-14 a message), second − mean²
 * cancels all but a few of its digits (1e-11 relative over 30,000 starts; 1% for the handshake at
 * loss 1e-7 and 2 copies, whose sd is 2·10⁻⁷ at a mean of 4), where no term here is negative, so
 * none cancels. A solver that keeps no distribution (two-phase commit's independent cohorts)
 * gives its variance, computed about the loss-free cost.
 */
function centredSd(distribution: readonly number[], mean: number): number {
  const terms = distribution.map((p, m) => p * (m - mean) * (m - mean));
  return Math.sqrt(neumaierSum(terms) / neumaierSum(distribution));
}

/**
 * Mean and sd of messengers from a distribution. A cost every trial pays (one count holds all
 * the mass) is that whole number with sd 0, whatever the last ulp of its share or of the
 * engine's mean: the paths' masses need not sum to one exactly (a vote's abort rate over a
 * bursty channel's equally likely starts), and the sd about a mean an ulp off (8 − 8.9e-16) is
 * that ulp, which printed 1.8e-15 where every trial cost the same.
 */
function distributionCost(distribution: readonly number[], mean: number, copies: number): { mean: number; sd: number } {
  if (distribution.filter((p) => p !== 0).length === 1) return { mean: modeOf(distribution) * copies, sd: 0 };
  return { mean: mean * copies, sd: centredSd(distribution, mean) * copies };
}

/** The most likely message count of a distribution. */
function modeOf(distribution: readonly number[]): number {
  let mode = 0;
  for (let m = 0; m < distribution.length; m++) if (distribution[m]! > distribution[mode]!) mode = m;
  return mode;
}

/**
 * z of the mean cost. Where fewer than 20 trials are expected away from the most likely cost,
 * the mean is driven by a handful of rare trials, so the z is that of their number (exact
 * binomial mid-p, as for rare outcomes), signed as the mean moves: positive when more trials
 * strayed than expected to costs above the most likely one, negative where they stray below it
 * (the handshake's lost legs). Where they may stray to either side (a crash costs less, a loss
 * more), their number does not say which way the mean moved: the z is then the exact mid-p of
 * the sum of their costs' offsets from the most likely one (a binomial number of strays: compound-poisson.ts), and the mean's
 * only where that sum's distribution is too wide to compute.
 *
 * A result with no distribution (two-phase commit's independent cohorts) gives its likeliest
 * loss pattern instead: where that pattern holds more than half the mass and fewer than 20
 * trials are expected to leave it, the normal z of the mean misleads as above (one trial of two
 * messengers more where 0.048 are expected read z = 5.6, yet happens in one run in 20), so the z
 * is that of the number of trials at other costs against the chance of leaving the pattern
 * (which other patterns reaching its cost only make larger: a z nearer 0 for trials in excess),
 * signed as the mean moved.
 */
function costZ(
  histogram: readonly number[],
  distribution: readonly number[] | null,
  likeliest: { readonly messages: number; readonly probability: number; readonly leaving?: number } | null,
  trials: number,
  observedMean: number,
  exact: { mean: number; sd: number; mode: number },
): number {
  if (!distribution) {
    // A trial's chance of leaving the pattern as the engine computed it, not 1 − its probability in doubles.
    const chance = likeliest ? (likeliest.leaving ?? 1 - likeliest.probability) : 0;
    const leaving = trials * chance;
    // Only where the pattern is the likeliest cost (more than half the mass), as the mode is below.
    if (likeliest && likeliest.probability > 0.5 && leaving > 0 && leaving < RARE_EXPECTED)
      return Math.sign(observedMean - exact.mean) * Math.abs(binomialMidPZ(trials - (histogram[likeliest.messages] ?? 0), trials, chance));
    return meanZ(observedMean, trials, exact.mean, exact.sd);
  }
  const atypicalExpected = trials * (1 - (distribution[exact.mode] ?? 0));
  if (atypicalExpected > 0 && atypicalExpected < RARE_EXPECTED) {
    const below = distribution.some((p, m) => p > 0 && m < exact.mode);
    const above = distribution.some((p, m) => p > 0 && m > exact.mode);
    // A trial's chance of straying: the other costs' mass, not 1 − the mode's in doubles.
    const atypical = neumaierSum(distribution.filter((_, m) => m !== exact.mode)) / neumaierSum(distribution);
    if (!(below && above)) {
      const z = binomialMidPZ(trials - (histogram[exact.mode] ?? 0), trials, atypical);
      return below ? -z : z;
    }
    const jumps = distribution.flatMap((p, m) => (p > 0 && m !== exact.mode ? [{ offset: m - exact.mode, p }] : []));
    const strayed = histogram.reduce((s, count, m) => s + (count ?? 0) * (m - exact.mode), 0);
    const z = compoundBinomialMidPZ(strayed, trials, atypical, jumps);
    if (z !== null) return z;
  }
  return meanZ(observedMean, trials, exact.mean, exact.sd);
}
