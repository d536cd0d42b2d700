import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { BACKGROUND_HASH_BYTES, hashInBackground } from '../io/background-hash.js';
import type { HashPart } from '../io/background-hash.js';
import { hashTraceFile, readTraceAheadIfStream } from '../io/trace-input.js';
import { readInputAheadIfStream } from '../io/stream-input.js';
import { basename, dirname, extname, resolve as resolvePath } from 'node:path';
import { scenarioPathHint } from '../io/files.js';
import { UsageError } from '../errors.js';
import { DEFAULTS, DEFAULT_SCENARIO, DEFAULT_SCENARIO_SOURCE } from './defaults.js';
import { applyOverrides } from './overrides.js';
import type { Overrides } from './overrides.js';
import { channelNamed } from '../catalog/channels.js';
import { protocolNamed } from '../catalog/protocols.js';
import type { ChannelDefinition, ChannelParams } from '../contract/channel.js';
import { COMMON_PARAMETERS, CRASH_PARAMETER, PARAMETERS, crashParameterName, parameterSpec, protocolsDeclaring } from '../catalog/parameters.js';
import { supportsCrashes } from '../contract/protocol.js';
import type { ProtocolDefinition } from '../contract/protocol.js';
import { didYouMean } from '../suggest.js';
import { DEFAULT_MAX_TRIALS, requiredChannelKeys } from './schema.js';
import { readScenarioFile, readScenarioFiles } from './parse.js';
import { inputPath, shippedPath } from './shipped.js';
import type { ScenarioSource } from './parse.js';
import type { Expectation, Scenario, SweepAxis } from './types.js';
import { refuseProtocolFileByName, validateScenarioData } from './validate.js';
import { isProtocolPath, loadedProtocolFile, loadedProtocolFiles, protocolFilePath } from '../protocol-files/load.js';
import type { ProtocolFile } from '../protocol-files/load.js';
import { loadCheckedProtocolFile } from '../protocol-files/checked.js';
import { protocolDigest } from '../protocol-files/digest.js';
import { recordedPlaces } from '../io/recorded-places.js';
import { joinedWithAnd, nounFor } from '../io/wording.js';

/** Hyperfine's limit for a parameter scan, applied to one axis and to the whole grid. */
export const MAX_CELLS = 100000;

/**
 * The one way every command (and the library) loads a scenario: reads the file (or the built-in
 * default), applies the overrides, then as loadScenarioSource.
 */
export async function loadScenario(file: string | undefined, overrides: Overrides = {}, runsProtocol = true): Promise<Scenario> {
  checkScenarioFileArgument(file);
  if (file !== undefined) await readScenarioAheadIfStream(file);
  return loadScenarioSource(file === undefined ? defaultWith(overrides) : applyOverrides(readScenarioFile(file), overrides), runsProtocol);
}

/**
 * A scenario file that streams (a named pipe, `<(…)`, /dev/stdin), read ahead through the event
 * loop: readScenarioFile reads it synchronously, where a signal waited for its writer.
 */
async function readScenarioAheadIfStream(file: string): Promise<void> {
  await readInputAheadIfStream(inputPath(file), 'scenario');
}

/**
 * A library caller's scenario argument: a file's path or a shipped scenario's name, or undefined
 * for the default; an object (a scenario's data) or null stopped with Node's own `The "path"
 * argument must be of type string`.
 */
function checkScenarioFileArgument(file: unknown): void {
  if (file !== undefined && typeof file !== 'string')
    throw new UsageError(
      'file',
      `${file === null ? 'null' : typeof file === 'object' ? 'an object' : `a ${typeof file}`} is not a scenario file's path or a shipped scenario's name (or undefined: the default scenario)`,
    );
}

/** As loadScenario, every scenario of a file that holds several (YAML documents separated by `---`, as a result folder's scenario.yaml of a run of several). */
export async function loadScenarios(file: string | undefined, overrides: Overrides = {}, runsProtocol = true): Promise<Scenario[]> {
  checkScenarioFileArgument(file);
  if (file === undefined) return [await loadScenarioSource(defaultWith(overrides), runsProtocol)];
  await readScenarioAheadIfStream(file);
  const scenarios: Scenario[] = [];
  for (const source of readScenarioFiles(file)) scenarios.push(await loadScenarioSource(applyOverrides(source, overrides), runsProtocol));
  return scenarios;
}

