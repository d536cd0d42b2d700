import { LEAST_NORMAL } from '../stats/exact-rounding.js';
import { thousands } from '../io/text.js';
import type { Direction } from '../contract/protocol.js';
import type { ChannelDefinition, ChannelParams, InitialState, Transmission } from '../contract/channel.js';

/**
 * Bursty loss (Gilbert 1960; Elliott 1963): in each direction the states seen by successive
 * copies form a two-state Markov chain (good, bad), running on across messages and rounds and
 * started each trial from its stationary distribution; a copy is lost with its state's loss
 * probability. The channel state holds, per direction, the state the last copy saw (bit 0 A→B,
 * bit 1 B→A); starting that from the stationary distribution makes the first copy's state
 * stationary too.
 */
export interface GilbertElliottConfig {
  readonly goodToBad: number;
  readonly badToGood: number;
  readonly loss: readonly [number, number];
  readonly copies: number;
}

const GOOD = 0;
const BAD = 1;

/** Stationary probability of the bad state; a chain that never moves stays good. */
export function stationaryBad(goodToBad: number, badToGood: number): number {
  return goodToBad + badToGood === 0 ? 0 : goodToBad / (goodToBad + badToGood);
}

/** Mean loss rate and mean burst length (copies per visit to the bad state), for `list` and `validate`. */
export function describeGilbertElliott(params: ChannelParams): string {
  const g2b = Number(params['goodToBad']);
  const b2g = Number(params['badToGood']);
  const bad = stationaryBad(g2b, b2g);
  const loss = (1 - bad) * Number(params['lossGood']) + bad * Number(params['lossBad']);
  // A chain that never leaves the good state (goodToBad 0, started stationary) has no bad burst at all.
  // Tens of thousands of copies or more in whole copies, with separators, as a trace's burst is
  // printed (four figures printed 1 / 1.23456e-8 = 81,000,518 as 81000000).
  const mean = 1 / b2g >= 1e4 ? thousands(Math.round(1 / b2g)) : +(1 / b2g).toPrecision(4);
  const burst = bad === 0 ? 'none (never in the bad state)' : b2g > 0 ? `${mean} ${mean === 1 ? 'copy' : 'copies'}` : 'unbounded';
  return `mean loss ${+loss.toPrecision(4)}, mean bad burst ${burst}`;
}

/**
 * One message of k copies in one direction, from the state the last copy saw: by dynamic
 * programming over the copies, the probability of each (received?, state of the last copy) and
 * the expected copies delivered given it. Where every way into an outcome delivers the same
 * number of copies (a chain whose states both lose nothing: k), that number is the expectation,
 * exactly: the ratio of the two rounded sums gave k·(1 + 2e-16).
 */
