import { jump } from '../../rng/jump.js';
import { acceptedWords } from '../../rng/uniform.js';
import { laneSlot } from './layout.js';
import wasm from './trace-lanes.generated.js';
import { TRACE_LAYOUT } from './trace-layout.js';

/**
 * Trials over a replayed trace on WebAssembly SIMD (trace-lanes.wat). `below`: trials whose
 * only draw is their start's index in the order of the words (uniformBelowInOrder: the
 * messenger's start order, start-order.ts, and the result order of a protocol that draws
 * nothing of its own, result-order.ts), on eight lanes of one block's stream: each lane starts
 * at its own place in the block's stream, reached by jumping the generator ahead (as lanes.ts
 * does), and counts the words under each word threshold and the rejected ones, compares alone.
 * A trial is one accepted word, so the block's first trials are exactly the accepted words of
 * the lanes' runs, and whole-number counts added in any order make the same tally to the bit.
 * Up to two thresholds (with the rejection's) are counted as the words are drawn; more (the
 * messenger's groups at several copies, most result orders) by `belowMany`, which draws a batch
 * of words into memory and counts them four thresholds a pass.
 * `keyed`: runs of trials that are each a start and one key word (the randomized protocol,
 * through replay.ts's start table, held in the module's memory).
 */
const LANES = 8;

/** Below this many steps (of eight draws) the jumps and the calls cost more than they save. */
const MIN_STEPS = 256;

const { TABLE_BYTE, MAX_STEPS, KEYED_STATE_BYTE, KEY_LAST_BYTE, KEY_HIGH_BYTE, CHOSEN_BYTE, KEY_OUTCOMES, THRESHOLDS_BYTE, ABOVE_BYTE, MAX_THRESHOLDS } =
  TRACE_LAYOUT;

const PAGE = 65536;
const TWO_32 = 4294967296;

/** The trace lanes: one per thread, holding the start table it last drew through. */
export interface TraceLanes {
  /**
   * The first trials of a block of `trials` trials that are each one word accepted by
   * uniformBelowInOrder, its index below `starts` (the messenger's start order, start-order.ts,
   * or a result order, result-order.ts) from the xoshiro128** state `rs`:
   * adds to below[t] how many of them drew a word below thresholds[t] (each a count's word
   * threshold, C · ⌊2^32 / starts⌋: the draws whose index is below C); leaves `rs` where those
   * trials leave the stream and returns how many they were (0, with `rs` untouched, for a block
   * too short to pay or more than MAX_THRESHOLDS thresholds with the rejection's).
   */
  below(rs: Int32Array, trials: number, starts: number, thresholds: Uint32Array, below: Float64Array): number;

  /**
   * Keyed trials (replay.ts's KeyedRuns: each a start and one key word) from the xoshiro128**
   * state `rs` over the table `classes`, up to `trials` of them: `keyLast` and `keyHigh` hold
   * each code's key (KEY_OUTCOMES thresholds a code), and each trial counted adds 1 to
   * `chosen[code · branchCount + branch]`. Stops before the first trial that is not a start and
   * one key word; leaves `rs` where it stops and returns the trials counted, or −1 (with `rs`
   * untouched) for a table there is no memory for.
   */
  keyed(
    classes: Uint32Array,
    rs: Int32Array,
    trials: number,
    starts: number,
    logWidth: number,
    keyLast: Int32Array,
    keyHigh: Int32Array,
    chosen: Float64Array,
    branchCount: number,
  ): number;
}

let lanes: TraceLanes | null | undefined;

/**
 * The thread's start draws; null where WebAssembly SIMD is unavailable (e.g. node --jitless).
 * One instance a thread, whatever the cells: each WebAssembly memory reserves its own stretch of
 * address space, and V8 refuses new ones after a few hundred.
 */
export function traceLanes(): TraceLanes | null {
  if (lanes === undefined) {
    try {
      const { exports } = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(wasm, 'base64')));
      lanes = new Lanes(
        exports['memory'] as WebAssembly.Memory,
        exports['below'] as BelowExport,
        exports['belowMany'] as BelowExport,
        exports['keyed'] as KeyedExport,
      );
    } catch {
      lanes = null;
    }
  }
  return lanes;
}

type BelowExport = (steps: number, count: number) => void;
type KeyedExport = (trials: number, n: number, reject: number, logPerWord: number, logWidth: number, codeMask: number) => number;

class Lanes implements TraceLanes {
  private readonly state = new Int32Array(4);
  private words: Int32Array;
  /** The table in memory: copied in when a block draws through another (the memory grows to the largest). */
  private loaded: Uint32Array | null = null;

