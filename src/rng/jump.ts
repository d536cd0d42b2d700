import { Xoshiro128 } from './xoshiro128.js';

/**
 * Jumping a xoshiro128** stream ahead: the state n draws later, without drawing them.
 *
 * xoshiro's state transition is linear over GF(2) (shifts, rotations and xors of the 128 state
 * bits), so n steps are one 128 × 128 bit matrix, M^n. A map is kept as its 128 columns, the
 * images of the state's single bits, four int32 words each; applying it xors the columns of the
 * state's set bits. M^(2^k) comes from squaring, and any n from the powers its binary digits
 * select. This is what lets the SIMD lanes (engine/accelerators/lanes.ts) start eight lanes at eight points
 * of one block's stream and still draw exactly the words the sequential kernel would.
 */

/** A linear map of the 128-bit state: column i (words 4i..4i+3) is the image of bit i. */
type LinearMap = Int32Array;

const BITS = 128;

/** One xoshiro128** state transition of `s`, in place. */
function step(s: Int32Array): void {
  const rng = new Xoshiro128(s[0]!, s[1]!, s[2]!, s[3]!);
  rng.nextUint32();
  s.set(rng.getState());
}

/** M^(2^k) for k = 0, 1, …, computed as far as needed. */
const powers: LinearMap[] = [];

function power(k: number): LinearMap {
  if (powers.length === 0) {
    const one = new Int32Array(4 * BITS);
    for (let i = 0; i < BITS; i++) {
      const column = one.subarray(4 * i, 4 * i + 4);
      column[i >>> 5] = 1 << (i & 31);
      step(column);
    }
    powers.push(one);
  }
  // M^(2^(j+1)) = M^(2^j) ∘ M^(2^j): each column of M^(2^j) mapped through M^(2^j).
  for (let j = powers.length - 1; j < k; j++) {
    const squared = new Int32Array(4 * BITS);
    for (let i = 0; i < BITS; i++) applyTable(digitTable(j), powers[j]!.subarray(4 * i, 4 * i + 4), squared.subarray(4 * i, 4 * i + 4));
    powers.push(squared);
  }
  return powers[k]!;
}

/** Advances the xoshiro128** state `s` (four int32 words, in place) by `n` draws. */
export function jump(s: Int32Array, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 31) throw new RangeError(`cannot jump ${n} draws`);
  for (let k = 0; n > 0; k++, n >>>= 1) if (n & 1) jumpPowerOfTwo(s, k);
}

/**
 * M^(2^k) as lookup tables, one per 4-bit digit of the state: entry (d, v) is the image of the
 * state whose digit d is v and whose other bits are 0. Applying one takes 32 lookups rather
 * than a test of each of the 128 bits: a jump then costs about a tenth of a microsecond.
 */
const digitTables: LinearMap[] = [];

function digitTable(k: number): LinearMap {
  let table = digitTables[k];
  if (!table) {
    const columns = power(k);
    table = new Int32Array(32 * 16 * 4);
    for (let d = 0; d < 32; d++) {
      for (let v = 1; v < 16; v++) {
        const bit = Math.clz32(v & -v) ^ 31; // lowest set bit of v; the rest is entry v - that bit
        const entry = 4 * (16 * d + v);
        const rest = 4 * (16 * d + (v & (v - 1)));
        for (let w = 0; w < 4; w++) table[entry + w] = table[rest + w]! ^ columns[4 * (4 * d + bit) + w]!;
      }
    }
    digitTables[k] = table;
  }
  return table;
}

/** Advances the state `s` by 2^k draws. */
export function jumpPowerOfTwo(s: Int32Array, k: number): void {
  applyTable(digitTable(k), s, s);
}

/** The map of a digit table applied to `state`, written to `out` (which may be `state`). */
function applyTable(table: LinearMap, state: Int32Array, out: Int32Array): void {
  let a = 0;
  let b = 0;
  let c = 0;
  let d = 0;
  for (let digit = 0; digit < 32; digit++) {
    const at = 4 * (16 * digit + ((state[digit >>> 3]! >>> ((digit & 7) << 2)) & 15));
    a ^= table[at]!;
    b ^= table[at + 1]!;
    c ^= table[at + 2]!;
    d ^= table[at + 3]!;
  }
  out[0] = a;
  out[1] = b;
  out[2] = c;
  out[3] = d;
}