/**
 * A scenario already read (merge's recorded ones, a saved scenario): loads the protocol file it
 * names, if it names one, after the quick part of `check` ran on it in a process of its own, then
 * validates and resolves it, its protocol and channel resolved to their definitions. Without
 * `runsProtocol` (validate), this process runs none of the file's code: what it declares is enough.
 */
export async function loadScenarioSource(source: ScenarioSource, runsProtocol = true): Promise<Scenario> {
  refuseProtocolFileByName(source, new Set(loadedProtocolFiles().map((file) => file.name)));
  await loadProtocolFileOf(source, runsProtocol);
  await readChannelFilesAheadIfStreams(source);
  return resolveScenario(source);
}

/**
 * The files a scenario's channel names (a trace) that stream, read ahead through the event loop:
 * resolveScenario reads them synchronously, where a signal waited for their writer. Only those
 * beside the scenario (or where merge found them): one found elsewhere is a regular file.
 */
async function readChannelFilesAheadIfStreams(source: ScenarioSource): Promise<void> {
  const channel = source.data['channel'];
  if (typeof channel !== 'object' || channel === null) return;
  const object = channel as Record<string, unknown>;
  const definition = typeof object['model'] === 'string' ? channelNamed(object['model']) : undefined;
  for (const p of definition?.parameters ?? []) {
    const written = object[p.name];
    const file = p.text === 'file' && typeof written === 'string' ? directChannelFile(source, written) : undefined;
    if (file !== undefined) await readTraceAheadIfStream(file);
  }
}

/** Loads the protocol file a scenario's `protocol` names (relative to the scenario file), if any. */
async function loadProtocolFileOf(source: ScenarioSource, runsProtocol: boolean): Promise<void> {
  const value = source.data['protocol'];
  if (!isProtocolPath(value)) return;
  await loadCheckedProtocolFile(protocolLocation(source, value), source.locate(['protocol']), runsProtocol);
}

/**
 * Where the protocol file a scenario names is: where merge found it, else relative to the
 * scenario file, else (a saved scenario.yaml) relative to the scenario file the results record.
 */
function protocolLocation(source: ScenarioSource, written: string): string {
  if (source.protocolAt) return source.protocolAt;
  const beside = protocolFilePath(written, source.source);
  if (existsSync(beside)) return beside;
  const digest = source.data['protocolDigest'];
  return (
    besideRecorded(
      source,
      (scenario) => protocolFilePath(written, scenario),
      (file) => protocolDigest(file) === digest,
    ) ?? beside
  );
}

/**
 * A file a saved scenario.yaml names relative to the scenario file it records: there, or where
 * that file is now if the project moved with the results (another machine, another checkout),
 * found as merge finds it (recordedPlaces); the first such file `prefer` takes, else the first.
 * Undefined where the scenario records none or none is there. What is found is still held to
 * the digest the scenario records.
 */
function besideRecorded(source: ScenarioSource, path: (scenario: string) => string, prefer?: (file: string) => boolean): string | undefined {
  const recorded = source.data['scenarioFile'];
  if (typeof recorded !== 'string') return undefined;
  const found = [...new Set(recordedPlaces(recorded, [source.source], []).scenarioFiles.map(path))].filter(
    (file) => existsSync(file) && statSync(file).isFile(),
  );
  return (prefer && found.find(prefer)) ?? found[0];
}

/** Several channel files, each relative to one place the recorded scenario file may be, all of them there and accepted together. */
function besideRecordedTogether(source: ScenarioSource, written: readonly string[], accept: (files: string[]) => boolean): string[] | undefined {
  const recorded = source.data['scenarioFile'];
  if (typeof recorded !== 'string') return undefined;
  for (const scenario of new Set(recordedPlaces(recorded, [source.source], []).scenarioFiles)) {
    const files = written.map((w) => resolvePath(dirname(scenario), w));
    if (files.every((file) => existsSync(file) && statSync(file).isFile()) && accept(files)) return files;
  }
  return undefined;
}

/**
 * A scenario naming a protocol file, as the registered protocol it loaded as: `protocol` holds
 * its name for validation, and the file and its digest travel with the scenario (a digest the
 * data records must match the file's).
 */
