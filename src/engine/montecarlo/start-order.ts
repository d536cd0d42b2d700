import type { Replay } from '../../contract/channel.js';
import type { Direction } from '../../contract/protocol.js';
import { uniformBelow, uniformBelowInOrder, wordsPerIndex } from '../../rng/uniform.js';
import type { Xoshiro128 } from '../../rng/xoshiro128.js';
import type { CellModel } from '../model.js';
import { slide } from './delivered-counts.js';
import { oneSendOf } from '../one-send.js';
import type { OneSend } from '../one-send.js';
import { resultOrderFor, shareOf, startAt as startOfResults } from './result-order.js';

/**
 * Over a replayed trace, a trial of a protocol that sends one message and ends (the messenger) is
 * a function of its start alone: of the copies its message delivers from there. Such a trial
 * draws its start through a fixed bijection: the index j drawn uniformly in [0, starts), in the
 * order of the word it is made of (uniformBelowInOrder), names
 * the j-th start in the order of copies delivered, most first, then of position (a stable sort
 * of the starts by group). The start is as uniform as before, but a trial's outcome is whether j
 * is below the count of starts that deliver a copy: no read of the trace, one compare, as
 * Bernoulli's messenger. A received message carries, as Bernoulli's does, the copies delivered
 * as their expected value given that it was received (the mean over the starts that deliver: the
 * model's last delivery class): the delivered mean is as exact in expectation, and no trial is
 * counted by its copies, which took a compare a group (copies + 1 of them). The order depends on
 * the trace and the cell alone (not on the trials, the workers or the shard), so every engine
 * and `trace` map j alike. Other protocols that draw nothing of their own, or whose every choice
 * ends the trial, draw through their result order (result-order.ts), the rest the start j itself.
 */
export interface StartOrder {
  readonly replay: Replay;
  readonly direction: Direction;
  /** Group g's starts deliver `copies` − g copies (g = 0 … copies). */
  readonly copies: number;
  /** The trial's outcome when its message is lost and when it is received. */
  readonly outcome: readonly [number, number];
  /** The round of the one send. */
  readonly round: number;
  /** Starts in the groups before g, for g = 0 … copies + 1 (the last: every start). */
  readonly before: Float64Array;
  /** The starts whose message is received (groups 0 … copies − 1): j is received iff below it. */
  readonly received: number;
  /**
   * The received count as a word threshold, received · ⌊2^32 / starts⌋, where it is strictly
   * between 0 and every start (else none): a word x accepted by uniformBelowInOrder gives a
   * received j iff x is below it, so the SIMD lanes count by compares alone.
   */
  readonly thresholds: Uint32Array;
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

/** The one send of a cell without crashes, or null (see oneSendOf). */
function oneSend(model: CellModel): OneSend | null {
  if (model.crash !== null) return null;
  return oneSendOf(model.protocol, model.protocolConfig, model.stateSize, model.roundLimit, model.outcomes.names.length);
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
  const received = before[copies]!;
  const thresholds = received > 0 && received < starts ? Uint32Array.of(received * wordsPerIndex(starts)) : new Uint32Array(0);
  return {
    replay,
    direction,
    copies,
    outcome: send.outcomes,
    round: send.round,
    before,
    received,
    thresholds,
    marks: null,
  };
}

/** The group index j falls in: the last g with before[g] ≤ j (a group so found is never empty). */
export function groupOf(order: StartOrder, j: number): number {
  return shareOf(order.before, j);
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
