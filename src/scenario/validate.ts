import type { ErrorObject } from 'ajv';
import type { ParameterDeclaration } from '../contract/parameter.js';
import { BUILT_IN_PROTOCOLS, PROTOCOLS, protocolNamed } from '../catalog/protocols.js';
import { UsageError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import type { Path, ScenarioSource } from './parse.js';
import { oddSpaceHint } from './parse.js';
import { CRASH_PARAMETER, crashParameterName, parameterSpec, protocolsDeclaring } from '../catalog/parameters.js';
import { rangeWords } from '../catalog/range-words.js';
import { requiredChannelKeys, scenarioSchema } from './schema.js';
import { CHANNELS, channelNamed } from '../catalog/channels.js';
import check from './validator.generated.js';

/**
 * Checks the data against the scenario schema; the first problem becomes a UsageError. The
 * schema compiled at build time knows the protocols that ship; for registered ones (protocol
 * files) it checks everything else, and their own parameters are checked against their
 * declarations here (registeredParameters), so a protocol file costs no schema compilation.
 */
export function validateScenarioData(source: ScenarioSource): void {
  refuseUnknownProtocol(source);
  const data = withSweptChannelKeys(withoutRegisteredParameters(source.data));
  if (!check(data)) refuseFirstError(source, data);
  const name = source.data['protocol'];
  const protocol = typeof name === 'string' ? protocolNamed(name) : undefined;
  if (!protocol) return;
  if (!BUILT_IN_PROTOCOLS.includes(protocol)) checkRegisteredParameters(source, protocol.name, [...protocol.parameters, ...ownCrashRates(protocol.roles)]);
  // The schema takes any built-in protocol's outcome as a metric: a gate on another protocol's
  // outcome (committed for the messenger) would be judged on nothing and pass.
  checkOwnMetrics(source, protocol.outcomes.names);
}

/**
 * A `protocol` naming no protocol is refused first: every other key is judged against it, so a
 * protocol file's own parameter (`busy: 0.2`) beside the file's name instead of its path
 * (`protocol: quorum-leader`), or beside a misspelt built-in, was refused as an unknown key,
 * blaming the line that is right.
 */
function refuseUnknownProtocol(source: ScenarioSource): void {
  const named = source.data['protocol'];
  if (typeof named !== 'string' || protocolNamed(named) !== undefined) return;
  const alone = { protocol: named };
  if (!check(alone)) refuseFirstError(source, alone);
}

/**
 * A scenario read from a file or text names a protocol file by its path, never by the name the
 * file declares: that name is known only once some other scenario of the command has loaded the
 * file, so `protocol: quorum-leader` ran beside a scenario naming ./quorum.mjs (recording no digest
 * of the file it ran) and was refused on its own. Refused here as on its own, whatever else loaded.
 */
export function refuseProtocolFileByName(source: ScenarioSource, fileNames: ReadonlySet<string>): void {
  const named = source.data['protocol'];
  if (typeof named !== 'string' || !fileNames.has(named)) return;
  const alone = { protocol: named };
  if (!check(alone)) refuseFirstError(source, alone);
}

/** The validator's first complaint about the data, as one line at its place in the file. */
function refuseFirstError(source: ScenarioSource, data: Record<string, unknown>): never {
  const error = pickError(check.errors ?? []);
  const path = toPath(error.instancePath);
  const { message, path: where, atKey } = describe(error, path, valueAt(data, path), data);
  // The key or text refused, named where it holds a space YAML does not read as one (a no-break space after `loss: 0.5`, or after the colon of `{model: cut}`).
  const refused = atKey ? where.at(-1) : valueAt(data, where);
  const odd =
    oddSpaceHint(refused) ||
    (error.keyword === 'required' && isRecord(valueAt(data, path))
      ? (Object.keys(valueAt(data, path) as object)
          .map(oddSpaceHint)
          .find(Boolean) ?? '')
      : '');
  throw new UsageError(source.locate(where, atKey), `${message}${ownRangeNote(where, source.data['protocol'])}${odd}`);
}

/** `expect` metrics of the scenario’s protocol: success, disagreement, or one of its own outcomes. */
function checkOwnMetrics(source: ScenarioSource, outcomes: readonly string[]): void {
  const known = ['success', 'disagreement', ...outcomes];
  for (const [i, e] of ((source.data['expect'] as { metric: string }[] | undefined) ?? []).entries()) {
    if (!known.includes(e.metric))
      throw new UsageError(
        source.locate(['expect', i, 'metric']),
        `unknown expect[${i}].metric '${e.metric}'${didYouMean(e.metric, known)}; choose one of: ${known.join(', ')}`,
      );
  }
}

/** With allErrors off, ajv stops at the first failing keyword; anyOf reports its branches first. */
function pickError(errors: readonly ErrorObject[]): ErrorObject {
  return errors.find((e) => e.keyword === 'anyOf') ?? errors[0]!;
}

function toPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export function pathName(path: Path): string {
  let name = '';
  for (const part of path) name += typeof part === 'number' ? `[${part}]` : name ? `.${part}` : part;
  return name || 'the scenario';
}

const TYPE_NAMES: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  object: 'a mapping',
  array: 'a list',
  boolean: 'true or false',
};

