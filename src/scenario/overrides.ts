import { parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import { parameterSpec } from '../catalog/parameters.js';
import { DEFAULTS } from './defaults.js';
import { kindChanges, leftBehindPlace } from './left-behind.js';
import { dataOrAliasFailure } from './alias-places.js';
import { badMergeSource } from './merge-keys.js';
import { readNumberTags } from './number-tags.js';
import { checkSeed, flowNestingPast, foreignValue } from './parse.js';
import { misreadLiteral } from './misread-literal.js';
import { misreadNumber } from '../io/number-literal.js';
import type { Path, ScenarioSource } from './parse.js';
import { overridesProblem } from './override-shape.js';

/** Command-line values that replace or add to a scenario file's (README, "Scenarios"). */
export interface Overrides {
  readonly trials?: string | undefined;
  readonly seed?: string | undefined;
  /** Adaptive precision: replaces a fixed trial count (keeping a file's maxTrials). */
  readonly precision?: string | undefined;
  /** "key=value", key a dotted path such as loss, channel.model or loss.AtoB. */
  readonly set?: readonly string[] | undefined;
  /** "param=from:to[:step]" or "param=v1,v2,…". */
  readonly sweep?: readonly string[] | undefined;
}

/**
 * Applies overrides to a copy of the scenario's data. Values set here are located at their flag,
 * so a bad one is reported as "--set loss=2: …" rather than at a line of the file.
 */
export function applyOverrides(source: ScenarioSource, overrides: Overrides): ScenarioSource {
  // A library caller's object, held to the flags' shape: a key not known was ignored.
  const problem = overridesProblem(overrides);
  if (problem) throw new UsageError(...problem);
  const data = structuredClone(source.data);
  const places = new Map<string, string>();
  const put = (path: Path, value: unknown, flag: string): void => {
    setIn(data, path, value, flag);
    places.set(path.join('.'), flag);
  };
  if (overrides.trials !== undefined)
    put(['trials'], required(overrides.trials, `--trials ${overrides.trials}`, 'a number of trials, such as 1e6'), `--trials ${overrides.trials}`);
  if (overrides.seed !== undefined) {
    if (overrides.seed.trim() === '') throw new UsageError(`--seed ${overrides.seed}`, 'give a seed: an integer or a text');
    put(['seed'], overrides.seed, `--seed ${overrides.seed}`);
  }
  if (overrides.precision !== undefined) {
    const flag = `--precision ${overrides.precision}`;
    const current = data['trials'];
    const maxTrials = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)['maxTrials'] : undefined;
    put(['trials'], { precision: required(overrides.precision, flag, 'a half-width, such as 0.001'), ...(maxTrials === undefined ? {} : { maxTrials }) }, flag);
  }
  for (const assignment of overrides.set ?? []) {
    const flag = `--set ${assignment}`;
    const [key, value] = splitAssignment(assignment, flag, 'key=value');
    if (value.trim() === '') throw new UsageError(flag, `give ${key} a value after '=' (${key}=null removes it from the file, back to its default)`);
    if (key.split('.').some((part) => part === ''))
      throw new UsageError(flag, `'${key}' is not a key: write it as name or name.part, such as loss or loss.AtoB`);
    const path = key.split('.');
    // A seed written as a number it is not read as is named as a seed first (quote it to keep it as text).
    if (key === 'seed' && PLAIN_NUMBER.test(value.trim())) checkSeed({ seed: Number(value) }, () => flag, value.trim(), setSeed);
    const parsed = scalar(value, flag, key === 'seed' ? `; quote it to use it as text: --set 'seed="${value}"'` : '');
    // Inside a mapping or list (loss={AtoB: !!set {a}}), a YAML 1.1 tag's value is named as what it is,
    // as in a file: read as a mapping, it was refused as 'sweep.loss needs the key from'.
    const foreign = foreignValue(parsed, path);
    if (foreign) throw new UsageError(flag, foreign[1]);
    put(path, parsed, flag);
  }
  for (const assignment of overrides.sweep ?? []) {
    const flag = `--sweep ${assignment}`;
    const [given, value] = splitAssignment(assignment, flag, 'param=from:to[:step] or param=v1,v2,…');
    put(['sweep', sweepKey(given)], sweepValues(value, flag), flag);
  }
  const changes = kindChanges(source.data, data, overrides.set ?? [], source.source);
  const result: ScenarioSource = {
    source: source.source,
    data,
    locate(path, key) {
      for (let depth = path.length; depth > 0; depth--) {
        const flag = places.get(path.slice(0, depth).join('.'));
        if (flag) return flag;
      }
      // A mapping the file lacks, made by flags (--set channel.model=…, --sweep a=… --sweep b=…): at those flags,
      // not at a line of the file that says nothing of it.
      const prefix = `${path.join('.')}.`;
      const made = [...new Set([...places].filter(([at]) => at.startsWith(prefix)).map(([, flag]) => flag))];
      if (made.length && valueAt(source.data, path) === undefined) return made.join(' ');
      const place = source.locate(path, key);
      // A key the file wrote for the protocol or channel a flag replaced: the flag's doing.
      return leftBehindPlace(changes, path, place) ?? place;
    },
  };
  setReplacesSweep(overrides.set ?? [], data, result, places);
  const seedSet = [...(overrides.set ?? [])].reverse().find((a) => a.startsWith('seed='));
  checkSeed(data, (path) => result.locate(path), seedSet?.slice('seed='.length).trim(), seedSet === undefined ? undefined : setSeed);
  return result;
}

