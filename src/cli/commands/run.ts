import { Command } from 'commander';
import { inputPath, shippedFile } from '../../scenario/shipped.js';
import { BLOCK_SIZE } from '../../engine/schedule/blocks.js';
import { UsageError } from '../../errors.js';
import { commandLine, filesScenariosRead, finishReport, loadBaselines, saveResults, withBaselines, writeReport } from '../report.js';
import { checkOutputFile } from '../../io/output-place.js';
import { runCells } from '../../engine/schedule/runner.js';
import { runExperiment } from '../../experiment.js';
import { removeCreated } from '../../results/folder.js';
import { interruptions } from '../interruptions.js';
import { parseShard, shardFile } from '../../results/shard.js';
import { expandCells } from '../../scenario/cells.js';
import { loadScenarios } from '../../scenario/resolve.js';
import type { Scenario } from '../../scenario/types.js';
import type { Report } from '../../report.js';
import { TOOL } from '../../version.js';
import { addReportOptions, addResultOptions, addScenarioOptions, exactMode, overridesFrom, resultsDir } from '../options.js';
import type { ScenarioFlags } from '../options.js';
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
  return command.action(async (files: string[], flags: RunFlags, self: Command) => {
    // process.hrtime, not performance.now: the `performance` global loads perf_hooks (start-up).
    const started = process.hrtime.bigint();
    // `--out [dir]` takes the word after it: `run --out bursty-5pct` would save the default scenario's run there.
    if (typeof flags.out === 'string' && !files.length && !/[\\/]/.test(flags.out)) {
      const what = shippedFile(flags.out) !== undefined ? 'a shipped scenario' : /\.(ya?ml|json)$/i.test(flags.out) ? 'a scenario file' : undefined;
      if (what)
        throw new UsageError(
          `--out ${flags.out}`,
          `--out takes the word after it as its folder, and ${flags.out} names ${what}: give the scenario first (run ${flags.out} --out), or --out ./${flags.out} for a folder of that name`,
        );
    }
    const scenarios: Scenario[] = [];
    for (const file of files.length ? files : [undefined]) scenarios.push(...(await loadScenarios(file, overridesFrom(flags))));
    const outDir = flags.shard === undefined ? resultsDir(flags.out) : undefined;
    // Folders --out made for the result folder: removed again where the run saves nothing.
    if (outDir !== undefined) interruptions.watchAndMake(outDir, streams);
    // Once --out's folders are made, as merge does: a JUnit report may go in the folder --out makes.
    try {
      if (flags.junit !== undefined)
        checkOutputFile(
          flags.junit,
          `--junit ${flags.junit}`,
          'the JUnit report',
          [...files.map(inputPath), ...filesScenariosRead(scenarios)],
          '--format junit prints it there',
        );
    } catch (error) {
      removeCreated(interruptions.created);
      interruptions.stop();
      throw error;
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
                : flags.junit !== undefined
                  ? '--junit'
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
    let report: Report;
    let seconds: number;
    try {
      const baselines = await loadBaselines(scenarios);
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
      const raw = await runExperiment(scenarios, {
        exact,
        simulate: true,
        confidence: flags.confidence,
        workers: flags.workers,
        progress,
        exactProgress,
      });
      bar.stop();
      line.stop();
      report = withBaselines(raw, baselines);
      seconds = Number(process.hrtime.bigint() - started) / 1e9;
      await writeReport(report, flags.format, streams, flags.junit, async () =>
        outDir === undefined ? undefined : await saveResults(outDir, report, seconds, streams, commandLine(self), (t: string) => (interruptions.temporary = t)),
      );
    } catch (error) {
      removeCreated(interruptions.created);
      interruptions.stop();
      throw error;
    }
    interruptions.stop();
    await finishReport(report, streams, seconds);
  });
}
