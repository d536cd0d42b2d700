import type { Replay } from '../../contract/channel.js';
import { wordsPerIndex } from '../../rng/uniform.js';
import { Xoshiro128 } from '../../rng/xoshiro128.js';
import { resultDraw } from '../accelerators/result-draw.js';
import type { ResultDraw } from '../accelerators/result-draw.js';
import { RESULT_DRAW_LAYOUT } from '../accelerators/result-draw-layout.js';
import { traceLanes } from '../accelerators/trace-lanes.js';
import type { TraceLanes } from '../accelerators/trace-lanes.js';
import type { CellModel } from '../model.js';
import { PathTrie, automatonFor } from './protocol-automaton.js';
import type { PathResults, ProtocolAutomaton } from './protocol-automaton.js';
import { sample } from '../../rng/sampler.js';
import type { SamplingTable } from '../../rng/sampler.js';

/**
 * Over a replayed trace, a trial of a protocol that draws nothing of its own (retransmission,
 * the handshake, a protocol file without choices) is a function of its start alone: its result
 * (outcome, messages, deliveries, last round) is the one its path through the protocol ends in.
 * So is a trial of a protocol whose choices each end the trial (the randomized protocol's key,
 * drawn at the decision), up to that choice: its result is where its path stops, and the
 * choice, drawn next, names the outcome (keys).
 * Such a trial draws its start as the messenger's does (start-order.ts): the index j, drawn
 * uniformly in [0, starts) in the order of the word it is made of (uniformBelowInOrder), names
 * the j-th start in the order of the results (numbered as the starts 0, 1, … first meet them),
 * then of position. The start is as uniform as any, but a trial's result is the one whose
 * share of the starts j falls in, found from the word by a guide table and a compare or two:
 * no read of the trace or of a per-start table, which on a long trace misses the cache. Finding
 * the results' shares follows every start once when the cell's first block runs (about what as
 * many trials cost); the order depends on the trace and the cell alone (not on the trials, the
 * workers or the shard), so every engine and `trace` map j alike.
 */
export interface ResultOrder {
  readonly replay: Replay;
  /** Per result: its outcome, messages, last round and deliveries. */
  readonly results: PathResults;
  /** Starts whose result comes before r, for r = 0 … results (the last: every start). */
  readonly before: Float64Array;
  /** before[r] · ⌊2^32 / starts⌋: an accepted word x gives a j below before[r] iff x is below it (the last: the rejection's bound). */
  readonly thresholds: Float64Array;
  /** Per word's top GUIDE_BITS bits: the result of the least word with those bits. */
  readonly guide: Uint16Array;
  /** The thresholds between results (before[1 … results − 1] · q), as the SIMD lanes count words below them. */
  readonly words: Uint32Array;
  /** The protocol's automaton: startAt follows the starts again (a new trie numbers the results alike). */
  readonly automaton: ProtocolAutomaton;
  /**
   * Per result, where its path stops at a choice of the protocol's own whose every branch ends
   * (the randomized protocol's key): the choice's table and each branch's outcome; null per
   * result that ends, and null in all where none stops at a choice (a draw-free protocol).
   */
  readonly keys: readonly (FinalChoice | null)[] | null;
  /** The most branches a result's choice has (1 where none chooses): `chosen` holds this many a result. */
  readonly branches: number;
  /** Marks for startAt, made when first asked for. */
  marks: Marks | null;
}

/** A choice that ends the trial whichever branch it takes: drawn after the start, a trial's last draw. */
export interface FinalChoice {
  readonly table: SamplingTable;
  /** Per branch: the outcome the trial ends in. */
  readonly ends: Int32Array;
}

/** Every 2^MARK_LOG-th start of each result (its 0th, 256th, …), result after result, and each start's result. */
interface Marks {
  readonly at: Int32Array;
  /** Result r's marks are at[first[r]] onwards. */
  readonly first: Int32Array;
  /** A byte a start where the results fit one, else two. */
  readonly resultOf: Uint8Array | Uint16Array;
}

