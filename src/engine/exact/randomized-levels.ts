import type { CellModel, PreparedTransmission } from '../model.js';
import type { InitialState } from '../../contract/channel.js';
import { thousands } from '../../io/text.js';
import { NeumaierSum } from '../../stats/sum.js';
import { lowPart, productHigh, sumHigh, twoProduct } from '../../stats/double-double.js';
import { LEAST_NORMAL, roundedOnce, underflowOf } from './figures.js';
import { ExactUnavailable, WORK_SLICE, megabytes, tooMuchWork } from './result.js';
import type { ExactLimits, ExactSteps } from './result.js';
import { counted } from '../../io/wording.js';

/** Channel states any table names: one more than the largest (no spread: a trace has tens of thousands). */
function channelStates(model: CellModel): number {
  let C = 1;
  for (const { state } of model.initialStates) C = Math.max(C, state + 1);
  for (const t of model.transmissions) for (const s of t.nextState) C = Math.max(C, s + 1);
  return C;
}

/**
 * Channel states the levels are kept for: one more than the largest a round can start in, the
 * starts and where B's message, after A's, leaves the channel. A state passed only within a round
 * needs no slots: a Gilbert–Elliott direction still fresh after A's first message (the exact
 * tables' start, engine/model.ts exactModelOf), which would more than double the slots and the
 * work every round surely does. The rounds read the same tables' states (checked as they go).
 */
function roundStartStates(model: CellModel, all: number): number {
  const { channel, channelConfig, transmissions } = model;
  const starts = new Uint8Array(all);
  for (const { state } of model.initialStates) starts[state] = 1;
  for (let grown = true; grown; ) {
    grown = false;
    const mids = new Uint8Array(all);
    for (let ch = 0; ch < all; ch++) if (starts[ch]) for (const m of transmissions[channel.transmissionFor(channelConfig, ch, 0, 1)]!.nextState) mids[m] = 1;
    for (let m = 0; m < all; m++) {
      if (!mids[m]) continue;
      for (const end of transmissions[channel.transmissionFor(channelConfig, m, 1, 1)]!.nextState) {
        if (starts[end]) continue;
        starts[end] = 1;
        grown = true;
      }
    }
  }
  return starts.lastIndexOf(1) + 1;
}

/**
 * Why the levels cannot do the cell within `limits`, known before any work (null: only the work
 * can tell): their arrays' memory, or the work every round surely does looking at its slots.
 */
export function levelsRefusal(model: CellModel, R: number, limits: ExactLimits): ExactUnavailable | null {
  const C = roundStartStates(model, channelStates(model));
  const slots = (R + 2) * 3 * 2 * C;
  // The limit as it always stood (2 numbers a slot), which refuses the same cells; but there are
  // four arrays of slots (mass high and low, this round's and the next), so what it allows, and
  // what the message names, is twice the words' worth (555 MB of arrays for R 200 over a
  // 15,000-packet trace, whose process peaked at 680 MB): the message said the words' worth.
  if (2 * slots > limits.maxWords)
    return new ExactUnavailable(`it needs more than ${megabytes(2 * limits.maxWords)} of memory (four arrays of ${thousands(slots)} numbers, 8 bytes each)`);
  // Every round looks at its used slots whatever their mass, so their count is work the loop
  // below will surely do: a cell past the limit by that alone is refused before any of it is
  // done, not after spending a run's budget on it. (Not over a replayed trace: a refusal before
  // the start sends that cell start by start, index.ts.)
  if (!model.replay) {
    let surely = 0;
    for (let round = 1; round <= R; round++) surely += Math.min(slots, (round + 1) * 6 * C);
    if (Math.floor(surely / 32) > limits.maxWork) return tooMuchWork(limits, `${counted(R, 'round')}: at least ${thousands(Math.floor(surely / 32))}`);
  }
  return null;
}

