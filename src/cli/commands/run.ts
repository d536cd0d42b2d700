import { rmSync } from 'node:fs';
import { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { BLOCK_SIZE } from '../../engine/montecarlo.js';
import { runCells } from '../../engine/runner.js';
import { ExpectationFailed, UsageError } from '../../errors.js';
import { runExperiment } from '../../experiment.js';
import { loadExporter } from '../../export/index.js';
import { thousands } from '../../export/numbers.js';
import type { Report } from '../../export/types.js';
import { toRows } from '../../export/rows.js';
import { chartSpec, defaultChart, renderSvg } from '../../plot/chart.js';
import { checkWritable, folderName, writeResultFolder } from '../../results/folder.js';
import { unreachedPrecision } from '../../results/precision.js';
import { parseShard, shardFile } from '../../results/shard.js';
import { expandCells } from '../../scenario/cells.js';
import { loadScenarioWithProtocol } from '../../scenario/resolve.js';
import type { Scenario } from '../../scenario/types.js';
import { judgeExpectations } from '../../stats/expectations.js';
import { Z_WARNING } from '../../stats/zscore.js';
import { TOOL } from '../../version.js';
import { addReportOptions, addResultOptions, addScenarioOptions, exactMode, overridesFrom, resultsDir } from '../options.js';
import type { ScenarioFlags } from '../options.js';
import { useColor } from '../output.js';
import { exactProgressLine, progressBar } from '../progress.js';
import type { Streams } from '../output.js';

export interface RunFlags extends ScenarioFlags {
  out?: string | true;
  shard?: string;
  progress?: boolean;
}

export function makeRunCommand(streams: Streams): Command {
  const command = new Command('run')
    .description('run scenarios (the built-in default with no file) and print their statistics')
    .argument('[files...]', 'scenario files (YAML or JSON)')
    .option('--progress', 'show the progress bar even when stderr is not a terminal (or in CI)')
    .option('--shard <i/n>', 'run only blocks b ≡ i (mod n) and print their counts as JSON, for `twogenerals merge`');
  addResultOptions(command);
  addScenarioOptions(command);
  addReportOptions(command);
  return command.action(async (files: string[], flags: RunFlags) => {
    const started = performance.now();
    const scenarios: Scenario[] = [];
    for (const file of files.length ? files : [undefined]) scenarios.push(await loadScenarioWithProtocol(file, overridesFrom(flags)));
    const outDir = flags.shard === undefined ? resultsDir(flags.out) : undefined;
    if (outDir !== undefined) {
      checkWritable(outDir);
      interruptions.watch(streams);
    }
    if (flags.shard !== undefined) {
      const shard = parseShard(flags.shard, `--shard ${flags.shard}`);
      // A shard is counts for `merge`, always JSON on stdout: what would change that is refused.
      const other =
        flags.out !== undefined
          ? '--out'
          : flags.format !== undefined
            ? '--format'
            : flags.exact !== undefined
              ? flags.exact
                ? '--exact'
                : '--no-exact'
              : command.getOptionValueSource('confidence') === 'cli'
                ? '--confidence'
                : undefined;
      if (other)
        throw new UsageError(
          `--shard ${flags.shard}`,
          `a shard prints its counts as JSON for \`twogenerals merge\`, so ${other} does not apply: give ${other} to merge`,
        );
      if (scenarios.some((s) => s.precision !== undefined)) {
        throw new UsageError(
          `--shard ${flags.shard}`,
          'a run to a precision decides when to stop from all blocks in order, so it cannot be sharded: give trials a number',
        );
      }
      const cells = scenarios.flatMap(expandCells);
      const bar = progressBar(streams, flags.progress === true);
      const results = await runCells(cells, { exact: 'off', simulate: true, workers: flags.workers, shard, progress: bar.update });
      bar.stop();
      streams.stdout.write(
        shardFile(
          TOOL,
          shard,
          BLOCK_SIZE,
          scenarios,
          cells,
          results.map((r) => r.tally!),
        ),
      );
      return;
    }
    const bar = progressBar(streams, flags.progress === true);
    const exact = exactMode(flags.exact);
    // The trials' bar owns the terminal while they run; exact progress shows only after them.
    const line = exactProgressLine(streams);
    let trialsDone = false;
    const progress = (p: Parameters<typeof bar.update>[0]): void => {
      trialsDone = p.trials >= p.totalTrials;
      bar.update(p);
    };
    const exactProgress = exact === 'on' ? (p: Parameters<typeof line.update>[0]) => trialsDone && line.update(p) : undefined;
    const report = await runExperiment(scenarios, { exact, simulate: true, confidence: flags.confidence, workers: flags.workers, progress, exactProgress });
    bar.stop();
    line.stop();
    const seconds = (performance.now() - started) / 1000;
    await writeReport(report, flags.format, streams);
    if (outDir !== undefined) await saveResults(outDir, report, seconds, streams);
    interruptions.stop();
    finishReport(report, streams, seconds);
  });
}

/**
 * Ctrl-C while results are to be saved: remove an unfinished folder (it never carries the final
 * name anyway) and say that nothing was saved.
 */
const interruptions = {
  temporary: '',
  handler: undefined as (() => void) | undefined,
  watch(streams: Streams): void {
    this.handler = () => {
      if (this.temporary) rmSync(this.temporary, { recursive: true, force: true });
      streams.stderr.write('twogenerals: interrupted; no result folder was saved\n');
      process.exit(130);
    };
    process.once('SIGINT', this.handler);
  },
  stop(): void {
    if (this.handler) process.removeListener('SIGINT', this.handler);
    this.handler = undefined;
  },
};

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
export async function saveResults(dir: string, report: Report, seconds: number, streams: Streams): Promise<string> {
  const [csv, json] = await Promise.all([loadExporter('csv'), loadExporter('json')]);
  const trials = report.summaries.reduce((n, s) => n + s.trials, 0);
  const unreached = unreachedPrecision(report);
  const manifest = {
    tool: TOOL.name,
    version: TOOL.version,
    node: process.version,
    seeds: report.scenarios.map((s) => s.seed),
    blockSize: report.blockSize,
    argv: process.argv.slice(2),
    startedAt: new Date(Date.now() - seconds * 1000).toISOString(),
    wallSeconds: Number(seconds.toFixed(3)),
    trialsPerSecond: seconds > 0 ? Math.round(trials / seconds) : null,
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
  const path = writeResultFolder(dir, name, files, (t) => (interruptions.temporary = t));
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
    const cell = s.result.cell;
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
