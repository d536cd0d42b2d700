import { jump } from '../../rng/jump.js';
import wasm from './trace-lanes.generated.js';
import { TRACE_LAYOUT } from './trace-layout.js';

/**
 * Trials over a replayed trace whose only draw is their start (a protocol with no choice of its
 * own, through replay.ts's start table), on eight SIMD lanes of one block's stream
 * (trace-lanes.wat): each lane starts at its own place in the block's stream, reached by jumping
 * the generator ahead (as lanes.ts does), draws its words, turns each into a start exactly as
 * uniformBelow does (a rejected word is skipped, as uniformBelow skips it) and counts the
 * start's code in the table. A trial is one accepted word, so the block's first trials are
 * exactly the accepted words of the lanes' runs, and whole-number counts added in any order make
 * the same tally to the bit. Starts that hold the escape code are handed back to be followed
 * (they draw nothing more either).
 */
const LANES = 8;

/** Below this many steps (of eight draws) the jumps and the calls cost more than they save. */
const MIN_STEPS = 256;

const { REJECTED_BYTE, COUNTS_BYTE, ESCAPES_BYTE, TABLE_BYTE, MAX_STEPS } = TRACE_LAYOUT;

const PAGE = 65536;
const TWO_32 = 4294967296;

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module; null where WebAssembly SIMD is unavailable (e.g. node --jitless). */
function traceLanesModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(wasm, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** A start table in a module's memory, and the lanes that draw through it. */
export interface StartLanes {
  /** The table's words: the caller packs the codes here. */
  readonly classes: Uint32Array;
  /**
   * Runs the first trials of a block of `trials` from the xoshiro128** state `rs` over `starts`
   * starts, adding each code's count to `drawn` and calling `escaped` with each start that
   * holds `escape`; leaves `rs` where those trials leave the stream and returns how many they
   * were (0, with `rs` untouched, for a block too short to pay).
   */
  draw(rs: Int32Array, trials: number, starts: number, logWidth: number, escape: number, drawn: Float64Array, escaped: (start: number) => void): number;
}

/** Lanes with room for a table of `words` words, or null where WebAssembly SIMD is unavailable. */
export function startLanes(words: number): StartLanes | null {
  const module = traceLanesModule();
  if (!module) return null;
  const exports = new WebAssembly.Instance(module).exports as { memory: WebAssembly.Memory; draw: DrawExport };
  try {
    exports.memory.grow(Math.ceil((words * 4) / PAGE)); // the module's PAGES hold everything but the table
  } catch {
    return null; // no memory to grow into: the table stays in JavaScript, and so do the trials
  }
  const buffer = exports.memory.buffer;
  return new Lanes(new Uint32Array(buffer, TABLE_BYTE, words), new Int32Array(buffer), exports.draw);
}

type DrawExport = (steps: number, n: number, reject: number, logPerWord: number, logWidth: number, codeMask: number, escape: number) => number;

/** Where lane j's state word w sits: group j / 4, word w, lane j mod 4 (lanes.ts's order). */
const slot = (lane: number, w: number): number => 16 * (lane >>> 2) + 4 * w + (lane & 3);

class Lanes implements StartLanes {
  private readonly state = new Int32Array(4);

  constructor(
    readonly classes: Uint32Array,
    private readonly words: Int32Array,
    private readonly run: DrawExport,
  ) {}

  draw(rs: Int32Array, trials: number, starts: number, logWidth: number, escape: number, drawn: Float64Array, escaped: (start: number) => void): number {
    const steps = Math.floor(trials / LANES);
    if (steps < MIN_STEPS) return 0;
    const { words, state } = this;
    state.set(rs);
    for (let lane = 0; lane < LANES; lane++) {
      for (let w = 0; w < 4; w++) words[slot(lane, w)] = state[w]!;
      if (lane < LANES - 1) jump(state, steps);
    }
    const counts = COUNTS_BYTE / 4;
    const codeCount = drawn.length;
    for (let lane = 0; lane < LANES; lane++) words.fill(0, counts + 256 * lane, counts + 256 * lane + codeCount);
    words[REJECTED_BYTE / 4] = 0;
    const reject = (TWO_32 - starts) % starts;
    const codeMask = (1 << (1 << logWidth)) - 1;
    const escapes = ESCAPES_BYTE / 4;
    for (let done = 0; done < steps; done += MAX_STEPS) {
      const count = this.run(Math.min(MAX_STEPS, steps - done), starts, reject, 5 - logWidth, logWidth, codeMask, escape);
      for (let e = 0; e < count; e++) escaped(words[escapes + e]!);
    }
    for (let lane = 0; lane < LANES; lane++) for (let c = 0; c < codeCount; c++) drawn[c]! += words[counts + 256 * lane + c]!;
    for (let w = 0; w < 4; w++) rs[w] = words[slot(LANES - 1, w)]!;
    return LANES * steps - words[REJECTED_BYTE / 4]!;
  }
}
