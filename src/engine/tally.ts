import { UsageError } from '../errors.js';

/**
 * The Monte Carlo result of a cell or of part of one: plain integer accumulators that merge by
 * addition, so blocks, workers and shards combine exactly. Every printed figure comes from these.
 */
export interface Tally {
  trials: number;
  /** Trials ending in each outcome, in the protocol's outcome order. */
  outcomes: number[];
  /** messages[m]: trials that dispatched m messages (each of `redundancy` messengers). */
  messages: number[];
  /** deliveries[c]: messages of delivery class c received (see CellModel.deliveryValues). */
  deliveries: number[];
  /** Rounds used (last round with a dispatch), summed over trials. */
  rounds: number;
}

export function emptyTally(outcomeCount: number): Tally {
  return { trials: 0, outcomes: new Array<number>(outcomeCount).fill(0), messages: [], deliveries: [], rounds: 0 };
}

/**
 * Adds `part` into `into`. Every count is a whole number added as a double, exact (and so the same
 * in any order of addition: blocks as they complete, any worker count or shard split) while it
 * stays within 2^53; a count past that is refused rather than rounded.
 */
export function addTally(into: Tally, part: Tally): Tally {
  into.trials = summedCount(into.trials, part.trials, 'trials');
  addInto(into.outcomes, part.outcomes, 'outcome counts');
  addInto(into.messages, part.messages, 'messages counts');
  addInto(into.deliveries, part.deliveries, 'deliveries');
  into.rounds = summedCount(into.rounds, part.rounds, 'rounds');
  return into;
}

function addInto(into: number[], values: readonly number[], what: string): void {
  for (let i = 0; i < values.length; i++) into[i] = summedCount(into[i] ?? 0, values[i]!, what);
}

/** a + b, two counts, refused where the sum is past the whole numbers a double holds exactly. */
function summedCount(a: number, b: number, what: string): number {
  const sum = a + b;
  if (sum > Number.MAX_SAFE_INTEGER)
    throw new UsageError(
      '',
      `the run's ${what} add up past 2^53, where a double no longer counts exactly and the figures could differ with the worker count or shard split: run fewer trials`,
    );
  return sum;
}

/** A tally from a block's typed-array accumulators (the histogram trimmed of trailing zeros). */
export function toTally(trials: number, outcomes: Float64Array, histogram: Float64Array, deliveries: Float64Array, rounds: number): Tally {
  let top = histogram.length;
  while (top > 0 && histogram[top - 1] === 0) top--;
  return {
    trials,
    outcomes: toArray(outcomes, outcomes.length),
    messages: toArray(histogram, top),
    deliveries: toArray(deliveries, deliveries.length),
    rounds,
  };
}

/** The first `length` values as a plain array; a plain loop, since this runs once per block and Array.from is several times slower. */
function toArray(values: Float64Array, length: number): number[] {
  const array = new Array<number>(length);
  for (let i = 0; i < length; i++) array[i] = values[i]!;
  return array;
}

/** A messages histogram with room for `index`: doubled (at least), the counts kept. */
export function grownHistogram(histogram: Float64Array, index: number): Float64Array {
  const bigger = new Float64Array(Math.max(index + 1, histogram.length * 2));
  bigger.set(histogram);
  return bigger;
}
