import { jump } from '../../rng/jump.js';
import type { Automaton, AutomatonNode } from './automaton.js';
import { LANES, laneKernels, lastLaneState, seedLanes } from './lanes.js';
import { ENTRY, LAYOUT, REFILL_HALVES, walkerWord } from './layout.js';

/**
 * The bit walk: a kernel for cells whose every draw compares against one and the same
 * threshold (messenger, handshake and retransmit on a Bernoulli channel with one loss rate).
 *
 * There a draw's outcome does not depend on where in a trial it is drawn, so the SIMD lanes
 * (lanes.ts) can decide the outcomes of the block's draws ahead of time, 32 to a word, and the
 * trials are then walked through the automaton eight draws at a time: a table gives, for each
 * node and each pattern of the next eight outcome bits, how many of them the trial consumes,
 * where it stands after them, what it sent and delivered, and whether it ended. One lookup per
 * trial, mostly, in a loop of WebAssembly (lanes.wat) whose one branch on the draws, whether
 * the trial ended, goes the same way most of the time, where the scalar kernel mispredicts
 * about once a trial. Every trial consumes exactly the draws it consumes in the scalar kernel,
 * so the tallies are the same to the bit. A draw that ties the threshold is decided by its low
 * word, which shifts every later draw: then the walk gives the block up and it runs on the
 * scalar kernel (some once in 2^31 draws).
 */

/** Words (of 32 draws) each lane decides per refill: 4,096 draws a lane, 32,768 in all (REFILL_HALVES halves). */
const LANE_WORDS = REFILL_HALVES / (2 * LANES);

// The walk's memory and its entries' fields: one table shared with lanes.wat (layout.ts).
const { ENDS_SIZE, ENDS_COPIES, TABLE } = LAYOUT;
const {
  ENDED,
  MESSAGES_SHIFT,
  MESSAGES_MASK,
  NEXT_SHIFT,
  NEXT_MASK,
  ROUND_SHIFT,
  MAX_ROUND,
  USED_MASK,
  WORDS: ENTRY_WORDS,
  DELIVERED_WORD,
  AFTER_WORD,
  AFTER_DELIVERED_WORD,
  DELIVERED_SHIFT,
  MAX_TRIALS,
  WINDOW,
} = ENTRY;

/** Below this many trials a block stays on the scalar kernel: deciding 32,768 draws would not pay. */
export const MIN_WALK_TRIALS = 4096;

/** A cell's bit walk, bound to its tables and the kernel's accumulators. */
export interface BitWalk {
  /**
   * Runs `trials` trials from the xoshiro128** state `rs`, adding to the kernel's accumulators:
   * E[outcome · width + messages] trials, DV[c] deliveries, sums[0] rounds; `rs` ends where the
   * trials leave the stream. Returns false, having left `rs` and the accumulators untouched, if
   * a draw tied the threshold.
   */
  run(rs: Int32Array, trials: number): boolean;
  /**
   * Runs two blocks at once, `trialsA` trials from `rsA` and `trialsB` from `rsB`, two walkers
   * taking turns so that the processor overlaps them (about 1.6 times the rate of one); adds
   * both to the accumulators. Returns which blocks met a tie (bit 0: A, bit 1: B): their streams
   * and counts are left untouched, for the scalar kernel to run; the others' streams are not
   * moved on either (unlike run's).
   */
  runPair(rsA: Int32Array, trialsA: number, rsB: Int32Array, trialsB: number): number;
}

/** The tables of a cell's walk. */
interface WalkTables {
  /** The one threshold's high part. */
  readonly high: number;
  /**
   * For node index i and outcome bits w, at 2 · ((i << WINDOW) | w): the entry (see ENDED), then the
   * messages it delivers, class 0 plus class 1 times 2^16 (two classes at most).
   */
  readonly table: Int32Array;
  /** Where every trial starts, after the steps from the root that draw nothing: node index and cost so far. */
  readonly start: number;
  readonly startMessages: number;
  readonly startRound: number;
  readonly startDelivered: readonly [number, number];
  readonly classCount: number;
}

/** What a run of draws-free steps or of a lookup adds up. */
interface Walked {
  node: number;
  messages: number;
  /** Round of the last message sent, or −1. */
  round: number;
  delivered: [number, number];
}

/**
 * The cell's bit walk, or null where it does not apply: a node with more than two outcomes,
 * thresholds that differ, more than two delivery classes or 256 draw nodes, more outcomes and
 * costs than ENDS has room for, or no draw at all.
 */
