import { normalQuantile, normalQuantileOfOffset, upperNormalQuantileOfLog } from './normal.js';

/** |z| is capped here: an observation the exact model calls impossible reads as ±Z_CAP. */
export const Z_CAP = 99;

/** |z| above this is warned about: the estimate and the exact value disagree. */
export const Z_WARNING = 4;

/** Below this many expected events the normal approximation is replaced by an exact tail. */
export const RARE_EXPECTED = 20;

/**
 * z-score of `count` events in `trials` trials against the exact probability `p`.
 * Where fewer than 20 events (or non-events) are expected, the normal z misleads (one event where
 * 0.04 are expected reads as z = 4.9 yet happens in 4% of runs), so there the z is the exact
 * binomial mid-p value turned into a normal quantile (Lancaster 1961, "Significance tests in
 * discrete distributions", JASA 56), the count's own distribution: a Poisson tail in its place
 * has the variance np, not np(1 − p), so where p is not small it understated z (13 of 20 at
 * p = 0.5 read 0.93 where the binomial gives 1.31) and, where events and non-events are as
 * likely, gave an outcome and its complement z's of different sizes. `q`, the probability of the
 * other outcomes, is given where the exact engine knows it: 1 − p in doubles keeps only the
 * digits of p's last place (1 − 0.999999999999 is 1.0000889e-12), and near 1 the non-events'
 * z is that small number's (a success of 1 − 1e-12 over 100,000 trials read z 1.2532863e-7
 * beside its complement's −1.2533141e-7).
 */
export function proportionZ(count: number, trials: number, p: number, q = 1 - p): number {
  if (trials === 0) return 0;
  if (p <= 0) return count === 0 ? 0 : Z_CAP;
  if (q <= 0) return count === trials ? 0 : -Z_CAP;
  const events = trials * p;
  const nonEvents = trials * q;
  // Events and non-events alike (p = ½): the binomial is symmetric, so z(count) = −z(trials − count), taken from the smaller
  // count, so that an outcome and its complement print opposite z's to the last digit.
  if (events < RARE_EXPECTED && p === q) return count <= trials - count ? binomialMidPZ(count, trials, p) : -binomialMidPZ(trials - count, trials, q);
  if (events < RARE_EXPECTED && events < nonEvents) return binomialMidPZ(count, trials, p);
  if (nonEvents < RARE_EXPECTED) return -binomialMidPZ(trials - count, trials, q);
  return clamp((count - trials * p) / Math.sqrt(trials * p * q));
}

/**
 * The normal quantile of the mid-p value P(X < x) + P(X = x)/2, X ~ Binomial(n, p), for a count
 * whose mean np is small (fewer than 20): the shorter tail is summed from P(X = x) by the terms'
 * ratios, and where P(X = x) is below a double's least the quantile is taken from its log.
 */
export function binomialMidPZ(x: number, n: number, p: number): number {
  if (p <= 0) return x === 0 ? 0 : Z_CAP;
  const odds = p / (1 - p);
  if (x === 0) return noEventZ(n, p);
  const atX = binomialPmf(x, n, p);
  if (x <= n * p) {
    // P(X = j)/P(X = x) for j below x: at most x (under 20) terms.
    let ratio = 1;
    let below = 0;
    for (let j = x; j > 0; j--) {
      ratio *= j / ((n - j + 1) * odds);
      below += ratio;
    }
    return clamp(normalQuantile(Math.min(1, (atX ?? Math.exp(logBinomialPmf(x, n, p))) * (0.5 + below))));
  }
  // Past the mean the terms fall: summed until they no longer count.
  let ratio = 1;
  let above = 0;
  for (let j = x; j < n; j++) {
    ratio *= ((n - j) / (j + 1)) * odds;
    above += ratio;
    if (ratio < above * 1e-17) break;
  }
  // Where P(X = x) is a normal double, as the lower tail is taken (an outcome's z and its complement's mirror each other).
  if (atX !== null) return clamp(-normalQuantile(Math.min(1, atX * (0.5 + above))));
  return clamp(upperNormalQuantileOfLog(logBinomialPmf(x, n, p) + Math.log(0.5 + above)));
}