/** What a text key that must not be empty names, for its message. */
const TEXT_WANTED: Record<string, string> = {
  notWorseThan: 'the path of a saved results.json',
  file: 'the path of a trace file',
  AtoB: 'the path of a trace file',
  BtoA: 'the path of a trace file',
  column: 'the name of a CSV column',
  seed: 'a seed: an integer or a text',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function valueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const part of path) value = (value as Record<string | number, unknown> | undefined)?.[part];
  return value;
}

/** The schema object at an error's schemaPath ("#/properties/sweep/additionalProperties" → its parent). */
function schemaAt(schemaPath: string): Record<string, unknown> | undefined {
  const parts = schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean).slice(0, -1);
  return valueAt(scenarioSchema(), parts) as Record<string, unknown> | undefined;
}

/**
 * A parameter `list` names (and `--sweep` takes) that the file writes inside another key: a
 * channel's (goodToBad, after) in the channel object, a direction's loss (lossAtoB) or a role's
 * crash rate (crashCohort) in its mapping. Given at the top level, where it is no key, it is
 * pointed there, as `loss` inside a channel object is pointed to the top level.
 */
function nestedParameter(key: string): string {
  const spec = parameterSpec(key);
  if (!spec) return '';
  if (spec.channel && !spec.topLevel)
    return ` (${key} is a parameter of the ${spec.channel} channel: give it in the channel object, channel: { model: ${spec.channel}, ${key}: … }, or --set channel.${key}=…)`;
  const part = spec.directionOf ? key.slice(spec.directionOf.length) : spec.role;
  const base = spec.directionOf ?? spec.roleOf;
  return base && part ? ` (give it as ${base}: { ${part}: … }, or --set ${base}.${part}=…)` : '';
}

