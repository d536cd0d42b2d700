import { drain } from '../engine/slices.js';
/**
 * Fitting the channel models to a measured loss trace (1 = lost, 0 = delivered), by maximum
 * likelihood under the simulator's conventions (src/channels/gilbert-elliott.ts): successive
 * packets see a two-state Markov chain (good, bad) started from its stationary distribution, and a
 * packet is lost with its state's loss probability.
 *
 * - Bernoulli: independent loss. 1 parameter.
 * - Gilbert: lossGood = 0 and lossBad = 1, so the state is the observed symbol and the fit is
 *   closed-form. 2 parameters.
 * - Gilbert–Elliott: the state is hidden; Baum–Welch from several starts. 4 parameters.
 *
 * Parameter names are those of a scenario's channel, so a fit can be written as one.
 */
import { stationaryBad } from '../channels/gilbert-elliott.js';
import { blockStream } from '../rng/streams.js';
import { wilsonInterval } from '../stats/wilson.js';
import { GRID_SIZE, gridMaxima, gridParams } from './grid-starts.js';
import { DEFAULT_CONFIDENCE } from '../stats/wilson.js';

export type ModelName = 'bernoulli' | 'gilbert' | 'gilbert-elliott';

export interface FitResult {
  readonly model: ModelName;
  /** Named as in a scenario's channel: loss; goodToBad, badToGood; lossGood, lossBad. */
  readonly params: Readonly<Record<string, number>>;
  /** Natural log of the trace's probability under the fitted model. */
  readonly logLikelihood: number;
  /** Free parameters, for the information criteria. */
  readonly parameters: number;
  /** 2k − 2 ln L. */
  readonly aic: number;
  /** k ln T − 2 ln L, T the packets. */
  readonly bic: number;
}

// A type alias, not an interface, so it is assignable to FitResult's Record<string, number>.
export type GilbertElliottParams = {
  readonly goodToBad: number;
  readonly badToGood: number;
  readonly lossGood: number;
  readonly lossBad: number;
};

export interface GilbertElliottFit extends FitResult {
  readonly model: 'gilbert-elliott';
  readonly params: GilbertElliottParams;
  /** EM passes the winning start had made when it reached its best (0 when a closed-form candidate or a grid point won). */
  readonly iterations: number;
  /** Whether the winning start's log-likelihood settled within the tolerance before maxIterations. */
  readonly converged: boolean;
  /** Which start won: 'gilbert', 'bernoulli', 'alternating' (the Gilbert chain at its stationary maximum, the Bernoulli fit and the chain changing state at every packet, as candidates), 'gilbert-em', 'gilbert-em-good-once', 'gilbert-em-bad-once', 'random-N' or 'grid-N' (the global phase's grid point N, see gridSearchSteps). */
  readonly start: string;
}

export interface GilbertElliottOptions {
  /** Baum–Welch starts: the softened Gilbert fit, then pseudo-random ones. Default 6. Two more are always made: the softened Gilbert fit on each face where a state lasts one packet. */
  readonly starts?: number;
  /** Seed of the pseudo-random starts (as a scenario's seed: integer or string). Default 2026. */
  readonly seed?: number | string;
  /** EM passes for the leading start (the others stop after a probe of 30). Default 500. */
  readonly maxIterations?: number;
  /** Stop a start when an iteration gains fewer nats of log-likelihood than this. Default 1e-7. */
  readonly tolerance?: number;
  /** Hears each forward–backward pass: passes so far, and the most the budget allows. */
  readonly progress?: (passes: number, budget: number) => void;
}

function informationCriteria(logLikelihood: number, parameters: number, packets: number): { aic: number; bic: number } {
  return { aic: 2 * parameters - 2 * logLikelihood, bic: parameters * Math.log(packets) - 2 * logLikelihood };
}

/** n ln p, with 0 ln 0 = 0: a count of zero contributes nothing, whatever its probability. */
function xlogp(n: number, p: number): number {
  return n === 0 ? 0 : n * Math.log(p);
}

function requirePackets(lost: Uint8Array): void {
  if (lost.length === 0) throw new RangeError('cannot fit an empty trace');
}

function countLosses(lost: Uint8Array): number {
  let losses = 0;
  for (let t = 0; t < lost.length; t++) losses += lost[t]!;
  return losses;
}

// ---------------------------------------------------------------------------------------------
// Bernoulli

export function fitBernoulli(lost: Uint8Array): FitResult {
  requirePackets(lost);
  const losses = countLosses(lost);
  const loss = losses / lost.length;
  const logLikelihood = xlogp(losses, loss) + xlogp(lost.length - losses, 1 - loss);
  return { model: 'bernoulli', params: { loss }, logLikelihood, parameters: 1, ...informationCriteria(logLikelihood, 1, lost.length) };
}

// ---------------------------------------------------------------------------------------------
// Gilbert

export interface TransitionCounts {
  /** The first packet's outcome. */
  readonly first: number;
  /** n[i][j]: packets with outcome i followed by one with outcome j (0 delivered, 1 lost). */
  readonly n00: number;
  readonly n01: number;
  readonly n10: number;
  readonly n11: number;
}

export function transitionCounts(lost: Uint8Array): TransitionCounts {
  requirePackets(lost);
  const n = [0, 0, 0, 0];
  for (let t = 1; t < lost.length; t++) n[2 * lost[t - 1]! + lost[t]!]!++;
  return { first: lost[0]!, n00: n[0]!, n01: n[1]!, n10: n[2]!, n11: n[3]! };
}

/**
 * The Gilbert estimates. Each is its state's exit frequency — the maximum likelihood given the
 * first packet (Markov chains' conditional MLE); the stationary start's term for the first
 * packet only shifts the joint maximum by O(1/T). Edges, so that nothing is NaN:
 *
 * - A state never followed by anything (it occurs only as the last packet, or not at all) says
 *   nothing about its exit. Its exit is set to 1 if the other symbol occurs and 0 if it does not:
 *   a trace without losses fits goodToBad 0, badToGood 1 (never bad), one without deliveries
 *   goodToBad 1, badToGood 0 (always bad), each with likelihood 1; a single packet likewise.
 * - A trace that leaves its first state and never returns (0…01…1, or 1…10…0) counts no exit
 *   from the state it ends in, so the conditional estimate makes that state absorbing — and the
 *   stationary start could then never produce the first packet (likelihood 0). There the zero is
 *   replaced by the exit that maximizes the full likelihood with the other estimate held: the
 *   root in (0, 1) of n·x² + (n + 1)·y·x − y = 0, y the other exit and n the stays counted in the
 *   absorbing state.
 */
function gilbertEstimates(c: TransitionCounts, packets: number): { goodToBad: number; badToGood: number } {
  const fromGood = c.n00 + c.n01;
  const fromBad = c.n10 + c.n11;
  const anyLoss = c.n01 + c.n11 > 0 || c.first === 1;
  const anyDelivery = c.n00 + c.n10 > 0 || c.first === 0;
  let goodToBad = fromGood > 0 ? c.n01 / fromGood : anyLoss ? 1 : 0;
  let badToGood = fromBad > 0 ? c.n10 / fromBad : anyDelivery ? 1 : 0;
  const profileExit = (other: number, stays: number) => (2 * other) / ((stays + 1) * other + Math.sqrt((stays + 1) ** 2 * other * other + 4 * stays * other));
  if (packets > 1 && c.first === 0 && badToGood === 0 && goodToBad > 0) badToGood = profileExit(goodToBad, c.n11);
  if (packets > 1 && c.first === 1 && goodToBad === 0 && badToGood > 0) goodToBad = profileExit(badToGood, c.n00);
  return { goodToBad, badToGood };
}

/** ln P(trace) for a Gilbert chain (observed state) started from its stationary distribution. */
function gilbertLogLikelihood(c: TransitionCounts, goodToBad: number, badToGood: number): number {
  const total = goodToBad + badToGood;
  const firstProbability = total === 0 ? (c.first === 0 ? 1 : 0) : (c.first === 1 ? goodToBad : badToGood) / total;
  return Math.log(firstProbability) + xlogp(c.n00, 1 - goodToBad) + xlogp(c.n01, goodToBad) + xlogp(c.n10, badToGood) + xlogp(c.n11, 1 - badToGood);
}

export function fitGilbert(lost: Uint8Array): FitResult {
  const counts = transitionCounts(lost);
  const params = gilbertEstimates(counts, lost.length);
  const logLikelihood = gilbertLogLikelihood(counts, params.goodToBad, params.badToGood);
  return { model: 'gilbert', params, logLikelihood, parameters: 2, ...informationCriteria(logLikelihood, 2, lost.length) };
}

export interface EstimateInterval {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** Exits counted (the binomial successes) … */
  readonly events: number;
  /** … out of the packets in the state that were followed by another (the trials). */
  readonly trials: number;
}

