import { kernelFor } from '../accelerators/kernel.js';
import type { CellModel } from '../model.js';
import type { Tally } from '../tally.js';
import { trialKernelFor } from './trial-kernel.js';

/**
 * Runs `trials` trials from one block's stream (xoshiro128** state words) and returns their
 * tally: through the fastest engine the cell allows — its compiled kernel (which hands long blocks to
 * the SIMD lanes or the bit walk where it can), else trial by trial through the definition
 * in its compiled trial kernel (trial-kernel.ts). `specialize`
 * compiles the kernel for this cell alone (see kernelFor): for cells of many trials.
 */
export function runBlock(model: CellModel, stream: Int32Array, trials: number, specialize = false): Tally {
  const kernel = kernelFor(model, specialize);
  if (!kernel) return trialKernelFor(model)(stream, trials);
  return kernel.run(stream.slice(), trials);
}
