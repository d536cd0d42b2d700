/**
 * Fisher's exact test, one-sided (R. A. Fisher, "On the interpretation of χ² from contingency
 * tables", JRSS 85, 1922): of `bad` events among two samples of `n1` and `n0` trials, the chance
 * that the first holds `x1` or more of them if both samples share one rate. Given the total, the
 * first sample's count is hypergeometric whatever that rate, so the test never rejects more often
 * than its level, however unequal the samples or rare the events (the pooled z did: a run of
 * 10,000 trials against a baseline of 10^6 at a rate of 1e-4 failed 8% of the time at 5%).
 */
export function fisherUpperTail(x1: number, bad: number, n1: number, n0: number): number {
  return Math.exp(fisherLogUpperTail(x1, bad, n1, n0));
}

/** The natural log of fisherUpperTail, which keeps its size where the tail is below a double's least (1e-308). */
export function fisherLogUpperTail(x1: number, bad: number, n1: number, n0: number): number {
  const total = n1 + n0;
  const lowest = Math.max(0, n1 - (total - bad));
  const highest = Math.min(bad, n1);
  if (x1 <= lowest) return 0;
  if (x1 > highest) return Number.NEGATIVE_INFINITY;
  const mode = Math.floor(((n1 + 1) * (bad + 1)) / (total + 2));
  // Each tail is summed from its start away from the mode, where its terms only shrink.
  if (x1 > mode) return logTailFrom(x1, bad, n1, n0, +1);
  return Math.log1p(-Math.min(1, Math.exp(logTailFrom(x1 - 1, bad, n1, n0, -1))));
}

/**
 * The natural log of the other tail, P(X < x1): where the upper tail is so near 1 that its log is
 * 0 in a double, this one keeps its size (the test's z from it: −Φ⁻¹ of it). −∞ where x1 is the
 * least X can be, where the upper tail is 1 exactly.
 */
export function fisherLogLowerTail(x1: number, bad: number, n1: number, n0: number): number {
  const lowest = Math.max(0, n1 - (n1 + n0 - bad));
  if (x1 <= lowest) return Number.NEGATIVE_INFINITY;
  if (x1 > Math.min(bad, n1)) return 0;
  return logTailFrom(x1 - 1, bad, n1, n0, -1);
}

/** log of P(X = x) times the sum of the terms from x on in `step`'s direction, each a ratio of the one before. */
function logTailFrom(x: number, bad: number, n1: number, n0: number, step: 1 | -1): number {
  const good = n1 + n0 - bad;
  const first = logHypergeometric(x, bad, good, n1);
  const lowest = Math.max(0, n1 - good);
  const highest = Math.min(bad, n1);
  let sum = 0;
  let term = 1;
  for (let k = x; k >= lowest && k <= highest; k += step) {
    sum += term;
    const ratio = step > 0 ? ((bad - k) * (n1 - k)) / ((k + 1) * (good - n1 + k + 1)) : (k * (good - n1 + k)) / ((bad - k + 1) * (n1 - k + 1));
    term *= ratio;
    if (term < sum * 1e-17) break;
  }
  return first + Math.log(sum);
}

/**
 * log P(X = x) for X hypergeometric: x of `bad` drawn in `draws` from `bad + good`, as products
 * of binomial terms in Loader's saddle-point form ("Fast and accurate computation of binomial
 * probabilities", 2000), accurate to the last digits at any size, where differences of
 * log-factorials of 10^9 would lose six of them.
 */
export function logHypergeometric(x: number, bad: number, good: number, draws: number): number {
  const total = bad + good;
  const p = draws / total;
  const q = (total - draws) / total;
  return logBinomialRaw(x, bad, p, q) + logBinomialRaw(draws - x, good, p, q) - logBinomialRaw(draws, total, p, q);
}

/** log of the binomial probability of x in n at p (q = 1 − p, given so that it keeps its digits). */
function logBinomialRaw(x: number, n: number, p: number, q: number): number {
  if (x < 0 || x > n) return Number.NEGATIVE_INFINITY;
  if (p === 0) return x === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (q === 0) return x === n ? 0 : Number.NEGATIVE_INFINITY;
  if (x === 0) return n === 0 ? 0 : p < 0.1 ? -deviance(n, n * q) - n * p : n * Math.log(q);
  if (x === n) return q < 0.1 ? -deviance(n, n * p) - n * q : n * Math.log(p);
  const lc = stirlingError(n) - stirlingError(x) - stirlingError(n - x) - deviance(x, n * p) - deviance(n - x, n * q);
  return lc - 0.5 * (Math.log(2 * Math.PI) + Math.log(x) + Math.log1p(-x / n));
}

/** x·log(x/m) + m − x without the cancellation where x is near m (Loader's bd0). */
function deviance(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    let v = (x - m) / (x + m);
    let s = (x - m) * v;
    let ej = 2 * x * v;
    v *= v;
    for (let j = 1; j < 1000; j++) {
      ej *= v;
      const next = s + ej / (2 * j + 1);
      if (next === s) return next;
      s = next;
    }
    return s;
  }
  return x * Math.log(x / m) + m - x;
}

/** log(n!) of the small whole numbers, from their exact factorials (15! < 2^53). */
const SMALL_LOG_FACTORIALS = Array.from({ length: 16 }, (_, n) => {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return Math.log(f);
});

/** log(n!) − log(√(2π) n^(n+½) e^−n): Stirling's error, by its asymptotic series past 15. */
function stirlingError(n: number): number {
  if (n <= 15) return n === 0 ? 0 : SMALL_LOG_FACTORIALS[n]! - (n + 0.5) * Math.log(n) + n - 0.5 * Math.log(2 * Math.PI);
  const nn = n * n;
  const [s0, s1, s2, s3, s4] = [1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188];
  if (n > 500) return (s0 - s1 / nn) / n;
  if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
  if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}
