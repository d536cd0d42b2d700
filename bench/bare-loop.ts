import { A_TO_B, B_TO_A, CHOOSE, END, Step, clearStep } from '../src/contract/protocol.js';
import type { CellModel } from '../src/engine/model.js';
import { choiceTable } from '../src/engine/montecarlo/generic.js';
import { toTally } from '../src/engine/tally.js';
import type { Tally } from '../src/engine/tally.js';

/**
 * What a protocol file's own code costs a trial: its `next` and `resolveRun` driven by a bare
 * loop, the generator inline and nothing else — no checks of the step, no channel look-up, no
 * messages counted, ties on a threshold's high part not drawn again. No engine can run the file
 * faster than this, so the bench sets it beside the built-in's whole kernel. For a cell on a
 * channel whose two directions each keep one two-way fate in every round (bernoulli), whose
 * protocol announces every part in runs (resolveRun); null for any other.
 */
export function bareLoopFor(model: CellModel): ((stream: Int32Array, trials: number) => Tally) | null {
  const { protocol, protocolConfig: config, channel, channelConfig, transmissions } = model;
  const resolveRun = protocol.resolveRun;
  if (!resolveRun || model.crash !== null || model.replay || model.initialStates.length !== 1) return null;
  const channelState = model.initialStates[0]!.state;
  const lostAtMost = [A_TO_B, B_TO_A].map((direction) => transmissions[channel.transmissionFor(channelConfig, channelState, direction, 1)]!.sampling);
  if (lostAtMost.some((table) => table.size !== 2)) return null;
  const highs = Int32Array.from(lostAtMost, (table) => table.high[0]!);
  const state = new Int32Array(model.stateSize);
  const step = new Step();
  const outcomes = new Float64Array(model.outcomes.names.length);
  let choices: Float64Array | null = null;
  let choiceHigh = 0;
  // The generator written out at each of its two draws, as commit-kernel.ts does: a function could
  // not update the four locals, and a closure over them keeps them in memory, not registers.
  const trial = (words: Int32Array): void => {
    let s0 = words[0]!;
    let s1 = words[1]!;
    let s2 = words[2]!;
    let s3 = words[3]!;
    protocol.init(state, config);
    for (;;) {
      clearStep(step);
      protocol.next(state, config, step);
      if (step.kind === END) break;
      // A step not in a run is a run of one part (bit 0), a choice if it is one.
      const single = step.peers === 0;
      const peers = single ? 1 : step.peers;
      const choosers = single ? (step.kind === CHOOSE ? 1 : 0) : step.choosers;
      if (choosers !== 0 && step.choices !== choices) {
        choices = step.choices!;
        const table = choiceTable(choices);
        if (table.size !== 2) throw new Error(`${protocol.name}: the bare loop draws two-way choices only`);
        choiceHigh = table.high[0]! | 0;
      }
      const high = highs[step.direction]!;
      let delivered = 0;
      let chosen = 0;
      for (let rest = peers; rest !== 0; rest &= rest - 1) {
        const bit = rest & -rest;
        if ((choosers & bit) !== 0) {
          const r = Math.imul(s1, 5);
          const w = Math.imul((r << 7) | (r >>> 25), 9);
          const t = s1 << 9;
          s2 ^= s0;
          s3 ^= s1;
          s1 ^= s2;
          s0 ^= s3;
          s2 ^= t;
          s3 = (s3 << 11) | (s3 >>> 21);
          chosen |= bit & ((choiceHigh - (w >>> 1)) >> 31);
          if (single) break; // a lone choice sends nothing
        }
        const r = Math.imul(s1, 5);
        const w = Math.imul((r << 7) | (r >>> 25), 9);
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        delivered |= bit & ((high - (w >>> 1)) >> 31);
      }
      if (single) protocol.resolve(state, config, step, (choosers === 1 ? chosen : delivered) & 1);
      else resolveRun.call(protocol, state, config, step, delivered, chosen);
    }
    outcomes[step.outcome]!++;
    words[0] = s0;
    words[1] = s1;
    words[2] = s2;
    words[3] = s3;
  };
  return (stream, trials) => {
    const words = stream.slice(0, 4);
    outcomes.fill(0);
    for (let t = 0; t < trials; t++) trial(words);
    return toTally(trials, outcomes, new Float64Array(1), new Float64Array(0), 0);
  };
}
