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
  /** Copies delivered, summed over trials. */
  delivered: number;
  /** Rounds used (last round with a dispatch), summed over trials. */
  rounds: number;
}

export function emptyTally(outcomeCount: number): Tally {
  return { trials: 0, outcomes: new Array<number>(outcomeCount).fill(0), messages: [], delivered: 0, rounds: 0 };
}

/** Adds `part` into `into`. */
export function addTally(into: Tally, part: Tally): Tally {
  into.trials += part.trials;
  for (let i = 0; i < part.outcomes.length; i++) into.outcomes[i] = (into.outcomes[i] ?? 0) + part.outcomes[i]!;
  for (let m = 0; m < part.messages.length; m++) {
    while (into.messages.length <= m) into.messages.push(0);
    into.messages[m]! += part.messages[m]!;
  }
  into.delivered += part.delivered;
  into.rounds += part.rounds;
  return into;
}
