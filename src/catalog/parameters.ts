import { CHANNELS } from './channels.js';
import type { ParameterDeclaration } from '../contract/parameter.js';
import type { ProtocolDefinition } from '../contract/protocol.js';
import { MAX_REDUNDANCY, MAX_ROUNDS } from '../limits.js';
import { PROTOCOLS } from './protocols.js';

/**
 * Every cell parameter a scenario can set (and, if numeric, sweep), flat, derived from the
 * registries: the parameters every protocol has (redundancy, rounds) are declared here, each
 * protocol's and each channel's in its own file. The flat names are also the output column
 * names: `loss: {AtoB, BtoA}` in a file becomes lossAtoB and lossBtoA, and a channel object's
 * keys become parameters of their own.
 */
export interface ParameterSpec {
  readonly name: string;
  readonly integer: boolean;
  readonly minimum: number;
  readonly maximum: number;
  readonly description: string;
  readonly default?: number | string;
  /** A text parameter: one of these words (not sweepable). */
  readonly values?: readonly string[];
  /** A text parameter: a file path relative to the scenario, or free text (not sweepable). */
  readonly text?: 'file' | 'text';
  /** Only for this channel model (undefined: any). */
  readonly channel?: string;
  /** Only for this protocol (undefined: any). */
  readonly protocol?: string;
  /** Given at the scenario's top level (not in the channel object). */
  readonly topLevel: boolean;
  /** Per-direction parameters: the base name (loss) that the file's {AtoB, BtoA} form splits. */
  readonly perDirection?: boolean;
  readonly directionOf?: string;
  /** Per-role parameters (crash): the base that the file's {role: value} form splits, by the roles protocols declare. */
  readonly perRole?: boolean;
  /** A per-role parameter (crashCoordinator): its base (crash) and the role it is for (coordinator). */
  readonly roleOf?: string;
  readonly role?: string;
}

export { MAX_PARTICIPANTS, MAX_REDUNDANCY, MAX_ROUNDS } from '../limits.js';

/** The parameters every protocol has. */
export const COMMON_PARAMETERS: readonly ParameterDeclaration[] = [
  { name: 'redundancy', integer: true, minimum: 1, maximum: MAX_REDUNDANCY, default: 2, description: 'copies (messengers) dispatched per message' },
  { name: 'rounds', integer: true, minimum: 1, maximum: MAX_ROUNDS, default: 1, description: 'round limit R' },
];

/**
 * Crash-stop faults: the probability that a node still up crashes at the start of a round. Not a
 * common parameter: a cell has it only where the scenario sets it (so crash-free cells keep their
 * parameters, keys and seeds), and only protocols that support crashes take it.
 */
export const CRASH_PARAMETER: ParameterDeclaration = {
  name: 'crash',
  minimum: 0,
  maximum: 1,
  description: 'probability that a node still up crashes at the start of a round (every role)',
};

/** The flat name of a role's crash rate: crashCoordinator for role coordinator. */
export const crashParameterName = (role: string): string => `crash${role.charAt(0).toUpperCase()}${role.slice(1)}`;

/** crash, then one parameter per role that some registered protocol declares. */
function crashParameters(): ParameterSpec[] {
  const shared = { integer: false, minimum: 0, maximum: 1, topLevel: true } as const;
  // One parameter a name: a protocol file's role b shares crashB with the generals' B.
  const all = Object.values(PROTOCOLS).flatMap((p) => p.roles ?? []);
  const roles = all.filter((role, at) => all.findIndex((r) => crashParameterName(r) === crashParameterName(role)) === at);
  return [
    { ...shared, name: CRASH_PARAMETER.name, description: CRASH_PARAMETER.description, perRole: true },
    ...roles.map((role) => ({
      ...shared,
      name: crashParameterName(role),
      description: `probability that a node of role ${role}, still up, crashes at the start of a round`,
      roleOf: CRASH_PARAMETER.name,
      role,
    })),
  ];
}

