import { Command } from 'commander';
import { inputPath } from '../../scenario/shipped.js';
import { runExperiment } from '../../experiment.js';
import { loadScenarios } from '../../scenario/resolve.js';
import type { Scenario } from '../../scenario/types.js';
import { addFormatOption, addJunitOption, addOverrideOptions, overridesFrom } from '../options.js';
import type { ScenarioFlags } from '../options.js';
import type { Streams } from '../output.js';
import { exactProgressLine } from '../progress.js';
import { cellName, filesScenariosRead, finishReport, loadBaselines, withBaselines, writeReport } from '../report.js';
import { UsageError } from '../../errors.js';
import { inlineText } from '../../io/text.js';
import type { Report } from '../../report.js';
import { judgeExpectations } from '../../stats/expectations.js';
import { checkOutputFile } from '../../io/output-place.js';
import { DEFAULT_CONFIDENCE } from '../../stats/wilson.js';
import { EXACT_NOT_TRIED } from '../../engine/schedule/runner.js';

/**
 * The exact values are all `exact` prints: a cell the engine could not solve (too large for its
 * work or memory limits) would be a row of empty fields under exit 0. Refused instead, naming the
 * first such cell and why, before anything is printed (the cells after it are not computed).
 */
function refuseMissingExact(report: Report): void {
  // The cell the engine gave up on, not one left uncomputed because of it.
  const missing = report.summaries.find((s) => s.result.exact === null && s.result.exactMissing !== EXACT_NOT_TRIED);
  if (!missing) return;
  const { scenario } = missing.cell;
  // A gate on that cell is named first, as the gate it is (the same words as where it cannot be judged after a run);
  // that cell's alone: a cell before it left uncomputed (found past reach before any was computed) is not the one.
  if (scenario.expect.length) judgeExpectations({ ...report, summaries: [missing] });
  const where = report.summaries.length === 1 ? '' : ` (cell ${report.summaries.indexOf(missing) + 1} of ${report.summaries.length})`;
  throw new UsageError(
    scenario.source,
    `no exact values for ${cellName(missing.cell)}${where}: ${inlineText(missing.result.exactMissing ?? 'the exact engine gave none')}; \`twogenerals run\` estimates it with trials`,
  );
}

export function makeExactCommand(streams: Streams): Command {
  const command = new Command('exact')
    .description('print exact probabilities and mean costs for every cell, without running trials')
    .argument('[files...]', 'scenario files (YAML or JSON)');
  // No trials run, so --trials, --seed, --precision, --workers and --confidence mean nothing here.
  addOverrideOptions(command);
  addFormatOption(command);
  addJunitOption(command);
  return command.action(async (files: string[], flags: ScenarioFlags) => {
    if (flags.junit !== undefined)
      checkOutputFile(flags.junit, `--junit ${flags.junit}`, 'the JUnit report', files.map(inputPath), '--format junit prints it there');
    const scenarios: Scenario[] = [];
    for (const file of files.length ? files : [undefined]) scenarios.push(...(await loadScenarios(file, overridesFrom(flags))));
    // Nor over a file a scenario names (its protocol or trace file, a baseline).
    if (flags.junit !== undefined)
      checkOutputFile(flags.junit, `--junit ${flags.junit}`, 'the JUnit report', filesScenariosRead(scenarios), '--format junit prints it there');
    const baselines = await loadBaselines(scenarios);
    const line = exactProgressLine(streams);
    const raw = await runExperiment(scenarios, {
      exact: 'on',
      simulate: false,
      confidence: DEFAULT_CONFIDENCE,
      workers: 1,
      exactProgress: line.update,
      exactAllOrNone: true,
    });
    line.stop();
    const report = withBaselines(raw, baselines);
    refuseMissingExact(report);
    // Every gate judged before anything is printed: one that cannot be (a value within the engine's
    // rounding of its bound) is refused with nothing on stdout.
    judgeExpectations(report);
    await writeReport(report, flags.format, streams, flags.junit);
    await finishReport(report, streams);
  });
}
