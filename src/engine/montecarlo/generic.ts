import { thousands } from '../../io/text.js';
import { UsageError } from '../../errors.js';
import { CHOOSE, END, SEND, Step, clearStep } from '../../protocols/types.js';
import { refuseUnfilled } from '../unfilled-step.js';
import { sample, samplingTable } from '../../rng/sampler.js';
import type { SamplingTable } from '../../rng/sampler.js';
import { uniformBelow } from '../../rng/uniform.js';
import type { Xoshiro128 } from '../../rng/xoshiro128.js';
import type { CellModel } from '../model.js';
import { toTally } from '../tally.js';
import type { Tally } from '../tally.js';

const choiceTables = new WeakMap<Float64Array, SamplingTable>();

function choiceTable(probabilities: Float64Array): SamplingTable {
  let table = choiceTables.get(probabilities);
  if (!table) choiceTables.set(probabilities, (table = samplingTable(probabilities)));
  return table;
}

/**
 * A trial that takes more chance points than this has no end in sight: every resolve advances
 * the clock, so only a protocol whose `next` never says END gets here (a user's protocol file
 * with a bug). Checked once per step: a compare the branch predictor never misses.
 */
export const MAX_TRIAL_STEPS = 10_000_000;

/** A protocol's trial that never ends, named with the state it had reached: the protocol's author's to fix (exit 2). */
export class TrialNeverEnds extends UsageError {
  override name = 'TrialNeverEnds';
  constructor(protocol: string, state: Int32Array, described: string) {
    super(
      `protocol ${protocol}`,
      `a trial did not end after ${thousands(MAX_TRIAL_STEPS)} steps (state [${Array.from(state.subarray(0, 16)).join(', ')}${state.length > 16 ? ', …' : ''}]: ${described})`,
    );
  }
}

/** Observes a trial step by step; used by `trace`, never by `run`. */
export interface TrialObserver {
  onSend(step: Step, received: boolean, state: Int32Array): void;
  onChoose(step: Step, choice: number, state: Int32Array): void;
}

/** What one trial cost, filled in by runTrial. */
export interface TrialCounters {
  messages: number;
  rounds: number;
  /** Received messages per delivery class, accumulated across trials. */
  readonly deliveries: Float64Array;
}

/**
 * Runs one trial through the protocol definition: the protocol says what happens, the channel
 * and the generator decide. Returns the outcome index; the trial's cost goes to `counters`.
 */
export function runTrial(model: CellModel, rng: Xoshiro128, state: Int32Array, step: Step, counters: TrialCounters, observer?: TrialObserver): number {
  const { protocol, protocolConfig: config, channel, channelConfig, transmissions, replay } = model;
  let channelState = replay ? uniformBelow(rng, replay.starts) : model.initialStates[sample(rng, model.initialSampling)]!.state;
  let messages = 0;
  let lastRound = 0;
  protocol.init(state, config);
  for (let steps = 0; ; steps++) {
    clearStep(step);
    protocol.next(state, config, step);
    if (step.kind === END) break;
    if (steps === MAX_TRIAL_STEPS) throw new TrialNeverEnds(protocol.name, state, protocol.describe(state, config));
    let result: number;
    if (step.kind === CHOOSE) {
      result = sample(rng, choiceTable(step.choices!));
      observer?.onChoose(step, result, state);
    } else if (replay) {
      // A replayed channel: the copies' fates are read at the position, nothing is drawn.
      const delivered = replay.delivered(channelState, step.direction);
      if (delivered > 0) counters.deliveries[delivered - 1]!++;
      channelState = replay.after(channelState);
      messages++;
      lastRound = step.round;
      result = delivered > 0 ? 1 : 0;
      observer?.onSend(step, result === 1, state);
    } else {
      if (step.kind !== SEND) refuseUnfilled(protocol.name, step, model.outcomes.names.length, state);
      const t = transmissions[channel.transmissionFor(channelConfig, channelState, step.direction, step.round)]!;
      const i = sample(rng, t.sampling);
      const deliveryClass = t.deliveryClass[i]!;
      if (deliveryClass >= 0) counters.deliveries[deliveryClass]!++;
      channelState = t.nextState[i]!;
      messages++;
      lastRound = step.round;
      result = t.received[i]!;
      observer?.onSend(step, result === 1, state);
    }
    protocol.resolve(state, config, step, result);
  }
  counters.messages = messages;
  counters.rounds = lastRound;
  const outcome = step.outcome;
  if (!(outcome >= 0 && outcome < model.outcomes.names.length)) refuseUnfilled(protocol.name, step, model.outcomes.names.length, state);
  return outcome;
}

/** The generic engine: one trial at a time through the protocol definition. */
export function runBlockGeneric(model: CellModel, rng: Xoshiro128, trials: number): Tally {
  const state = new Int32Array(model.stateSize);
  const step = new Step();
  const counters: TrialCounters = { messages: 0, rounds: 0, deliveries: new Float64Array(model.deliveryValues.length) };
  const outcomes = new Float64Array(model.outcomes.names.length);
  let histogram: Float64Array = new Float64Array(16);
  let rounds = 0;
  for (let t = 0; t < trials; t++) {
    outcomes[runTrial(model, rng, state, step, counters)]!++;
    const m = counters.messages;
    if (m >= histogram.length) histogram = grow(histogram, m);
    histogram[m]!++;
    rounds += counters.rounds;
  }
  return toTally(trials, outcomes, histogram, counters.deliveries, rounds);
}

function grow(histogram: Float64Array, index: number): Float64Array {
  const bigger = new Float64Array(Math.max(index + 1, histogram.length * 2));
  bigger.set(histogram);
  return bigger;
}
