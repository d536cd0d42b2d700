import type { Report } from '../report.js';
import { exactMeets } from './exact-verdict.js';
import type { CellSummary } from './summary.js';

/** One `expect` assertion judged on one cell. */
export interface ExpectationCheck {
  readonly summary: CellSummary;
  readonly metric: string;
  readonly bound: string;
  readonly passed: boolean;
  readonly message: string;
}

/**
 * Judges each scenario's `expect` on every cell on the interval (README, "Scenarios"): atLeast holds when
 * the interval's lower end reaches the bound, atMost when its upper end stays under it. Without
 * trials the exact value is judged instead.
 */
export function judgeExpectations(report: Report): ExpectationCheck[] {
  const checks: ExpectationCheck[] = [];
  for (const summary of report.summaries) {
    const scenario = summary.cell.scenario;
    for (const e of scenario.expect) {
      const range = metricRange(summary, e.metric);
      if (!range) continue;
      const where = `${scenario.name} (${Object.entries(summary.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')})`;
      const shown = range.low === range.high ? `${range.low}` : `[${range.low}, ${range.high}]`;
      if (e.atLeast !== undefined) {
        const passed = range.exact ? exactMeets(range.low, '>=', e.atLeast) : range.low >= e.atLeast;
        checks.push({
          summary,
          metric: e.metric,
          bound: `≥ ${e.atLeast}`,
          passed,
          message: `${where}: ${e.metric} ${shown} is ${passed ? '' : 'not '}at least ${e.atLeast}`,
        });
      }
      if (e.atMost !== undefined) {
        const passed = range.exact ? exactMeets(range.high, '<=', e.atMost) : range.high <= e.atMost;
        checks.push({
          summary,
          metric: e.metric,
          bound: `≤ ${e.atMost}`,
          passed,
          message: `${where}: ${e.metric} ${shown} is ${passed ? '' : 'not '}at most ${e.atMost}`,
        });
      }
    }
  }
  return checks;
}

function metricRange(s: CellSummary, metric: string): { low: number; high: number; exact?: boolean } | null {
  if (s.trials > 0) {
    if (metric === 'success') return s.success;
    if (metric === 'disagreement') return s.disagreement;
    const i = s.outcomeNames.indexOf(metric);
    return i < 0 ? null : s.outcomes[i]!;
  }
  if (!s.exact) return null;
  const i = s.outcomeNames.indexOf(metric);
  const value = metric === 'success' ? s.exact.success : metric === 'disagreement' ? s.exact.disagreement : i < 0 ? undefined : s.exact.outcomes[i];
  return value === undefined ? null : { low: value, high: value, exact: true };
}
