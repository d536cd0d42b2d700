import { NeumaierSum, integerPower } from '../../stats/sum.js';
import type { CellModel } from '../model.js';
import { ONE_IN_UNITS, roundedRatio } from '../../stats/exact-rounding.js';
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
 * normal approximation. The work is O(R²) whatever the number of cohorts (a unit per two rounds
 * of phase 2 from each round of phase 1). Powers are binary powering (integerPower), never `**`,
 * and the sums over rounds are compensated, so the bytes are the same on every Node.
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
  const m1Shifted = new NeumaierSum();
  const m2Shifted = new NeumaierSum();
  let beforeShifted = initialCohort(-SHIFT);
  // Where a message is more likely lost than not, the trial that loses every message (2nR
  // messages: PREPARE and the decision to each cohort in each of R rounds) takes most of the mass,
  // and moments about any fixed cost keep only a few digits of a variance of the order of
  // 1 − loss (up to 1e-9 relative at loss 0.999999, 4e-7 at 1 − 1e-9): there the messages are counted
  // less one a round of each phase for each cohort (that trial counts 0), and P(T1 = t) before
  // round R is a sum of positive terms, not a difference of n-th powers near 1.
  const excess = link.lost(0, 1) > 0.5 ? phaseTwoExcess(link, R) : undefined;
  const m1Excess = new NeumaierSum();
  const m2Excess = new NeumaierSum();
  let beforeExcess = initialCohort();
  const voteNo = Math.min(1, Math.max(0, abortRate));

  const committed = new NeumaierSum();
  const aborted = new NeumaierSum();
  const blocked = new NeumaierSum();
  const m1 = new NeumaierSum();
  const m2 = new NeumaierSum();
  const delivered = new NeumaierSum();
  const rounds = new NeumaierSum();
  let work = 0;
  let reported = 0;

  let before = initialCohort();
  for (let t = 1; t <= R; t++) {
    const { after, fromNotNo, fromYesHeld, entered } = phaseOneRound(before, link, t, voteNo);
    const notNoNow = sumStates(after, NOT_NO_HELD);
    const yesHeldNow = sumStates(after, [YES_HELD]);
    const { p, e1, e2, d } = phaseOneEnd(n, t < R, fromNotNo, fromYesHeld, notNoNow, yesHeldNow);
    const shifted = phaseOneRound(beforeShifted, link, t, voteNo);
    const s = phaseOneEnd(n, t < R, shifted.fromNotNo, shifted.fromYesHeld, sumStates(shifted.after, NOT_NO_HELD), sumStates(shifted.after, [YES_HELD]));
    // Each outcome as a sum of positive terms over the branch masses that separate its events,
    // never a difference of n-th powers near 1 (which keeps only the digits above 1e-16).
    const never = phase2.neverHears(t + 1);
    const hears = phase2.hears(t + 1);
    const { commit, abortSafe, blockedAbort } = phaseOneOutcomes(n, t < R, after, fromYesHeld.p, entered, never, hears);
    const two = phase2Shifted.from(t + 1);
    m1Shifted.add(s.e1 + p * n * two.mean);
    m2Shifted.add(s.e2 + 2 * s.e1 * n * two.mean + p * (n * two.second + n * (n - 1) * two.mean * two.mean));
    beforeShifted = shifted.after;
    if (excess) {
      const x = phaseOneRound(beforeExcess, link, t, voteNo, -1);
      const notNo = sumStates(x.after, NOT_NO_HELD);
      const yesHeld = sumStates(x.after, [YES_HELD]);
      const xs = phaseOneEnd(n, t < R, x.fromNotNo, x.fromYesHeld, notNo, yesHeld);
      // A^n − B^n + D^n − C^n, A − B the mass that came into NO held in round t, D − C into YES held.
      const pt = t < R ? x.entered.no * geometricSum(x.fromNotNo.p, notNo.p, n) + x.entered.yes * geometricSum(yesHeld.p, x.fromYesHeld.p, n) : xs.p;
      const left = -n * (R - t); // the rounds of phase 1 not run, less one message a cohort each
      const e1 = xs.e1 + left * pt;
      const e2 = xs.e2 + 2 * left * xs.e1 + left * left * pt;
      const two = excess.from(t + 1);
      m1Excess.add(e1 + pt * n * two.mean);
      m2Excess.add(e2 + 2 * e1 * n * two.mean + pt * (n * two.second + n * (n - 1) * two.mean * two.mean));
      beforeExcess = x.after;
    }
    committed.add(commit * integerPower(hears, n));
    blocked.add(commit * never * geometricSum(1, hears, n) + blockedAbort); // 1 − hears^n = never · Σ hears^j
    aborted.add(abortSafe);

    const { mean: mu, second: nu, delivered: delta, roundsMean: t2 } = phase2.from(t + 1);
    m1.add(e1 + p * n * mu);
    m2.add(e2 + 2 * e1 * n * mu + p * (n * nu + n * (n - 1) * mu * mu));
    delivered.add(d + p * n * delta);
    rounds.add(p * (t + t2));
    before = after;
    work += Math.ceil(R / 2); // two rounds of phase 2 a unit, which keeps a unit near a microsecond (result.ts)
    if (work - reported >= WORK_SLICE) {
      if (work > limits.maxWork) throw tooMuchWork(limits, `round ${t} of ${R} of phase 1`);
      yield work - reported;
      reported = work;
    }
  }
  if (work > reported) yield work - reported;
  const variance = excess
    ? Math.max(0, m2Excess.value() - m1Excess.value() * m1Excess.value())
    : Math.max(0, m2Shifted.value() - m1Shifted.value() * m1Shifted.value());
  // Each sum with its carried error, rounded once (figures.ts); messengers are the messages' mean and sd times the copies.
  const once = (sum: NeumaierSum): number => roundedRatio(sum.units(), ONE_IN_UNITS);
  const sums = [committed, aborted, blocked, new NeumaierSum()]; // inconsistent: never
  const outcomes = sums.map(once);
  const share = (indices: readonly number[]): number =>
    roundedRatio(
      indices.reduce((total, i) => total + sums[i]!.units(), 0n),
      ONE_IN_UNITS,
    );
  // A path's probability below the least normal double loses what it weighs (0.999 loss: all 64
  // cohorts' PREPARE and votes through is near 1e-345, held as 0): where the cell has such paths,
  // an outcome within what they could have lost is not printed (underflowOf). Each unit of work
  // stands for at most 2^72 such losses of one least normal double each: a round's terms (n of
  // them in someOfBoth), each scaled by a binomial coefficient below 2^61 (n ≤ 64).
  const underflows = mayUnderflow(model, n, R, voteNo) ? 2 ** 72 * Math.max(1, work) : 0;
  // inconsistent is 0 by the protocol's structure, not by a sum that could have underflowed.
  const underflow = underflowOf(outcomes.slice(0, 3), model.outcomes.names.slice(0, 3), underflows);
  return {
    ...(underflow ? { underflow } : {}),
    outcomes,
    messages: null,
    messagesMean: once(m1),
    messagesSecondMoment: once(m2),
    messagesVariance: variance,
    likeliestPath: likeliestPath(link, n, R),
    figures: {
      success: share(model.outcomes.success),
      disagreement: share(model.outcomes.disagreement),
      ...messengersFromMoments(m1.units(), variance, model.copies),
    },
    deliveredMean: once(delivered),
    roundsMean: once(rounds),
    statesExpanded: R * STATES,
    method: 'independent cohorts',
  };
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
 * each of R rounds: 2R a cohort). Where both cost the same (R = 2), the two together.
 */