/**
 * The randomized protocol, exactly, for any channel, using the structure of its levels: a
 * general's own level is always 1 + its record of the other's, so between rounds a trial is
 * (A's level, B's level, whether B knows the key, the channel state), and the levels of the two
 * generals never differ by more than one (Lynch, Distributed Algorithms, lemma 5.3), so round r
 * has O(r) such states and the whole computation O(R²) — R = 1,000 in a fraction of a second.
 * Both generals send every round, so every trial dispatches 2R messages and uses R rounds; the
 * key, uniform on 1..R, is summed out at the end: A attacks iff key ≤ its level, B iff it knows
 * the key and key ≤ its level.
 */
export function* randomizedLevels(model: CellModel, R: number, limits: ExactLimits): ExactSteps {
  const { channel, channelConfig, transmissions } = model;
  const all = channelStates(model);
  const C = roundStartStates(model, all);
  // Slot of (A's level a, B's level a + d − 1 for d in 0..2, B knows the key, channel state).
  const slots = (R + 2) * 3 * 2 * C;
  const refused = levelsRefusal(model, R, limits);
  if (refused) throw refused;
  const slot = (a: number, b: number, knows: number, ch: number): number => {
    const d = b - a + 1;
    if (d < 0 || d > 2) throw new Error(`randomized: levels ${a} and ${b} differ by more than one`);
    return ((a * 3 + d) * 2 + knows) * C + ch;
  };
  // Every mass in double-double (a high and a low array): the tables' figures to about 106 bits
  // (FinerTransmission), products and sums of them over R rounds rounded there, not at each of
  // the 2R factors of a path (both …494 for …478 at loss 0.999, k 3, R 128 in doubles).
  let mass = new Float64Array(slots);
  let massLow = new Float64Array(slots);
  let nextMass = new Float64Array(slots);
  let nextMassLow = new Float64Array(slots);
  // Equally likely starts (a trace's positions) weigh 1 each and are averaged by one division at
  // the end, so that their masses stay whole numbers and add up exactly (as in the generic engine).
  const starts = model.initialStates;
  const scale = starts.length > 1 && starts.every((s) => s.probability === starts[0]!.probability) ? starts.length : 1;
  for (const { probability, state } of starts) mass[slot(0, 0, 0, state)]! += scale === 1 ? probability : 1;
  const copies = new ChannelCopies(starts, scale, C);
  let expanded = 0;
  let touched = 0; // slots looked at and transitions followed: 32 of them make a unit of work
  let reported = 0;
  // Weights m·p that fall below the least normal double from two factors above 0 (a long run of
  // losses): each may lose up to it, so an outcome that small is not printed (figures.ts, underflowOf).
  let underflows = 0;
  for (let round = 1; round <= R; round++) {
    const filled = Math.min(slots, (round + 2) * 6 * C);
    nextMass.fill(0, 0, filled);
    nextMassLow.fill(0, 0, filled);
    const toB = Array.from({ length: C }, (_, ch) => transmissions[channel.transmissionFor(channelConfig, ch, 0, round)]!);
    const toA = Array.from({ length: all }, (_, ch) => transmissions[channel.transmissionFor(channelConfig, ch, 1, round)]!);
    copies.round(toB, toA);
    const used = Math.min(slots, (round + 1) * 6 * C); // levels are at most round − 1 before this round
    touched += used;
    for (let s = 0; s < used; s++) {
      const m = mass[s]!;
      if (m === 0) continue;
      const mLow = massLow[s]!;
      expanded++;
      const ch = s % C;
      const knows = Math.floor(s / C) % 2;
      const d = Math.floor(s / (2 * C)) % 3;
      const a = Math.floor(s / (6 * C));
      const b = a + d - 1;
      const t1 = toB[ch]!;
      for (let i = 0; i < t1.probabilities.length; i++) {
        const p1 = t1.probabilities[i]!;
        const p1Low = t1.probabilitiesLow[i]!;
        const bHears = t1.received[i]!;
        const t2 = toA[t1.nextState[i]!]!;
        // own level = 1 + record of the other's; on receipt the record rises to the other's level
        const bNext = 1 + (bHears ? Math.max(b - 1, a) : b - 1);
        const kNext = knows | bHears;
        const mp1 = productHigh(m, mLow, p1, p1Low);
        const mp1Low = lowPart.product;
        for (let j = 0; j < t2.probabilities.length; j++) {
          const q = t2.probabilities[j]!;
          const qLow = t2.probabilitiesLow[j]!;
          const weight = productHigh(mp1, mp1Low, q, qLow);
          const weightLow = lowPart.product;
          if (weight < LEAST_NORMAL && p1 > 0 && q > 0) underflows++;
          const aNext = 1 + (t2.received[j] ? Math.max(a - 1, b) : a - 1);
          const end = t2.nextState[j]!;
          if (end >= C) throw new Error(`randomized: channel state ${end} ends round ${round}, not one a round starts in`);
          const to = slot(aNext, bNext, kNext, end);
          nextMass[to] = sumHigh(nextMass[to]!, nextMassLow[to]!, weight, weightLow);
          nextMassLow[to] = lowPart.sum;
        }
        touched += t2.probabilities.length;
      }
      const work = Math.floor(touched / 32);
      if (work - reported >= WORK_SLICE) {
        if (work > limits.maxWork) throw tooMuchWork(limits, `round ${round} of ${R}`);
        yield work - reported;
        reported = work;
      }
    }
    [mass, nextMass] = [nextMass, mass];
    [massLow, nextMassLow] = [nextMassLow, massLow];
    if (Math.floor(touched / 32) > limits.maxWork) throw tooMuchWork(limits, `round ${round} of ${R}`);
    limits.progress?.(expanded);
  }
  if (Math.floor(touched / 32) > reported) yield Math.floor(touched / 32) - reported;
  // Each slot's mass times its keys, whole numbers up to R: both parts' products split exactly
  // (twoProduct) and summed compensated, so that the 1/R of each key's weight is divided once, at the end.
  const outcomes = [0, 1, 2, 3].map(() => new NeumaierSum()); // both, neither, onlyA, onlyB
  const addTimes = (total: NeumaierSum, high: number, low: number, keys: number): void => {
    if (keys === 0) return;
    for (const part of [high, low]) {
      const exact = twoProduct(part, keys);
      total.add(exact.hi);
      total.add(exact.lo);
    }
  };
  for (let s = 0; s < slots; s++) {
    const m = mass[s]!;
    if (m === 0) continue;
    const mLow = massLow[s]!;
    const knows = Math.floor(s / C) % 2;
    const a = Math.floor(s / (6 * C));
    const b = a + (Math.floor(s / (2 * C)) % 3) - 1;
    const keysA = Math.min(Math.max(a, 0), R);
    const keysB = knows ? Math.min(Math.max(b, 0), R) : 0;
    addTimes(outcomes[0]!, m, mLow, Math.min(keysA, keysB));
    addTimes(outcomes[1]!, m, mLow, R - Math.max(keysA, keysB));
    addTimes(outcomes[2]!, m, mLow, Math.max(0, keysA - keysB));
    addTimes(outcomes[3]!, m, mLow, Math.max(0, keysB - keysA));
  }
  // Each outcome sums R keys' shares; every figure is relative to the paths' whole mass as summed
  // (a Gilbert–Elliott channel's rounded start and transitions; a short trace's starts weigh 1
  // apiece), rounded once from the exact sums (figures.ts). Copies delivered are per path, not per key: R times.
  const keys = BigInt(R);
  const messages = new Array<bigint>(2 * R + 1).fill(0n);
  messages[2 * R] = 1n; // every trial: both generals, every round
  const rounded = roundedOnce(
    { outcomes: outcomes.map((o) => o.units()), messages, delivered: copies.delivered.units() * keys, rounds: 0n },
    model.outcomes,
    model.copies,
  );
  // A branch the channel's tables lost to underflow (a loss^k of 1e-400 held as 0) may have lost up to the least normal double each time it was weighed.
  if (model.tablesUnderflow) underflows += Math.max(1, expanded);
  const underflow = underflowOf(rounded.outcomes, model.outcomes.names, underflows, 2 * R);
  return {
    outcomes: rounded.outcomes,
    messages: rounded.messages,
    messagesMean: rounded.messagesMean,
    messagesSecondMoment: rounded.messagesSecondMoment,
    deliveredMean: Number.isNaN(copies.sure) ? rounded.deliveredMean : copies.sure,
    roundsMean: R,
    figures: rounded.figures,
    ...(underflow ? { underflow } : {}),
    statesExpanded: expanded,
    method: 'levels',
  };
}

