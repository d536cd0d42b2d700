import { LEAST_NORMAL } from '../stats/exact-rounding.js';
import { ddAdd, ddDivide, ddMultiply } from '../stats/double-double.js';
import { ddOfComplement, ddOfDecimal } from '../stats/decimal-ratio.js';
import type { DoubleDouble } from '../stats/double-double.js';
import { thousands } from '../io/text.js';
import type { Direction } from '../contract/protocol.js';
import type { ChannelDefinition, ChannelParams, FinerTransmission, InitialState, Transmission } from '../contract/channel.js';

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
/** A direction no copy has been sent in yet: its first copy's state is stationary (the exact engines' tables only). */
const FRESH = 2;

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

/** The arithmetic a table is made in: plain doubles (Monte Carlo's tables, whose bits fix its draws) or double-double. */
interface Arithmetic<T> {
  of(value: number): T;
  add(a: T, b: T): T;
  multiply(a: T, b: T): T;
  divide(a: T, b: T): T;
  value(a: T): number;
  /** What value() leaves of a (0 in plain doubles). */
  low(a: T): number;
  /**
   * 1 − p for a parameter p: in double-double from p's decimal, not 1 minus p's double-double,
   * which near 1 keeps only p's absolute 2^-106 (1 − 0.9999999999999999 to 16 digits, an ulp off).
   */
  complement(p: number): T;
  /** The stationary good share, 1 − bad: in double-double as badToGood / (goodToBad + badToGood), which cancels nothing where bad is near 1. */
  stationaryGood(goodToBad: T, badToGood: T, bad: T): T;
}

const PLAIN: Arithmetic<number> = {
  of: (value) => value,
  add: (a, b) => a + b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  value: (a) => a,
  low: () => 0,
  complement: (p) => 1 - p,
  stationaryGood: (_goodToBad, _badToGood, bad) => 1 - bad,
};

/**
 * For the exact engines' tables: a message's probabilities and delivered copies to about 106 bits,
 * not rounded at each copy's step, from the decimals the parameters stand for (decimal-ratio.ts).
 */
const DOUBLE_DOUBLE: Arithmetic<DoubleDouble> = {
  of: ddOfDecimal,
  add: ddAdd,
  multiply: ddMultiply,
  divide: ddDivide,
  value: (a) => a.hi,
  low: (a) => a.lo,
  complement: ddOfComplement,
  stationaryGood: (goodToBad, badToGood) => ddDivide(badToGood, ddAdd(goodToBad, badToGood)),
};

/**
 * One message of k copies in one direction, from the state the last copy saw (or FRESH, none
 * yet: the first copy's state is then the stationary one itself, as the state before it, drawn
 * stationary and stepped, makes it): by dynamic programming over the copies, the probability of
 * each (received?, state of the last copy) and the expected copies delivered given it. Where
 * every way into an outcome delivers the same number of copies (a chain whose states both lose
 * nothing: k), that number is the expectation, exactly: the ratio of the two rounded sums gave
 * k·(1 + 2e-16).
 */
