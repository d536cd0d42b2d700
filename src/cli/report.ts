import type { Command } from 'commander';
import { toYaml } from '../io/yaml-out.js';
import { appendFileSync, existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve as resolvePath, sep } from 'node:path';
import { ExpectationFailed, UsageError } from '../errors.js';
import { plainJson } from '../export/numbers.js';
import { systemErrorWords, tooLargeToReadBack } from '../io/files.js';
import { inputPath } from '../scenario/shipped.js';
import { writeWholeFile } from '../io/output-place.js';
import { readSavedReport } from '../results/saved-report.js';
import type { Expectation, Scenario } from '../scenario/types.js';
import { BaselineMismatch, placeParts } from '../stats/expectations.js';
import type { ExpectationCheck } from '../stats/expectations.js';
import { loadExporter } from '../export/index.js';
import { thousands } from '../export/numbers.js';
import { toRows } from '../export/rows.js';
import { ChartingUnavailable, chartSpec, defaultChart, renderSvg } from '../plot/chart.js';
import { inlineText, terminalSafe } from '../io/text.js';
import type { BaselineLookup, Report } from '../report.js';
import { folderName, writeResultFolder } from '../results/folder.js';
import { unreachedPrecision } from '../results/precision.js';
import { judgeExpectations } from '../stats/expectations.js';
import { Z_WARNING } from '../stats/zscore.js';
import { EXACT_OFF } from '../engine/schedule/runner.js';
import { TOOL } from '../version.js';
import { useColor } from './output.js';
import type { Streams } from './output.js';
import { counted } from '../io/wording.js';

/** What run, merge and exact do with a finished report: print it, save it, warn, and judge its expectations. */
/** Warnings, timing and expectations: what follows the data, on stderr. */
export async function finishReport(report: Report, streams: Streams, seconds?: number): Promise<void> {
  warnAboutReport(report, streams);
  if (seconds !== undefined && streams.stderr.isTTY && !streams.quiet) {
    const trials = report.summaries.reduce((n, s) => n + s.trials, 0);
    streams.stderr.write(`${counted(trials, 'trial')} in ${seconds.toFixed(2)} s (${thousands(Math.round(trials / seconds))} trials/s)\n`);
  }
  await failOnExpectations(report, streams);
}

/**
 * Prints the report on stdout in `format`, then writes the files asked for: the result folder
 * (`save`, returning its path), then the JUnit report. Stdout comes first because the folder's
 * chart loads a library that changes built-ins the check before every write to stdout watches.
 * A file that cannot be written is one line saying also what was done (exit 2): the results on
 * stdout, the folder saved or not.
 */
export async function writeReport(
  report: Report,
  format: string | undefined,
  streams: Streams,
  junitFile?: string,
  save: () => Promise<string | undefined> = async () => undefined,
): Promise<void> {
  const exporter = await loadExporter(format ?? 'table');
  streams.stdout.write(exporter.render(report, { color: exporter.name === 'table' && useColor(streams.stdout, streams.env) }));
  let saved: string | undefined;
  try {
    saved = await save();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const junit = junitFile === undefined ? '' : '; no JUnit report was written';
    throw new UsageError(error.place, `${error.problem} (the results went to stdout${junit})`);
  }
  if (junitFile !== undefined) {
    const junit = await loadExporter('junit');
    try {
      writeWholeFile(junitFile, junit.render(report, { color: false }));
    } catch (error) {
      const done = saved === undefined ? '' : ` and were saved in ${saved}`;
      throw new UsageError(`--junit ${junitFile}`, `cannot write the JUnit report: ${systemErrorWords(error)} (the results went to stdout${done})`);
    }
  }
}

/**
 * Where a `notWorseThan` path points: relative to the scenario file that names it (or to the
 * current folder). Merged shards name that file by the place of the entry they recorded.
 */
function baselinePath(e: Expectation, scenario: Scenario): string {
  const written = e.notWorseThan!;
  const entryFile = e.placeFile ?? (e.place === undefined ? undefined : placeParts(e.place)?.file);
  // Merged shards of a scenario that names a protocol or trace file also record the scenario file itself.
  const recorded = typeof scenario.resolved['scenarioFile'] === 'string' ? resolvePath(inputPath(scenario.resolved['scenarioFile'])) : undefined;
  const file = existsSync(scenario.source)
    ? scenario.source
    : entryFile !== undefined && existsSync(entryFile)
      ? entryFile
      : recorded !== undefined && existsSync(recorded)
        ? recorded
        : undefined;
  const besideScenario = isAbsolute(written) || file === undefined ? resolvePath(written) : resolvePath(dirname(file), written);
  // Else relative to where the command runs, as a CI script may write it; a result folder stands for its results.json.
  const path = existsSync(besideScenario) || isAbsolute(written) || !existsSync(written) ? besideScenario : resolvePath(written);
  return existsSync(join(path, 'results.json')) ? join(path, 'results.json') : path;
}