function withProtocolFile(source: ScenarioSource): { source: ScenarioSource; file?: ProtocolFile; written?: string } {
  const value = source.data['protocol'];
  if (!isProtocolPath(value)) return { source };
  const file = loadedProtocolFile(protocolLocation(source, value));
  if (!file) throw new UsageError(source.locate(['protocol']), `protocol file ${value} is not loaded`);
  const { protocolDigest, scenarioFile: _, ...data } = source.data;
  if (protocolDigest !== undefined && protocolDigest !== file.digest) {
    throw new UsageError(source.locate(['protocolDigest']), `the protocol file ${value} is not the one these results were made with (its digest differs)`);
  }
  return { source: { ...source, data: { ...data, protocol: file.name } }, file, written: value };
}

/**
 * The scenario file a source was read from as results and shards record it (undefined: the
 * default scenario, text): a shipped example by its place in the package, any other by its full
 * path, so that merge finds its protocol file from whatever folder it runs in and wherever the
 * shards were written. A recorded one (merge, a saved scenario.yaml) stays as it was.
 */
function scenarioFileOf(source: ScenarioSource): string | undefined {
  if (source.scenarioFile !== undefined) return source.scenarioFile;
  if (typeof source.data['scenarioFile'] === 'string') return source.data['scenarioFile'];
  if (source.source.startsWith('(')) return undefined;
  return shippedPath(source.source) ?? resolvePath(source.source);
}

/**
 * The built-in scenario with the command's flags. Its `loss` is the bernoulli channel's, which
 * the user did not write: where a flag gives it another channel (`--set channel={model:
 * gilbert-elliott, …}`) and no flag gives a loss, it is left out rather than refused as a
 * parameter the channel does not take.
 */
function defaultWith(overrides: Overrides): ScenarioSource {
  const source = applyOverrides(defaultSource(), overrides);
  const channel = source.data['channel'];
  const model = typeof channel === 'object' && channel !== null ? (channel as Record<string, unknown>)['model'] : channel;
  const flagged = [...(overrides.set ?? []), ...(overrides.sweep ?? [])].map(keyOf);
  // A flag giving the loss: loss itself, or one direction's (lossAtoB): not any name that starts so (a protocol file's lossBudget).
  const givesLoss = (key: string): boolean => key === 'loss' || parameterSpec(key)?.directionOf === 'loss';
  if (model !== DEFAULTS.channel && !flagged.some(givesLoss)) delete source.data['loss'];
  // Its description states its loss and redundancy: changed by a flag, it would tell of another scenario.
  const changing = [...(overrides.set ?? []), ...(overrides.sweep ?? [])].filter((assignment) => !KEEPS_DEFAULT_DESCRIPTION.has(keyOf(assignment)));
  if (changing.length > 0 && !flagged.includes('description'))
    source.data['description'] =
      `The default scenario (messenger, loss 0.5, redundancy 2) with ${changing.map((a) => `${overrides.sweep?.includes(a) ? '--sweep' : '--set'} ${a}`).join(' ')}.`;
  return source;
}

/** Keys a flag may give the default scenario without making its description untrue. */
const KEEPS_DEFAULT_DESCRIPTION = new Set(['$schema', 'name', 'description', 'trials', 'seed', 'expect']);

/** The top-level key an assignment (`loss=0.1`, `channel.model=cut`) gives. */
const keyOf = (assignment: string): string => assignment.split('=')[0]!.trim().split('.')[0]!;

/** The built-in scenario: data already, copied rather than printed and parsed as YAML (a few milliseconds of start-up). */
/** The built-in default scenario as a source, before any flag: a fresh copy each call. */
export function defaultSource(): ScenarioSource {
  return {
    source: DEFAULT_SCENARIO_SOURCE,
    data: JSON.parse(JSON.stringify(DEFAULT_SCENARIO)) as Record<string, unknown>,
    locate: () => DEFAULT_SCENARIO_SOURCE,
  };
}

