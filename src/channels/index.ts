import { bernoulli } from './bernoulli.js';
import type { ChannelDefinition } from './types.js';

export const CHANNELS: Readonly<Record<string, ChannelDefinition<any>>> = {
  bernoulli,
};

export const CHANNEL_NAMES = Object.keys(CHANNELS);