/**
 * Wilson intervals for the Gilbert estimates. Given the visits to a state, its exits are
 * binomial — each visit leaves independently with the same probability, by the Markov property —
 * and the estimate's asymptotic variance is p(1 − p)/visits, the binomial one; Wilson's
 * interval keeps that honest near 0 and 1, where bursty traces put the estimates. The estimate
 * is fitGilbert's (so at the edges it may be the profile value, not events/trials); with no
 * trials the interval is [0, 1].
 */
export function gilbertIntervals(lost: Uint8Array, confidence = DEFAULT_CONFIDENCE): { goodToBad: EstimateInterval; badToGood: EstimateInterval } {
  const c = transitionCounts(lost);
  const estimates = gilbertEstimates(c, lost.length);
  const interval = (estimate: number, events: number, trials: number): EstimateInterval => ({
    estimate,
    ...wilsonInterval(events, trials, confidence),
    events,
    trials,
  });
  return {
    goodToBad: interval(estimates.goodToBad, c.n01, c.n00 + c.n01),
    badToGood: interval(estimates.badToGood, c.n10, c.n10 + c.n11),
  };
}

// ---------------------------------------------------------------------------------------------
// Gilbert–Elliott: Baum–Welch over runs
//
// A trace is mostly long runs of one symbol, and a run of k copies of symbol x multiplies the
// forward vector by the same matrix M_x = A·diag(P(x | state)) k times. So the forward–backward
// pass walks runs, not packets, with M_x^k and the within-run sums of expected transitions read
// from tables built once per iteration for the distinct run lengths (at most √(2T) per symbol,
// as they sum to at most T). On a trace of 10^6 packets with 5% loss that is ~10^5 runs: an
// iteration costs a few milliseconds, and a whole fit well under two seconds.
//
// Notation: states 0 (good) and 1 (bad); A[i][j] the transition matrix; e_x[j] = P(x | j);
// π the stationary distribution of A. Because πA = π, the stationary start is the same as an
// unobserved state X_0 ~ π before the first packet, so the likelihood is π·M_{x1}···M_{xT}·1 and
// every packet, the first included, enters through one transition.

/**
 * Runs of equal symbols: the first symbol, then alternating. Each run is named by its slot: its
 * symbol's distinct length, numbered across both symbols (the 0-runs' lengths first), so the
 * passes index the tables without asking which symbol a run shows.
 */
interface Runs {
  readonly first: number;
  /** Each run's slot. */
  readonly slot: Int32Array;
  /** Distinct run lengths per symbol, ascending; slot s is distinct[0][s], or distinct[1][s − distinct[0].length]. */
  readonly distinct: readonly [Int32Array, Int32Array];
  /** Runs per slot. */
  readonly runsInSlot: Float64Array;
  readonly packets: number;
}

function encodeRuns(lost: Uint8Array): Runs {
  let count = 1;
  for (let t = 1; t < lost.length; t++) if (lost[t] !== lost[t - 1]) count++;
  // Typed arrays throughout: an alternating trace of 64 Mi packets has as many runs.
  const slot = new Int32Array(count);
  let r = 0;
  for (let t = 1; t < lost.length; t++) {
    if (lost[t] !== lost[t - 1]) r++;
    slot[r]!++;
  }
  slot[0]!++;
  const first = lost[0]!;
  const seen: [Set<number>, Set<number>] = [new Set(), new Set()];
  for (let q = 0; q < count; q++) seen[first ^ (q & 1)]!.add(slot[q]!);
  const distinct = seen.map((set) => Int32Array.from([...set].sort((x, y) => x - y))) as [Int32Array, Int32Array];
  const offset = [0, distinct[0].length];
  const index = distinct.map((d, x) => new Map(Array.from(d, (length, i) => [length, offset[x]! + i] as const)));
  const runsInSlot = new Float64Array(distinct[0].length + distinct[1].length);
  for (let q = 0; q < count; q++) {
    const s = index[first ^ (q & 1)]!.get(slot[q]!)!; // the run's length becomes its slot
    slot[q] = s;
    runsInSlot[s]!++;
  }
  return { first, slot, distinct, runsInSlot, packets: lost.length };
}

/**
 * For each slot — symbol x, run length k — scaled so nothing underflows on long runs:
 * P̃_k = M_x^k / e^{ℓ_k}, and T̃_k[a,i,j,c] = Σ_{m<k} (M_x^m)[a,i]·(M_x^{k−1−m})[j,c] / e^{ℓ_{k−1}},
 * the sum over the positions of a transition i → j inside the run. Built together by
 *   P̃_k = P̃_{k−1}·M / s_k,  ℓ_k = ℓ_{k−1} + ln s_k,  T̃_{k+1} = T̃_k·M / s_k + P̃_k ⊗ I,
 * s_k the entry sum, in one pass per symbol up to its longest run (T̃ only where the M-step needs it).
 */
interface RunTables {
  readonly power: Float64Array; // 4 per slot, P̃_k row-major
  readonly logScale: Float64Array; // ℓ_k, −∞ if such a run is impossible
  readonly stepInverse: Float64Array; // 1/s_k = e^{ℓ_{k−1} − ℓ_k}: T̃_k's scale over P̃_k's
  readonly within: Float64Array; // 16 per slot, T̃_k at ((a·2 + i)·2 + j)·2 + c
}

function buildTables(model: Model, runs: Runs, withWithin: boolean): RunTables {
  const slots = runs.runsInSlot.length;
  const tables: RunTables = {
    power: new Float64Array(4 * slots),
    logScale: new Float64Array(slots),
    stepInverse: new Float64Array(slots),
    within: new Float64Array(withWithin ? 16 * slots : 0),
  };
  let next = 0; // the slot to fill
  for (const x of [0, 1] as const) {
    const distinct = runs.distinct[x];
    if (distinct.length === 0) continue;
    const m = model.m[x];
    const [m00, m01, m10, m11] = [m[0]!, m[1]!, m[2]!, m[3]!];
    let p00 = 1,
      p01 = 0,
      p10 = 0,
      p11 = 1; // P̃_0 = I
    let logScale = 0;
    const t = new Float64Array(16); // T̃_1 = δ_ai·δ_jc
    t[0] = t[3] = t[12] = t[15] = 1; // (a,i,j,c) = (0,0,0,0), (0,0,1,1), (1,1,0,0), (1,1,1,1)
    const last = next + distinct.length;
    for (let k = 1; next < last; k++) {
      const q00 = p00 * m00 + p01 * m10;
      const q01 = p00 * m01 + p01 * m11;
      const q10 = p10 * m00 + p11 * m10;
      const q11 = p10 * m01 + p11 * m11;
      const s = q00 + q01 + q10 + q11;
      if (!(s > 0)) {
        // Runs this long (and longer) have probability 0 under these parameters.
        tables.logScale.fill(-Infinity, next, last);
        next = last;
        break;
      }
      p00 = q00 / s;
      p01 = q01 / s;
      p10 = q10 / s;
      p11 = q11 / s;
      logScale += Math.log(s);
      if (distinct[next - (last - distinct.length)] === k) {
        tables.power.set([p00, p01, p10, p11], 4 * next);
        tables.logScale[next] = logScale;
        tables.stepInverse[next] = 1 / s;
        if (withWithin) tables.within.set(t, 16 * next);
        next++;
      }
      // Only the M-step reads T̃: the likelihood alone needs P̃ and ℓ.
      if (!withWithin) continue;
      // T̃_{k+1} = T̃_k·M / s + P̃_k ⊗ I, the product on the last index.
      for (let base = 0; base < 16; base += 2) {
        const d0 = t[base]!;
        const d1 = t[base + 1]!;
        t[base] = (d0 * m00 + d1 * m10) / s;
        t[base + 1] = (d0 * m01 + d1 * m11) / s;
      }
      t[0]! += p00; // a=0, i=0, j=c=0
      t[3]! += p00; // a=0, i=0, j=c=1
      t[4]! += p01;
      t[7]! += p01;
      t[8]! += p10;
      t[11]! += p10;
      t[12]! += p11;
      t[15]! += p11;
    }
  }
  return tables;
}

interface Model {
  readonly a: Float64Array; // A row-major
  readonly e: readonly [Float64Array, Float64Array]; // e[x][j] = P(x | j)
  readonly m: readonly [Float64Array, Float64Array]; // M_x = A·diag(e_x)
  readonly start: readonly [number, number]; // π
}

