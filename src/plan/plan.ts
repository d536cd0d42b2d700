import { misreadText } from '../io/number-literal.js';
import { exactRange, exactRangeVerdict } from '../stats/exact-range.js';
import { exactAllowance, exactMeets } from '../stats/exact-verdict.js';
import type { CellSummary } from '../stats/summary.js';

/** A target such as success ≥ 0.9999 or disagreement ≤ 1e-6. */
export interface Target {
  readonly metric: string;
  readonly relation: '>=' | '<=';
  readonly bound: number;
}

/** One candidate setting, judged: its cost, each target's value, and whether all targets hold. */
export interface Candidate {
  readonly summary: CellSummary;
  readonly cost: number;
  /** Per target: the value judged (exact, or the interval's unfavourable end). */
  readonly values: readonly number[];
  /** Whether those values are exact (else each is the interval's unfavourable end). */
  readonly exact: boolean;
  /**
   * Per target, where its exact value is left empty (too small for a double to hold), the bound
   * it lies below, and the value judged is that range's unfavourable end (0 for ≥, the bound for
   * ≤), as for an interval; else null.
   */
  readonly below: readonly (number | null)[];
  /** Per target, whether it is met (an exact value by exactRangeVerdict: near 1, by its complement). */
  readonly met: readonly boolean[];
  /**
   * Per target, where its exact value lies within the engine's rounding of the bound (exactVerdict:
   * undecided), so that which side of it the truth is on is not known, that rounding (not met,
   * and said so); else null.
   */
  readonly undecided: readonly (number | null)[];
  readonly meets: boolean;
}

export interface Plan {
  readonly winner: Candidate | null;
  /** Every setting judged, in the order given. */
  readonly candidates: readonly Candidate[];
  /**
   * Settings no other beats on both cost and the first target: the cost/reliability trade-off;
   * with `largest`, every setting from the largest value of that parameter down.
   */
  readonly frontier: readonly Candidate[];
  /**
   * The targets no setting meets even alone (their index), each with the setting that comes
   * closest (the cheapest of those that do): what a plan without a winner reports.
   */
  readonly unreachable: readonly { readonly target: number; readonly best: Candidate }[];
  /** True where every value came from the exact engine. */
  readonly exact: boolean;
}

/** METRIC>=VALUE or METRIC<=VALUE (≥, ≤), spaces allowed around the relation. */
const TARGET = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*(>=|<=|≥|≤)\s*([-+0-9.eE]+)\s*$/;

export function parseTarget(text: string): Target | null {
  const match = TARGET.exec(text);
  if (!match) return null;
  const bound = Number(match[3]);
  // An overflowing bound (1e400) is a number out of range, which the caller names; only text that is no number is malformed.
  if (Number.isNaN(bound)) return null;
  return { metric: match[1]!, relation: match[2] === '>=' || match[2] === '≥' ? '>=' : '<=', bound };
}

/** Why a target's bound would be read as another number than written (1e-400 as 0), or null. */
export function targetBoundMisread(text: string): string | null {
  const bound = TARGET.exec(text)?.[3];
  return bound === undefined ? null : misreadText(bound);
}

/**
 * The value a target judges: the exact probability where known; else the end of the interval
 * that the target needs (the lower end for ≥, the upper for ≤), as `expect` judges. An exact value
 * left empty (too small for a double) is known to lie from 0 to below its bound: judged on that
 * range's end in the same way, with the bound (`below`).
 */
function judged(s: CellSummary, t: Target): { value: number; below: number | null; met: boolean; undecided: number | null } {
  if (s.exact) {
    const range = exactRange(s, t.metric);
    if (range === null) return { value: Number.NaN, below: null, met: false, undecided: null };
    const value = t.relation === '>=' ? range.low : range.high;
    const verdict = exactRangeVerdict(range, t.relation, t.bound);
    const undecided = verdict === 'undecided' ? exactAllowance(value, t.bound, range.rounding) : null;
    return { value, below: range.held ? null : range.high, met: verdict === 'met', undecided };
  }
  const index = s.outcomeNames.indexOf(t.metric);
  const p = t.metric === 'success' ? s.success : t.metric === 'disagreement' ? s.disagreement : s.outcomes[index]!;
  const value = t.relation === '>=' ? p.low : p.high;
  return { value, below: null, met: holds(value, t), undecided: null };
}

