import { bernoulli } from '../channels/bernoulli.js';
import { cut } from '../channels/cut.js';
import { gilbertElliott } from '../channels/gilbert-elliott.js';
import { trace } from '../channels/trace.js';
import type { ChannelDefinition } from '../contract/channel.js';

/** The channel models that ship: one line each. Everything else about a channel is derived from its definition. */
export const BUILT_IN_CHANNELS: readonly ChannelDefinition<any>[] = [bernoulli, gilbertElliott, cut, trace];

/** The registry: the built-in channels, and any a run registers (registry/index.ts), by name. */
export const CHANNELS: Record<string, ChannelDefinition<any>> = Object.fromEntries(BUILT_IN_CHANNELS.map((c) => [c.name, c]));
