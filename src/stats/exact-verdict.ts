/**
 * How far an exact value may stray from the truth by the engine's own floating-point rounding,
 * relative to its size. The exact engines sum and multiply up to millions of terms, compensated
 * (stats/sum.ts), so their values are within about 1e-14 of the truth; a verdict allows a hundred
 * times that. It is far below anything a target can mean and below any Monte Carlo interval, and
 * it keeps a true 0.999 that rounding made 0.99899999999995 from failing `success >= 0.999`.
 */
export const EXACT_ROUNDING = 1e-12;

/** Whether an exact value meets `≥ bound` or `≤ bound`, allowing for the engine's own rounding (EXACT_ROUNDING). */
export function exactMeets(value: number, relation: '>=' | '<=', bound: number): boolean {
  const allowance = EXACT_ROUNDING * Math.max(Math.abs(value), Math.abs(bound));
  return relation === '>=' ? value >= bound - allowance : value <= bound + allowance;
}
