import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import { Command } from 'commander';
import { parse as parseCsv } from 'csv-parse/sync';
import { UsageError } from '../../errors.js';
import { runExperiment } from '../../experiment.js';
import { toRows } from '../../export/rows.js';
import { PLOT_METRICS, chartSpec, defaultChart, renderPng, renderSvg, sweptParameters } from '../../plot/chart.js';
import type { ChartOptions, Row } from '../../plot/chart.js';
import { PROTOCOLS } from '../../protocols/index.js';
import { loadScenario } from '../../scenario/resolve.js';
import { didYouMean } from '../../suggest.js';
import { addScenarioOptions, addWorkersOption, overridesFrom } from '../options.js';
import type { ScenarioFlags } from '../options.js';
import type { Streams } from '../output.js';

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
    const format = flags.output ? extname(flags.output).toLowerCase() : '.svg';
    if (format !== '.svg' && format !== '.png') throw new UsageError(`-o ${flags.output}`, 'plot writes SVG or PNG: name the file .svg or .png');
    const { columns, rows, title } = await loadRows(results, flags);
    const svg = await renderSvg(chartSpec(rows, chooseAxes(columns, rows, flags, title)));
    if (flags.output) {
      try {
        writeFileSync(flags.output, format === '.png' ? await renderPng(svg) : svg);
      } catch (error) {
        throw new UsageError(`-o ${flags.output}`, `cannot write the chart: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      streams.stderr.write(`wrote ${flags.output}\n`);
    } else streams.stdout.write(svg);
  });
}

/** The rows to plot: from saved results (JSON or CSV), or by running a scenario file. */
async function loadRows(path: string, flags: PlotFlags): Promise<{ columns: string[]; rows: Row[]; title: string }> {
  const extension = extname(path).toLowerCase();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(path, `cannot read it: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(error)}`);
  }
  if (extension === '.csv') {
    const rows = parseCsv(text, { columns: true, cast: (v, context) => (context.header ? v : v === '' ? null : Number.isNaN(Number(v)) ? v : Number(v)) }) as Row[];
    if (!rows.length) throw new UsageError(path, 'the CSV has no rows');
    return { columns: Object.keys(rows[0]!), rows, title: scenarioNames(rows) };
  }
  if (extension === '.json') {
    const data = safeJson(text);
    if (data && Array.isArray(data['rows']) && Array.isArray(data['columns'])) {
      const rows = data['rows'] as Row[];
      return { columns: data['columns'] as string[], rows, title: scenarioNames(rows) };
    }
  }
  // A scenario file: run it first.
  const scenario = loadScenario(path, overridesFrom(flags));
  const report = await runExperiment([scenario], { exact: 'auto', simulate: true, confidence: flags.confidence ?? 0.95, workers: flags.workers });
  const { columns, records } = toRows(report.summaries);
  return { columns: [...columns], rows: [...records], title: scenario.name };
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

function chooseAxes(columns: readonly string[], rows: readonly Row[], flags: PlotFlags, title: string): ChartOptions {
  const outcomes = Object.values(PROTOCOLS).flatMap((p) => p.outcomes.names);
  const known = [...PLOT_METRICS, ...outcomes];
  const metric = flags.metric ?? 'disagreement';
  if (!known.includes(metric)) throw new UsageError(`--metric ${metric}`, `unknown metric${didYouMean(metric, known)}; choose one of: ${known.join(', ')}`);
  const defaults = defaultChart(columns, rows, title, metric);
  if (!defaults) throw new UsageError('plot', 'nothing to plot: the results have a single cell; plot draws a sweep (add one with --sweep)');
  const swept = sweptParameters(columns, rows);
  const x = flags.x ?? defaults.x;
  if (!swept.includes(x)) throw new UsageError(`--x ${x}`, `not a swept parameter of these results${didYouMean(x, swept)}; swept: ${swept.join(', ')}`);
  const series = flags.series ?? (flags.x ? (swept.find((c) => c !== x) ?? null) : defaults.series);
  if (series !== null && !columns.includes(series)) throw new UsageError(`--series ${series}`, `no such column${didYouMean(series, columns)}`);
  return { metric, x, series, logY: flags.logY ?? defaults.logY, title };
}
