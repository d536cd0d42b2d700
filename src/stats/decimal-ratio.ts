import { ONE_IN_UNITS, roundedRatio, unitsOf } from './exact-rounding.js';
import type { DoubleDouble } from './double-double.js';

/**
 * The rational a parameter stands for. A scenario's loss of 0.1 is read as the double nearest
 * 1/10, 5.6e-18 above it, and 0.999 as one 8.9e-19 below 999/1000: 1 − 0.999^4 made from that
 * double is 8.9e-16 off, relatively, four ulps of every figure it feeds. The shortest decimal
 * that reads back as the double (its round-trip form, what `String` prints and the user wrote,
 * or one as good) is the value meant: a ratio of whole numbers, exactly.
 */
export interface Ratio {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/;

/** The shortest decimal that reads back as x (finite, ≥ 0), as an exact ratio. */
export function decimalRatio(x: number): Ratio {
  const match = DECIMAL.exec(String(x));
  if (!match) throw new RangeError(`decimalRatio: ${x} is not a finite number at least 0`);
  const fraction = match[2] ?? '';
  const exponent = Number(match[3] ?? 0) - fraction.length;
  const digits = BigInt(match[1]! + fraction);
  return exponent >= 0 ? { numerator: digits * 10n ** BigInt(exponent), denominator: 1n } : { numerator: digits, denominator: 10n ** BigInt(-exponent) };
}

/** numerator/denominator (denominator > 0) as a double-double: the nearest double and the nearest double to what it left. */
export function ddOfRatio({ numerator, denominator }: Ratio): DoubleDouble {
  const hi = roundedRatio(numerator, denominator);
  return { hi, lo: lowPartOf(hi, { numerator, denominator }) };
}

/** The decimal x stands for (decimalRatio) as a double-double: hi is x itself, lo what its reading lost. */
export function ddOfDecimal(x: number): DoubleDouble {
  return ddOfRatio(decimalRatio(x));
}

/**
 * 1 − the decimal x (at most 1) stands for, as a double-double: from the decimal itself, not 1
 * minus x's double-double, which near 1 keeps only x's absolute 2^-106 (1 − 0.9999999999999999
 * to 16 digits, an ulp off: 1e-16 is held as 1.0000000000000000002e-16 plus what that leaves).
 */
export function ddOfComplement(x: number): DoubleDouble {
  const { numerator, denominator } = decimalRatio(x);
  return ddOfRatio({ numerator: denominator - numerator, denominator });
}

/** What `value` (a double near the ratio) leaves of the ratio, rounded to the nearest double. */
export function lowPartOf(value: number, { numerator, denominator }: Ratio): number {
  return roundedRatio(numerator * ONE_IN_UNITS - unitsOf(value) * denominator, denominator * ONE_IN_UNITS);
}
