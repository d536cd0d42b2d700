import { normalQuantile } from './normal.js';
import { Z_CAP } from './zscore.js';

/** The most products (cells of the sum's distribution × jumps × terms) this computes before giving up: tens of milliseconds. */
const MAX_WORK = 5_000_000;

/**
 * The z of a sum of rare jumps: S = Σ over the trials away from the most likely cost of (their
 * cost − that cost), where the number of such trials is Poisson(lambda) and each one's jump is
 * drawn from `jumps` (whole offsets, either sign, with their probabilities given that a trial
 * strays). The exact mid-p value P(S < s) + P(S = s)/2 of the observed sum s (Lancaster 1961, as
 * for rare outcomes), from the distribution of S as the Poisson mixture of the jumps'
 * convolution powers, turned into a normal quantile. Null where that distribution is too wide
 * to compute here (jumps spread over thousands of costs), for the caller's normal z.
 */
export function compoundPoissonMidPZ(observed: number, lambda: number, jumps: readonly { offset: number; p: number }[]): number | null {
  // Enough terms that the Poisson mass left out is below 1e-17: past the mean, the terms fall
  // faster than geometrically, so the mass beyond a term under 1e-18 is below 1e-17.
  const weights = [Math.exp(-lambda)];
  while (!(weights.length - 1 > lambda && weights[weights.length - 1]! < 1e-18) && weights.length <= 10_000)
    weights.push((weights[weights.length - 1]! * lambda) / weights.length);
  return mixtureMidPZ(observed, weights, jumps);
}

/**
 * The same z where the number of strays is what it is, Binomial(trials, q) (each trial strays
 * with probability q, apart from the others): its variance trials·q·(1 − q), not a Poisson's
 * trials·q, so the z is not understated where q is not small (retransmission at crash and loss
 * rates of 0.1 over 20 trials).
 */
export function compoundBinomialMidPZ(observed: number, trials: number, q: number, jumps: readonly { offset: number; p: number }[]): number | null {
  const odds = q / (1 - q);
  const weights = [Math.exp(trials * Math.log1p(-q))];
  while (weights.length <= trials && !(weights.length - 1 > trials * q && weights[weights.length - 1]! < 1e-18) && weights.length <= 10_000) {
    const j = weights.length - 1;
    weights.push(weights[j]! * ((trials - j) / (j + 1)) * odds);
  }
  return mixtureMidPZ(observed, weights, jumps);
}

/**
 * The mid-p z of S, the sum of N jumps, N distributed as `weights` (P(N = j), the mass past the
 * last below 1e-17), from the jumps' convolution powers; null where too wide to compute.
 */
function mixtureMidPZ(observed: number, weights: readonly number[], jumps: readonly { offset: number; p: number }[]): number | null {
  const total = jumps.reduce((s, j) => s + j.p, 0);
  if (!(total > 0)) return null;
  const least = Math.min(0, ...jumps.map((j) => j.offset));
  const most = Math.max(0, ...jumps.map((j) => j.offset));
  const width = most - least;
  const terms = weights.length - 1;
  if ((width * terms * terms * jumps.length) / 2 > MAX_WORK) return null;
  // power[i]: P(the first j jumps sum to i + j·least); sum[i + shift]: P(S = i + low) over all j.
  const low = least * terms;
  const sum = new Float64Array(width * terms + 1);
  let power = new Float64Array([1]);
  for (let j = 0; ; j++) {
    for (let i = 0; i < power.length; i++) sum[i + j * least - low]! += weights[j]! * power[i]!;
    if (j === terms) break;
    const next = new Float64Array(power.length + width);
    for (let i = 0; i < power.length; i++) {
      const p = power[i]!;
      if (p === 0) continue;
      for (const jump of jumps) next[i + jump.offset - least]! += (p * jump.p) / total;
    }
    power = next;
  }
  const at = observed - low;
  let below = 0;
  let above = 0;
  for (let i = 0; i < sum.length; i++) {
    if (i < at) below += sum[i]!;
    else if (i > at) above += sum[i]!;
  }
  const equal = at >= 0 && at < sum.length ? sum[at]! : 0;
  // The smaller tail holds its digits: z from it.
  const lower = below + equal / 2;
  const upper = above + equal / 2;
  const z = lower <= upper ? (lower > 0 ? normalQuantile(Math.min(0.5, lower)) : -Z_CAP) : upper > 0 ? -normalQuantile(Math.min(0.5, upper)) : Z_CAP;
  return Math.max(-Z_CAP, Math.min(Z_CAP, z));
}
