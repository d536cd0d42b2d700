import { LineCounter, isMap, isScalar, parseAllDocuments, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { UsageError } from '../errors.js';
import { readTextInput, refuseStdinName } from '../io/files.js';
import { terminalSafe } from '../io/text.js';
import { jsonSyntaxError, lineAndColumn } from '../io/strict-json.js';
import { dataOrAliasFailure } from './alias-places.js';
import { badMergeSource, keyAt, nodeAt } from './merge-keys.js';
import { misreadLiteral } from './misread-literal.js';
import { readNumberTags } from './number-tags.js';
import { inputPath, shippedScenarioNames } from './shipped.js';
import { didYouMean } from '../suggest.js';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type Path = readonly (string | number)[];

/** A scenario's raw data with a way back to where each value was written. */
export interface ScenarioSource {
  /** A file path, or a label such as "(default scenario)". */
  readonly source: string;
  readonly data: Record<string, unknown>;
  /** "file:line:column" of the value at `path` (or of its key, with `key`), as close as known. */
  locate(path: Path, key?: boolean): string;
  /** Where the protocol file it names was found, where not beside the scenario (merge: protocol files). */
  readonly protocolAt?: string;
  /** Where each channel file it names (by the path as written) was found, where not beside the scenario (merge: trace files). */
  readonly channelFilesAt?: Readonly<Record<string, string>>;
  /** The scenario file it was read from, as results record it (merge: protocol and channel files). */
  readonly scenarioFile?: string;
}

// `<<: *base` merges a mapping, as YAML 1.1 and most tools read it (YAML 1.2 alone would take `<<` as a key).
// logLevel 'error': the parser's warnings (a key that is a list, say) would go to stderr as Node
// warnings beside the one line that refuses such a key.
const YAML_OPTIONS = { prettyErrors: false, uniqueKeys: true, merge: true, logLevel: 'error' } as const;

/** Spaces YAML does not read as a space (it takes the plain space and the tab alone), pasted from a web page or a word processor. */
const ODD_SPACE = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/;

/**
 * " (it holds a no-break space, U+00A0, …)" where `text` holds a space YAML does not read as one,
 * else "": such a space after a colon makes `loss: 0.5` one text, not a key and its value.
 */
export function oddSpaceHint(text: unknown): string {
  if (typeof text !== 'string') return '';
  const found = ODD_SPACE.exec(text)?.[0];
  if (found === undefined) return '';
  const code = `U+${found.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const name = { '\u00a0': 'a no-break space', '\u202f': 'a narrow no-break space', '\u3000': 'an ideographic space' }[found] ?? 'a space';
  return ` (it holds ${name}, ${code}, which YAML does not read as a space: type a plain space there)`;
}

/** Parses YAML or JSON text (JSON is read as YAML 1.2, which contains it). */
export function parseScenarioText(given: string, source: string): ScenarioSource {
  if (given.trim() === '') throw new UsageError(source, 'the file is empty; a scenario needs at least a protocol');
  const text = lineBreaks(given);
  refuseJsonComments(text, source);
  // A .json file is JSON: YAML, which reads it, would take a trailing comma, a bare key or `.5` too.
  const notJson = formatName(source) === 'JSON' ? jsonSyntaxError(text) : null;
  if (notJson) {
    const { line, column } = lineAndColumn(text, notJson.offset);
    throw new UsageError(`${source}:${line}:${column}`, `malformed JSON: ${notJson.problem}`);
  }
  refuseDeepNesting(text, source);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, ...YAML_OPTIONS });
  if (doc.errors[0]?.code === 'MULTIPLE_DOCS') {
    // Empty documents beside the one scenario (a `---` a generator writes at the end) hold nothing.
    const all = new LineCounter();
    const held = parseAllDocuments(text, { lineCounter: all, ...YAML_OPTIONS });
    const scenarios = Array.isArray(held) ? held.filter((d) => !emptyDocument(d)) : [];
    if (scenarios.length === 1) return fromDocument(scenarios[0]!, all, source, text);
    if (Array.isArray(held) && scenarios.length === 0) throw new UsageError(source, 'its documents are all empty; a scenario needs at least a protocol');
  }
  return fromDocument(doc, lines, source, text);
}

/** A document with nothing in it: no error, no content (a bare `---`). */
function emptyDocument(doc: Document): boolean {
  return doc.errors.length === 0 && isScalar(doc.contents) && doc.contents.value === null && doc.contents.source === '';
}

/**
 * How deep `[` and `{` nest outside quotes (as YAML's flow collections nest), and the offset of the
 * first one deeper than `limit` (-1: none): counted before the YAML reader, which recurses once a
 * level and, a thousand levels deep, ran out of stack where the process could not survive it
 * (`FATAL ERROR: RegExpCompiler Allocation failed`, exit 134).
 */
export function flowNestingPast(text: string, limit: number): { deepest: number; at: number } {
  let depth = 0;
  let deepest = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') {
      deepest = Math.max(deepest, ++depth);
      if (depth > limit) return { deepest, at: i };
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return { deepest, at: -1 };
}

/** Flow lists and mappings a scenario file may nest: the YAML reader recurses once a level. */
const MAX_FILE_NESTING = 256;

/**
 * Refused before the YAML reader, which recursing a thousand levels deep could run out of stack
 * where the process does not survive it (FATAL ERROR: RegExpCompiler Allocation failed, exit 134)
 * or, by luck, where it threw "maximum call stack size exceeded".
 */
function refuseDeepNesting(text: string, source: string): void {
  const { at } = flowNestingPast(text, MAX_FILE_NESTING);
  if (at < 0) return;
  const { line, column } = lineAndColumn(text, at);
  throw new UsageError(
    `${source}:${line}:${column}`,
    `malformed ${formatName(source)}: its lists or mappings nest too deep to be read (a scenario nests a few levels)`,
  );
}

/**
 * Parses text holding one scenario, or several YAML documents separated by `---` (what a result
 * folder's scenario.yaml holds for a run of several scenarios), each a scenario placed in the file.
 */
export function parseScenarioTexts(given: string, source: string): ScenarioSource[] {
  const one = (): ScenarioSource[] => [parseScenarioText(given, source)];
  if (given.trim() === '') return one();
  const text = lineBreaks(given);
  refuseDeepNesting(text, source);
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, ...YAML_OPTIONS });
  if (!Array.isArray(docs) || docs.length < 2) return one();
  // An empty document (a `---` at the end) holds no scenario.
  const held = docs.filter((doc) => !emptyDocument(doc));
  if (!held.length) throw new UsageError(source, 'its documents are all empty; a scenario needs at least a protocol');
  refuseJsonComments(text, source);
  return held.map((doc) => fromDocument(doc, lines, source, text));
}

/**
 * A carriage return alone is a line break in YAML 1.2 and whitespace in JSON (classic Mac OS text,
 * a stray one at a file's end), which the YAML reader took as part of a value or a syntax error
 * (a JSON scenario ending `}\r` was "malformed JSON: unexpected scalar at node end"). Written as a
 * line feed: one character for one, so every place (line and column) stays where it was.
 */
function lineBreaks(text: string): string {
  return text.replace(/\r(?!\n)/g, '\n');
}

/** One parsed document as a scenario's source, its places counted by `lines` over the whole text. */
function fromDocument(doc: Document, lines: LineCounter, source: string, sourceText: string): ScenarioSource {
  const at = (offset: number): string => {
    const { line, col } = lines.linePos(offset);
    return `${source}:${line}:${col}`;
  };
  // The line of a refusal, named where it holds a space YAML does not read as one.
  const lineHint = (offset: number): string => {
    const whole = lines.lineStarts;
    const { line } = lines.linePos(offset);
    const start = whole[line - 1];
    return start === undefined ? '' : oddSpaceHint(sourceText.slice(start, whole[line] ?? sourceText.length));
  };
  const error = doc.errors[0];
  if (error) throw new UsageError(at(error.pos[0]), `malformed ${formatName(source)}: ${problemWords(error.code, error.message)}${lineHint(error.pos[0])}`);
  if (!isMap(doc.contents)) {
    const offset = doc.contents?.range?.[0] ?? 0;
    throw new UsageError(at(offset), `a scenario must be a mapping of keys to values (like "protocol: messenger")${lineHint(offset)}`);
  }
  const notWhole = readNumberTags(doc);
  if (notWhole) throw new UsageError(at(notWhole.offset), notWhole.problem);
  const merge = badMergeSource(doc);
  if (merge) throw new UsageError(at(merge.offset), `malformed ${formatName(source)}: ${merge.problem}`);
  const read = dataOrAliasFailure(doc, { maxAliasCount: MAX_ALIASES });
  if ('failure' in read) {
    const message = String((read.failure as Error).message ?? read.failure);
    const place = read.offset === undefined ? source : at(read.offset);
    if (/alias count/i.test(message)) {
      throw new UsageError(place, `malformed ${formatName(source)}: its aliases (*name) expand to too much; a scenario may use at most ${MAX_ALIASES} of them`);
    }
    throw new UsageError(
      place,
      `malformed ${formatName(source)}: ${
        /unresolved alias/i.test(message)
          ? 'an alias (*name) refers to no anchor (&name) before it'
          : /inside its anchor/i.test(message)
            ? 'an alias (*name) within the list or mapping its anchor (&name) names would make that value contain itself'
            : sentence(message)
      }`,
    );
  }
  const data = read.data as Record<string, unknown>;
  const locate = (path: Path, key = false): string => at(offsetOf(doc, path, key));
  const foreign = foreignValue(data, []);
  if (foreign) throw new UsageError(locate(foreign[0]), foreign[1]);
  const seedNode = nodeAt(doc, ['seed']);
  checkSeed(data, locate, isScalar(seedNode) ? seedNode.source : undefined);
  const misread = misreadLiteral(doc);
  if (misread) throw new UsageError(at(misread.offset), misread.problem);
  return { source, data, locate };
}

/**
 * JSON has no comments, and read as YAML a `//` line is text that makes the rest misread: a
 * JSON scenario (a .json file, or text starting with `{`) with a comment line is named as such.
 */
function refuseJsonComments(text: string, source: string): void {
  const json = source.toLowerCase().endsWith('.json') || /^\uFEFF?\s*(\/[/*][^\n]*\n\s*)*\{/.test(text);
  if (!json) return;
  const line = text.split('\n').findIndex((l) => /^\s*(\/\/|\/\*)/.test(l));
  if (line >= 0)
    throw new UsageError(
      `${source}:${line + 1}:${text.split('\n')[line]!.search(/\S/) + 1}`,
      'JSON does not allow comments: remove them, or write the scenario as YAML, where # starts a comment',
    );
}

/**
 * Where a YAML 1.1 tag made a value JSON has no kind of (!!binary, !!set, !!omap, !!timestamp,
 * and !!merge, which as a value is the merge key's symbol that no thread can be sent), its path
 * and the refusal naming what it is: every check after this reads objects as mappings, and
 * would ask such a value for a mapping's keys ("loss needs the key 'AtoB'").
 */
export function foreignValue(value: unknown, path: Path): [Path, string] | null {
  const kind =
    value instanceof Uint8Array
      ? 'binary data (!!binary)'
      : value instanceof Set
        ? 'a set (!!set)'
        : value instanceof Map
          ? 'an ordered mapping (!!omap)'
          : value instanceof Date
            ? 'a date (!!timestamp)'
            : typeof value === 'symbol'
              ? "YAML's merge key (!!merge, a key that merges a mapping: <<: *base)"
              : null;
  if (kind)
    return [path, `${path.length ? path.join('.') : 'the scenario'} is ${kind}, which no scenario value is: write a number, a text, a list or a mapping`];
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = foreignValue(item, [...path, i]);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = foreignValue(item, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** Aliases a scenario may expand: a few are handy, thousands are an attack (the billion laughs). */
const MAX_ALIASES = 100;

/**
 * An integer seed beyond 2^53 cannot be kept exactly as a number, so two different seeds would
 * run the same streams (and differ from the same --seed given on the command line): refused.
 * `text` is the seed as written (a YAML tag before it, as in `--set 'seed=!!int 12'` or
 * `--set 'seed=!<tag:yaml.org,2002:int> 12'`, is no part
 * of the number), and `entry` how to write a seed where it was given (`seed: 12` in a file).
 */
export function checkSeed(
  data: Record<string, unknown>,
  locate: (path: Path) => string,
  text?: string,
  entry: (value: string) => string = (value) => `seed: ${value}`,
): void {
  const seed = data['seed'];
  // Any tag: !!int, the verbatim !<tag:yaml.org,2002:int>, a local !tag.
  const bare = text?.trim().replace(/^!(?:<[^>]*>|\S*)\s+/, '');
  if (typeof seed === 'number' && Number.isInteger(seed) && !Number.isSafeInteger(seed)) {
    const written = bare && /^[-+]?\d+$/.test(bare) ? bare : String(seed);
    throw new UsageError(
      locate(['seed']),
      `seed ${written} is beyond 2^53, too large to be kept exactly as a number; quote it to use it as text: ${entry(`"${written}"`)}`,
    );
  }
  // A whole number written otherwise (1e3, 0x3e8, 1000.0, 01000, +1000) runs as the number's
  // decimal (1000): the same streams as another seed, and not those of --seed with that text.
  if (typeof seed === 'number' && Number.isSafeInteger(seed) && bare !== undefined && bare !== String(seed)) {
    throw new UsageError(
      locate(['seed']),
      `seed ${bare} is read as the number ${seed}, the same seed as ${seed} (and not what --seed ${bare} gives); write ${entry(String(seed))}, or quote it to use it as text: ${entry(`"${bare}"`)}`,
    );
  }
}

/** The YAML library's complaint in the user's words, where it has advice for programmers instead. */
function problemWords(code: string, message: string): string {
  switch (code) {
    case 'MULTIPLE_DOCS':
      return 'the file holds more than one document (separated by ---); a scenario file holds one scenario: put each in a file of its own';
    case 'TAB_AS_INDENT':
      return 'a tab is used for indentation; indent with spaces';
    case 'BAD_SCALAR_START':
      return `${sentence(message)}; quote the value`;
    default:
      // The reader recursing once a level ran out of stack: said of the file, not of the reader.
      if (/maximum call stack size exceeded/i.test(message)) return 'its lists or mappings nest too deep to be read (a scenario nests a few levels)';
      return sentence(message);
  }
}

export function readScenarioFile(given: string): ScenarioSource {
  const { path, text } = readScenarioInput(given);
  if (!savedByResultFolder(path)) return parseScenarioText(text, path);
  // A result folder's scenario.yaml of a run of several: named as what it is, not as a hand-written file of several documents.
  const saved = parseScenarioTexts(text, path);
  if (saved.length > 1)
    throw new UsageError(
      path,
      `holds the ${saved.length} scenarios of a saved run (a result folder's scenario.yaml), and this command takes one scenario: run them again with twogenerals run ${given}, or give the folder's results.json to plot or merge`,
    );
  return saved[0]!;
}

/**
 * A scenario file's scenarios: one, or where a result folder saved a run of several (its
 * scenario.yaml, beside its manifest.json), each of its YAML documents. A scenario file a user
 * writes holds one scenario: several documents there are refused as such.
 */
export function readScenarioFiles(given: string): ScenarioSource[] {
  const { path, text } = readScenarioInput(given);
  return savedByResultFolder(path) ? parseScenarioTexts(text, path) : [parseScenarioText(text, path)];
}

/** Whether a scenario file is a result folder's own scenario.yaml. */
function savedByResultFolder(path: string): boolean {
  return basename(path) === 'scenario.yaml' && existsSync(join(dirname(path), 'manifest.json'));
}

/** A scenario file's path and text, refused as what it is where it is another kind of file. */
function readScenarioInput(given: string): { path: string; text: string } {
  const path = inputPath(given);
  refuseOtherFolder(given, path);
  const text = readTextInput(path, 'scenario');
  const other = otherKindOfFile(path, text);
  if (other) throw new UsageError(path, other);
  return { path, text };
}

/**
 * Where no such file is, a name meant as a shipped scenario (`bursty-5pc`) is named as such, with
 * the nearest shipped name; a result folder is named with the scenario it holds.
 */
function refuseOtherFolder(given: string, path: string): void {
  refuseStdinName(given, 'scenario file');
  let folder = false;
  try {
    folder = statSync(path).isDirectory();
  } catch {
    if (!/[\\/]/.test(given) && !/\.(ya?ml|json)$/i.test(given)) {
      const names = [...shippedScenarioNames('scenarios'), ...shippedScenarioNames('examples')];
      if (names.length)
        throw new UsageError(
          given,
          `cannot read the scenario file: no such file or directory, nor is it the name of a shipped scenario or example${didYouMean(given, names)}; \`twogenerals scenarios\` lists them`,
        );
    }
    return;
  }
  if (folder && existsSync(join(path, 'scenario.yaml')))
    throw new UsageError(path, `is a result folder, not a scenario: its scenario is ${join(path, 'scenario.yaml')}`);
}

/**
 * Another kind of file the tool reads or writes, given where a scenario belongs: named as what it
 * is and what takes it, rather than as a scenario with a YAML error or no protocol.
 */
export function otherKindOfFile(path: string, text: string): string | null {
  if (/\.(m?js|cjs|m?ts)$/i.test(path))
    return 'is a protocol file, not a scenario: name it in a scenario (protocol: ./my-protocol.mjs), or check it with `twogenerals check FILE`';
  const first = text
    .replace(/^\uFEFF/, '')
    .trimStart()
    .split('\n', 1)[0]!
    .trim();
  if (/^PING\s/.test(first))
    return 'is a ping log, not a scenario: fit a channel to it with `twogenerals fit FILE`, or name it in one (channel: { model: trace, file: FILE })';
  if (/^scenario,protocol,channel(,|$)/.test(first)) return 'is results as CSV, not a scenario: chart them with `twogenerals plot FILE`';
  if (first.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return null;
    }
    if (typeof data !== 'object' || data === null) return null;
    const schema = (data as Record<string, unknown>)['$schema'];
    if (typeof schema === 'string' && /json-schema\.org/.test(schema) && 'properties' in data)
      return 'is a JSON Schema (of scenario files, as `twogenerals schema` prints it), not a scenario: a scenario\'s "$schema" points at it';
    if ((data as Record<string, unknown>)['tool'] !== 'twogenerals') return null;
    const d = data as Record<string, unknown>;
    if (d['kind'] === 'twogenerals-shard') return 'is a shard (run --shard), not a scenario: add the shards with `twogenerals merge FILES…`';
    if ('tallies' in d) return 'is saved results, not a scenario: re-export them with `twogenerals merge FILE`; the scenario is scenario.yaml beside them';
    if ('argv' in d) return "is a result folder's manifest, not a scenario: the scenario is scenario.yaml beside it";
  }
  return null;
}

/**
 * The start of the deepest node on `path` that exists (the key's start with `key`): a value a
 * merge key (`<<: *base`) brings in is placed where it is written, in the mapping merged.
 */
function offsetOf(doc: Document, path: Path, key: boolean): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const prefix = path.slice(0, depth);
    const node = key && depth === path.length && depth > 0 ? keyAt(doc, prefix) : nodeAt(doc, prefix);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return range[0];
  }
  return 0;
}

function formatName(source: string): string {
  return source.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML';
}

function sentence(message: string): string {
  const line = terminalSafe(message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), true);
  return line.charAt(0).toLowerCase() + line.slice(1);
}
