import { BUILT_IN_PROTOCOLS } from '../../catalog/protocols.js';
import { CHOOSE, END, SEND, Step, announcesRest, clearStep, partStep, restOfRun, runParts, runText } from '../../contract/protocol.js';
import { Xoshiro128 } from '../../rng/xoshiro128.js';
import { StepNotFilled } from '../unfilled-step.js';
import { refuseAnnouncement } from './trial-rules.js';
import type { CellModel } from '../model.js';

/** Trials walked, and protocol steps at most, to hold a cell's resolveRun to its resolve. */
const TRIALS = 24;
const MAX_STEPS = 5_000;

const verified = new WeakSet<CellModel>();

/**
 * Holds a protocol file's announced runs to its part-by-part definition in this very cell, once
 * per cell and thread, before an engine that takes runs without calling `next` between their
 * parts (the compiled kernels, the automata, the replay) runs it. `check` holds them to it in
 * small cells only: a file whose `resolveRun` parted from its `resolve`, or whose `next` after a
 * part did not announce the rest of the run (or changed what the next `resolve` does not
 * overwrite), only with more peers ran to counts that `trace` (which calls `next` after every
 * part, as the definition does) contradicted, exit 0. Walks TRIALS trials from generator words of
 * its own (the run's draws, counts and bytes are not touched), each message arriving with a
 * probability of the trial's own (1 in the first, 0 in the second), and at every announced run
 * resolves it each way from the same state: a difference is refused as the protocol's slip
 * (exit 2). The built-in protocols are held to it by their tests.
 */
export function verifyRunsResolved(model: CellModel): void {
  const { protocol, protocolConfig: config } = model;
  if (verified.has(model)) return;
  verified.add(model);
  if (BUILT_IN_PROTOCOLS.includes(protocol)) return;
  const rng = new Xoshiro128(0x2d358dcc, 0x6a09e667, 0x3c6ef372, 0x1f83d9ab);
  const uniform = (): number => rng.nextUint32() / 2 ** 32;
  const step = new Step();
  const state = new Int32Array(model.stateSize);
  let steps = 0;
  for (let trial = 0; trial < TRIALS && steps < MAX_STEPS; trial++) {
    // Every copy arriving, then none, then a rate of the trial's own: over a good link (or a cut
    // one) the likeliest fates of a long run are all or none of it, which a rate drawn from 0.05
    // to 0.95 seldom gives (20 copies of 20 arriving: one run in 50).
    const arrives = trial === 0 ? 1 : trial === 1 ? 0 : 0.05 + 0.9 * uniform();
    state.fill(0); // as every engine gives init (generic.ts)
    protocol.init(state, config);
    for (let trialSteps = 0; steps < MAX_STEPS && trialSteps < 10_000; trialSteps++, steps++) {
      clearStep(step);
      protocol.next(state, config, step);
      // Anything but a plain send, choice or run is the engines' to refuse, as they run the cell.
      if (step.kind === END || (step.kind !== SEND && step.kind !== CHOOSE)) break;
      const choices = step.choices;
      // A choice's outcome by its probabilities (of two: 0 iff a draw falls below the first), a copy's fate by the trial's rate.
      const draw = (choosing: boolean): number => {
        if (!choosing) return uniform() < arrives ? 1 : 0;
        let u = uniform();
        for (let k = 0; k < choices!.length - 1; k++) if ((u -= choices![k] ?? 0) < 0) return k;
        return choices!.length - 1;
      };
      if (step.peers === 0 && step.choosers === 0) {
        if (step.kind === CHOOSE && (!choices || choices.length === 0)) break;
        protocol.resolve(state, config, step, draw(step.kind === CHOOSE));
        continue;
      }
      // A run that is not well formed is refused here as every engine refuses it, in its words.
      refuseAnnouncement(protocol.name, step, state);
      if (step.choosers !== 0 && choices!.length === 0) break; // no distribution: the engines refuse it
      // Of more than two outcomes: the kernels resolve it part by part, never by resolveRun, but
      // with no call of next between the parts all the same.
      const manyWays = step.choosers !== 0 && choices!.length > 2;
      const run = Object.assign(new Step(), step);
      const parts = runParts(run);
      const bits: number[] = [];
      let delivered = 0;
      let chosen = 0;
      for (const part of parts) {
        const bit = draw(part.choice);
        bits.push(bit);
        if (part.choice) chosen |= bit << part.peer;
        else delivered |= bit << part.peer;
      }
      // The Monte Carlo kernels: every part resolved with no call of next between them (or the run in one call).
      const skipping = state.slice();
      const inOne = protocol.resolveRun && !manyWays ? state.slice() : null;
      for (let i = 0; i < parts.length; i++) protocol.resolve(skipping, config, partStep(run, parts[i]!), bits[i]!);
      // The other engines (and the definition): next called after each part, and it must announce the rest.
      let said = step;
      for (let i = 0; i < parts.length; i++) {
        if (i > 0) {
          const rest = restOfRun(said)!;
          said = new Step();
          protocol.next(state, config, said);
          if (!announcesRest(said, rest))
            throw new StepNotFilled(
              protocol.name,
              `after a part of the run from peer ${run.peer} (peers ${run.peers}, choosers ${run.choosers}), next said ${runText(said)}; it must announce the rest of the run, ${runText(rest)}`,
              state,
            );
        }
        protocol.resolve(state, config, said, bits[i]!);
      }
      if (skipping.some((v, i) => v !== state[i]))
        throw new StepNotFilled(
          protocol.name,
          `the run from peer ${run.peer} (peers ${run.peers}, choosers ${run.choosers}) leaves the state [${Array.from(skipping.subarray(0, 16)).join(', ')}] with no call of next between its parts, but [${Array.from(state.subarray(0, 16)).join(', ')}] with one after each: next may change only what the next resolve overwrites (the Monte Carlo engine does not call it between the parts)`,
          state,
        );
      if (!inOne) continue;
      protocol.resolveRun!(inOne, config, Object.assign(new Step(), run), delivered, chosen);
      if (inOne.some((v, i) => v !== state[i]))
        throw new StepNotFilled(
          protocol.name,
          `resolveRun(delivered ${delivered}, chosen ${chosen}) on the run from peer ${run.peer} (peers ${run.peers}, choosers ${run.choosers}) gives the state [${Array.from(inOne.subarray(0, 16)).join(', ')}], but resolving its parts one by one gives [${Array.from(state.subarray(0, 16)).join(', ')}]: resolveRun must do what resolve does for each part`,
          state,
        );
    }
  }
}
