/**
 * The memory of the result draw (result-draw.wat), in bytes: result-draw.ts reads it here and the
 * .wat names the values as {{NAME}} (scripts/generate-wasm.ts fills them in).
 */
export const RESULT_DRAW_LAYOUT = {
  /** A result order's guide: per word's top GUIDE_BITS bits, a u16 (result-order.ts). */
  GUIDE_BYTE: 64,
  GUIDE_BITS: 12,
  GUIDE_SHIFT: 20,
  /** The order's thresholds (f64, one more than its results), then the counts by result (i32). */
  BOUNDS_BYTE: 64 + 2 * 4096,
  PAGES: 1,
} as const;
