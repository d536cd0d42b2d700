import { jump } from '../rng/jump.js';
import type { Automaton, AutomatonNode } from './automaton.js';
import { LANES, laneKernels, lastLaneState, seedLanes } from './lanes.js';

/**
 * The bit walk: a kernel for cells whose every draw compares against one and the same
 * threshold (messenger, handshake and retransmit on a Bernoulli channel with one loss rate).
 *
 * There a draw's outcome does not depend on where in a trial it is drawn, so the SIMD lanes
 * (lanes.ts) can decide the outcomes of the block's draws ahead of time, 32 to a word, and the
 * trials are then walked through the automaton eight draws at a time: a table gives, for each
 * node and each pattern of the next eight outcome bits, how many of them the trial consumes,
 * where it stands after them, what it sent and delivered, and whether it ended. One lookup per
 * trial, mostly, and no branch that depends on a draw, where the scalar kernel mispredicts
 * about once a trial. Every trial consumes exactly the draws it consumes in the scalar kernel,
 * so the tallies are the same to the bit. A draw that ties the threshold is decided by its low
 * word, which shifts every later draw: then the walk gives the block up and it runs on the
 * scalar kernel (some once in 2^31 draws).
 */

/** Outcome bits looked up at once. */
const WINDOW = 8;

/** Words (of 32 draws) each lane decides per refill: 4,096 draws a lane, 32,768 in all. */
const LANE_WORDS = 128;

/** Where the outcome bits start in the lanes' memory, in int32 words (lane states come first). */
const BITS = 64;

/** Below this many trials a block stays on the scalar kernel: deciding 32,768 draws would not pay. */
export const MIN_WALK_TRIALS = 4096;

/**
 * A table entry packs one lookup: bits 0-3 the draws consumed, 4-8 the messages sent, 9 set if
 * the trial ended, 10-17 the next node's index (or, if it ended, its outcome), 18-26 the round
 * of the last message sent plus one (0: none sent).
 */
const ENDED = 1 << 9;

/** A cell's bit walk, its tables compiled into `run`. */
export interface BitWalk {
  /**
   * Runs `trials` trials from the xoshiro128** state `rs`, adding to the kernel's accumulators
   * (bound at compilation): E[outcome · width + messages] trials, DV[c] deliveries, sums[0]
   * rounds. Returns false, having left `rs` untouched but the accumulators not, if a draw tied
   * the threshold.
   */
  run(rs: Int32Array, trials: number): boolean;
}

