import { EXACT_ROUNDING, exactVerdict } from './exact-verdict.js';
import type { ExactVerdict } from './exact-verdict.js';
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
  /**
   * The exact mass of the other outcomes, from the least to the most it may be (an outcome left
   * empty counts from 0 to its bound): what tells a value near 1 from 1, where the double has
   * rounded it there (a success of 1 − 1.2e-21 is held as 1; its complement, 1.2e-21, is not 0).
   */
  readonly rest: { readonly low: number; readonly high: number };
  /** How far the engine that computed it may stray, relative to the smaller of the value and its complement (roundingOf); EXACT_ROUNDING where absent. */
  readonly rounding?: number;
}

/**
 * How far an engine's exact values may stray by its own rounding, relative to the smaller of a
 * value and its complement (exact-verdict.ts): EXACT_ROUNDING, but for two-phase commit's
 * independent cohorts, which carry every mass in double-double and round each figure once, and
 * which an outside 150-digit oracle finds within 2 units in the last place (4.4e-16 of the value)
 * on some 240 cells (test/exact-cohorts-last-digit.test.ts): 1e-15 there, beside the double's own
 * resolution (8 units in the last place) that every verdict allows.
 */
export function roundingOf(method: string | undefined): number {
  return method === 'independent cohorts' ? 1e-15 : EXACT_ROUNDING;
}

/** The exact value of success, disagreement or an outcome, as a range (see ExactRange); null without exact values or such a metric. */
export function exactRange(s: CellSummary, metric: string): ExactRange | null {
  if (!s.exact) return null;
  const index = s.outcomeNames.indexOf(metric);
  const value = metric === 'success' ? s.exact.success : metric === 'disagreement' ? s.exact.disagreement : index < 0 ? undefined : s.exact.outcomes[index];
  if (value === undefined) return null;
  const rest = restOf(s, metric);
  const rounding = roundingOf(s.result.exact?.method);
  if (!Number.isNaN(value)) return { low: value, high: value, held: true, rest, rounding };
  const below = s.result.exact?.underflow?.below;
  return below === undefined ? null : { low: 0, high: below, held: false, rest, rounding };
}

/** The exact mass of the outcomes outside a metric (ExactRange.rest): each held value, and each left empty from 0 to its bound. */
function restOf(s: CellSummary, metric: string): { low: number; high: number } {
  const set = s.cell.scenario.protocolDefinition.outcomes;
  const inside = metric === 'success' ? set.success : metric === 'disagreement' ? set.disagreement : [s.outcomeNames.indexOf(metric)];
  const below = s.result.exact?.underflow?.below ?? 0;
  let low = 0;
  let high = 0;
  s.exact!.outcomes.forEach((p, i) => {
    if (inside.includes(i)) return;
    if (Number.isNaN(p)) high += below;
    else {
      low += p;
      high += p;
    }
  });
  return { low, high };
}

/**
 * An exact range against `≥ bound` or `≤ bound`, allowing for rounding (exactVerdict): a
 * value left empty by its range's unfavourable end; a held value as it is, but the double 1 by its
 * complement (value ≥ b where the rest ≤ 1 − b), which the double holds where it rounds the value
 * itself to 1 (a success of 1 − 1.2e-21 does not meet `success >= 1`). Only there: 1 − b is
 * itself rounded, by up to half a unit of 1's last place, which is a large part of a small
 * complement (1 − 0.99999 is 9.99999999995449e-6), so judging every value near 1 by its
 * complement failed an exact success of 0.99999 against `success >= 0.99999`.
 */
export function exactRangeVerdict(range: ExactRange, relation: '>=' | '<=', bound: number): ExactVerdict {
  const rounding = range.rounding ?? EXACT_ROUNDING;
  if (!range.held) return exactVerdict(relation === '>=' ? range.low : range.high, relation, bound, rounding);
  if (range.low !== 1) return exactVerdict(range.low, relation, bound, rounding);
  return relation === '>=' ? exactVerdict(range.rest.high, '<=', 1 - bound, rounding) : exactVerdict(range.rest.low, '>=', 1 - bound, rounding);
}

/** An exact range as a verdict's message shows it: the value, `1 − 1.2e-21 (…)` for one held as 1 that is not, or `below 7.1e-307 (…)` for one left empty. */
export function shownExactRange(range: ExactRange): string {
  if (!range.held) return `below ${range.high} (exact, too small for a double to hold to its last digit)`;
  // A value the double holds as 1 that is not the sure thing: by the mass of the rest.
  if (range.low === 1 && range.rest.high > 0)
    return `${range.rest.low > 0 ? `1 − ${range.rest.low}` : `1 − less than ${range.rest.high}`} (exact; a double holds it as 1)`;
  return `${range.low}`;
}
