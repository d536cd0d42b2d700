/**
 * Every numeric cell parameter a scenario can set or sweep, with its range. The flat names are
 * also the output column names; `loss: {AtoB, BtoA}` in a file becomes lossAtoB and lossBtoA.
 */
export interface ParameterSpec {
  readonly name: string;
  readonly integer: boolean;
  readonly minimum: number;
  readonly maximum: number;
  readonly description: string;
}

export const MAX_REDUNDANCY = 1000;
export const MAX_ROUNDS = 10000;

const probability = (name: string, description: string): ParameterSpec => ({
  name,
  integer: false,
  minimum: 0,
  maximum: 1,
  description,
});

export const PARAMETERS: readonly ParameterSpec[] = [
  probability('loss', 'probability that a copy is lost (both directions)'),
  probability('lossAtoB', 'loss probability of a copy sent A→B'),
  probability('lossBtoA', 'loss probability of a copy sent B→A'),
  {
    name: 'redundancy',
    integer: true,
    minimum: 1,
    maximum: MAX_REDUNDANCY,
    description: 'copies (messengers) dispatched per message',
  },
  { name: 'rounds', integer: true, minimum: 1, maximum: MAX_ROUNDS, description: 'round limit R' },
];

export const PARAMETER_NAMES = PARAMETERS.map((p) => p.name);

export function parameterSpec(name: string): ParameterSpec | undefined {
  return PARAMETERS.find((p) => p.name === name);
}

/** The order of parameter columns: loss, redundancy, rounds first (SPEC §3), then the rest. */
export const PARAMETER_COLUMN_ORDER = ['loss', 'redundancy', 'rounds', 'lossAtoB', 'lossBtoA'];
