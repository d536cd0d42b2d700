import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BLOCK_SIZE } from '../engine/schedule/blocks.js';
import { UsageError } from '../errors.js';
import { runExperiment } from '../experiment.js';
import type { Report } from '../report.js';
import { expandCells } from '../scenario/cells.js';
import { parseScenarioText } from '../scenario/parse.js';
import { findProtocolFile } from '../protocol-files/find.js';
import { isProtocolPath, protocolFilePath } from '../protocol-files/load.js';
import { recordedPlaces } from '../io/recorded-places.js';
import { findChannelFiles } from './find-channel-files.js';
import { loadScenarioSource } from '../scenario/resolve.js';
import type { Scenario } from '../scenario/types.js';
import { summarize } from '../stats/summary.js';
import { TOOL } from '../version.js';
import { readShardFile } from './shard.js';
import { readInputAheadIfStream } from '../io/stream-input.js';
import { exactProblem } from './verify.js';
import type { SavedRun } from './shard.js';
import { toRows } from '../export/rows.js';
import type { CellSummary } from '../stats/summary.js';
import { nounFor } from '../io/wording.js';

/** A result folder (`run --out`) given where a results file is read stands for its results.json, as a baseline's path does. */
export function resultsFileOf(path: string): string {
  let folder = false;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    // Not there: read as given, and named as missing there.
  }
  if (!folder) return path;
  if (!existsSync(join(path, 'results.json'))) throw new UsageError(path, 'is a folder, and no result folder (it holds no results.json)');
  return join(path, 'results.json');
}

/**
 * A saved results.json read back as the report it was saved from: its digest checked, its
 * counts checked, its scenarios resolved (protocol files relative to it), every figure
 * recomputed from the counts at its own confidence, with its own exact values.
 */
export async function readSavedReport(path: string, baseline = false, checkRows = false): Promise<Report> {
  await readInputAheadIfStream(path, 'shard');
  const file = readShardFile(path, true, baseline);
  if (!file.saved) throw new UsageError(path, 'not a saved results.json: shards hold part of a run; merge them first (`twogenerals merge … --out`)');
  if (file.version !== TOOL.version)
    throw new UsageError(
      path,
      `written by twogenerals ${file.version}; this is ${TOOL.version}: its counts may mean something else here, so re-run it with this version`,
    );
  if (file.blockSize !== BLOCK_SIZE) throw new UsageError(path, `its block size is ${file.blockSize}; this version cuts trials into blocks of ${BLOCK_SIZE}`);
  const scenarios: Scenario[] = [];
  // A baseline read with its protocol file as it is now: its rows were the earlier file's figures.
  let readWithProtocolNow = false;
  // As merge reads them: a protocol or trace file where the scenario named it, else beside the results.
  for (const [i, resolved] of file.scenarios.entries()) {
    const label = `${path} (scenario ${i + 1})`;
    const { scenarioFile, ...recorded } = resolved as Record<string, unknown>;
    let data = recorded;
    let protocolAt: string | undefined;
    try {
      protocolAt = findProtocolFile(label, data, scenarioFile, [path], null);
    } catch (error) {
      // A baseline is an earlier run, often of an earlier version of its protocol file (the
      // regression a gate is for): its counts are read with the file as it is now, where the
      // scenario named it, which must have the same outcomes.
      const now = baseline && error instanceof UsageError ? protocolFileNow(data, scenarioFile, path) : undefined;
      if (now === undefined) throw error;
      protocolAt = now;
      readWithProtocolNow = true;
      const { protocolDigest: _, ...rest } = data;
      data = rest;
    }
    const parsed = parseScenarioText(JSON.stringify(data), label);
    const channelFilesAt = findChannelFiles(label, data, scenarioFile, [path], null);
    const source = {
      ...parsed,
      ...(protocolAt ? { protocolAt } : {}),
      ...(channelFilesAt ? { channelFilesAt } : {}),
      ...(typeof scenarioFile === 'string' ? { scenarioFile } : {}),
    };
    scenarios.push(await loadScenarioSource(source));
  }
  const cells = scenarios.flatMap(expandCells);
  if (JSON.stringify(cells.map((cell) => cell.key)) !== JSON.stringify(file.cells.map((c) => c.key)))
    throw new UsageError(path, 'its cells do not match its scenario');
  for (const [c, cell] of cells.entries()) {
    const { tally } = file.cells[c]!;
    const outcomes = cell.scenario.protocolDefinition.outcomes.names;
    if (tally.outcomes.length !== outcomes.length)
      throw new UsageError(
        path,
        `cell ${c + 1} (${cell.key}): it counts ${tally.outcomes.length} ${nounFor(tally.outcomes.length, 'outcome')}; its protocol ${cell.scenario.protocol} has ${outcomes.length} (${outcomes.join(', ')}): the counts were made with other outcomes`,
      );
    const problem = exactProblem(file.saved.exact?.[c] ?? null, outcomes.length);
    if (problem) throw new UsageError(path, `cell ${c + 1} (${cell.key}): ${problem}`);
    if (cell.scenario.precision === undefined && tally.trials !== cell.scenario.trials)
      throw new UsageError(
        path,
        `cell ${c + 1} (${cell.key}): it holds ${tally.trials} ${nounFor(tally.trials, 'trial')}; the scenario asks for ${cell.scenario.trials}`,
      );
  }
  const { confidence, exact } = file.saved;
  const report = await runExperiment(
    scenarios,
    { exact: 'off', simulate: true, confidence, workers: 1 },
    file.cells.map((c) => c.tally),
  );
  const summaries = report.summaries.map((s, c) => summarize({ ...s.result, exact: exact?.[c] ?? null }, confidence));
  // plot draws the rows: it also requires the file's own to be the figures its counts give.
  if (checkRows && !readWithProtocolNow && savedRowsChanged(file.saved, summaries))
    throw new UsageError(path, 'its rows do not match its counts: the file was changed after it was saved');
  return { ...report, summaries, digest: file.digest };
}

/**
 * Whether a saved results.json's rows (and columns) differ from the figures its counts give at
 * its own confidence with its own exact values: the digest covers the counts, not the rows a
 * re-export recomputes, so an edited figure is caught here rather than silently replaced.
 */
export function savedRowsChanged(saved: SavedRun, summaries: readonly CellSummary[]): boolean {
  const { columns, records } = toRows(summaries);
  const rows = records.map((r) => Object.fromEntries(columns.map((c) => [c, r[c] ?? null])));
  return JSON.stringify(saved.columns) !== JSON.stringify(columns) || JSON.stringify(saved.rows) !== JSON.stringify(rows);
}

/** The protocol file a recorded scenario names, as it is now where the scenario named it (any sha256), if it is there. */
function protocolFileNow(data: Record<string, unknown>, scenarioFile: unknown, path: string): string | undefined {
  const written = data['protocol'];
  if (!isProtocolPath(written)) return undefined;
  return recordedPlaces(scenarioFile, [path], [])
    .scenarioFiles.map((scenario) => protocolFilePath(written, scenario))
    .find((file) => existsSync(file) && statSync(file).isFile());
}
