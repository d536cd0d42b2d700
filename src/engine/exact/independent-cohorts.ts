import type { CellModel } from '../model.js';
import { ONE_IN_UNITS, roundedRatio, unitsOf } from '../../stats/exact-rounding.js';
import { DD_ONE, DD_ZERO, DoubleDoubleSum, dd, ddAdd, ddMultiply, ddPower, ddSubtract, ddTimes } from '../../stats/double-double.js';
import type { DoubleDouble } from '../../stats/double-double.js';
import { ddOfComplement, ddOfDecimal } from '../../stats/decimal-ratio.js';
import { LEAST_NORMAL, messengersFromMoments, underflowOf } from './figures.js';
import { WORK_SLICE, tooMuchWork } from './result.js';
import type { ExactLimits, ExactSteps, LikeliestPath } from './result.js';

/**
 * Two-phase commit, exactly, for any number of cohorts, where the channel is dispatch-order free
 * (Bernoulli, per-direction Bernoulli, the cut). There every cohort's exchange with the
 * coordinator is an independent copy of one small chain, and the cohorts interact only through
 * when each phase ends:
 *
 * - Phase 1 ends after round T1, the first round after which some NO vote is held or every YES
 *   vote is held, or round R. Both are events on all cohorts at one time ("no cohort's NO is
 *   held", "every cohort's YES is held"), so P(T1 = t) and every expectation on {T1 = t} is a sum
 *   of ± products over the cohorts: n-th powers of one cohort's quantities. The decision is
 *   COMMIT iff every YES vote is held at T1.
 * - Phase 2, from round T1 + 1: a cohort not yet acknowledged is sent the decision each round.
 *   The phase runs on only while some cohort is unacknowledged, so a cohort's messages are the
 *   same whether or not the others stop the phase, and a cohort that voted YES is blocked exactly
 *   when it hears nothing in the phase's R rounds.
 *
 * Messages enter through their first two moments (a cohort's cumulative count carried with each
 * of its states), so the result has no message distribution: the cost's z-score then uses the
 * normal approximation. The work is counted as O(R²) whatever the number of cohorts (a unit per
 * two rounds of phase 2 from each round of phase 1; phase 2 is computed once for each pattern of
 * the channel over its R rounds, once in all on Bernoulli). Every mass, moment and sum is carried
 * in double-double (stats/double-double.ts, about 32 digits) and rounded once where it is
 * printed: in doubles, a cohort's masses carried over R rounds and raised to the n-th power
 * drifted by about n·R units in the last place (64 cohorts, R 200, loss 0.9, 3 copies: committed
 * 7.4e-14 above the truth, 4.9e-9 of its complement; the messengers' sd 6e-10 of itself), more
 * than a verdict on it allows. Powers are binary powering (ddPower), never `**`, so the bytes are
 * the same on every Node.
 */
