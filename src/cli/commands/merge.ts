import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { Command } from 'commander';
import { inputPath } from '../../scenario/shipped.js';
import { BLOCK_SIZE } from '../../engine/schedule/blocks.js';
import { runExperiment } from '../../experiment.js';
import type { Report } from '../../report.js';
import { mergeShards, readShardFile } from '../../results/shard.js';
import { readInputAheadIfStream } from '../../io/stream-input.js';
import type { ReadShard, SavedRun } from '../../results/shard.js';
import type { CellResult } from '../../engine/schedule/runner.js';
import { exactProblem, shardTrials } from '../../results/verify.js';
import { expandCells } from '../../scenario/cells.js';
import { parseScenarioText } from '../../scenario/parse.js';
import { loadScenarioSource } from '../../scenario/resolve.js';
import { roundLimitOf } from '../../contract/protocol.js';
import type { ProtocolParams } from '../../contract/protocol.js';
import type { Cell, Scenario } from '../../scenario/types.js';
import { summarize } from '../../stats/summary.js';
import { placeParts } from '../../stats/expectations.js';
import { TOOL } from '../../version.js';
import { UsageError } from '../../errors.js';
import { addReportOptions, addResultOptions, collect, exactMode, resultsDir } from '../options.js';
import type { Streams } from '../output.js';
import { commandLine, filesScenariosRead, finishReport, loadBaselines, saveResults, withBaselines, writeReport } from '../report.js';
import { interruptions } from '../interruptions.js';
import type { RunFlags } from './run.js';
import { removeCreated } from '../../results/folder.js';
import { checkOutputFile } from '../../io/output-place.js';
import { findProtocolFile } from '../../protocol-files/find.js';
import { findChannelFiles } from '../../results/find-channel-files.js';
import { resultsFileOf } from '../../results/saved-report.js';
import { withParents } from '../../io/recorded-places.js';
import { nounFor } from '../../io/wording.js';
import { checkSameBaselines } from '../../results/baseline-digests.js';

