import { CHANNELS } from '../channels/index.js';
import type { ParameterDeclaration } from '../declarations.js';
import { MAX_REDUNDANCY, MAX_ROUNDS } from '../limits.js';
import { PROTOCOLS } from '../protocols/index.js';

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
}

export { MAX_PARTICIPANTS, MAX_REDUNDANCY, MAX_ROUNDS } from '../limits.js';

/** The parameters every protocol has. */
export const COMMON_PARAMETERS: readonly ParameterDeclaration[] = [
  { name: 'redundancy', integer: true, minimum: 1, maximum: MAX_REDUNDANCY, default: 2, description: 'copies (messengers) dispatched per message' },
  { name: 'rounds', integer: true, minimum: 1, maximum: MAX_ROUNDS, default: 1, description: 'round limit R' },
];

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
  ];
}

/** Every parameter, kept in step with the registries by `refreshParameters` (a registration calls it). */
export const PARAMETERS: ParameterSpec[] = deriveParameters();

/** Every parameter's name, in file order: also the order of the output's parameter columns. */
export const PARAMETER_NAMES: string[] = PARAMETERS.map((p) => p.name);

export function refreshParameters(): void {
  PARAMETERS.splice(0, PARAMETERS.length, ...deriveParameters());
  PARAMETER_NAMES.splice(0, PARAMETER_NAMES.length, ...PARAMETERS.map((p) => p.name));
}

export function parameterSpec(name: string): ParameterSpec | undefined {
  return PARAMETERS.find((p) => p.name === name);
}

/** The cell's parameters with every declared default of its protocol and channel filled in. */
export function withDefaults(protocol: string, channel: string, params: Readonly<Record<string, number | string>>): Record<string, number | string> {
  const filled: Record<string, number | string> = {};
  for (const spec of PARAMETERS) {
    if ((spec.protocol && spec.protocol !== protocol) || (spec.channel && spec.channel !== channel) || spec.directionOf) continue;
    if (spec.perDirection && (params[`${spec.name}AtoB`] !== undefined || params[`${spec.name}BtoA`] !== undefined)) continue;
    if (spec.default !== undefined) filled[spec.name] = spec.default;
  }
  return { ...filled, ...params };
}