/**
 * The files the scenarios read besides themselves: a protocol file, trace files, `notWorseThan`
 * baselines. An output flag (`--junit`) must not name one: `--junit p.mjs` wrote the JUnit report
 * over the protocol file the scenario runs, exit 0.
 */
export function filesScenariosRead(scenarios: readonly Scenario[]): string[] {
  return scenarios.flatMap((scenario) => [
    ...(scenario.protocolFile ? [scenario.protocolFile.file] : []),
    ...Object.values(scenario.files ?? {}),
    ...scenario.expect.filter((e) => e.notWorseThan !== undefined).map((e) => baselinePath(e, scenario)),
  ]);
}

/**
 * Reads every saved run a `notWorseThan` gate names, before anything runs: a missing or altered
 * baseline is one line at the `expect` entry. Returns the lookup the gates use.
 */
export async function loadBaselines(scenarios: readonly Scenario[]): Promise<BaselineLookup | undefined> {
  const loaded = new Map<string, Report>();
  for (const scenario of scenarios) {
    for (const e of scenario.expect) {
      if (e.notWorseThan === undefined) continue;
      const path = baselinePath(e, scenario);
      if (loaded.has(path)) continue;
      try {
        loaded.set(path, await readSavedReport(path, true));
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        throw new UsageError(e.place ?? scenario.source, `notWorseThan: ${error.message}`);
      }
    }
  }
  if (!loaded.size) return undefined;
  return (e, scenario) => loaded.get(baselinePath(e, scenario))!;
}

/** The report with its baselines, every gate's cell matched in them now (a mismatch is the user's to fix). */
export function withBaselines(report: Report, baselines: BaselineLookup | undefined): Report {
  if (!baselines) return report;
  const judged = { ...report, baselines };
  try {
    judgeExpectations(judged);
  } catch (error) {
    if (!(error instanceof BaselineMismatch)) throw error;
    const entry = report.scenarios.flatMap((s) => s.expect).find((e) => e.notWorseThan !== undefined && error.path === e.notWorseThan);
    throw new UsageError(entry?.place ?? error.path, `notWorseThan: ${error.message}`);
  }
  return judged;
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
  // Before the chart library loads (vega-lite gives Set.prototype a toJSON of its own).
  streams.checkResults?.();
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
    'scenario.yaml': report.scenarios.map((s) => toYaml(savedScenario(s, dir))).join('---\n'),
    'manifest.json': `${plainJson(manifest, 2)}\n`,
  };
  const chart = await sweepChart(report, streams);
  if (chart) files['chart.svg'] = chart;
  const at = new Date();
  const path = writeResultFolder(dir, () => folderName(dir, report.scenarios.map((s) => s.name).join('+'), at), files, onTemporaryFolder);
  if (!streams.quiet) streams.stderr.write(`saved ${terminalSafe(path, true)}\n`);
  // Saved whole, but too large to read back: said now, not first when a re-export or gate refuses it.
  const tooLarge = tooLargeToReadBack(Buffer.byteLength(files['results.json'] ?? ''), 'shard');
  if (tooLarge && !streams.quiet)
    streams.stderr.write(
      `warning: ${terminalSafe(join(path, 'results.json'), true)}: ${tooLarge}, so \`merge\` cannot re-export it and no \`notWorseThan\` gate can take it as its baseline (\`plot\` reads its results.csv)\n`,
    );
  return path;
}

/**
 * The scenario as a result folder saves it: a `notWorseThan` baseline written as a relative path
 * is named from the folder (one level under dir), so that the saved scenario.yaml, run from
 * anywhere, finds the baseline its run was judged against.
 */
function savedScenario(scenario: Scenario, dir: string): Readonly<Record<string, unknown>> {
  const folder = join(resolvePath(dir), 'saved');
  const resolved = withFilesFrom(scenario, folder);
  const written = resolved['expect'];
  if (!Array.isArray(written) || !scenario.expect.some((e) => e.notWorseThan !== undefined)) return resolved;
  const expect = written.map((entry, i) => {
    const e = scenario.expect[i];
    // An absolute path stays as written: it names the same file wherever the folder is moved.
    if (e?.notWorseThan === undefined || isAbsolute(e.notWorseThan)) return entry;
    return { ...(entry as Record<string, unknown>), notWorseThan: relative(folder, baselinePath(e, scenario)) };
  });
  return { ...resolved, expect };
}

/**
 * A scenario with no scenario file to read its protocol and channel files beside (the default
 * scenario with `--set protocol=./p.mjs` or a trace channel's file): those paths were the working
 * folder's, so the saved scenario.yaml names them from the result folder, as it is read.
 */
