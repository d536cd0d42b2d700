import type { Report } from '../report.js';

export interface ExportOptions {
  /** Colour is for terminals only; CSV, JSON and Markdown never carry it. */
  readonly color: boolean;
}

export interface Exporter {
  readonly name: string;
  render(report: Report, options: ExportOptions): string;
}
