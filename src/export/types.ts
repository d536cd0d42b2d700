import type { Scenario } from '../scenario/types.js';
import type { CellSummary } from '../stats/summary.js';

/** What every exporter receives: the summaries of all cells and what produced them. */
export interface Report {
  readonly tool: { readonly name: string; readonly version: string };
  readonly scenarios: readonly Scenario[];
  readonly summaries: readonly CellSummary[];
  readonly blockSize: number;
  readonly confidence: number;
}

export interface ExportOptions {
  /** Colour is for terminals only; CSV, JSON and Markdown never carry it. */
  readonly color: boolean;
}

export interface Exporter {
  readonly name: string;
  render(report: Report, options: ExportOptions): string;
}
