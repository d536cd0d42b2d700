/**
 * Figures rounded once. Every double is a whole number of units of 2^-1074 (the least subnormal),
 * so sums of doubles, and sums of doubles times whole numbers, are held exactly as BigInt counts of
 * those units; a ratio of two such counts (a mean: Σ m·mass over Σ mass) is then rounded to the
 * nearest double once, ties to even, as IEEE rounds one operation. A figure made of several
 * rounded steps (a mean rounded, then multiplied by the copies) can land an ulp off the nearest
 * double: 6.106666666666666 for 6.1066666666666665. BigInt arithmetic and bit patterns only: the
 * same bytes on every Node.
 */

const view = new DataView(new ArrayBuffer(8));
const MANTISSA_BITS = 52n;
const MANTISSA_MASK = (1n << MANTISSA_BITS) - 1n;
/** The exponent of the least normal double, and of the least subnormal's unit. */
const LEAST_NORMAL_EXPONENT = -1022;
const UNIT_EXPONENT = -1074;

/** The least normal double, 2^-1022: below it a double keeps fewer than 53 bits, and a product of probabilities loses mass. */
export const LEAST_NORMAL = 2.2250738585072014e-308;

/** 2^-1074 units in one: the denominator of a count of units standing for a plain number. */
export const ONE_IN_UNITS = 1n << 1074n;

/** x (finite) as a count of 2^-1074 units, exactly. */
export function unitsOf(x: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`unitsOf: ${x} is not finite`);
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> MANTISSA_BITS) & 0x7ffn);
  const fraction = bits & MANTISSA_MASK;
  const magnitude = biased === 0 ? fraction : (fraction | (1n << MANTISSA_BITS)) << BigInt(biased - 1);
  return bits >> 63n ? -magnitude : magnitude;
}

/** 2^e as a double, from its bits (e from −1074 to 1023): exact on every platform. */
function powerOfTwo(e: number): number {
  if (e >= LEAST_NORMAL_EXPONENT) view.setBigUint64(0, BigInt(e + 1023) << MANTISSA_BITS);
  else view.setBigUint64(0, 1n << BigInt(e - UNIT_EXPONENT));
  return view.getFloat64(0);
}

/** x·2^e for a double x whose result is a normal double: exact, in steps the exponents allow. */
function scaled(x: number, e: number): number {
  let value = x;
  let left = e;
  while (left < -1000) {
    value *= powerOfTwo(-1000);
    left += 1000;
  }
  while (left > 1000) {
    value *= powerOfTwo(1000);
    left -= 1000;
  }
  return value * powerOfTwo(left);
}

/** The bits of n > 0 (0 for 0): its hexadecimal digits' bits, less the first digit's leading zeros (a quarter of the text toString(2) makes). */
export function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(Number.parseInt(hex[0]!, 16)));
}

/**
 * The double nearest `mantissa`·2^`exponent` + a bit below its last (`sticky`: the exact value
 * lies strictly above mantissa·2^exponent), where mantissa has at least 55 bits: Number() of a
 * BigInt rounds to nearest, ties to even, and the sticky bit breaks a false tie.
 */
function nearest(mantissa: bigint, sticky: boolean, exponent: number): number {
  const bits = bitLength(mantissa);
  if (bits - 1 + exponent >= LEAST_NORMAL_EXPONENT) return scaled(Number((mantissa << 1n) | (sticky ? 1n : 0n)), exponent - 1);
  // Below the normal range the grid is 2^-1074: round to it once, directly.
  const shift = UNIT_EXPONENT - exponent; // > 0 here: mantissa has more bits than the grid keeps
  const kept = mantissa >> BigInt(shift);
  const rest = mantissa - (kept << BigInt(shift));
  const half = 1n << BigInt(shift - 1);
  const up = rest > half || (rest === half && (sticky || (kept & 1n) === 1n));
  return scaled(Number(kept + (up ? 1n : 0n)), UNIT_EXPONENT);
}

/** numerator/denominator (denominator > 0) rounded once to the nearest double, ties to even. */
export function roundedRatio(numerator: bigint, denominator: bigint): number {
  if (denominator <= 0n) throw new RangeError('roundedRatio: the denominator must be positive');
  if (numerator === 0n) return 0;
  if (numerator < 0n) return -roundedRatio(-numerator, denominator);
  // A quotient of 56 to 57 bits: numerator·2^shift / denominator.
  const shift = 56 + bitLength(denominator) - bitLength(numerator);
  const scaledNumerator = shift >= 0 ? numerator << BigInt(shift) : numerator;
  const scaledDenominator = shift >= 0 ? denominator : denominator << BigInt(-shift);
  const quotient = scaledNumerator / scaledDenominator;
  return nearest(quotient, quotient * scaledDenominator !== scaledNumerator, -shift);
}

/** ⌊√n⌋ of a BigInt n ≥ 0 (Newton's iteration from above). */
export function integerSquareRoot(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const next = (x + n / x) >> 1n;
    if (next >= x) return x;
    x = next;
  }
}

/** √(numerator/denominator) (numerator ≥ 0, denominator > 0) rounded once to the nearest double. */
export function roundedSquareRootOfRatio(numerator: bigint, denominator: bigint): number {
  if (denominator <= 0n || numerator < 0n) throw new RangeError('roundedSquareRootOfRatio: a square root of a negative ratio');
  if (numerator === 0n) return 0;
  // numerator·4^shift / denominator of at least 112 bits, so that its root has at least 56.
  const shift = Math.ceil((114 + bitLength(denominator) - bitLength(numerator)) / 2);
  const scaledNumerator = shift >= 0 ? numerator << BigInt(2 * shift) : numerator;
  const scaledDenominator = shift >= 0 ? denominator : denominator << BigInt(-2 * shift);
  const quotient = scaledNumerator / scaledDenominator;
  const root = integerSquareRoot(quotient);
  const exact = root * root === quotient && quotient * scaledDenominator === scaledNumerator;
  return nearest(root, !exact, -shift);
}
