/**
 * The one table of the WebAssembly memory that the SIMD lanes and the bit walk share, and of the
 * bit walk's table entries. bit-walk.ts and one-draw.ts read it here; lanes.wat names these
 * values as {{NAME}} (byte addresses as {{NAME_BYTE}}), and scripts/generate-wasm.ts fills them
 * in before assembling, so the two sides cannot drift apart.
 */
export const LAYOUT = {
  /** Words from 0: the eight lanes' xoshiro128** states, four v128 of a-halves then four of b-halves. */
  LANE_STATES: 0,
  /** Where `count` leaves each lane pair's count of outcome 0. */
  COUNTS: 32,
  /** The outcome bits, 16 to a half word. */
  BITS: 64,
  /** The walk's results: the half it stopped at, the bits it left unused, its rounds and deliveries of each class. */
  CONSUMED: 2042,
  HAVE: 2043,
  ROUNDS: 2044,
  DELIVERED: 2045,
  DELIVERED_1: 2046,
  /** The last half but one that a lookup may read. */
  LAST: 2047,
  /** The trials ended, by outcome and messages, in two copies of ENDS_SIZE that the walk takes turns at. */
  ENDS: 2048,
  ENDS_SIZE: 1024,
  /** The walk's table: one entry (two words) per node and 8-bit window. */
  TABLE: 4096,
} as const;

/**
 * A table entry packs one lookup: bits 0-3 the draws consumed, 4-8 the messages sent, 9 set if
 * the trial ended, 10-20 the next node's index (or, if it ended, outcome · width: where it is
 * counted in ENDS, less the messages), 21-29 the round of the last message sent plus one (0:
 * none sent).
 */
export const ENTRY = {
  USED_MASK: 15,
  MESSAGES_SHIFT: 4,
  MESSAGES_MASK: 31,
  ENDED: 1 << 9,
  NEXT_SHIFT: 10,
  NEXT_MASK: 2047,
  ROUND_SHIFT: 21,
  /** The largest round field (9 bits) holds rounds up to this. */
  MAX_ROUND: 510,
} as const;

/** Every value lanes.wat may name: the layout's words, their byte addresses (NAME_BYTE), and the entry's fields. */
export function watConstants(): Record<string, number> {
  const values: Record<string, number> = { ...ENTRY };
  for (const [name, words] of Object.entries(LAYOUT)) {
    values[name] = words;
    values[`${name}_BYTE`] = words * 4;
  }
  return values;
}
