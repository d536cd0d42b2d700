import type { ChannelDefinition } from '../contract/channel.js';
import type { ProtocolDefinition } from '../contract/protocol.js';

/** A scenario after parsing, overrides, validation and defaults: nothing left to check. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Where it came from, for messages: a file path or "(default scenario)". */
  readonly source: string;
  /** The protocol's and the channel's names, as results record them. */
  readonly protocol: string;
  readonly channel: string;
  /** The resolved definitions: everything past resolution reads these, never the catalog by name. */
  readonly protocolDefinition: ProtocolDefinition<any>;
  readonly channelDefinition: ChannelDefinition<any>;
  /** Parameter values shared by every cell (before the sweep). */
  readonly params: Readonly<Record<string, number | string>>;
  /** Swept parameters in file order; every combination is one cell. */
  readonly sweep: readonly SweepAxis[];
  /** Trials per cell; with `precision`, the most a cell may run. */
  readonly trials: number;
  /** Adaptive precision: run blocks until every proportion's interval half-width is at most this. */
  readonly precision?: number;
  readonly seed: string;
  readonly expect: readonly Expectation[];
  /** The scenario as resolved, in the file's own shape: recorded in outputs. */
  readonly resolved: Readonly<Record<string, unknown>>;
  /** Where the protocol was written as a file: its absolute path (for worker threads) and digest. */
  readonly protocolFile?: { readonly file: string; readonly digest: string };
  /** Files the channel reads: absolute paths by the paths as written (for worker threads). */
  readonly files?: Readonly<Record<string, string>>;
}

export interface SweepAxis {
  readonly parameter: string;
  readonly values: readonly number[];
}

export interface Expectation {
  readonly metric: string;
  readonly atLeast?: number;
  readonly atMost?: number;
  /** A saved results.json (relative to the scenario file) whose same cell this one must not be worse than. */
  readonly notWorseThan?: string;
  /** Where the entry is written: "file:line:column". */
  readonly place?: string;
  /** The place's file where merge found it beside the shards, not where it runs (a notWorseThan baseline is beside it). */
  readonly placeFile?: string;
}

/** One combination of parameter values. */
export interface Cell {
  readonly scenario: Scenario;
  readonly index: number;
  readonly params: Readonly<Record<string, number | string>>;
  /** Canonical text of (protocol, channel, parameters): the cell's part of every block seed. */
  readonly key: string;
}
