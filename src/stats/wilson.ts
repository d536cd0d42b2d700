import { criticalValue } from './normal.js';

/** The confidence level of every interval unless `--confidence` says otherwise. */
export const DEFAULT_CONFIDENCE = 0.95;

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/**
 * Wilson score interval for a binomial proportion (E. B. Wilson, "Probable inference, the law of
 * succession, and statistical inference", JASA 22, 1927). Unlike the normal (Wald) interval it
 * stays inside [0, 1] and does not collapse to a point at 0 or n successes.
 */
export function wilsonInterval(successes: number, trials: number, confidence: number): Interval {
  return wilsonIntervalAtZ(successes, trials, criticalValue(confidence));
}

/** The same interval at critical value z (a chart reads z back from intervals already printed). */
export function wilsonIntervalAtZ(successes: number, trials: number, z: number): Interval {
  if (trials === 0) return { low: 0, high: 1 };
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const center = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  return {
    low: successes === 0 ? 0 : Math.max(0, center - half),
    high: successes === trials ? 1 : Math.min(1, center + half),
  };
}
