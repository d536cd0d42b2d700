import type { Xoshiro128 } from './xoshiro128.js';

const TWO_53 = 2 ** 53;
const TWO_21 = 2 ** 21;

/**
 * A discrete distribution prepared for sampling with one 53-bit uniform u = m / 2^53.
 * Outcome i is chosen iff T[i-1] <= m < T[i], where T[i] = ceil(cumulative[i] * 2^53):
 * exactly the event u < cumulative[i], with no rounding. m is read lazily as two 32-bit words:
 * the high word alone decides unless it ties a threshold's high part (once in 2^32 draws),
 * and only then is the low word drawn.
 */
export interface SamplingTable {
  readonly size: number;
  /** floor(T[i] / 2^21): compared with the first 32-bit word. */
  readonly high: Float64Array;
  /** T[i] itself, used only after a tie on the high word. */
  readonly threshold: Float64Array;
}

export function samplingTable(probabilities: ArrayLike<number>): SamplingTable {
  const size = probabilities.length;
  if (size === 0) throw new RangeError('a distribution needs at least one outcome');
  const high = new Float64Array(size);
  const threshold = new Float64Array(size);
  let cumulative = 0;
  for (let i = 0; i < size; i++) {
    cumulative += probabilities[i]!;
    const t = i === size - 1 ? TWO_53 : Math.min(TWO_53, Math.ceil(cumulative * TWO_53));
    threshold[i] = t;
    high[i] = Math.floor(t / TWO_21);
  }
  return { size, high, threshold };
}

/** Draws an outcome index from the table. */
export function sample(rng: Xoshiro128, table: SamplingTable): number {
  const hi = rng.nextUint32();
  const high = table.high;
  const last = table.size - 1;
  for (let i = 0; i < last; i++) {
    const h = high[i]!;
    if (hi < h) return i;
    if (hi === h) return sampleAfterTie(rng, table, hi, i);
  }
  return last;
}

function sampleAfterTie(rng: Xoshiro128, table: SamplingTable, hi: number, from: number): number {
  const m = hi * TWO_21 + (rng.nextUint32() >>> 11);
  const last = table.size - 1;
  for (let i = from; i < last; i++) if (m < table.threshold[i]!) return i;
  return last;
}
