import type { ChannelDefinition, Transmission } from './types.js';

interface BernoulliConfig {
  readonly transmissions: readonly [Transmission, Transmission];
}

/**
 * Copies delivered out of k, each lost independently with probability p: Binomial(k, 1 − p).
 * P(all lost) is p^k by repeated multiplication, the same bits as the reference baselines.
 */
export function binomialTransmission(loss: number, copies: number): Transmission {
  const probabilities: number[] = [];
  const delivered: number[] = [];
  let allLost = 1;
  for (let i = 0; i < copies; i++) allLost *= loss;
  let choose = 1; // C(copies, c)
  for (let c = 0; c <= copies; c++) {
    if (c > 0) choose = (choose * (copies - c + 1)) / c;
    const p = c === 0 ? allLost : choose * (1 - loss) ** c * loss ** (copies - c);
    probabilities.push(p);
    delivered.push(c);
  }
  return { probabilities, delivered, nextState: delivered.map(() => 0) };
}

export const bernoulli: ChannelDefinition<BernoulliConfig> = {
  name: 'bernoulli',
  summary: 'Each copy is lost independently with probability loss (per direction if given as {AtoB, BtoA}).',
  parameters: [
    { name: 'lossAtoB', description: 'loss probability of a copy sent A→B (from loss)' },
    { name: 'lossBtoA', description: 'loss probability of a copy sent B→A (from loss)' },
  ],
  configure(params, copies) {
    const aToB = Number(params['lossAtoB'] ?? params['loss']);
    const bToA = Number(params['lossBtoA'] ?? params['loss']);
    return { transmissions: [binomialTransmission(aToB, copies), binomialTransmission(bToA, copies)] };
  },
  initialStates: () => [{ probability: 1, state: 0 }],
  transmissions: (config) => config.transmissions,
  transmissionFor: (_config, _state, direction) => direction,
};
