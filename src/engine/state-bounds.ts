import { BUILT_IN_PROTOCOLS } from '../catalog/protocols.js';
import { CHOOSE, ROUND, SEND, Step, announcementProblem, choicesProblem, clearStep } from '../contract/protocol.js';
import type { CellModel } from './model.js';
import { Xoshiro128 } from '../rng/xoshiro128.js';
import { StepNotFilled, changedStepProblem, proxyProblem } from './unfilled-step.js';
import { choicesChangedByResolve } from './montecarlo/trial-rules.js';
import { crashedWroteProblem } from './only-reads.js';

/** Trials walked, and protocol steps at most, to hold a cell's state to its declared size. */
const TRIALS = 24;
const MAX_STEPS = 5_000;
/** Words past the declared size, as check gives them. */
const GUARD = 4;

const verified = new WeakSet<CellModel>();

/**
 * Holds a protocol file's state to its declared size in this very cell, once per cell and thread,
 * before an engine runs it (Monte Carlo, exact, trace): the engines give the state exactly `stateSize` Int32, where a write
 * past the end is lost without a word, so a file that wrote there only in cells `check` does not
 * explore read `undefined` back and was counted (success 0, exit 0). Walks TRIALS trials with
 * GUARD words past the state, from generator words of its own (the run's draws, counts and bytes
 * are not touched), each message arriving with a probability of the trial's own; a guard word
 * written, or a badly formed announced run (step.peers), is refused in one line (exit 2). Anything else the step gets wrong
 * is left to the engines, which refuse it as they run the cell. The built-in protocols are
 * held to it by their tests.
 */
export function verifyStateBounds(model: CellModel): void {
  const { protocol, protocolConfig: config, stateSize: size } = model;
  if (verified.has(model)) return;
  verified.add(model);
  if (BUILT_IN_PROTOCOLS.includes(protocol)) return;
  const rng = new Xoshiro128(0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19);
  const uniform = (): number => rng.nextUint32() / 2 ** 32;
  const step = new Step();
  const filled = new Step();
  const state = new Int32Array(size + GUARD);
  const refuseWritten = (method: string): void => {
    for (let i = size; i < size + GUARD; i++)
      if (state[i] !== 0) throw new StepNotFilled(protocol.name, `${method} wrote beyond the declared state size (${size})`, state.subarray(0, size));
  };
  let steps = 0;
  for (let trial = 0; trial < TRIALS && steps < MAX_STEPS; trial++) {
    const arrives = trial === 0 ? 1 : trial === 1 ? 0 : 0.05 + 0.9 * uniform();
    state.fill(0);
    protocol.init(state, config);
    refuseWritten('init');
    for (let trialSteps = 0; steps < MAX_STEPS && trialSteps < 10_000; trialSteps++, steps++) {
      clearStep(step);
      protocol.next(state, config, step);
      refuseWritten('next');
      // A badly formed announced run, refused here as the Monte Carlo engines refuse it: exact and trace take a run part by part.
      const announced = announcementProblem(step);
      if (announced) throw new StepNotFilled(protocol.name, announced, state.subarray(0, size));
      let result: number;
      if (step.kind === SEND) result = uniform() < arrives ? 1 : 0;
      else if (step.kind === ROUND) {
        // Some of the nodes up crash (a quarter of those that can), and crashed is asked of every node: it must only read the state.
        if (model.crash) crashSample(model, state, size, uniform);
        result = 0;
      } else if (step.kind === CHOOSE) {
        const choices = step.choices;
        // A Proxy (of a Float64Array: its length throws where the engines read it) is refused here, before any engine reads it.
        const proxy = proxyProblem(choices);
        if (proxy) throw new StepNotFilled(protocol.name, proxy, state.subarray(0, size));
        if (!choices || choices.length === 0) break; // the engines refuse it
        let u = uniform();
        result = choices.length - 1;
        for (let k = 0; k < choices.length - 1; k++)
          if ((u -= choices[k] ?? 0) < 0) {
            result = k;
            break;
          }
      } else break; // END, or a step the engines refuse
      // A choice's probabilities as next gave them: a resolve that changes them is refused, as the exact engine and check refuse it.
      // (One that is no distribution, or is read through getters, is the engines' to refuse, as they make its table.)
      const given = step.kind === CHOOSE && step.choices && choicesProblem(step.choices) === null ? Array.from(step.choices) : null;
      Object.assign(filled, step);
      protocol.resolve(state, config, step, result);
      refuseWritten('resolve');
      const changed = changedStepProblem(filled, step);
      if (changed) throw new StepNotFilled(protocol.name, changed, state.subarray(0, size));
      if (given && !sameNumbers(given, step.choices))
        throw new StepNotFilled(protocol.name, choicesChangedByResolve(given, step.choices ?? []), state.subarray(0, size));
    }
  }
}

/**
 * A round start of the sample: each node up that can crash crashes with probability 1/4, then
 * `crashed` is asked of every node and refused where it writes to the state (as check refuses it),
 * since each engine asks it at times of its own: what it wrote would make them count different trials.
 */
function crashSample(model: CellModel, state: Int32Array, size: number, uniform: () => number): void {
  const { protocol, protocolConfig: config, crash } = model;
  const view = state.subarray(0, size);
  for (let node = 0; node < crash!.length; node++)
    if (crash![node]! > 0 && !protocol.crashed!(view.slice(), config, node) && uniform() < 0.25) protocol.crash!(view, config, node);
  for (let node = 0; node < crash!.length; node++) {
    const before = view.slice();
    protocol.crashed!(view, config, node);
    const written = before.findIndex((v, i) => v !== view[i]);
    if (written >= 0) throw new StepNotFilled(protocol.name, crashedWroteProblem(node, written, before[written]!, view[written]!), before);
  }
}

/** Whether `now` still holds the numbers `given` was copied from. */
function sameNumbers(given: readonly number[], now: ArrayLike<number> | null | undefined): boolean {
  if (!now || now.length !== given.length) return false;
  for (let i = 0; i < given.length; i++) if (!Object.is(now[i], given[i])) return false;
  return true;
}