export function resolveScenario(given: ScenarioSource): Scenario {
  const { source, file: protocolFile, written: protocolWritten } = withProtocolFile(given);
  validateScenarioData(source);
  const data = source.data;
  const name = (data['name'] as string | undefined) ?? nameFromFile(source.source);
  const protocol = data['protocol'] as string;
  const channelValue = data['channel'] ?? DEFAULTS.channel;
  const channelObject = typeof channelValue === 'string' ? { model: channelValue } : (channelValue as Record<string, unknown>);
  const channel = channelObject['model'] as string;
  // Validation admitted only catalogued names: from here on the definitions, not the names.
  const protocolDefinition = protocolNamed(protocol)!;
  const channelDefinition = channelNamed(channel)!;
  // A key the sweep gives every cell need not be in the channel object too.
  const swept = (data['sweep'] as Record<string, unknown> | undefined) ?? {};
  const needed = channelDefinition.topLevel
    ? []
    : requiredChannelKeys(channelDefinition).filter((key) => channelObject[key] === undefined && !Object.hasOwn(swept, key));
  if (needed.length > 0) {
    // The object form is held to them by the schema; a channel given by its name alone is not.
    throw new UsageError(
      source.locate(['channel']),
      `the ${channel} channel needs ${needed.join(' and ')}: give channel as an object, { model: ${channel}, ${needed.map((key) => `${key}: …`).join(', ')} }`,
    );
  }
  // A key needed unless others stand in for it (the trace channel's file, where AtoB and BtoA are both given).
  for (const p of channelDefinition.parameters) {
    const absent = (p.standIns ?? []).filter((key) => channelObject[key] === undefined);
    if (!p.standIns || channelObject[p.name] !== undefined || absent.length === 0) continue;
    const how =
      typeof channelValue === 'string'
        ? `: give channel as an object, { model: ${channel}, ${p.name}: … }`
        : absent.length < p.standIns.length
          ? `: ${absent.join(' and ')} ${absent.length === 1 ? 'is' : 'are'} missing`
          : '';
    throw new UsageError(source.locate(['channel']), `the ${channel} channel needs ${p.name}, or ${p.standIns.join(' and ')}${how}`);
  }
  // A top-level parameter declared without a default (the protocol's own, or a top-level
  // channel's) must be given or swept: left out, the engines read it as NaN (a protocol's bound
  // never reached printed success 1, exit 0).
  const topLevel = [...protocolDefinition.parameters, ...(channelDefinition.topLevel ? channelDefinition.parameters : [])];
  for (const p of topLevel) {
    const sweptHere =
      Object.hasOwn(swept, p.name) || (p.perDirection === true && Object.hasOwn(swept, `${p.name}AtoB`) && Object.hasOwn(swept, `${p.name}BtoA`));
    if (p.default !== undefined || p.optional || p.standIns || data[p.name] !== undefined || sweptHere) continue;
    const owner = protocolDefinition.parameters.includes(p) ? `the ${protocol} protocol` : `the ${channel} channel`;
    throw new UsageError(
      source.locate([protocolDefinition.parameters.includes(p) ? 'protocol' : 'channel']),
      `${owner} needs ${p.name}: give ${p.name}: … (or sweep it)`,
    );
  }
  const common = Object.fromEntries(COMMON_PARAMETERS.map((p) => [p.name, (data[p.name] as number | undefined) ?? (p.default as number)]));
  // `given`: withProtocolFile's source no longer holds the scenarioFile a saved scenario.yaml records, beside which its trace is.
  const channelFiles = filesOf(given, channelDefinition, channelObject);
  const params: Record<string, number | string> = {
    ...channelParams(source, channelDefinition, channelObject),
    ...(channelFiles ? { digest: channelFiles.digest } : {}),
    ...common,
    ...protocolParams(source, protocolDefinition),
    ...crashParams(source, protocolDefinition),
  };
  const sweep = Object.entries((data['sweep'] as Record<string, unknown> | undefined) ?? {}).map(([parameter, values]) => {
    checkApplies(source, ['sweep', parameter], parameter, protocolDefinition, channel, () => sweepAxis(source, protocol, parameter, values).values);
    return sweepAxis(source, protocol, parameter, values);
  });
  // A sweep of loss (crash) sets both directions (every role): after a sweep of one of them, it
  // would replace that sweep in every cell, which would then repeat. Under it, one of them is swept.
  for (const [i, axis] of sweep.entries()) {
    const part = sweep
      .slice(0, i)
      .find((a) => parameterSpec(a.parameter)?.directionOf === axis.parameter || parameterSpec(a.parameter)?.roleOf === axis.parameter);
    if (part)
      throw new UsageError(
        source.locate(['sweep', axis.parameter]),
        `sweep.${axis.parameter} comes after sweep.${part.parameter}, which it would replace in every cell: give ${axis.parameter} first, and ${part.parameter} after it`,
      );
  }
  // A gate with atLeast above atMost can never pass: a slip in the file, not a failure of the run.
  for (const [i, e] of ((data['expect'] as Expectation[] | undefined) ?? []).entries()) {
    if (e.atLeast !== undefined && e.atMost !== undefined && e.atLeast > e.atMost)
      throw new UsageError(source.locate(['expect', i]), `expect[${i}] can never hold: atLeast ${e.atLeast} is above atMost ${e.atMost}`);
  }
  const cellCount = sweep.reduce((n, axis) => n * axis.values.length, 1);
  if (cellCount > MAX_CELLS) {
    throw new UsageError(source.locate(['sweep']), `the sweep has ${cellCount} cells; at most ${MAX_CELLS} are allowed`);
  }
  const resolved = {
    name,
    description: (data['description'] as string | undefined) ?? '',
    protocol: protocolWritten ?? protocol,
    ...(protocolFile ? { protocolDigest: protocolFile.digest } : {}),
    // Where the scenario was, so that merge and a re-export find its protocol and channel files where it named them.
    ...((protocolFile || channelFiles) && scenarioFileOf(given) ? { scenarioFile: scenarioFileOf(given) } : {}),
    channel: channelFiles ? { ...channelObject, digest: channelFiles.digest } : channelValue,
    ...topLevelChannelValues(data, channelDefinition),
    ...common,
    ...Object.fromEntries(protocolDefinition.parameters.map((p) => [p.name, params[p.name]])),
    ...(Object.keys(crashParams(source, protocolDefinition)).length ? { crash: data['crash'] } : {}),
    trials: trialsOf(data['trials']),
    seed: String(data['seed'] ?? DEFAULTS.seed),
    ...(sweep.length ? { sweep: Object.fromEntries(sweep.map((a) => [a.parameter, a.values])) } : {}),
    ...(data['expect'] ? { expect: data['expect'] } : {}),
  };
  return {
    name,
    description: resolved.description,
    source: source.source,
    protocol,
    channel,
    protocolDefinition,
    channelDefinition,
    params,
    sweep,
    trials: typeof resolved.trials === 'number' ? resolved.trials : resolved.trials.maxTrials,
    ...(typeof resolved.trials === 'number' ? {} : { precision: resolved.trials.precision }),
    seed: resolved.seed,
    expect: ((data['expect'] as Expectation[] | undefined) ?? []).map((e, i) => ({ ...e, place: source.locate(['expect', i]) })),
    resolved,
    ...(protocolFile ? { protocolFile: { file: protocolFile.file, digest: protocolFile.digest } } : {}),
    ...(channelFiles ? { files: channelFiles.absolute } : {}),
  };
}