const MARK_LOG = 8;
/** Bits of a word the guide table is keyed by: 8 KiB, which the cache keeps. */
const { GUIDE_BITS } = RESULT_DRAW_LAYOUT;

const orders = new WeakMap<CellModel, ResultOrder | null>();

/**
 * The cell's result order, or null where its trials draw the start j itself: a protocol with a
 * choice of its own that a trial goes on from, crashes, too many states for an automaton, or
 * paths past the trie's limits.
 */
export function resultOrderFor(model: CellModel): ResultOrder | null {
  let order = orders.get(model);
  if (order === undefined) {
    order = buildOrder(model);
    orders.set(model, order);
  }
  return order;
}

function buildOrder(model: CellModel): ResultOrder | null {
  const replay = model.replay;
  if (!replay || model.crash !== null) return null;
  const automaton = automatonFor(model);
  if (!automaton?.finalChoices) return null;
  const trie = new PathTrie(automaton, replay);
  const startsOf = trie.countStarts();
  if (!startsOf) return null;
  const count = trie.results.outcome.length;
  const keys = automaton.drawFree ? null : trie.results.outcome.map((outcome) => (outcome < 0 ? finalChoice(automaton, -1 - outcome) : null));
  const before = new Float64Array(count + 1);
  for (let r = 0; r < count; r++) before[r + 1] = before[r]! + startsOf[r]!;
  const q = wordsPerIndex(replay.starts);
  const thresholds = Float64Array.from(before, (c) => c * q);
  const guide = new Uint16Array(2 ** GUIDE_BITS);
  for (let h = 0, r = 0; h < guide.length; h++) {
    while (r < count - 1 && h * 2 ** (32 - GUIDE_BITS) >= thresholds[r + 1]!) r++;
    guide[h] = r;
  }
  const words = Uint32Array.from(thresholds.subarray(1, count));
  const branches = keys ? keys.reduce((most, key) => Math.max(most, key?.ends.length ?? 0), 1) : 1;
  return { replay, results: trie.results, before, thresholds, guide, words, automaton, keys, branches, marks: null };
}

/** The choice at automaton node `node`, every branch of which ends. */
function finalChoice(automaton: ProtocolAutomaton, node: number): FinalChoice {
  const { choices, choiceNext, next } = automaton;
  return { table: choices[node]!, ends: Int32Array.from(choiceNext[node]!, (branch) => next[2 * branch]!) };
}

/**
 * Trials by result for `trials` trials drawn from `rng` as uniformBelowInOrder draws: the first
 * on the SIMD lanes (trace-lanes.ts's `below`, which counts the words below each threshold, in
 * the order of the stream) where the thresholds fit, the rest one by one (on WebAssembly where
 * it runs: result-draw.ts; `lanes` and `draw` null, in JavaScript).
 */
export function drawResults(
  order: ResultOrder,
  rng: Xoshiro128,
  trials: number,
  lanes: TraceLanes | null = traceLanes(),
  draw: ResultDraw | null = resultDraw(),
): Float64Array {
  const { thresholds, words } = order;
  const drawn = new Float64Array(thresholds.length - 1);
  let done = 0;
  if (lanes) {
    const state = Int32Array.from(rng.getState());
    const below = new Float64Array(words.length);
    done = lanes.below(state, trials, order.replay.starts, words, below);
    if (done > 0) {
      for (let r = 0; r < drawn.length; r++) drawn[r] = (r < words.length ? below[r]! : done) - (r > 0 ? below[r - 1]! : 0);
      rng = new Xoshiro128(state[0]!, state[1]!, state[2]!, state[3]!);
    }
  }
  drawOneByOne(order, rng, trials - done, drawn, draw);
  return drawn;
}