function directionalTransmission(config: GilbertElliottConfig, from: number): { probability: number[]; delivered: number[]; underflowed: boolean } {
  const step = (s: number, t: number): number =>
    s === GOOD ? (t === BAD ? config.goodToBad : 1 - config.goodToBad) : t === GOOD ? config.badToGood : 1 - config.badToGood;
  // mass[received][state], and the delivered copies weighted by probability.
  let mass = [
    [from === GOOD ? 1 : 0, from === BAD ? 1 : 0],
    [0, 0],
  ];
  let copies = [
    [0, 0],
    [0, 0],
  ];
  // The copies delivered on every way into (received, state) so far, NaN where ways differ (none yet: 0).
  let sure = [
    [0, 0],
    [0, 0],
  ];
  // A way's probability below the least normal double (a long bad burst's 0.1^330, held as 0 or
  // with bits lost): the exact engine then cannot hold an outcome it feeds to the last digit.
  let underflowed = false;
  const weighed = (p: number, q: number): number => {
    const product = p * q;
    if (q > 0 && product < LEAST_NORMAL) underflowed = true;
    return product;
  };
  for (let c = 0; c < config.copies; c++) {
    const nextMass = [
      [0, 0],
      [0, 0],
    ];
    const nextCopies = [
      [0, 0],
      [0, 0],
    ];
    const nextSure = [
      [-1, -1],
      [-1, -1],
    ];
    const reach = (received: number, t: number, count: number): void => {
      const was = nextSure[received]![t]!;
      nextSure[received]![t] = was === -1 || was === count ? count : Number.NaN;
    };
    for (const received of [0, 1]) {
      for (const s of [GOOD, BAD]) {
        const p = mass[received]![s]!;
        if (p === 0) continue;
        for (const t of [GOOD, BAD]) {
          const move = weighed(p, step(s, t));
          if (move === 0) continue;
          const carried = copies[received]![s]! * step(s, t);
          const lost = config.loss[t]!;
          nextMass[received]![t]! += weighed(move, lost);
          nextCopies[received]![t]! += carried * lost;
          nextMass[1]![t]! += weighed(move, 1 - lost);
          nextCopies[1]![t]! += (carried + move) * (1 - lost);
          if (lost > 0) reach(received, t, sure[received]![s]!);
          if (lost < 1) reach(1, t, sure[received]![s]! + 1);
        }
      }
    }
    mass = nextMass;
    copies = nextCopies;
    sure = nextSure;
  }
  const probability: number[] = [];
  const delivered: number[] = [];
  for (const received of [0, 1]) {
    for (const s of [GOOD, BAD]) {
      const p = mass[received]![s]!;
      probability.push(p);
      const count = sure[received]![s]!;
      delivered.push(p > 0 ? (count >= 0 ? count : copies[received]![s]! / p) : 0);
    }
  }
  return { probability, delivered, underflowed };
}

export const gilbertElliott: ChannelDefinition<GilbertElliottConfig> = {
  name: 'gilbert-elliott',
  summary: 'Bursty loss: a good/bad Markov chain per direction across successive copies (Gilbert–Elliott).',
  parameters: [
    { name: 'goodToBad', description: 'probability that the next copy sees the bad state, from good', minimum: 0, maximum: 1 },
    { name: 'badToGood', description: 'probability that the next copy sees the good state, from bad', minimum: 0, maximum: 1 },
    { name: 'lossGood', description: 'loss probability of a copy in the good state', minimum: 0, maximum: 1, default: 0 },
    { name: 'lossBad', description: 'loss probability of a copy in the bad state', minimum: 0, maximum: 1, default: 1 },
  ],
  notes:
    'mean loss = π_bad·lossBad + π_good·lossGood with π_bad = goodToBad / (goodToBad + badToGood); mean bad burst = 1 / badToGood copies (validate prints both)',
  describe: describeGilbertElliott,
  configure: (params, copies) => ({
    goodToBad: Number(params['goodToBad']),
    badToGood: Number(params['badToGood']),
    loss: [Number(params['lossGood']), Number(params['lossBad'])],
    copies,
  }),
  initialStates(config): InitialState[] {
    const bad = stationaryBad(config.goodToBad, config.badToGood);
    const p = [1 - bad, bad];
    return [0, 1, 2, 3].map((state) => ({ probability: p[state & 1]! * p[state >> 1]!, state })).filter((s) => s.probability > 0);
  },
  // Transmission 4·direction + channel state: its outcomes say (received?, the direction's new state).
  transmissions(config): Transmission[] {
    const tables: Transmission[] = [];
    for (const direction of [0, 1] as Direction[]) {
      for (let state = 0; state < 4; state++) {
        const from = (state >> direction) & 1;
        const { probability, delivered, underflowed } = directionalTransmission(config, from);
        const ends = [GOOD, BAD, GOOD, BAD];
        tables.push({
          probabilities: probability,
          received: [false, false, true, true],
          delivered,
          nextState: ends.map((end) => (state & ~(1 << direction)) | (end << direction)),
          ...(underflowed ? { underflowed: true } : {}),
        });
      }
    }
    return tables;
  },
  transmissionFor: (_config, state, direction) => 4 * direction + state,
};
