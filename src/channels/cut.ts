import { MAX_ROUNDS } from '../limits.js';
import type { ChannelDefinition, Transmission } from '../contract/channel.js';

interface CutConfig {
  readonly after: number;
  readonly direction: string;
  readonly copies: number;
}

/**
 * The adversary: every copy in the cut direction is lost from round `after` + 1 on, and none
 * before — a fixed worst-case loss pattern, chosen without seeing any random choice, for testing
 * bounds such as the randomized protocol's 1/R. Deterministic: it draws nothing.
 */
export const cut: ChannelDefinition<CutConfig> = {
  name: 'cut',
  summary: 'Adversary: every copy in `direction` (both, AtoB, BtoA) is lost from round after+1 on.',
  parameters: [
    { name: 'after', description: 'the last round in which copies get through', integer: true, minimum: 0, maximum: MAX_ROUNDS, default: 0 },
    { name: 'direction', description: 'which direction the cut loses', values: ['both', 'AtoB', 'BtoA'], default: 'both' },
  ],
  configure: (params, copies) => ({ after: Number(params['after']), direction: String(params['direction']), copies }),
  initialStates: () => [{ probability: 1, state: 0 }],
  transmissions: (config): Transmission[] => [
    { probabilities: [1], received: [true], delivered: [config.copies], nextState: [0] },
    { probabilities: [1], received: [false], delivered: [0], nextState: [0] },
  ],
  transmissionFor(config, _state, direction, round) {
    const cutHere = config.direction === 'both' || config.direction === (direction === 0 ? 'AtoB' : 'BtoA');
    return cutHere && round > config.after ? 1 : 0;
  },
};
