import { jsonSyntaxError, lineAndColumn } from '../io/strict-json.js';
import type { ExactResult } from '../engine/exact/result.js';
import type { Shard } from '../engine/schedule/runner.js';
import { addTally, emptyTally } from '../engine/tally.js';
import type { Tally } from '../engine/tally.js';
import { UsageError } from '../errors.js';
import { readTextInput } from '../io/files.js';
import { jsonFormatEscaped, thousands } from '../io/text.js';
import { savedContent } from '../export/json.js';
import type { Cell, Scenario } from '../scenario/types.js';
import { canonicalJson, contentDigest, tallyProblem } from './verify.js';
import { computableConfidence } from '../stats/confidence.js';
import { possessive } from '../io/wording.js';
import { isBaselineDigests } from './baseline-digests.js';
import type { BaselineDigests } from './baseline-digests.js';

/**
 * A shard's counts: what `run --shard i/n` writes and `merge` adds up. Tallies are integers, so
 * merging is exact and the merged output is byte for byte that of the unsharded run.
 */
export interface ShardFile {
  readonly tool: string;
  readonly version: string;
  readonly kind: 'twogenerals-shard';
  readonly shard: Shard;
  readonly blockSize: number;
  readonly scenarios: readonly Readonly<Record<string, unknown>>[];
  readonly cells: readonly { readonly scenario: number; readonly key: string; readonly tally: Tally }[];
  /**
   * Where each scenario's `expect` entries are written ("file:line:column", null for none), when
   * some are: merge points its gates (JUnit's file and line) where the unsharded run does.
   */
  readonly places?: readonly (readonly (string | null)[])[];
  /** contentDigest of the rest: names a file changed after it was written. */
  readonly digest: string;
}

export function shardFile(
  tool: { name: string; version: string },
  shard: Shard,
  blockSize: number,
  scenarios: readonly Scenario[],
  cells: readonly Cell[],
  tallies: readonly Tally[],
): string {
  const content: Omit<ShardFile, 'digest'> = {
    tool: tool.name,
    version: tool.version,
    kind: 'twogenerals-shard',
    shard,
    blockSize,
    scenarios: scenarios.map((s) => s.resolved),
    cells: cells.map((cell, i) => ({ scenario: scenarios.indexOf(cell.scenario), key: cell.key, tally: tallies[i]! })),
    ...(scenarios.some((s) => s.expect.some((e) => e.place !== undefined)) ? { places: scenarios.map((s) => s.expect.map((e) => e.place ?? null)) } : {}),
  };
  const file: ShardFile = { ...content, digest: contentDigest(content as unknown as Record<string, unknown>) };
  return `${jsonFormatEscaped(JSON.stringify(file, null, 1))}\n`;
}

export function parseShard(value: string, source: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(count >= 1 && index >= 1 && index <= count)) {
    throw new UsageError(source, 'expected i/n with 1 ≤ i ≤ n, such as 2/8');
  }
  if (count > MAX_SHARDS) throw new UsageError(source, `at most ${thousands(MAX_SHARDS)} shards: split the run into fewer`);
  return { index, count };
}

const MAX_SHARDS = 100000;

/** What a saved results.json carries besides its counts, so that a re-export reproduces it. */
export interface SavedRun {
  readonly confidence: number;
  /** Each cell's exact values as the run had them (null: none), when the file records them. */
  readonly exact: readonly (ExactResult | null)[] | undefined;
  /** Why a cell had no exact value, where the file says. */
  readonly exactMissing?: readonly (string | undefined)[];
  /** The file's columns and rows as written: they must be the figures its counts give (savedRowsChanged). */
  readonly columns?: unknown;
  readonly rows?: unknown;
  /** The digests of the baselines its notWorseThan gates were judged against, where it records them. */
  readonly baselines?: BaselineDigests;
}

/** A shard file, or a saved results.json read as the one shard of a whole run. */
export interface ReadShard extends ShardFile {
  readonly saved?: SavedRun;
}

/** Levels of lists and objects a shard or saved results file may nest: theirs nest well under ten. */
const MAX_NESTING = 64;