export function* independentCohorts(model: CellModel, n: number, R: number, abortRate: number, limits: ExactLimits): ExactSteps {
  // The work is known before any of it is done (⌈R/2⌉ units a round of phase 1, the limit looked
  // at every `every` rounds): a cell the loop below would give up on is refused here, at the same
  // round and in the same words, without spending the run's budget on it first.
  const unit = Math.ceil(R / 2);
  const every = Math.ceil(WORK_SLICE / unit);
  const firstOver = (Math.floor(limits.maxWork / (every * unit)) + 1) * every;
  if (firstOver <= R) throw tooMuchWork(limits, `round ${firstOver} of ${R} of phase 1`);
  const link = linkOf(model);
  const phase2 = phaseTwoTables(link, n, R);
  // The variance from the moments of messages less the loss-free cost (2 a cohort in each phase):
  // E[M²] − E[M]² cancels all but a few digits where a loss is rare (0.3% at loss 1e-7, 2 copies).
  const phase2Shifted = phaseTwoTables(link, n, R, -SHIFT);
  const m1Shifted = new DoubleDoubleSum();
  const m2Shifted = new DoubleDoubleSum();
  let beforeShifted = initialCohort(-SHIFT);
  // Where a message is more likely lost than not, the trial that loses every message (2nR
  // messages: PREPARE and the decision to each cohort in each of R rounds) takes most of the mass,
  // and moments about any fixed cost keep only a few digits of a variance of the order of
  // 1 − loss: there the messages are counted less one a round of each phase for each cohort (that
  // trial counts 0), and P(T1 = t) before round R is a sum of positive terms, not a difference of
  // n-th powers near 1.
  const excess = link.lost(0, 1).hi > 0.5 ? phaseTwoExcess(link, R) : undefined;
  const m1Excess = new DoubleDoubleSum();
  const m2Excess = new DoubleDoubleSum();
  let beforeExcess = initialCohort();
  const voteNo = Math.min(1, Math.max(0, abortRate));
  // The vote from abortRate's decimal (0.05 is 1/20, not its double), YES its complement's, in
  // double-double (1 − 0.05 as a double is 0.95, 2.8e-18 short of it; 1 − NO's double-double
  // near 1 would keep only its absolute 2^-106).
  const vote = { no: ddOfDecimal(voteNo), yes: ddOfComplement(voteNo) };
  const nn = dd(n);
  const pairs = dd(n * (n - 1));

  const committed = new DoubleDoubleSum();
  const aborted = new DoubleDoubleSum();
  const blocked = new DoubleDoubleSum();
  const m1 = new DoubleDoubleSum();
  const m2 = new DoubleDoubleSum();
  const delivered = new DoubleDoubleSum();
  const rounds = new DoubleDoubleSum();
  let work = 0;
  let reported = 0;

  // E[S₁ + S₂] and E[(S₁ + S₂)²] on {T1 = t}, S₁ phase 1's messages (moments e1, e2, mass p), S₂
  // phase 2's: n cohorts' independent counts of mean `mean` and second moment `second` each.
  const firstMoment = (e1: DoubleDouble, p: DoubleDouble, two: { mean: DoubleDouble }): DoubleDouble => ddAdd(e1, ddMultiply(ddMultiply(p, nn), two.mean));
  const secondMoment = (e1: DoubleDouble, e2: DoubleDouble, p: DoubleDouble, two: { mean: DoubleDouble; second: DoubleDouble }): DoubleDouble =>
    ddAdd(
      ddAdd(e2, ddTimes(ddMultiply(ddMultiply(e1, nn), two.mean), 2)),
      ddMultiply(p, ddAdd(ddMultiply(nn, two.second), ddMultiply(pairs, ddMultiply(two.mean, two.mean)))),
    );

  let before = initialCohort();
  for (let t = 1; t <= R; t++) {
    const { after, fromNotNo, fromYesHeld, entered } = phaseOneRound(before, link, t, vote);
    const notNoNow = sumStates(after, NOT_NO_HELD);
    const yesHeldNow = sumStates(after, [YES_HELD]);
    const { p, e1, e2, d } = phaseOneEnd(n, t < R, fromNotNo, fromYesHeld, notNoNow, yesHeldNow);
    const shifted = phaseOneRound(beforeShifted, link, t, vote);
    const s = phaseOneEnd(n, t < R, shifted.fromNotNo, shifted.fromYesHeld, sumStates(shifted.after, NOT_NO_HELD), sumStates(shifted.after, [YES_HELD]));
    // Each outcome as a sum of positive terms over the branch masses that separate its events,
    // never a difference of n-th powers near 1.
    const never = phase2.neverHears(t + 1);
    const hears = phase2.hears(t + 1);
    const { commit, abortSafe, blockedAbort } = phaseOneOutcomes(n, t < R, after, fromYesHeld.p, entered, never, hears);
    const two = phase2Shifted.from(t + 1);
    m1Shifted.add(firstMoment(s.e1, p, two));
    m2Shifted.add(secondMoment(s.e1, s.e2, p, two));
    beforeShifted = shifted.after;
    if (excess) {
      const x = phaseOneRound(beforeExcess, link, t, vote, -1);
      const notNo = sumStates(x.after, NOT_NO_HELD);
      const yesHeld = sumStates(x.after, [YES_HELD]);
      const xs = phaseOneEnd(n, t < R, x.fromNotNo, x.fromYesHeld, notNo, yesHeld);
      // A^n − B^n + D^n − C^n, A − B the mass that came into NO held in round t, D − C into YES held.
      const pt =
        t < R
          ? ddAdd(ddMultiply(x.entered.no, geometricSum(x.fromNotNo.p, notNo.p, n)), ddMultiply(x.entered.yes, geometricSum(yesHeld.p, x.fromYesHeld.p, n)))
          : xs.p;
      const left = -n * (R - t); // the rounds of phase 1 not run, less one message a cohort each
      const e1x = ddAdd(xs.e1, ddTimes(pt, left));
      const e2x = ddAdd(ddAdd(xs.e2, ddTimes(xs.e1, 2 * left)), ddTimes(pt, left * left));
      const twoX = excess.from(t + 1);
      m1Excess.add(firstMoment(e1x, pt, twoX));
      m2Excess.add(secondMoment(e1x, e2x, pt, twoX));
      beforeExcess = x.after;
    }
    committed.add(ddMultiply(commit, ddPower(hears, n)));
    blocked.add(ddAdd(ddMultiply(ddMultiply(commit, never), geometricSum(DD_ONE, hears, n)), blockedAbort)); // 1 − hears^n = never · Σ hears^j
    aborted.add(abortSafe);

    const { mean: mu, second: nu, delivered: delta, roundsMean: t2 } = phase2.from(t + 1);
    m1.add(firstMoment(e1, p, { mean: mu }));
    m2.add(secondMoment(e1, e2, p, { mean: mu, second: nu }));
    delivered.add(ddAdd(d, ddMultiply(ddMultiply(p, nn), delta)));
    rounds.add(ddMultiply(p, ddAdd(dd(t), t2)));
    before = after;
    work += Math.ceil(R / 2); // two rounds of phase 2 a unit, which keeps a unit near a microsecond (result.ts)
    if (work - reported >= WORK_SLICE) {
      if (work > limits.maxWork) throw tooMuchWork(limits, `round ${t} of ${R} of phase 1`);
      yield work - reported;
      reported = work;
    }
  }
  if (work > reported) yield work - reported;
  // The variance in double-double, its sd rounded once from it (a variance rounded to a double
  // first, then its root, put the sd an ulp off: 0.044698993277254025 for 0.04469899327725402).
  const varianceOf = (first: DoubleDoubleSum, second: DoubleDoubleSum): bigint => {
    const units = unitsOfDD(ddSubtract(second.value(), ddMultiply(first.value(), first.value())));
    return units > 0n ? units : 0n;
  };
  const varianceUnits = excess ? varianceOf(m1Excess, m2Excess) : varianceOf(m1Shifted, m2Shifted);
  const variance = roundedRatio(varianceUnits, ONE_IN_UNITS);
  // Each sum rounded once (figures.ts); messengers are the messages' mean and sd times the copies.
  const sums = [committed, aborted, blocked, new DoubleDoubleSum()]; // inconsistent: never
  const outcomes = sums.map((sum) => rounded(sum.value()));
  const share = (indices: readonly number[]): number =>
    roundedRatio(
      indices.reduce((total, i) => total + unitsOfDD(sums[i]!.value()), 0n),
      ONE_IN_UNITS,
    );
  // A path's probability below the least normal double loses what it weighs (0.999 loss: all 64
  // cohorts' PREPARE and votes through is near 1e-345, held as 0): where the cell has such paths,
  // an outcome within what they could have lost is not printed (underflowOf). Each unit of work
  // stands for at most 2^72 such losses of one least normal double each: a round's terms (n of
  // them in someOfBoth), each scaled by a binomial coefficient below 2^61 (n ≤ 64).
  const underflows = mayUnderflow(model, n, R, voteNo) ? 2 ** 72 * Math.max(1, work) : 0;
  // inconsistent is 0 by the protocol's structure, not by a sum that could have underflowed.
  // A path dispatches at most 4nR messages: PREPARE and a vote, the decision and an ACK, per cohort and round.
  const underflow = underflowOf(outcomes.slice(0, 3), model.outcomes.names.slice(0, 3), underflows, 4 * n * R);
  return {
    ...(underflow ? { underflow } : {}),
    outcomes,
    messages: null,
    messagesMean: rounded(m1.value()),
    messagesSecondMoment: rounded(m2.value()),
    messagesVariance: variance,
    likeliestPath: likeliestPath(model, n, R),
    figures: {
      success: share(model.outcomes.success),
      disagreement: share(model.outcomes.disagreement),
      ...messengersFromMoments(unitsOfDD(m1.value()), varianceUnits, model.copies),
    },
    deliveredMean: rounded(delivered.value()),
    roundsMean: rounded(rounds.value()),
    statesExpanded: R * STATES,
    method: 'independent cohorts',
  };
}

