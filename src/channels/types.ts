import type { ParameterDeclaration } from '../declarations.js';
import type { Direction } from '../protocols/types.js';

/**
 * What a channel can do to one message of k copies: each outcome says whether the message is
 * received (at least one copy arrives), how many copies arrive — the expected number given the
 * outcome, where the outcome does not fix it — and the channel state it leaves. Channels with
 * memory keep their state in one small integer per trial.
 */
export interface Transmission {
  readonly probabilities: readonly number[];
  readonly received: readonly boolean[];
  readonly delivered: readonly number[];
  readonly nextState: readonly number[];
}

export interface InitialState {
  readonly probability: number;
  readonly state: number;
}

export type ChannelParams = Readonly<Record<string, number | string | undefined>>;

export interface ChannelDefinition<Config = unknown> {
  readonly name: string;
  readonly summary: string;
  /** Its parameters, given in the channel object ({model, …}) of a scenario. */
  readonly parameters: readonly ParameterDeclaration[];
  /**
   * Its parameters are written at the scenario's top level instead (Bernoulli's `loss`), so the
   * plain `channel: name` form needs no object.
   */
  readonly topLevel?: boolean;
  /** A line on derived quantities for `list`, and for `validate` the values of one cell. */
  readonly notes?: string;
  describe?(params: ChannelParams): string;
  /**
   * Where it reads files (parameters of kind 'file', given here as absolute paths): checks them
   * when the scenario is resolved, throwing UsageError naming the file and line of the problem.
   */
  checkFiles?(params: ChannelParams): void;
  configure(params: ChannelParams, copies: number): Config;
  initialStates(config: Config): readonly InitialState[];
  /** Every distinct transmission the channel can use, indexed by `transmissionFor`. */
  transmissions(config: Config): readonly Transmission[];
  transmissionFor(config: Config, state: number, direction: Direction, round: number): number;
}