function describe(error: ErrorObject, path: (string | number)[], data: unknown, root?: unknown): { message: string; path: Path; atKey: boolean } {
  const name = pathName(path);
  const got = describeValue(data);
  const params = error.params as Record<string, unknown>;
  const propertyName = (error as { propertyName?: string }).propertyName;
  if (error.keyword === 'enum' && propertyName !== undefined) return unknownProperty(path, propertyName, params['allowedValues'] as string[], data, root);
  if (error.keyword === 'pattern' && propertyName !== undefined)
    return {
      message: `${name} has a key '${propertyName}' that is not a name (letters and digits, starting with a letter)`,
      path: [...path, propertyName],
      atKey: true,
    };
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const known = Object.keys((schemaAt(error.schemaPath)?.['properties'] as object | undefined) ?? {});
      const where = path.length ? ` in ${name}` : '';
      return {
        message: `unknown key '${key}'${where}${(path.length ? '' : nestedParameter(key)) || didYouMean(key, known)}; known keys: ${known.join(', ')}`,
        path: [...path, key],
        atKey: true,
      };
    }
    case 'required': {
      // {model:cut} is one key 'model:cut' (YAML reads a colon as a separator only before a space).
      const missing = String(params['missingProperty']);
      const glued =
        data !== null && typeof data === 'object' && !Array.isArray(data) ? Object.keys(data).find((key) => key.startsWith(`${missing}:`)) : undefined;
      const hint =
        glued === undefined || oddSpaceHint(glued)
          ? ''
          : ` ('${glued}' is one key: YAML needs a space after the colon, ${missing}: ${glued.slice(missing.length + 1)})`;
      // The key written otherwise (`Protocol`, `protcol`, an invisible character in it) is named
      // as the user wrote it, as any unknown key is: it is not missing, it is misspelt.
      const known = Object.keys((schemaAt(error.schemaPath)?.['properties'] as object | undefined) ?? {});
      const misspelt =
        glued === undefined && data !== null && typeof data === 'object' && !Array.isArray(data)
          ? Object.keys(data).find((key) => key !== missing && !known.includes(key) && didYouMean(key, [missing]) !== '')
          : undefined;
      if (misspelt !== undefined)
        return {
          message: `unknown key '${misspelt}'${path.length ? ` in ${name}` : ''} (did you mean '${missing}'?)${known.length ? `; known keys: ${known.join(', ')}` : ''}`,
          path: [...path, misspelt],
          atKey: true,
        };
      return { message: `${name} needs the key '${missing}'${hint}`, path, atKey: false };
    }
    case 'type': {
      const types = String(params['type'])
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t);
      return { message: `${name} must be ${types.join(' or ')} (got ${got})`, path, atKey: false };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum': {
      const bound = params['limit'];
      const relation = { minimum: 'at least', maximum: 'at most', exclusiveMinimum: 'greater than' }[error.keyword];
      return { message: `${name} must be ${relation} ${bound} (got ${got})`, path, atKey: false };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      const hint = typeof data === 'string' ? didYouMean(data, allowed) : '';
      // A protocol file is named by its path, never by the name it declares (the likelier slip).
      const file = name === 'protocol' ? ', or a protocol file by its path, relative to the scenario (./my-protocol.mjs)' : '';
      return { message: `unknown ${name} ${got}${hint}; choose one of: ${allowed.join(', ')}${file}`, path, atKey: false };
    }
    case 'pattern':
      // A text that must not be empty (a trace file, a column, a baseline): not a name.
      if (params['pattern'] === '\\S') return { message: `${name} is empty: give ${TEXT_WANTED[String(path.at(-1))] ?? 'a text'}`, path, atKey: false };
      if (params['pattern'] === '^[0-9a-f]{64}$')
        return { message: `${name} ${got} is not a sha256 (64 lower-case hexadecimal digits, as results record it)`, path, atKey: false };
      if (path[0] === 'channel' && path.length === 1) {
        const models = String(params['pattern'])
          .replace(/^\^\(|\)\$$/g, '')
          .split('|');
        const hint = didYouMean(String(data), models);
        return { message: `unknown channel model ${got}${hint}; choose one of: ${models.join(', ')}`, path, atKey: false };
      }
      return { message: `${name} ${got} may use only letters, digits, '.', '_' and '-', and must start with a letter or digit`, path, atKey: false };
    case 'minItems':
      return { message: `${name} must list at least one value`, path, atKey: false };
    case 'minProperties':
      return { message: `${name} must name at least one parameter`, path, atKey: false };
    case 'anyOf': {
      // An entry with none of the three may have one misspelt (atleast): named as the unknown key it is.
      const known = ['metric', 'atLeast', 'atMost', 'notWorseThan'];
      const unknown = data !== null && typeof data === 'object' ? Object.keys(data).find((k) => !known.includes(k)) : undefined;
      if (unknown !== undefined) return unknownProperty(path, unknown, known, data);
      return { message: `${name} needs atLeast, atMost or notWorseThan`, path, atKey: false };
    }
    default:
      return { message: `${name} ${error.message ?? 'is invalid'}`, path, atKey: false };
  }
}

/** What a channel whose parameters are written at the top level takes, from its declarations: `its only parameter is loss, set at the top level (loss: 0.3)`. */
function topLevelTakes(model: string): string {
  const declared = channelNamed(model)?.parameters ?? [];
  if (declared.length === 0) return 'it takes no parameters';
  const number = (p: ParameterDeclaration): number => {
    const within = Math.min(p.maximum ?? 0.3, Math.max(p.minimum ?? 0.3, 0.3));
    return p.integer ? Math.ceil(within) : within;
  };
  const example = (p: ParameterDeclaration): string => `${p.name}: ${p.values?.[0] ?? (p.text ? '…' : number(p))}`;
  if (declared.length === 1) return `its only parameter is ${declared[0]!.name}, set at the top level (${example(declared[0]!)})`;
  return `its parameters are ${declared.map((p) => p.name).join(', ')}, set at the top level (${declared.map(example).join(', ')})`;
}

