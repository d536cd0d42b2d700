/**
 * Double-double arithmetic: a value held as an unevaluated sum hi + lo of two doubles, |lo| at
 * most half an ulp of hi, about 106 bits, so that a short chain of products and sums (a channel's
 * table over k copies) rounds once, where it is read as a double (`hi`), not at every step.
 * Dekker's error-free product (split into 26-bit halves, no fused multiply-add) and Knuth's
 * two-sum (T. J. Dekker, "A floating-point technique for extending the available precision",
 * Numerische Mathematik 18, 1971; Hida, Li and Bailey, "Library for double-double and quad-double
 * arithmetic", 2000). Plain IEEE operations only: the same bits on every Node.
 */
export interface DoubleDouble {
  readonly hi: number;
  readonly lo: number;
}

export const DD_ZERO: DoubleDouble = { hi: 0, lo: 0 };
export const DD_ONE: DoubleDouble = { hi: 1, lo: 0 };

export function dd(value: number): DoubleDouble {
  return { hi: value, lo: 0 };
}

/** a + b where |a| ≥ |b| (or a is 0), exactly as a rounded sum and its error. */
function quickTwoSum(a: number, b: number): DoubleDouble {
  const s = a + b;
  return { hi: s, lo: b - (s - a) };
}

/** a + b exactly, as a rounded sum and its error. */
export function twoSum(a: number, b: number): DoubleDouble {
  const s = a + b;
  const bb = s - a;
  return { hi: s, lo: a - (s - bb) + (b - bb) };
}

const SPLITTER = 134217729; // 2^27 + 1

/** a · b − p exactly, where p is a · b rounded (Dekker's split of each factor into halves of 26 bits). */
function productError(a: number, b: number, p: number): number {
  const ca = SPLITTER * a;
  const aHi = ca - (ca - a);
  const aLo = a - aHi;
  const cb = SPLITTER * b;
  const bHi = cb - (cb - b);
  const bLo = b - bHi;
  return aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo;
}

/** a · b exactly, as a rounded product and its error (Dekker). */
export function twoProduct(a: number, b: number): DoubleDouble {
  const p = a * b;
  return { hi: p, lo: productError(a, b, p) };
}

export function ddAdd(x: DoubleDouble, y: DoubleDouble): DoubleDouble {
  const s = twoSum(x.hi, y.hi);
  const t = twoSum(x.lo, y.lo);
  const u = quickTwoSum(s.hi, s.lo + t.hi);
  return quickTwoSum(u.hi, u.lo + t.lo);
}

export function ddNegate(x: DoubleDouble): DoubleDouble {
  return { hi: -x.hi, lo: -x.lo };
}

export function ddSubtract(x: DoubleDouble, y: DoubleDouble): DoubleDouble {
  return ddAdd(x, ddNegate(y));
}

export function ddMultiply(x: DoubleDouble, y: DoubleDouble): DoubleDouble {
  const p = twoProduct(x.hi, y.hi);
  return quickTwoSum(p.hi, p.lo + (x.hi * y.lo + x.lo * y.hi));
}

/** x / y by long division: three quotient digits, each a double. */
export function ddDivide(x: DoubleDouble, y: DoubleDouble): DoubleDouble {
  const q1 = x.hi / y.hi;
  let r = ddSubtract(x, ddMultiply(y, dd(q1)));
  const q2 = r.hi / y.hi;
  r = ddSubtract(r, ddMultiply(y, dd(q2)));
  const q3 = r.hi / y.hi;
  const q = quickTwoSum(q1, q2);
  return ddAdd(q, dd(q3));
}

/** x · y for a double y. */
export function ddTimes(x: DoubleDouble, y: number): DoubleDouble {
  const p = twoProduct(x.hi, y);
  return quickTwoSum(p.hi, p.lo + x.lo * y);
}