export function makeMergeCommand(streams: Streams): Command {
  const command = new Command('merge')
    .description('add the counts of `run --shard i/n` outputs exactly, then print or save them like run; re-export a saved results.json as it was saved')
    .argument('<files...>', 'shard files, one per shard 1/n … n/n, or a saved results.json');
  // One folder a flag (repeatable): a variadic option would take the shard files after it as folders.
  command.option(
    '--protocol-dir <dir>',
    "where to look for protocol files the shards name, after the scenario's folder and the shards' folder (repeatable)",
    collect,
    [],
  );
  command.option(
    '--trace-dir <dir>',
    "where to look for trace files the shards name, after the scenario's folder and the shards' folder (repeatable)",
    collect,
    [],
  );
  addResultOptions(command);
  addReportOptions(command);
  return command.action(async (given: string[], flags: RunFlags & { protocolDir?: string[]; traceDir?: string[] }, self: Command) => {
    // `--out [dir]` takes the word after it: `merge --out shard-1.json shard-2.json` lost shard 1 to it.
    if (typeof flags.out === 'string' && /\.json$/i.test(flags.out) && existsSync(flags.out) && statSync(flags.out).isFile())
      throw new UsageError(
        `--out ${flags.out}`,
        `--out takes the word after it as its folder, and ${flags.out} is a file of results: give the files first (merge FILES… --out [dir])`,
      );
    // A folder to look in that is not one (a slip in its name) would only show as a file not found.
    for (const [flag, dirs] of [
      ['--protocol-dir', flags.protocolDir ?? []],
      ['--trace-dir', flags.traceDir ?? []],
    ] as const)
      for (const dir of dirs)
        if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${flag} ${dir}`, existsSync(dir) ? 'is not a folder' : 'no such folder');
    const files = given.map(resultsFileOf);
    // A shard through a pipe is read in turns of the event loop, where a signal ends the command.
    for (const path of files) await readInputAheadIfStream(path, 'shard');
    const shards: { path: string; shard: ReadShard }[] = files.map((path) => ({ path, shard: readShardFile(path) }));
    const saved = shards.find((s) => s.shard.saved);
    // One file named twice (or by two paths) is one shard given twice, not two shards alike (a
    // saved results.json given twice is refused below, as one given with others).
    const seen = new Map<string, string>();
    for (const path of saved ? [] : files) {
      const same = seen.get(realPath(path));
      if (same !== undefined) throw new UsageError(path, same === path ? 'given twice: give each shard once' : `is ${same}, given twice: give each shard once`);
      seen.set(realPath(path), path);
    }
    if (saved && shards.length > 1)
      throw new UsageError(saved.path, 'a saved results.json is a whole run: re-export it alone, not with shards or other results');
    // Each shard against this version, so that the one written by another (or edited) is named.
    for (const { path, shard } of shards) {
      if (shard.version !== TOOL.version)
        throw new UsageError(path, `written by twogenerals ${shard.version}; this is ${TOOL.version}: merge with the version that ran the shards`);
      if (shard.blockSize !== BLOCK_SIZE)
        throw new UsageError(path, `its block size is ${shard.blockSize}; this version cuts trials into blocks of ${BLOCK_SIZE}`);
    }
    const { first, tallies } = mergeShards(shards);
    const outDir = resultsDir(flags.out);
    // Folders --out made for the result folder: removed again where the merge saves nothing.
    // Ctrl-C (SIGTERM, SIGHUP) removes them too, with the unfinished folder, as in run.
    if (outDir !== undefined) interruptions.watchAndMake(outDir, streams);
    let final: Report;
    try {
      if (flags.junit !== undefined)
        checkOutputFile(flags.junit, `--junit ${flags.junit}`, 'the JUnit report', files.map(inputPath), '--format junit prints it there');
      // Protocol and trace files where the scenario named them, else beside the shards or in
      // --protocol-dir and --trace-dir. Their recorded digests must match.
      const scenarios: Scenario[] = [];
      // The gates' places as the run had them: those of shard 1/n, whatever order the shards come in.
      const placesShard = shards.find((s) => s.shard.shard.index === 1);
      const places = placesShard?.shard.places;
      for (const [i, resolved] of first.scenarios.entries()) {
        const label = `${files[0]} (scenario ${i + 1})`;
        const { scenarioFile: firstGiven, ...data } = resolved as Record<string, unknown>;
        // The scenario file as shard 1/n recorded it, as its places are taken: shards run from other
        // checkouts (other paths) merge to the same bytes in whatever order they are given.
        const scenarioFile = placesShard ? placesShard.shard.scenarios[i]?.['scenarioFile'] : firstGiven;
        const parsed = parseScenarioText(JSON.stringify(data), label);
        // Each shard records the scenario file where it ran (other machines, other checkouts: other
        // paths): the files are looked for beside each, shard 1's first, whatever the order.
        const recordedFiles = [scenarioFile, ...shards.map((s) => s.shard.scenarios[i]?.['scenarioFile'])].filter(
          (f, at, all): f is string => typeof f === 'string' && all.indexOf(f) === at,
        );
        const protocolAt = besideAnyOf(recordedFiles, (recorded) => findProtocolFile(label, data, recorded, files, flags.protocolDir ?? []));
        const channelFilesAt = besideAnyOf(recordedFiles, (recorded) => findChannelFiles(label, data, recorded, files, flags.traceDir ?? []));
        const source = {
          ...parsed,
          ...(protocolAt ? { protocolAt } : {}),
          ...(channelFilesAt ? { channelFilesAt } : {}),
          ...(typeof scenarioFile === 'string' ? { scenarioFile } : {}),
        };
        scenarios.push(
          withPlaces(await loadScenarioSource(source), places?.[i], placesShard && [placesShard.path, ...files.filter((f) => f !== placesShard.path)]),
        );
      }
      // Nor over a file the scenarios name (the protocol or trace file found, a baseline).
      if (flags.junit !== undefined)
        checkOutputFile(flags.junit, `--junit ${flags.junit}`, 'the JUnit report', filesScenariosRead(scenarios), '--format junit prints it there');
      const cells = scenarios.flatMap(expandCells);
      if (JSON.stringify(cells.map((cell) => cell.key)) !== JSON.stringify(first.cells.map((c) => c.key)))
        throw new UsageError(files[0]!, 'its cells do not match its scenario');
      checkTrials(shards, scenarios, cells, tallies);
      const fromSaved = saved?.shard.saved;
      // Exact values a re-export prints as they were saved: they must be values an engine can give.
      for (const [c, cell] of cells.entries()) {
        const problem = exactProblem(fromSaved?.exact?.[c] ?? null, cell.scenario.protocolDefinition.outcomes.names.length);
        if (problem) throw new UsageError(saved!.path, `cell ${c + 1} (${cell.key}): ${problem}`);
      }
      // A re-export is the saved run as it was (its confidence, its exact values) unless a flag says otherwise.
      const confidence = fromSaved && command.getOptionValueSource('confidence') !== 'cli' ? fromSaved.confidence : flags.confidence;
      const reuseExact = fromSaved?.exact !== undefined && flags.exact === undefined;
      const report = await runExperiment(scenarios, { exact: reuseExact ? 'off' : exactMode(flags.exact), simulate: true, confidence, workers: 1 }, tallies);
      checkPlausible(shards, report);
      const merged: Report = reuseExact
        ? { ...report, summaries: report.summaries.map((s, c) => summarize(savedExact(s.result, fromSaved!, c), confidence)) }
        : report;
      final = withBaselines(merged, await loadBaselines(scenarios));
      // A re-export's gates are the saved run's: judged against the baselines it was judged against.
      if (saved) checkSameBaselines(final, fromSaved?.baselines, saved.path);
      await writeReport(final, flags.format, streams, flags.junit, async () =>
        outDir === undefined ? undefined : await saveResults(outDir, final, 0, streams, commandLine(self), (t: string) => (interruptions.temporary = t)),
      );
    } catch (error) {
      removeCreated(interruptions.created);
      interruptions.stop();
      throw error;
    }
    interruptions.stop();
    await finishReport(final, streams);
  });
}

/**
 * The scenario with its expect entries at the places the shards recorded (where they recorded one
 * for each). A place is relative to the folder the run ran in, which merge does not know: where
 * merge runs elsewhere, the entry's file is looked for beside the shard that recorded it (shards
 * written where they ran), then from the folders above it, the other shards' folders and the
 * folders above this one (shards moved to a folder of their own, a result folder re-exported
 * from inside it), as a recorded scenario file is; the first there beside which its
 * notWorseThan baseline is, else the first there, is where the baseline is looked for
 * (placeFile). The place itself stays as the run wrote it.
 */
function withPlaces(scenario: Scenario, places: readonly (string | null)[] | undefined, shardFiles: readonly string[] | undefined): Scenario {
  if (!places || places.length !== scenario.expect.length) return scenario;
  const fileBeside = (place: string, baseline: string | undefined): string | undefined => {
    const file = placeParts(place)?.file;
    if (file === undefined || shardFiles === undefined || isAbsolute(file) || existsSync(file)) return undefined;
    const folders = [...shardFiles.map((f) => dirname(resolvePath(f))), process.cwd()].flatMap(withParents);
    const found = [...new Set(folders.map((folder) => resolvePath(folder, file)))].filter((f) => existsSync(f) && statSync(f).isFile());
    const withBaseline = (f: string): boolean => baseline === undefined || isAbsolute(baseline) || existsSync(resolvePath(dirname(f), baseline));
    return found.find(withBaseline) ?? found[0];
  };
  return {
    ...scenario,
    expect: scenario.expect.map((e, j) => {
      const place = places[j];
      if (place === null || place === undefined) return e;
      const placeFile = fileBeside(place, e.notWorseThan);
      return { ...e, place, ...(placeFile === undefined ? {} : { placeFile }) };
    }),
  };
}

/** What `find` finds beside the first of the recorded scenario files where it finds it; where none, the first one's refusal. */
function besideAnyOf<T>(recordedFiles: readonly string[], find: (recorded: string | undefined) => T): T {
  let refusal: UsageError | undefined;
  for (const recorded of recordedFiles.length ? recordedFiles : [undefined]) {
    try {
      return find(recorded);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      refusal ??= error;
    }
  }
  throw refusal!;
}

/** A cell's result with the exact values (or the reason for none) that the saved run had. */
function savedExact(result: CellResult, saved: SavedRun, c: number): CellResult {
  const exact = saved.exact![c] ?? null;
  const { exactMissing: _rerun, exactSkipped: _none, ...rest } = result;
  const missing = exact ? undefined : saved.exactMissing?.[c];
  return { ...rest, exact, ...(missing ? { exactMissing: missing } : {}) };
}

/**
 * Each shard holds exactly the trials of its blocks, every cell has as many outcome counts as
 * its protocol has outcomes, and the merged cells hold the scenario's trials (with a precision,
 * whole blocks up to its cap): so no block is missing, doubled or relabelled.
 */
function checkTrials(
  shards: readonly { path: string; shard: ReadShard }[],
  scenarios: readonly Scenario[],
  cells: readonly Cell[],
  tallies: readonly { trials: number }[],
): void {
  for (const { path, shard } of shards) {
    for (const [c, cell] of cells.entries()) {
      const { tally, scenario } = shard.cells[c]!;
      const where = `cell ${c + 1} (${cell.key})`;
      if (!shard.saved && scenario !== scenarios.indexOf(cell.scenario))
        throw new UsageError(path, `${where}: it names scenario ${scenario + 1}, not the scenario it belongs to`);
      const outcomes = cell.scenario.protocolDefinition.outcomes.names.length;
      if (tally.outcomes.length !== outcomes)
        throw new UsageError(
          path,
          `${where}: it has ${tally.outcomes.length} ${nounFor(tally.outcomes.length, 'outcome count')}; ${cell.scenario.protocol} has ${outcomes} ${nounFor(outcomes, 'outcome')}`,
        );
      if (cell.scenario.precision !== undefined) continue;
      const expected = shardTrials(cell.scenario.trials, BLOCK_SIZE, shard.shard);
      if (tally.trials !== expected) {
        throw new UsageError(
          path,
          `${where}: it holds ${tally.trials} ${nounFor(tally.trials, 'trial')}; shard ${shard.shard.index}/${shard.shard.count} of ${cell.scenario.trials} ${nounFor(cell.scenario.trials, 'trial')} holds ${expected}`,
        );
      }
    }
  }
  for (const [c, cell] of cells.entries()) {
    const trials = tallies[c]!.trials;
    const cap = cell.scenario.trials;
    const fine = cell.scenario.precision === undefined ? trials === cap : trials >= 1 && trials <= cap && (trials % BLOCK_SIZE === 0 || trials === cap);
    if (!fine)
      throw new UsageError(
        shards[0]!.path,
        `cell ${c + 1} (${cell.key}): the merged counts hold ${trials} ${nounFor(trials, 'trial')}; the scenario asks for ${cap}`,
      );
  }
}

/**
 * Counts no run can produce, though they add up: more messages received than dispatched,
 * delivery classes the cell does not have, more rounds used than its round limit allows. Judged
 * shard by shard (each bound adds up, so shards within it merge within it): the refusal names
 * the file at fault, not the first one given.
 */
function checkPlausible(shards: readonly { path: string; shard: ReadShard }[], report: Report): void {
  for (const [c, s] of report.summaries.entries()) {
    const where = `cell ${c + 1} (${s.cell.key})`;
    const protocol = s.cell.scenario.protocolDefinition;
    const perTrial = roundLimitOf(protocol, { ...s.params, rounds: Number(s.params['rounds']) } as ProtocolParams);
    for (const { path, shard } of shards) {
      const tally = shard.cells[c]!.tally;
      if (tally.deliveries.length > s.result.deliveryValues.length)
        throw new UsageError(
          path,
          `${where}: it has ${tally.deliveries.length} ${nounFor(tally.deliveries.length, 'delivery count')}; the cell has ${s.result.deliveryValues.length} ${nounFor(s.result.deliveryValues.length, 'kind')} of delivery`,
        );
      const dispatched = tally.messages.reduce((sum, n, m) => sum + n * m, 0);
      const received = tally.deliveries.reduce((sum, n) => sum + n, 0);
      if (received > dispatched)
        throw new UsageError(path, `${where}: it counts ${received} ${nounFor(received, 'message')} received of ${dispatched} dispatched`);
      if (tally.rounds > perTrial * tally.trials)
        throw new UsageError(
          path,
          `${where}: it counts ${tally.rounds} ${nounFor(tally.rounds, 'round')} used, more than its round limit allows in ${tally.trials} ${nounFor(tally.trials, 'trial')}`,
        );
    }
  }
}

/** A file's one name (symbolic links and `..` resolved); as given where it cannot be read (refused when read). */
function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolvePath(path);
  }
}
