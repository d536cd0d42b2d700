import { CHOOSE, END, Step } from '../protocols/types.js';
import { sample, samplingTable } from '../rng/sampler.js';
import type { SamplingTable } from '../rng/sampler.js';
import { Xoshiro128 } from '../rng/xoshiro128.js';
import { AutomatonTooLarge, buildAutomaton } from './automaton.js';
import { KERNEL_NODE_LIMIT, compileKernel } from './kernel.js';
import type { CompiledKernel } from './kernel.js';
import type { CellModel } from './model.js';
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

/**
 * Runs `trials` trials from one block's stream (xoshiro128** state words) and returns their
 * tally: through the cell's compiled kernel where it has one, else trial by trial.
 */
export function runBlock(model: CellModel, stream: Int32Array, trials: number): Tally {
  const kernel = kernelFor(model);
  if (!kernel) return runBlockGeneric(model, new Xoshiro128(stream[0]!, stream[1]!, stream[2]!, stream[3]!), trials);
  const outcomes = new Float64Array(model.outcomes.names.length);
  const histogram = new Float64Array(kernel.maxMessages + 1);
  const sums = new Float64Array(2);
  const ends = new Float64Array(kernel.sites.length);
  kernel.run(stream.slice(), trials, outcomes, histogram, sums, ends);
  kernel.sites.forEach((site, i) => {
    const count = ends[i]!;
    outcomes[site.outcome]! += count;
    histogram[site.messages]! += count;
    sums[0]! += count * site.delivered;
    sums[1]! += count * site.round;
  });
  return toTally(trials, outcomes, histogram, sums[0]!, sums[1]!);
}

type CellKernel = CompiledKernel & { readonly maxMessages: number };
const kernels = new WeakMap<CellModel, CellKernel | null>();

function kernelFor(model: CellModel): CellKernel | null {
  let kernel = kernels.get(model);
  if (kernel === undefined) {
    try {
      const automaton = buildAutomaton(model, KERNEL_NODE_LIMIT);
      kernel = { ...compileKernel(automaton), maxMessages: automaton.maxMessages };
    } catch (error) {
      if (!(error instanceof AutomatonTooLarge)) throw error;
      kernel = null;
    }
    kernels.set(model, kernel);
  }
  return kernel;
}

/** The generic engine: one trial at a time through the protocol definition. */
export function runBlockGeneric(model: CellModel, rng: Xoshiro128, trials: number): Tally {
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
  return toTally(trials, outcomes, histogram, delivered, rounds);
}

function toTally(trials: number, outcomes: Float64Array, histogram: Float64Array, delivered: number, rounds: number): Tally {
  let top = histogram.length;
  while (top > 0 && histogram[top - 1] === 0) top--;
  return { trials, outcomes: Array.from(outcomes), messages: Array.from(histogram.subarray(0, top)), delivered, rounds };
}

function grow(histogram: Float64Array, index: number): Float64Array {
  const bigger = new Float64Array(Math.max(index + 1, histogram.length * 2));
  bigger.set(histogram);
  return bigger;
}