/**
 * The z of no event in n trials: the mid-p is P(X = 0)/2, which is ½ less (1 − P(X = 0))/2. Where
 * few events are expected that offset from ½ keeps the z's last digits; where more are, ½ plus the
 * offset keeps only the offset's absolute digits (at 19.9 expected, P(X = 0)/2 is 1.1e-9 and kept
 * 7 of its digits: z −5.976958527144942 for −5.976958523914713), so P(X = 0)/2 is taken itself.
 */
function noEventZ(n: number, p: number): number {
  const logNone = n * Math.log1p(-p);
  const offset = Math.expm1(logNone) / 2;
  return clamp(Math.abs(offset) <= 0.425 ? normalQuantileOfOffset(offset) : normalQuantile(Math.exp(logNone) / 2));
}

/**
 * P(X = x), X ~ Binomial(n, p), for a small x: (1 − p)^(n − x) times x factors (n − i)·p/(i + 1),
 * each a few units in the last place, where the log's terms (x·log p beside log C(n, x), each
 * near 20x at a billion trials) cancel to a small number and keep only its absolute digits;
 * null past 1,000 events or where it is no normal double (then from its log).
 */
/** The least normal double, 2^-1022. */
const LEAST_NORMAL = 2.2250738585072014e-308;

function binomialPmf(x: number, n: number, p: number): number | null {
  if (x > 1000) return null;
  let value = Math.exp((n - x) * Math.log1p(-p));
  for (let i = 0; i < x; i++) value *= ((n - i) * p) / (i + 1);
  return value >= LEAST_NORMAL && Number.isFinite(value) ? value : null;
}

/** log P(X = x), X ~ Binomial(n, p): the binomial coefficient as a sum of logs where x or n − x is small, else from log Γ. */
function logBinomialPmf(x: number, n: number, p: number): number {
  const k = Math.min(x, n - x);
  let logChoose = 0;
  if (k <= 100_000) for (let i = 1; i <= k; i++) logChoose += Math.log((n - k + i) / i);
  else logChoose = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
  return logChoose + (x === 0 ? 0 : x * Math.log(p)) + (n - x === 0 ? 0 : (n - x) * Math.log1p(-p));
}

/** z of a sample mean against an exact mean and standard deviation. */
export function meanZ(observedMean: number, trials: number, mean: number, sd: number): number {
  if (trials === 0) return 0;
  const difference = observedMean - mean;
  if (sd === 0 || !(sd > 1e-12 * Math.abs(mean))) return Math.abs(difference) <= 1e-9 * Math.max(1, Math.abs(mean)) ? 0 : Math.sign(difference) * Z_CAP;
  return clamp(difference / (sd / Math.sqrt(trials)));
}

/** The normal quantile of the mid-p value P(X < x) + P(X = x)/2, X ~ Poisson(lambda). */
export function poissonMidPZ(x: number, lambda: number): number {
  const pmfX = Math.exp(logPoissonPmf(x, lambda));
  // Sum the shorter tail directly: for x below the mean the lower tail, else the upper.
  if (x <= lambda) {
    let below = 0;
    for (let i = 0; i < x; i++) below += Math.exp(logPoissonPmf(i, lambda));
    return clamp(normalQuantile(Math.min(0.5, below + pmfX / 2)));
  }
  let above = 0;
  for (let i = x + 1; ; i++) {
    const term = Math.exp(logPoissonPmf(i, lambda));
    above += term;
    if (term < above * 1e-17 || term === 0) break;
  }
  const upper = above + pmfX / 2;
  return upper <= 0 ? Z_CAP : clamp(-normalQuantile(Math.min(0.5, upper)));
}

function logPoissonPmf(x: number, lambda: number): number {
  return -lambda + x * Math.log(lambda) - logGamma(x + 1);
}

/** log Γ(x) for x > 0: Lanczos approximation, g = 7, n = 9 (Numerical Recipes, 3rd ed., §6.1). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const y = x - 1;
  let a = c[0]!;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

function clamp(z: number): number {
  return Math.max(-Z_CAP, Math.min(Z_CAP, z));
}
