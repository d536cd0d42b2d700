import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { ExpectationFailed } from '../errors.js';
import { loadExporter } from '../export/index.js';
import { thousands } from '../export/numbers.js';
import { toRows } from '../export/rows.js';
import { chartSpec, defaultChart, renderSvg } from '../plot/chart.js';
import type { Report } from '../report.js';
import { folderName, writeResultFolder } from '../results/folder.js';
import { unreachedPrecision } from '../results/precision.js';
import { judgeExpectations } from '../stats/expectations.js';
import { Z_WARNING } from '../stats/zscore.js';
import { TOOL } from '../version.js';
import { useColor } from './output.js';
import type { Streams } from './output.js';

/** What run, merge and exact do with a finished report: print it, save it, warn, and judge its expectations. */
/** Warnings, timing and expectations: what follows the data, on stderr. */
export function finishReport(report: Report, streams: Streams, seconds?: number): void {
  warnAboutReport(report, streams);
  if (seconds !== undefined && streams.stderr.isTTY) {
    const trials = report.summaries.reduce((n, s) => n + s.trials, 0);
    streams.stderr.write(`${thousands(trials)} trials in ${seconds.toFixed(2)} s (${thousands(Math.round(trials / seconds))} trials/s)\n`);
  }
  failOnExpectations(report, streams);
}

export async function writeReport(report: Report, format: string | undefined, streams: Streams): Promise<void> {
  const exporter = await loadExporter(format ?? 'table');
  streams.stdout.write(exporter.render(report, { color: exporter.name === 'table' && useColor(streams.stdout, streams.env) }));
}

/** Saves the run as a result folder, written under a temporary name and renamed when complete. */
export async function saveResults(
  dir: string,
  report: Report,
  seconds: number,
  streams: Streams,
  argv: readonly string[],
  onTemporaryFolder: (path: string) => void = () => undefined,
): Promise<string> {
  const [csv, json] = await Promise.all([loadExporter('csv'), loadExporter('json')]);
  const trials = report.summaries.reduce((n, s) => n + s.trials, 0);
  const unreached = unreachedPrecision(report);
  const manifest = {
    tool: TOOL.name,
    version: TOOL.version,
    node: process.version,
    seeds: report.scenarios.map((s) => s.seed),
    blockSize: report.blockSize,
    argv, // the command line the CLI was given, whoever called it
    startedAt: new Date(Date.now() - seconds * 1000).toISOString(),
    wallSeconds: Number(seconds.toFixed(3)),
    trialsPerSecond: seconds > 0 ? Math.round(trials / seconds) : null,
    // Cells without exact values, and why (--no-exact, the automatic attempt's budget, a limit).
    exactMissing: report.summaries.flatMap((s) =>
      s.result.exact ? [] : [{ scenario: s.cell.scenario.name, params: s.params, reason: s.result.exactMissing ?? null }],
    ),
    // Cells run to a precision that stopped at maxTrials first (empty when every one got there).
    ...(report.scenarios.some((s) => s.precision !== undefined) ? { precisionNotReached: unreached } : {}),
  };
  const files: Record<string, string> = {
    'results.csv': csv.render(report, { color: false }),
    'results.json': json.render(report, { color: false }),
    'scenario.yaml': report.scenarios.map((s) => toYaml(s.resolved)).join('---\n'),
    'manifest.json': `${JSON.stringify(manifest, null, 2)}\n`,
  };
  const chart = await sweepChart(report);
  if (chart) files['chart.svg'] = chart;
  const name = folderName(dir, report.scenarios.map((s) => s.name).join('+'), new Date());
  const path = writeResultFolder(dir, name, files, onTemporaryFolder);
  streams.stderr.write(`saved ${path}\n`);
  return path;
}

/** The default chart of a sweep (as `plot` draws it), or null for a single cell. */
async function sweepChart(report: Report): Promise<string | null> {
  const { columns, records } = toRows(report.summaries);
  const options = defaultChart(columns, records, report.scenarios.map((s) => s.name).join(' + '));
  return options ? renderSvg(chartSpec(records, options)) : null;
}

/** Warnings go to stderr: a |z| over 4 means the estimate and the exact value disagree. */
export function warnAboutReport(report: Report, streams: Streams): void {
  for (const u of unreachedPrecision(report)) {
    const params = Object.entries(u.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    streams.stderr.write(
      `warning: ${u.scenario} (${params}): precision ${u.precision} not reached: stopped at maxTrials, ${thousands(u.trials)} trials, with a half-width of ${Number(u.halfWidth.toPrecision(3))}\n`,
    );
  }
  for (const s of report.summaries) {
    const cell = s.cell;
    const where = `${cell.scenario.name} (${Object.entries(cell.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')})`;
    if (s.result.exactSkipped) streams.stderr.write(`warning: ${where}: no exact values: ${s.result.exactSkipped}\n`);
    const e = s.exact;
    if (!e) continue;
    for (const [metric, z] of [
      ['success', e.successZ],
      ['disagreement', e.disagreementZ],
      ['messengers', e.messengersZ],
    ] as const) {
      if (z !== null && Math.abs(z) > Z_WARNING) {
        streams.stderr.write(`warning: ${where}: the ${metric} estimate is ${z.toFixed(1)} standard errors from the exact value\n`);
      }
    }
  }
}

export function failOnExpectations(report: Report, streams: Streams): void {
  const failures = judgeExpectations(report).filter((c) => !c.passed);
  for (const f of failures) streams.stderr.write(`expect failed: ${f.message}\n`);
  if (failures.length) throw new ExpectationFailed(`${failures.length} expectation(s) failed`);
}

/** The arguments the CLI was given (after the program's own two), as commander received them. */
export function commandLine(command: Command): string[] {
  let root = command;
  while (root.parent) root = root.parent;
  return (root as Command & { rawArgs?: string[] }).rawArgs?.slice(2) ?? [];
}
