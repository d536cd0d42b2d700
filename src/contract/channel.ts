import type { ParameterDeclaration } from './parameter.js';
import type { Direction } from './protocol.js';

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
  /** Some probability here fell below the least normal double in its making (a loss^k of 1e-400 held as 0): the exact engine cannot hold what it weighs to the last digit. */
  readonly underflowed?: boolean;
  /** The exact engines' finer figures (a channel's `exactTables` only): see FinerTransmission. */
  readonly finer?: FinerTransmission;
}

/**
 * A transmission's figures to about 106 bits, for the exact engines: outcome i weighs
 * probabilities[i] + probabilitiesLow[i] (the low part what the double left of the value the
 * parameters stand for, their decimals; the double the nearest to that value, as one far from it,
 * 1 − 0.9999999999999999 made in doubles, leaves a low part that keeps only its own 53 bits), and
 * delivers deliveredMass[i] + deliveredMassLow[i] copies times that weight: the expectation
 * times the probability, not the mean given the outcome, which a division by the rounded
 * probability made a few ulps off (1.8 copies printed as 1.7999999999999998).
 */
export interface FinerTransmission {
  readonly probabilitiesLow: readonly number[];
  readonly deliveredMass: readonly number[];
  readonly deliveredMassLow: readonly number[];
}

/**
 * A channel whose copies' fates are fixed once a trial's start is drawn (a measured trace,
 * replayed): the engines follow it position by position instead of through tables, so it costs
 * the trace's own memory, not a channel state per position. Its channel state is the position.
 */
export interface Replay {
  /** Positions a trial starts at, each with probability 1/starts. */
  readonly starts: number;
  /** The most copies a message can deliver: delivery counts run 1 … copies. */
  readonly copies: number;
  /** Copies delivered (0 … copies) of a message sent from `position` in `direction`. */
  delivered(position: number, direction: Direction): number;
  /** The one packet at `position` in `direction`: 1 delivered, 0 lost (delivered sums `copies` of them from its position). */
  packet(position: number, direction: Direction): number;
  /** Sets counts[s] to delivered(s, direction) for every start s (the engines' counts, once per cell and thread). */
  deliveredInto(direction: Direction, counts: Uint8Array | Uint16Array): void;
  /** Per d = 0 … copies: the starts whose message sent in `direction` delivers d copies. */
  startsByDelivered(direction: Direction): Float64Array;
  /** The position after a message sent from `position`. */
  after(position: number): number;
  /** Both directions replay the same packets, so lostFrom serves either. */
  readonly oneTrace: boolean;
  /** The packets from `position` on (wrapping around) in direction A to B: bit i is 1 where packet position + i is lost, i below `count` (at most 24). */
  lostFrom(position: number, count: number): number;
}

export interface InitialState {
  readonly probability: number;
  readonly state: number;
}

/** A channel's tables for the exact engines (ChannelDefinition.exactTables). */
export interface ExactChannelTables {
  readonly initialStates: readonly InitialState[];
  readonly transmissions: readonly Transmission[];
}

export type ChannelParams = Readonly<Record<string, number | string | undefined>>;

/** Where a channel's file bytes are digested (a node:crypto Hash). */
export interface HashSink {
  update(data: Uint8Array | string): unknown;
}

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
   * What its files say that their reading doubts (a ping log whose own summary disagrees with the
   * lines read), as each file (given as in `configure`: absolute paths) and a sentence: `run`,
   * `exact` and `merge` warn of it on stderr, as `fit` and `validate` do.
   */
  fileWarnings?(params: ChannelParams): readonly (readonly [file: string, warning: string])[];
  /**
   * Where it reads files (parameters of kind 'file', given here as absolute paths): checks them
   * when the scenario is resolved, throwing UsageError naming the file and line of the problem.
   */
  checkFiles?(params: ChannelParams): void;
  /**
   * Reads a file it names (an absolute path; `params` as written, for options such as a column)
   * for the channel, feeding its text's bytes into `hash` on the way, so that a file is read once
   * when the scenario is resolved and its digest taken (else the file is read only to hash it).
   * No `hash` where the files are hashed in a worker thread meanwhile (long files).
   */
  readFile?(file: string, params: ChannelParams, hash: HashSink | undefined): void;
  configure(params: ChannelParams, copies: number): Config;
  initialStates(config: Config): readonly InitialState[];
  /** Every distinct transmission the channel can use, indexed by `transmissionFor`. */
  transmissions(config: Config): readonly Transmission[];
  transmissionFor(config: Config, state: number, direction: Direction, round: number): number;
  /**
   * The same channel for the exact engines, where the tables above, which Monte Carlo samples
   * (so their bits fix its draws), would make the exact engines round more than they must: more
   * states, each transmission found by `transmissionFor` as above. null where the tables above
   * serve. Gilbert–Elliott's chain starts from the state before the first copy, whose rounded
   * step into the stationary distribution made the messenger's onlyA 0.10000000000000003 for 0.1;
   * here a direction's first copy takes the stationary state itself.
   */
  exactTables?(config: Config): ExactChannelTables | null;
  /**
   * The channel replayed directly (see Replay); null where only the tables are used. Monte Carlo
   * and `trace` draw through the replay wherever it is given (but for crashes over tables, which
   * the replay's fast paths know nothing of); the exact engines read the tables where there are
   * any (`hasTables`).
   */
  replay?(config: Config): Replay | null;
  /**
   * Whether the channel also has tables (default true): false where they would be too large, and
   * then the engines ask neither initialStates nor transmissions.
   */
  hasTables?(config: Config): boolean;
}