/** A top-level channel's parameters as the file gives them (loss, or its {AtoB, BtoA} form), defaults filled in. */
function topLevelChannelValues(data: Record<string, unknown>, definition: ChannelDefinition<unknown>): Record<string, unknown> {
  if (!definition.topLevel) return {};
  return Object.fromEntries(definition.parameters.map((p) => [p.name, data[p.name] ?? p.default]));
}

/** The channel's parameters, flat: a top-level channel's (loss), the channel object's keys otherwise. */
function channelParams(source: ScenarioSource, definition: ChannelDefinition<unknown>, object: Record<string, unknown>): Record<string, number | string> {
  const channel = definition.name;
  const params: Record<string, number | string> = {};
  // Another channel's top-level parameter (loss beside a channel of its own top-level parameters,
  // or that channel's beside bernoulli) is refused: it was left unread, the cells run at the defaults.
  for (const other of PARAMETERS.filter((p) => p.topLevel && p.channel && p.channel !== channel && !p.directionOf)) {
    if (source.data[other.name] === undefined) continue;
    const takes = definition.parameters.map((p) => p.name);
    const where = definition.topLevel ? 'at the top level' : 'in its channel object';
    throw new UsageError(
      source.locate([other.name], true),
      `${other.name} applies only to the ${other.channel} channel; the ${channel} channel takes ${takes.length ? takes.join(', ') : 'no parameters'} ${where}`,
    );
  }
  if (definition.topLevel) {
    for (const p of definition.parameters) {
      const value = source.data[p.name] ?? p.default;
      if (p.perDirection && typeof value === 'object' && value !== null) {
        const { AtoB, BtoA } = value as { AtoB: number; BtoA: number };
        params[`${p.name}AtoB`] = AtoB;
        params[`${p.name}BtoA`] = BtoA;
      } else if (value !== undefined) params[p.name] = value as number | string;
    }
    return params;
  }
  for (const p of definition.parameters) {
    const value = (object[p.name] as number | string | undefined) ?? p.default;
    if (p.perDirection && typeof value === 'object' && value !== null) {
      // {AtoB, BtoA} in the channel object, as at the top level: the cell has nameAtoB and nameBtoA (it was the object itself, read as NaN).
      const { AtoB, BtoA } = value as { AtoB: number; BtoA: number };
      params[`${p.name}AtoB`] = AtoB;
      params[`${p.name}BtoA`] = BtoA;
    } else if (value !== undefined) params[p.name] = value;
  }
  return params;
}

