import wasm from './result-draw.generated.js';
import { RESULT_DRAW_LAYOUT } from './result-draw-layout.js';

/**
 * Trials drawn one word at a time into a result order's results on WebAssembly
 * (result-draw.wat): what result-order.ts's drawOneByOne does in JavaScript, word for word and
 * count for count, where the results are too many for the SIMD lanes (trace-lanes.ts `below`).
 * A trial is a word, its rejection, a guide table's entry and a compare or two: a few
 * nanoseconds, where JavaScript's loop took about twelve.
 */
const { STATE_BYTE, GUIDE_BYTE, BOUNDS_BYTE } = RESULT_DRAW_LAYOUT;
const PAGE = 65536;

export interface ResultDraw {
  /**
   * Adds to drawn[r] the trials of `trials`, drawn from the xoshiro128** state `state` (left
   * untouched), whose word falls in result r: below thresholds[r + 1], at or above thresholds[r],
   * the words at or above the last threshold rejected and drawn again; `guide` holds, per word's
   * top GUIDE_BITS bits, the result of the least word with them.
   */
  draw(state: readonly number[], trials: number, guide: Uint16Array, thresholds: Float64Array, drawn: Float64Array): void;
}

let drawer: ResultDraw | null | undefined;

/** The thread's result draw; null where WebAssembly is unavailable (e.g. node --jitless). */
export function resultDraw(): ResultDraw | null {
  if (drawer === undefined) {
    try {
      const { exports } = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(wasm, 'base64')));
      drawer = new Drawer(exports['memory'] as WebAssembly.Memory, exports['draw'] as (trials: number, count: number, counts: number) => void);
    } catch {
      drawer = null;
    }
  }
  return drawer;
}

class Drawer implements ResultDraw {
  /** The thresholds whose guide and bounds the memory holds. */
  private held: Float64Array | null = null;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly run: (trials: number, count: number, counts: number) => void,
  ) {}

  draw(state: readonly number[], trials: number, guide: Uint16Array, thresholds: Float64Array, drawn: Float64Array): void {
    const count = thresholds.length - 1;
    const countsByte = BOUNDS_BYTE + 8 * (count + 1);
    const end = countsByte + 4 * count;
    if (end > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((end - this.memory.buffer.byteLength) / PAGE));
      this.held = null;
    }
    const { buffer } = this.memory;
    if (this.held !== thresholds) {
      new Uint16Array(buffer, GUIDE_BYTE, guide.length).set(guide);
      new Float64Array(buffer, BOUNDS_BYTE, count + 1).set(thresholds);
      this.held = thresholds;
    }
    const counts = new Int32Array(buffer, countsByte, count);
    counts.fill(0);
    new Int32Array(buffer, STATE_BYTE, 4).set(state);
    this.run(trials, count, countsByte);
    for (let r = 0; r < count; r++) drawn[r]! += counts[r]!;
  }
}
