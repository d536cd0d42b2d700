import type { Replay } from '../../contract/channel.js';
import { END, SEND, Step, sendProblem } from '../../contract/protocol.js';
import type { Direction } from '../../contract/protocol.js';
import { uniformBelow, uniformBelowInOrder, wordsPerIndex } from '../../rng/uniform.js';
import type { Xoshiro128 } from '../../rng/xoshiro128.js';
import type { CellModel } from '../model.js';
import { slide } from './delivered-counts.js';
import { resultOrderFor, shareOf, startAt as startOfResults } from './result-order.js';

/**
 * Over a replayed trace, a trial of a protocol that sends one message and ends (the messenger) is
 * a function of its start alone: of the copies its message delivers from there. Such a trial
 * draws its start through a fixed bijection: the index j drawn uniformly in [0, starts), in the
 * order of the word it is made of (uniformBelowInOrder), names
 * the j-th start in the order of copies delivered, most first, then of position (a stable sort
 * of the starts by group). The start is as uniform as before, but a trial's result is the group
 * j falls in, found by comparing j with the groups' cumulative counts: no read of the trace,
 * and for one copy one compare, as Bernoulli's messenger. The order depends on the trace and the
 * cell alone (not on the trials, the workers or the shard), so every engine and `trace` map j
 * alike. Other protocols that draw nothing of their own, or whose every choice ends the trial,
 * draw through their result order (result-order.ts), the rest the start j itself.
 */
export interface StartOrder {
  readonly replay: Replay;
  readonly direction: Direction;
  /** Group g's starts deliver `copies` − g copies (g = 0 … copies). */
  readonly copies: number;
  /** Per group: the trial's outcome. */
  readonly outcome: Int32Array;
  /** The round of the one send. */
  readonly round: number;
  /** Starts in the groups before g, for g = 0 … copies + 1 (the last: every start). */
  readonly before: Float64Array;
  /**
   * The distinct counts strictly between 0 and every start among `before`, each as a word
   * threshold C · ⌊2^32 / starts⌋: a word x accepted by uniformBelowInOrder gives a j below C iff
   * x is below the threshold, so the SIMD lanes count groups by compares alone.
   */
  readonly thresholds: Uint32Array;
  /** Per g = 0 … copies + 1: where `before[g]` is in `thresholds`, or −1 for 0 and −2 for every start. */
  readonly thresholdOf: Int32Array;
  /** Marks for startAt, made when first asked for. */
  marks: Marks | null;
}

/** Every 2^MARK_LOG-th start of each group (its 0th, 256th, …), group after group. */
interface Marks {
  readonly at: Int32Array;
  /** Group g's marks are at[first[g]] onwards. */
  readonly first: Int32Array;
}

const MARK_LOG = 8;

const orders = new WeakMap<CellModel, StartOrder | null>();

/** The cell's start order, or null where its trials draw the start j itself (not one send and an end, or crashes). */
export function startOrderFor(model: CellModel): StartOrder | null {
  let order = orders.get(model);
  if (order === undefined) {
    order = model.replay ? buildOrder(model, model.replay) : null;
    orders.set(model, order);
  }
  return order;
}

/** The start a trial draws: through the cell's start order or result order the j-th start of that order, else j. */
export function drawStart(model: CellModel, replay: Replay, rng: Xoshiro128): number {
  const order = startOrderFor(model);
  if (order) return startAt(order, uniformBelowInOrder(rng, replay.starts));
  const results = resultOrderFor(model);
  return results ? startOfResults(results, uniformBelowInOrder(rng, replay.starts)) : uniformBelow(rng, replay.starts);
}

/** The outcomes after the one send, lost and received, or null where the protocol does more (or crashes). */
function oneSend(model: CellModel): { direction: Direction; round: number; outcomes: [number, number] } | null {
  if (model.crash !== null) return null;
  const { protocol, protocolConfig: config } = model;
  const state = new Int32Array(model.stateSize);
  protocol.init(state, config);
  const step = new Step();
  protocol.next(state, config, step);
  // A send the contract refuses is left to the automaton, which refuses it (replay.ts).
  if (step.kind !== SEND || step.peers !== 0 || step.choosers !== 0 || sendProblem(step, model.roundLimit) !== null) return null;
  const outcomes: [number, number] = [-1, -1];
  for (const received of [0, 1] as const) {
    const after = state.slice();
    protocol.resolve(after, config, step, received);
    const last = new Step();
    protocol.next(after, config, last);
    // An outcome that is no index is left to the automaton, which refuses it.
    if (last.kind !== END || !(Number.isInteger(last.outcome) && last.outcome >= 0 && last.outcome < model.outcomes.names.length)) return null;
    outcomes[received] = last.outcome;
  }
  return { direction: step.direction, round: step.round, outcomes };
}