/** A double-double as a count of 2^-1074 units, exactly (its two parts'). */
function unitsOfDD(x: DoubleDouble): bigint {
  return unitsOf(x.hi) + unitsOf(x.lo);
}

/** A double-double rounded once to the nearest double. */
function rounded(x: DoubleDouble): number {
  return roundedRatio(unitsOfDD(x), ONE_IN_UNITS);
}

/**
 * Whether some path of the cell may weigh less than the least normal double: a path's
 * probability is a product of at most n(4R + 1) factors (a cohort's vote, then its PREPARE and
 * vote, decision and ACK sent in each round of both phases), each at least the least
 * probability above 0 the channel's tables or the vote give.
 */
function mayUnderflow(model: CellModel, n: number, R: number, voteNo: number): boolean {
  if (model.tablesUnderflow) return true;
  let least = 1;
  for (const t of model.transmissions) for (const p of t.probabilities) if (p > 0 && p < least) least = p;
  if (voteNo > 0 && voteNo < 1) least = Math.min(least, voteNo, 1 - voteNo);
  return n * (4 * R + 1) * Math.log(least) < Math.log(LEAST_NORMAL);
}

/**
 * The likelier of the two loss patterns one of which takes nearly all the mass where a loss is
 * rare or nearly certain: no message lost (PREPARE, vote, decision and ACK each through the first
 * time: 4 messages a cohort), or every message lost (PREPARE and the decision to every cohort in
 * each of R rounds: 2R a cohort). Where both cost the same (R = 2), the two together. In
 * double-double, with the chance of leaving it (stats/summary.ts, costZ: the z of the trials that did).
 */
function likeliestPath(model: CellModel, n: number, R: number): LikeliestPath {
  const link = linkOf(model);
  const noneLost = ddPower(
    [link.received(0, 1), link.received(1, 1), link.received(0, 2), link.received(1, 2)].reduce((p, q) => ddMultiply(p, q), DD_ONE),
    n,
  );
  let lostOne = DD_ONE;
  for (let r = 1; r <= 2 * R; r++) lostOne = ddMultiply(lostOne, link.lost(0, r));
  const allLost = ddPower(lostOne, n);
  const pattern = (messages: number, probability: DoubleDouble): LikeliestPath => ({
    messages,
    probability: probability.hi + probability.lo,
    // The chance of leaving the pattern, from the double-double: 1 − p in doubles kept a few digits where p is near 1.
    leaving: Math.max(0, ddSubtract(DD_ONE, probability).hi),
  });
  if (R === 2) return pattern(4 * n, ddAdd(noneLost, allLost));
  return noneLost.hi >= allLost.hi ? pattern(4 * n, noneLost) : pattern(2 * n * R, allLost);
}

