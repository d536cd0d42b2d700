import { CHANNELS } from '../catalog/channels.js';
import { BUILT_IN_PROTOCOLS, PROTOCOLS } from '../catalog/protocols.js';
import { DEFAULTS } from './defaults.js';
import { CRASH_PARAMETER, PARAMETERS, crashParameterName } from '../catalog/parameters.js';
import type { ParameterSpec } from '../catalog/parameters.js';
import { rangeWords } from '../catalog/range-words.js';

export const MAX_TRIALS = 1e15;
/** The trial cap of a cell run to a precision, unless the scenario sets maxTrials. */
export const DEFAULT_MAX_TRIALS = 100_000_000;

/** How the schema is compiled into the validator (at build time, by scripts/generate-validator.ts). */
export const AJV_OPTIONS = { allErrors: false, allowUnionTypes: true, strictTypes: false } as const;
/** success, disagreement and every built-in protocol's outcomes (a protocol file's own are checked beside the schema). */
export const PROPORTION_METRICS = [...new Set(['success', 'disagreement', ...BUILT_IN_PROTOCOLS.flatMap((p) => p.outcomes.names)])];

function valueSchema(p: ParameterSpec): Record<string, unknown> {
  if (p.values) return { type: 'string', enum: [...p.values], description: p.description };
  if (p.text) return { type: 'string', pattern: '\\S', description: p.description };
  const bounds = { ...(Number.isFinite(p.minimum) ? { minimum: p.minimum } : {}), ...(Number.isFinite(p.maximum) ? { maximum: p.maximum } : {}) };
  return { type: p.integer ? 'integer' : 'number', ...bounds, description: p.description, ...(p.default === undefined ? {} : { default: p.default }) };
}

/** The keys a channel object of this model takes besides `model`. */
export function channelKeys(model: string): string[] {
  const channel = CHANNELS[model]!;
  return channel.topLevel ? [] : channel.parameters.map((p) => p.name);
}

/** A top-level parameter, or a channel object's: a value, or for a per-direction one also {AtoB, BtoA}. */
function topLevelSchema(p: ParameterSpec): Record<string, unknown> {
  if (p.perRole) return perRoleSchema(p);
  if (!p.perDirection) return valueSchema(p);
  const value = valueSchema(p);
  const { description: _, default: __, ...bounds } = value;
  return {
    description: `${p.description.replace(/ \(both directions\)$/, '')}: one number, or {AtoB, BtoA} per direction`,
    ...bounds,
    type: [value['type'], 'object'],
    properties: { AtoB: bounds, BtoA: bounds },
    required: ['AtoB', 'BtoA'],
    additionalProperties: false,
    ...(p.default === undefined ? {} : { default: p.default }),
  };
}

/** A per-role parameter (crash): one number for every role, or {role: value} with the roles the protocol declares. */
function perRoleSchema(p: ParameterSpec): Record<string, unknown> {
  const { description: _, ...bounds } = valueSchema(p);
  return {
    description: `${p.description.replace(/ \(every role\)$/, '')}: one number for every node, or {role: value} per role the protocol declares (roles left out: 0); default 0`,
    ...bounds,
    type: [bounds['type'], 'object'],
    propertyNames: { pattern: '^[A-Za-z][A-Za-z0-9]*$' },
    additionalProperties: bounds,
    minProperties: 1,
  };
}

function sweepAxisSchema(p: ParameterSpec): Record<string, unknown> {
  const value = valueSchema(p);
  return {
    description: `values of ${p.name}: a list, or a range {from, to, step} (step defaults to 1)`,
    type: ['array', 'object'],
    items: value,
    minItems: 1,
    properties: { from: value, to: value, step: { type: p.integer ? 'integer' : 'number', exclusiveMinimum: 0 } },
    required: ['from', 'to'],
    additionalProperties: false,
  };
}

const probability = { type: 'number', minimum: 0, maximum: 1 };

/**
 * Every parameter once by name. Where several protocols declare a name: with `protocol`, its own
 * declaration (the schema exact for it); without, one that takes any of their values, each
 * protocol's own range held by a condition on `protocol` (ownRanges).
 */
function parametersOnce(protocol?: string): ParameterSpec[] {
  return PARAMETERS.filter((p, i) => {
    const own = PARAMETERS.find((q) => q.name === p.name && protocol !== undefined && q.protocol === protocol);
    return own ? own === p : PARAMETERS.findIndex((q) => q.name === p.name) === i;
  }).map((p) => {
    const declaring = protocol === undefined ? PARAMETERS.filter((q) => q.name === p.name && q.protocol !== undefined) : [];
    return declaring.length > 1 ? anyOfTheirs(declaring) : p;
  });
}