function modelOf(p: GilbertElliottParams): Model {
  const a = Float64Array.of(1 - p.goodToBad, p.goodToBad, p.badToGood, 1 - p.badToGood);
  const e = [Float64Array.of(1 - p.lossGood, 1 - p.lossBad), Float64Array.of(p.lossGood, p.lossBad)] as const;
  const m = e.map((ex) => Float64Array.of(a[0]! * ex[0]!, a[1]! * ex[1]!, a[2]! * ex[0]!, a[3]! * ex[1]!)) as [Float64Array, Float64Array];
  const bad = stationaryBad(p.goodToBad, p.badToGood);
  return { a, e, m, start: [1 - bad, bad] };
}

/** EM passes every start gets before only the leader goes on. */
const PROBE_PASSES = 30;

/** Up to this many runs (16 bytes each), every forward vector is kept for the backward pass. */
const KEEP_FORWARD_RUNS = 4_000_000;

const forwardStores = new WeakMap<Runs, { good: Float64Array; bad: Float64Array }>();

/** The forward vectors' store of a trace's runs, made once and reused by every pass; undefined past KEEP_FORWARD_RUNS. */
function keptForward(runs: Runs): { good: Float64Array; bad: Float64Array } | undefined {
  const count = runs.slot.length;
  if (count > KEEP_FORWARD_RUNS) return undefined;
  let store = forwardStores.get(runs);
  if (!store) forwardStores.set(runs, (store = { good: new Float64Array(count), bad: new Float64Array(count) }));
  return store;
}

/** Runs per checkpoint of the forward pass (a power of two): the backward pass recomputes the rest. */
const BLOCK = 4096;

interface Pass {
  readonly logLikelihood: number;
  /** The next parameters (the M-step), or undefined when only the likelihood was asked for or it is 0. */
  readonly next?: GilbertElliottParams;
}

/**
 * One forward pass (the likelihood) and, if `update`, one backward pass with the expected
 * counts and the M-step. Memory is O(runs / BLOCK + BLOCK): the forward pass keeps only every
 * BLOCK-th forward vector, and the backward pass recomputes the others block by block — a second
 * forward pass, against O(T) storage on traces of tens of millions of packets.
 *
 * No logarithm or exponential per run: the forward vector is normalized and its norms multiplied
 * (logged only when the product nears the floating-point range); the run scales ℓ_k enter the
 * likelihood as Σ (runs in slot)·ℓ; and a run's share of the likelihood needs no scale at all,
 * since α_before·M^k·β_after = L for every run: its expected transitions are
 * α̂·T̃_k·β̂ / (s_k·α̂·P̃_k·β̂), with α̂, β̂ the normalized vectors either side.
 */
function pass(runs: Runs, params: GilbertElliottParams, update: boolean): Pass {
  const model = modelOf(params);
  const { power, logScale, stepInverse, within } = buildTables(model, runs, update);
  const slotOf = runs.slot;
  const count = slotOf.length;

  let logLikelihood = 0;
  for (let s = 0; s < logScale.length; s++) logLikelihood += runs.runsInSlot[s]! * logScale[s]!;
  if (!(logLikelihood > -Infinity)) return { logLikelihood: -Infinity };

  const checkpoints = Math.ceil(count / BLOCK);
  const cpGood = new Float64Array(checkpoints);
  const cpBad = new Float64Array(checkpoints);
  // Where the runs are few enough, every forward vector is kept (the same numbers the backward
  // pass would recompute), so a pass walks the runs twice instead of three times.
  const kept = update ? keptForward(runs) : undefined;
  let good = model.start[0];
  let bad = model.start[1];
  let product = 1;
  for (let r = 0; r < count; r++) {
    if ((r & (BLOCK - 1)) === 0) {
      cpGood[r / BLOCK] = good;
      cpBad[r / BLOCK] = bad;
    }
    if (kept) {
      kept.good[r] = good;
      kept.bad[r] = bad;
    }
    const s4 = 4 * slotOf[r]!;
    const g = good * power[s4]! + bad * power[s4 + 2]!;
    const b = good * power[s4 + 1]! + bad * power[s4 + 3]!;
    const norm = g + b;
    good = g / norm;
    bad = b / norm;
    product *= norm;
    if (!(product > 1e-280 && product < 1e280)) {
      logLikelihood += Math.log(product);
      product = 1;
    }
  }
  logLikelihood += Math.log(product);
  if (!(logLikelihood > -Infinity)) return { logLikelihood: -Infinity }; // NaN included: a run of probability 0
  if (!update) return { logLikelihood };
  const lastBad = bad / (good + bad); // the last packet's state: α at the end, normalized
  let afterFirst: [number, number] = [0.5, 0.5]; // β after the first run

  // Backward, block by block, accumulating per slot the weighted outer products α̂ ⊗ β̂;
  // contracted with T̃ at the end they give the expected transitions.
  const outer = new Float64Array(4 * logScale.length);
  const bufGood = new Float64Array(BLOCK);
  const bufBad = new Float64Array(BLOCK);
  let betaGood = 0.5;
  let betaBad = 0.5;
  for (let block = checkpoints - 1; block >= 0; block--) {
    const from = block * BLOCK;
    const to = Math.min(count, from + BLOCK);
    good = cpGood[block]!;
    bad = cpBad[block]!;
    if (kept) {
      bufGood.set(kept.good.subarray(from, to));
      bufBad.set(kept.bad.subarray(from, to));
    } else {
      for (let r = from; r < to; r++) {
        bufGood[r - from] = good;
        bufBad[r - from] = bad;
        const s4 = 4 * slotOf[r]!;
        const g = good * power[s4]! + bad * power[s4 + 2]!;
        const b = good * power[s4 + 1]! + bad * power[s4 + 3]!;
        good = g / (g + b);
        bad = b / (g + b);
      }
    }
    for (let r = to - 1; r >= from; r--) {
      const s = slotOf[r]!;
      const s4 = 4 * s;
      const ag = bufGood[r - from]!;
      const ab = bufBad[r - from]!;
      const g = power[s4]! * betaGood + power[s4 + 1]! * betaBad;
      const b = power[s4 + 2]! * betaGood + power[s4 + 3]! * betaBad;
      if (r === 0) afterFirst = [betaGood, betaBad];
      const w = stepInverse[s]! / (ag * g + ab * b);
      outer[s4]! += w * ag * betaGood;
      outer[s4 + 1]! += w * ag * betaBad;
      outer[s4 + 2]! += w * ab * betaGood;
      outer[s4 + 3]! += w * ab * betaBad;
      betaGood = g / (g + b);
      betaBad = b / (g + b);
    }
  }

  // Expected transitions i → j into a packet showing x: A[i][j]·e_x[j]·Σ_{a,c} outer[a,c]·T̃[a,i,j,c].
  const n = [new Float64Array(4), new Float64Array(4)] as const; // n[x][2i + j]
  const zeroSlots = runs.distinct[0].length;
  for (let s = 0; s < logScale.length; s++) {
    const nx = s < zeroSlots ? n[0] : n[1];
    for (let ij = 0; ij < 4; ij++) {
      const i = ij >> 1;
      const j = ij & 1;
      let sum = 0;
      for (let a = 0; a < 2; a++) for (let c = 0; c < 2; c++) sum += outer[4 * s + 2 * a + c]! * within[16 * s + ((a * 2 + i) * 2 + j) * 2 + c]!;
      nx[ij]! += sum;
    }
  }
  for (const x of [0, 1] as const) for (let ij = 0; ij < 4; ij++) n[x][ij]! *= model.a[ij]! * model.e[x][ij & 1]!;

  // The M-step. The counts above include the step from the unobserved X_0 ~ π into the first
  // packet, which the stationary start does not have: it is taken out (ξ_0, from β at the first
  // packet), leaving the T − 1 transitions between packets, and π's own dependence on A enters
  // through the first and last packets' states (see chainStep). A state with no expected visits
  // keeps its loss parameter.
  const firstRun = runs.distinct[runs.first]![slotOf[0]! - (runs.first === 0 ? 0 : zeroSlots)]!;
  const beta1 = firstPacketBeta(model, runs.first, firstRun, afterFirst);
  const e1 = model.e[runs.first]!;
  const xi = [0, 1, 2, 3].map((ij) => model.start[ij >> 1]! * model.a[ij]! * e1[ij & 1]! * beta1[ij & 1]!);
  const xiSum = xi[0]! + xi[1]! + xi[2]! + xi[3]!;
  const trans = (ij: number) => Math.max(0, n[0][ij]! + n[1][ij]! - xi[ij]! / xiSum);
  const firstBad = (xi[1]! + xi[3]!) / xiSum;
  const ratio = (num: number, den: number, old: number) => (den > 0 ? Math.min(1, Math.max(0, num / den)) : old);
  const inState = (j: number, x: 0 | 1) => n[x][j]! + n[x][2 + j]!;
  const chain = chainStep(trans(0), (trans(1) + trans(2)) / 2, trans(3), (firstBad + lastBad) / 2, params);
  const next: GilbertElliottParams = {
    goodToBad: chain.goodToBad,
    badToGood: chain.badToGood,
    lossGood: ratio(inState(0, 1), inState(0, 0) + inState(0, 1), params.lossGood),
    lossBad: ratio(inState(1, 1), inState(1, 0) + inState(1, 1), params.lossBad),
  };
  return { logLikelihood, next };
}