/** x^n for a whole n ≥ 0 by binary powering, as integerPower (stats/sum.ts) does with doubles: the same steps on every Node. */
export function ddPower(x: DoubleDouble, n: number): DoubleDouble {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`ddPower: exponent ${n} is not a whole number`);
  if (n > 0 && x.lo === 0 && (x.hi === 0 || x.hi === 1)) return x; // 0 and 1 (a sure or impossible event) at once
  let result = DD_ONE;
  let base = x;
  for (let k = n; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) result = ddMultiply(result, base);
    if (k > 1) base = ddMultiply(base, base);
  }
  return result;
}

/** A running sum of double-doubles (each addition keeps about 104 bits), read whole as its two parts' units (exact-rounding.ts). */
export class DoubleDoubleSum {
  private total: DoubleDouble = DD_ZERO;

  add(x: DoubleDouble): void {
    this.total = ddAdd(this.total, x);
  }

  value(): DoubleDouble {
    return this.total;
  }
}

/**
 * The same steps for loops that run millions of times, without an object a step: each takes its
 * operands as high and low parts, returns the high part and leaves the low part here, to be read
 * before the next step. Both for the exact engines' masses, sums of non-negative terms (the sum
 * adds the low parts as they are: Hida, Li and Bailey's "sloppy" addition, accurate where
 * nothing cancels).
 */
export const lowPart = { product: 0, sum: 0 };

/** (a + aLow)·(b + bLow) to about 106 bits: the high part, the low left in lowPart.product. */
export function productHigh(a: number, aLow: number, b: number, bLow: number): number {
  const p = a * b;
  const error = productError(a, b, p) + (a * bLow + aLow * b);
  const high = p + error;
  lowPart.product = error - (high - p);
  return high;
}

/** (a + aLow) + (b + bLow) to about 106 bits, where neither is below 0: the high part, the low left in lowPart.sum. */
export function sumHigh(a: number, aLow: number, b: number, bLow: number): number {
  const s = a + b;
  const bb = s - a;
  const error = a - (s - bb) + (b - bb) + (aLow + bLow);
  const high = s + error;
  lowPart.sum = error - (high - s);
  return high;
}

/** √x to about 106 bits (one Newton step from the double's root); 0 for x ≤ 0. */
export function ddSqrt(x: DoubleDouble): DoubleDouble {
  if (!(x.hi > 0)) return DD_ZERO;
  const root = Math.sqrt(x.hi);
  const square = twoProduct(root, root);
  return quickTwoSum(root, (x.hi - square.hi - square.lo + x.lo) / (2 * root));
}

/** ln 2 as a double-double. */
const LN2: DoubleDouble = { hi: Math.LN2, lo: 2.3190468138462996e-17 };

/**
 * e^x to about 106 bits for x from −700 to 700: x = k·ln 2 + r, e^(r/1024) − 1 by its Taylor
 * series, squared back ten times as e − 1 (so the small part keeps its digits), times 2^k by
 * halving or doubling (exact), never `**` or Math.pow: the same bits on every Node.
 */
export function ddExp(x: DoubleDouble): DoubleDouble {
  const k = Math.round(x.hi / LN2.hi);
  const r = ddSubtract(x, ddTimes(LN2, k));
  const s = ddTimes(r, 1 / 1024); // a power of two: exact
  // e^s − 1 = s + s²/2! + …, |s| < 3.4e-4: 9 terms are past 2^-106.
  let term = s;
  let minusOne = s;
  for (let i = 2; i <= 10; i++) {
    term = ddDivide(ddMultiply(term, s), dd(i));
    minusOne = ddAdd(minusOne, term);
  }
  // (1 + e)² − 1 = 2e + e², ten times: e^(1024·s) − 1.
  for (let i = 0; i < 10; i++) minusOne = ddAdd(ddTimes(minusOne, 2), ddMultiply(minusOne, minusOne));
  let result = ddAdd(DD_ONE, minusOne);
  const factor = k < 0 ? 0.5 : 2;
  for (let i = 0; i < Math.abs(k); i++) result = { hi: result.hi * factor, lo: result.lo * factor };
  return result;
}
