import { CHOOSE, END, ROUND, SEND, Step, clearStep, receiverNode, senderNode } from '../../contract/protocol.js';
import { StepNotFilled, refuseChoices, refuseSend, refuseUnfilled } from '../unfilled-step.js';
import {
  MAX_TRIAL_STEPS,
  SentAfterCrash,
  TrialNeverEnds,
  UnannouncedRound,
  UnexpectedRound,
  changedChoices,
  crashedHeld,
  misorderedRound,
  refuseAnnouncement,
  refuseCrashNotKept,
  refuseChoiceAfterCrash,
  refusePeerNotListed,
} from './trial-rules.js';
import { sample, samplingTable } from '../../rng/sampler.js';
import type { SamplingTable } from '../../rng/sampler.js';
import type { Xoshiro128 } from '../../rng/xoshiro128.js';
import type { CellModel, PreparedTransmission } from '../model.js';
import { drawStart, startOrderFor } from './start-order.js';
import { grownHistogram, toTally } from '../tally.js';
import type { Tally } from '../tally.js';

export { MAX_TRIAL_STEPS, SentAfterCrash, TrialNeverEnds, UnannouncedRound, UnexpectedRound, refuseAnnouncement } from './trial-rules.js';

/** Each probability array's table, and the probabilities it was made from. */
const choiceTables = new WeakMap<Float64Array, { readonly table: SamplingTable; readonly made: Float64Array }>();

/**
 * A choice's sampling table, made once per probability array; a protocol's array that is no
 * distribution (`protocol` named) is refused, with the state it came from, and so is an array
 * given again with other probabilities (the contract forbids it, and `check` refuses it in the
 * cells it explores): an engine that keeps what a state's step was (the automata) or expands
 * states in another order than a trial (exact) would read another time's probabilities, as a
 * method that changes the array between a trial's steps (in resolve) makes them.
 */
export function choiceTable(probabilities: Float64Array, protocol?: string, state: Int32Array = new Int32Array(0)): SamplingTable {
  return choiceEntry(probabilities, protocol, state).table;
}

/**
 * choiceTable's table with the probabilities it was made from (a copy): an engine that keeps the
 * table for an array checks the array against it (sameProbabilities) before drawing again.
 */
export function choiceEntry(
  probabilities: Float64Array,
  protocol?: string,
  state: Int32Array = new Int32Array(0),
): { readonly table: SamplingTable; readonly made: Float64Array } {
  const known = choiceTables.get(probabilities);
  if (known !== undefined) {
    if (sameProbabilities(known.made, probabilities)) return known;
    throw new StepNotFilled(protocol ?? 'file', changedChoices(known.made, probabilities), state);
  }
  if (protocol !== undefined) refuseChoices(protocol, probabilities, state);
  const entry = { table: samplingTable(probabilities), made: Float64Array.from(probabilities) };
  choiceTables.set(probabilities, entry);
  return entry;
}

/** Whether an array still holds the probabilities `made` was copied from. */
export function sameProbabilities(made: Float64Array, now: Float64Array): boolean {
  if (made.length !== now.length) return false;
  for (let i = 0; i < made.length; i++) if (made[i] !== now[i]) return false;
  return true;
}

/** Observes a trial step by step; used by `trace`, never by `run`. */
export interface TrialObserver {
  /**
   * `delivered`: over a replayed trace, the copies that arrived (read at the position; elsewhere
   * unknown, a draw decides the message). `toCrashed`: the receiver had crashed, so nothing reached
   * it whatever the channel did with the copies.
   */
  onSend(step: Step, received: boolean, state: Int32Array, delivered?: number, toCrashed?: boolean): void;
  onChoose(step: Step, choice: number, state: Int32Array): void;
  /** Node `node` crashed at the start of round `round` (state: after the crash). */
  onCrash?(node: number, round: number, state: Int32Array): void;
  /** A replayed trace: the position the trial starts at. */
  onStart?(position: number): void;
}

/** What one trial cost, filled in by runTrial. */
export interface TrialCounters {
  messages: number;
  rounds: number;
  /** Received messages per delivery class, accumulated across trials. */
  readonly deliveries: Float64Array;
}

/** What a replayed trial reads of the tables: nothing (one array for every trial, not one made each). */
const NO_TRANSMISSIONS: readonly PreparedTransmission[] = [];

/**
 * Runs one trial through the protocol definition: the protocol says what happens, the channel
 * and the generator decide. Returns the outcome index; the trial's cost goes to `counters`.
 */
