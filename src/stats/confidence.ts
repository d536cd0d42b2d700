/**
 * How far (relatively) a double's distance from 1 may stray from the written confidence's: it
 * holds that distance, the tail every interval is computed from, to six significant digits.
 */
const TAIL_HELD = 1e-6;

/**
 * Where a double holds a confidence's distance from 1 (its tail) as another number than the
 * decimal written, that decimal tail and the double's; else null. A double near 1 is a multiple
 * of 2^-53, so 0.9999999999999998 is held as 1 − 2.22e-16, not 1 − 2e-16, and its intervals
 * would be those of a confidence 11% further from 1 (0.3% off in their ends); up to about eleven
 * nines (0.99999999999, held to 1e-7) the tail is held to six digits.
 */
export function misheldTail(confidence: number, written = String(confidence)): { written: number; held: number } | null {
  // Below one half the tail is over one half, held as well as any double.
  if (!(confidence >= 0.5 && confidence < 1)) return null;
  const text = /^\+?0*\.\d+$/.test(written.trim()) ? written.trim() : String(confidence);
  const digits = text.slice(text.indexOf('.') + 1);
  if (!/^\d+$/.test(digits)) return null;
  const decimalTail = Number(`${10n ** BigInt(digits.length) - BigInt(digits)}e-${digits.length}`);
  // 1 − c is exact for a double c in [0.5, 1] (Sterbenz).
  const held = 1 - confidence;
  return Math.abs(held - decimalTail) > TAIL_HELD * decimalTail ? { written: decimalTail, held } : null;
}

/** Whether `confidence` is a level intervals can be computed at: strictly between 0 and 1, its tail held by a double. */
export function computableConfidence(confidence: unknown): confidence is number {
  return typeof confidence === 'number' && confidence > 0 && confidence < 1 && misheldTail(confidence) === null;
}
