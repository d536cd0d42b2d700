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
  return { trials, outcomes: Array.from(outcomes), messages: Array.from(histogram.subarray(0, top)), deliveries: Array.from(deliveries), rounds };
}
