import { CHANNELS } from '../channels/index.js';
import type { ChannelDefinition, InitialState } from '../channels/types.js';
import { PROTOCOLS } from '../protocols/index.js';
import type { OutcomeSet, ProtocolDefinition } from '../protocols/types.js';
import { samplingTable } from '../rng/sampler.js';
import type { SamplingTable } from '../rng/sampler.js';

/** What one cell runs: a protocol over a channel with its parameters. */
export interface CellSpec {
  readonly protocol: string;
  readonly channel: string;
  readonly params: Readonly<Record<string, number | string>>;
}

/** A channel transmission ordered for sampling: the likeliest outcome is tested first. */
export interface PreparedTransmission {
  readonly probabilities: Float64Array;
  readonly delivered: Int32Array;
  readonly nextState: Int32Array;
  readonly sampling: SamplingTable;
}

/** Everything both engines need about a cell, computed once per cell. */
export interface CellModel {
  readonly protocol: ProtocolDefinition<unknown>;
  readonly protocolConfig: unknown;
  readonly channel: ChannelDefinition<unknown>;
  readonly channelConfig: unknown;
  readonly copies: number;
  readonly outcomes: OutcomeSet;
  readonly stateSize: number;
  readonly transmissions: readonly PreparedTransmission[];
  readonly initialStates: readonly InitialState[];
  readonly initialSampling: SamplingTable;
}

export function buildCellModel(spec: CellSpec): CellModel {
  const protocol = PROTOCOLS[spec.protocol];
  const channel = CHANNELS[spec.channel];
  if (!protocol) throw new Error(`unknown protocol ${spec.protocol}`);
  if (!channel) throw new Error(`unknown channel ${spec.channel}`);
  const copies = Number(spec.params['redundancy']);
  const protocolConfig = protocol.configure({ rounds: Number(spec.params['rounds']) });
  const channelConfig = channel.configure(spec.params, copies);
  const initialStates = channel.initialStates(channelConfig);
  return {
    protocol,
    protocolConfig,
    channel,
    channelConfig,
    copies,
    outcomes: protocol.outcomes,
    stateSize: protocol.stateSize(protocolConfig),
    transmissions: channel.transmissions(channelConfig).map(prepareTransmission),
    initialStates,
    initialSampling: samplingTable(initialStates.map((s) => s.probability)),
  };
}

function prepareTransmission(t: {
  probabilities: readonly number[];
  delivered: readonly number[];
  nextState: readonly number[];
}): PreparedTransmission {
  const order = t.probabilities
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => p > 0)
    .sort((x, y) => y.p - x.p || x.i - y.i)
    .map(({ i }) => i);
  const probabilities = Float64Array.from(order, (i) => t.probabilities[i]!);
  return {
    probabilities,
    delivered: Int32Array.from(order, (i) => t.delivered[i]!),
    nextState: Int32Array.from(order, (i) => t.nextState[i]!),
    sampling: samplingTable(probabilities),
  };
}
