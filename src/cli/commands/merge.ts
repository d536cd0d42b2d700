import { Command } from 'commander';
import { runExperiment } from '../../experiment.js';
import { mergeShards, readShardFile } from '../../results/shard.js';
import { expandCells } from '../../scenario/cells.js';
import { parseScenarioText } from '../../scenario/parse.js';
import { resolveScenario } from '../../scenario/resolve.js';
import { TOOL } from '../../version.js';
import { UsageError } from '../../errors.js';
import { addReportOptions, addResultOptions, exactMode, resultsDir } from '../options.js';
import type { Streams } from '../output.js';
import { finishReport, saveResults, writeReport } from './run.js';
import type { RunFlags } from './run.js';
import { checkWritable } from '../../results/folder.js';

export function makeMergeCommand(streams: Streams): Command {
  const command = new Command('merge')
    .description('add the counts of `run --shard i/n` outputs exactly, then print or save them like run')
    .argument('<files...>', 'shard files, one per shard 1/n … n/n, or a saved results.json');
  addResultOptions(command);
  addReportOptions(command);
  return command.action(async (files: string[], flags: RunFlags) => {
    const shards = files.map((path) => ({ path, shard: readShardFile(path) }));
    const { first, tallies } = mergeShards(shards);
    if (first.version !== TOOL.version) throw new UsageError(files[0]!, `written by twogenerals ${first.version}; this is ${TOOL.version}: merge with the version that ran the shards`);
    const outDir = resultsDir(flags.out);
    if (outDir !== undefined) checkWritable(outDir);
    const scenarios = first.scenarios.map((resolved, i) => resolveScenario(parseScenarioText(JSON.stringify(resolved), `${files[0]} (scenario ${i + 1})`)));
    const keys = scenarios.flatMap(expandCells).map((cell) => cell.key);
    if (JSON.stringify(keys) !== JSON.stringify(first.cells.map((c) => c.key))) throw new UsageError(files[0]!, 'its cells do not match its scenario');
    const report = await runExperiment(scenarios, { exact: exactMode(flags.exact), simulate: true, confidence: flags.confidence, workers: 1 }, tallies);
    await writeReport(report, flags.format, streams);
    if (outDir !== undefined) await saveResults(outDir, report, 0, streams);
    finishReport(report, streams);
  });
}
