/**
 * The one table of the WebAssembly memory that the SIMD lanes and the bit walk share, and of the
 * bit walk's table entries. bit-walk.ts and one-draw.ts read it here; lanes.wat names these
 * values as {{NAME}} (byte addresses as {{NAME_BYTE}}), and scripts/generate-wasm.ts fills them
 * in before assembling, so the two sides cannot drift apart.
 *
 * The walk runs two walkers at once, each on a block of its own (bit-walk.ts): what is a
 * walker's own is laid out once per walker, walker w's copy at the address given plus w times
 * its stride (WALKER_STRIDES); lanes.wat names walker w's copy as {{w.NAME}}.
 */
export const LAYOUT = {
  /** Words from 0: the eight lanes' xoshiro128** states, four v128 of a-halves then four of b-halves. */
  LANE_STATES: 0,
  /** Where `count` leaves each lane pair's count of outcome 0. */
  COUNTS: 32,
  /** A walker's results: the bit of memory it stopped at, its deliveries of each class. */
  CONSUMED: 40,
  DELIVERED: 41,
  DELIVERED_1: 42,
  /** A walker's outcome bits, 16 to a half word: a refill leaves at least REFILL_HALVES of them. */
  BITS: 64,
  /**
   * The trials a walker ended, by outcome and messages, in four copies of ENDS_SIZE slots of two
   * words, the trials and their rounds: a lookup's first trial and its second each take turns at two.
   */
  ENDS: 4096,
  ENDS_SIZE: 1024,
  ENDS_COPIES: 4,
  /** The walk's table: one entry (ENTRY.WORDS words) per node and window of ENTRY.WINDOW outcome bits. */
  TABLE: 20480,
  /** Pages of 64 KiB the module's memory has: room for a table of 256 nodes. */
  PAGES: 18,
} as const;

/**
 * Where lane j's state word w sits (in words): the lanes form two groups of four, a and b, each
 * group's s0 of its four lanes, then s1, s2, s3 (a v128 each), from LANE_STATES on. lanes.ts and
 * trace-lanes.ts seed and read the lanes here; lanes.wat and trace-lanes.wat load and store the
 * eight v128 at laneStateBytes().
 */
export function laneSlot(lane: number, w: number): number {
  return LAYOUT.LANE_STATES + 16 * (lane >>> 2) + 4 * w + (lane & 3);
}

/** The byte address of each group's state word w, as the .wat files name it: LANE_A0_BYTE … LANE_B3_BYTE. */
export function laneStateBytes(): Record<string, number> {
  const values: Record<string, number> = {};
  for (const [group, name] of ['A', 'B'].entries()) for (let w = 0; w < 4; w++) values[`LANE_${name}${w}_BYTE`] = 4 * laneSlot(4 * group, w);
  return values;
}

/** Halves of outcome bits a refill adds (bit-walk.ts: 8 lanes of 128 words). */
export const REFILL_HALVES = 2048;

/** Walkers run at once by the walk. */
export const WALKERS = 2;

/** How far apart (in words) the walkers' own copies are. */
export const WALKER_STRIDES: Readonly<Record<string, number>> = {
  CONSUMED: 8,
  DELIVERED: 8,
  DELIVERED_1: 8,
  BITS: 2016,
  ENDS: 2 * LAYOUT.ENDS_COPIES * LAYOUT.ENDS_SIZE,
};

/** Where walker w's copy of a walker's own value sits (in words). */
export function walkerWord(name: keyof typeof LAYOUT, walker: number): number {
  return LAYOUT[name] + walker * (WALKER_STRIDES[name] ?? 0);
}

/**
 * A table entry packs one lookup: bits 0-3 the draws consumed, 4-8 the messages sent, 9 set if
 * the trial ended, 10-20 the next node's index (or, if it ended, outcome · width: where it is
 * counted in ENDS, less the messages), 21-29 the round of the last message sent plus one (0:
 * none sent). Its second word holds the messages it delivers (DELIVERED_SHIFT); where the trial ended before the
 * window's last bit, words 3 and 4 are the same for the rest of the window, from the start.
 */
export const ENTRY = {
  /** Outcome bits one lookup takes: a node's entries are its 2^WINDOW windows (bit-walk.ts builds them, lanes.wat reads one). */
  WINDOW: 8,
  WORDS: 4,
  /** The entry's words: the packed lookup (word 0), the messages it delivers, and where the trial ended the rest of the window's lookup and its deliveries. */
  DELIVERED_WORD: 1,
  AFTER_WORD: 2,
  AFTER_DELIVERED_WORD: 3,
  /**
   * The messages delivered are counted as class 0 plus class 1 times 2^DELIVERED_SHIFT: a block
   * of at most MAX_TRIALS trials of at most 511 messages (ENDS_SIZE) delivers fewer of class 0.
   */
  DELIVERED_SHIFT: 26,
  MAX_TRIALS: 65536,
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

/**
 * Every value lanes.wat may name: the layout's words, their byte addresses (NAME_BYTE), and the
 * entry's fields; a walker's own as w.NAME and w.NAME_BYTE, and w.TIE, the bit of the walk's result
 * that says walker w met a tie, and w.LAST_BIT, from which its lookups call for a refill.
 */
export function watConstants(): Record<string, number> {
  const values: Record<string, number> = {
    ...laneStateBytes(),
    ...ENTRY,
    WINDOW_MASK: 2 ** ENTRY.WINDOW - 1,
    ENDED_BIT: Math.log2(ENTRY.ENDED),
    ENTRY_SHIFT: Math.log2(4 * ENTRY.WORDS),
    DELIVERED_WORD_BYTE: 4 * ENTRY.DELIVERED_WORD,
    AFTER_WORD_BYTE: 4 * ENTRY.AFTER_WORD,
    AFTER_DELIVERED_WORD_BYTE: 4 * ENTRY.AFTER_DELIVERED_WORD,
    ENDS_SIZE_SHIFT: Math.log2(8 * LAYOUT.ENDS_SIZE),
    DELIVERED_SHIFT: ENTRY.DELIVERED_SHIFT,
    DELIVERED_MASK: 2 ** ENTRY.DELIVERED_SHIFT - 1,
  };
  for (const [name, words] of Object.entries(LAYOUT)) {
    values[name] = words;
    values[`${name}_BYTE`] = words * 4;
  }
  for (let w = 0; w < WALKERS; w++) {
    for (const name of Object.keys(WALKER_STRIDES)) {
      const words = walkerWord(name as keyof typeof LAYOUT, w);
      values[`${w}.${name}`] = words;
      values[`${w}.${name}_BYTE`] = words * 4;
    }
    values[`${w}.TIE`] = 1 << w;
    values[`${w}.ENDS_2_BYTE`] = 4 * (walkerWord('ENDS', w) + 2 * 2 * LAYOUT.ENDS_SIZE);
    // A lookup reads the half its bit is in and the next: from this bit on it is time for a refill.
    values[`${w}.LAST_BIT`] = 16 * (2 * walkerWord('BITS', w) + REFILL_HALVES - 1);
  }
  return values;
}