/** β at the first packet, P(x_2 … x_T | X_1), normalized: β after the first run taken back through its other k − 1 packets. */
function firstPacketBeta(model: Model, symbol: number, runLength: number, after: readonly [number, number]): [number, number] {
  const m = model.m[symbol as 0 | 1]!;
  let [good, bad] = after;
  for (let k = 1; k < runLength; k++) {
    const g = m[0]! * good + m[1]! * bad;
    const b = m[2]! * good + m[3]! * bad;
    good = g / (g + b);
    bad = b / (g + b);
  }
  return [good, bad];
}

/**
 * The chain's M-step under the stationary start, exactly and symmetric in time. A stationary
 * two-state chain is reversible, so the likelihood of a trace equals its reverse's for every
 * parameter, and EM's expected complete-data log-likelihood may be taken as the mean of the
 * two: the transitions between packets, good → bad and bad → good pooled (`moves`, their mean
 * count), and the first packet's state weighed with the last's (`endsBad`, the mean probability
 * that they are bad). That is
 *   h(g, b) = stays₀·ln(1 − g) + (moves + endsBad)·ln g + (moves + 1 − endsBad)·ln b + stays₁·ln(1 − b) − ln(g + b),
 * the last term π's dependence on A. Each partial derivative set to 0 is a quadratic in its
 * parameter given c = 1/(g + b), whose root in [0, 1] is taken in turn until they settle. A
 * trace and its reverse then take the same EM steps, and EM's fixed points are those of the
 * stationary-start likelihood itself. A step that does not raise h keeps the old chain (EM's
 * ascent needs only that h does not fall).
 */
export function chainStep(
  stays0: number,
  moves: number,
  stays1: number,
  endsBad: number,
  old: { readonly goodToBad: number; readonly badToGood: number },
): { goodToBad: number; badToGood: number } {
  const towardBad = moves + endsBad;
  const towardGood = moves + 1 - endsBad;
  const h = (g: number, b: number) => xlogp(stays0, 1 - g) + xlogp(towardBad, g) + xlogp(towardGood, b) + xlogp(stays1, 1 - b) - Math.log(g + b);
  // The smaller root of c·x² − (stays + toward + c)·x + toward = 0, in [0, 1]: at most 1, where
  // with no stays (0110 stays in neither state) it is 1 in exact arithmetic and a double's
  // rounding made it 1.0000000000000002, printed as a probability.
  const root = (stays: number, toward: number, c: number) => {
    const sum = stays + toward + c;
    return toward === 0 ? 0 : Math.min(1, (2 * toward) / (sum + Math.sqrt(Math.max(0, sum * sum - 4 * c * toward))));
  };
  let g = root(stays0, towardBad, 0);
  let b = root(stays1, towardGood, 0);
  for (let i = 0; i < 200; i++) {
    const c = 1 / (g + b);
    const g2 = root(stays0, towardBad, c);
    const b2 = root(stays1, towardGood, c);
    const settled = Math.abs(g2 - g) <= 1e-15 + 1e-13 * g && Math.abs(b2 - b) <= 1e-15 + 1e-13 * b;
    g = g2;
    b = b2;
    if (settled) break;
  }
  return g + b > 0 && h(g, b) >= h(old.goodToBad, old.badToGood) ? { goodToBad: g, badToGood: b } : { goodToBad: old.goodToBad, badToGood: old.badToGood };
}

/** ln P(trace) under a Gilbert–Elliott channel started from its stationary distribution. */
export function gilbertElliottLogLikelihood(lost: Uint8Array, params: GilbertElliottParams): number {
  requirePackets(lost);
  return pass(encodeRuns(lost), params, false).logLikelihood;
}

/** One Baum–Welch iteration: the likelihood at `params` and the re-estimated parameters. */
export function baumWelchStep(lost: Uint8Array, params: GilbertElliottParams): { logLikelihood: number; next: GilbertElliottParams } {
  requirePackets(lost);
  const result = pass(encodeRuns(lost), params, true);
  return { logLikelihood: result.logLikelihood, next: result.next ?? params };
}

interface Candidate {
  params: GilbertElliottParams;
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  start: string;
}

/**
 * Starts for Baum–Welch, all matching the trace's loss rate p so none begins far off. First the
 * Gilbert chain's stationary maximum softened (lossGood 0 and lossBad 1 are fixed points of the M-step — a state that
 * never emits a symbol is never credited with one — so it moves only off them); then
 * pseudo-random ones: lossGood in [0, 0.9p), lossBad in (p, 1), a bad sojourn of 1 to 100
 * packets, and goodToBad set to give the stationary loss p.
 */
function startingPoints(lost: Uint8Array, p: number, starts: number, seed: number | string): { name: string; params: GilbertElliottParams }[] {
  const clamp = (v: number) => Math.min(0.999, Math.max(1e-4, v));
  const gilbert = stationaryGilbert(lost);
  const list = [
    {
      name: 'gilbert-em',
      params: { goodToBad: clamp(gilbert.goodToBad), badToGood: clamp(gilbert.badToGood), lossGood: 0.1 * p, lossBad: 0.9 + 0.1 * p },
    },
  ];
  // The same start on each face where a state lasts one packet (its exit 1, a fixed point of the
  // M-step, so Baum–Welch stays on the face): a short trace may have its maximum there.
  const softened = list[0]!.params;
  list.push({ name: 'gilbert-em-good-once', params: { ...softened, goodToBad: 1 } }, { name: 'gilbert-em-bad-once', params: { ...softened, badToGood: 1 } });
  const rng = blockStream(String(seed), 'gilbert-elliott-starts', 0);
  const uniform = () => rng.nextUint32() / 2 ** 32;
  for (let k = 1; k < starts; k++) {
    const lossBad = p + (1 - p) * (0.3 + 0.7 * uniform());
    const lossGood = 0.9 * p * uniform();
    const bad = (p - lossGood) / (lossBad - lossGood);
    // log-uniform in [0.01, 1], by Math.exp: `**` with a fraction for exponent differs between Node versions.
    const badToGood = Math.exp(-2 * Math.LN10 * uniform());
    list.push({ name: `random-${k}`, params: { goodToBad: clamp((badToGood * bad) / (1 - bad)), badToGood: clamp(badToGood), lossGood, lossBad } });
  }
  return list;
}

/**
 * The Gilbert chain (lossGood 0, lossBad 1) at the maximum of the stationary-start likelihood —
 * the same for a trace and its reverse, where the closed-form fit, conditional on the first
 * packet, is not (1000 and 0001 give goodToBad 0.2808 and 1/3). The observed transitions are
 * the complete data, so one chainStep finds it.
 */
function stationaryGilbert(lost: Uint8Array): { goodToBad: number; badToGood: number } {
  const c = transitionCounts(lost);
  return chainStep(c.n00, (c.n01 + c.n10) / 2, c.n11, (c.first + lost[lost.length - 1]!) / 2, { goodToBad: 0.5, badToGood: 0.5 });
}

/**
 * The chain that changes state at every packet (goodToBad = badToGood = 1), losing in each state
 * with the loss rate of the packets it meets: those at even places of the trace in one, at odd
 * places in the other. A corner of the parameter space that Baum–Welch does not reach from its
 * starts (a transition of 1 is a fixed point of the M-step) and where short traces have their
 * maximum: 100000001 has ln L −4.06 there (lossBad 0.4), where the best start ended at −4.71.
 * The Newton finish then moves its loss rates, holding the transitions on their bound.
 */
function alternatingChain(lost: Uint8Array): GilbertElliottParams {
  const losses = [0, 0];
  const packets = [0, 0];
  for (let t = 0; t < lost.length; t++) {
    losses[t % 2]! += lost[t]!;
    packets[t % 2]!++;
  }
  const rate = (parity: number): number => (packets[parity]! > 0 ? losses[parity]! / packets[parity]! : 0);
  return { goodToBad: 1, badToGood: 1, lossGood: rate(0), lossBad: rate(1) };
}

/** The bad state is the lossier one: the likelihood cannot tell the labels apart, so swap them if needed. */
function identify(p: GilbertElliottParams): GilbertElliottParams {
  return p.lossGood <= p.lossBad ? p : { goodToBad: p.badToGood, badToGood: p.goodToBad, lossGood: p.lossBad, lossBad: p.lossGood };
}

