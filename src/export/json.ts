import { plainNumber } from './numbers.js';
import { toRows } from './rows.js';
import type { Value } from './rows.js';
import type { Exporter } from './types.js';
import { contentDigest } from '../results/verify.js';

/** The part of a saved results.json that its digest covers: all a re-export reads (not the rows, which it recomputes). */
export function savedContent(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { tool, version, blockSize, confidence, scenarios, tallies, exact } = data;
  return { tool, version, blockSize, confidence, scenarios, tallies, exact };
}

/**
 * The rows of the CSV, same columns in the same order, plus what produced them (the reproducibility record: tool version, seeds, block size) and
 * the counts behind them.
 * Written by hand rather than by JSON.stringify so numbers stay plain decimals (no 4.3e-9).
 */
export const jsonExporter: Exporter = {
  name: 'json',
  render(report) {
    const { columns, records } = toRows(report.summaries);
    const rows = records.map((r) => `    {${columns.map((c) => `${JSON.stringify(c)}: ${value(r[c] ?? null)}`).join(', ')}}`);
    const head = {
      tool: report.tool.name,
      version: report.tool.version,
      blockSize: report.blockSize,
      confidence: report.confidence,
      scenarios: report.scenarios.map((s) => s.resolved),
      columns,
    };
    const headText = JSON.stringify(head, null, 2).slice(0, -2);
    // The integer counts behind every row, so that `merge` can re-export a saved run.
    const tallies = report.summaries.map((s) => `    ${JSON.stringify({ key: s.cell.key, ...(s.result.tally ?? {}) })}`);
    // And the exact values as the run had them, so that a re-export reproduces it without recomputing.
    const exact = report.summaries.map((s) => `    ${JSON.stringify(s.result.exact)}`);
    // Why a cell has no exact value (null where it has one): --no-exact, the automatic attempt's budget, a limit.
    const missing = report.summaries.map((s) => `    ${s.result.exact ? 'null' : JSON.stringify(s.result.exactMissing ?? null)}`);
    // A digest of what a re-export is made from (savedContent), so that an edited file is named.
    const digest = contentDigest(
      savedContent(
        JSON.parse(`{${JSON.stringify(head).slice(1, -1)}, "tallies": [${tallies.join(',')}], "exact": [${exact.join(',')}]}`) as Record<string, unknown>,
      ),
    );
    return `${headText},\n  "rows": [\n${rows.join(',\n')}\n  ],\n  "tallies": [\n${tallies.join(',\n')}\n  ],\n  "exact": [\n${exact.join(',\n')}\n  ],\n  "exactMissing": [\n${missing.join(',\n')}\n  ],\n  "digest": ${JSON.stringify(digest)}\n}\n`;
  },
};

function value(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return plainNumber(v);
  return JSON.stringify(v);
}