/** A seed as `--set` takes it, quoted for the shell where it holds quotes. */
const setSeed = (value: string): string => (value.startsWith('"') ? `--set 'seed=${value}'` : `--set seed=${value}`);

/** The name a `--set` key is swept by: loss, loss.AtoB → lossAtoB, channel.goodToBad → goodToBad, crash.cohort → crashCohort. */
export function sweptName(key: string): string {
  const parts = key.split('.');
  return parts[0] === 'channel' ? parts.slice(1).join('.') : parts.map((p, i) => (i ? p.charAt(0).toUpperCase() + p.slice(1) : p)).join('');
}

/** The parameter a `--sweep` (or `plan --vary`) key sweeps: a key as `--set` writes it (channel.after, loss.AtoB, crash.cohort) sweeps what `--set` would set. */
export function sweepKey(given: string): string {
  return given.includes('.') ? sweptName(given) : given;
}

/**
 * `--set loss=0.3` on a scenario whose file sweeps loss sets loss to 0.3 in place of that sweep:
 * the command line overrides the file, its sweeps as its values. Refused, naming where the sweep
 * is, where the sweep is a flag's too (`--sweep loss=…` beside `--set loss=…`), or where the
 * `--set` would change part of what the sweep sweeps (`--set loss.AtoB=…` on a sweep of loss, which
 * sets both directions). `--set key=null` is no value.
 */
function setReplacesSweep(sets: readonly string[], data: Record<string, unknown>, result: ScenarioSource, places: ReadonlyMap<string, string>): void {
  const sweep = data['sweep'];
  if (typeof sweep !== 'object' || sweep === null || Array.isArray(sweep)) return;
  const swept = sweep as Record<string, unknown>;
  for (const assignment of sets) {
    const [key, value] = splitAssignment(assignment, `--set ${assignment}`, 'key=value');
    const given = scalar(value, `--set ${assignment}`);
    if (given === null) continue;
    const name = sweptName(key);
    if (name !== '' && Object.hasOwn(swept, name) && !places.has(`sweep.${name}`)) {
      delete swept[name];
      continue;
    }
    // loss.AtoB is swept by lossAtoB, and by loss too (a sweep of loss sets both directions); loss
    // (crash) by a sweep of one direction (role) as well, which it would set only in part.
    const parent = key.split('.')[0]!;
    // A value by direction or role ({A: 0.1}) sets only those it names.
    const names = typeof given === 'object' && given !== null && !Array.isArray(given) ? Object.keys(given) : undefined;
    const setsPart = (n: string): boolean => {
      const spec = parameterSpec(n);
      if (spec?.directionOf === name) return names === undefined || names.includes(n.slice(name.length));
      return spec?.roleOf === name && (names === undefined || names.includes(spec.role ?? ''));
    };
    const parts = Object.keys(swept).filter(setsPart);
    const by = [name, ...(parent === 'channel' ? [] : [parent]), ...parts].find((n) => n !== '' && Object.hasOwn(swept, n));
    if (by === undefined) continue;
    throw new UsageError(
      `--set ${assignment}`,
      `${by} is also swept (${result.locate(['sweep', by])}): it is either set to one value or swept; to set it, remove the sweep with --set sweep.${by}=null`,
    );
  }
  if (Object.keys(swept).length === 0) delete data['sweep'];
}