/**
 * The four-parameter hidden Markov model by maximum likelihood: Baum–Welch (scaled
 * forward–backward over runs, see above; SQUAREM-accelerated, see EmRun) from `starts`
 * deterministic starts. Each start runs PROBE_PASSES passes or until an EM step gains less than
 * `tolerance` nats; the best start still moving then runs on to `maxIterations` passes. The best
 * likelihood seen anywhere wins (SQUAREM's leaps are not monotone), and Newton's method
 * finishes it (polishSteps). The Gilbert chain at its stationary maximum, the Bernoulli fit and
 * the chain alternating at every packet (alternatingChain) are also candidates, at their exact
 * likelihoods — all are Gilbert–Elliott channels (lossGood 0 and lossBad 1; lossGood = lossBad;
 * goodToBad = badToGood = 1) — so this fit is never worse than any. On a trace short enough
 * (gridIsCheap), a global phase follows: the likelihood on a grid and Newton's finish from its
 * best local maxima (gridSearchSteps), whose result wins where it is higher. A trace of one symbol is fitted exactly by the
 * Gilbert fit and returns it. Deterministic: the same trace and options give the same fit.
 */
export function fitGilbertElliott(lost: Uint8Array, options: GilbertElliottOptions = {}): GilbertElliottFit {
  return drain(gilbertElliottSteps(lost, options));
}

/** fitGilbertElliott as steps of one pass each (see drainInSlices): a long fit can be interrupted. */
export function* gilbertElliottSteps(lost: Uint8Array, options: GilbertElliottOptions = {}): Generator<void, GilbertElliottFit> {
  requirePackets(lost);
  const starts = Math.max(1, Math.floor(options.starts ?? 6));
  const seed = options.seed ?? 2026;
  const maxIterations = options.maxIterations ?? 500;
  const tolerance = options.tolerance ?? 1e-7;
  // A step after each pass over the trace, here and below: each takes a tenth of a second or more at 64 Mi packets.
  const runs = encodeRuns(lost);
  yield;
  const bernoulli = fitBernoulli(lost);
  const p = bernoulli.params['loss']!;
  const gilbertAsGe: GilbertElliottParams = { ...stationaryGilbert(lost), lossGood: 0, lossBad: 1 };
  yield;
  // Independent loss: a chain that never leaves good, losing with p there (and in bad, never visited).
  const bernoulliAsGe: GilbertElliottParams = { goodToBad: 0, badToGood: 1, lossGood: p, lossBad: p };
  const candidates: Candidate[] = [];
  for (const [params, start] of [
    [gilbertAsGe, 'gilbert'],
    [bernoulliAsGe, 'bernoulli'],
    [alternatingChain(lost), 'alternating'],
  ] as const) {
    candidates.push({ params, logLikelihood: pass(runs, params, false).logLikelihood, iterations: 0, converged: true, start });
    yield;
  }
  if (p > 0 && p < 1) {
    // Every start gets a short probe, which settles most of them; only the best of the rest runs
    // on to maxIterations. A start still crawling after the probe is on a flat ridge, where it
    // gains hundredths of a nat over hundreds of passes: worth finishing for the leader, not for all.
    // The budget in passes: a probe for each start, the leader's running on to maxIterations in all.
    const points = startingPoints(lost, p, starts, seed);
    const budget = (points.length - 1) * Math.min(PROBE_PASSES, maxIterations) + maxIterations;
    let passes = 0;
    const onPass = options.progress ? () => options.progress!(++passes, budget) : undefined;
    const em = points.map((start) => new EmRun(runs, start.params, start.name, tolerance, onPass));
    for (const run of em) yield* run.advance(Math.min(PROBE_PASSES, maxIterations));
    let leader: EmRun | undefined;
    for (const run of em) if (!run.finished && (!leader || run.best.logLikelihood > leader.best.logLikelihood)) leader = run;
    if (leader) yield* leader.advance(maxIterations);
    for (const run of em) candidates.push(run.best);
  }
  let best = candidates[0]!;
  for (const c of candidates) if (c.logLikelihood > best.logLikelihood) best = c;
  const polished = yield* polishSteps(runs, best.params, best.logLikelihood);
  if (polished.logLikelihood > best.logLikelihood) best = { ...best, ...polished };
  if (p > 0 && p < 1 && gridIsCheap(runs)) {
    const global = yield* gridSearchSteps(runs, p);
    if (global && global.logLikelihood > best.logLikelihood + GLOBAL_MARGIN) best = global;
  }
  const params = identify(best.params);
  return {
    model: 'gilbert-elliott',
    params,
    logLikelihood: best.logLikelihood,
    parameters: 4,
    ...informationCriteria(best.logLikelihood, 4, lost.length),
    iterations: best.iterations,
    converged: best.converged,
    start: best.start,
  };
}

/**
 * The grid search runs where a pass over the trace costs little: at most this many runs and
 * packets in the longest run together (a pass walks the runs, and builds its tables up to the
 * longest), so the grid's passes cost about as much as a pass over a trace of this many runs
 * times the grid's points.
 */
const GRID_MAX_WORK = 4096;

/** The grid's local maxima polished, at most. */
const GRID_STARTS = 8;

/** Newton iterations for each of the grid's starts, at most: enough to tell their hills apart; the best then runs on to POLISH_ITERATIONS. */
const GRID_POLISH_ITERATIONS = 12;

/** A maximum found by the grid replaces the local search's only where it is higher by more than rounding. */
const GLOBAL_MARGIN = 1e-9;

function gridIsCheap(runs: Runs): boolean {
  const longest = Math.max(runs.distinct[0].at(-1) ?? 0, runs.distinct[1].at(-1) ?? 0);
  return runs.slot.length + longest <= GRID_MAX_WORK;
}

interface Scratch {
  readonly power: Float64Array;
  readonly logScale: Float64Array;
}

const scratches = new WeakMap<Runs, Scratch>();

/** The buffers quickLogLikelihood fills, made once for a trace's runs. */
function scratchOf(runs: Runs): Scratch {
  let scratch = scratches.get(runs);
  const slots = runs.runsInSlot.length;
  if (!scratch) scratches.set(runs, (scratch = { power: new Float64Array(4 * slots), logScale: new Float64Array(slots) }));
  return scratch;
}

/**
 * ln P(trace), as pass computes it without the M-step (the same operations in the same order,
 * so the same double), into buffers made once: the grid and Newton's finish evaluate thousands
 * of points, and on a short trace pass's allocations cost more than its arithmetic.
 */
function quickLogLikelihood(runs: Runs, params: GilbertElliottParams, scratch: Scratch): number {
  const { power, logScale } = scratch;
  const a00 = 1 - params.goodToBad;
  const a01 = params.goodToBad;
  const a10 = params.badToGood;
  const a11 = 1 - params.badToGood;
  let next = 0;
  for (const x of [0, 1] as const) {
    const distinct = runs.distinct[x];
    const e0 = x === 1 ? params.lossGood : 1 - params.lossGood;
    const e1 = x === 1 ? params.lossBad : 1 - params.lossBad;
    const [m00, m01, m10, m11] = [a00 * e0, a01 * e1, a10 * e0, a11 * e1];
    let [p00, p01, p10, p11] = [1, 0, 0, 1];
    let scale = 0;
    for (let k = 1, d = 0; d < distinct.length; k++) {
      const q00 = p00 * m00 + p01 * m10;
      const q01 = p00 * m01 + p01 * m11;
      const q10 = p10 * m00 + p11 * m10;
      const q11 = p10 * m01 + p11 * m11;
      const sum = q00 + q01 + q10 + q11;
      if (!(sum > 0)) return Number.NEGATIVE_INFINITY; // a run at least this long is in the trace
      [p00, p01, p10, p11] = [q00 / sum, q01 / sum, q10 / sum, q11 / sum];
      scale += Math.log(sum);
      if (distinct[d] === k) {
        power[4 * next] = p00;
        power[4 * next + 1] = p01;
        power[4 * next + 2] = p10;
        power[4 * next + 3] = p11;
        logScale[next] = scale;
        next++;
        d++;
      }
    }
  }
  let logLikelihood = 0;
  for (let slot = 0; slot < next; slot++) logLikelihood += runs.runsInSlot[slot]! * logScale[slot]!;
  let bad = stationaryBad(params.goodToBad, params.badToGood);
  let good = 1 - bad;
  let product = 1;
  for (let r = 0; r < runs.slot.length; r++) {
    const s4 = 4 * runs.slot[r]!;
    const g = good * power[s4]! + bad * power[s4 + 2]!;
    const b = good * power[s4 + 1]! + bad * power[s4 + 3]!;
    const norm = g + b;
    good = g / norm;
    bad = b / norm;
    product *= norm;
    if (!(product > 1e-280 && product < 1e280)) {
      logLikelihood += Math.log(product);
      product = 1;
    }
  }
  logLikelihood += Math.log(product);
  return Number.isNaN(logLikelihood) ? Number.NEGATIVE_INFINITY : logLikelihood;
}

