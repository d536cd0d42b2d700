import { Command } from 'commander';
import { inputPath } from '../../scenario/shipped.js';
import { runExperiment } from '../../experiment.js';
import { loadScenarios } from '../../scenario/resolve.js';
import type { Scenario } from '../../scenario/types.js';
import { addFormatOption, addJunitOption, addOverrideOptions, overridesFrom } from '../options.js';
import type { ScenarioFlags } from '../options.js';
import type { Streams } from '../output.js';
import { exactProgressLine } from '../progress.js';
import { filesScenariosRead, finishReport, loadBaselines, withBaselines, writeReport } from '../report.js';
import { checkOutputFile } from '../../io/output-place.js';
import { DEFAULT_CONFIDENCE } from '../../stats/wilson.js';

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
    const raw = await runExperiment(scenarios, { exact: 'on', simulate: false, confidence: DEFAULT_CONFIDENCE, workers: 1, exactProgress: line.update });
    line.stop();
    const report = withBaselines(raw, baselines);
    await writeReport(report, flags.format, streams, flags.junit);
    await finishReport(report, streams);
  });
}
