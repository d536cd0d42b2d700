import type { Xoshiro128 } from './xoshiro128.js';

const TWO_16 = 65536;
const TWO_32 = 4294967296;

/**
 * A uniform integer in [0, n), n ≤ 2^31, exactly: Lemire's multiply-and-reject ("Fast random
 * integer generation in an interval", ACM TOMACS 29(1), 2019). The 64-bit product of a 32-bit
 * word and n is taken in two exact halves (each under 2^53), so nothing rounds; a low half
 * below (2^32 − n) mod n is rejected, which makes every value equally likely. One word per
 * draw but for a rejection, at most n / 2^32 of the time.
 */
export function uniformBelow(rng: Xoshiro128, n: number): number {
  for (;;) {
    const x = rng.nextUint32();
    const low = Math.imul(x, n) >>> 0; // the product's low 32 bits
    if (low < n && low < (TWO_32 - n) % n) continue;
    // ⌊x·n / 2^32⌋ = ⌊(xh·n + ⌊xl·n / 2^16⌋) / 2^16⌋ for x = xh·2^16 + xl: every term exact.
    return Math.floor(((x >>> 16) * n + Math.floor(((x & 0xffff) * n) / TWO_16)) / TWO_16);
  }
}

/**
 * The words, of the 2^32, that uniformBelowInOrder accepts for [0, n): n · ⌊2^32 / n⌋, those
 * below it (2^32 where n divides 2^32, so none is rejected).
 */
export function acceptedWords(n: number): number {
  return n * wordsPerIndex(n);
}

/** How many words give each index in uniformBelowInOrder: ⌊2^32 / n⌋. */
export function wordsPerIndex(n: number): number {
  return Math.floor(TWO_32 / n);
}

/**
 * A uniform integer in [0, n), n ≤ 2^31, exactly, that grows with the word it is made of:
 * ⌊x / q⌋ for q = ⌊2^32 / n⌋, a word x at or above n · q rejected (fewer than n in 2^32 of
 * them, as Lemire's). So the index is below a count C iff x is below C · q: a draw's group
 * (start-order.ts) is found by comparing the word with thresholds alone, on SIMD lanes too.
 * ⌊x / q⌋ in doubles is exact: x / q is at least 1 / q short of the next whole number, a
 * relative gap of at least 2^−32, far above a double's rounding.
 */
export function uniformBelowInOrder(rng: Xoshiro128, n: number): number {
  const q = wordsPerIndex(n);
  const limit = n * q;
  for (;;) {
    const x = rng.nextUint32();
    if (x < limit) return Math.floor(x / q);
  }
}
