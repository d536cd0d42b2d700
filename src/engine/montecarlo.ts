import { CHOOSE, END, Step } from '../protocols/types.js';
import { sample, samplingTable } from '../rng/sampler.js';
import type { SamplingTable } from '../rng/sampler.js';
import type { Xoshiro128 } from '../rng/xoshiro128.js';
import type { CellModel } from './model.js';
import { emptyTally } from './tally.js';
import type { Tally } from './tally.js';

/** Trials per block: the unit of seeding, scheduling and sharding (SPEC §4). */
export const BLOCK_SIZE = 65536;

const choiceTables = new WeakMap<Float64Array, SamplingTable>();

function choiceTable(probabilities: Float64Array): SamplingTable {
  let table = choiceTables.get(probabilities);
  if (!table) choiceTables.set(probabilities, (table = samplingTable(probabilities)));
  return table;
}

/** Observes a trial step by step; used by `trace`, never by `run`. */
export interface TrialObserver {
  onSend(step: Step, delivered: number, copies: number, state: Int32Array): void;
  onChoose(step: Step, choice: number, state: Int32Array): void;
}

/**
 * Runs one trial: the protocol says what happens, the channel and the generator decide.
 * Returns the outcome index; cost, deliveries and rounds go to `counters`.
 */
export function runTrial(
  model: CellModel,
  rng: Xoshiro128,
  state: Int32Array,
  step: Step,
  counters: TrialCounters,
  observer?: TrialObserver,
): number {
  const { protocol, protocolConfig: config, channel, channelConfig, transmissions } = model;
  let channelState = model.initialStates[sample(rng, model.initialSampling)]!.state;
  let messages = 0;
  let delivered = 0;
  let lastRound = 0;
  protocol.init(state, config);
  for (;;) {
    protocol.next(state, config, step);
    if (step.kind === END) break;
    let result: number;
    if (step.kind === CHOOSE) {
      result = sample(rng, choiceTable(step.choices!));
      observer?.onChoose(step, result, state);
    } else {
      const t = transmissions[channel.transmissionFor(channelConfig, channelState, step.direction, step.round)]!;
      const i = sample(rng, t.sampling);
      const copies = t.delivered[i]!;
      channelState = t.nextState[i]!;
      messages++;
      delivered += copies;
      lastRound = step.round;
      result = copies > 0 ? 1 : 0;
      observer?.onSend(step, copies, model.copies, state);
    }
    protocol.resolve(state, config, step, result);
  }
  counters.messages = messages;
  counters.delivered = delivered;
  counters.rounds = lastRound;
  return step.outcome;
}

export interface TrialCounters {
  messages: number;
  delivered: number;
  rounds: number;
}

/** Runs `trials` trials from one block's stream and returns their tally. */
export function runBlock(model: CellModel, rng: Xoshiro128, trials: number): Tally {
  const state = new Int32Array(model.stateSize);
  const step = new Step();
  const counters: TrialCounters = { messages: 0, delivered: 0, rounds: 0 };
  const outcomes = new Float64Array(model.outcomes.names.length);
  let histogram: Float64Array = new Float64Array(16);
  let delivered = 0;
  let rounds = 0;
  for (let t = 0; t < trials; t++) {
    outcomes[runTrial(model, rng, state, step, counters)]!++;
    const m = counters.messages;
    if (m >= histogram.length) histogram = grow(histogram, m);
    histogram[m]!++;
    delivered += counters.delivered;
    rounds += counters.rounds;
  }
  const tally = emptyTally(outcomes.length);
  tally.trials = trials;
  tally.outcomes = Array.from(outcomes);
  let top = histogram.length;
  while (top > 0 && histogram[top - 1] === 0) top--;
  tally.messages = Array.from(histogram.subarray(0, top));
  tally.delivered = delivered;
  tally.rounds = rounds;
  return tally;
}

function grow(histogram: Float64Array, index: number): Float64Array {
  const bigger = new Float64Array(Math.max(index + 1, histogram.length * 2));
  bigger.set(histogram);
  return bigger;
}