/**
 * The files the channel object names (parameters of kind 'file'), relative to the scenario: each
 * one's absolute path by the path as written, and one sha256 over their contents, which results
 * record; a digest the scenario gives must match it.
 */
function filesOf(
  source: ScenarioSource,
  definition: ChannelDefinition<unknown>,
  object: Record<string, unknown>,
): { absolute: Record<string, string>; digest: string } | null {
  const declared = definition.parameters.filter((p) => p.text === 'file' && typeof object[p.name] === 'string');
  if (declared.length === 0) return null;
  const absolute: Record<string, string> = {};
  // Files held to the digest the scenario records: a saved scenario.yaml takes the copies with
  // that digest among those the recorded places hold, not merely the first (a stale one); several
  // files (a trace per direction) from one place, as the digest covers them together.
  const given = object['digest'];
  const names = declared.map((p) => p.name);
  const together =
    declared.length > 1 && typeof given === 'string'
      ? besideRecordedTogether(
          source,
          declared.map((p) => object[p.name] as string),
          (files) => channelFilesDigest(names, files) === given,
        )
      : undefined;
  for (const [i, p] of declared.entries()) {
    const written = object[p.name] as string;
    const prefer = declared.length === 1 && typeof given === 'string' ? (f: string) => channelFilesDigest([p.name], [f]) === given : undefined;
    const file = directChannelFile(source, written) ?? together?.[i] ?? channelFileLocation(source, written, prefer);
    if (!existsSync(file)) {
      throw new UsageError(source.locate(['channel', p.name]), `no such file: ${written} ${scenarioPathHint(file)}`);
    }
    absolute[written] = file;
  }
  // One sha256 over each file's name and bytes; in a worker thread while the files are read,
  // where they are long.
  const parts = channelFileParts(
    declared.map((p) => p.name),
    declared.map((p) => absolute[object[p.name] as string]!),
  );
  const sizes = declared.map((p) => fileBytes(absolute[object[p.name] as string]!));
  const bytes = sizes.reduce((sum, n) => sum + n, 0);
  // A pipe's bytes are there once, for the reader: a worker reading them too would take some of
  // them, or wait for ever for a writer gone.
  const background = bytes >= BACKGROUND_HASH_BYTES && !sizes.includes(NOT_A_FILE) ? hashInBackground(parts, bytes) : undefined;
  const hash = background ? undefined : createHash('sha256');
  for (const p of declared) {
    const file = absolute[object[p.name] as string]!;
    hash?.update(`${p.name}\u0000`);
    if (definition.readFile) definition.readFile(file, object as ChannelParams, hash);
    else if (hash) hashTraceFile(file, hash);
    hash?.update('\u0000');
  }
  definition.checkFiles?.(
    Object.fromEntries(
      definition.parameters
        .map((p) => [p.name, p.text === 'file' && typeof object[p.name] === 'string' ? absolute[object[p.name] as string] : object[p.name]])
        .filter(([, v]) => v !== undefined),
    ) as Record<string, string>,
  );
  const digest = hash ? hash.digest('hex') : (background!.digest() ?? hashParts(parts));
  if (given !== undefined && given !== digest) {
    throw new UsageError(source.locate(['channel', 'digest']), 'the channel files are not the ones these results were made with (their digest differs)');
  }
  return { absolute, digest };
}

/**
 * Where a channel file a scenario names is: where merge found it, else relative to the scenario
 * file, else (a saved scenario.yaml, moved away from its trace) relative to the scenario file it
 * records.
 */
function channelFileLocation(source: ScenarioSource, written: string, prefer?: (file: string) => boolean): string {
  return (
    directChannelFile(source, written) ?? besideRecorded(source, (scenario) => resolvePath(dirname(scenario), written), prefer) ?? besideSource(source, written)
  );
}

/** A channel file where the command was told it is (merge), or beside the scenario file, if it is there. */
function directChannelFile(source: ScenarioSource, written: string): string | undefined {
  const found = source.channelFilesAt?.[written];
  if (found !== undefined) return found;
  const beside = besideSource(source, written);
  return existsSync(beside) ? beside : undefined;
}