/** The tables of a cell's walk. */
interface WalkTables {
  /** The one threshold's high part. */
  readonly high: number;
  /** Entry for node index i and outcome bits w at (i << 8) | w; see ENDED. */
  readonly table: Int32Array;
  /**
   * Messages delivered in each lookup, class 0 plus class 1 times 2^26 (two classes at most): a
   * block delivers far fewer than 2^26 of a class, so one double sums both exactly.
   */
  readonly delivered: Float64Array;
  /** Where every trial starts, after the steps from the root that draw nothing: node index and cost so far. */
  readonly start: number;
  readonly startMessages: number;
  readonly startRound: number;
  readonly startDelivered: readonly [number, number];
  readonly classCount: number;
  /** Every draw node is a send (no random choice), so every lookup sends a message. */
  readonly everyDrawSends: boolean;
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
 * thresholds that differ, more than two delivery classes or 256 draw nodes, or no draw at all.
 */
export function bitWalkFor(
  automaton: Automaton,
  classCount: number,
  highOf: (node: number) => number,
  accumulators: { E: Float64Array; DV: Float64Array; sums: Float64Array },
): BitWalk | null {
  const { nodes, root } = automaton;
  if (classCount > 2 || !laneKernels()) return null;
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
  let delivered = new Float64Array(table.length);
  for (const [i, id] of draws.entries()) {
    for (let k = 0; k < 2; k++) {
      const walked: Walked = { node: id, messages: 0, round: -1, delivered: [0, 0] };
      take(walked, nodes[id] as Exclude<AutomatonNode, { kind: 'end' }>, k);
      follow(walked);
      const end = nodes[walked.node]!;
      const next = end.kind === 'end' ? end.outcome : index.get(walked.node)!;
      if (walked.messages > 31 || walked.round >= 511 || next > 255) return null; // beyond the entry's fields
      table[2 * i + k] = 1 | (walked.messages << 4) | (end.kind === 'end' ? ENDED : 0) | (next << 10) | ((walked.round + 1) << 18);
      delivered[2 * i + k] = walked.delivered[0] + walked.delivered[1] * 2 ** 26;
    }
  }
  const steps = table;
  const stepDelivered = delivered;
  // Windows of 2, 3, …, 8 outcomes: the first outcome's step, then (unless it ended the trial)
  // the rest of the window from where that step leads, from the table one outcome shorter.
  for (let length = 2; length <= WINDOW; length++) {
    const longer = new Int32Array(draws.length << length);
    const longerDelivered = new Float64Array(longer.length);
    for (let i = 0; i < draws.length; i++) {
      for (let w = 0; w < 1 << length; w++) {
        const first = steps[2 * i + (w & 1)]!;
        const at = (i << length) | w;
        longerDelivered[at] = stepDelivered[2 * i + (w & 1)]!;
        if (first & ENDED) {
          longer[at] = first;
          continue;
        }
        const restAt = (((first >>> 10) & 255) << (length - 1)) | (w >>> 1);
        const rest = table[restAt]!;
        const messages = ((first >>> 4) & 31) + ((rest >>> 4) & 31);
        if (messages > 31) return null;
        const round = rest >>> 18 || first >>> 18; // plus one; 0: none sent
        longer[at] = (1 + (rest & 15)) | (messages << 4) | (rest & ENDED) | (rest & (255 << 10)) | (round << 18);
        longerDelivered[at]! += delivered[restAt]!;
      }
    }
    table = longer;
    delivered = longerDelivered;
  }
  const tables: WalkTables = {
    high,
    table,
    delivered,
    start: index.get(begin.node)!,
    startMessages: begin.messages,
    startRound: Math.max(0, begin.round),
    startDelivered: begin.delivered,
    classCount,
    everyDrawSends: draws.every((id) => nodes[id]!.kind === 'send'),
  };
  return compileWalk(tables, automaton.maxMessages + 1, accumulators);
}

/**
 * The walk's loop, compiled once per cell with its tables as constants of the closure (V8 then
 * folds them into the code, which runs almost twice as fast as reading them from arguments).
 * `refill(h)` keeps the outcome halves from h on, decides the next draws after them and returns
 * where h stands now (−1 on a tie), with LAST[0] the last half but one a lookup may read.
 *
 * The outcome bits are read as a bit stream: `bits` holds the next `have` of them (7 to 23 after
 * a top-up, the lowest first), topped up 16 at a time from HALF without a branch: the next 16
 * are or-ed in above the valid ones on every lookup but count only when fewer than 8 were left,
 * and or-ing them in again at the same place changes nothing. So the chain from one lookup to
 * the next is a shift, an or, the table load and a mask.
 */
function walkSource(everyDrawSends: boolean): string {
  // Where every draw sends a message, every lookup sends one too, and the round a trial ends in
  // is the one in its last entry: no need to carry the round from lookup to lookup.
  const round = everyDrawSends
    ? { carry: '', end: 'rounds += (entry >>> 18) - 1;', reset: '' }
    : { carry: 'if (entry >>> 18 !== 0) round = (entry >>> 18) - 1;', end: 'rounds += round;', reset: 'round = R0;' };
  return `
  return function walk(rs, trials) {
    // d starts at −0, a double: so the empty warm-up runs teach finish() that d is one, as it is in
    // a real run, where a small integer there would deoptimize the walk at every block's end.
    let h = 0, last = 0, loaded = 0, bits = 0, have = 0, node = START, messages = M0, round = R0, rounds = 0, d = -0, t = 0;
    begin(rs);
    while (t < trials) {
      if (h >= last) {
        h = refill(h);
        if (h < 0) return false;
        last = LAST[0];
      }
      const from = h;
      for (; t < trials && h < last; ) {
        const topUp = (have - ${WINDOW}) >>> 31;
        bits |= HALF[h] << have;
        h += topUp;
        have += topUp << 4;
        const i = (node << 8) | (bits & 255);
        const entry = TABLE[i];
        const used = entry & 15;
        bits >>>= used;
        have -= used;
        messages += (entry >>> 4) & 31;
        d += DELIVERED[i];
        ${round.carry}
        if (entry & ${ENDED}) {
          ENDS[((entry >>> 10) & 255) * WIDTH + messages]++;
          ${round.end}
          t++;
          node = START;
          messages = M0;
          ${round.reset}
        } else {
          node = (entry >>> 10) & 255;
        }
      }
      loaded += h - from;
    }
    finish(rs, 16 * loaded - have, trials, d, rounds);
    return true;
  };`;
}

type Refill = (h: number) => number;
type WalkFactory = (...args: unknown[]) => (rs: Int32Array, trials: number) => boolean;

function compileWalk(tables: WalkTables, width: number, { E, DV, sums }: { E: Float64Array; DV: Float64Array; sums: Float64Array }): BitWalk {
  const { words, outcomes } = laneKernels()!;
  const half = new Uint16Array(words.buffer);
  const generator = new Int32Array(4);
  const LAST = new Int32Array(1);
  let valid = 0; // halves of outcome bits filled, counted from half 0 of memory
  const begin = (rs: Int32Array): void => {
    generator.set(rs);
    valid = 2 * BITS;
    LAST[0] = 0;
  };
  const refill: Refill = (h) => {
    const from = Math.max(h, 2 * BITS);
    half.copyWithin(2 * BITS, from, valid);
    valid = 2 * BITS + (valid - from);
    seedLanes(words, generator, LANE_WORDS << 5);
    if (outcomes(tables.high, LANE_WORDS, 2 * valid) !== 0) return -1;
    lastLaneState(words, generator);
    valid += 2 * LANES * LANE_WORDS;
    LAST[0] = valid - 1;
    return 2 * BITS;
  };
  const ENDS = new Int32Array(E.length); // trials ended, as E: int32 increments are cheaper than float64 ones
  const finish = (rs: Int32Array, consumed: number, trials: number, delivered: number, rounds: number): void => {
    for (let i = 0; i < ENDS.length; i++) {
      E[i]! += ENDS[i]!;
      ENDS[i] = 0;
    }
    const class1 = Math.floor(delivered / 2 ** 26);
    if (tables.classCount > 0) DV[0]! += delivered - class1 * 2 ** 26 + trials * tables.startDelivered[0];
    if (tables.classCount > 1) DV[1]! += class1 + trials * tables.startDelivered[1];
    sums[0]! += rounds;
    jump(rs, consumed);
  };
  const factory = new Function('TABLE', 'DELIVERED', 'HALF', 'ENDS', 'START', 'M0', 'R0', 'WIDTH', 'LAST', 'begin', 'refill', 'finish', walkSource(tables.everyDrawSends)) as WalkFactory;
  const run = factory(tables.table, tables.delivered, half, ENDS, tables.start, tables.startMessages, tables.startRound, width, LAST, begin, refill, finish);
  // Empty runs, then runs of one trial, give the whole function type feedback before a block
  // runs, as kernel.ts's WARM_UP_CALLS do: V8 gives a function its feedback only after some
  // calls. (They add to the accumulators, which every block starts by clearing.)
  for (let i = 0; i < 104; i++) run(Int32Array.of(1, 2, 3, 4), i < 100 ? 0 : 1);
  return { run };
}
