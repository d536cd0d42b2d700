/**
 * How far an exact value may stray from the truth by the engine's own floating-point rounding,
 * relative to the smaller of the probability and its complement. The exact engines sum and
 * multiply up to millions of terms, compensated (stats/sum.ts), so their values are within about
 * 1e-14 of the truth; a verdict allows a hundred times that. It is far below anything a target
 * can mean and below any Monte Carlo interval, and it keeps a true 0.999 that rounding made
 * 0.999 − 1e-15 from failing `success >= 0.999`. Relative to the complement, not the value: a
 * success of 1 − 9e-13 is not the sure thing `success >= 1` asks for, just as its disagreement of
 * 9e-13 does not meet `disagreement <= 0`; allowed 1e-12 of the value, it met the one and failed
 * the other.
 */
export const EXACT_ROUNDING = 1e-12;

/**
 * The double's own resolution about the value, a few units in its last place: all a probability
 * near 1 can be told from 1 by (1 − 2^-53 is the last double below 1), and the engines' sums of a
 * sure thing may end that far from it.
 */
const DOUBLE_RESOLUTION = 8 * Number.EPSILON;

/**
 * How far an exact probability may lie from the truth by the engine's own rounding, near a
 * bound: EXACT_ROUNDING (or the engine's own `rounding`, exact-range.ts) of whichever is smaller,
 * the value or its complement (the two sides of the bound alike), and the double's own
 * resolution near the value.
 */
export function exactAllowance(value: number, bound: number, rounding = EXACT_ROUNDING): number {
  const size = Math.max(Math.abs(value), Math.abs(bound));
  const complement = Math.max(Math.abs(1 - value), Math.abs(1 - bound));
  return rounding * Math.min(size, complement) + DOUBLE_RESOLUTION * size;
}

/**
 * Where a value and a bound are one number as far as doubles tell: a few units in the last place
 * of the larger. The exact engines work from the rationals of the decimals a user writes (loss
 * 0.1 is 1/10, stats/decimal-ratio.ts) and round once, so a value the decimals put on a short
 * decimal bound comes out as that bound's own double (0.1² as 0.01, 0.1^100 as 1e-100), within
 * these units of it.
 */
const TIE = 4 * Number.EPSILON;

/** Whether a value is on its bound: within TIE of it. */
function onTheBound(value: number, bound: number, margin: number): boolean {
  return Math.abs(margin) <= TIE * Math.max(Math.abs(value), Math.abs(bound));
}

/**
 * An exact probability against `≥ bound` or `≤ bound`: met or missed where it lies farther from
 * the bound than the engine's own rounding (exactAllowance); met where it is on the bound
 * (onTheBound: an exact 0.999 meets `≥ 0.999`, 0.1² meets `≤ 0.01`, 0.1^100 meets `≤ 1e-100`); else undecided, since the
 * true value may lie on either side. A value within its rounding below the bound was counted as
 * meeting it, and one just above it as meeting it though the truth may not: neither is known.
 */
export type ExactVerdict = 'met' | 'missed' | 'undecided';

export function exactVerdict(value: number, relation: '>=' | '<=', bound: number, rounding = EXACT_ROUNDING): ExactVerdict {
  const margin = relation === '>=' ? value - bound : bound - value;
  const allowance = exactAllowance(value, bound, rounding);
  if (margin > allowance || onTheBound(value, bound, margin)) return 'met';
  return margin < -allowance ? 'missed' : 'undecided';
}

/** Whether an exact probability surely meets `≥ bound` or `≤ bound` (exactVerdict: met). */
export function exactMeets(value: number, relation: '>=' | '<=', bound: number): boolean {
  return exactVerdict(value, relation, bound) === 'met';
}