/** Each cohort's messages in a phase without a loss (PREPARE and vote; decision and ACK): the shift of the moments behind the variance. */
const SHIFT = 2;

/**
 * P(T1 = t) and, on {T1 = t}, the moments of all cohorts' phase-1 messages and their delivered
 * copies: {T1 = t} = {no NO held at t−1} − {all YES held at t−1} − {no NO held at t} + {all YES
 * held at t} (the last two only for t < R), each an n-th power of one cohort's totals.
 */
function phaseOneEnd(n: number, early: boolean, fromNotNo: Totals, fromYesHeld: Totals, notNoNow: Totals, yesHeldNow: Totals) {
  const terms: [number, Totals][] = [
    [1, fromNotNo],
    [-1, fromYesHeld],
  ];
  if (early) terms.push([-1, notNoNow], [1, yesHeldNow]);
  let p = DD_ZERO;
  let e1 = DD_ZERO;
  let e2 = DD_ZERO;
  let d = DD_ZERO;
  for (const [sign, g] of terms) {
    const power1 = n >= 1 ? ddPower(g.p, n - 1) : DD_ZERO;
    const power2 = n >= 2 ? ddPower(g.p, n - 2) : DD_ZERO;
    const power0 = ddMultiply(power1, g.p);
    p = ddAdd(p, ddTimes(power0, sign));
    e1 = ddAdd(e1, ddTimes(ddMultiply(g.e1, power1), sign * n));
    e2 = ddAdd(e2, ddAdd(ddTimes(ddMultiply(g.e2, power1), sign * n), ddTimes(ddMultiply(ddMultiply(g.e1, g.e1), power2), sign * n * (n - 1))));
    d = ddAdd(d, ddTimes(ddMultiply(g.d, power1), sign * n));
  }
  return { p, e1, e2, d };
}

/**
 * On {T1 = t}: P(COMMIT decided), P(ABORT decided and every cohort that voted YES hears it), and
 * P(ABORT decided and one that voted YES never hears it), from one cohort's masses after round t
 * (yesHeldBefore: YES held at t−1; entered: the masses that came into YES held and NO held in
 * round t; never: P(a cohort hears nothing in phase 2)). Each is a sum of positive terms: a
 * difference of n-th powers is written as (a − b) · Σ a^j b^(n−1−j), a − b being the masses of
 * the branches in one event and not the other.
 */
function phaseOneOutcomes(n: number, early: boolean, after: Cohort, yesHeldBefore: DoubleDouble, entered: Entered, never: DoubleDouble, hears: DoubleDouble) {
  const yesHeld = after.p[YES_HELD]!;
  const yesLost = after.p[YES_LOST]!;
  const neither = ddAdd(after.p[IDLE]!, after.p[NO_LOST]!); // voted nothing, or NO without the coordinator holding it
  // all YES held at t and not at t−1: Y_t^n − Y_(t−1)^n
  const commit = ddMultiply(entered.yes, geometricSum(yesHeld, yesHeldBefore, n));
  const yes = ddAdd(yesLost, yesHeld);
  if (early) {
    // ABORT: every cohort not NO-held at t−1 and some NO held at t (mass entered.no). A cohort's
    // other masses: voted YES and hears (safe), voted YES and never hears, neither.
    const safe = ddAdd(neither, ddMultiply(hears, yes));
    const unheard = ddMultiply(never, yes);
    return {
      commit,
      abortSafe: ddMultiply(entered.no, geometricSum(ddAdd(safe, entered.no), safe, n)),
      blockedAbort: someOfBoth(n, safe, entered.no, unheard),
    };
  }
  // t = R, ABORT: every cohort not NO-held at R−1 and not every YES held at R. A cohort's masses:
  // YES held and hears (a), YES held and never hears (b), YES not held and never hears (c), the
  // rest (r: YES not held and hears, neither, NO held in round R). Safe: all in a or r, not all
  // in a. Blocked: some c; or none, some b and some r.
  const a = ddMultiply(hears, yesHeld);
  const b = ddMultiply(never, yesHeld);
  const c = ddMultiply(never, yesLost);
  const r = ddAdd(ddAdd(ddMultiply(hears, yesLost), neither), entered.no);
  const abr = ddAdd(ddAdd(a, b), r);
  const blockedAbort = ddAdd(ddMultiply(c, geometricSum(ddAdd(abr, c), abr, n)), someOfBoth(n, a, r, b));
  return { commit, abortSafe: ddMultiply(r, geometricSum(ddAdd(a, r), a, n)), blockedAbort };
}

/** Σ_{j<m} a^j b^(m−1−j) = (a^m − b^m)/(a − b), by halving m: positive terms only. */
function geometricSum(a: DoubleDouble, b: DoubleDouble, m: number): DoubleDouble {
  if (m <= 0) return DD_ZERO;
  let s = DD_ONE; // for k = 1
  let ak = a;
  let bk = b;
  for (let bit = 31 - Math.clz32(m) - 1; bit >= 0; bit--) {
    s = ddMultiply(s, ddAdd(ak, bk)); // k → 2k
    ak = ddMultiply(ak, ak);
    bk = ddMultiply(bk, bk);
    if ((m >> bit) & 1) {
      s = ddAdd(ddMultiply(a, s), bk); // k → k + 1
      ak = ddMultiply(ak, a);
      bk = ddMultiply(bk, b);
    }
  }
  return s;
}

