import { LEAST_NORMAL } from '../stats/exact-rounding.js';
import { DD_ONE, dd, ddAdd, ddMultiply, ddSubtract } from '../stats/double-double.js';
import type { DoubleDouble } from '../stats/double-double.js';
import type { ChannelDefinition, Transmission } from '../contract/channel.js';

interface BernoulliConfig {
  readonly transmissions: readonly [Transmission, Transmission];
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
  const exact = exactProbabilities(loss, copies);
  return {
    probabilities: [allLost, received],
    received: [false, true],
    delivered: [0, received > 0 ? (copies * (1 - loss)) / received : 0],
    nextState: [0, 0],
    lowParts: [ddSubtract(exact.lost, dd(allLost)).hi, ddSubtract(exact.received, dd(received)).hi],
    ...(loss > 0 && allLost < LEAST_NORMAL ? { underflowed: true } : {}),
  };
}

/**
 * p^k and 1 − p^k in double-double, for the exact engines (Transmission.lowParts): as doubles
 * each is rounded on its own, and the two miss 1 by up to an ulp, which a chain of R rounds and
 * n cohorts multiplies. Where p^k is near 1, 1 − p^k is (1 − p)(1 + p + … + p^(k−1)), 1 − p
 * exact in double-double.
 */
function exactProbabilities(loss: number, copies: number): { lost: DoubleDouble; received: DoubleDouble } {
  const p = dd(loss);
  let lost = DD_ONE;
  let sum: DoubleDouble = { hi: 0, lo: 0 };
  for (let i = 0; i < copies; i++) {
    sum = ddAdd(sum, lost);
    lost = ddMultiply(lost, p);
  }
  const received = lost.hi > 0.5 ? ddMultiply(ddSubtract(DD_ONE, p), sum) : ddSubtract(DD_ONE, lost);
  return { lost, received };
}

export const bernoulli: ChannelDefinition<BernoulliConfig> = {
  name: 'bernoulli',
  summary: 'Each copy is lost independently with probability loss (per direction if given as {AtoB, BtoA}).',
  topLevel: true,
  parameters: [{ name: 'loss', description: 'loss probability', minimum: 0, maximum: 1, default: 0.5, perDirection: true }],
  configure(params, copies) {
    const aToB = Number(params['lossAtoB'] ?? params['loss']);
    const bToA = Number(params['lossBtoA'] ?? params['loss']);
    return { transmissions: [bernoulliTransmission(aToB, copies), bernoulliTransmission(bToA, copies)] };
  },
  initialStates: () => [{ probability: 1, state: 0 }],
  transmissions: (config) => config.transmissions,
  transmissionFor: (_config, _state, direction) => direction,
};