function likeliestPath(link: Link, n: number, R: number): LikeliestPath {
  const noneLost = integerPower(link.received(0, 1) * link.received(1, 1) * link.received(0, 2) * link.received(1, 2), n);
  let lostOne = 1;
  for (let r = 1; r <= 2 * R; r++) lostOne *= link.lost(0, r);
  const allLost = integerPower(lostOne, n);
  if (R === 2) return { messages: 4 * n, probability: noneLost + allLost };
  return noneLost >= allLost ? { messages: 4 * n, probability: noneLost } : { messages: 2 * n * R, probability: allLost };
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
  let p = 0;
  let e1 = 0;
  let e2 = 0;
  let d = 0;
  for (const [sign, g] of terms) {
    const power = (k: number): number => (n - k >= 0 ? integerPower(g.p, n - k) : 0);
    p += sign * power(0);
    e1 += sign * n * g.e1 * power(1);
    e2 += sign * (n * g.e2 * power(1) + n * (n - 1) * g.e1 * g.e1 * power(2));
    d += sign * n * g.d * power(1);
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
function phaseOneOutcomes(n: number, early: boolean, after: Cohort, yesHeldBefore: number, entered: { yes: number; no: number }, never: number, hears: number) {
  const yesHeld = after.p[YES_HELD]!;
  const yesLost = after.p[YES_LOST]!;
  const neither = after.p[IDLE]! + after.p[NO_LOST]!; // voted nothing, or NO without the coordinator holding it
  // all YES held at t and not at t−1: Y_t^n − Y_(t−1)^n
  const commit = entered.yes * geometricSum(yesHeld, yesHeldBefore, n);
  if (early) {
    // ABORT: every cohort not NO-held at t−1 and some NO held at t (mass entered.no). A cohort's
    // other masses: voted YES and hears (safe), voted YES and never hears, neither.
    const safe = neither + hears * (yesLost + yesHeld);
    const unheard = never * (yesLost + yesHeld);
    return { commit, abortSafe: entered.no * geometricSum(safe + entered.no, safe, n), blockedAbort: someOfBoth(n, safe, entered.no, unheard) };
  }
  // t = R, ABORT: every cohort not NO-held at R−1 and not every YES held at R. A cohort's masses:
  // YES held and hears (a), YES held and never hears (b), YES not held and never hears (c), the
  // rest (r: YES not held and hears, neither, NO held in round R). Safe: all in a or r, not all
  // in a. Blocked: some c; or none, some b and some r.
  const a = hears * yesHeld;
  const b = never * yesHeld;
  const c = never * yesLost;
  const r = hears * yesLost + neither + entered.no;
  const blockedAbort = c * geometricSum(a + b + r + c, a + b + r, n) + someOfBoth(n, a, r, b);
  return { commit, abortSafe: r * geometricSum(a + r, a, n), blockedAbort };
}

/** Σ_{j<m} a^j b^(m−1−j) = (a^m − b^m)/(a − b), by halving m: positive terms only. */
function geometricSum(a: number, b: number, m: number): number {
  if (m <= 0) return 0;
  let s = 1; // for k = 1
  let ak = a;
  let bk = b;
  for (let bit = 31 - Math.clz32(m) - 1; bit >= 0; bit--) {
    s *= ak + bk; // k → 2k
    ak *= ak;
    bk *= bk;
    if ((m >> bit) & 1) {
      s = a * s + bk; // k → k + 1
      ak *= a;
      bk *= b;
    }
  }
  return s;
}

/**
 * P(some of n cohorts is in x and some in u) where each is in x, u or the rest (mass base):
 * (base + x + u)^n − (base + u)^n − (base + x)^n + base^n = Σ_{m=1}^{n−1} C(n, m) x^(n−m) u Σ_{j<m} (base + u)^j base^(m−1−j).
 */
function someOfBoth(n: number, base: number, x: number, u: number): number {
  if (x === 0 || u === 0) return 0;
  let total = 0;
  let inner = 1; // Σ_{j<m} (base + u)^j base^(m−1−j), m = 1
  let basePower = 1; // base^(m−1)
  let choose = n; // C(n, m)
  for (let m = 1; m < n; m++) {
    total += choose * integerPower(x, n - m) * u * inner;
    basePower *= base;
    inner = (base + u) * inner + basePower;
    choose = (choose * (n - m)) / (m + 1);
  }
  return total;
}

/** What a send does in each direction and round: P(received), P(lost) and E[copies delivered; received or not]. */
interface Link {
  received(direction: number, round: number): number;
  /** The lost branches' own mass (p^k), not 1 − P(received), which keeps only the digits of p^k above 1e-16. */
  lost(direction: number, round: number): number;
  /** E[copies delivered · 1{received = r}] for r = 0, 1. */
  deliveredIf(direction: number, round: number, received: number): number;
}

function linkOf(model: CellModel): Link {
  const state = model.initialStates[0]!.state;
  const at = (direction: number, round: number) => model.transmissions[model.channel.transmissionFor(model.channelConfig, state, direction as 0 | 1, round)]!;
  const sum = (direction: number, round: number, f: (p: number, received: number, delivered: number) => number): number => {
    const t = at(direction, round);
    let s = 0;
    for (let i = 0; i < t.probabilities.length; i++) s += f(t.probabilities[i]!, t.received[i]!, t.delivered[i]!);
    return s;
  };
  return {
    received: (direction, round) => sum(direction, round, (p, r) => p * r),
    lost: (direction, round) => sum(direction, round, (p, r) => (r === 0 ? p : 0)),
    deliveredIf: (direction, round, received) => sum(direction, round, (p, r, d) => (r === received ? p * d : 0)),
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
  readonly p: Float64Array;
  readonly e1: Float64Array;
  readonly e2: Float64Array;
  readonly d: Float64Array;
}

/** Totals over a set of states. */
interface Totals {
  p: number;
  e1: number;
  e2: number;
  d: number;
}

function emptyCohort(): Cohort {
  return { p: new Float64Array(STATES), e1: new Float64Array(STATES), e2: new Float64Array(STATES), d: new Float64Array(STATES) };
}

/** A cohort before round 1, its message count starting at `start` (0, or less the loss-free cost). */
function initialCohort(start = 0): Cohort {
  const c = emptyCohort();
  c.p[IDLE] = 1;
  c.e1[IDLE] = start;
  c.e2[IDLE] = start * start;
  return c;
}

function sumStates(c: Cohort, states: readonly number[]): Totals {
  const total: Totals = { p: 0, e1: 0, e2: 0, d: 0 };
  for (const s of states) {
    total.p += c.p[s]!;
    total.e1 += c.e1[s]!;
    total.e2 += c.e2[s]!;
    total.d += c.d[s]!;
  }
  return total;
}

/** Moves the mass of `from` in `c` to `to` in `next` with probability `prob`, adding `messages` and delivered weight `deliveredWeight` (E[delivered · 1{branch}]). */
function move(c: Cohort, from: number, next: Cohort, to: number, prob: number, messages: number, deliveredWeight: number, totals?: Totals): void {
  if (prob === 0) return;
  const p = c.p[from]!;
  const e1 = c.e1[from]!;
  const p2 = prob * p;
  const moved1 = prob * (e1 + messages * p);
  const moved2 = prob * (c.e2[from]! + 2 * messages * e1 + messages * messages * p);
  const movedD = prob * c.d[from]! + deliveredWeight * p;
  next.p[to]! += p2;
  next.e1[to]! += moved1;
  next.e2[to]! += moved2;
  next.d[to]! += movedD;
  if (totals) {
    totals.p += p2;
    totals.e1 += moved1;
    totals.e2 += moved2;
    totals.d += movedD;
  }
}

/**
 * Round t of phase 1 for one cohort, as if the phase never stopped. Also totals over the round's
 * result restricted to where the cohort was at the round's start: not NO-held, and YES-held;
 * and the masses that came into YES held and NO held in the round.
 */
function phaseOneRound(
  c: Cohort,
  link: Link,
  t: number,
  voteNo: number,
  offset = 0,
): { after: Cohort; fromNotNo: Totals; fromYesHeld: Totals; entered: { yes: number; no: number } } {
  const next = emptyCohort();
  const fromNotNo: Totals = { p: 0, e1: 0, e2: 0, d: 0 };
  const fromYesHeld: Totals = { p: 0, e1: 0, e2: 0, d: 0 };
  const entered = { yes: 0, no: 0 };
  const qa = link.received(0, t);
  const qb = link.received(1, t);
  const la = link.lost(0, t);
  const lb = link.lost(1, t);
  const lostA = link.deliveredIf(0, t, 0);
  const gotA = link.deliveredIf(0, t, 1);
  const lostB = link.deliveredIf(1, t, 0);
  const gotB = link.deliveredIf(1, t, 1);
  // PREPARE lost: 1 message; PREPARE received and the vote sent: 2, the vote held or lost.
  const notReceived = (s: number): void => move(c, s, next, s, la, 1 + offset, lostA, fromNotNo);
  const replied = (s: number, to: number, held: number, vote: number): void => {
    // delivered weight of this branch: PREPARE received (gotA) then the vote held or lost
    const branch = qa * vote * (held ? qb : lb);
    const weight = vote * (gotA * (held ? qb : lb) + qa * (held ? gotB : lostB));
    move(c, s, next, to, branch, 2 + offset, weight, fromNotNo);
    if (to === YES_HELD) entered.yes += branch * c.p[s]!;
    if (to === NO_HELD) entered.no += branch * c.p[s]!;
  };
  notReceived(IDLE);
  for (const [vote, lost, held] of [
    [1 - voteNo, YES_LOST, YES_HELD],
    [voteNo, NO_LOST, NO_HELD],
  ] as const) {
    if (vote === 0) continue;
    replied(IDLE, held, 1, vote);
    replied(IDLE, lost, 0, vote);
  }
  for (const [lost, held] of [
    [YES_LOST, YES_HELD],
    [NO_LOST, NO_HELD],
  ] as const) {
    notReceived(lost);
    replied(lost, held, 1, 1);
    replied(lost, lost, 0, 1);
  }
  move(c, YES_HELD, next, YES_HELD, 1, offset, 0, fromNotNo); // held votes send nothing
  // fromYesHeld: YES_HELD is absorbing and silent, so its totals are its own (less `offset` a round).
  fromYesHeld.p = c.p[YES_HELD]!;
  fromYesHeld.e1 = offset === 0 ? c.e1[YES_HELD]! : c.e1[YES_HELD]! + offset * c.p[YES_HELD]!;
  fromYesHeld.e2 = offset === 0 ? c.e2[YES_HELD]! : c.e2[YES_HELD]! + 2 * offset * c.e1[YES_HELD]! + offset * offset * c.p[YES_HELD]!;
  fromYesHeld.d = c.d[YES_HELD]!;
  move(c, NO_HELD, next, NO_HELD, 1, offset, 0);
  return { after: next, fromNotNo, fromYesHeld, entered };
}

/**
 * Phase 2 for one cohort, from each possible first round s (2 … R + 1): the chance that it hears
 * nothing in the phase's R rounds, the moments of its messages, its copies delivered, and the
 * phase's mean length for n cohorts (it runs until every cohort acknowledged, or R rounds).
 */
function phaseTwoTables(link: Link, n: number, R: number, start = 0) {
  const cache = new Map<number, { mean: number; second: number; delivered: number; roundsMean: number }>();
  const never = new Map<number, number>();
  const hears = new Map<number, number>();
  const heardFrom = (s: number): number => {
    let sum = 0;
    let none = 1;
    for (let r = s; r < s + R; r++) {
      sum += none * link.received(0, r);
      none *= link.lost(0, r);
    }
    return sum;
  };
  return {
    /**
     * P(a cohort hears the decision in phase 2 from round s): 1 − neverHears(s), or where that is
     * near 1 (a loss near 1), which keeps only its digits above 1e-16, the sum over the round it
     * first arrives.
     */
    hears(s: number): number {
      let v = hears.get(s);
      if (v === undefined) {
        const none = this.neverHears(s);
        v = none > 0.5 ? heardFrom(s) : 1 - none;
        hears.set(s, v);
      }
      return v;
    },
    neverHears(s: number): number {
      let v = never.get(s);
      if (v === undefined) {
        v = 1;
        for (let r = s; r < s + R; r++) v *= link.lost(0, r);
        never.set(s, v);
      }
      return v;
    },
    from(s: number) {
      let v = cache.get(s);
      if (v) return v;
      // Pending (not acknowledged) mass with its message moments; acknowledged mass accumulates.
      let p = 1;
      let e1 = start; // the message count starts at `start` (0, or less the loss-free cost)
      let e2 = start * start;
      let d = 0;
      let doneE1 = 0;
      let doneE2 = 0;
      let doneD = 0;
      let acked = 0;
      const roundsMean = new NeumaierSum();
      roundsMean.add(1); // round k = 0 always runs; then it runs on while someone is pending
      for (let r = s; r < s + R; r++) {
        const qa = link.received(0, r);
        const qb = link.received(1, r);
        const la = link.lost(0, r);
        const lb = link.lost(1, r);
        const lostA = link.deliveredIf(0, r, 0);
        const gotA = link.deliveredIf(0, r, 1);
        // branches: decision lost (1 message), received and ack lost (2), received and acked (2)
        const branches: [number, number, number, boolean][] = [
          [la, 1, lostA, false],
          [qa * lb, 2, gotA * lb + qa * link.deliveredIf(1, r, 0), false],
          [qa * qb, 2, gotA * qb + qa * link.deliveredIf(1, r, 1), true],
        ];
        let np = 0;
        let ne1 = 0;
        let ne2 = 0;
        let nd = 0;
        for (const [prob, m, weight, ack] of branches) {
          const bp = prob * p;
          const b1 = prob * (e1 + m * p);
          const b2 = prob * (e2 + 2 * m * e1 + m * m * p);
          const bd = prob * d + weight * p;
          if (ack) {
            acked += bp;
            doneE1 += b1;
            doneE2 += b2;
            doneD += bd;
          } else {
            np += bp;
            ne1 += b1;
            ne2 += b2;
            nd += bd;
          }
        }
        [p, e1, e2, d] = [np, ne1, ne2, nd];
        if (r < s + R - 1) roundsMean.add(1 - integerPower(acked, n));
      }
      v = { mean: e1 + doneE1, second: e2 + doneE2, delivered: d + doneD, roundsMean: roundsMean.value() };
      cache.set(s, v);
      return v;
    },
  };
}

/**
 * Phase 2 for one cohort from each first round s, where a message is more likely lost than not:
 * the moments of its messages less one a round for the phase's R rounds (a decision lost counts
 * 0, one received with its ACK 1, a round after the ACK −1), so that the trial that loses every
 * message counts 0 throughout and the moments keep the digits of a variance of the order of 1 − loss.
 */
function phaseTwoExcess(link: Link, R: number) {
  const cache = new Map<number, { mean: number; second: number }>();
  return {
    from(s: number) {
      let v = cache.get(s);
      if (v) return v;
      let [p, e1, e2] = [1, 0, 0]; // not acknowledged
      let [doneP, done1, done2] = [0, 0, 0]; // acknowledged
      for (let r = s; r < s + R; r++) {
        [done1, done2] = [done1 - doneP, done2 - 2 * done1 + doneP]; // silent after its ACK
        const lost = link.lost(0, r);
        const received = link.received(0, r);
        const acked = received * link.received(1, r);
        const unacked = received * link.lost(1, r);
        const [plus1, plus2] = [e1 + p, e2 + 2 * e1 + p]; // two messages: one more than a round's
        [doneP, done1, done2] = [doneP + acked * p, done1 + acked * plus1, done2 + acked * plus2];
        [p, e1, e2] = [lost * p + unacked * p, lost * e1 + unacked * plus1, lost * e2 + unacked * plus2];
      }
      v = { mean: e1 + done1, second: e2 + done2 };
      cache.set(s, v);
      return v;
    },
  };
}