/** Adds `trials` trials drawn from `rng` to `drawn`, one word at a time (on WebAssembly where it runs: result-draw.ts). */
function drawOneByOne(order: ResultOrder, rng: Xoshiro128, trials: number, drawn: Float64Array, draw: ResultDraw | null): void {
  const { thresholds, guide } = order;
  if (draw) {
    draw.draw(rng.getState(), trials, guide, thresholds, drawn);
    return;
  }
  const limit = thresholds[thresholds.length - 1]!;
  let [s0, s1, s2, s3] = rng.getState();
  for (let t = 0; t < trials; t++) {
    let x: number;
    do {
      // Xoshiro128.nextUint32, on local variables (the method call costs twice as much).
      const m = Math.imul(s1, 5);
      x = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      const shifted = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= shifted;
      s3 = (s3 << 11) | (s3 >>> 21);
    } while (x >= limit);
    let r = guide[x >>> (32 - GUIDE_BITS)]!;
    while (x >= thresholds[r + 1]!) r++;
    drawn[r]!++;
  }
}

/**
 * Trials of an order whose results may stop at a final choice (keys): each trial's index j
 * drawn as uniformBelowInOrder draws it, its result found from the word as drawOneByOne finds
 * it, then the choice drawn as `sample` draws it where the result stops at one — runTrial's
 * words in its order. Adds to `drawn` the trials by result that end, and to `chosen` (result ·
 * order.branches + branch) those that chose.
 */
export function drawKeyedResults(order: ResultOrder, rng: Xoshiro128, trials: number, drawn: Float64Array, chosen: Float64Array): void {
  const { thresholds, guide, branches } = order;
  const keys = order.keys!;
  const limit = thresholds[thresholds.length - 1]!;
  for (let t = 0; t < trials; t++) {
    let x: number;
    do x = rng.nextUint32();
    while (x >= limit);
    let r = guide[x >>> (32 - GUIDE_BITS)]!;
    while (x >= thresholds[r + 1]!) r++;
    const key = keys[r];
    if (!key) {
      drawn[r]!++;
      continue;
    }
    chosen[r * branches + sample(rng, key.table)]!++;
  }
}

/** The result whose share of the order holds index j. */
export function resultOf(order: ResultOrder, j: number): number {
  return shareOf(order.before, j);
}

/** The share holding index j, for shares whose cumulative counts are `before` (0 first, every index last). */
export function shareOf(before: Float64Array, j: number): number {
  let low = 0;
  let high = before.length - 2;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (before[mid]! <= j) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The j-th start of the order: the (j − before[r])-th start of result r in position order. */
export function startAt(order: ResultOrder, j: number): number {
  const marks = (order.marks ??= markStarts(order));
  const r = resultOf(order, j);
  const rank = j - order.before[r]!;
  let seen = rank - (rank % 2 ** MARK_LOG);
  const starts = order.replay.starts;
  for (let s = marks.at[marks.first[r]! + Math.floor(rank / 2 ** MARK_LOG)]!; s < starts; s++) {
    if (marks.resultOf[s] !== r) continue;
    if (seen === rank) return s;
    seen++;
  }
  throw new Error(`internal error: the result order holds no start ${j}`);
}

function markStarts(order: ResultOrder): Marks {
  const { before, automaton, replay } = order;
  const trie = new PathTrie(automaton, replay);
  const count = before.length - 1;
  const starts = order.replay.starts;
  const first = new Int32Array(count + 1);
  for (let r = 0; r < count; r++) first[r + 1] = first[r]! + Math.ceil((before[r + 1]! - before[r]!) / 2 ** MARK_LOG);
  const at = new Int32Array(first[count]!);
  // The starts counted again in the same order: the same numbers.
  const results = new Uint16Array(starts);
  if (!trie.countStarts(results)) throw new Error('internal error: the result order and the walk over the trace disagree');
  const resultOf = count <= 256 ? Uint8Array.from(results) : results;
  const seen = new Float64Array(count);
  const mask = 2 ** MARK_LOG - 1;
  for (let s = 0; s < starts; s++) {
    const r = resultOf[s]!;
    if ((seen[r]! & mask) === 0) at[first[r]! + seen[r]! / 2 ** MARK_LOG] = s;
    seen[r]!++;
  }
  // The walk and the count must agree start for start: a start past its result's share would be searched for forever.
  for (let r = 0; r < count; r++)
    if (seen[r] !== before[r + 1]! - before[r]!) throw new Error('internal error: the result order and the walk over the trace disagree');
  return { at, first, resultOf };
}
