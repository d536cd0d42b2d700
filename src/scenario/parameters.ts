/**
 * Every cell parameter a scenario can set (and, if numeric, sweep), with its range, default and
 * what it applies to. The flat names are also the output column names: `loss: {AtoB, BtoA}` in a
 * file becomes lossAtoB and lossBtoA, and a channel object's keys become parameters of their own.
 */
export interface ParameterSpec {
  readonly name: string;
  readonly integer: boolean;
  readonly minimum: number;
  readonly maximum: number;
  readonly description: string;
  readonly default?: number;
  /** Only for this channel model (undefined: any). */
  readonly channel?: string;
  /** Only for this protocol (undefined: any). */
  readonly protocol?: string;
}

export const MAX_REDUNDANCY = 1000;
export const MAX_ROUNDS = 10000;
export const MAX_PARTICIPANTS = 64;
export const CUT_DIRECTIONS = ['both', 'AtoB', 'BtoA'] as const;

const probability = (name: string, description: string, extra: Partial<ParameterSpec> = {}): ParameterSpec => ({
  name,
  integer: false,
  minimum: 0,
  maximum: 1,
  description,
  ...extra,
});

export const PARAMETERS: readonly ParameterSpec[] = [
  probability('loss', 'probability that a copy is lost (both directions)', { channel: 'bernoulli', default: 0.5 }),
  probability('lossAtoB', 'loss probability of a copy sent A→B (coordinator → cohort)', { channel: 'bernoulli' }),
  probability('lossBtoA', 'loss probability of a copy sent B→A (cohort → coordinator)', { channel: 'bernoulli' }),
  { name: 'redundancy', integer: true, minimum: 1, maximum: MAX_REDUNDANCY, default: 2, description: 'copies (messengers) dispatched per message' },
  { name: 'rounds', integer: true, minimum: 1, maximum: MAX_ROUNDS, default: 1, description: 'round limit R' },
  { name: 'participants', integer: true, minimum: 1, maximum: MAX_PARTICIPANTS, default: 3, protocol: 'two-phase-commit', description: 'cohorts of the coordinator' },
  probability('abortRate', 'probability that a cohort votes NO', { protocol: 'two-phase-commit', default: 0 }),
  probability('goodToBad', 'probability that the next copy sees the bad state, from good', { channel: 'gilbert-elliott' }),
  probability('badToGood', 'probability that the next copy sees the good state, from bad', { channel: 'gilbert-elliott' }),
  probability('lossGood', 'loss probability of a copy in the good state', { channel: 'gilbert-elliott', default: 0 }),
  probability('lossBad', 'loss probability of a copy in the bad state', { channel: 'gilbert-elliott', default: 1 }),
  { name: 'after', integer: true, minimum: 0, maximum: MAX_ROUNDS, default: 0, channel: 'cut', description: 'the last round in which copies get through' },
];

export const PARAMETER_NAMES = PARAMETERS.map((p) => p.name);

export function parameterSpec(name: string): ParameterSpec | undefined {
  return PARAMETERS.find((p) => p.name === name);
}

/** The order of parameter columns: loss, redundancy, rounds first (SPEC §3), then the rest. */
export const PARAMETER_COLUMN_ORDER = [...PARAMETER_NAMES, 'direction'];