/**
 * Whether candidate `a` comes closer to target `i` than `b`: by the values judged, and where two
 * exact values are both the double 1 (a success of 1 − 1e-21 and of 1 − 1e-25 are), by the
 * mass of the other outcomes, which tells them apart (less of it is a higher value).
 */
function closer(a: Candidate, b: Candidate, t: Target, i: number): boolean {
  const [x, y] = [a.values[i]!, b.values[i]!];
  if (x !== y || x !== 1 || !a.exact || !b.exact) return t.relation === '>=' ? x > y : x < y;
  const [restA, restB] = [exactRange(a.summary, t.metric)?.rest.low, exactRange(b.summary, t.metric)?.rest.low];
  if (restA === undefined || restB === undefined) return false;
  return t.relation === '>=' ? restA < restB : restA > restB;
}

/**
 * A setting's verdict on every target, as CSV and JSON give it (`meets`): true where it meets them
 * all; 'undecided' where it misses none but one's exact value lies within the engine's rounding of
 * the bound (the table's ?), so that whether it meets them is not known; else false.
 */
export function meetsEvery(c: Candidate): boolean | 'undecided' {
  if (c.meets) return true;
  return c.met.every((met, i) => met || c.undecided[i] !== null) ? 'undecided' : false;
}

/** Whether a value meets a target; an exact value surely, beyond the engine's own rounding (exactMeets). */
export const holds = (value: number, t: Target, exact = false): boolean =>
  exact ? exactMeets(value, t.relation, t.bound) : t.relation === '>=' ? value >= t.bound : value <= t.bound;

/**
 * Finds the least expected messenger cost among settings meeting every target, and the frontier.
 * With `largest` (a parameter that measures what the setting withstands, such as a crash rate),
 * the winner is instead the setting meeting every target with the largest value of it, the
 * cheaper one on a tie.
 */
export function plan(summaries: readonly CellSummary[], targets: readonly Target[], largest?: string): Plan {
  const candidates: Candidate[] = summaries.map((summary) => {
    const found = targets.map((t) => judged(summary, t));
    const values = found.map((f) => f.value);
    const cost = summary.exact?.messengersMean ?? summary.messengers.mean;
    const exact = summary.exact !== null;
    const met = found.map((f) => f.met);
    return { summary, cost, values, exact, below: found.map((f) => f.below), met, undecided: found.map((f) => f.undecided), meets: met.every(Boolean) };
  });
  const first = targets[0]!;
  const better = (a: number, b: number): boolean => (first.relation === '>=' ? a > b : a < b);
  const byCost = [...candidates].sort((a, b) => a.cost - b.cost || (better(a.values[0]!, b.values[0]!) ? -1 : 1));
  const tolerance = (c: Candidate): number => Number(c.summary.params[largest ?? ''] ?? 0);
  const meeting = byCost.filter((c) => c.meets);
  const winner = largest
    ? (meeting.reduce<Candidate | null>((w, c) => (w === null || tolerance(c) > tolerance(w) ? c : w), null) ?? null)
    : (meeting[0] ?? null);
  const frontier: Candidate[] = [];
  if (largest) frontier.push(...[...candidates].sort((a, b) => tolerance(b) - tolerance(a)));
  else for (const c of byCost) if (!frontier.length || closer(c, frontier[frontier.length - 1]!, first, 0)) frontier.push(c);
  const unreachable = targets.flatMap((t, i) => {
    if (candidates.some((c) => c.met[i])) return [];
    const closest = byCost.reduce((w, c) => (closer(c, w, t, i) ? c : w));
    return [{ target: i, best: closest }];
  });
  return { winner, candidates, frontier, unreachable, exact: candidates.every((c) => c.exact) };
}
