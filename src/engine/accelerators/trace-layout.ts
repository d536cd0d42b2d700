/**
 * The memory of the trace lanes (trace-lanes.wat), in bytes: trace-lanes.ts reads it here and the
 * .wat names the values as {{NAME}} (scripts/generate-wasm.ts fills them in), so the two agree.
 * The lanes' xoshiro128** states are at 0-127, in lanes.ts's order.
 */
export const TRACE_LAYOUT = {
  /** Keyed runs (the randomized protocol): the generator's state; per code (256), its key's last outcome, its thresholds and the trials by branch (17 a code). */
  KEYED_STATE_BYTE: 208,
  /** A code's key outcomes at most (KEY_HIGH and CHOSEN hold 17 a code). */
  KEY_OUTCOMES: 17,
  KEY_LAST_BYTE: 140 * 1024,
  KEY_HIGH_BYTE: 141 * 1024,
  CHOSEN_BYTE: 158 * 1024,
  /** Keyed runs: a chunk of KEYED_CHUNK trials' generator states, then their words, then their codes. */
  KEYED_RUN_BYTE: 175 * 1024,
  KEYED_RUN_4_BYTE: 175 * 1024 + 4,
  KEYED_RUN_8_BYTE: 175 * 1024 + 8,
  KEYED_RUN_12_BYTE: 175 * 1024 + 12,
  KEYED_WORDS_BYTE: 175 * 1024 + 2048,
  KEYED_WORDS_4_BYTE: 175 * 1024 + 2052,
  KEYED_CODES_BYTE: 175 * 1024 + 3072,
  KEYED_CHUNK: 128,
  /** One-send trials (below): the word thresholds, a v128 of four equal ones each, and the counts at or above each (four lanes'). */
  THRESHOLDS_BYTE: 180 * 1024,
  ABOVE_BYTE: 181 * 1024,
  /** The most thresholds `below` counts on the lanes (64 · 16 bytes each for THRESHOLDS and ABOVE). */
  MAX_THRESHOLDS: 64,
  /** belowMany: the words of up to BATCH_STEPS steps (32 bytes a step: group a's four, then group b's), counted after they are drawn. */
  BATCH_BYTE: 182 * 1024,
  BATCH_Y_BYTE: 182 * 1024 + 16,
  BATCH_STEPS: 256,
  /** The start table, from the fourth page. */
  TABLE_BYTE: 3 * 65536,
  /** The pages the module starts with: everything but the table. */
  PAGES: 3,
  /** The most steps (of eight draws) one call of `below` takes (trace-lanes.ts cuts a block into such calls). */
  MAX_STEPS: 4096,
} as const;