export function bitWalkFor(
  automaton: Automaton,
  classCount: number,
  highOf: (node: number) => number,
  accumulators: { E: Float64Array; DV: Float64Array; sums: Float64Array },
): BitWalk | null {
  const { nodes, root } = automaton;
  const width = automaton.maxMessages + 1;
  if (classCount > 2 || accumulators.E.length > ENDS_SIZE || !laneKernels()) return null;
  const draws: number[] = [];
  for (const [id, node] of nodes.entries()) {
    if (node.kind === 'end' || node.probabilities.length === 1) continue;
    if (node.probabilities.length > 2) return null;
    draws.push(id);
  }
  if (draws.length === 0 || draws.length > 256) return null;
  const high = highOf(draws[0]!);
  if (draws.some((id) => highOf(id) !== high)) return null;
  const index = new Map(draws.map((id, i) => [id, i]));

  /** Follows the steps that draw nothing (one outcome) from `walked.node`, adding their cost. */
  const follow = (walked: Walked): void => {
    for (let node = nodes[walked.node]!; node.kind !== 'end' && node.probabilities.length === 1; node = nodes[walked.node]!) {
      take(walked, node, 0);
    }
  };
  /** Takes outcome k of the node `walked` stands on. */
  const take = (walked: Walked, node: Exclude<AutomatonNode, { kind: 'end' }>, k: number): void => {
    if (node.kind === 'send') {
      walked.messages++;
      walked.round = node.round;
      const c = node.deliveryClass[k]!;
      if (c >= 0) walked.delivered[c as 0 | 1]++;
    }
    walked.node = node.next[k]!;
  };

  const begin: Walked = { node: root, messages: 0, round: -1, delivered: [0, 0] };
  follow(begin);
  if (nodes[begin.node]!.kind === 'end') return null;

  // One outcome from each draw node: that step's entry (one draw used) and deliveries.
  let table = new Int32Array(2 * draws.length);
  let delivered = new Int32Array(table.length);
  for (const [i, id] of draws.entries()) {
    for (let k = 0; k < 2; k++) {
      const walked: Walked = { node: id, messages: 0, round: -1, delivered: [0, 0] };
      take(walked, nodes[id] as Exclude<AutomatonNode, { kind: 'end' }>, k);
      follow(walked);
      const end = nodes[walked.node]!;
      const next = end.kind === 'end' ? end.outcome * width : index.get(walked.node)!;
      if (walked.messages > MESSAGES_MASK || walked.round > MAX_ROUND) return null; // beyond the entry's fields
      table[2 * i + k] =
        1 | (walked.messages << MESSAGES_SHIFT) | (end.kind === 'end' ? ENDED : 0) | (next << NEXT_SHIFT) | ((walked.round + 1) << ROUND_SHIFT);
      delivered[2 * i + k] = walked.delivered[0] + walked.delivered[1] * 2 ** DELIVERED_SHIFT;
    }
  }
  const steps = table;
  const stepDelivered = delivered;
  // Every window length's table, for what a window's bits after a trial's end do (below).
  const byLength: { table: Int32Array; delivered: Int32Array }[] = [
    { table: new Int32Array(0), delivered: new Int32Array(0) },
    { table, delivered },
  ];
  // Windows of 2, 3, …, 8 outcomes: the first outcome's step, then (unless it ended the trial)
  // the rest of the window from where that step leads, from the table one outcome shorter.
  for (let length = 2; length <= WINDOW; length++) {
    const longer = new Int32Array(draws.length << length);
    const longerDelivered = new Int32Array(longer.length);
    for (let i = 0; i < draws.length; i++) {
      for (let w = 0; w < 1 << length; w++) {
        const first = steps[2 * i + (w & 1)]!;
        const at = (i << length) | w;
        longerDelivered[at] = stepDelivered[2 * i + (w & 1)]!;
        if (first & ENDED) {
          longer[at] = first;
          continue;
        }
        const restAt = (((first >>> NEXT_SHIFT) & NEXT_MASK) << (length - 1)) | (w >>> 1);
        const rest = table[restAt]!;
        const messages = ((first >>> MESSAGES_SHIFT) & MESSAGES_MASK) + ((rest >>> MESSAGES_SHIFT) & MESSAGES_MASK);
        if (messages > MESSAGES_MASK) return null;
        const round = rest >>> ROUND_SHIFT || first >>> ROUND_SHIFT; // plus one; 0: none sent
        longer[at] = (1 + (rest & USED_MASK)) | (messages << MESSAGES_SHIFT) | (rest & ENDED) | (rest & (NEXT_MASK << NEXT_SHIFT)) | (round << ROUND_SHIFT);
        longerDelivered[at]! += delivered[restAt]!;
      }
    }
    table = longer;
    delivered = longerDelivered;
    byLength.push({ table, delivered });
  }
  // Where a window's first trial ends before its last bit, the bits after it start the next
  // trial: the entry's second half is their lookup from the start (bit-walk tables one to seven
  // outcomes long), so that one lookup can end two trials. With nothing left, the next trial
  // stands at the start, nothing consumed.
  const start = index.get(begin.node)!;
  const packed = new Int32Array(ENTRY_WORDS * table.length);
  for (let i = 0; i < table.length; i++) {
    const entry = table[i]!;
    packed[ENTRY_WORDS * i] = entry;
    packed[ENTRY_WORDS * i + DELIVERED_WORD] = delivered[i]!;
    if (!(entry & ENDED)) continue;
    const rest = WINDOW - (entry & USED_MASK);
    const after = byLength[rest]!;
    const at = (start << rest) | ((i & ((1 << WINDOW) - 1)) >>> (entry & USED_MASK));
    packed[ENTRY_WORDS * i + AFTER_WORD] = rest > 0 ? after.table[at]! : start << NEXT_SHIFT;
    packed[ENTRY_WORDS * i + AFTER_DELIVERED_WORD] = rest > 0 ? after.delivered[at]! : 0;
  }
  const tables: WalkTables = {
    high,
    table: packed,
    start,
    startMessages: begin.messages,
    startRound: Math.max(0, begin.round),
    startDelivered: begin.delivered,
    classCount,
  };
  return bindWalk(tables, accumulators);
}

