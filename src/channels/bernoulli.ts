import { LEAST_NORMAL } from '../stats/exact-rounding.js';
import type { ChannelDefinition, Transmission } from '../contract/channel.js';
import { decimalRatio, ddOfRatio } from '../stats/decimal-ratio.js';

interface BernoulliConfig {
  readonly transmissions: readonly [Transmission, Transmission];
  /** Each direction's loss and the copies a message, for the exact engines' finer tables. */
  readonly losses: readonly [number, number];
  readonly copies: number;
}

/**
 * A message of k copies, each lost independently with probability p: lost with probability p^k
 * (by repeated multiplication, the same bits as the reference baselines), else received. Which
 * copies arrived does not change what the protocol sees, so a received message carries the
 * expected number of copies given that at least one arrived, k(1 − p) / (1 − p^k): the delivered
 * mean is then a conditional (Rao–Blackwell) estimate — unbiased, with less variance than
 * counting copies, and no extra draws.
 */
export function bernoulliTransmission(loss: number, copies: number): Transmission {
  let allLost = 1;
  for (let i = 0; i < copies; i++) allLost *= loss;
  // 1 − p^k where p^k is near 1 keeps only the digits of p^k above 1e-16 (at p = 0.999999 and
  // k = 2, 5e-11 of the result): there it is (1 − p)(1 + p + … + p^(k−1)) instead, a sum of
  // positive terms with 1 − p exact (p ≥ 1/2). Elsewhere the subtraction loses nothing.
  let received = 1 - allLost;
  if (allLost > 0.5) {
    let sum = 0;
    let power = 1;
    for (let i = 0; i < copies; i++, power *= loss) sum += power;
    received = (1 - loss) * sum;
  }
  return {
    probabilities: [allLost, received],
    received: [false, true],
    delivered: [0, received > 0 ? (copies * (1 - loss)) / received : 0],
    nextState: [0, 0],
    ...(loss > 0 && allLost < LEAST_NORMAL ? { underflowed: true } : {}),
  };
}

/**
 * The transmission above for the exact engines: each probability the nearest double of the exact
 * value of the loss's decimal, with the low part it leaves (1 − 0.999^4 from the double 0.999 is
 * 1.1e-16 off, relatively, from that of 999/1000), and the copies delivered times the probability,
 * k(1 − p) when received. Not Monte Carlo's double with what it leaves: where loss^k is near 1,
 * 1 − loss^k in doubles is far from the decimals' (1 − 0.9999999999999999 is 1.11e-16, not 1e-16),
 * and a low part a tenth of the value keeps only its own 53 bits, so that values near a tie
 * between two doubles were printed an ulp off.
 */
export function finerBernoulliTransmission(loss: number, copies: number): Transmission {
  const plain = bernoulliTransmission(loss, copies);
  const { numerator: n, denominator: d } = decimalRatio(loss);
  const k = BigInt(copies);
  const lost = ddOfRatio({ numerator: n ** k, denominator: d ** k });
  const received = ddOfRatio({ numerator: d ** k - n ** k, denominator: d ** k });
  const deliveredMass = ddOfRatio({ numerator: k * (d - n), denominator: d });
  return {
    ...plain,
    probabilities: [lost.hi, received.hi],
    finer: {
      probabilitiesLow: [lost.lo, received.lo],
      deliveredMass: [0, deliveredMass.hi],
      deliveredMassLow: [0, deliveredMass.lo],
    },
  };
}

export const bernoulli: ChannelDefinition<BernoulliConfig> = {
  name: 'bernoulli',
  summary: 'Each copy is lost independently with probability loss (per direction if given as {AtoB, BtoA}).',
  topLevel: true,
  parameters: [{ name: 'loss', description: 'loss probability', minimum: 0, maximum: 1, default: 0.5, perDirection: true }],
  configure(params, copies) {
    const aToB = Number(params['lossAtoB'] ?? params['loss']);
    const bToA = Number(params['lossBtoA'] ?? params['loss']);
    return { transmissions: [bernoulliTransmission(aToB, copies), bernoulliTransmission(bToA, copies)], losses: [aToB, bToA], copies };
  },
  initialStates: () => [{ probability: 1, state: 0 }],
  transmissions: (config) => config.transmissions,
  transmissionFor: (_config, _state, direction) => direction,
  exactTables: ({ losses, copies }) => ({
    initialStates: [{ probability: 1, state: 0 }],
    transmissions: [finerBernoulliTransmission(losses[0], copies), finerBernoulliTransmission(losses[1], copies)],
  }),
};