/** A key a mapping does not take, such as `after` in a bernoulli channel (`--set channel.after=2`). */
function unknownProperty(
  path: (string | number)[],
  key: string,
  allowed: readonly string[],
  data: unknown,
  root?: unknown,
): { message: string; path: Path; atKey: boolean } {
  const name = pathName(path);
  const others = allowed.filter((k) => k !== 'model');
  if (path.length === 1 && path[0] === 'channel') {
    const model = String((data as Record<string, unknown> | undefined)?.['model'] ?? '');
    const belongs = parameterSpec(key)?.channel;
    // The model's own parameter, written inside channel where it belongs at the top level: said so ("its only parameter is loss" read as a contradiction).
    if (belongs === model && others.length === 0) {
      const given = (data as Record<string, unknown>)[key];
      const written = typeof given === 'number' || typeof given === 'string' ? `${key}: ${given}` : key;
      // Given beside channel too: writing it there again would give the key twice.
      if (isRecord(root) && root[key] !== undefined)
        return {
          message: `channel '${model}' takes ${key} at the top level, not inside channel, and this scenario gives it there too (${key}: ${describeValue(root[key])}): remove it from channel`,
          path: [...path, key],
          atKey: true,
        };
      return {
        message: `channel '${model}' takes ${key} at the top level, not inside channel: write ${written} beside channel`,
        path: [...path, key],
        atKey: true,
      };
    }
    const elsewhere = belongs && belongs !== model ? ` (${key} belongs to the ${belongs} channel)` : '';
    const takes = others.length ? `it takes ${others.join(', ')}` : topLevelTakes(model);
    return { message: `channel '${model}' has no parameter '${key}'${elsewhere}${didYouMean(key, others)}; ${takes}`, path: [...path, key], atKey: true };
  }
  return { message: `unknown key '${key}' in ${name}${didYouMean(key, allowed)}; known keys: ${allowed.join(', ')}`, path: [...path, key], atKey: true };
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value.length > 60 ? `${value.slice(0, 57)}…` : value}'`;
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/**
 * A channel key the sweep gives every cell (`channel: { model: gilbert-elliott }` with `sweep: {
 * goodToBad: […], badToGood: […] }`) need not be in the channel object too: the channel is checked
 * as if it held the sweep's first value, and the sweep's values are checked as the sweep's.
 */
function withSweptChannelKeys(data: Record<string, unknown>): Record<string, unknown> {
  const { channel, sweep } = data;
  const isMapping = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMapping(channel) || !isMapping(sweep) || typeof channel['model'] !== 'string' || !Object.hasOwn(CHANNELS, channel['model'])) return data;
  const filled = { ...channel };
  for (const key of requiredChannelKeys(CHANNELS[channel['model']]!)) {
    const axis = sweep[key];
    const first = Array.isArray(axis) ? axis[0] : isMapping(axis) ? axis['from'] : undefined;
    if (filled[key] === undefined && first !== undefined) filled[key] = first;
  }
  return { ...data, channel: filled };
}

/** The crash rates of roles no protocol that ships declares (crashLeader), as parameters: the build-time schema cannot know them. */
function ownCrashRates(roles: readonly string[] | undefined): ParameterDeclaration[] {
  const shipped = new Set(BUILT_IN_PROTOCOLS.flatMap((p) => p.roles ?? []).map(crashParameterName));
  return (roles ?? [])
    .map(crashParameterName)
    .filter((name) => !shipped.has(name))
    .map((name) => ({ ...CRASH_PARAMETER, name }));
}

/**
 * The data as the build-time schema can judge it: a registered protocol's name replaced by one
 * that ships, and every registered protocol's parameters set aside (a scenario of another
 * protocol that sets one is told so when it is resolved, as for the protocols that ship), but
 * for those of a name the scenario's own built-in protocol declares too: the schema holds them
 * to its range (two-phase commit's participants, where a file declares participants of its own).
 */
function withoutRegisteredParameters(data: Record<string, unknown>): Record<string, unknown> {
  const registered = Object.values(PROTOCOLS).filter((p) => !BUILT_IN_PROTOCOLS.includes(p));
  if (registered.length === 0) return data;
  const builtIn = BUILT_IN_PROTOCOLS.find((p) => p.name === data['protocol']);
  const ownNames = new Set((builtIn?.parameters ?? []).map((d) => d.name));
  const names = new Set(registered.flatMap((p) => p.parameters.map((d) => d.name)).filter((name) => !ownNames.has(name)));
  const projected: Record<string, unknown> = Object.fromEntries(Object.entries(data).filter(([key]) => !names.has(key)));
  const own = registered.find((p) => p.name === data['protocol']);
  if (own) {
    projected['protocol'] = BUILT_IN_PROTOCOLS[0]!.name;
    // Its own outcomes are metrics the build-time schema cannot know: checked by checkOwnMetrics.
    if (Array.isArray(data['expect']))
      projected['expect'] = data['expect'].map((e: unknown) =>
        e && typeof e === 'object' && typeof (e as Record<string, unknown>)['metric'] === 'string' ? { ...e, metric: 'success' } : e,
      );
  }
  const sweep = data['sweep'];
  if (sweep && typeof sweep === 'object' && !Array.isArray(sweep)) {
    // Their roles' crash rates are swept, never set at the top level (crash: { leader: … } sets one).
    const swept = new Set([...names, ...registered.flatMap((p) => ownCrashRates(p.roles).map((d) => d.name))]);
    const rest = Object.fromEntries(Object.entries(sweep).filter(([key]) => !swept.has(key)));
    if (Object.keys(rest).length) projected['sweep'] = rest;
    else if (Object.keys(sweep).length) delete projected['sweep'];
  }
  return projected;
}