/** A parameter several protocols declare, as one that takes a value any of them takes (no default: each has its own). */
function anyOfTheirs(declaring: readonly ParameterSpec[]): ParameterSpec {
  const { default: _, ...first } = declaring[0]!;
  return {
    ...first,
    integer: declaring.every((p) => p.integer),
    minimum: Math.min(...declaring.map((p) => p.minimum)),
    maximum: Math.max(...declaring.map((p) => p.maximum)),
    description: `${declaring.map((p) => `${p.protocol}: ${p.description} (${rangeWords(p)})`).join('; ')}; each protocol's own range holds its scenarios`,
  };
}

/**
 * For each protocol that declares a name other protocols declare too (`every`: each protocol's
 * own parameter), a condition holding its scenarios to its own declaration: the value set and
 * the sweep's values.
 */
function ownRanges(every = false): Record<string, unknown>[] {
  const shared = PARAMETERS.filter(
    (p) => p.protocol !== undefined && (every || PARAMETERS.some((q) => q.name === p.name && q.protocol !== undefined && q !== p)),
  );
  return shared.map((p) => ({
    if: { properties: { protocol: { const: p.protocol } }, required: ['protocol'] },
    then: { properties: { [p.name]: valueSchema(p), sweep: { properties: { [p.name]: sweepAxisSchema(p) } } } },
  }));
}

/**
 * The JSON Schema of a scenario file (draft-07), published by `twogenerals schema`; with a
 * protocol, its own declaration of a name other protocols declare too.
 */
export function scenarioSchema(protocol?: string): Record<string, unknown> {
  const parameters = parametersOnce(protocol);
  const channelObjectParameters = parameters.filter((p) => !p.topLevel);
  const topLevelParameters = parameters.filter((p) => p.topLevel && !p.directionOf && !p.roleOf);
  const conditions = protocol === undefined ? ownRanges() : [];
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'twogenerals scenario',
    description: 'A Monte Carlo experiment: a protocol over a lossy channel, optionally swept over a grid.',
    type: 'object',
    additionalProperties: false,
    required: ['protocol'],
    ...(conditions.length ? { allOf: conditions } : {}),
    properties: {
      $schema: { type: 'string', description: 'the schema this file follows, for editors' },
      name: {
        type: 'string',
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$',
        description: 'used in output and result folder names (letters, digits, . _ -); defaults to the file name',
      },
      description: { type: 'string', description: 'what the scenario teaches' },
      protocol: {
        type: 'string',
        enum: Object.keys(PROTOCOLS),
        description: 'the protocol the generals run: a built-in one, or a protocol file (./my-protocol.mjs, relative to the scenario)',
      },
      protocolDigest: {
        type: 'string',
        pattern: '^[0-9a-f]{64}$',
        description: 'sha256 of the protocol file, as results record it; a file with another digest is refused',
      },
      scenarioFile: {
        type: 'string',
        description: 'where the scenario file was, as results record it for a protocol file: merge looks for the protocol file relative to it',
      },
      channel: {
        description: 'channel model: a name, or an object {model, ...parameters}',
        type: ['string', 'object'],
        pattern: `^(${Object.keys(CHANNELS).join('|')})$`,
        properties: {
          model: { type: 'string', enum: Object.keys(CHANNELS) },
          // A per-direction one (perDirection) also as {AtoB, BtoA}, as at the top level; its AtoB and BtoA are no keys of their own.
          ...Object.fromEntries(channelObjectParameters.filter((p) => !p.directionOf).map((p) => [p.name, topLevelSchema(p)])),
        },
        required: ['model'],
        additionalProperties: false,
        allOf: Object.keys(CHANNELS).map((model) => ({
          if: { properties: { model: { const: model } }, required: ['model'] },
          then: {
            propertyNames: { enum: ['model', ...channelKeys(model)] },
            ...requiredKeys(model),
          },
        })),
        default: DEFAULTS.channel,
      },
      ...Object.fromEntries(topLevelParameters.map((p) => [p.name, topLevelSchema(p)])),
      trials: {
        description: "trials per cell, or {precision, maxTrials}: run until every proportion's interval half-width is at most precision",
        type: ['integer', 'object'],
        minimum: 1,
        maximum: MAX_TRIALS,
        properties: {
          precision: { type: 'number', exclusiveMinimum: 0, maximum: 0.5 },
          maxTrials: { type: 'integer', minimum: 1, maximum: MAX_TRIALS, default: DEFAULT_MAX_TRIALS },
        },
        required: ['precision'],
        additionalProperties: false,
        default: DEFAULTS.trials,
      },
      // A text seed must hold more than spaces, as --seed's must: an empty one printed as an empty CSV field.
      seed: { type: ['integer', 'string'], pattern: '\\S', default: DEFAULTS.seed, description: 'seed of every random stream' },
      sweep: {
        description: 'a grid over numeric parameters; every combination is one cell',
        type: 'object',
        minProperties: 1,
        additionalProperties: false,
        properties: Object.fromEntries(parameters.filter((p) => !p.values && !p.text).map((p) => [p.name, sweepAxisSchema(p)])),
      },
      expect: {
        description: 'assertions checked on every cell; any failure exits with code 1',
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['metric'],
          properties: {
            metric: { type: 'string', enum: PROPORTION_METRICS },
            atLeast: { ...probability, description: "holds when the interval's lower end is at least this" },
            atMost: { ...probability, description: "holds when the interval's upper end is at most this" },
            notWorseThan: {
              type: 'string',
              pattern: '\\S',
              description: 'a saved results.json (relative to this file): each cell must not be significantly worse than its same cell there',
            },
          },
          anyOf: [{ required: ['atLeast'] }, { required: ['atMost'] }, { required: ['notWorseThan'] }],
        },
      },
    },
  };
}

