import type { Xoshiro128 } from './xoshiro128.js';

const TWO_53 = 2 ** 53;
const TWO_22 = 2 ** 22;

/**
 * A discrete distribution prepared for sampling with one 53-bit uniform u = m / 2^53.
 * Outcome i is chosen iff T[i-1] <= m < T[i], where T[i] = ceil(cumulative[i] * 2^53):
 * exactly the event u < cumulative[i], with no rounding. m is read lazily from two 32-bit words
 * a and b as (a >>> 1) · 2^22 + (b >>> 10): the 31-bit high part alone decides unless it ties a
 * threshold's high part (once in 2^31 draws), and only then is b drawn. 31 bits, not 32, so the
 * compiled kernel can compare in int32 arithmetic without branches. A table of one outcome
 * draws nothing.
 */
export interface SamplingTable {
  readonly size: number;
  /** floor(T[i] / 2^22): compared with the high 31 bits of the first word. */
  readonly high: Float64Array;
  /** T[i] itself, used only after a tie on the high word. */
  readonly threshold: Float64Array;
}

export function samplingTable(
  probabilities: ArrayLike<number>,
  high = new Float64Array(probabilities.length),
  threshold = new Float64Array(probabilities.length),
): SamplingTable {
  const size = probabilities.length;
  if (size === 0) throw new RangeError('a distribution needs at least one outcome');
  let cumulative = 0;
  for (let i = 0; i < size; i++) {
    cumulative += probabilities[i]!;
    const t = i === size - 1 ? TWO_53 : Math.min(TWO_53, Math.ceil(cumulative * TWO_53));
    threshold[i] = t;
    high[i] = Math.floor(t / TWO_22);
  }
  return { size, high, threshold };
}

/** Draws an outcome index from the table; a certain outcome consumes no draw. */
export function sample(rng: Xoshiro128, table: SamplingTable): number {
  if (table.size === 1) return 0;
  const hi = rng.nextUint32() >>> 1;
  const high = table.high;
  const last = table.size - 1;
  if (last > LINEAR_SEARCH_LIMIT) return searchLarge(rng, table, hi);
  for (let i = 0; i < last; i++) {
    const h = high[i]!;
    if (hi < h) return i;
    if (hi === h) return sampleAfterTie(rng, table, hi, i);
  }
  return last;
}

/** Tables up to this size are searched in order; larger ones (a trace's start positions) by halving. */
const LINEAR_SEARCH_LIMIT = 16;

/**
 * The same outcome as the ordered search, found by halving: the first threshold whose high part
 * is at least `hi` (thresholds never decrease); equal is a tie, decided by the low word.
 */
function searchLarge(rng: Xoshiro128, table: SamplingTable, hi: number): number {
  const high = table.high;
  let low = 0;
  let top = table.size - 1; // the last outcome takes whatever no threshold below it took
  while (low < top) {
    const mid = (low + top) >>> 1;
    if (high[mid]! < hi) low = mid + 1;
    else top = mid;
  }
  if (low < table.size - 1 && high[low] === hi) return sampleAfterTie(rng, table, hi, low);
  return low;
}

/** The outcome once the high part `hi` tied a threshold at or after `from`: the low word decides. */
export function sampleAfterTie(rng: Xoshiro128, table: SamplingTable, hi: number, from = 0): number {
  const m = hi * TWO_22 + (rng.nextUint32() >>> 10);
  const last = table.size - 1;
  for (let i = from; i < last; i++) if (m < table.threshold[i]!) return i;
  return last;
}