function withFilesFrom(scenario: Scenario, folder: string): Readonly<Record<string, unknown>> {
  const resolved = scenario.resolved;
  if (resolved['scenarioFile'] !== undefined) return resolved;
  const from = (file: string): string => {
    const path = relative(folder, file);
    return isAbsolute(path) || path.startsWith('.') ? path : `./${path}`;
  };
  const saved: Record<string, unknown> = { ...resolved };
  const protocol = resolved['protocol'];
  if (scenario.protocolFile && typeof protocol === 'string' && !isAbsolute(protocol)) saved['protocol'] = from(scenario.protocolFile.file);
  const channel = resolved['channel'];
  const files = scenario.files;
  if (files && typeof channel === 'object' && channel !== null && !Array.isArray(channel))
    saved['channel'] = Object.fromEntries(
      Object.entries(channel).map(([key, value]) => [
        key,
        typeof value === 'string' && files[value] !== undefined && !isAbsolute(value) ? from(files[value]!) : value,
      ]),
    );
  return saved;
}

/** The default chart of a sweep (as `plot` draws it), or null for a single cell. */
async function sweepChart(report: Report, streams: Streams): Promise<string | null> {
  const { columns, records } = toRows(report.summaries);
  const options = defaultChart(columns, records, report.scenarios.map((s) => s.name).join(' + '));
  if (!options) return null;
  try {
    const note = (text: string): void => {
      if (!streams.quiet) streams.stderr.write(`note: chart.svg: ${text}\n`);
    };
    return await renderSvg(chartSpec(records, options, note));
  } catch (error) {
    if (!(error instanceof ChartingUnavailable)) throw error;
    // The folder is saved all the same; the chart is one install (or one option) away.
    if (!streams.quiet) streams.stderr.write(`note: the result folder has no chart.svg: drawing it needs ${error.needs}\n`);
    return null;
  }
}

