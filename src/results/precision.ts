import type { Report } from '../report.js';

/** A cell run to a precision that stopped at its trial cap before reaching it. */
export interface UnreachedPrecision {
  readonly scenario: string;
  readonly cell: number;
  readonly params: Readonly<Record<string, number | string>>;
  readonly precision: number;
  /** The widest interval half-width of the proportions the cell reports, at the cap. */
  readonly halfWidth: number;
  readonly trials: number;
}

/** Cells whose widest half-width is still above the precision asked for (they stopped at maxTrials). */
export function unreachedPrecision(report: Report): UnreachedPrecision[] {
  const unreached: UnreachedPrecision[] = [];
  for (const s of report.summaries) {
    const scenario = s.cell.scenario;
    if (scenario.precision === undefined || s.trials === 0) continue;
    const halfWidth = Math.max(...[...s.outcomes, s.success, s.disagreement].map((p) => Math.max(p.high - p.estimate, p.estimate - p.low)));
    if (halfWidth > scenario.precision) {
      unreached.push({
        scenario: scenario.name,
        cell: s.cell.index + 1,
        params: s.params,
        precision: scenario.precision,
        halfWidth,
        trials: s.trials,
      });
    }
  }
  return unreached;
}
