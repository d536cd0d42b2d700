import { types } from 'node:util';
import { UsageError } from '../errors.js';
import { CHOOSE, END, SEND, STEP_FIELDS, announcementProblem, choicesProblem, sendProblem, unfilledStep } from '../contract/protocol.js';
import type { Step } from '../contract/protocol.js';

/** A `next` that left the step unfilled or ended without a valid outcome: the protocol's author's to fix (exit 2), never a count. */
export class StepNotFilled extends UsageError {
  override name = 'StepNotFilled';
  constructor(protocol: string, problem: string, state: Int32Array) {
    super(`protocol ${protocol}`, `${problem} (state [${Array.from(state.subarray(0, 16)).join(', ')}${state.length > 16 ? ', …' : ''}])`);
  }
}

/** Throws StepNotFilled where a CHOOSE step's probabilities are no distribution (check and the quick check catch most). */
export function refuseChoices(protocol: string, choices: ArrayLike<number> | null | undefined, state: Int32Array): void {
  const problem = proxyProblem(choices) ?? choicesProblem(choices);
  if (problem) throw new StepNotFilled(protocol, problem, state);
}

/** A choice's probabilities given as a Proxy, which may answer otherwise on every read, or null. */
export function proxyProblem(choices: unknown): string | null {
  return types.isProxy(choices) ? "a choice's probabilities are a Proxy; step.choices must be an array of numbers or a Float64Array" : null;
}

/** Throws StepNotFilled where a SEND step names no direction, or a round outside 1..roundLimit (check and the quick check catch most). */
export function refuseSend(protocol: string, step: Step, roundLimit: number, state: Int32Array): void {
  const problem = sendProblem(step, roundLimit);
  if (problem) throw new StepNotFilled(protocol, problem, state);
}

/** Throws StepNotFilled where `next` left `step` unreadable (rare: check and the quick check catch most). */
export function refuseUnfilled(protocol: string, step: Step, outcomes: number, state: Int32Array): void {
  const problem = unfilledStep(step, outcomes);
  if (problem) throw new StepNotFilled(protocol, problem, state);
}

/**
 * Throws StepNotFilled where `resolve` left the clock (state[0]) where it was, or moved it back:
 * every engine relies on it growing, and the automata would otherwise hold a cycle (check and the
 * quick check catch most, in the cells they explore).
 */
export function refuseStoppedClock(protocol: string, from: number, state: Int32Array): void {
  if (!(state[0]! > from)) throw new StepNotFilled(protocol, `resolve did not advance the clock (state[0] went from ${from} to ${state[0]})`, state);
}

/**
 * Every rule an engine holds a step to where it reads each one as it is (the exact engines, the
 * automata): an announced run well formed (as runTrial holds it, before the step's kind), filled,
 * and a choice's probabilities or a send's direction and round valid. The per-trial loops check
 * the same with cheap pre-filters and call the refusals themselves.
 */
export function refuseUnreadableStep(protocol: string, step: Step, outcomes: number, roundLimit: number, state: Int32Array): void {
  const announced = step.kind === END ? null : announcementProblem(step);
  if (announced) throw new StepNotFilled(protocol, announced, state);
  refuseUnfilled(protocol, step, outcomes, state);
  if (step.kind === CHOOSE) refuseChoices(protocol, step.choices, state);
  else if (step.kind === SEND) refuseSend(protocol, step, roundLimit, state);
}

/**
 * What is wrong with a step its `resolve` changed (`given`: a copy of it as next filled it), or
 * null: the engines give every result of a step (a choice's or a send's branches) the one step,
 * and the automata keep it for the state, so a resolve that writes to it (a field changed, the
 * object kept from next and changed later) gives later branches and later trials another step
 * than next filled, counted as it came (check and the 24 trials before every engine catch it in
 * the cells they explore; the exact engine at every step).
 */
export function changedStepProblem(given: Step, step: Step): string | null {
  for (const field of STEP_FIELDS) {
    if (Object.is(given[field], step[field])) continue;
    const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v !== null && typeof v === 'object' ? 'another array' : String(v));
    return `resolve changed step.${field} (${shown(given[field])} as next filled it, ${shown(step[field])} after resolve): resolve must leave the step as next filled it, as the engines give every result of a step the same one`;
  }
  return null;
}

/** Copies the fields next fills from `from` into `to` (written out: Object.assign is a generic copy, slow once a state). */
export function copyStep(to: Step, from: Step): void {
  to.kind = from.kind;
  to.direction = from.direction;
  to.round = from.round;
  to.label = from.label;
  to.peer = from.peer;
  to.peers = from.peers;
  to.choosers = from.choosers;
  to.choices = from.choices;
  to.outcome = from.outcome;
}

/** Whether every field next fills is as in `given` (the common case, before changedStepProblem says what changed). */
export function stepUnchanged(given: Step, step: Step): boolean {
  return (
    given.kind === step.kind &&
    given.direction === step.direction &&
    given.round === step.round &&
    given.label === step.label &&
    given.peer === step.peer &&
    given.peers === step.peers &&
    given.choosers === step.choosers &&
    given.choices === step.choices &&
    given.outcome === step.outcome
  );
}