  /** The keys in memory: copied in when a call counts through others. */
  private keysLoaded: Int32Array | null = null;

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly runBelow: BelowExport,
    private readonly runBelowMany: BelowExport,
    private readonly runKeyed: KeyedExport,
  ) {
    this.words = new Int32Array(memory.buffer);
  }

  /** Copies `classes` into the module's memory, growing it if need be; false if it cannot grow. */
  private load(classes: Uint32Array): boolean {
    if (this.loaded === classes) return true;
    const needed = TABLE_BYTE + classes.byteLength;
    if (needed > this.memory.buffer.byteLength) {
      try {
        this.memory.grow(Math.ceil((needed - this.memory.buffer.byteLength) / PAGE));
      } catch {
        return false; // no memory to grow into: these trials stay in the scalar loop
      }
      this.words = new Int32Array(this.memory.buffer);
    }
    new Uint32Array(this.memory.buffer, TABLE_BYTE, classes.length).set(classes);
    this.loaded = classes;
    return true;
  }

  /** Sets the lanes' states: lane j at the block's stream jumped ahead j · steps draws; `state` is left at the last lane's start. */
  private startLanes(rs: Int32Array, steps: number): void {
    const { words, state } = this;
    state.set(rs);
    for (let lane = 0; lane < LANES; lane++) {
      for (let w = 0; w < 4; w++) words[laneSlot(lane, w)] = state[w]!;
      if (lane < LANES - 1) jump(state, steps);
    }
  }

  /** The last lane's state, where the lanes' trials leave the block's stream. */
  private endLanes(rs: Int32Array): void {
    for (let w = 0; w < 4; w++) rs[w] = this.words[laneSlot(LANES - 1, w)]!;
  }

  below(rs: Int32Array, trials: number, starts: number, thresholds: Uint32Array, below: Float64Array): number {
    const steps = Math.floor(trials / LANES);
    // The words at or above the last threshold, n · q, are rejected: none where n divides 2^32.
    const limit = acceptedWords(starts);
    const rejecting = limit < TWO_32 ? 1 : 0;
    const given = thresholds.length + rejecting;
    if (steps < MIN_STEPS || given > MAX_THRESHOLDS) return 0;
    this.startLanes(rs, steps);
    const { words } = this;
    // `below` holds two in registers, `belowMany` an even count: 0 where there is none (its count is not read).
    const many = given > 2;
    const count = many ? 2 * Math.ceil(given / 2) : 2;
    for (let t = 0; t < count; t++) {
      const threshold = t < thresholds.length ? thresholds[t]! : t === thresholds.length && rejecting === 1 ? limit : 0;
      words.fill(threshold | 0, THRESHOLDS_BYTE / 4 + 4 * t, THRESHOLDS_BYTE / 4 + 4 * t + 4);
      words.fill(0, ABOVE_BYTE / 4 + 4 * t, ABOVE_BYTE / 4 + 4 * t + 4);
    }
    const run = many ? this.runBelowMany : this.runBelow;
    for (let done = 0; done < steps; done += MAX_STEPS) run(Math.min(MAX_STEPS, steps - done), count);
    const above = (t: number): number => {
      const at = ABOVE_BYTE / 4 + 4 * t;
      return words[at]! + words[at + 1]! + words[at + 2]! + words[at + 3]!;
    };
    // A rejected word is above every threshold: below[t] counts the accepted words below it.
    const drawnWords = LANES * steps;
    for (let t = 0; t < thresholds.length; t++) below[t]! += drawnWords - above(t);
    this.endLanes(rs);
    return drawnWords - (rejecting === 1 ? above(thresholds.length) : 0);
  }

  keyed(
    classes: Uint32Array,
    rs: Int32Array,
    trials: number,
    starts: number,
    logWidth: number,
    keyLast: Int32Array,
    keyHigh: Int32Array,
    chosen: Float64Array,
    branchCount: number,
  ): number {
    if (!this.load(classes)) return -1;
    const { words } = this;
    if (this.keysLoaded !== keyLast) {
      words.set(keyLast, KEY_LAST_BYTE / 4);
      words.set(keyHigh, KEY_HIGH_BYTE / 4);
      this.keysLoaded = keyLast;
    }
    const counts = CHOSEN_BYTE / 4;
    words.fill(0, counts, counts + keyLast.length * KEY_OUTCOMES);
    words.set(rs, KEYED_STATE_BYTE / 4);
    const logPerWord = 5 - logWidth;
    const done = this.runKeyed(trials, starts, (TWO_32 - starts) % starts, logPerWord, logWidth, (1 << (1 << logWidth)) - 1);
    for (let code = 0; code < keyLast.length; code++) {
      for (let branch = 0; branch <= keyLast[code]!; branch++) chosen[code * branchCount + branch]! += words[counts + code * KEY_OUTCOMES + branch]!;
    }
    rs.set(words.subarray(KEYED_STATE_BYTE / 4, KEYED_STATE_BYTE / 4 + 4));
    return done;
  }
}
