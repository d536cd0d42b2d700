import { unitsOf } from './exact-rounding.js';

/**
 * Sums whose result is printed to the last digit. A plain running sum of thousands of terms (a
 * trace's starts, a distribution's tail) drifts by an ulp per term; Neumaier's variant of Kahan
 * summation carries the rounding error of every addition beside the sum and adds it back at the
 * end, so the result is within an ulp or two of the exact sum whatever the number of terms or
 * their order of magnitude (Neumaier 1974, "Rundungsfehleranalyse einiger Verfahren zur
 * Summation endlicher Summen", ZAMM 54). Plain IEEE additions only: the same bytes on every Node.
 */
export class NeumaierSum {
  private sum = 0;
  private compensation = 0;

  add(x: number): void {
    const t = this.sum + x;
    if (Math.abs(this.sum) >= Math.abs(x)) this.compensation += this.sum - t + x;
    else this.compensation += x - t + this.sum;
    this.sum = t;
  }

  /** The sum so far, with the carried rounding error added back. */
  value(): number {
    return this.sum + this.compensation;
  }

  /** The sum and its carried error added exactly, as a count of 2^-1074 units (exact-rounding.ts): rounded once where it is printed. */
  units(): bigint {
    return unitsOf(this.sum) + unitsOf(this.compensation);
  }
}

/** Σ values, compensated (NeumaierSum). */
export function neumaierSum(values: Iterable<number>): number {
  const total = new NeumaierSum();
  for (const v of values) total.add(v);
  return total.value();
}

/**
 * x^n for a whole n ≥ 0 by binary powering: plain multiplications in a fixed order, so the
 * result is the same on every Node (`x ** n` and Math.pow are not: V8 changed its pow).
 */
export function integerPower(x: number, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`integerPower: exponent ${n} is not a whole number`);
  let result = 1;
  let base = x;
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) result *= base;
    if (k > 1) base *= base;
  }
  return result;
}