/**
 * The global phase (see grid-starts.ts): the likelihood on the grid, then Newton's polish from
 * each of the grid's best local maxima; the highest it reaches, or undefined where no grid point
 * can produce the trace.
 */
function* gridSearchSteps(runs: Runs, p: number): Generator<void, Candidate | undefined> {
  const values = new Float64Array(GRID_SIZE).fill(Number.NEGATIVE_INFINITY);
  const scratch = scratchOf(runs);
  for (let point = 0; point < GRID_SIZE; point++) {
    const params = gridParams(point, p);
    if (params) values[point] = quickLogLikelihood(runs, params, scratch);
    // A step every few passes: the grid's 8,192 take up to half a second at its largest.
    if (point % 64 === 63) yield;
  }
  let best: Candidate | undefined;
  for (const point of gridMaxima(values, GRID_STARTS)) {
    const polished = yield* polishSteps(runs, gridParams(point, p)!, values[point]!, true, GRID_POLISH_ITERATIONS);
    if (!best || polished.logLikelihood > best.logLikelihood) {
      best = { ...polished, iterations: 0, converged: true, start: `grid-${point}` };
    }
  }
  if (!best) return undefined;
  const finished = yield* polishSteps(runs, best.params, best.logLikelihood, true);
  return finished.logLikelihood > best.logLikelihood ? { ...best, ...finished } : best;
}

const NAMES = ['goodToBad', 'badToGood', 'lossGood', 'lossBad'] as const;

/** The polish's Newton iterations, at most. */
const POLISH_ITERATIONS = 60;

/** The polish stops where a step gains, or would gain, fewer nats than this. */
const STOP_GAIN = 1e-10;

/**
 * The polish stops before measuring the curvature again where the last one predicts less than
 * this: far below STOP_GAIN, as the prediction comes from a curvature one step old (a gain of
 * 10⁻¹⁴ nats on a short trace is a parameter about 10⁻⁷ from the maximum).
 */
const PREDICTED_STOP_GAIN = 1e-14;

/** ½ gᵀ(−H)⁻¹g: what a full Newton step gains on the quadratic model, given (−H)⁻¹. */
function newtonGain(inverse: readonly (readonly number[])[], gradient: readonly number[]): number {
  let sum = 0;
  for (let u = 0; u < gradient.length; u++) for (let v = 0; v < gradient.length; v++) sum += gradient[u]! * inverse[u]![v]! * gradient[v]!;
  return sum / 2;
}

/** How far inside a bound a parameter on it is tried, to see whether the likelihood rises there. */
const RELEASE_STEP = 1e-3;

/** A parameter this near 0 or 1 after a polish step is tried on it. */
const POLISH_BOUND = 1e-6;

/**
 * The winner of Baum–Welch taken to the maximum it is near, by Newton's method on the exact
 * stationary-start log-likelihood (Levenberg–Marquardt damped, derivatives by central
 * differences, as in gilbertElliottStandardErrors), in logit coordinates so that no step leaves
 * (0, 1). EM stops where an iteration gains less than its tolerance, and along a ridge (a loss
 * rate traded against a sojourn) or onto a bound it gains that little while still hundredths of
 * a nat short — short by different amounts for a trace and its reverse, whose likelihoods are
 * equal. Newton's steps cross a ridge in a few iterations. A parameter that comes within
 * POLISH_BOUND of 0 or 1 is put on it where the likelihood does not fall, and held there (a
 * bound is where such a maximum lies: a state that never loses, or lasts one packet).
 */
function* polishSteps(
  runs: Runs,
  start: GilbertElliottParams,
  startLogLikelihood: number,
  faceFirst = false,
  iterations = POLISH_ITERATIONS,
): Generator<void, { params: GilbertElliottParams; logLikelihood: number }> {
  // Every likelihood is a pass over the trace (a tenth of a second at 64 Mi packets): a step each.
  function* f(v: readonly number[]): Generator<void, number> {
    const logLikelihood = quickLogLikelihood(runs, paramsOf(v), scratchOf(runs));
    yield;
    return logLikelihood;
  }
  let theta = vectorOf(start);
  let value = startLogLikelihood;
  function* onBounds(): Generator<void, void> {
    for (let i = 0; i < 4; i++) {
      const x = theta[i]!;
      if (x === 0 || x === 1 || Math.min(x, 1 - x) > POLISH_BOUND) continue;
      const tried = theta.map((y, j) => (j === i ? (x < 0.5 ? 0 : 1) : y));
      const triedValue = yield* f(tried);
      if (triedValue >= value) [theta, value] = [tried, triedValue];
    }
  }
  // A parameter on a bound whose likelihood rises inward is let go, so that Newton's steps move it
  // (the maximum of 0010000010000010000000000100000 leaves goodToBad 1 for 0.887: −11.096 against −11.232).
  function* offBounds(): Generator<void, boolean> {
    let moved = false;
    for (let i = 0; i < 4; i++) {
      const x = theta[i]!;
      if (x !== 0 && x !== 1) continue;
      const tried = theta.map((y, j) => (j === i ? (x === 0 ? RELEASE_STEP : 1 - RELEASE_STEP) : y));
      const triedValue = yield* f(tried);
      // By more than rounding: a bound the likelihood is flat along (a state never visited) stays.
      if (triedValue > value + STOP_GAIN) {
        [theta, value] = [tried, triedValue];
        moved = true;
      }
    }
    return moved;
  }
  yield* onBounds();
  if (!(value > -Infinity)) return { params: start, logLikelihood: startLogLikelihood };
  if (!faceFirst) yield* offBounds();
  const logit = (x: number) => Math.log(x / (1 - x));
  const expit = (y: number) => 1 / (1 + Math.exp(-y));
  let damping = 1e-3;
  let previous: { free: string; inverse: number[][] } | undefined;
  for (let iteration = 0; iteration < iterations; iteration++) {
    const free = [0, 1, 2, 3].filter((i) => theta[i]! > 0 && theta[i]! < 1);
    const k = free.length;
    if (k === 0) break;
    const z = free.map((i) => logit(theta[i]!));
    const h = 1e-4;
    const toTheta = (w: readonly number[]) => theta.map((x, i) => (free.includes(i) ? expit(w[free.indexOf(i)]!) : x));
    // ln L at z moved by ±h along one or two of its coordinates ([coordinate, sign] pairs).
    function* at(moves: readonly (readonly [number, number])[]): Generator<void, number> {
      const w = z.slice();
      for (const [u, sign] of moves) w[u]! += sign * h;
      return yield* f(toTheta(w));
    }
    const gradient: number[] = [];
    const ups: number[] = [];
    const minusHessian = z.map(() => new Array<number>(k).fill(0));
    for (let u = 0; u < k; u++) {
      const up = yield* at([[u, 1]]);
      ups.push(up);
      const down = yield* at([[u, -1]]);
      gradient.push((up - down) / (2 * h));
      minusHessian[u]![u] = -(up - 2 * value + down) / (h * h);
    }
    // Where the last curvature says a Newton step would gain next to nothing, stop before
    // measuring it again: the cross terms are most of an iteration.
    if (previous?.free === free.join() && newtonGain(previous.inverse, gradient) < PREDICTED_STOP_GAIN) break;
    // The cross terms one-sided, a pass each where central differences take four: the curvature
    // only shapes the step, and the gradient, central, decides where it ends.
    for (let u = 0; u < k; u++) {
      for (let v = 0; v < u; v++) {
        const both = yield* at([
          [u, 1],
          [v, 1],
        ]);
        const cross = -(both - ups[u]! - ups[v]! + value) / (h * h);
        minusHessian[u]![v] = cross;
        minusHessian[v]![u] = cross;
      }
    }
    const plain = invertPositiveDefinite(minusHessian);
    previous = plain ? { free: free.join(), inverse: plain } : undefined;
    if (!gradient.every(Number.isFinite) || !minusHessian.every((row) => row.every(Number.isFinite))) break;
    const scale = Math.max(1e-12, ...minusHessian.map((row, u) => Math.abs(row[u]!)));
    let improved = false;
    let gain = 0;
    while (damping < 1e12) {
      const inverse = invertPositiveDefinite(minusHessian.map((row, u) => row.map((x, v) => x + (u === v ? damping * scale : 0))));
      if (inverse) {
        const step = inverse.map((row) => row.reduce((sum, x, v) => sum + x * gradient[v]!, 0));
        const tried = toTheta(z.map((x, u) => x + step[u]!));
        const triedValue = yield* f(tried);
        if (triedValue > value) {
          gain = triedValue - value;
          [theta, value] = [tried, triedValue];
          damping = Math.max(1e-9, damping / 10);
          improved = true;
          break;
        }
      }
      damping *= 10;
    }
    yield* onBounds();
    if (!improved || gain < STOP_GAIN) {
      if (yield* offBounds()) continue;
      break;
    }
  }
  return { params: paramsOf(theta), logLikelihood: value };
}

