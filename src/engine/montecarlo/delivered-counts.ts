import type { Replay } from '../../contract/channel.js';
import type { Direction } from '../../contract/protocol.js';

/** Per start s: the copies a message sent from s in `direction` delivers (a byte each, two past 255 copies). */
export function deliveredCounts(replay: Replay, direction: Direction): Uint8Array | Uint16Array {
  const counts = replay.copies < 256 ? new Uint8Array(replay.starts) : new Uint16Array(replay.starts);
  replay.deliveredInto(direction, counts);
  return counts;
}

/** What the copies delivered change by from start s to s + 1: the window of `copies` packets slid by one. */
export const slide = (replay: Replay, s: number, copies: number, direction: Direction): number =>
  replay.packet(s + copies, direction) - replay.packet(s, direction);