const binomialRows = new Map<number, DoubleDouble[]>();

/** C(n, m) for m = 0 … n, each exactly as a double-double (C(64, 32) is past 2^53). */
function binomials(n: number): DoubleDouble[] {
  let row = binomialRows.get(n);
  if (row) return row;
  row = [];
  binomialRows.set(n, row);
  let c = 1n;
  for (let m = 0; m <= n; m++) {
    const hi = Number(c);
    row.push({ hi, lo: Number(c - BigInt(hi)) });
    c = (c * BigInt(n - m)) / BigInt(m + 1);
  }
  return row;
}

/**
 * P(some of n cohorts is in x and some in u) where each is in x, u or the rest (mass base):
 * (base + x + u)^n − (base + u)^n − (base + x)^n + base^n = Σ_{m=1}^{n−1} C(n, m) x^(n−m) u Σ_{j<m} (base + u)^j base^(m−1−j).
 */
function someOfBoth(n: number, base: DoubleDouble, x: DoubleDouble, u: DoubleDouble): DoubleDouble {
  if (x.hi === 0 || u.hi === 0) return DD_ZERO;
  const choose = binomials(n);
  const baseU = ddAdd(base, u);
  const powers = [DD_ONE]; // x^j
  for (let j = 1; j < n; j++) powers.push(ddMultiply(powers[j - 1]!, x));
  let total = DD_ZERO;
  let inner = DD_ONE; // Σ_{j<m} (base + u)^j base^(m−1−j), m = 1
  let basePower = DD_ONE; // base^(m−1)
  for (let m = 1; m < n; m++) {
    total = ddAdd(total, ddMultiply(ddMultiply(choose[m]!, powers[n - m]!), ddMultiply(u, inner)));
    basePower = ddMultiply(basePower, base);
    inner = ddAdd(ddMultiply(baseU, inner), basePower);
  }
  return total;
}

/** What a send does in each direction and round: P(received), P(lost) and E[copies delivered; received or not]. */
interface Link {
  received(direction: number, round: number): DoubleDouble;
  /** The lost branches' own mass (p^k), not 1 − P(received), which keeps only the digits of p^k above the sum's last. */
  lost(direction: number, round: number): DoubleDouble;
  /** E[copies delivered · 1{received = r}] for r = 0, 1. */
  deliveredIf(direction: number, round: number, received: number): DoubleDouble;
  /** The channel's transmission in both directions in a round: rounds with the same send the same. */
  key(round: number): number;
}

/**
 * A round's figures on the link: each direction's message received (q) and lost (l), and the
 * copies delivered with it lost or received (A: the coordinator's, B: the cohort's).
 */
function roundOf(link: Link, round: number) {
  return {
    qa: link.received(0, round),
    qb: link.received(1, round),
    la: link.lost(0, round),
    lb: link.lost(1, round),
    lostA: link.deliveredIf(0, round, 0),
    gotA: link.deliveredIf(0, round, 1),
    lostB: link.deliveredIf(1, round, 0),
    gotB: link.deliveredIf(1, round, 1),
  };
}

function linkOf(model: CellModel): Link {
  const state = model.initialStates[0]!.state;
  const indexOf = (direction: number, round: number) => model.channel.transmissionFor(model.channelConfig, state, direction as 0 | 1, round);
  // Each transmission's sums once, in double-double: products of the tables' doubles, exact.
  const tables = model.transmissions.map((t) => {
    // Each probability to about 32 digits of the parameters' decimals (its low part from the
    // channel's finer tables, FinerTransmission), and each outcome's copies delivered times its
    // probability as the channel gives it: in doubles a cohort's mass lost up to an ulp of each
    // every round, n·R times over in the result (7.4e-14 of committed at 64 cohorts, R 200, loss 0.9).
    const sum = (f: (p: DoubleDouble, received: number, deliveredMass: DoubleDouble) => DoubleDouble): DoubleDouble => {
      let s = DD_ZERO;
      for (let i = 0; i < t.probabilities.length; i++) {
        const p = { hi: t.probabilities[i]!, lo: t.probabilitiesLow[i]! };
        s = ddAdd(s, f(p, t.received[i]!, { hi: t.deliveredMass[i]!, lo: t.deliveredMassLow[i]! }));
      }
      return s;
    };
    return {
      received: sum((p, r) => (r === 1 ? p : DD_ZERO)),
      lost: sum((p, r) => (r === 0 ? p : DD_ZERO)),
      deliveredIf: [sum((_p, r, d) => (r === 0 ? d : DD_ZERO)), sum((_p, r, d) => (r === 1 ? d : DD_ZERO))],
    };
  });
  const count = model.transmissions.length;
  return {
    received: (direction, round) => tables[indexOf(direction, round)]!.received,
    lost: (direction, round) => tables[indexOf(direction, round)]!.lost,
    deliveredIf: (direction, round, received) => tables[indexOf(direction, round)]!.deliveredIf[received]!,
    key: (round) => indexOf(0, round) * count + indexOf(1, round),
  };
}

