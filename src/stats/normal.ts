import { ddOfComplement } from './decimal-ratio.js';
import { dd, ddAdd, ddDivide, ddExp, ddMultiply, ddSubtract, ddTimes } from './double-double.js';
import type { DoubleDouble } from './double-double.js';

/**
 * Quantile of the standard normal distribution: Wichura's algorithm AS 241 (PPND16),
 * Applied Statistics 37(3), 1988, pp. 477–484; about 16 correct digits.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new RangeError(`normalQuantile: p must be in [0, 1], got ${p}`);
  }
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) return centralQuantile(q);
  let r = q < 0 ? p : 1 - p;
  r = Math.sqrt(-Math.log(r));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value =
      (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r +
        3.64784832476320460504) *
        r +
        5.7694972214606914055) *
        r +
        4.6303378461565452959) *
        r +
        1.42343711074968357734) /
      (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
        0.68976733498510000455) *
        r +
        1.6763848301838038494) *
        r +
        2.05319162663775882187) *
        r +
        1);
  } else {
    r -= 5;
    value =
      (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r +
        0.29656057182850489123) *
        r +
        1.7848265399172913358) *
        r +
        5.4637849111641143699) *
        r +
        6.6579046435011037772) /
      (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
        0.0148753612908506148525) *
        r +
        0.13692988092273580531) *
        r +
        0.59983220655588793769) *
        r +
        1);
  }
  return q < 0 ? -value : value;
}

/**
 * Φ⁻¹(½ + q) for an offset q from ½ given as it is: where p is within a few of its last digits
 * of ½ (the mid-p of no event where 1e-7 are expected is 0.49999995), p − ½ keeps only the digits
 * of p's last place, and a z near 0 would lose as many (9 of 17 at 1e-7).
 */
export function normalQuantileOfOffset(q: number): number {
  return Math.abs(q) <= 0.425 ? centralQuantile(q) : normalQuantile(0.5 + q);
}

/** AS 241's rational approximation for |q| ≤ 0.425, q = p − ½. */
function centralQuantile(q: number): number {
  const r = 0.180625 - q * q;
  return (
    (q *
      (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r + 13731.693765509461125) * r +
        1971.5909503065514427) *
        r +
        133.14166789178437745) *
        r +
        3.387132872796366608)) /
    (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r + 5394.1960214247511077) * r +
      687.1870074920579083) *
      r +
      42.313330701600911252) *
      r +
      1)
  );
}

/**
 * Two-sided critical value: the z with P(|Z| ≤ z) = confidence, for the decimal the confidence
 * is written as (0.95 is 19/20, not the double 5.6e-17 below it), rounded once to the nearest
 * double: the upper tail (1 − confidence) / 2 is taken from the decimal in double-double, and
 * AS 241's quantile of its double (about 16 digits, so 1.9599639845400536 for 0.95 where the
 * nearest double is 1.9599639845400543) is finished by Newton's method on the tail in
 * double-double (upperNormalTail). Every Wilson interval is computed from it (wilson.ts).
 */
export function criticalValue(confidence: number): number {
  return criticalValueDD(confidence).hi;
}

const criticalValues = new Map<number, DoubleDouble>();

/** The critical value to about 100 bits (see criticalValue), remembered by level. */
export function criticalValueDD(confidence: number): DoubleDouble {
  const known = criticalValues.get(confidence);
  if (known) return known;
  const tail = ddTimes(ddOfComplement(confidence), 0.5);
  let z = dd(-normalQuantile(tail.hi));
  // Newton's method: z + (Q(z) − tail) / φ(z); each step doubles the correct digits, 16 to past 32.
  for (let step = 0; step < 2; step++) {
    const density = ddMultiply(INV_SQRT_2PI, ddExp(ddTimes(ddMultiply(z, z), -0.5)));
    z = ddAdd(z, ddDivide(ddSubtract(upperNormalTail(z, density), tail), density));
  }
  criticalValues.set(confidence, z);
  return z;
}

/** 1/√(2π) as a double-double. */
const INV_SQRT_2PI: DoubleDouble = { hi: 0.3989422804014327, lo: -2.49232720227773e-17 };

/**
 * P(Z > z) for 0 ≤ z ≤ 8 in double-double, given the density φ(z): ½ − φ(z)·Σ z^(2n+1)/(2n+1)!!
 * (Marsaglia, "Evaluating the normal distribution", J. Stat. Software 11(4), 2004), a series of
 * positive terms, so only the final subtraction cancels: at z = 7.1 (a tail of 6e-13, past the
 * confidences a double holds to six digits) it leaves about 20 of the 32 digits.
 */
function upperNormalTail(z: DoubleDouble, density: DoubleDouble): DoubleDouble {
  const z2 = ddMultiply(z, z);
  let term = z;
  let sum = z;
  for (let n = 1; n < 400; n++) {
    term = ddDivide(ddMultiply(term, z2), dd(2 * n + 1));
    sum = ddAdd(sum, term);
    if (Math.abs(term.hi) < 1e-34 * sum.hi) break;
  }
  return ddSubtract(dd(0.5), ddMultiply(density, sum));
}

/**
 * The z whose upper normal tail P(Z > z) has the natural log `logTail`: −Φ⁻¹(p), also where p is
 * below a double's least. There the tail's asymptotic series (Abramowitz and Stegun 26.2.12),
 * log P(Z > z) = −z²/2 − log z − ½ log 2π + log(1 − 1/z² + 3/z⁴ − 15/z⁶), is solved by Newton's method.
 */
export function upperNormalQuantileOfLog(logTail: number): number {
  if (logTail >= 0) return Number.NEGATIVE_INFINITY;
  if (logTail > -700) return -normalQuantile(Math.exp(logTail));
  if (logTail === Number.NEGATIVE_INFINITY) return Number.POSITIVE_INFINITY;
  let z = Math.sqrt(-2 * logTail);
  for (let i = 0; i < 50; i++) {
    const z2 = z * z;
    const f = -z2 / 2 - Math.log(z) - 0.5 * Math.log(2 * Math.PI) + Math.log(1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2)) - logTail;
    const next = z + f / (z + 1 / z);
    if (Math.abs(next - z) < 1e-14 * z) return next;
    z = next;
  }
  return z;
}
