import { bernoulli } from './bernoulli.js';
import { cut } from './cut.js';
import { gilbertElliott } from './gilbert-elliott.js';
import type { ChannelDefinition } from './types.js';

export const CHANNELS: Readonly<Record<string, ChannelDefinition<any>>> = {
  bernoulli,
  'gilbert-elliott': gilbertElliott,
  cut,
};

export const CHANNEL_NAMES = Object.keys(CHANNELS);
