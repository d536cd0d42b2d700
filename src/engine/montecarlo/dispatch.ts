import { Xoshiro128 } from '../../rng/xoshiro128.js';
import { kernelFor } from '../accelerators/kernel.js';
import type { CellModel } from '../model.js';
import type { Tally } from '../tally.js';
import { runBlockGeneric } from './generic.js';
import { runBlockReplay } from './replay.js';
import { commitKernelFor } from './commit-kernel.js';
import { trialKernelFor } from './trial-kernel.js';
import { verifyRunsResolved } from './runs-resolved.js';
import { verifyStateBounds } from '../state-bounds.js';
import { compilesGenerated } from '../generated-code.js';

/**
 * Blocks of fewer trials run through the definition as they are: compiling a kernel (and V8
 * optimizing it) costs more than such a block takes, and a short run's start-up is mostly that.
 */
export const COMPILE_TRIALS = 4096;

/**
 * Runs `trials` trials from one block's stream (xoshiro128** state words) and returns their
 * tally: through the fastest engine the cell allows — a replayed trace through the protocol's
 * automaton (replay.ts), else its compiled kernel (which hands long blocks to the SIMD lanes or
 * the bit walk where it can), else the trial kernel (trial-kernel.ts), or for a short block (or
 * where Node compiles no generated code: compilesGenerated) the generic engine. Every engine
 * draws alike, so the choice changes no count. `specialize` compiles the kernel for this cell
 * alone (see kernelFor): for cells of many trials.
 */
export function runBlock(model: CellModel, stream: Int32Array, trials: number, specialize = false): Tally {
  verifyStateBounds(model);
  // Cells with crashes run through the definition: the compiled kernels and the replay know no crash draws.
  if (model.crash !== null || (trials < COMPILE_TRIALS && !model.replay))
    return runBlockGeneric(model, new Xoshiro128(stream[0]!, stream[1]!, stream[2]!, stream[3]!), trials);
  return runBlockCompiled(model, stream, trials, specialize);
}

/** runBlock on a compiled engine whatever the block's size (tests hold it to the generic engine). */
export function runBlockCompiled(model: CellModel, stream: Int32Array, trials: number, specialize = false): Tally {
  verifyStateBounds(model);
  if (model.crash !== null) return runBlockGeneric(model, new Xoshiro128(stream[0]!, stream[1]!, stream[2]!, stream[3]!), trials);
  // These engines take a protocol file's announced runs in one call: its resolveRun held to its resolve here first.
  verifyRunsResolved(model);
  if (model.replay) {
    const rng = new Xoshiro128(stream[0]!, stream[1]!, stream[2]!, stream[3]!);
    return runBlockReplay(model, model.replay, rng, trials, () => runBlockGeneric(model, rng, trials));
  }
  const kernel = compilesGenerated() ? kernelFor(model, specialize) : null;
  if (kernel) return kernel.run(stream.slice(), trials);
  const own = commitKernelFor(model);
  if (own) return own(stream, trials);
  if (compilesGenerated()) return trialKernelFor(model)(stream, trials);
  return runBlockGeneric(model, new Xoshiro128(stream[0]!, stream[1]!, stream[2]!, stream[3]!), trials);
}

/**
 * Two blocks of one cell at once, as the sum of their tallies (runBlock's for each, added), where
 * the cell's kernel runs pairs faster (the bit walk: kernel.ts); null where it does not, or a
 * block is short, and the blocks are to be run one by one.
 */
export function runBlockPair(model: CellModel, streamA: Int32Array, trialsA: number, streamB: Int32Array, trialsB: number, specialize = false): Tally | null {
  if (model.crash !== null || model.replay || trialsA < COMPILE_TRIALS || trialsB < COMPILE_TRIALS || !compilesGenerated()) return null;
  verifyStateBounds(model);
  verifyRunsResolved(model);
  const runPair = kernelFor(model, specialize)?.runPair;
  return runPair ? runPair(streamA.slice(), trialsA, streamB.slice(), trialsB) : null;
}