// One cohort's phase-1 states.
const IDLE = 0; // has not received PREPARE
const YES_LOST = 1; // voted YES; the coordinator does not hold the vote
const NO_LOST = 2;
const YES_HELD = 3;
const NO_HELD = 4;
const STATES = 5;
const NOT_NO_HELD = [IDLE, YES_LOST, NO_LOST, YES_HELD];

/**
 * A cohort's states with, for each, its probability p and, on that event, the first two moments
 * of its messages so far (e1 = E[S·1], e2 = E[S²·1]) and its copies delivered so far (d).
 */
interface Cohort {
  readonly p: DoubleDouble[];
  readonly e1: DoubleDouble[];
  readonly e2: DoubleDouble[];
  readonly d: DoubleDouble[];
}

/** Totals over a set of states. */
interface Totals {
  p: DoubleDouble;
  e1: DoubleDouble;
  e2: DoubleDouble;
  d: DoubleDouble;
}

/** A cohort's vote: NO with abortRate, YES with its complement. */
interface Vote {
  readonly no: DoubleDouble;
  readonly yes: DoubleDouble;
}

/** The masses that came into YES held and NO held in a round. */
interface Entered {
  yes: DoubleDouble;
  no: DoubleDouble;
}

const zeros = (): DoubleDouble[] => new Array<DoubleDouble>(STATES).fill(DD_ZERO);

function emptyCohort(): Cohort {
  return { p: zeros(), e1: zeros(), e2: zeros(), d: zeros() };
}

function emptyTotals(): Totals {
  return { p: DD_ZERO, e1: DD_ZERO, e2: DD_ZERO, d: DD_ZERO };
}

/** A cohort before round 1, its message count starting at `start` (0, or less the loss-free cost). */
function initialCohort(start = 0): Cohort {
  const c = emptyCohort();
  c.p[IDLE] = DD_ONE;
  c.e1[IDLE] = dd(start);
  c.e2[IDLE] = dd(start * start);
  return c;
}

function sumStates(c: Cohort, states: readonly number[]): Totals {
  const total = emptyTotals();
  for (const s of states) {
    total.p = ddAdd(total.p, c.p[s]!);
    total.e1 = ddAdd(total.e1, c.e1[s]!);
    total.e2 = ddAdd(total.e2, c.e2[s]!);
    total.d = ddAdd(total.d, c.d[s]!);
  }
  return total;
}

/** Moves the mass of `from` in `c` to `to` in `next` with probability `prob`, adding `messages` and delivered weight `deliveredWeight` (E[delivered · 1{branch}]). */
function move(c: Cohort, from: number, next: Cohort, to: number, prob: DoubleDouble, messages: number, deliveredWeight: DoubleDouble, totals?: Totals): void {
  if (prob.hi === 0) return;
  const p = c.p[from]!;
  const e1 = c.e1[from]!;
  const p2 = ddMultiply(prob, p);
  const moved1 = ddMultiply(prob, ddAdd(e1, ddTimes(p, messages)));
  const moved2 = ddMultiply(prob, ddAdd(ddAdd(c.e2[from]!, ddTimes(e1, 2 * messages)), ddTimes(p, messages * messages)));
  const movedD = ddAdd(ddMultiply(prob, c.d[from]!), ddMultiply(deliveredWeight, p));
  next.p[to] = ddAdd(next.p[to]!, p2);
  next.e1[to] = ddAdd(next.e1[to]!, moved1);
  next.e2[to] = ddAdd(next.e2[to]!, moved2);
  next.d[to] = ddAdd(next.d[to]!, movedD);
  if (totals) {
    totals.p = ddAdd(totals.p, p2);
    totals.e1 = ddAdd(totals.e1, moved1);
    totals.e2 = ddAdd(totals.e2, moved2);
    totals.d = ddAdd(totals.d, movedD);
  }
}

/**
 * Round t of phase 1 for one cohort, as if the phase never stopped. Also totals over the round's
 * result restricted to where the cohort was at the round's start: not NO-held, and YES-held;
 * and the masses that came into YES held and NO held in the round.
 */