function vectorOf(p: GilbertElliottParams): number[] {
  return NAMES.map((name) => p[name]);
}

function paramsOf(v: readonly number[]): GilbertElliottParams {
  return { goodToBad: v[0]!, badToGood: v[1]!, lossGood: v[2]!, lossBad: v[3]! };
}

/** The longest extrapolation SQUAREM may take, in EM steps. */
const MAX_STEP = 64;

/**
 * Baum–Welch from one start, accelerated by SQUAREM (Varadhan and Roland, "Simple and globally
 * convergent methods for accelerating the convergence of any EM algorithm", Scand. J. Stat. 35,
 * 2008): plain EM crawls for thousands of iterations where the likelihood is flat — towards a
 * bound, or along the ridge of an i.i.d. trace, where the hidden state explains nothing. Each
 * cycle takes two EM steps θ0 → θ1 → θ2, extrapolates along them by the step length
 * α = −|r|/|v| (r = θ1 − θ0, v = θ2 − 2θ1 + θ0), then takes one EM step from there; the
 * extrapolation is kept only if the likelihood is no worse than θ1's, else θ2 follows. It runs in
 * logit coordinates, so no extrapolation leaves (0, 1); a parameter already on 0 or 1 — a fixed
 * point of the M-step — stays there. Passes (E-steps) are counted against the budget, and the
 * run can be resumed with a larger one.
 */
class EmRun {
  private theta: GilbertElliottParams;
  private passes = 0;
  private done = false;
  best: Candidate;

  constructor(
    private readonly runs: Runs,
    start: GilbertElliottParams,
    private readonly name: string,
    private readonly tolerance: number,
    private readonly onPass: () => void = () => undefined,
  ) {
    this.theta = start;
    this.best = { params: start, logLikelihood: -Infinity, iterations: 0, converged: false, start: name };
  }

  get finished(): boolean {
    return this.done;
  }

  private evaluate(params: GilbertElliottParams): Pass {
    this.passes++;
    this.onPass();
    const result = pass(this.runs, params, true);
    if (result.logLikelihood > this.best.logLikelihood) {
      this.best = { params, logLikelihood: result.logLikelihood, iterations: this.passes, converged: false, start: this.name };
    }
    return result;
  }

  /** Iterates until converged, stuck (likelihood 0), or `budget` passes in all, yielding after every cycle of passes. */
  *advance(budget: number): Generator<void, void> {
    const logit = (x: number) => Math.log(x / (1 - x));
    const expit = (y: number) => 1 / (1 + Math.exp(-y));
    while (!this.done && this.passes + 2 <= budget) {
      const theta = this.theta;
      // A step after each pass, not each cycle of up to three: a pass over 64 Mi packets takes most of a second.
      const p0 = this.evaluate(theta);
      yield;
      const p1 = p0.next && this.evaluate(p0.next);
      yield;
      if (!p0.next || !p1?.next) {
        this.done = true;
        return;
      }
      if (Math.abs(p1.logLikelihood - p0.logLikelihood) < this.tolerance) {
        this.done = true;
        this.best.converged = true;
        return;
      }
      const v0 = vectorOf(theta);
      const v1 = vectorOf(p0.next);
      const v2 = vectorOf(p1.next);
      const interior = NAMES.map((_, i) => [v0[i]!, v1[i]!, v2[i]!].every((x) => x > 0 && x < 1));
      const r = NAMES.map((_, i) => (interior[i] ? logit(v1[i]!) - logit(v0[i]!) : 0));
      const v = NAMES.map((_, i) => (interior[i] ? logit(v2[i]!) - 2 * logit(v1[i]!) + logit(v0[i]!) : 0));
      const normR = Math.hypot(...r);
      const normV = Math.hypot(...v);
      this.theta = p1.next;
      if (normV > 0 && this.passes < budget) {
        const alpha = Math.max(-MAX_STEP, Math.min(-1, -normR / normV));
        const leap = paramsOf(v0.map((x, i) => (interior[i] ? expit(logit(x) - 2 * alpha * r[i]! + alpha * alpha * v[i]!) : v2[i]!)));
        const pLeap = this.evaluate(leap);
        yield;
        if (pLeap.next && pLeap.logLikelihood >= p1.logLikelihood) this.theta = pLeap.next;
      }
      yield;
    }
  }
}

/**
 * Standard errors of the Gilbert–Elliott estimates from the observed information: the inverse
 * of minus the log-likelihood's Hessian, by central differences (steps of 10^-3 of each
 * parameter's distance to its nearer bound). A parameter on a bound (0 or 1) has no two-sided
 * neighbourhood and gets NaN; the others are computed with it held. NaN throughout when the
 * Hessian is not negative definite (not at a maximum, or a parameter is not identified — as for
 * a Bernoulli-like fit, whose transitions the trace cannot see).
 */
export function gilbertElliottStandardErrors(lost: Uint8Array, params: GilbertElliottParams): GilbertElliottParams {
  requirePackets(lost);
  const runs = encodeRuns(lost);
  const names = ['goodToBad', 'badToGood', 'lossGood', 'lossBad'] as const;
  const theta = names.map((name) => params[name]);
  const free = names.map((_, i) => i).filter((i) => theta[i]! > 0 && theta[i]! < 1);
  const step = theta.map((v) => 1e-3 * Math.min(v, 1 - v));
  const f = (delta: number[]) => {
    const v = theta.map((t, i) => t + delta[i]!);
    return pass(runs, { goodToBad: v[0]!, badToGood: v[1]!, lossGood: v[2]!, lossBad: v[3]! }, false).logLikelihood;
  };
  const shift = (moves: [number, number][]) => {
    const delta = [0, 0, 0, 0];
    for (const [i, sign] of moves) delta[i]! += sign * step[i]!;
    return delta;
  };
  const k = free.length;
  const h: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const centre = f([0, 0, 0, 0]);
  for (let u = 0; u < k; u++) {
    const i = free[u]!;
    h[u]![u] = (f(shift([[i, 1]])) - 2 * centre + f(shift([[i, -1]]))) / step[i]! ** 2;
    for (let v = 0; v < u; v++) {
      const j = free[v]!;
      const value =
        (f(
          shift([
            [i, 1],
            [j, 1],
          ]),
        ) -
          f(
            shift([
              [i, 1],
              [j, -1],
            ]),
          ) -
          f(
            shift([
              [i, -1],
              [j, 1],
            ]),
          ) +
          f(
            shift([
              [i, -1],
              [j, -1],
            ]),
          )) /
        (4 * step[i]! * step[j]!);
      h[u]![v] = value;
      h[v]![u] = value;
    }
  }
  const covariance = invertPositiveDefinite(h.map((row) => row.map((x) => -x)));
  const errors = [NaN, NaN, NaN, NaN];
  if (covariance) free.forEach((i, u) => (errors[i] = Math.sqrt(covariance[u]![u]!)));
  return { goodToBad: errors[0]!, badToGood: errors[1]!, lossGood: errors[2]!, lossBad: errors[3]! };
}

/** The inverse by Cholesky factorization, or undefined if the matrix is not positive definite. */
function invertPositiveDefinite(m: number[][]): number[][] | undefined {
  const k = m.length;
  const l: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = m[i]![j]!;
      for (let p = 0; p < j; p++) sum -= l[i]![p]! * l[j]![p]!;
      if (i === j) {
        if (!(sum > 0)) return undefined;
        l[i]![i] = Math.sqrt(sum);
      } else l[i]![j] = sum / l[j]![j]!;
    }
  }
  // Solve L·Lᵀ·X = I column by column.
  const inverse: number[][] = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let col = 0; col < k; col++) {
    const y = new Array<number>(k).fill(0);
    for (let i = 0; i < k; i++) {
      let sum = i === col ? 1 : 0;
      for (let p = 0; p < i; p++) sum -= l[i]![p]! * y[p]!;
      y[i] = sum / l[i]![i]!;
    }
    for (let i = k - 1; i >= 0; i--) {
      let sum = y[i]!;
      for (let p = i + 1; p < k; p++) sum -= l[p]![i]! * inverse[p]![col]!;
      inverse[i]![col] = sum / l[i]![i]!;
    }
  }
  return inverse;
}

// ---------------------------------------------------------------------------------------------
// All three, and the choice

