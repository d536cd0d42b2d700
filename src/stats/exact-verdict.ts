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
 * of the larger, what rounding the decimals a user writes gives (loss 0.1 and 2 copies lose a
 * message with probability 0.010000000000000002, the bound 0.01 is 0.01000000000000000021), and
 * what those decimals lost as doubles carried into a small value (onTheBound).
 */
const TIE = 4 * Number.EPSILON;

/** How far a double may lie from the decimal it holds, relative to it (half a unit in its last place, at most 2^-53). */
const DECIMAL_HELD = Number.EPSILON / 2;

/**
 * How far a value may lie from the one the decimals a user writes give, by those decimals' own
 * rounding as doubles: each input (loss 0.1) is held to 2^-53 of itself, and a probability of
 * size 10^-k made of such inputs is a product of about k of them, so it carries about k times
 * that, of the smaller of value and complement: loss 0.1 and 100 copies lose them all with
 * probability 1.000000000000006e-100 (27 units in its last place from the 1e-100 the decimals
 * give), 0.1^300 is 1.0000000000000168e-300 (75 units). Its decimal places counted from the
 * exponent toExponential writes (the same on every Node, as Math.log10 need not be).
 */
function decimalInputsRounding(value: number, bound: number): number {
  const smaller = Math.min(Math.max(Math.abs(value), Math.abs(bound)), Math.max(Math.abs(1 - value), Math.abs(1 - bound)));
  if (!(smaller > 0 && smaller < 1)) return 0;
  const places = -Number(smaller.toExponential().split('e')[1]);
  return (places + 1) * DECIMAL_HELD * smaller;
}

/**
 * Whether a value is on its bound: within TIE of it, and the rounding the decimals a user writes
 * carry into it (decimalInputsRounding), which may be more than the engine's own allowance where
 * that is tight (two-phase commit's cohorts: its 1e-100 blocked at loss 0.1 and 100 sends was
 * missed against `blocked <= 1e-100`).
 */
function onTheBound(value: number, bound: number, margin: number): boolean {
  return Math.abs(margin) <= TIE * Math.max(Math.abs(value), Math.abs(bound)) + decimalInputsRounding(value, bound);
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