function phaseOneRound(c: Cohort, link: Link, t: number, votes: Vote, offset = 0): { after: Cohort; fromNotNo: Totals; fromYesHeld: Totals; entered: Entered } {
  const next = emptyCohort();
  const fromNotNo = emptyTotals();
  const entered: Entered = { yes: DD_ZERO, no: DD_ZERO };
  const { qa, qb, la, lb, lostA, gotA, lostB, gotB } = roundOf(link, t);
  // PREPARE lost: 1 message; PREPARE received and the vote sent: 2, the vote held or lost.
  const notReceived = (s: number): void => move(c, s, next, s, la, 1 + offset, lostA, fromNotNo);
  const replied = (s: number, to: number, held: number, vote: DoubleDouble): void => {
    // delivered weight of this branch: PREPARE received (gotA) then the vote held or lost
    const branch = ddMultiply(ddMultiply(qa, vote), held ? qb : lb);
    const weight = ddMultiply(vote, ddAdd(ddMultiply(gotA, held ? qb : lb), ddMultiply(qa, held ? gotB : lostB)));
    move(c, s, next, to, branch, 2 + offset, weight, fromNotNo);
    if (to === YES_HELD) entered.yes = ddAdd(entered.yes, ddMultiply(branch, c.p[s]!));
    if (to === NO_HELD) entered.no = ddAdd(entered.no, ddMultiply(branch, c.p[s]!));
  };
  notReceived(IDLE);
  for (const [vote, lost, held] of [
    [votes.yes, YES_LOST, YES_HELD],
    [votes.no, NO_LOST, NO_HELD],
  ] as const) {
    if (vote.hi === 0) continue;
    replied(IDLE, held, 1, vote);
    replied(IDLE, lost, 0, vote);
  }
  for (const [lost, held] of [
    [YES_LOST, YES_HELD],
    [NO_LOST, NO_HELD],
  ] as const) {
    notReceived(lost);
    replied(lost, held, 1, DD_ONE);
    replied(lost, lost, 0, DD_ONE);
  }
  move(c, YES_HELD, next, YES_HELD, DD_ONE, offset, DD_ZERO, fromNotNo); // held votes send nothing
  // fromYesHeld: YES_HELD is absorbing and silent, so its totals are its own (less `offset` a round).
  const p = c.p[YES_HELD]!;
  const e1 = c.e1[YES_HELD]!;
  const fromYesHeld: Totals = {
    p,
    e1: ddAdd(e1, ddTimes(p, offset)),
    e2: ddAdd(ddAdd(c.e2[YES_HELD]!, ddTimes(e1, 2 * offset)), ddTimes(p, offset * offset)),
    d: c.d[YES_HELD]!,
  };
  move(c, NO_HELD, next, NO_HELD, DD_ONE, offset, DD_ZERO);
  return { after: next, fromNotNo, fromYesHeld, entered };
}

/**
 * The channel's sends over the R rounds of phase 2 from round s, as a key: rounds whose sends are
 * the same give the same tables (every s on Bernoulli; the cut's from where it falls in them).
 */
function windowKey(link: Link, s: number, R: number): string {
  const runs: number[] = [];
  let last = -1;
  for (let r = s; r < s + R; r++) {
    const key = link.key(r);
    if (key === last) runs[runs.length - 1]!++;
    else {
      runs.push(key, 1);
      last = key;
    }
  }
  return runs.join(',');
}

interface PhaseTwo {
  mean: DoubleDouble;
  second: DoubleDouble;
  delivered: DoubleDouble;
  roundsMean: DoubleDouble;
  never: DoubleDouble;
  hears: DoubleDouble;
}

/**
 * Phase 2 for one cohort, from each possible first round s (2 … R + 1): the chance that it hears
 * nothing in the phase's R rounds and that it hears, the moments of its messages, its copies
 * delivered, and the phase's mean length for n cohorts (it runs until every cohort acknowledged,
 * or R rounds). Computed once for each pattern of the channel's sends over the R rounds.
 */
function phaseTwoTables(link: Link, n: number, R: number, start = 0) {
  const byWindow = new Map<string, PhaseTwo>();
  const bySend = new Map<number, PhaseTwo>();
  const compute = (s: number): PhaseTwo => {
    // Pending (not acknowledged) mass with its message moments; acknowledged mass accumulates.
    let p = DD_ONE;
    let e1 = dd(start); // the message count starts at `start` (0, or less the loss-free cost)
    let e2 = dd(start * start);
    let d = DD_ZERO;
    let doneE1 = DD_ZERO;
    let doneE2 = DD_ZERO;
    let doneD = DD_ZERO;
    let acked = DD_ZERO;
    let never = DD_ONE;
    let hears = DD_ZERO;
    let roundsMean = DD_ONE; // round k = 0 always runs; then it runs on while someone is pending
    for (let r = s; r < s + R; r++) {
      const { qa, qb, la, lb, lostA, gotA, lostB, gotB } = roundOf(link, r);
      hears = ddAdd(hears, ddMultiply(never, qa)); // first heard in round r
      never = ddMultiply(never, la);
      // branches: decision lost (1 message), received and ack lost (2), received and acked (2)
      const branches: [DoubleDouble, number, DoubleDouble, boolean][] = [
        [la, 1, lostA, false],
        [ddMultiply(qa, lb), 2, ddAdd(ddMultiply(gotA, lb), ddMultiply(qa, lostB)), false],
        [ddMultiply(qa, qb), 2, ddAdd(ddMultiply(gotA, qb), ddMultiply(qa, gotB)), true],
      ];
      let np = DD_ZERO;
      let ne1 = DD_ZERO;
      let ne2 = DD_ZERO;
      let nd = DD_ZERO;
      for (const [prob, m, weight, ack] of branches) {
        if (prob.hi === 0) continue; // a branch the channel never takes (the cut's)
        const bp = ddMultiply(prob, p);
        const b1 = ddMultiply(prob, ddAdd(e1, ddTimes(p, m)));
        const b2 = ddMultiply(prob, ddAdd(ddAdd(e2, ddTimes(e1, 2 * m)), ddTimes(p, m * m)));
        const bd = ddAdd(ddMultiply(prob, d), ddMultiply(weight, p));
        if (ack) {
          acked = ddAdd(acked, bp);
          doneE1 = ddAdd(doneE1, b1);
          doneE2 = ddAdd(doneE2, b2);
          doneD = ddAdd(doneD, bd);
        } else {
          np = ddAdd(np, bp);
          ne1 = ddAdd(ne1, b1);
          ne2 = ddAdd(ne2, b2);
          nd = ddAdd(nd, bd);
        }
      }
      [p, e1, e2, d] = [np, ne1, ne2, nd];
      if (r < s + R - 1) roundsMean = ddAdd(roundsMean, ddSubtract(DD_ONE, ddPower(acked, n)));
    }
    return { mean: ddAdd(e1, doneE1), second: ddAdd(e2, doneE2), delivered: ddAdd(d, doneD), roundsMean, never, hears };
  };
  const from = (s: number): PhaseTwo => {
    let v = bySend.get(s);
    if (v) return v;
    const key = windowKey(link, s, R);
    v = byWindow.get(key);
    if (!v) {
      v = certainPhaseTwo(link, s, R, start) ?? compute(s);
      byWindow.set(key, v);
    }
    bySend.set(s, v);
    return v;
  };
  return {
    from,
    /** P(a cohort hears the decision in phase 2 from round s): the sum over the round it first arrives. */
    hears: (s: number): DoubleDouble => from(s).hears,
    neverHears: (s: number): DoubleDouble => from(s).never,
  };
}

