import { BLOCK_SIZE } from './engine/montecarlo.js';
import { runCells } from './engine/runner.js';
import type { ExactMode } from './engine/runner.js';
import type { Report } from './export/types.js';
import { expandCells } from './scenario/cells.js';
import type { Scenario } from './scenario/types.js';
import { summarize } from './stats/summary.js';
import type { CellSummary } from './stats/summary.js';
import { TOOL } from './version.js';

export interface ExperimentOptions {
  readonly exact: ExactMode;
  /** false: exact values only, no trials. */
  readonly simulate: boolean;
  readonly confidence: number;
  readonly workers: number;
}

/** Runs every cell of every scenario and summarizes it: the whole job, minus I/O. */
export async function runExperiment(scenarios: readonly Scenario[], options: ExperimentOptions): Promise<Report> {
  const cells = scenarios.flatMap(expandCells);
  const results = await runCells(cells, options);
  const summaries = results.map((result) => summarize(result, options.confidence));
  return { tool: TOOL, scenarios, summaries, blockSize: BLOCK_SIZE, confidence: options.confidence };
}

/** One failed `expect` assertion. */
export interface ExpectationFailure {
  readonly summary: CellSummary;
  readonly message: string;
}

/**
 * Checks each scenario's `expect` on every cell, judged on the interval (SPEC §2): atLeast holds
 * when the interval's lower end reaches the bound, atMost when its upper end stays under it.
 * Without trials the exact value is judged instead.
 */
export function checkExpectations(report: Report): ExpectationFailure[] {
  const failures: ExpectationFailure[] = [];
  for (const summary of report.summaries) {
    const scenario = summary.result.cell.scenario;
    for (const e of scenario.expect) {
      const range = metricRange(summary, e.metric);
      if (!range) continue;
      const where = `${scenario.name} (${Object.entries(summary.result.cell.params).map(([k, v]) => `${k}=${v}`).join(', ')})`;
      const shown = range.low === range.high ? `${range.low}` : `[${range.low}, ${range.high}]`;
      if (e.atLeast !== undefined && !(range.low >= e.atLeast)) {
        failures.push({ summary, message: `${where}: ${e.metric} ${shown} is not at least ${e.atLeast}` });
      }
      if (e.atMost !== undefined && !(range.high <= e.atMost)) {
        failures.push({ summary, message: `${where}: ${e.metric} ${shown} is not at most ${e.atMost}` });
      }
    }
  }
  return failures;
}

function metricRange(s: CellSummary, metric: string): { low: number; high: number } | null {
  if (s.trials > 0) {
    if (metric === 'success') return s.success;
    if (metric === 'disagreement') return s.disagreement;
    const i = s.outcomeNames.indexOf(metric);
    return i < 0 ? null : s.outcomes[i]!;
  }
  if (!s.exact) return null;
  const value = metric === 'success' ? s.exact.success : metric === 'disagreement' ? s.exact.disagreement : s.exact.outcomes[s.outcomeNames.indexOf(metric)];
  return value === undefined ? null : { low: value, high: value };
}
