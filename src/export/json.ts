import { jsonFormatEscaped } from '../io/text.js';
import { plainJson, plainNumber } from './numbers.js';
import { toRows } from './rows.js';
import type { Value } from './rows.js';
import type { Exporter } from './types.js';
import { contentDigest } from '../results/verify.js';
import { baselineDigests } from '../results/baseline-digests.js';
import { judgeExpectations } from '../stats/expectations.js';
import type { ExpectationCheck } from '../stats/expectations.js';
import type { CellSummary } from '../stats/summary.js';

/** The part of a saved results.json that its digest covers: all a re-export reads (not the rows, which it recomputes). */
export function savedContent(data: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { tool, version, blockSize, confidence, scenarios, tallies, exact, places, baselines } = data;
  return { tool, version, blockSize, confidence, scenarios, tallies, exact, places, baselines };
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
    const headText = plainJson(head, 2).slice(0, -2);
    // The integer counts behind every row, so that `merge` can re-export a saved run.
    const tallies = report.summaries.map((s) => `    ${plainJson({ key: s.cell.key, ...(s.result.tally ?? {}) })}`);
    // And the exact values as the run had them, so that a re-export reproduces it without recomputing.
    const exact = report.summaries.map((s) => `    ${plainJson(exactBlock(s))}`);
    // Why a cell has no exact value (null where it has one): --no-exact, the automatic attempt's budget, a limit.
    const missing = report.summaries.map((s) => `    ${s.result.exact ? 'null' : JSON.stringify(s.result.exactMissing ?? null)}`);
    // Where each scenario's expect entries are written, where some are: a re-export's gates point
    // there (JUnit's file and line) and find a notWorseThan baseline beside that file, as the run did.
    const places = report.scenarios.some((s) => s.expect.some((e) => e.place !== undefined))
      ? JSON.stringify(report.scenarios.map((s) => s.expect.map((e) => e.place ?? null)))
      : null;
    // Which saved run each notWorseThan gate was judged against: a re-export judges against the same ones.
    const recorded = baselineDigests(report);
    const baselines = recorded ? JSON.stringify(recorded) : null;
    // A digest of what a re-export is made from (savedContent), so that an edited file is named.
    const digest = contentDigest(
      savedContent(
        JSON.parse(
          `{${JSON.stringify(head).slice(1, -1)}, "tallies": [${tallies.join(',')}], "exact": [${exact.join(',')}]${places ? `, "places": ${places}` : ''}${baselines ? `, "baselines": ${baselines}` : ''}}`,
        ) as Record<string, unknown>,
      ),
    );
    // The gates' verdicts, where the scenarios have any: CI reads which gate failed from here.
    const checks = judgeExpectations(report);
    const verdicts = checks.length ? `  "verdicts": [\n${checks.map((c) => `    ${verdictJson(c)}`).join(',\n')}\n  ],\n` : '';
    // Format controls of the user's text (U+202E, U+2028, U+FEFF) as escapes, as JSON writes C0's: the same values, nothing that reorders or breaks what is shown.
    return jsonFormatEscaped(
      `${headText},\n  "rows": [\n${rows.join(',\n')}\n  ],\n  "tallies": [\n${tallies.join(',\n')}\n  ],\n  "exact": [\n${exact.join(',\n')}\n  ],\n  "exactMissing": [\n${missing.join(',\n')}\n  ],\n${verdicts}${places ? `  "places": ${places},\n` : ''}${baselines ? `  "baselines": ${baselines},\n` : ''}  "digest": ${JSON.stringify(digest)}\n}\n`,
    );
  },
};

/**
 * A cell's exact values as the engine gave them, but for a messengers' sd its column leaves empty
 * (too small to tell from the mass its paths lost to underflow: stats/summary.ts), which is null
 * here as in the rows: it held the figure the column refuses (1.999988867151698e-160 for 2e-160).
 */
function exactBlock(s: CellSummary): unknown {
  const raw = s.result.exact;
  if (!raw?.figures || !s.exact || !Number.isNaN(s.exact.messengersSd)) return raw;
  return { ...raw, figures: { ...raw.figures, messengersSd: null } };
}

/** One gate on one cell: what was asked, what was found, whether it held, and where it is written. */
function verdictJson(c: ExpectationCheck): string {
  const fields: [string, string][] = [
    ['scenario', JSON.stringify(c.summary.cell.scenario.name)],
    ['cell', String(c.summary.cell.index + 1)],
    [
      'params',
      `{${Object.entries(c.summary.params)
        .map(([k, v]) => `${JSON.stringify(k)}: ${value(v)}`)
        .join(', ')}}`,
    ],
    ['metric', JSON.stringify(c.metric)],
    ['kind', JSON.stringify(c.kind)],
    ['bound', JSON.stringify(c.bound)],
    ['low', value(c.value.low)],
    ['high', value(c.value.high)],
    ...(c.baseline
      ? ([
          ['baseline', value(c.baseline.value)],
          ['baselineExact', String(c.baseline.exact)],
          ['z', c.baseline.z === null ? 'null' : value(c.baseline.z)],
        ] as [string, string][])
      : []),
    ['passed', String(c.passed)],
    ['message', JSON.stringify(c.message)],
  ];
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(', ')}}`;
}

function value(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return plainNumber(v);
  return JSON.stringify(v);
}