function buildOrder(model: CellModel, replay: Replay): StartOrder | null {
  const send = oneSend(model);
  if (!send) return null;
  const { starts, copies } = replay;
  const { direction } = send;
  const before = new Float64Array(copies + 2);
  const byDelivered = replay.startsByDelivered(direction);
  for (let g = 0; g <= copies; g++) before[g + 1] = byDelivered[copies - g]!;
  for (let g = 1; g <= copies + 1; g++) before[g]! += before[g - 1]!;
  const outcome = Int32Array.from({ length: copies + 1 }, (_, g) => send.outcomes[g < copies ? 1 : 0]);
  const thresholdOf = new Int32Array(copies + 2);
  const thresholds: number[] = [];
  for (let g = 0; g <= copies + 1; g++) {
    const count = before[g]!;
    if (count === 0) thresholdOf[g] = -1;
    else if (count === starts) thresholdOf[g] = -2;
    else {
      if (count !== before[g - 1]) thresholds.push(count * wordsPerIndex(starts));
      thresholdOf[g] = thresholds.length - 1;
    }
  }
  return { replay, direction, copies, outcome, round: send.round, before, thresholds: Uint32Array.from(thresholds), thresholdOf, marks: null };
}

/** The group index j falls in: the last g with before[g] ≤ j (a group so found is never empty). */
export function groupOf(order: StartOrder, j: number): number {
  return shareOf(order.before, j);
}

/** Group counts from counts of draws below each threshold, `accepted` draws in all, added to `drawn`. */
export function addGroupCounts(order: StartOrder, below: Float64Array, accepted: number, drawn: Float64Array): void {
  const { thresholdOf } = order;
  const countBelow = (g: number): number => {
    const t = thresholdOf[g]!;
    return t === -1 ? 0 : t === -2 ? accepted : below[t]!;
  };
  for (let g = 0; g <= order.copies; g++) drawn[g]! += countBelow(g + 1) - countBelow(g);
}

/**
 * The j-th start of the order: the (j − before[g])-th start of group g in position order, found
 * from the mark at or before it by a walk through the trace. A walk from a mark passes 2^MARK_LOG
 * starts of the group at most, and others between them: a sparse group's walks are long, but it
 * is drawn as rarely as it is sparse.
 */
export function startAt(order: StartOrder, j: number): number {
  const marks = (order.marks ??= markStarts(order));
  const g = groupOf(order, j);
  const rank = j - order.before[g]!;
  const { replay, direction, copies } = order;
  const wanted = copies - g;
  let s = marks.at[marks.first[g]! + Math.floor(rank / 2 ** MARK_LOG)]!;
  let delivered = replay.delivered(s, direction);
  for (let seen = rank - (rank % 2 ** MARK_LOG); s < replay.starts; s++) {
    if (delivered === wanted) {
      if (seen === rank) return s;
      seen++;
    }
    delivered += slide(replay, s, copies, direction);
  }
  // The group's counts disagree with the trace: a defect, never a walk without end.
  throw new Error(`the start order's group ${g} has no start of rank ${rank}`);
}

function markStarts(order: StartOrder): Marks {
  const { replay, direction, copies, before } = order;
  const first = new Int32Array(copies + 2);
  for (let g = 0; g <= copies; g++) first[g + 1] = first[g]! + Math.ceil((before[g + 1]! - before[g]!) / 2 ** MARK_LOG);
  const at = new Int32Array(first[copies + 1]!);
  const seen = new Float64Array(copies + 1);
  const mask = 2 ** MARK_LOG - 1;
  let delivered = replay.delivered(0, direction);
  for (let s = 0; s < replay.starts; s++) {
    const g = copies - delivered;
    if ((seen[g]! & mask) === 0) at[first[g]! + seen[g]! / 2 ** MARK_LOG] = s;
    seen[g]!++;
    delivered += slide(replay, s, copies, direction);
  }
  return { at, first };
}
