import { Xoshiro128 } from '../../rng/xoshiro128.js';
import { kernelFor } from '../accelerators/kernel.js';
import type { CellModel } from '../model.js';
import type { Tally } from '../tally.js';
import { runBlockGeneric } from './generic.js';
import { runBlockReplay } from './replay.js';

/**
 * Runs `trials` trials from one block's stream (xoshiro128** state words) and returns their
 * tally: through the fastest engine the cell allows — a replayed trace through the protocol's
 * automaton (replay.ts), else its compiled kernel (which hands long blocks to
 * the SIMD lanes or the bit walk where it can), else trial by trial through the definition. `specialize`
 * compiles the kernel for this cell alone (see kernelFor): for cells of many trials.
 */
export function runBlock(model: CellModel, stream: Int32Array, trials: number, specialize = false): Tally {
  // Cells with crashes run through the definition: the compiled kernels and the replay know no crash draws.
  if (model.replay && model.crash === null) {
    const rng = new Xoshiro128(stream[0]!, stream[1]!, stream[2]!, stream[3]!);
    return runBlockReplay(model, model.replay, rng, trials, () => runBlockGeneric(model, rng, trials));
  }
  const kernel = model.crash === null ? kernelFor(model, specialize) : null;
  if (!kernel) return runBlockGeneric(model, new Xoshiro128(stream[0]!, stream[1]!, stream[2]!, stream[3]!), trials);
  return kernel.run(stream.slice(), trials);
}