function flatten(declaration: ParameterDeclaration, scope: { channel?: string; protocol?: string }, topLevel: boolean): ParameterSpec[] {
  const spec: ParameterSpec = {
    name: declaration.name,
    integer: declaration.integer === true,
    minimum: declaration.minimum ?? Number.NEGATIVE_INFINITY,
    maximum: declaration.maximum ?? Number.POSITIVE_INFINITY,
    description: declaration.perDirection ? `${declaration.description} of a copy (both directions)` : declaration.description,
    ...(declaration.default === undefined ? {} : { default: declaration.default }),
    ...(declaration.values ? { values: declaration.values } : {}),
    ...(declaration.text ? { text: declaration.text } : {}),
    ...scope,
    topLevel,
    ...(declaration.perDirection ? { perDirection: true } : {}),
  };
  if (!declaration.perDirection) return [spec];
  const directions: [string, string][] = [
    ['AtoB', 'of a copy sent A→B (coordinator → cohort)'],
    ['BtoA', 'of a copy sent B→A (cohort → coordinator)'],
  ];
  const { default: _, perDirection: __, ...rest } = spec;
  return [
    spec,
    ...directions.map(([suffix, words]) => ({
      ...rest,
      name: `${declaration.name}${suffix}`,
      description: `${declaration.description} ${words}`,
      directionOf: declaration.name,
    })),
  ];
}

/**
 * In file order: the top-level channel parameters (loss), the common ones, each protocol's, then
 * each channel's object keys. This order is also the order of the output columns.
 */
function deriveParameters(): ParameterSpec[] {
  const channels = Object.values(CHANNELS);
  return [
    ...channels.filter((c) => c.topLevel).flatMap((c) => c.parameters.flatMap((p) => flatten(p, { channel: c.name }, true))),
    ...COMMON_PARAMETERS.flatMap((p) => flatten(p, {}, true)),
    ...Object.values(PROTOCOLS).flatMap((protocol) => protocol.parameters.flatMap((p) => flatten(p, { protocol: protocol.name }, true))),
    ...channels.filter((c) => !c.topLevel).flatMap((c) => c.parameters.flatMap((p) => flatten(p, { channel: c.name }, false))),
    ...crashParameters(),
  ];
}

/** Keys of a scenario that are not parameters: no protocol or channel may declare a parameter of these names. */
export const RESERVED_NAMES: readonly string[] = [
  'protocol',
  'protocolDigest',
  'channel',
  'name',
  'description',
  'trials',
  'seed',
  'sweep',
  'expect',
  '$schema',
  'model',
];

/**
 * Names are unique across the catalog, but for protocols' own parameters: a cell's columns,
 * --set and --sweep name a parameter by its name alone, so a second `loss` (a channel copied
 * from bernoulli) would be found as the first one's everywhere, its own sweeps refused. A
 * protocol's parameter is read only in its own protocol's scenarios, so several protocols may
 * each declare one name (participants), with a range, default and description of their own
 * (`parameterSpec(name, protocol)` finds the scenario's own): their cells share its column.
 * Registering a protocol (a file) checks this before it adds one (register.ts,
 * protocol-files/names.ts); the built-in lines are held to it here, when the catalog loads.
 */
function uniquelyNamed(specs: ParameterSpec[]): ParameterSpec[] {
  const owner = (p: ParameterSpec): string => (p.channel ? `channel ${p.channel}` : p.protocol ? `protocol ${p.protocol}` : 'every protocol');
  for (const [i, p] of specs.entries()) {
    if (RESERVED_NAMES.includes(p.name)) throw new Error(`${owner(p)}: parameter '${p.name}' is a scenario key: give it another name`);
    const first = specs.findIndex((q) => q.name === p.name && !(q.protocol && p.protocol && q.protocol !== p.protocol));
    if (first !== i) throw new Error(`${owner(p)}: parameter '${p.name}' is already defined by ${owner(specs[first]!)}: give it another name`);
  }
  return specs;
}

/** Every parameter, kept in step with the registries by `refreshParameters` (a registration calls it). */
export const PARAMETERS: ParameterSpec[] = builtInParameters();

/**
 * A protocol reads its parameters as numbers (ProtocolParams), every one present: a declaration
 * that makes one text (values, text), two (perDirection) or none (optional, standIns) was taken
 * by the schema, `--set` and `list`, and reached configure as NaN (`--set mode=bold` printed the
 * other mode's figures under its name). Protocol files are held to it where they load.
 */