export interface FitAllResult {
  readonly bernoulli: FitResult;
  readonly gilbert: FitResult;
  readonly gilbertElliott: GilbertElliottFit;
  /** The three, simplest first. */
  readonly fits: readonly FitResult[];
  /** The lowest BIC; on a tie, the simpler model. */
  readonly chosen: FitResult;
}

/**
 * Fits all three models and chooses by BIC: each parameter must buy ½ ln T nats of likelihood,
 * which picks the true model with probability → 1 as the trace grows (BIC is consistent), where
 * AIC's fixed price of one nat keeps choosing extra parameters now and then however long the
 * trace — with millions of packets, a hidden state that explains nothing. The models are nested
 * (Bernoulli and Gilbert are both Gilbert–Elliott channels), so the comparison is fair.
 */
export function fitAll(lost: Uint8Array, options: GilbertElliottOptions = {}): FitAllResult {
  return drain(fitAllSteps(lost, options));
}

/** fitAll as steps (see drainInSlices): the command's fit can be interrupted. */
export function* fitAllSteps(lost: Uint8Array, options: GilbertElliottOptions = {}): Generator<void, FitAllResult> {
  const bernoulli = fitBernoulli(lost);
  yield;
  const gilbert = fitGilbert(lost);
  yield;
  const gilbertElliott = yield* gilbertElliottSteps(lost, options);
  const fits = [bernoulli, gilbert, gilbertElliott] as const;
  let chosen: FitResult = bernoulli;
  for (const fit of fits) if (fit.bic < chosen.bic) chosen = fit;
  return { bernoulli, gilbert, gilbertElliott, fits, chosen };
}

// ---------------------------------------------------------------------------------------------
// Run lengths: what each model predicts, against what was measured

export interface RunLengthDistribution {
  /** [k − 1] = P(length = k), k = 1 … maxLength. */
  readonly probabilities: readonly number[];
  /** P(length > maxLength). */
  readonly tail: number;
  /** The mean length (Infinity if runs may never end; NaN if they never start). */
  readonly mean: number;
}

export interface ModelRunLengths {
  /** Runs of consecutive losses. */
  readonly bursts: RunLengthDistribution;
  /** Runs of consecutive deliveries. */
  readonly gaps: RunLengthDistribution;
}

/** P(length = k) = (1 − q)·q^{k−1}: a run that continues with probability q each packet. */
function geometric(q: number, maxLength: number): RunLengthDistribution {
  const probabilities: number[] = [];
  let reach = 1; // q^{k−1}
  for (let k = 1; k <= maxLength; k++) {
    probabilities.push(reach * (1 - q));
    reach *= q;
  }
  return { probabilities, tail: reach, mean: 1 / (1 - q) };
}

/**
 * A run of symbol x under the hidden Markov model, in the stationary chain: given a packet
 * showing 1 − x and the next showing x, how many x in a row. With v the state distribution at the
 * packet before the run (π·diag(e_{1−x}), normalized) and w_k = v·M_x^k the joint probability of
 * k x's in a row and the state at the last, P(length ≥ k) = Σw_k / Σw_1 — the forward
 * probabilities of the run — so P(length = k) = (Σw_k − Σw_{k+1}) / Σw_1, computed as
 * w_k·A·e_{1−x} / Σw_1 to keep small values exact, and the mean is v·M_x·(I − M_x)^{−1}·1 / Σw_1.
 */
function hiddenRun(p: GilbertElliottParams, x: 0 | 1, maxLength: number): RunLengthDistribution {
  const { a, e, m, start } = modelOf(p);
  const other = e[1 - x]!;
  const mx = m[x];
  let v0 = start[0] * other[0]!;
  let v1 = start[1] * other[1]!;
  const vNorm = v0 + v1;
  if (!(vNorm > 0)) return { probabilities: new Array<number>(maxLength).fill(0), tail: 0, mean: NaN };
  v0 /= vNorm;
  v1 /= vNorm;
  let w0 = v0 * mx[0]! + v1 * mx[2]!;
  let w1 = v0 * mx[1]! + v1 * mx[3]!;
  const begin = w0 + w1;
  if (!(begin > 0)) return { probabilities: new Array<number>(maxLength).fill(0), tail: 0, mean: NaN };
  const end0 = a[0]! * other[0]! + a[1]! * other[1]!; // P(next shows 1 − x | state good)
  const end1 = a[2]! * other[0]! + a[3]! * other[1]!;
  const probabilities: number[] = [];
  for (let k = 1; k <= maxLength; k++) {
    probabilities.push((w0 * end0 + w1 * end1) / begin);
    [w0, w1] = [w0 * mx[0]! + w1 * mx[2]!, w0 * mx[1]! + w1 * mx[3]!];
  }
  // (I − M_x)^{−1} for the mean; a zero determinant means a state that keeps showing x forever.
  const i00 = 1 - mx[0]!;
  const i01 = -mx[1]!;
  const i10 = -mx[2]!;
  const i11 = 1 - mx[3]!;
  const det = i00 * i11 - i01 * i10;
  let mean = Infinity;
  if (det > 1e-300) {
    const u0 = v0 * mx[0]! + v1 * mx[2]!; // v·M_x
    const u1 = v0 * mx[1]! + v1 * mx[3]!;
    mean = (u0 * (i11 - i01) + u1 * (i00 - i10)) / det / begin;
  }
  return { probabilities, tail: (w0 + w1) / begin, mean };
}

/**
 * The model's distribution of loss-burst and gap lengths, 1 … maxLength and the tail beyond:
 * geometric, exactly, for Bernoulli (continue with the loss probability) and Gilbert (stay in the
 * state), and from the hidden Markov model's forward probabilities for Gilbert–Elliott (see
 * hiddenRun) — no longer geometric, since a run's continuation depends on how long the hidden
 * state has lasted.
 */
export function modelRunLengths(fit: FitResult, maxLength: number): ModelRunLengths {
  const param = (name: string) => {
    const value = fit.params[name];
    if (value === undefined) throw new RangeError(`a ${fit.model} fit without ${name}`);
    return value;
  };
  switch (fit.model) {
    case 'bernoulli': {
      const loss = param('loss');
      return { bursts: geometric(loss, maxLength), gaps: geometric(1 - loss, maxLength) };
    }
    case 'gilbert':
      return { bursts: geometric(1 - param('badToGood'), maxLength), gaps: geometric(1 - param('goodToBad'), maxLength) };
    case 'gilbert-elliott': {
      const p = { goodToBad: param('goodToBad'), badToGood: param('badToGood'), lossGood: param('lossGood'), lossBad: param('lossBad') };
      return { bursts: hiddenRun(p, 1, maxLength), gaps: hiddenRun(p, 0, maxLength) };
    }
  }
}

export interface GoodnessRow {
  /** The run length; on the last row (orLonger), every length above maxLength. */
  readonly length: number;
  readonly orLonger: boolean;
  readonly measuredBursts: number;
  readonly measuredGaps: number;
  /** Expected counts: the measured number of runs times the model's probability of the length. */
  readonly perModel: Readonly<Record<string, { readonly bursts: number; readonly gaps: number }>>;
}

/**
 * Measured against expected run-length counts, lengths 1 … maxLength and a last row for longer
 * runs, so each column sums to the runs measured. The measured runs include the two cut short by
 * the trace's ends (see runLengths in trace-file.ts): one run each end, against thousands.
 */
export function goodnessOfFit(lost: Uint8Array, fits: readonly FitResult[], maxLength: number): GoodnessRow[] {
  const measuredBursts = new Array<number>(maxLength + 1).fill(0);
  const measuredGaps = new Array<number>(maxLength + 1).fill(0);
  let t = 0;
  while (t < lost.length) {
    let end = t + 1;
    while (end < lost.length && lost[end] === lost[t]) end++;
    (lost[t] ? measuredBursts : measuredGaps)[Math.min(end - t, maxLength + 1) - 1]!++;
    t = end;
  }
  const bursts = measuredBursts.reduce((s, n) => s + n, 0);
  const gaps = measuredGaps.reduce((s, n) => s + n, 0);
  const models = fits.map((fit) => ({ name: fit.model, lengths: modelRunLengths(fit, maxLength) }));
  const rows: GoodnessRow[] = [];
  for (let k = 1; k <= maxLength + 1; k++) {
    const perModel: Record<string, { bursts: number; gaps: number }> = {};
    for (const { name, lengths } of models) {
      const at = (d: RunLengthDistribution) => (k <= maxLength ? d.probabilities[k - 1]! : d.tail);
      perModel[name] = { bursts: bursts * at(lengths.bursts), gaps: gaps * at(lengths.gaps) };
    }
    rows.push({ length: k, orLonger: k > maxLength, measuredBursts: measuredBursts[k - 1]!, measuredGaps: measuredGaps[k - 1]!, perModel });
  }
  return rows;
}
