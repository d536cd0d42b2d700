import { normalQuantile } from './normal.js';

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
 * Poisson mid-p value of the rarer side turned into a normal quantile (Lancaster 1961, "Significance tests in
 * discrete distributions", JASA 56; as in the bench's verify.py).
 */
export function proportionZ(count: number, trials: number, p: number): number {
  if (trials === 0) return 0;
  if (p <= 0) return count === 0 ? 0 : Z_CAP;
  if (p >= 1) return count === trials ? 0 : -Z_CAP;
  // Where both are rare (fewer than 40 trials), the rarer side: its Poisson tail is the closer to the binomial's.
  const events = trials * p;
  const nonEvents = trials * (1 - p);
  if (events < RARE_EXPECTED && events < nonEvents) return poissonMidPZ(count, events);
  if (nonEvents < RARE_EXPECTED) return -poissonMidPZ(trials - count, nonEvents);
  return clamp((count - trials * p) / Math.sqrt(trials * p * (1 - p)));
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
