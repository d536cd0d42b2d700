import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { Command } from 'commander';
import { parse as parseCsv } from 'csv-parse/sync';
import { UsageError } from '../../errors.js';
import { runExperiment } from '../../experiment.js';
import { toRows, writtenColumns } from '../../export/rows.js';
import { PLOT_METRICS, chartSpec, defaultChart, lineColumns, renderPng, renderSvg, requireCharting, sweptParameters } from '../../plot/chart.js';
import { readSavedReport, resultsFileOf } from '../../results/saved-report.js';
import { terminalSafe } from '../../io/text.js';
import { checkChartOutput } from '../chart-output.js';
import { refuseDashName, writeWholeFile } from '../../io/output-place.js';
import type { ChartOptions, Row } from '../../plot/chart.js';
import { loadScenario } from '../../scenario/resolve.js';
import { expandCells } from '../../scenario/cells.js';
import { PARAMETER_NAMES } from '../../catalog/parameters.js';
import type { Scenario } from '../../scenario/types.js';
import type { CellSummary } from '../../stats/summary.js';
import { didYouMean } from '../../suggest.js';
import { readTextInput, systemErrorWords } from '../../io/files.js';
import { readInputAheadIfStream } from '../../io/stream-input.js';
import { checkRows, csvProblem } from '../../plot/rows-check.js';
import { addScenarioOptions, addWorkersOption, overridesFrom } from '../options.js';
import { failOnExpectations, loadBaselines, warnAboutReport, withBaselines } from '../report.js';
import type { Report } from '../../report.js';
import type { ScenarioFlags } from '../options.js';
import type { Streams } from '../output.js';
import { DEFAULT_CONFIDENCE } from '../../stats/wilson.js';

interface PlotFlags extends ScenarioFlags {
  output?: string;
  metric?: string;
  x?: string;
  series?: string;
  logY?: boolean;
  workers: number;
}

export function makePlotCommand(streams: Streams): Command {
  const command = new Command('plot')
    .description('chart a sweep: a metric against one parameter, one line per value of another (Vega; SVG or PNG)')
    .argument('<results>', 'a results.json or CSV saved from run, or a scenario file to run first')
    .option('-o, --output <file>', 'where to write the chart, .svg or .png (default: SVG on stdout)')
    .option('--metric <name>', `what to draw: ${PLOT_METRICS.join(', ')} or an outcome (default: disagreement)`)
    .option('--x <param>', 'the parameter along the x axis (default: the swept parameter with the most values)')
    .option('--series <param>', 'one line per value of this parameter (default: the other swept parameter)')
    .option('--log-y', 'logarithmic y axis (default: when the values span more than two orders of magnitude)');
  addScenarioOptions(command);
  addWorkersOption(command);
  return command.action(async (results: string, flags: PlotFlags) => {
    if (flags.output !== undefined) refuseDashName(flags.output, `-o ${flags.output}`, 'write the chart', 'without -o, plot prints the SVG there');
    const format = flags.output !== undefined ? extname(flags.output).toLowerCase() : '.svg';
    if (format !== '.svg' && format !== '.png') throw new UsageError(`-o ${flags.output}`, 'plot writes SVG or PNG: name the file .svg or .png');
    if (flags.x !== undefined && flags.series === flags.x)
      throw new UsageError(`--x ${flags.x} --series ${flags.series}`, 'one parameter cannot be both the x axis and the series: give another to one of them');
    if (flags.output !== undefined) await checkChartOutput(flags.output, `-o ${flags.output}`, [results, join(results, 'results.json')]);
    else await requireCharting('plot');
    const { columns, rows, title, report } = await loadRows(results, flags, streams);
    const note = (text: string): void => {
      if (!streams.quiet) streams.stderr.write(`note: ${text}\n`);
    };
    const svg = await renderSvg(chartSpec(rows, chooseAxes(columns, rows, flags, title), note));
    if (flags.output) {
      streams.checkResults?.(); // as before standard output: no chart of numbers made after a protocol file changed a built-in
      try {
        writeWholeFile(flags.output, format === '.png' ? await renderPng(svg) : svg);
      } catch (error) {
        throw new UsageError(
          `-o ${flags.output}`,
          `cannot write the chart: ${systemErrorWords(error)} (nothing was printed: without -o, plot prints the SVG on stdout)`,
        );
      }
      if (!streams.quiet) streams.stderr.write(`wrote ${terminalSafe(flags.output, true)}\n`);
    } else streams.stdout.write(svg);
    // A scenario run first is judged by its expect, as run judges it (exit 1 on a failure), once the chart is out.
    if (report) await failOnExpectations(report, streams);
  });
}