const besideSource = (source: ScenarioSource, written: string): string =>
  resolvePath(source.source.startsWith('(') ? process.cwd() : dirname(source.source), written);

/** What the channel files' sha256 is taken over: each file's parameter name and bytes, in the order given. */
function channelFileParts(names: readonly string[], files: readonly string[]): HashPart[] {
  return names.flatMap((name, i): HashPart[] => [{ text: `${name}\u0000` }, { file: files[i]! }, { text: '\u0000' }]);
}

/** The sha256 results record for these channel files (parameter names and absolute paths, in declaration order). */
export function channelFilesDigest(names: readonly string[], files: readonly string[]): string {
  return hashParts(channelFileParts(names, files));
}

/** What fileBytes says of a path that is not a regular file (a pipe, a device). */
const NOT_A_FILE = -1;

/** The bytes a file holds, or NOT_A_FILE: such a path is never hashed in the background. */
function fileBytes(file: string): number {
  const stat = statSync(file);
  return stat.isFile() ? stat.size : NOT_A_FILE;
}

/** The sha256 of the parts, taken here (what a background hash takes). */
function hashParts(parts: readonly HashPart[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    if ('text' in part) hash.update(part.text);
    else hashTraceFile(part.file, hash);
  }
  return hash.digest('hex');
}

/**
 * Each protocol's own parameters: the scenario's protocol's, defaults filled in (its own, where
 * other protocols declare the name too); another protocol's, which its own does not declare, are
 * mistakes.
 */
function protocolParams(source: ScenarioSource, protocol: ProtocolDefinition<unknown>): Record<string, number> {
  const params: Record<string, number> = {};
  for (const spec of PARAMETERS.filter((p) => p.protocol)) {
    const value = source.data[spec.name] as number | undefined;
    if (spec.protocol !== protocol.name) {
      if (value !== undefined) checkApplies(source, [spec.name], spec.name, protocol, '');
      continue;
    }
    params[spec.name] = value ?? (spec.default as number);
  }
  return params;
}

/**
 * The crash rates as flat cell parameters: crash for every role, or crashRole per role named.
 * A crash rate of 0 everywhere is no parameter at all, so the cell is the crash-free one, to the
 * byte; any other is refused for a protocol without crash support.
 */
function crashParams(source: ScenarioSource, protocol: ProtocolDefinition<unknown>): Record<string, number> {
  const value = source.data[CRASH_PARAMETER.name] as number | Record<string, number> | undefined;
  if (value === undefined) return {};
  const given: Record<string, number> = typeof value === 'number' ? { crash: value } : {};
  if (typeof value === 'object') {
    const roles = protocol.roles ?? [];
    const writtenFor = new Map<string, string>(); // the key each role was first given by
    for (const [written, rate] of Object.entries(value)) {
      // Role names are matched without regard to case: { a: 0.1 } is role A.
      const role = roles.find((r) => r.toLowerCase() === written.toLowerCase()) ?? written;
      if (roles.length && !roles.includes(role)) {
        throw new UsageError(
          source.locate(['crash', written], true),
          `the ${protocol.name} protocol has no role '${written}'${didYouMean(written, roles)}; its roles are ${roles.join(', ')}`,
        );
      }
      // { A: 0.1, a: 0.2 } gives role A twice: one of the two rates would be dropped unsaid.
      const first = writtenFor.get(crashParameterName(role));
      if (first !== undefined) {
        throw new UsageError(
          source.locate(['crash', written], true),
          `crash.${written} gives role ${role} a rate again (crash.${first} gives it ${value[first]}; a role is named in any case): give each role once`,
        );
      }
      writtenFor.set(crashParameterName(role), written);
      given[crashParameterName(role)] = rate;
    }
  }
  if (Object.values(given).every((rate) => rate === 0)) return {};
  const [written, rate] = typeof value === 'number' ? ['crash', value] : Object.entries(value).find(([, r]) => r !== 0)!;
  checkCrashSupport(source, ['crash'], protocol, `${typeof value === 'number' ? written : `crash.${written}`} is ${rate}`);
  return given;
}

/** `what`: the parameter and its rate above 0 (crash is 0.1, sweep.crashA has 0.2), as the refusal names it. */
function checkCrashSupport(source: ScenarioSource, path: (string | number)[], protocol: ProtocolDefinition<unknown>, what: string): void {
  if (supportsCrashes(protocol)) return;
  throw new UsageError(
    source.locate(path, true),
    `${what}, but the ${protocol.name} protocol does not support crashes (its definition declares no roles, nodes, crash and crashed; see docs/writing-a-protocol.md, "Crashes")`,
  );
}

