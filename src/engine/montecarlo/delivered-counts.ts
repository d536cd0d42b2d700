import type { Replay } from '../../contract/channel.js';
import type { Direction } from '../../contract/protocol.js';

/** Per start s: the copies a message sent from s in `direction` delivers (a byte each, two past 255 copies). */
export function deliveredCounts(replay: Replay, direction: Direction): Uint8Array | Uint16Array {
  const counts = replay.copies < 256 ? new Uint8Array(replay.starts) : new Uint16Array(replay.starts);
  replay.deliveredInto(direction, counts);
  return counts;
}

/** Replay.deliveredInto by its definition: the window of `copies` packets slid along the trace a start at a time. */
export function slidInto(replay: Replay, direction: Direction, counts: Uint8Array | Uint16Array): void {
  let delivered = replay.delivered(0, direction);
  for (let s = 0; s < replay.starts; s++) {
    counts[s] = delivered;
    delivered += slide(replay, s, replay.copies, direction);
  }
}

/** Replay.startsByDelivered by its definition. */
export function slidHistogram(replay: Replay, direction: Direction): Float64Array {
  const counts = new Uint16Array(replay.starts);
  slidInto(replay, direction, counts);
  const starts = new Float64Array(replay.copies + 1);
  for (const delivered of counts) starts[delivered]!++;
  return starts;
}

/** What the copies delivered change by from start s to s + 1: the window of `copies` packets slid by one. */
export const slide = (replay: Replay, s: number, copies: number, direction: Direction): number =>
  replay.packet(s + copies, direction) - replay.packet(s, direction);