/**
 * What a file given to plot holds, by its extension (.csv, .json), else by how it starts: run's
 * CSV header or JSON, saved under another name (`run -f csv > results.txt`), is results, not a
 * scenario (which was refused as "results as CSV, not a scenario: chart them with plot"). Only a
 * regular file is looked into, so a pipe is read once, as a scenario.
 */
function resultsKind(path: string): string {
  const extension = extname(path).toLowerCase();
  if (extension === '.csv' || extension === '.json') return extension;
  let start = '';
  try {
    if (!statSync(path).isFile()) return extension;
    const fd = openSync(path, 'r');
    try {
      const bytes = Buffer.alloc(256);
      start = bytes
        .subarray(0, readSync(fd, bytes, 0, bytes.length, 0))
        .toString('utf8')
        .replace(/^\uFEFF/, '')
        .trimStart();
    } finally {
      closeSync(fd);
    }
  } catch {
    return extension; // named where it is read
  }
  if (/^scenario,protocol,channel(,|\r?\n|$)/.test(start)) return '.csv';
  if (/^\{\s*"tool"\s*:\s*"twogenerals"/.test(start)) return '.json';
  return extension;
}

/** The rows to plot: from saved results (JSON or CSV), or by running a scenario file. */
async function loadRows(given: string, flags: PlotFlags, streams: Streams): Promise<{ columns: string[]; rows: Row[]; title: string; report?: Report }> {
  const path = resultsFileOf(given);
  const extension = resultsKind(path);
  const metric = flags.metric ?? 'disagreement';
  // Results through a pipe are read in turns of the event loop, where a signal ends the command.
  if (extension === '.csv' || extension === '.json') await readInputAheadIfStream(path, extension === '.csv' ? 'csv' : 'shard');
  if (extension === '.csv') {
    refuseScenarioFlags(path, flags);
    const text = readTextInput(path, 'csv');
    let table: string[][];
    try {
      table = parseCsv(text, { bom: true, skip_empty_lines: true }) as string[][];
    } catch (error) {
      throw new UsageError(path, `not a CSV file twogenerals can read: ${csvProblem(error)}`);
    }
    const [header, ...body] = table;
    if (!header || !body.length) throw new UsageError(path, 'the CSV has no rows');
    checkMetric(metric, outcomeColumns(header));
    const rows = checkRows(path, header, body, metric);
    return { columns: header, rows, title: scenarioNames(rows) };
  }
  if (extension === '.json') {
    const data = safeJson(readTextInput(path, 'shard'));
    // A saved results.json carries a digest of its counts: an edited file is named, never drawn,
    // and its rows must be the figures its counts give (readSavedReport checks both).
    if (data && data['tool'] === 'twogenerals' && 'tallies' in data) {
      refuseScenarioFlags(path, flags);
      const { columns, records } = withOutcomeExact((await readSavedReport(path, false, true)).summaries, metric);
      checkMetric(metric, outcomeColumns([...columns]));
      const body = records.map((r) => columns.map((c) => r[c] ?? null));
      return { columns: [...columns], rows: checkRows(path, [...columns], body, metric), title: scenarioNames(records) };
    }
    if (data && Array.isArray(data['rows']) && Array.isArray(data['columns']) && data['columns'].every((c) => typeof c === 'string')) {
      refuseScenarioFlags(path, flags);
      const columns = data['columns'] as string[];
      const body = (data['rows'] as unknown[]).map((row, i) => {
        if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new UsageError(path, `row ${i + 1} is not an object of columns`);
        return columns.map((c) => (row as Record<string, unknown>)[c]);
      });
      if (!body.length) throw new UsageError(path, 'the results have no rows');
      checkMetric(metric, outcomeColumns(columns));
      const rows = checkRows(path, columns, body, metric);
      return { columns, rows, title: scenarioNames(rows) };
    }
    if (data && (data['kind'] === 'twogenerals-shard' || data['tool'] === 'twogenerals'))
      throw new UsageError(path, 'a shard or results file without rows: merge the shards first (`twogenerals merge … --format json`)');
  }
  // A scenario file: run it first (its protocol file, if it names one, loaded like run loads it).
  let scenario: Scenario;
  try {
    scenario = await loadScenario(path, overridesFrom(flags));
  } catch (error) {
    // Results through a pipe, read as the scenario they are not: plot reads results from a file.
    if (error instanceof UsageError && /^is (results as CSV|saved results), not a scenario/.test(error.problem))
      throw new UsageError(path, 'holds results, which plot reads from a file (.csv or .json), not a pipe: save them to one first');
    throw error;
  }
  // Its protocol's own outcomes alone: another protocol's (committed for the messenger) has nothing to draw, said before the run.
  checkMetric(metric, scenario.protocolDefinition.outcomes.names);
  checkAxesBeforeRun(scenario, flags);
  const baselines = await loadBaselines([scenario]);
  const report = withBaselines(
    await runExperiment([scenario], { exact: 'auto', simulate: true, confidence: flags.confidence ?? DEFAULT_CONFIDENCE, workers: flags.workers }),
    baselines,
  );
  // What run says of the same run (a precision not reached at maxTrials, a trace log's doubts, an
  // estimate far from its exact value), said here too: the chart alone drew it as if all was well.
  warnAboutReport(report, streams);
  const { columns, records } = withOutcomeExact(report.summaries, metric);
  return { columns: [...columns], rows: [...records], title: scenario.name, report };
}

/**
 * --x and --series (and a sweep to draw at all) judged on the scenario's cells before it runs, as
 * chooseAxes judges the results after: a slip is one line at once, not after the whole run.
 */
function checkAxesBeforeRun(scenario: Scenario, flags: PlotFlags): void {
  const cells = expandCells(scenario);
  const names = new Set<string>(['loss', 'redundancy', 'rounds']);
  for (const cell of cells) for (const name of Object.keys(cell.params)) names.add(name);
  const place = (name: string): number => (PARAMETER_NAMES.includes(name) ? PARAMETER_NAMES.indexOf(name) : PARAMETER_NAMES.length);
  const params = [...names].sort((a, b) => place(a) - place(b));
  const rows: Row[] = cells.map((cell) => ({ scenario: scenario.name, protocol: scenario.protocol, channel: '', ...cell.params }));
  // The columns run writes: the parameters between the names and trials, the results after.
  const [scenarioColumn, protocolColumn, channelColumn, ...results] = writtenColumns(scenario.protocolDefinition.outcomes.names);
  chooseAxes([scenarioColumn!, protocolColumn!, channelColumn!, ...params, ...results], rows, flags, scenario.name);
}

/**
 * The rows of these summaries, and where the metric is an outcome with exact values, its exact
 * probability as one more column (`onlyA_exact`, as `exact` names it): run's rows carry only
 * success's, disagreement's and the cost's, and the chart draws the exact curve where it is known.
 */
function withOutcomeExact(summaries: readonly CellSummary[], metric: string): { columns: readonly string[]; records: readonly Row[] } {
  const { columns, records } = toRows(summaries);
  if (PLOT_METRICS.includes(metric) || !summaries.some((s) => s.exact && s.outcomeNames.includes(metric))) return { columns, records };
  const column = `${metric}_exact`;
  return {
    columns: [...columns, column],
    records: records.map((r, i) => {
      const s = summaries[i]!;
      const at = s.outcomeNames.indexOf(metric);
      // An exact value left empty (too small for a double, said in run's note) is empty here too, as success's and disagreement's are.
      const value = s.exact && at >= 0 ? s.exact.outcomes[at] : undefined;
      return { ...r, [column]: value === undefined || Number.isNaN(value) ? null : value };
    }),
  };
}

/** Saved results are drawn as they are: a flag that would change a scenario run first is refused, never silently ignored. */
function refuseScenarioFlags(path: string, flags: PlotFlags): void {
  const given = [
    ...(['trials', 'seed', 'precision'] as const).filter((f) => flags[f] !== undefined).map((f) => `--${f}`),
    ...(flags.set?.length ? ['--set'] : []),
    ...(flags.sweep?.length ? ['--sweep'] : []),
  ];
  if (given.length)
    throw new UsageError(
      given.join(' '),
      `${terminalSafe(path, true)} holds saved results, drawn as they are: ${given.join(', ')} ${given.length > 1 ? 'apply' : 'applies'} only to a scenario file plot runs first`,
    );
}

function scenarioNames(rows: readonly Row[]): string {
  return [...new Set(rows.map((r) => String(r['scenario'])))].join(' + ');
}

function safeJson(text: string): Record<string, unknown> | null {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** The outcome counts' columns of saved results: between `trials, seed` and `success` (README, "What the numbers mean"). */
function outcomeColumns(columns: readonly string[]): string[] {
  const from = columns.indexOf('trials');
  const to = columns.indexOf('success');
  // The seed (a text) sits between the trials and the counts: it is no outcome.
  return from >= 0 && to > from ? columns.slice(from + 1, to).filter((c) => c !== 'seed') : [];
}

/**
 * The metric named, before anything is run: the built-in metrics and the outcomes these results
 * or this protocol have, and only those (another protocol's outcome has nothing to draw here).
 */
function checkMetric(metric: string, outcomes: readonly string[]): void {
  const known = [...new Set([...PLOT_METRICS, ...outcomes])];
  if (!known.includes(metric)) throw new UsageError(`--metric ${metric}`, `unknown metric${didYouMean(metric, known)}; choose one of: ${known.join(', ')}`);
}

function chooseAxes(columns: readonly string[], rows: readonly Row[], flags: PlotFlags, title: string): ChartOptions {
  const metric = flags.metric ?? 'disagreement';
  const defaults = defaultChart(columns, rows, title, metric);
  if (!defaults) throw new UsageError('plot', 'nothing to plot: the results have a single cell; plot draws a sweep (add one with --sweep)');
  const swept = sweptParameters(columns, rows);
  const x = flags.x ?? defaults.x;
  if (!swept.includes(x)) throw new UsageError(`--x ${x}`, `not a swept parameter of these results${didYouMean(x, swept)}; swept: ${swept.join(', ')}`);
  const series = flags.series ?? (flags.x ? (swept.find((c) => c !== x) ?? null) : defaults.series);
  if (series !== null && !columns.includes(series)) throw new UsageError(`--series ${series}`, `no such column${didYouMean(series, columns)}`);
  // A line per value of a result (success, a count, the seed) is no chart of the sweep: one per scenario, protocol, channel or parameter value.
  const end = columns.indexOf('trials');
  const parameters = columns.slice(0, end < 0 ? columns.length : end);
  if (series !== null && !parameters.includes(series))
    throw new UsageError(`--series ${series}`, `not a parameter of these results: draw one line per value of ${parameters.join(', ')}`);
  return { metric, x, series, logY: flags.logY ?? defaults.logY, logYAsked: flags.logY === true, title, lineBy: lineColumns(columns, rows, x, series) };
}