/**
 * `sweptValues`: a swept parameter's values. A crash rate swept for a protocol without crash
 * support is taken where every value is 0 (no crash at all, as a crash rate of 0 set is), and
 * refused at its first rate above 0.
 */
function checkApplies(
  source: ScenarioSource,
  path: (string | number)[],
  parameter: string,
  protocol: ProtocolDefinition<unknown>,
  channel: string,
  sweptValues?: () => readonly number[],
): void {
  const spec = parameterSpec(parameter, protocol.name)!;
  if (spec.perRole || spec.roleOf) {
    if (!supportsCrashes(protocol)) {
      const rate = sweptValues ? sweptValues().find((v) => v !== 0) : undefined;
      if (sweptValues && rate === undefined) return;
      checkCrashSupport(source, path, protocol, rate === undefined ? `${parameter} is set` : `${path.join('.')} has ${rate}`);
    }
    const roles = protocol.roles!;
    // By the parameter's name, not the role it was first declared for: a protocol file's role b has crashB too.
    if (spec.role !== undefined && !roles.some((role) => crashParameterName(role) === parameter)) {
      throw new UsageError(
        source.locate(path, true),
        `${parameter} is the crash rate of role ${spec.role}; the ${protocol.name} protocol's roles are ${roles.join(', ')}`,
      );
    }
  }
  if (spec.protocol && spec.protocol !== protocol.name) {
    const declaring = protocolsDeclaring(parameter);
    throw new UsageError(
      source.locate(path, true),
      `${parameter} applies only to the ${joinedWithAnd(declaring)} ${nounFor(declaring.length, 'protocol')}, not to ${protocol.name}`,
    );
  }
  if (spec.channel && channel && spec.channel !== channel) {
    throw new UsageError(source.locate(path, true), `${parameter} applies only to the ${spec.channel} channel, not to ${channel}`);
  }
}

function trialsOf(value: unknown): number | { precision: number; maxTrials: number } {
  if (value === undefined) return DEFAULTS.trials;
  if (typeof value === 'number') return value;
  const { precision, maxTrials = DEFAULT_MAX_TRIALS } = value as { precision: number; maxTrials?: number };
  return { precision, maxTrials };
}

function nameFromFile(source: string): string {
  if (source === DEFAULT_SCENARIO_SOURCE) return String(DEFAULT_SCENARIO['name']);
  const stem = basename(source, extname(source)).replace(/[^A-Za-z0-9._-]/g, '-');
  return /^[A-Za-z0-9]/.test(stem) ? stem : `scenario-${stem}`;
}

/** A sweep axis's values: a list as given, or a range expanded from `from` by `step` to `to` (within the protocol's own range). */
function sweepAxis(source: ScenarioSource, protocol: string, parameter: string, spec: unknown): SweepAxis {
  const path = ['sweep', parameter];
  const values = Array.isArray(spec) ? (spec as number[]) : expandRange(source, protocol, path, spec as RangeSpec);
  const seen = new Set<number>();
  for (const [i, v] of values.entries()) {
    if (seen.has(v)) throw new UsageError(source.locate([...path, i]), `sweep.${parameter} lists ${v} twice`);
    seen.add(v);
  }
  return { parameter, values };
}

interface RangeSpec {
  from: number;
  to: number;
  step?: number;
}

function expandRange(source: ScenarioSource, protocol: string, path: string[], { from, to, step = 1 }: RangeSpec): number[] {
  const name = path.join('.');
  if (to < from) throw new UsageError(source.locate(path), `${name} is empty: from ${from} is above to ${to}`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_CELLS) throw new UsageError(source.locate(path), `${name} has ${count} ${nounFor(count, 'value')}; at most ${MAX_CELLS} are allowed`);
  const spec = parameterSpec(path[1]!, protocol)!;
  const values: number[] = [];
  // Multiplying rather than accumulating, and rounding to 12 digits, keeps 0.1:0.5:0.1 at 0.3, not 0.30000000000000004.
  for (let i = 0; i < count; i++) values.push(Number((from + i * step).toPrecision(12)));
  if (Number.isFinite(spec.maximum) && values.some((v) => v > spec.maximum)) {
    throw new UsageError(source.locate(path), `${name} reaches above ${spec.maximum}`);
  }
  return values;
}