/** The tables now in the lanes' memory: a worker runs one cell's blocks after another. */
let loaded: WalkTables | null = null;

/** A walker's own: its outcome bits and its block's stream (see refill). */
interface Walker {
  readonly bits: number;
  readonly generator: Int32Array;
  /** Halves of outcome bits filled, counted from half 0 of memory. */
  valid: number;
  /** Halves the walk took in before the ones now in memory. */
  taken: number;
}

/**
 * The walk itself runs in WebAssembly (lanes.wat), where reading the bits and the table costs a
 * load each, with no checks around it. `refill(w, h)`, called from there, keeps walker w's
 * outcome halves from h on, decides the next draws of its block after them and returns where h
 * stands now (−1 on a tie).
 */
function bindWalk(tables: WalkTables, { E, DV, sums }: { E: Float64Array; DV: Float64Array; sums: Float64Array }): BitWalk {
  const { words, outcomes, walk, refills } = laneKernels()!;
  const half = new Uint16Array(words.buffer);
  const walkers: Walker[] = [0, 1].map((w) => ({ bits: walkerWord('BITS', w), generator: new Int32Array(4), valid: 0, taken: 0 }));
  const refill = (w: number, h: number): number => {
    const walker = walkers[w]!;
    const first = 2 * walker.bits;
    const from = Math.max(h, first);
    walker.taken += from - first;
    half.copyWithin(first, from, walker.valid);
    walker.valid = first + (walker.valid - from);
    seedLanes(words, walker.generator, LANE_WORDS << 5);
    if (outcomes(tables.high, LANE_WORDS, 2 * walker.valid) !== 0) return -1;
    lastLaneState(words, walker.generator);
    walker.valid += 2 * LANES * LANE_WORDS;
    return first;
  };
  /** Adds walker w's block of `trials` trials to the accumulators and, if `advance`, moves `rs` past its draws. */
  const collect = (w: number, rs: Int32Array, trials: number, advance: boolean): void => {
    const ends = walkerWord('ENDS', w);
    for (let copy = 0; copy < ENDS_COPIES; copy++) {
      const at = ends + 2 * copy * ENDS_SIZE;
      for (let i = 0; i < E.length; i++) {
        E[i]! += words[at + 2 * i]!;
        sums[0]! += words[at + 2 * i + 1]!;
      }
    }
    if (tables.classCount > 0) DV[0]! += words[walkerWord('DELIVERED', w)]! + trials * tables.startDelivered[0];
    if (tables.classCount > 1) DV[1]! += words[walkerWord('DELIVERED_1', w)]! + trials * tables.startDelivered[1];
    // The draws consumed: 16 per half taken in before, and those up to the bit the walker stopped at.
    const walker = walkers[w]!;
    if (advance) jump(rs, 16 * (walker.taken - 2 * walker.bits) + words[walkerWord('CONSUMED', w)]!);
  };
  const walkPair = (rsA: Int32Array, trialsA: number, rsB: Int32Array, trialsB: number, advance: boolean): number => {
    if (trialsA > MAX_TRIALS || trialsB > MAX_TRIALS) return 3; // beyond the counts' fields (layout.ts)
    if (loaded !== tables) {
      words.set(tables.table, TABLE);
      loaded = tables;
    }
    [rsA, rsB].forEach((rs, w) => {
      const ends = walkerWord('ENDS', w);
      for (let copy = 0; copy < ENDS_COPIES; copy++) words.fill(0, ends + 2 * copy * ENDS_SIZE, ends + 2 * (copy * ENDS_SIZE + E.length));
      const walker = walkers[w]!;
      walker.generator.set(rs);
      walker.valid = 2 * walker.bits;
      walker.taken = 0;
    });
    refills.current = refill;
    const ties = walk(trialsA, trialsB, tables.start, tables.startMessages, tables.startRound);
    if (!(ties & 1)) collect(0, rsA, trialsA, advance);
    if (!(ties & 2) && trialsB > 0) collect(1, rsB, trialsB, advance);
    return ties;
  };
  return {
    run: (rs, trials) => walkPair(rs, trials, rs, 0, true) === 0,
    // A pair's streams are not moved on: nothing reads where they end, and jumping them costs a
    // worker the jump tables of every power of two up to a block's draws.
    runPair: (rsA, trialsA, rsB, trialsB) => walkPair(rsA, trialsA, rsB, trialsB, false),
  };
}