/** A channel object's keys that have no default, so the scenario must give them. */
function requiredKeys(model: string): { required?: string[] } {
  const required = requiredChannelKeys(CHANNELS[model]!);
  return CHANNELS[model]!.topLevel || required.length === 0 ? {} : { required };
}

/**
 * A channel's parameters that have no default and are not optional: a scenario must give each
 * (one that others may stand in for, standIns, is held to that where the scenario is resolved).
 */
export function requiredChannelKeys(channel: {
  readonly parameters: readonly { name: string; default?: unknown; optional?: boolean; standIns?: readonly string[] }[];
}): string[] {
  return channel.parameters.filter((p) => p.default === undefined && !p.optional && !p.standIns).map((p) => p.name);
}

/** How a scenario names a protocol file (protocol-files/load.ts isProtocolPath): a path ending .mjs, .js, .cjs, .ts or .mts. */
export const PROTOCOL_FILE_PATTERN = '\\.(m?js|cjs|m?ts)$';

/**
 * The schema editors get (`twogenerals schema`, scenarios/scenario.schema.json): the scenario
 * schema, where `protocol` may also be a protocol file, whose own parameters (numbers at the top
 * level, sweepable) and own outcomes (expect metrics) it cannot know, so leaves open. The
 * built-in protocols stay closed: an unknown key or metric is flagged, and so is another protocol's
 * parameter or outcome (ownKeysOnly). A built-in protocol's own
 * parameter (participants) is held to its range only where the scenario names that protocol: a
 * protocol file may declare the name with a range of its own.
 */
export function publishedSchema(): Record<string, unknown> {
  const schema = scenarioSchema() as Record<string, any>;
  const properties = schema['properties'] as Record<string, any>;
  const builtIn = [...properties['protocol'].enum] as string[];
  const keys = Object.keys(properties);
  const sweepKeys = Object.keys(properties['sweep'].properties);
  const metric = properties['expect'].items.properties.metric;
  const { additionalProperties: _, allOf: __, ...open } = schema;
  properties['protocol'] = {
    type: 'string',
    description: properties['protocol'].description,
    anyOf: [{ enum: builtIn }, { pattern: PROTOCOL_FILE_PATTERN }],
  };
  const { additionalProperties: ___, ...sweep } = properties['sweep'];
  properties['sweep'] = sweep;
  properties['expect'].items.properties.metric = {
    type: 'string',
    pattern: '^[A-Za-z][A-Za-z0-9_]*$',
    description: 'success, disagreement, or an outcome of the protocol',
  };
  const anyAxis = {
    type: ['array', 'object'],
    items: { type: 'number' },
    minItems: 1,
    properties: { from: { type: 'number' }, to: { type: 'number' }, step: { type: 'number', exclusiveMinimum: 0 } },
  };
  for (const name of new Set(PARAMETERS.filter((p) => p.protocol !== undefined).map((p) => p.name))) {
    const declaring = PARAMETERS.filter((p) => p.name === name && p.protocol !== undefined).map((p) => p.protocol);
    properties[name] = { type: 'number', description: `a parameter of ${declaring.join(', ')} (or of a protocol file), held to its protocol's range` };
    properties['sweep'].properties[name] = anyAxis;
  }
  return {
    ...open,
    allOf: [
      ...ownRanges(true),
      ...ownKeysOnly(),
      {
        if: { type: 'object', properties: { protocol: { type: 'string', enum: builtIn } } },
        then: {
          type: 'object',
          propertyNames: { enum: keys },
          properties: {
            sweep: { type: 'object', propertyNames: { enum: sweepKeys } },
            expect: { type: 'array', items: { type: 'object', properties: { metric } } },
          },
        },
      },
      {
        if: { type: 'object', properties: { protocol: { type: 'string', pattern: PROTOCOL_FILE_PATTERN } }, required: ['protocol'] },
        then: {
          type: 'object',
          properties: Object.fromEntries(keys.map((k) => [k, true])),
          additionalProperties: { type: 'number', description: 'a parameter the protocol file declares' },
        },
      },
    ],
    properties: { ...properties, sweep: { ...properties['sweep'], additionalProperties: anyAxis } },
  };
}

