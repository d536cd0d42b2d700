import { bernoulli } from '../channels/bernoulli.js';
import { cut } from '../channels/cut.js';
import { gilbertElliott } from '../channels/gilbert-elliott.js';
import { trace } from '../channels/trace.js';
import type { ChannelDefinition } from '../contract/channel.js';

/** The channel models that ship: one line each. Everything else about a channel is derived from its definition. */
export const BUILT_IN_CHANNELS: readonly ChannelDefinition<any>[] = [bernoulli, gilbertElliott, cut, trace];

/** The catalog's channels by name. */
export const CHANNELS: Record<string, ChannelDefinition<any>> = Object.fromEntries(BUILT_IN_CHANNELS.map((c) => [c.name, c]));

/** The channel of this name, or undefined (where a name comes in from outside, as protocolNamed). */
export function channelNamed(name: string): ChannelDefinition<any> | undefined {
  return Object.hasOwn(CHANNELS, name) ? CHANNELS[name] : undefined;
}
