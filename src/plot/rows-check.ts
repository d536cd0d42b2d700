import { UsageError } from '../errors.js';
import type { Value } from '../export/rows.js';
import { PROTOCOLS } from '../catalog/protocols.js';
import { PARAMETERS } from '../catalog/parameters.js';
import { terminalSafe } from '../io/text.js';
import type { Row } from './chart.js';
import { nounFor } from '../io/wording.js';

/**
 * Columns whose values are text: the names, the seed (any string), and every parameter declared
 * as text (a trace's file, column and digest); every other column of twogenerals' results is a
 * number or empty.
 */
const textColumns = (): Set<string> =>
  new Set(['scenario', 'protocol', 'channel', 'direction', 'seed', ...PARAMETERS.filter((p) => p.text).map((p) => p.name)]);
/** Columns every results file of `run` has. */
const REQUIRED = ['scenario', 'protocol', 'channel', 'trials'];
const OUTCOMES = new Set(Object.values(PROTOCOLS).flatMap((p) => p.outcomes.names));

/** The columns a metric is drawn from. */
function metricColumns(metric: string): string[] {
  if (OUTCOMES.has(metric)) return [metric];
  if (metric === 'success' || metric === 'disagreement') return [metric, `${metric}_low`, `${metric}_high`];
  return [metric];
}

/**
 * Rows of a results table (CSV from `run`, or results.json's rows) checked to be twogenerals'
 * results: the columns run writes, the same number of values in every row, numbers where
 * numbers belong. Missing columns are named; a value that is not a number is an error, never a
 * silently dropped point.
 */
export function checkRows(path: string, header: readonly string[], body: readonly (readonly unknown[])[], metric: string): Row[] {
  const missing = [...REQUIRED, ...metricColumns(metric)].filter((c) => !header.includes(c));
  if (missing.length) {
    const what = REQUIRED.every((c) => !header.includes(c)) ? 'not results of twogenerals run: ' : '';
    throw new UsageError(
      path,
      `${what}missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${terminalSafe(c, true)}'`).join(', ')}${OUTCOMES.has(metric) || metric === 'disagreement' || metric === 'success' ? '' : ` (for --metric ${metric})`}`,
    );
  }
  const duplicate = header.find((c, i) => header.indexOf(c) !== i);
  if (duplicate !== undefined) throw new UsageError(path, `the column '${terminalSafe(duplicate, true)}' appears twice`);
  const needed = new Set(['scenario', 'trials', metricColumns(metric)[0]!]);
  const text = textColumns();
  return body.map((values, r) => {
    const line = r + 2;
    if (values.length !== header.length)
      throw new UsageError(
        path,
        `row ${line - 1} has ${values.length} ${nounFor(values.length, 'value')}; the header has ${header.length} ${nounFor(header.length, 'column')}`,
      );
    const row: Record<string, Value> = {};
    header.forEach((column, c) => {
      const raw = values[c];
      if (raw === null || raw === undefined || raw === '') {
        if (needed.has(column)) throw new UsageError(path, `row ${line - 1}: the ${terminalSafe(column, true)} column is empty`);
        row[column] = null;
      } else if (text.has(column)) {
        row[column] = String(raw);
      } else {
        const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
        if (!Number.isFinite(n)) {
          throw new UsageError(path, `row ${line - 1}, column ${terminalSafe(column, true)}: ${notANumber(raw)}`);
        }
        // Outcomes are drawn as proportions of the trials: a row of no trials has none.
        if (column === 'trials' && !(Number.isInteger(n) && n >= 1))
          throw new UsageError(path, `row ${line - 1}, column trials: ${n} is not a number of trials (a whole number, 1 or more)`);
        row[column] = n;
      }
    });
    // Numbers twogenerals could not have written: a probability outside 0..1, an outcome count
    // that is no whole number of the row's trials. Drawn, they would be a wrong point.
    const trials = row['trials'] as number;
    for (const column of header) {
      const v = row[column];
      if (typeof v !== 'number') continue;
      if (PROBABILITY_COLUMNS.has(column) && !(v >= 0 && v <= 1))
        throw new UsageError(path, `row ${r + 1}, column ${terminalSafe(column, true)}: ${v} is not a probability (0 to 1)`);
      if (OUTCOMES.has(column) && !(Number.isInteger(v) && v >= 0 && v <= trials))
        throw new UsageError(
          path,
          `row ${r + 1}, column ${terminalSafe(column, true)}: ${v} is not a count of the row's ${trials} ${nounFor(trials, 'trial')}`,
        );
    }
    return row;
  });
}

/**
 * Why a value read where a number belongs is none, in words: a text as written (`'abc' is not a
 * number`), a JSON number a double cannot hold (1e400 is read as Infinity: `Infinity is not a
 * finite number`, where it said `number is not a number`), else what JSON value it is.
 */
function notANumber(raw: unknown): string {
  if (typeof raw === 'string') return `'${terminalSafe(raw.length > 30 ? `${raw.slice(0, 27)}…` : raw, true)}' is not a number`;
  if (typeof raw === 'number') return `${raw} is not a finite number`;
  if (typeof raw === 'boolean') return `${raw} is not a number`;
  return `${Array.isArray(raw) ? 'a list' : `a JSON ${typeof raw}`} is not a number`;
}

/** Columns that hold probabilities in every results file of twogenerals. */
const PROBABILITY_COLUMNS = new Set(
  ['success', 'disagreement'].flatMap((m) => [m, `${m}_low`, `${m}_high`, `${m}_exact`]).concat([...OUTCOMES].map((o) => `${o}_exact`)),
);

/** What csv-parse found wrong, in words and without echoing the file's bytes. */
export function csvProblem(error: unknown): string {
  const e = error as { code?: string; lines?: number; record?: unknown[]; message?: string };
  const at = typeof e.lines === 'number' ? ` on line ${e.lines}` : '';
  switch (e.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH':
      return `a row has a different number of values than the header${at}`;
    case 'CSV_QUOTE_NOT_CLOSED':
      return `a quoted value is never closed${at}`;
    case 'CSV_INVALID_OPENING_QUOTE':
    case 'INVALID_OPENING_QUOTE':
      return `a quote inside an unquoted value${at}`;
    case 'CSV_INVALID_CLOSING_QUOTE':
      return `a quoted value goes on after its closing quote${at}`;
    case 'CSV_MAX_RECORD_SIZE':
      return `a row is too long${at}`;
    default:
      return `malformed CSV${at}`;
  }
}