function valueAt(data: unknown, path: Path): unknown {
  let node = data;
  for (const key of path) node = typeof node === 'object' && node !== null ? (node as Record<string | number, unknown>)[key] : undefined;
  return node;
}

function splitAssignment(text: string, flag: string, form: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(flag, `expected ${form}`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** A flag's value, which must be one: empty or null does not mean "the default" here. */
function required(text: string, flag: string, what: string): unknown {
  const value = scalar(text, flag);
  if (value === null || text.trim() === '') throw new UsageError(flag, `give ${what}`);
  return value;
}

/**
 * A decimal number of YAML 1.2's core schema, as YAML reads it (parseInt and parseFloat agree
 * with Number on these digits): read without loading the YAML parser (start-up).
 */
const PLAIN_NUMBER = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** Levels of flow lists and mappings a flag's value may nest, as a shard's JSON may: a scenario's nest a few. */
export const MAX_FLAG_NESTING = 64;

/** How deep `[` and `{` nest in a flag's value, outside quotes (parse.ts's flowNestingPast). */
export function flowNesting(text: string): number {
  return flowNestingPast(text, Number.POSITIVE_INFINITY).deepest;
}

/**
 * A flag's value as YAML reads it. A number in it that would be read as another (1e-400 as 0,
 * 1e400 as infinity, 9007199254740993 as 9007199254740992) is refused, naming the flag (and
 * `hint`, what to do instead).
 */
function scalar(text: string, flag: string, hint = ''): unknown {
  if (text.length <= 15 && PLAIN_NUMBER.test(text)) {
    const problem = misreadNumber(text, Number(text));
    if (problem) throw new UsageError(flag, `${problem}${hint}`);
    return Number(text);
  }
  // Read as text, as when the reader gives up on it: its reader's recursion could end the process.
  if (flowNesting(text) > MAX_FLAG_NESTING) return text;
  let value: unknown;
  let misread: string | undefined;
  let tagged: string | undefined; // what a tag or a merge key makes of the value that no scenario takes
  try {
    // Merge keys (`{<<: {model: cut}, after: 1}`) merge, as in a file.
    const doc = parseDocument(text, { logLevel: 'error', merge: true });
    if (doc.errors.length) throw doc.errors[0];
    // A !!int of a number that is not whole, or a merge of no mapping: refused once out of the read.
    tagged = readNumberTags(doc)?.problem ?? badMergeSource(doc)?.problem;
    if (tagged === undefined) {
      const read = dataOrAliasFailure(doc, {});
      if ('failure' in read) throw read.failure;
      value = read.data;
    }
    misread = misreadLiteral(doc)?.problem;
  } catch (error) {
    // Aliases that expand to too much (a billion laughs) are refused as in a file; it was read as text
    // and then named as that text, "sweep.loss must be a list or a mapping (got '[&a [1,1,…')".
    if (/alias count/i.test(String((error as Error).message)))
      throw new UsageError(flag, 'its aliases (*name) expand to too much; a value may use at most 100 of them');
    // Read as text, it would be named as that text; read as a value, it contains itself without end.
    if (/inside its anchor/i.test(String((error as Error).message)))
      throw new UsageError(flag, 'an alias (*name) within the list or mapping its anchor (&name) names would make that value contain itself');
    return text;
  }
  if (tagged !== undefined) throw new UsageError(flag, tagged);
  if (misread !== undefined) throw new UsageError(flag, `${misread}${hint}`);
  // A YAML 1.1 tag's value (!!binary, !!set, !!timestamp, !!merge's symbol) is no scenario value: the text as written.
  return value instanceof Uint8Array || value instanceof Set || value instanceof Map || value instanceof Date || typeof value === 'symbol' ? text : value;
}

function sweepValues(text: string, flag: string): unknown {
  // Each value read as --set and a file read it (YAML's core schema): JavaScript's Number also
  // reads 0b11 and 0X3, which ran rounds 3 here where --set rounds=0b11 and a file refuse it.
  const number = (part: string): number => {
    const n = part.trim() === '' ? Number.NaN : scalar(part.trim(), flag);
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new UsageError(flag, `'${part}' is not a number`);
    return n;
  };
  if (text.includes(':')) {
    const parts = text.split(':');
    if (parts.length > 3) throw new UsageError(flag, 'a range is from:to or from:to:step');
    const [from, to, step] = parts.map(number);
    return step === undefined ? { from, to } : { from, to, step };
  }
  return text.split(',').map(number);
}

function setIn(data: Record<string, unknown>, path: Path, value: unknown, flag: string): void {
  // A member every object has (__proto__, constructor) is no key of a scenario: followed, it would
  // set the prototype of every object in the process, and the value itself would be ignored.
  const inherited = path.map(String).find((key) => key in Object.prototype);
  if (inherited !== undefined) throw new UsageError(flag, `unknown key '${inherited}'`);
  let node = data;
  for (const [depth, key] of path.slice(0, -1).map(String).entries()) {
    const next = node[key];
    const spec = node === data ? parameterSpec(key) : undefined;
    // `expect.0.atLeast` where the file has no expect: a list all the same, given whole (it was "expect must be a list (got a mapping)").
    if (next === undefined && key === 'expect' && node === data)
      throw new UsageError(flag, `expect is a list, and --set does not reach into a list (expect.${path[depth + 1]}): give it whole, --set 'expect=[…]'`);
    // `loss.AtoB` where the file leaves loss at its default: the other direction keeps it, as where the file gives loss (it was "loss needs the key 'BtoA'").
    if (next === undefined && spec?.perDirection && typeof spec.default === 'number') node[key] = { AtoB: spec.default, BtoA: spec.default };
    else if (next === undefined) node[key] = key === 'channel' && node === data ? { model: DEFAULTS.channel } : {};
    else if (key === 'channel' && typeof next === 'string') node[key] = { model: next };
    else if (parameterSpec(key)?.perDirection && typeof next === 'number') node[key] = { AtoB: next, BtoA: next };
    else if (key === 'crash' && node === data && typeof next === 'number') {
      const role = path[path.length - 1];
      throw new UsageError(
        flag,
        `crash is one rate for every role (${next}), so it has no ${role} of its own: give each role its rate (--set 'crash={${role}: …, …}'), or --set crash=null before --set crash.${role}=… (roles left out do not crash)`,
      );
    } else if (Array.isArray(next)) {
      // `expect.0.atLeast`: a list is given whole; the part named is the one after it, not the last.
      const whole = path.slice(0, depth + 1).join('.');
      throw new UsageError(flag, `${whole} is a list, and --set does not reach into a list (${whole}.${path[depth + 1]}): give it whole, --set '${whole}=[…]'`);
    } else if (typeof next !== 'object' || next === null) {
      throw new UsageError(flag, `${key} is not a mapping, so it has no ${path[depth + 1]}`);
    }
    node = node[key] as Record<string, unknown>;
  }
  // `--set key=null` removes the key: back to its default (or, for sweep and expect, none). A
  // key without a default is no key to remove: refused here, naming the flag, not the file.
  const dotted = path.join('.');
  if (value === null && (dotted === 'protocol' || dotted === 'channel.model'))
    throw new UsageError(
      flag,
      `${dotted} has no default to go back to: give another (${dotted === 'protocol' ? '--set protocol=messenger' : '--set channel=bernoulli'}), or leave it as it is`,
    );
  const last = String(path[path.length - 1]);
  // A role's crash rate replaces the one the file gives it in whatever case (crash.A over { a: 0.1 }):
  // kept beside it, the role would have two rates, and one of them dropped unsaid.
  if (node !== data && node === data['crash'])
    for (const key of Object.keys(node)) if (key !== last && key.toLowerCase() === last.toLowerCase()) delete node[key];
  if (value === null) delete node[last];
  else node[last] = value;
}