/**
 * For each built-in protocol, a condition flagging what only other protocols take, which the
 * tool refuses in its scenarios: another protocol's parameter, set or swept (`participants` for
 * the messenger: it applies only to two-phase commit), another protocol's role's crash rate
 * (`crash: { cohort: 0.1 }` or a sweep of crashCohort), and a gate on another protocol's outcome
 * (`committed` for the messenger).
 */
function ownKeysOnly(): Record<string, unknown>[] {
  return BUILT_IN_PROTOCOLS.map((protocol) => {
    const own = new Set(protocol.parameters.map((p) => p.name));
    const others = [...new Set(PARAMETERS.filter((p) => p.protocol !== undefined && !own.has(p.name)).map((p) => p.name))];
    const refused = Object.fromEntries(others.map((name) => [name, false]));
    // Another protocol's roles' crash rates: swept (crashCohort for the messenger) or set by role (crash: { cohort: … }).
    const roles = protocol.roles ?? [];
    const ownRates = new Set(roles.map(crashParameterName));
    const otherRates = PARAMETERS.filter((p) => p.roleOf === CRASH_PARAMETER.name && !ownRates.has(p.name)).map((p) => [p.name, false]);
    return {
      if: { properties: { protocol: { const: protocol.name } }, required: ['protocol'] },
      then: {
        properties: {
          ...refused,
          ...(roles.length ? { [CRASH_PARAMETER.name]: { propertyNames: { pattern: rolesPattern(roles) } } } : {}),
          sweep: { properties: { ...refused, ...Object.fromEntries(otherRates) } },
          expect: { items: { properties: { metric: { enum: ['success', 'disagreement', ...protocol.outcomes.names] } } } },
        },
      },
    };
  });
}

/** A pattern for a protocol's role names, in any case, as a scenario's `crash: { … }` may write them. */
function rolesPattern(roles: readonly string[]): string {
  const anyCase = (role: string): string => [...role].map((c) => (/[A-Za-z]/.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)).join('');
  return `^(${roles.map(anyCase).join('|')})$`;
}

/**
 * The schema exact for one protocol file (`twogenerals schema SCENARIO` or `--protocol FILE`), once
 * it is registered: its parameters and outcomes known, `protocol` the path as written.
 */
export function protocolFileSchema(written: string, protocolName: string, outcomes: readonly string[], roles?: readonly string[]): Record<string, unknown> {
  const schema = scenarioSchema(protocolName) as Record<string, any>;
  const properties = schema['properties'] as Record<string, any>;
  const own = new Set(PARAMETERS.filter((p) => p.protocol === protocolName).map((p) => p.name));
  for (const p of PARAMETERS.filter((p) => p.protocol && !own.has(p.name))) {
    delete properties[p.name];
    delete properties['sweep'].properties[p.name];
  }
  // Crash rates: the file's own roles (named in any case, as a scenario may), or, without crash
  // support, a rate of 0 alone (set or swept, it is no crash at all: any role's rate is taken).
  const sweep = properties['sweep'].properties as Record<string, any>;
  const perRole = PARAMETERS.filter((p) => p.roleOf === CRASH_PARAMETER.name);
  if (roles) {
    const ownRates = new Set(roles.map(crashParameterName));
    for (const p of perRole) if (!ownRates.has(p.name)) delete sweep[p.name];
    properties[CRASH_PARAMETER.name].propertyNames = { pattern: rolesPattern(roles) };
  } else {
    const none = { type: 'number', minimum: 0, maximum: 0 };
    properties[CRASH_PARAMETER.name] = {
      description: `${properties[CRASH_PARAMETER.name].description}; this protocol does not support crashes: 0 only`,
      ...none,
      type: ['number', 'object'],
      additionalProperties: none,
    };
    for (const p of [CRASH_PARAMETER, ...perRole]) {
      sweep[p.name].items = { ...sweep[p.name].items, maximum: 0 };
      sweep[p.name].properties = {
        ...sweep[p.name].properties,
        from: { ...sweep[p.name].properties.from, maximum: 0 },
        to: { ...sweep[p.name].properties.to, maximum: 0 },
      };
    }
  }
  properties['protocol'] = { type: 'string', const: written, description: `the protocol file (${protocolName})` };
  properties['expect'].items.properties.metric = { type: 'string', enum: ['success', 'disagreement', ...outcomes] };
  return schema;
}
