import { Command } from 'commander';
import { ExpectationFailed } from '../../errors.js';
import { checkExpectations, runExperiment } from '../../experiment.js';
import { loadExporter } from '../../export/index.js';
import { Z_WARNING } from '../../stats/zscore.js';
import type { Report } from '../../export/types.js';
import { loadScenario } from '../../scenario/resolve.js';
import { thousands } from '../../export/numbers.js';
import { addReportOptions, addScenarioOptions, exactMode, overridesFrom } from '../options.js';
import type { ScenarioFlags } from '../options.js';
import { useColor } from '../output.js';
import type { Streams } from '../output.js';

export function makeRunCommand(streams: Streams): Command {
  const command = new Command('run')
    .description('run scenarios (the built-in default with no file) and print their statistics')
    .argument('[files...]', 'scenario files (YAML or JSON)')
    .option('--exact', 'compute exact values for every cell (default: where cheap)')
    .option('--no-exact', 'skip exact values');
  addScenarioOptions(command);
  addReportOptions(command);
  return command.action(async (files: string[], flags: ScenarioFlags) => {
    const started = performance.now();
    const scenarios = (files.length ? files : [undefined]).map((file) => loadScenario(file, overridesFrom(flags)));
    const report = await runExperiment(scenarios, { exact: exactMode(flags.exact), simulate: true, confidence: flags.confidence, workers: flags.workers });
    const seconds = (performance.now() - started) / 1000;
    await writeReport(report, flags.format, streams);
    warnAboutReport(report, streams);
    if (streams.stderr.isTTY) {
      const trials = report.summaries.reduce((n, s) => n + s.trials, 0);
      streams.stderr.write(`${thousands(trials)} trials in ${seconds.toFixed(2)} s (${thousands(Math.round(trials / seconds))} trials/s)\n`);
    }
    failOnExpectations(report, streams);
  });
}

export async function writeReport(report: Report, format: string | undefined, streams: Streams): Promise<void> {
  const exporter = await loadExporter(format ?? 'table');
  streams.stdout.write(exporter.render(report, { color: exporter.name === 'table' && useColor(streams.stdout, streams.env) }));
}

/** Warnings go to stderr: a |z| over 4 means the estimate and the exact value disagree. */
export function warnAboutReport(report: Report, streams: Streams): void {
  for (const s of report.summaries) {
    const cell = s.result.cell;
    const where = `${cell.scenario.name} (${Object.entries(cell.params).map(([k, v]) => `${k}=${v}`).join(', ')})`;
    if (s.result.exactSkipped && s.result.exactSkipped !== '') {
      streams.stderr.write(`warning: ${where}: no exact values: ${s.result.exactSkipped}\n`);
    }
    const e = s.exact;
    if (!e) continue;
    for (const [metric, z] of [['success', e.successZ], ['disagreement', e.disagreementZ], ['messengers', e.messengersZ]] as const) {
      if (z !== null && Math.abs(z) > Z_WARNING) {
        streams.stderr.write(`warning: ${where}: the ${metric} estimate is ${z.toFixed(1)} standard errors from the exact value\n`);
      }
    }
  }
}

export function failOnExpectations(report: Report, streams: Streams): void {
  const failures = checkExpectations(report);
  for (const f of failures) streams.stderr.write(`expect failed: ${f.message}\n`);
  if (failures.length) throw new ExpectationFailed(`${failures.length} expectation(s) failed`);
}