export function numericParameterProblem(protocol: Pick<ProtocolDefinition<unknown>, 'name' | 'parameters'>): string | null {
  for (const p of protocol.parameters) {
    const member = (['values', 'text', 'perDirection', 'optional', 'standIns'] as const).find((key) => p[key] !== undefined && p[key] !== false);
    if (member)
      return `protocol ${protocol.name}: parameter '${p.name}' has ${member}, which a protocol's parameter cannot have: it reads its parameters as numbers`;
  }
  return null;
}

/** The parameters derived from the catalog, held to unique names (built-in lines have no other check). */
export function builtInParameters(): ParameterSpec[] {
  for (const protocol of Object.values(PROTOCOLS)) {
    const problem = numericParameterProblem(protocol);
    if (problem) throw new Error(problem);
  }
  return uniquelyNamed(deriveParameters());
}

/**
 * Every parameter's name once, in file order: also the order of the output's parameter columns
 * (a name several protocols declare is one column, at its first declaration's place).
 */
export const PARAMETER_NAMES: string[] = namesOnce(PARAMETERS);

function namesOnce(specs: readonly ParameterSpec[]): string[] {
  return [...new Set(specs.map((p) => p.name))];
}

export function refreshParameters(): void {
  PARAMETERS.splice(0, PARAMETERS.length, ...deriveParameters());
  PARAMETER_NAMES.splice(0, PARAMETER_NAMES.length, ...namesOnce(PARAMETERS));
}

/**
 * The declaration of a parameter as a scenario of `protocol` reads it: that protocol's own where
 * several protocols declare the name (each with its own range, default and description), else
 * the one of that name (a channel's, a common one, a crash rate, or another protocol's, which
 * the scenario's resolution refuses as not its protocol's). Without a protocol, the first of
 * that name: only what every declaration of a name shares may be read from it (whether it is a
 * channel's, a direction's or a role's, text or a file), never a range, a default or whose it is.
 */
export function parameterSpec(name: string, protocol?: string): ParameterSpec | undefined {
  const own = protocol === undefined ? undefined : PARAMETERS.find((p) => p.name === name && p.protocol === protocol);
  return own ?? PARAMETERS.find((p) => p.name === name);
}

/** The protocols that declare a parameter of this name (several may, each its own), in catalog order. */
export function protocolsDeclaring(name: string): string[] {
  return PARAMETERS.filter((p) => p.name === name && p.protocol !== undefined).map((p) => p.protocol!);
}

/**
 * The first numeric parameter of a cell outside what its declaration allows, or null: a scenario
 * is held to them as it is read, but a library caller may build a cell from a spec of its own
 * (`buildCellModel({ …, params: { loss: 1.5 } })` gave the exact outcomes [0, 1, 0, 0]).
 */
export function parameterSlip(protocol: string, params: Readonly<Record<string, number | string>>): string | null {
  for (const [name, value] of Object.entries(params)) {
    if (typeof value !== 'number') continue;
    const spec = parameterSpec(name, protocol);
    if (!spec || spec.values || spec.text) continue;
    if (!Number.isFinite(value) || value < spec.minimum || value > spec.maximum || (spec.integer && !Number.isInteger(value)))
      return `${name} ${value} is not ${spec.integer ? 'a whole number' : 'a number'} from ${spec.minimum} to ${spec.maximum}`;
  }
  return null;
}

/** The cell's parameters with every declared default of its protocol and channel filled in. */
export function withDefaults(protocol: string, channel: string, params: Readonly<Record<string, number | string>>): Record<string, number | string> {
  const filled: Record<string, number | string> = {};
  for (const spec of PARAMETERS) {
    if ((spec.protocol && spec.protocol !== protocol) || (spec.channel && spec.channel !== channel) || spec.directionOf || spec.roleOf) continue;
    if (spec.perDirection && (params[`${spec.name}AtoB`] !== undefined || params[`${spec.name}BtoA`] !== undefined)) continue;
    if (spec.default !== undefined) filled[spec.name] = spec.default;
  }
  return { ...filled, ...params };
}