/**
 * The copies delivered, from the channel alone: both generals send every round whatever their
 * levels, so the channel's state runs on by itself, and the copies a round delivers are its
 * states' masses times each message's copies delivered times its probability (double-double, as
 * the levels' masses), summed over the rounds: C states a round, not every slot.
 */
class ChannelCopies {
  private mass: Float64Array;
  private massLow: Float64Array;
  private nextMass: Float64Array;
  private nextMassLow: Float64Array;
  /** The copies delivered times the mass, over every round so far. */
  readonly delivered = new NeumaierSum();
  /** The copies every trial delivers (both messages of every round), NaN where trials differ: that is the mean, exactly, where the masses give it only to a few ulps (a chain that never loses). */
  sure = 0;

  constructor(starts: readonly InitialState[], scale: number, C: number) {
    this.mass = new Float64Array(C);
    this.massLow = new Float64Array(C);
    this.nextMass = new Float64Array(C);
    this.nextMassLow = new Float64Array(C);
    for (const { probability, state } of starts) this.mass[state]! += scale === 1 ? probability : 1;
  }

  /** One round: A's message from each state through toB, then B's through toA from where it left the channel. */
  round(toB: readonly PreparedTransmission[], toA: readonly PreparedTransmission[]): void {
    const { mass, massLow, nextMass, nextMassLow } = this;
    nextMass.fill(0);
    nextMassLow.fill(0);
    let roundSure = -1; // the copies every way through this round delivers (-1: none yet)
    for (let ch = 0; ch < mass.length; ch++) {
      const m = mass[ch]!;
      if (m === 0) continue;
      const mLow = massLow[ch]!;
      const t1 = toB[ch]!;
      for (let i = 0; i < t1.probabilities.length; i++) {
        const mp1 = productHigh(m, mLow, t1.probabilities[i]!, t1.probabilitiesLow[i]!);
        const mp1Low = lowPart.product;
        // A's copies: m times the copies times their probability
        const own1 = productHigh(m, mLow, t1.deliveredMass[i]!, t1.deliveredMassLow[i]!);
        const own1Low = lowPart.product;
        const t2 = toA[t1.nextState[i]!]!;
        for (let j = 0; j < t2.probabilities.length; j++) {
          const q = t2.probabilities[j]!;
          const qLow = t2.probabilitiesLow[j]!;
          const end = t2.nextState[j]!;
          nextMass[end] = sumHigh(nextMass[end]!, nextMassLow[end]!, productHigh(mp1, mp1Low, q, qLow), lowPart.product);
          nextMassLow[end] = lowPart.sum;
          // A's copies on the ways B's message goes (times q), and B's (m·p1 times its copies times their probability)
          const first = productHigh(own1, own1Low, q, qLow);
          const firstLow = lowPart.product;
          const second = productHigh(mp1, mp1Low, t2.deliveredMass[j]!, t2.deliveredMassLow[j]!);
          this.delivered.add(first);
          this.delivered.add(firstLow);
          this.delivered.add(second);
          this.delivered.add(lowPart.product);
          const copies = t1.delivered[i]! + t2.delivered[j]!;
          if (copies !== roundSure) roundSure = roundSure === -1 ? copies : Number.NaN;
        }
      }
    }
    this.sure += roundSure === -1 ? Number.NaN : roundSure;
    [this.mass, this.nextMass] = [nextMass, mass];
    [this.massLow, this.nextMassLow] = [nextMassLow, massLow];
  }
}
