import { DD_ONE, dd, ddAdd, ddDivide, ddMultiply, ddSqrt, ddSubtract, ddTimes } from './double-double.js';
import type { DoubleDouble } from './double-double.js';
import { criticalValueDD } from './normal.js';

/** The confidence level of every interval unless `--confidence` says otherwise. */
export const DEFAULT_CONFIDENCE = 0.95;

export interface Interval {
  readonly low: number;
  readonly high: number;
}

/**
 * Wilson score interval for a binomial proportion (E. B. Wilson, "Probable inference, the law of
 * succession, and statistical inference", JASA 22, 1927). Unlike the normal (Wald) interval it
 * stays inside [0, 1] and does not collapse to a point at 0 or n successes. Each end is the
 * formula's value at the level's critical value, rounded once to the nearest double.
 */
export function wilsonInterval(successes: number, trials: number, confidence: number): Interval {
  return wilsonIntervalAtZ(successes, trials, criticalValueDD(confidence));
}

/**
 * The same interval at critical value z (a chart reads z back from intervals already printed).
 * Worked in double-double and rounded once: in doubles the lower end, centre − half-width, lost
 * to cancellation up to a thousand units in the last place where few events were seen (1 in
 * 876,452,227,822: 4.4070508966923515e-14 for 4.407050896692941e-14 at 0.999999; 1 in 10^9 at
 * 0.95: 1.765245549569633e-10 for 1.7652455495696314e-10).
 */
export function wilsonIntervalAtZ(successes: number, trials: number, z: number | DoubleDouble): Interval {
  if (trials === 0) return { low: 0, high: 1 };
  const critical = typeof z === 'number' ? dd(z) : z;
  const n = dd(trials);
  const p = ddDivide(dd(successes), n);
  const q = ddDivide(dd(trials - successes), n);
  const z2n = ddDivide(ddMultiply(critical, critical), n);
  const scale = ddAdd(DD_ONE, z2n);
  const center = ddDivide(ddAdd(p, ddTimes(z2n, 0.5)), scale);
  // z / (1 + z²/n) · √(p(1 − p)/n + z²/(4n²))
  const half = ddMultiply(ddDivide(critical, scale), ddSqrt(ddDivide(ddAdd(ddMultiply(p, q), ddTimes(z2n, 0.25)), n)));
  return {
    low: successes === 0 ? 0 : Math.max(0, ddSubtract(center, half).hi),
    high: successes === trials ? 1 : Math.min(1, ddAdd(center, half).hi),
  };
}