/** A cell as warnings name it: its scenario and parameters. */
export function cellName(cell: Report['summaries'][number]['cell']): string {
  const params = Object.entries(cell.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return inlineText(`${cell.scenario.name} (${params})`);
}

/**
 * Cells the automatic exact attempt left without exact values (no `--exact` asked for them, no
 * `--no-exact` turned them off): one note saying how many and why, since the table then has no
 * exact columns for them and the reason is otherwise only in results.json.
 */
function noteExactMissing(report: Report, streams: Streams): void {
  const missing = report.summaries.filter((s) => !s.result.exact && s.result.exactMissing && !s.result.exactSkipped && s.result.exactMissing !== EXACT_OFF);
  const first = missing[0];
  if (!first) return;
  const which = report.summaries.length === 1 ? cellName(first.cell) : `${missing.length} of ${report.summaries.length} cells, first ${cellName(first.cell)}`;
  streams.stderr.write(`note: no exact values for ${which}: ${inlineText(first.result.exactMissing!)}\n`);
}

/** Cells whose exact columns hold a probability too small for a double, left empty: one note saying how many and why. */
function noteExactUnderflow(report: Report, streams: Streams): void {
  const tiny = report.summaries.filter((s) => s.result.exact?.underflow);
  const first = tiny[0];
  if (!first) return;
  const which = report.summaries.length === 1 ? cellName(first.cell) : `${tiny.length} of ${report.summaries.length} cells, first ${cellName(first.cell)}`;
  const sd = first.exact && Number.isNaN(first.exact.messengersSd) ? "; so is the messengers' sd, too small to tell from the mass its paths lost" : '';
  streams.stderr.write(`note: exact values left empty for ${which}: ${inlineText(first.result.exact!.underflow!.reason)}${sd}\n`);
}

/** Warnings go to stderr: a |z| over 4 means the estimate and the exact value disagree. */
export function warnAboutReport(report: Report, streams: Streams): void {
  if (streams.quiet) return; // only results and errors
  for (const u of unreachedPrecision(report)) {
    const params = Object.entries(u.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    streams.stderr.write(
      `warning: ${inlineText(`${u.scenario} (${params})`)}: precision ${u.precision} not reached: stopped at maxTrials, ${counted(u.trials, 'trial')}, with a half-width of ${Number(u.halfWidth.toPrecision(3))}\n`,
    );
  }
  noteExactMissing(report, streams);
  noteExactUnderflow(report, streams);
  // A trace's own doubts (a ping log whose summary disagrees with its lines), once a file, as fit and validate tell them.
  const told = new Set<string>();
  for (const s of report.summaries) {
    const { channelDefinition, files = {} } = s.cell.scenario;
    if (!channelDefinition.fileWarnings) continue;
    const written = new Map(Object.entries(files).map(([as, file]) => [file, as]));
    const params = Object.fromEntries(Object.entries(s.cell.params).map(([k, v]) => [k, typeof v === 'string' && files[v] ? files[v] : v]));
    for (const [file, warning] of channelDefinition.fileWarnings(params)) {
      const line = `warning: ${inlineText(written.get(file) ?? file)}: ${inlineText(warning)}\n`;
      if (!told.has(line)) streams.stderr.write(line);
      told.add(line);
    }
  }
  for (const s of report.summaries) {
    const where = cellName(s.cell);
    if (s.result.exactSkipped) streams.stderr.write(`warning: ${where}: no exact values: ${s.result.exactSkipped}\n`);
    const e = s.exact;
    if (!e) continue;
    // and each outcome the table shows a z for (two-phase commit's blocked)
    const { names, shown } = s.cell.scenario.protocolDefinition.outcomes;
    for (const [metric, z] of [
      ['success', e.successZ],
      ['disagreement', e.disagreementZ],
      ['messengers', e.messengersZ],
      ...shown.map((i) => [inlineText(names[i]!), e.outcomeZ[i] ?? null] as const),
    ] as const) {
      if (z !== null && Math.abs(z) > Z_WARNING) {
        streams.stderr.write(`warning: ${where}: the ${metric} estimate is ${z.toFixed(1)} standard errors from the exact value\n`);
      }
    }
  }
}

export async function failOnExpectations(report: Report, streams: Streams): Promise<void> {
  const checks = judgeExpectations(report);
  const failures = checks.filter((c) => !c.passed);
  for (const f of failures) streams.stderr.write(`expect failed: ${terminalSafe(f.message, true)}\n`);
  if (streams.github) await reportToGitHub(report, failures, streams);
  if (failures.length) throw new ExpectationFailed(`${failures.length} expectation(s) failed`);
}

/** A workflow command's message or property, escaped as the Actions runner reads it back. */
function workflowEscape(text: string, property = false): string {
  // On stderr, which may be a terminal: nothing a terminal would obey (the runner reads it back as shown).
  const data = terminalSafe(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return property ? data.replace(/:/g, '%3A').replace(/,/g, '%2C') : data;
}

/**
 * Under GitHub Actions (README, "In CI and on clusters"): an `::error` annotation at the
 * `expect` entry of each failed gate, and the Markdown summary appended to the job's summary
 * file. `--no-github` turns both off.
 */
async function reportToGitHub(report: Report, failures: readonly ExpectationCheck[], streams: Streams): Promise<void> {
  for (const f of failures) {
    // A place in a file that exists: a scenario read back from a shard or results.json (merge)
    // has its entry in no file the checkout holds, and is annotated without one. Merged where the
    // place's file is not (merge run from another folder), the file beside the shard is the entry's.
    const parts = f.place === undefined ? null : placeParts(f.place);
    const where =
      parts && existsSync(parts.file) ? parts : parts && f.placeFile !== undefined && existsSync(f.placeFile) ? { ...parts, file: f.placeFile } : null;
    const properties = where
      ? `file=${workflowEscape(relativeToWorkspace(where.file, streams.env), true)},line=${where.line},col=${where.column},title=${workflowEscape(`twogenerals expect ${f.metric} ${f.bound}`, true)}`
      : `title=${workflowEscape(`twogenerals expect ${f.metric} ${f.bound}`, true)}`;
    streams.stderr.write(`::error ${properties}::${workflowEscape(terminalSafe(f.message, true))}\n`);
  }
  const summaryFile = streams.env['GITHUB_STEP_SUMMARY'];
  if (!summaryFile) return;
  const markdown = await loadExporter('markdown');
  try {
    appendFileSync(summaryFile, markdown.render(report, { color: false }));
  } catch (error) {
    streams.stderr.write(`warning: cannot append the summary to $GITHUB_STEP_SUMMARY (${terminalSafe(summaryFile, true)}): ${systemErrorWords(error)}\n`);
  }
}

/** Annotations name files relative to the workspace, as the checkout holds them. */
function relativeToWorkspace(file: string, env: NodeJS.ProcessEnv): string {
  const workspace = env['GITHUB_WORKSPACE'];
  const absolute = resolvePath(file);
  if (workspace && absolute.startsWith(`${resolvePath(workspace)}${sep}`)) return relative(resolvePath(workspace), absolute).split(sep).join('/');
  return isAbsolute(file) ? file : file.split(sep).join('/');
}

/** The arguments the CLI was given (after the program's own two), as commander received them. */
export function commandLine(command: Command): string[] {
  let root = command;
  while (root.parent) root = root.parent;
  return (root as Command & { rawArgs?: string[] }).rawArgs?.slice(2) ?? [];
}
