/**
 * The memory of the result draw (result-draw.wat), in bytes: result-draw.ts reads it here and the
 * .wat names the values as {{NAME}} (scripts/generate-wasm.ts fills them in).
 */
export const RESULT_DRAW_LAYOUT = {
  /** The block's xoshiro128** state, s0 to s3: result-draw.ts writes it before a draw and reads it after. */
  STATE_BYTE: 0,
  STATE_1_BYTE: 4,
  STATE_2_BYTE: 8,
  STATE_3_BYTE: 12,
  /** A result order's guide: per word's top GUIDE_BITS bits, a u16 (result-order.ts). */
  GUIDE_BYTE: 64,
  GUIDE_BITS: 12,
  GUIDE_SHIFT: 20,
  /** The order's thresholds (f64, one more than its results), then the counts by result (i32). */
  BOUNDS_BYTE: 64 + 2 * 4096,
  PAGES: 1,
} as const;
