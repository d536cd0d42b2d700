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

/** Adds `part` into `into`. */
export function addTally(into: Tally, part: Tally): Tally {
  into.trials += part.trials;
  for (let i = 0; i < part.outcomes.length; i++) into.outcomes[i] = (into.outcomes[i] ?? 0) + part.outcomes[i]!;
  addInto(into.messages, part.messages);
  addInto(into.deliveries, part.deliveries);
  into.rounds += part.rounds;
  return into;
}

function addInto(into: number[], values: readonly number[]): void {
  for (let i = 0; i < values.length; i++) into[i] = (into[i] ?? 0) + values[i]!;
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
