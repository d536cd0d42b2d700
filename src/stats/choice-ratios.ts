import { decimalRatio } from './decimal-ratio.js';
import type { Ratio } from './decimal-ratio.js';

/** Significant digits a decimal may have and still be taken as one a person wrote, where no parameter gives it: any such reads back as one double, and a computed double (1/3, 1 − 0.9) needs 16 or 17. */
const WRITTEN_DIGITS = 15;

/**
 * The rationals a choice's probabilities stand for, or null where they stand for themselves (no
 * low parts): n equal ones (a key uniform on 1..R: 1/R each) for 1/n; ones whose decimals
 * (decimal-ratio.ts) add up to exactly 1 for those decimals (0.9 and 0.1); and one that is the
 * double complement of the others (`Float64Array.of(1 - p, p)`: 1 − 0.9 is 0.09999999999999998),
 * the others written (a value of the cell's parameters, `parameters`, or a decimal of at most 15
 * significant digits) and adding up to at most 1, for their decimals and the rest of 1 (1/10
 * beside 9/10). Where several could be the complement, the one beside parameters' values alone.
 */
export function choiceRatios(values: readonly number[], parameters: readonly number[] = []): Ratio[] | null {
  const n = values.length;
  if (values.every((p) => p === values[0]) && values[0] === 1 / n) return values.map(() => ({ numerator: 1n, denominator: BigInt(n) }));
  const ratios = values.map(decimalRatio);
  const [whole, common] = sumOf(ratios);
  if (whole === common) return ratios;
  const isParameter = (p: number): boolean => parameters.includes(p);
  const written = (p: number): boolean => isParameter(p) || significantDigits(p) <= WRITTEN_DIGITS;
  let complements = values.map((_, i) => i).filter((i) => isDoubleComplement(values, i) && othersAre(values, i, written));
  if (complements.length > 1) complements = complements.filter((i) => othersAre(values, i, isParameter));
  if (complements.length !== 1) return null;
  const rest = complements[0]!;
  const [others, denominator] = sumOf(ratios.filter((_, i) => i !== rest));
  if (others > denominator) return null;
  return ratios.map((r, i) => (i === rest ? { numerator: denominator - others, denominator } : r));
}

/** The sum of ratios whose denominators are powers of 10, over the largest (every other divides it). */
function sumOf(ratios: readonly Ratio[]): [numerator: bigint, denominator: bigint] {
  let common = 1n;
  for (const r of ratios) if (r.denominator > common) common = r.denominator;
  return [ratios.reduce((s, r) => s + r.numerator * (common / r.denominator), 0n), common];
}

/** values[i] is 1 minus the others as doubles make it: 1 − (their sum), or 1 − each in turn. */
function isDoubleComplement(values: readonly number[], i: number): boolean {
  let sum = 0;
  let rest = 1;
  values.forEach((p, j) => {
    if (j === i) return;
    sum += p;
    rest -= p;
  });
  return values[i] === 1 - sum || values[i] === rest;
}

/** Every probability but values[i] is one `test` holds for. */
function othersAre(values: readonly number[], i: number, test: (p: number) => boolean): boolean {
  return values.every((p, j) => j === i || test(p));
}

/** The significant digits of x's shortest decimal (String's). */
function significantDigits(x: number): number {
  const mantissa = String(x).split('e')[0]!.replace('.', '').replace(/^0+/, '');
  return mantissa.replace(/0+$/, '').length || 1;
}