/** How deep lists and objects nest in a parsed JSON value, counted without recursion. */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > MAX_NESTING) return deepest;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readShardFile(path: string, savedOnly = false, baseline = false): ReadShard {
  const text = readTextInput(path, 'shard');
  // Where only a saved run will do (a baseline), the message names that alone.
  const notOne = savedOnly
    ? 'not a saved results.json (write one with `twogenerals run --out`)'
    : 'not a shard file (write one with `twogenerals run --shard i/n`) nor a saved results.json';
  // An empty file is what a shard job that failed before writing leaves (run --shard > shard.json).
  if (text.trim() === '') throw new UsageError(path, `the file is empty: ${notOne}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Where it parts from JSON (JSON.parse names no place for some texts).
    const found = jsonSyntaxError(text);
    const at = found ? lineAndColumn(text, found.offset) : undefined;
    throw new UsageError(
      at ? `${path}:${at.line}:${at.column}` : path,
      `${notOne}: it is not valid JSON${found ? ` (${found.problem})` : ''}${/\.ya?ml$/i.test(path) ? ' (a scenario? run it first)' : ''}`,
    );
  }
  // Shards and saved results nest a few levels; their digest and checks walk the content
  // recursively, and a value nested thousands deep would overflow the stack (an internal error).
  if (nestingDepth(data) > MAX_NESTING) throw new UsageError(path, `${notOne}: its JSON nests more than ${MAX_NESTING} levels deep`);
  if (isObject(data) && data['tool'] === 'twogenerals' && data['kind'] === undefined && 'tallies' in data) return readSavedResults(path, data, baseline);
  if (!isObject(data) || data['kind'] !== 'twogenerals-shard') {
    throw new UsageError(path, notOne);
  }
  // Another tool's file in this shape is not ours to add, whatever digest it carries.
  const tool = data['tool'];
  if (tool !== 'twogenerals')
    throw new UsageError(
      path,
      typeof tool === 'string'
        ? `it was written by another tool ('${tool.length > 40 ? `${tool.slice(0, 37)}…` : tool}'), not twogenerals`
        : 'it does not say twogenerals wrote it (no tool)',
    );
  const shard = data['shard'];
  if (
    !isObject(shard) ||
    !Number.isSafeInteger(shard['count']) ||
    !Number.isSafeInteger(shard['index']) ||
    !(
      (shard['count'] as number) >= 1 &&
      (shard['count'] as number) <= MAX_SHARDS &&
      (shard['index'] as number) >= 1 &&
      (shard['index'] as number) <= (shard['count'] as number)
    )
  ) {
    throw new UsageError(path, 'its shard is not i/n with 1 ≤ i ≤ n');
  }
  if (typeof data['version'] !== 'string') throw new UsageError(path, 'it does not say which version of twogenerals wrote it');
  if (!Number.isSafeInteger(data['blockSize']) || (data['blockSize'] as number) < 1)
    throw new UsageError(path, 'its block size is not a positive whole number');
  if (!Array.isArray(data['scenarios']) || !data['scenarios'].length || !data['scenarios'].every(isObject))
    throw new UsageError(path, 'its scenarios are missing');
  const scenarioCount = data['scenarios'].length;
  if (!Array.isArray(data['cells']) || !data['cells'].length) throw new UsageError(path, 'its cells are missing');
  for (const [i, cell] of (data['cells'] as unknown[]).entries()) {
    if (
      !isObject(cell) ||
      typeof cell['key'] !== 'string' ||
      !Number.isSafeInteger(cell['scenario']) ||
      (cell['scenario'] as number) < 0 ||
      (cell['scenario'] as number) >= scenarioCount
    ) {
      throw new UsageError(path, `cell ${i + 1} does not name its scenario and parameters`);
    }
    const problem = tallyProblem(cell['tally']);
    if (problem) throw new UsageError(path, `cell ${i + 1} (${cell['key']}): ${problem}`);
  }
  checkPlaces(path, data['places'], scenarioCount);
  if (typeof data['digest'] !== 'string')
    throw new UsageError(path, 'it has no digest of its counts: write shards with `twogenerals run --shard i/n` of this version');
  if (data['digest'] !== contentDigest(data)) throw new UsageError(path, 'counts do not match its digest: the file was changed after `run --shard` wrote it');
  return data as unknown as ShardFile;
}

/** Recorded places of the scenarios' expect entries: absent, or one list of texts (or nulls) per scenario. */
function checkPlaces(path: string, places: unknown, scenarioCount: number): void {
  if (
    places !== undefined &&
    !(
      Array.isArray(places) &&
      places.length === scenarioCount &&
      places.every((p) => Array.isArray(p) && p.every((place) => place === null || typeof place === 'string'))
    )
  )
    throw new UsageError(path, "its places of the scenarios' expect entries are not one list per scenario");
}

/** A saved results.json: one whole run, shard 1 of 1, with its confidence and exact values. */
export function readSavedResults(path: string, saved: Record<string, unknown>, baseline = false): ReadShard {
  if (typeof saved['version'] !== 'string') throw new UsageError(path, 'it does not say which version of twogenerals wrote it');
  if (!Number.isSafeInteger(saved['blockSize']) || (saved['blockSize'] as number) < 1)
    throw new UsageError(path, 'its block size is not a positive whole number');
  if (!Array.isArray(saved['scenarios']) || !saved['scenarios'].length || !saved['scenarios'].every(isObject))
    throw new UsageError(path, 'its scenarios are missing');
  const confidence = saved['confidence'];
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) throw new UsageError(path, 'its confidence is not a number between 0 and 1');
  // As --confidence requires: one so near 1 that a double holds its distance from 1 as another number gives another confidence's intervals.
  if (!computableConfidence(confidence))
    throw new UsageError(path, `its confidence ${confidence} is too close to 1 for its intervals to be computed in double precision`);
  const tallies = saved['tallies'];
  if (!Array.isArray(tallies) || !tallies.length) throw new UsageError(path, 'it holds no counts');
  const cells = tallies.map((entry: unknown, i) => {
    if (!isObject(entry) || typeof entry['key'] !== 'string') throw new UsageError(path, `tally ${i + 1} does not name its cell`);
    const { key, ...tally } = entry;
    // `exact --format json` writes such a file: a baseline is a run saved with its counts.
    const none = baseline
      ? 'it has no counts (exact values only, as `exact` prints them: a baseline is a run saved with `twogenerals run --out`)'
      : 'it has no counts (exact values only: there is nothing to re-export)';
    const problem = Object.keys(tally).length ? tallyProblem(tally) : none;
    if (problem) throw new UsageError(path, `cell ${i + 1} (${key as string}): ${problem}`);
    return { scenario: 0, key: key as string, tally: tally as unknown as Tally };
  });
  const exact = saved['exact'];
  if (exact !== undefined && !(Array.isArray(exact) && exact.length === cells.length && exact.every((e) => e === null || isExactResult(e)))) {
    throw new UsageError(path, 'its exact values are not one per cell');
  }
  checkPlaces(path, saved['places'], (saved['scenarios'] as unknown[]).length);
  const baselines = saved['baselines'];
  if (baselines !== undefined && !isBaselineDigests(baselines, (saved['scenarios'] as unknown[]).length))
    throw new UsageError(path, "its digests of the gates' baselines are not one list per scenario");
  const missing = Array.isArray(saved['exactMissing']) ? (saved['exactMissing'] as unknown[]) : [];
  const exactMissing = cells.map((_, c) => (typeof missing[c] === 'string' ? (missing[c] as string) : undefined));
  if (typeof saved['digest'] !== 'string')
    throw new UsageError(path, 'it has no digest of its counts: re-export a results.json saved by this version of twogenerals');
  if (saved['digest'] !== contentDigest(savedContent(saved)))
    throw new UsageError(path, 'counts do not match its digest: the file was changed after it was saved');
  return {
    tool: 'twogenerals',
    version: saved['version'],
    kind: 'twogenerals-shard',
    shard: { index: 1, count: 1 },
    blockSize: saved['blockSize'] as number,
    scenarios: saved['scenarios'] as Record<string, unknown>[],
    cells,
    ...(saved['places'] === undefined ? {} : { places: saved['places'] as (string | null)[][] }),
    digest: saved['digest'],
    saved: {
      confidence,
      exact: exact as (ExactResult | null)[] | undefined,
      exactMissing,
      ...(saved['columns'] === undefined ? {} : { columns: saved['columns'] }),
      ...(saved['rows'] === undefined ? {} : { rows: saved['rows'] }),
      ...(baselines === undefined ? {} : { baselines }),
    },
  };
}

function isExactResult(value: unknown): value is ExactResult {
  if (!isObject(value)) return false;
  const numbers = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  return (
    numbers(value['outcomes']) &&
    (value['messages'] === null || numbers(value['messages'])) &&
    ['messagesMean', 'messagesSecondMoment', 'deliveredMean', 'roundsMean'].every((k) => typeof value[k] === 'number')
  );
}

/**
 * What differs between two shards' recorded scenarios, as merge names it: the first scenario and
 * key (a dotted path) where they part, and where that is a file's digest, that the file changed.
 */
function scenarioDifference(these: readonly unknown[], those: readonly unknown[]): [what: string, why: string] {
  if (these.length !== those.length) return [`number of scenarios (${these.length})`, ''];
  for (const [i, scenario] of these.entries()) {
    const path = firstDifference(scenario, those[i], '');
    if (path === undefined) continue;
    const why = /(^|\.)protocolDigest$/.test(path)
      ? ': the protocol file, or a file it imports, changed between the runs'
      : /(^|\.)digest$/.test(path)
        ? ': the file it names changed between the runs'
        : '';
    return [`${these.length > 1 ? `scenario ${i + 1}'s ` : ''}${path || 'scenario'}`, why];
  }
  return ['scenario', ''];
}

/** The first dotted path (keys sorted) where two JSON values differ; '' where they differ whole; undefined where they are equal. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isRecord(a) && isRecord(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const found = firstDifference(a[key], b[key], path ? `${path}.${key}` : key);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return canonicalJson(a ?? null) === canonicalJson(b ?? null) ? undefined : path;
}

/**
 * The recorded scenarios as what they run: without the scenario file's path, which says only where
 * the run found its protocol or trace file. Shards run from other checkouts (other machines) name
 * other paths for the same files, whose recorded digests still hold them to the same contents.
 */
function runOf(scenarios: readonly Readonly<Record<string, unknown>>[]): Record<string, unknown>[] {
  return scenarios.map(({ scenarioFile: _, ...run }) => run);
}

/**
 * Adds shards' tallies cell by cell, refusing shards of different runs: other scenarios, seeds,
 * versions, block sizes or shard counts, a shard given twice, or a shard missing.
 */
export function mergeShards(files: readonly { path: string; shard: ShardFile }[]): { first: ShardFile; tallies: Tally[] } {
  // Each shard is held to the run most of them agree on (the first given's where none has more
  // shards than it): a shard that differs is named, not the ones that agree.
  const runs = files.map(({ shard }) =>
    canonicalJson([shard.version, shard.blockSize, shard.shard.count, runOf(shard.scenarios), shard.cells.map((c) => [c.scenario, c.key])]),
  );
  const shardsOf = new Map<string, number>();
  for (const run of runs) shardsOf.set(run, (shardsOf.get(run) ?? 0) + 1);
  const reference = files[runs.reduce((best, run, i) => (shardsOf.get(run)! > shardsOf.get(runs[best]!)! ? i : best), 0)]!;
  const first = reference.shard;
  const seen = new Map<number, string>();
  for (const { path, shard } of files) {
    const differs = (what: string, why = '') => new UsageError(path, `cannot merge: its ${what} differs from ${possessive(reference.path)}${why}`);
    if (shard.version !== first.version) throw differs(`tool version (${shard.version})`);
    if (shard.blockSize !== first.blockSize) throw differs('block size');
    if (shard.shard.count !== first.shard.count) throw differs(`shard count (${shard.shard.count})`);
    if (canonicalJson(runOf(shard.scenarios)) !== canonicalJson(runOf(first.scenarios)))
      throw differs(...scenarioDifference(runOf(shard.scenarios), runOf(first.scenarios)));
    if (JSON.stringify(shard.cells.map((c) => [c.scenario, c.key])) !== JSON.stringify(first.cells.map((c) => [c.scenario, c.key]))) throw differs('cells');
    const other = seen.get(shard.shard.index);
    if (other) throw new UsageError(path, `cannot merge: it is shard ${shard.shard.index}/${shard.shard.count}, like ${other}`);
    seen.set(shard.shard.index, path);
  }
  const missing = Array.from({ length: first.shard.count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length) {
    const shown = missing
      .slice(0, 10)
      .map((i) => `${i}/${first.shard.count}`)
      .join(', ');
    throw new UsageError('merge', `shard${missing.length > 1 ? 's' : ''} ${shown}${missing.length > 10 ? ` and ${missing.length - 10} more` : ''} missing`);
  }
  const tallies = first.cells.map((cell, c) =>
    files.reduce((total, { shard }) => addTally(total, shard.cells[c]!.tally), emptyTally(cell.tally.outcomes.length)),
  );
  return { first, tallies };
}