/** Whether a send's fate is certain: received or lost with probability 1 (the cut, loss 0 or 1). */
function certainSend(link: Link, direction: number, round: number): boolean {
  const lost = link.lost(direction, round);
  return lost.lo === 0 && (lost.hi === 0 || lost.hi === 1) && link.received(direction, round).hi === 1 - lost.hi;
}

/**
 * Phase 2 from round s where every send in its R rounds is certain: one path, whose counts are
 * whole numbers a double holds exactly, walked once (the cut's windows, each a few hundred rounds,
 * in doubles, where the general chain in double-double took 3 times the time); null elsewhere.
 * `excess`: its messages less one a round (phaseTwoExcess).
 */
function certainPhaseTwo(link: Link, s: number, R: number, start: number, excess = false): PhaseTwo | null {
  let messages = start;
  let delivered = 0;
  let heard = false;
  let acked = false;
  let roundsMean = 1; // round k = 0 always runs; then it runs on while the cohort is pending
  for (let r = s; r < s + R; r++) {
    if (!certainSend(link, 0, r) || !certainSend(link, 1, r)) return null;
    if (!acked) {
      messages++;
      if (link.received(0, r).hi === 1) {
        heard = true;
        messages++;
        const through = link.received(1, r).hi;
        delivered += link.deliveredIf(0, r, 1).hi + link.deliveredIf(1, r, through).hi;
        acked = through === 1;
      } else delivered += link.deliveredIf(0, r, 0).hi;
    }
    if (excess) messages--;
    if (r < s + R - 1 && !acked) roundsMean++;
  }
  return {
    mean: dd(messages),
    second: dd(messages * messages),
    delivered: dd(delivered),
    roundsMean: dd(roundsMean),
    never: heard ? DD_ZERO : DD_ONE,
    hears: heard ? DD_ONE : DD_ZERO,
  };
}

/**
 * Phase 2 for one cohort from each first round s, where a message is more likely lost than not:
 * the moments of its messages less one a round for the phase's R rounds (a decision lost counts
 * 0, one received with its ACK 1, a round after the ACK −1), so that the trial that loses every
 * message counts 0 throughout and the moments keep the digits of a variance of the order of 1 − loss.
 */
function phaseTwoExcess(link: Link, R: number) {
  const byWindow = new Map<string, { mean: DoubleDouble; second: DoubleDouble }>();
  const compute = (s: number) => {
    let [p, e1, e2] = [DD_ONE, DD_ZERO, DD_ZERO]; // not acknowledged
    let [doneP, done1, done2] = [DD_ZERO, DD_ZERO, DD_ZERO]; // acknowledged
    for (let r = s; r < s + R; r++) {
      [done1, done2] = [ddSubtract(done1, doneP), ddAdd(ddSubtract(done2, ddTimes(done1, 2)), doneP)]; // silent after its ACK
      const lost = link.lost(0, r);
      const received = link.received(0, r);
      const acked = ddMultiply(received, link.received(1, r));
      const unacked = ddMultiply(received, link.lost(1, r));
      const [plus1, plus2] = [ddAdd(e1, p), ddAdd(ddAdd(e2, ddTimes(e1, 2)), p)]; // two messages: one more than a round's
      [doneP, done1, done2] = [ddAdd(doneP, ddMultiply(acked, p)), ddAdd(done1, ddMultiply(acked, plus1)), ddAdd(done2, ddMultiply(acked, plus2))];
      const stay = ddAdd(lost, unacked);
      [p, e1, e2] = [ddMultiply(stay, p), ddAdd(ddMultiply(lost, e1), ddMultiply(unacked, plus1)), ddAdd(ddMultiply(lost, e2), ddMultiply(unacked, plus2))];
    }
    return { mean: ddAdd(e1, done1), second: ddAdd(e2, done2) };
  };
  return {
    from(s: number) {
      const key = windowKey(link, s, R);
      let v = byWindow.get(key);
      if (!v) {
        v = certainPhaseTwo(link, s, R, 0, true) ?? compute(s);
        byWindow.set(key, v);
      }
      return v;
    },
  };
}