/**
 * Where the refused value is of a parameter several protocols declare (participants of two-phase
 * commit and of a file), whose range the refusal held it to: the scenario's protocol's, named.
 */
function ownRangeNote(path: Path, protocol: unknown): string {
  const name = path[0] === 'sweep' ? path[1] : path[0];
  if (typeof name !== 'string' || typeof protocol !== 'string' || protocolsDeclaring(name).length < 2) return '';
  const spec = parameterSpec(name, protocol);
  if (spec?.protocol !== protocol) return '';
  return ` (the ${protocol} protocol's ${name}: ${rangeWords(spec)}; other protocols declare ${name} with a range of their own)`;
}

/** A registered protocol's own parameters, set or swept, against their declarations, in the schema's words. */
function checkRegisteredParameters(source: ScenarioSource, protocol: string, declared: readonly ParameterDeclaration[]): void {
  const sweep = source.data['sweep'];
  for (const p of declared) {
    const key = p.name;
    const value = source.data[key];
    if (value !== undefined) checkDeclaredValue(source, protocol, [key], value, p);
    const axis = sweep && typeof sweep === 'object' ? (sweep as Record<string, unknown>)[key] : undefined;
    if (axis === undefined) continue;
    if (Array.isArray(axis)) {
      if (axis.length === 0) throw new UsageError(source.locate(['sweep', key]), `sweep.${key} must list at least one value`);
      axis.forEach((v, i) => checkDeclaredValue(source, protocol, ['sweep', key, i], v, p));
    } else if (axis && typeof axis === 'object') {
      const range = axis as Record<string, unknown>;
      for (const end of Object.keys(range)) {
        if (!['from', 'to', 'step'].includes(end))
          throw new UsageError(source.locate(['sweep', key, end], true), `unknown key '${end}' in sweep.${key}; known keys: from, to, step`);
      }
      for (const end of ['from', 'to']) {
        if (range[end] === undefined) throw new UsageError(source.locate(['sweep', key]), `sweep.${key} needs the key '${end}'`);
        checkDeclaredValue(source, protocol, ['sweep', key, end], range[end], p);
      }
      if (range['step'] !== undefined && !(typeof range['step'] === 'number' && range['step'] > 0)) {
        throw new UsageError(source.locate(['sweep', key, 'step']), `sweep.${key}.step must be greater than 0 (got ${describeValue(range['step'])})`);
      }
      // A whole-number parameter's range steps by whole numbers (from 1 by 0.5 would give it 1.5).
      if (p.integer && range['step'] !== undefined && !Number.isInteger(range['step']))
        throw new UsageError(source.locate(['sweep', key, 'step']), `sweep.${key}.step must be a whole number (got ${describeValue(range['step'])})`);
    } else throw new UsageError(source.locate(['sweep', key]), `sweep.${key} must be a list or a mapping (got ${describeValue(axis)})`);
  }
}

/** A value of a declared numeric parameter, in the schema's words. */
function checkDeclaredValue(
  source: ScenarioSource,
  protocol: string,
  path: Path,
  value: unknown,
  p: { integer?: boolean; minimum?: number; maximum?: number },
): void {
  const name = pathName(path);
  const note = ownRangeNote(path, protocol);
  if (typeof value !== 'number' || !Number.isFinite(value) || (p.integer && !Number.isInteger(value))) {
    throw new UsageError(source.locate(path), `${name} must be ${p.integer ? 'a whole number' : 'a number'} (got ${describeValue(value)})${note}`);
  }
  if (p.minimum !== undefined && value < p.minimum) throw new UsageError(source.locate(path), `${name} must be at least ${p.minimum} (got ${value})${note}`);
  if (p.maximum !== undefined && value > p.maximum) throw new UsageError(source.locate(path), `${name} must be at most ${p.maximum} (got ${value})${note}`);
}