function directionalTransmission<T>(
  config: GilbertElliottConfig,
  from: number,
  arithmetic: Arithmetic<T>,
): { probability: number[]; delivered: number[]; finer: FinerTransmission; underflowed: boolean } {
  const { of, add, multiply, divide, value, low, complement } = arithmetic;
  const zero = of(0);
  const one = of(1);
  const goodToBad = of(config.goodToBad);
  const badToGood = of(config.badToGood);
  const bad = divide(goodToBad, add(goodToBad, badToGood));
  // step[s][t]: the next copy's state t from s (FRESH: the stationary distribution).
  const step = [
    [complement(config.goodToBad), goodToBad],
    [badToGood, complement(config.badToGood)],
    config.goodToBad + config.badToGood === 0 ? [one, zero] : [arithmetic.stationaryGood(goodToBad, badToGood, bad), bad],
  ];
  const loss = config.loss.map((l) => [of(l), complement(l)] as const);
  // mass[received][state], and the delivered copies weighted by probability.
  let mass = [
    [from === GOOD ? one : zero, from === BAD ? one : zero, from === FRESH ? one : zero],
    [zero, zero, zero],
  ];
  let copies = [
    [zero, zero, zero],
    [zero, zero, zero],
  ];
  // The copies delivered on every way into (received, state) so far, NaN where ways differ (none yet: 0).
  let sure = [
    [0, 0, 0],
    [0, 0, 0],
  ];
  // A way's probability below the least normal double (a long bad burst's 0.1^330, held as 0 or
  // with bits lost): the exact engine then cannot hold an outcome it feeds to the last digit.
  let underflowed = false;
  const weighed = (p: T, q: T): T => {
    const product = multiply(p, q);
    if (value(q) > 0 && value(product) < LEAST_NORMAL) underflowed = true;
    return product;
  };
  for (let c = 0; c < config.copies; c++) {
    const nextMass = [
      [zero, zero, zero],
      [zero, zero, zero],
    ];
    const nextCopies = [
      [zero, zero, zero],
      [zero, zero, zero],
    ];
    const nextSure = [
      [-1, -1, -1],
      [-1, -1, -1],
    ];
    const reach = (received: number, t: number, count: number): void => {
      const was = nextSure[received]![t]!;
      nextSure[received]![t] = was === -1 || was === count ? count : Number.NaN;
    };
    for (const received of [0, 1]) {
      for (const s of [GOOD, BAD, FRESH]) {
        const p = mass[received]![s]!;
        if (value(p) === 0) continue;
        for (const t of [GOOD, BAD]) {
          const move = weighed(p, step[s]![t]!);
          if (value(move) === 0) continue;
          const carried = multiply(copies[received]![s]!, step[s]![t]!);
          const [lost, kept] = loss[t]!;
          nextMass[received]![t] = add(nextMass[received]![t]!, weighed(move, lost));
          nextCopies[received]![t] = add(nextCopies[received]![t]!, multiply(carried, lost));
          nextMass[1]![t] = add(nextMass[1]![t]!, weighed(move, kept));
          nextCopies[1]![t] = add(nextCopies[1]![t]!, multiply(add(carried, move), kept));
          if (value(lost) > 0) reach(received, t, sure[received]![s]!);
          if (value(lost) < 1) reach(1, t, sure[received]![s]! + 1);
        }
      }
    }
    mass = nextMass;
    copies = nextCopies;
    sure = nextSure;
  }
  const probability: number[] = [];
  const delivered: number[] = [];
  const finer = { probabilitiesLow: [] as number[], deliveredMass: [] as number[], deliveredMassLow: [] as number[] };
  for (const received of [0, 1]) {
    for (const s of [GOOD, BAD]) {
      const p = mass[received]![s]!;
      probability.push(value(p));
      finer.probabilitiesLow.push(low(p));
      finer.deliveredMass.push(value(copies[received]![s]!));
      finer.deliveredMassLow.push(low(copies[received]![s]!));
      const count = sure[received]![s]!;
      delivered.push(value(p) > 0 ? (count >= 0 ? count : value(divide(copies[received]![s]!, p))) : 0);
    }
  }
  return { probability, delivered, finer, underflowed };
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
  transmissions: (config) => transmissionsFrom(config, 0, 4, PLAIN),
  // The exact engines' states past 4 (FRESH_STATES) have their transmissions after the 8 above, 5 a direction.
  transmissionFor: (_config, state, direction) => (state < 4 ? 4 * direction + state : 8 + FRESH_STATES.length * direction + state - 4),
  // The stationary distribution stepped once is the stationary distribution, but in doubles only
  // to a rounding ((1 − π)·goodToBad + π·(1 − badToGood) for π): where the chain can be in either
  // state, the exact engines start both directions FRESH and take a first copy's state as π
  // itself. A chain that stays in one state (goodToBad 0: good; else badToGood 0: bad) starts in
  // it, as Monte Carlo's does. Either way the tables are made in double-double, each figure
  // rounded once: a chain in one state gave 0.35² as 0.1225, not 0.12249999999999998.
  exactTables(config) {
    const start = config.goodToBad === 0 ? GOOD : config.badToGood === 0 ? BAD : FRESH;
    const transmissions = transmissionsFrom(config, 0, 4, DOUBLE_DOUBLE).concat(transmissionsFrom(config, 4, 4 + FRESH_STATES.length, DOUBLE_DOUBLE));
    return { initialStates: [{ probability: 1, state: stateOf(start, start) }], transmissions };
  },
};

/**
 * The exact engines' channel states where a direction is FRESH, numbered from 4 on (0–3 are
 * the two directions' last states, bit 0 A→B, bit 1 B→A, as Monte Carlo's): [A→B's, B→A's].
 */
const FRESH_STATES: readonly (readonly [number, number])[] = [
  [FRESH, FRESH],
  [GOOD, FRESH],
  [BAD, FRESH],
  [FRESH, GOOD],
  [FRESH, BAD],
];

/** The channel state of the two directions' states (GOOD, BAD or FRESH). */
function stateOf(aToB: number, bToA: number): number {
  if (aToB !== FRESH && bToA !== FRESH) return aToB | (bToA << 1);
  return 4 + FRESH_STATES.findIndex(([a, b]) => a === aToB && b === bToA);
}

/** The two directions' states of a channel state. */
function directionsOf(state: number): readonly [number, number] {
  return state < 4 ? [state & 1, (state >> 1) & 1] : FRESH_STATES[state - 4]!;
}

/** The transmissions from the channel states `from` … `to` − 1, A→B's, then B→A's. */
function transmissionsFrom<T>(config: GilbertElliottConfig, from: number, to: number, arithmetic: Arithmetic<T>): Transmission[] {
  const tables: Transmission[] = [];
  for (const direction of [0, 1] as Direction[])
    for (let state = from; state < to; state++) tables.push(transmissionFrom(config, state, direction, arithmetic));
  return tables;
}

/** A message in `direction` from channel state `state`: its outcomes say (received?, the direction's new state). */
function transmissionFrom<T>(config: GilbertElliottConfig, state: number, direction: Direction, arithmetic: Arithmetic<T>): Transmission {
  const directions = directionsOf(state);
  const { probability, delivered, finer, underflowed } = directionalTransmission(config, directions[direction]!, arithmetic);
  const ends = [GOOD, BAD, GOOD, BAD];
  return {
    probabilities: probability,
    received: [false, false, true, true],
    delivered,
    nextState: ends.map((end) => (direction === 0 ? stateOf(end, directions[1]!) : stateOf(directions[0]!, end))),
    ...(underflowed ? { underflowed: true } : {}),
    ...(arithmetic === (DOUBLE_DOUBLE as unknown) ? { finer } : {}),
  };
}
