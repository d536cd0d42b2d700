import type { CellSummary } from './summary.js';

/**
 * What the exact engine says of a metric in a cell: its value, held to the last digit (low =
 * high), or, where it is left empty (too small for a double to hold, engine/exact/figures.ts,
 * underflowOf), only that it lies from 0 up to below a bound: `held` false, low 0, high that bound.
 */
export interface ExactRange {
  readonly low: number;
  readonly high: number;
  readonly held: boolean;
}

/** The exact value of success, disagreement or an outcome, as a range (see ExactRange); null without exact values or such a metric. */
export function exactRange(s: CellSummary, metric: string): ExactRange | null {
  if (!s.exact) return null;
  const index = s.outcomeNames.indexOf(metric);
  const value = metric === 'success' ? s.exact.success : metric === 'disagreement' ? s.exact.disagreement : index < 0 ? undefined : s.exact.outcomes[index];
  if (value === undefined) return null;
  if (!Number.isNaN(value)) return { low: value, high: value, held: true };
  const below = s.result.exact?.underflow?.below;
  return below === undefined ? null : { low: 0, high: below, held: false };
}

/** An exact range as a verdict's message shows it: the value, or `below 7.1e-307 (…)` for one left empty. */
export function shownExactRange(range: ExactRange): string {
  return range.held ? `${range.low}` : `below ${range.high} (exact, too small for a double to hold to its last digit)`;
}