export function runTrial(model: CellModel, rng: Xoshiro128, state: Int32Array, step: Step, counters: TrialCounters, observer?: TrialObserver): number {
  // The tables are read only without a replay (a replayed trace's are built only when an exact engine asks).
  const { protocol, protocolConfig: config, channel, channelConfig, replay, crash } = model;
  const transmissions = replay ? NO_TRANSMISSIONS : model.transmissions;
  let channelState = replay ? drawStart(model, replay, rng) : model.initialStates[sample(rng, model.initialSampling)]!.state;
  // A one-send protocol over a replay counts its received message in its order's class of mean copies (start-order.ts).
  const receivedClass = replay && startOrderFor(model) ? replay.copies : -1;
  if (replay) observer?.onStart?.(channelState);
  let messages = 0;
  let lastRound = 0;
  let started = 0; // the last round started (ROUND), with crashes
  // The nodes crashed so far in the trial, 1 each: the protocol's crashed is held to it.
  const down = crash === null ? NO_NODES : crashMarks(model).fill(0);
  // init is given zeros, as check and the exact engine give it, never the last trial's end: an
  // init that sets only some fields would start each trial where the one before ended.
  state.fill(0);
  protocol.init(state, config);
  for (let steps = 0; ; steps++) {
    clearStep(step);
    protocol.next(state, config, step);
    if (step.kind === END) break;
    if (steps === MAX_TRIAL_STEPS) throw new TrialNeverEnds(protocol.name, state, protocol.describe(state, config));
    // An announced run is taken part by part here, next called between parts (the trial kernel skips those calls).
    if (step.peers !== 0 || step.choosers !== 0) refuseAnnouncement(protocol.name, step, state);
    let result: number;
    if (step.kind === CHOOSE) {
      if (crash !== null) refuseChoiceAfterCrash(protocol, config, step, state, crash.length);
      result = sample(rng, choiceTable(step.choices!, protocol.name, state));
      observer?.onChoose(step, result, state);
    } else if (step.kind === ROUND) {
      if (crash === null) throw new UnexpectedRound(protocol.name);
      if (misorderedRound(step.round, started, model.roundLimit)) throw new UnannouncedRound(protocol.name, step, started, model.roundLimit);
      drawCrashes(model, rng, state, step.round, down, observer);
      started = step.round;
      result = 0;
    } else {
      if (step.kind !== SEND) refuseUnfilled(protocol.name, step, model.outcomes.names.length, state);
      // Number.isInteger first: a symbol next left as the round is refused, where comparing it threw.
      if ((step.direction !== 0 && step.direction !== 1) || !Number.isInteger(step.round) || !(step.round >= 1 && step.round <= model.roundLimit))
        refuseSend(protocol.name, step, model.roundLimit, state);
      // A crashed node dispatches nothing, and nothing reaches one: its copies still travel (the
      // channel's state moves on) but none is delivered.
      let reaches = true;
      if (crash !== null) {
        if (step.round > started) throw new UnannouncedRound(protocol.name, step, started);
        refusePeerNotListed(protocol.name, step, state, crash.length);
        const sender = senderNode(step.direction, step.peer);
        const receiver = receiverNode(step.direction, step.peer);
        if (crashedHeld(protocol, config, state, step.round, down, sender))
          throw new SentAfterCrash(protocol.name, sender, step, protocol.describe(state, config));
        reaches = !crashedHeld(protocol, config, state, step.round, down, receiver);
      }
      if (replay) {
        // A replayed channel: the copies' fates are read at the position, nothing is drawn.
        const delivered = reaches ? replay.delivered(channelState, step.direction) : 0;
        if (delivered > 0) counters.deliveries[receivedClass >= 0 ? receivedClass : delivered - 1]!++;
        channelState = replay.after(channelState);
        messages++;
        lastRound = step.round;
        result = delivered > 0 ? 1 : 0;
        observer?.onSend(step, result === 1, state, reaches ? delivered : undefined, !reaches);
        protocol.resolve(state, config, step, result);
        continue;
      }
      const t = transmissions[channel.transmissionFor(channelConfig, channelState, step.direction, step.round)]!;
      const i = sample(rng, t.sampling);
      const deliveryClass = t.deliveryClass[i]!;
      if (deliveryClass >= 0 && reaches) counters.deliveries[deliveryClass]!++;
      channelState = t.nextState[i]!;
      messages++;
      lastRound = step.round;
      result = reaches ? t.received[i]! : 0;
      observer?.onSend(step, result === 1, state, undefined, !reaches);
    }
    protocol.resolve(state, config, step, result);
    // After a round start's resolve (as check holds it): crashed says who is down, those before and those crashed now.
    if (step.kind === ROUND) refuseCrashNotKept(protocol, config, state, started, down);
  }
  counters.messages = messages;
  counters.rounds = lastRound;
  const outcome = step.outcome;
  if (!(Number.isInteger(outcome) && outcome >= 0 && outcome < model.outcomes.names.length))
    refuseUnfilled(protocol.name, step, model.outcomes.names.length, state);
  return outcome;
}

/**
 * The start of a round: each node still up crashes with its rate, in node order, one draw per
 * node whose rate is above 0 (a node that cannot crash draws nothing).
 */
function drawCrashes(model: CellModel, rng: Xoshiro128, state: Int32Array, round: number, down: Uint8Array, observer?: TrialObserver): void {
  const { protocol, protocolConfig: config, crashSampling } = model;
  // `down`: the nodes crashed before, 1 each, and those crashed now; crashed must say the same after the round's resolve.
  for (let node = 0; node < crashSampling.length; node++) {
    const table = crashSampling[node];
    if (down[node] === 1 || table === null || protocol.crashed!(state, config, node)) continue;
    if (sample(rng, table!) === 0) {
      protocol.crash!(state, config, node);
      down[node] = 1;
      observer?.onCrash?.(node, round, state);
    }
  }
}

/** A cell's marks of the nodes crashed in a trial (one array per cell model, cleared at each trial's start). */
function crashMarks(model: CellModel): Uint8Array {
  let marks = crashMarksOf.get(model);
  if (marks === undefined) crashMarksOf.set(model, (marks = new Uint8Array(model.crashSampling.length)));
  return marks;
}
const crashMarksOf = new WeakMap<CellModel, Uint8Array>();
const NO_NODES = new Uint8Array(0);

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
    if (m >= histogram.length) histogram = grownHistogram(histogram, m);
    histogram[m]!++;
    rounds += counters.rounds;
  }
  return toTally(trials, outcomes, histogram, counters.deliveries, rounds);
}
