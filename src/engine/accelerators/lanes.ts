import { jump } from '../../rng/jump.js';
import { laneSlot } from './layout.js';
import wasm from './lanes.generated.js';

/**
 * Eight lanes of one block's stream, run at once by a small WebAssembly SIMD module
 * (lanes.wat, assembled at build time). Every lane starts at its own place in the block's
 * stream, reached by jumping the generator ahead (jump.ts), so between them the lanes draw
 * exactly the words the scalar kernel draws one after another: lane j draws the j-th of eight
 * consecutive runs of words. one-draw.ts and bit-walk.ts turn that into tallies.
 */
export const LANES = 8;

export interface LaneKernels {
  /** The module's memory as int32 words: lane states at words 0-31, then what the calls write. */
  readonly words: Int32Array;
  /** Each lane runs `steps` one-draw trials; returns the steps run (fewer at a tie). */
  readonly count: (high: number, steps: number) => number;
  /** Each lane writes 32 · `words` outcomes as bits from byte `base`; returns 1 on a tie. */
  readonly outcomes: (high: number, words: number, base: number) => number;
  /** The bit walk's loop, two walkers at once (bit-walk.ts); it calls `refills.current` for more outcome bits. */
  readonly walk: (trials0: number, trials1: number, start: number, m0: number, r0: number) => number;
  readonly refills: { current: (walker: number, h: number) => number };
}

let kernels: LaneKernels | null | undefined;

/** The instantiated module; null where WebAssembly SIMD is unavailable (e.g. node --jitless). */
export function laneKernels(): LaneKernels | null {
  if (kernels === undefined) {
    try {
      const refills = { current: (_walker: number, _h: number): number => -1 };
      const imports = { walk: { refill: (walker: number, h: number): number => refills.current(walker, h) } };
      const { exports } = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(wasm, 'base64')), imports);
      kernels = {
        words: new Int32Array((exports['memory'] as WebAssembly.Memory).buffer),
        count: exports['count'] as LaneKernels['count'],
        outcomes: exports['outcomes'] as LaneKernels['outcomes'],
        walk: exports['walk'] as LaneKernels['walk'],
        refills,
      };
    } catch {
      kernels = null;
    }
  }
  return kernels;
}

const state = new Int32Array(4);

/** Starts lane j at `start` advanced by j · `stride` draws (`start` itself is not changed). */
export function seedLanes(words: Int32Array, start: Int32Array, stride: number): void {
  state.set(start);
  for (let lane = 0; lane < LANES; lane++) {
    for (let w = 0; w < 4; w++) words[laneSlot(lane, w)] = state[w]!;
    if (lane < LANES - 1) jump(state, stride);
  }
}

/** The last lane's state, written to `out`: where the lanes' runs end together. */
export function lastLaneState(words: Int32Array, out: Int32Array): void {
  for (let w = 0; w < 4; w++) out[w] = words[laneSlot(LANES - 1, w)]!;
}
