import type { OutcomeSet } from '../contract/protocol.js';
import { UsageError } from '../errors.js';
import type { BaselineLookup, Report } from '../report.js';
import { EXACT_ROUNDING, exactAllowance, exactVerdict } from './exact-verdict.js';
import { exactRange, exactRangeVerdict, shownExactRange } from './exact-range.js';
import type { ExactRange } from './exact-range.js';
import type { Expectation } from '../scenario/types.js';
import { fisherLogLowerTail, fisherLogUpperTail } from './fisher.js';
import { normalQuantile, upperNormalQuantileOfLog } from './normal.js';
import type { CellSummary } from './summary.js';

/** One `expect` assertion judged on one cell. */
export interface ExpectationCheck {
  readonly summary: CellSummary;
  readonly metric: string;
  /** How the bound reads: `≥ 0.9`, `≤ 0.25`, `not worse than ./baseline/results.json`. */
  readonly bound: string;
  readonly kind: 'atLeast' | 'atMost' | 'notWorseThan';
  readonly passed: boolean;
  readonly message: string;
  /** Where the `expect` entry is written ("file:line:column"), when it came from a file. */
  readonly place?: string;
  /** The file of that place as found beside the shard that recorded it (merge run from another folder). */
  readonly placeFile?: string;
  /** What was compared: the interval (or exact value), and for a baseline gate the baseline and the test. */
  readonly value: { readonly low: number; readonly high: number };
  readonly baseline?: { readonly value: number; readonly exact: boolean; readonly z: number | null };
}

/**
 * Judges each scenario's `expect` on every cell (README, "In CI and on clusters"): atLeast holds
 * when the interval's lower end reaches the bound, atMost when its upper end stays under it.
 * Without trials the exact value is judged instead, and a gate with neither is refused
 * (UsageError). notWorseThan compares the cell with the same cell of a saved run (see
 * judgeAgainstBaseline).
 */
export function judgeExpectations(report: Report, baselines: BaselineLookup | undefined = report.baselines): ExpectationCheck[] {
  const checks: ExpectationCheck[] = [];
  for (const summary of report.summaries) {
    const scenario = summary.cell.scenario;
    for (const e of scenario.expect) {
      const range = metricRange(summary, e.metric);
      const where = cellName(summary);
      if (!range) {
        // Validation refuses a metric the protocol lacks; without trials (`exact`) a cell with no
        // exact value has nothing to judge. Either way a gate must not pass unjudged.
        const why =
          summary.trials > 0
            ? `${scenario.protocol} has no outcome ${e.metric}`
            : 'it has no trials and no exact value (judge it with trials: twogenerals run)';
        throw new UsageError(e.place ?? scenario.source, `the gate on ${e.metric} cannot be judged in ${where}: ${why}`);
      }
      const shown = range.exact ? shownExactRange(range) : `[${range.low}, ${range.high}]`;
      const place = e.place === undefined ? {} : { place: e.place, ...(e.placeFile === undefined ? {} : { placeFile: e.placeFile }) };
      // An exact value within the engine's rounding of the bound is on no known side of it: the
      // gate is refused, not passed or failed on rounding's say.
      const exactPasses = (exact: ExactRange, relation: '>=' | '<=', bound: number): boolean => {
        const verdict = exactRangeVerdict(exact, relation, bound);
        if (verdict === 'undecided')
          throw new UsageError(
            e.place ?? scenario.source,
            `the gate on ${e.metric} cannot be judged in ${where}: its exact value ${shown} lies within the exact engine's rounding (${exactAllowance(exact.low, bound, exact.rounding).toPrecision(2)}) of ${bound}, so which side of it the true value is on is not known (judge it with trials: twogenerals run, or a bound further from it)`,
          );
        return verdict === 'met';
      };
      if (e.atLeast !== undefined) {
        const passed = range.exact ? exactPasses(range, '>=', e.atLeast) : range.low >= e.atLeast;
        checks.push({
          summary,
          metric: e.metric,
          bound: `≥ ${e.atLeast}`,
          kind: 'atLeast',
          passed,
          message: `${where}: ${e.metric} ${shown} is ${passed ? '' : 'not '}at least ${e.atLeast}`,
          value: range,
          ...place,
        });
      }
      if (e.atMost !== undefined) {
        const passed = range.exact ? exactPasses(range, '<=', e.atMost) : range.high <= e.atMost;
        checks.push({
          summary,
          metric: e.metric,
          bound: `≤ ${e.atMost}`,
          kind: 'atMost',
          passed,
          message: `${where}: ${e.metric} ${shown} is ${passed ? '' : 'not '}at most ${e.atMost}`,
          value: range,
          ...place,
        });
      }
      if (e.notWorseThan !== undefined) {
        if (!baselines) throw new Error('notWorseThan judged without its baseline');
        checks.push({ ...judgeAgainstBaseline(summary, e, baselines(e, scenario), report.confidence), ...place });
      }
    }
  }
  return checks;
}

/** A place "file:line:column" taken apart (the file may hold colons itself). */
export function placeParts(place: string): { file: string; line: number; column: number } | null {
  const match = /^(.*):(\d+):(\d+)$/.exec(place);
  return match ? { file: match[1]!, line: Number(match[2]), column: Number(match[3]) } : null;
}

function cellName(summary: CellSummary): string {
  return `${summary.cell.scenario.name} (${Object.entries(summary.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')})`;
}

/** Whether a larger value of the metric is better: success and the outcomes that count as success. */
export function higherIsBetter(outcomes: OutcomeSet, metric: string): boolean {
  return metric === 'success' || outcomes.success.some((i) => outcomes.names[i] === metric);
}

/**
 * The regression gate: the cell's metric is not worse than the same cell of a baseline run.
 * Exact against exact where both have exact values (worse by more than rounding fails).
 * Otherwise Fisher's exact one-sided test of the two proportions (stats/fisher.ts) at the run's
 * confidence level: the gate fails when the cell is worse with significance 1 − confidence, so
 * the same protocol at another seed fails it at most that often, whatever the two sample sizes
 * and however rare the events, and a measurably worse one fails it. Its z is the normal quantile
 * of the exact p-value.
 */
export function judgeAgainstBaseline(summary: CellSummary, e: Expectation, baseline: Report, confidence: number): ExpectationCheck {
  const where = cellName(summary);
  const path = e.notWorseThan!;
  const bound = `not worse than ${path}`;
  const other = baselineCell(summary, baseline, path);
  const better = higherIsBetter(summary.cell.scenario.protocolDefinition.outcomes, e.metric);
  const mine = metricRange(summary, e.metric);
  const theirs = metricRange(other, e.metric);
  if (!mine) throw new Error(`notWorseThan: no ${e.metric} in ${where}`);
  if (!theirs) throw new BaselineMismatch(path, `its cell for ${where} has no ${e.metric}`);
  const mineExact = exactRange(summary, e.metric);
  const theirsExact = exactRange(other, e.metric);
  const direction = better ? 'lower' : 'higher';
  const verdict = { summary, metric: e.metric, bound, kind: 'notWorseThan' } as const;
  const exactPassed = mineExact && theirsExact ? exactNotWorse(mineExact, theirsExact, better) : null;
  if (exactPassed !== null) {
    const [mineShown, theirsShown] = [mineExact!, theirsExact!].map((r) =>
      r.held
        ? r.low === 1 && r.rest.high > 0
          ? shownExactRange(r).slice(0, -1)
          : `${r.low} (exact`
        : `below ${r.high} (exact, too small for a double to hold`,
    );
    return {
      ...verdict,
      passed: exactPassed,
      message: `${where}: ${e.metric} ${mineShown}) is ${exactPassed ? 'not worse than' : `${direction} than`} the baseline's ${theirsShown}, ${path})`,
      value: { low: mineExact!.low, high: mineExact!.high },
      baseline: { value: theirsExact!.held ? theirsExact!.low : theirsExact!.high, exact: true, z: null },
    };
  }
  const n1 = summary.trials;
  const n0 = other.trials;
  if (!(n1 > 0 && n0 > 0)) {
    // Exact values on both sides that cannot be told apart: both left empty below their bounds, or within the engine's rounding of each other.
    if (mineExact && theirsExact)
      throw new BaselineMismatch(
        path,
        `${where}: ${e.metric}'s exact values, ${shownExactRange(mineExact)} and the baseline's ${shownExactRange(theirsExact)}, cannot be told apart without trials (compare runs with trials: twogenerals run)`,
      );
    throw new BaselineMismatch(path, `${where}: one of the two runs has exact values only and the other none, so they cannot be compared`);
  }
  const x1 = metricCount(summary, e.metric);
  const x0 = metricCount(other, e.metric);
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  // The worse side's events (failures where higher is better), tested by Fisher's exact test.
  const bad1 = better ? n1 - x1 : x1;
  const bad0 = better ? n0 - x0 : x0;
  const logP = fisherLogUpperTail(bad1, bad1 + bad0, n1, n0);
  // p is 1 exactly where this run has the fewest of the worse side's trials the two runs' totals allow.
  const least = fisherLogLowerTail(bad1, bad1 + bad0, n1, n0) === Number.NEGATIVE_INFINITY;
  const z = least ? Number.NEGATIVE_INFINITY : oneSidedZ(logP, () => fisherLogLowerTail(bad1, bad1 + bad0, n1, n0));
  const critical = normalQuantile(confidence);
  const passed = logP >= Math.log(1 - confidence);
  const test = least
    ? `${path}; Fisher's exact p = 1, no z: ${leastCount(e.metric, better, bad1 === 0)}, so nothing in it counts toward worse`
    : `${path}; one-sided z = ${Number.isFinite(z) ? z.toFixed(2) : '∞'}, critical ${critical.toFixed(2)} at ${confidence}; Fisher's exact p = ${shownLogProbability(logP)}`;
  return {
    ...verdict,
    passed,
    message: `${where}: ${e.metric} ${p1} is ${passed ? 'not significantly worse than' : `significantly ${direction} than`} the baseline's ${p0} (${test})`,
    value: mine,
    baseline: { value: p0, exact: false, z: Number.isFinite(z) ? z : null },
  };
}

/**
 * The test's z, the normal quantile of 1 − p: from p's log (logP), or where p is so near 1 that
 * its log is 0 in a double (z would read −∞), from the log of the other tail (logLower), whose
 * size a double keeps: −Φ⁻¹ of it.
 */
function oneSidedZ(logP: number, logLower: () => number): number {
  const z = upperNormalQuantileOfLog(logP);
  return z === Number.NEGATIVE_INFINITY ? -upperNormalQuantileOfLog(logLower()) : z;
}

/**
 * Why Fisher's p is 1: this run has the fewest of the worse side's trials it could have given
 * the two runs' totals, none (`ownNone`), or, where every trial of the baseline is on the worse
 * side, as few as the baseline's trials leave it. Its z would be −∞, which reads as a measured
 * improvement where the test has measured nothing.
 */
function leastCount(metric: string, higherBetter: boolean, ownNone: boolean): string {
  if (ownNone) return higherBetter ? `every trial of this run ends in ${metric}` : `no trial of this run ends in ${metric}`;
  return higherBetter ? `no trial of the baseline ends in ${metric}` : `every trial of the baseline ends in ${metric}`;
}

/**
 * The baseline's cell that corresponds to this one: the one with the same parameters, else the
 * one with the same values of the parameters this scenario sweeps, else the one at the same
 * place when both runs have as many cells and none of the baseline's has this run's swept
 * values. Its scenario is the one of the same name, or the
 * baseline's only one.
 */
function baselineCell(summary: CellSummary, baseline: Report, path: string): CellSummary {
  const scenario = summary.cell.scenario;
  const named = baseline.scenarios.find((s) => s.name === scenario.name) ?? (baseline.scenarios.length === 1 ? baseline.scenarios[0] : undefined);
  if (!named) throw new BaselineMismatch(path, `it has no scenario named ${scenario.name}`);
  const cells = baseline.summaries.filter((s) => s.cell.scenario === named);
  const same = (a: Readonly<Record<string, unknown>>, keys: readonly string[]) => (s: CellSummary) => keys.every((k) => s.params[k] === a[k]);
  const exact = cells.filter(same(summary.params, Object.keys(summary.params)));
  if (exact.length === 1) return exact[0]!;
  const swept = scenario.sweep.map((a) => a.parameter);
  const bySweep = swept.length ? cells.filter(same(summary.params, swept)) : [];
  if (bySweep.length === 1) return bySweep[0]!;
  // The same place only where the sweep's values changed throughout: where some cells of this run
  // are in the baseline, one that is not is missing from it, never compared with another's.
  const someInBaseline = swept.length > 0 && cells.some((c) => scenario.sweep.every((a) => a.values.includes(c.params[a.parameter] as number)));
  const mine = report(summary);
  if (cells.length === mine && !someInBaseline) return cells[summary.cell.index]!;
  throw new BaselineMismatch(path, `none of its cells matches ${cellName(summary)}`);
}

/** The number of cells of the summary's scenario. */
function report(summary: CellSummary): number {
  const scenario = summary.cell.scenario;
  return scenario.sweep.reduce((n, a) => n * a.values.length, 1);
}

/** A baseline that cannot be compared with this run: the user's to fix. */
export class BaselineMismatch extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'BaselineMismatch';
  }
}

/**
 * Whether this exact value is not worse than the baseline's, allowing for rounding (exactVerdict):
 * held values compared as they are, and a value left empty by its range below its bound, where the
 * ranges decide (an empty one below a held one at or above its bound); null where they cannot.
 */
function exactNotWorse(mine: ExactRange, theirs: ExactRange, higherBetter: boolean): boolean | null {
  // Two held values above one half by their complements, the rest's mass, which the double holds
  // where it rounds both to 1 (a success of 1 − 1.2e-21 against a baseline's 1 − 1.1e-22).
  if (mine.held && theirs.held && mine.low > 0.5 && theirs.low > 0.5) return exactNotWorse(restRange(mine), restRange(theirs), !higherBetter);
  const relation = higherBetter ? '>=' : '<=';
  // Both values' rounding: the larger of the two engines'.
  const rounding = Math.max(mine.rounding ?? EXACT_ROUNDING, theirs.rounding ?? EXACT_ROUNDING);
  // Surely not worse: this value's worst end against the baseline's best.
  if (exactVerdict(higherBetter ? mine.low : mine.high, relation, higherBetter ? theirs.high : theirs.low, rounding) === 'met') return true;
  // Surely worse: even this value's best end is worse than the baseline's worst.
  if (exactVerdict(higherBetter ? mine.high : mine.low, relation, higherBetter ? theirs.low : theirs.high, rounding) === 'missed') return false;
  return null;
}

/** The complement of a held value as a range of its own: the mass of the other outcomes. */
function restRange(r: ExactRange): ExactRange {
  return {
    low: r.rest.low,
    high: r.rest.high,
    held: r.rest.low === r.rest.high,
    rest: { low: r.low, high: r.high },
    ...(r.rounding === undefined ? {} : { rounding: r.rounding }),
  };
}

function metricCount(s: CellSummary, metric: string): number {
  if (metric === 'success') return s.success.count;
  if (metric === 'disagreement') return s.disagreement.count;
  return s.outcomes[s.outcomeNames.indexOf(metric)]?.count ?? 0;
}

/**
 * What a gate judges: the interval, or without trials the exact value, which where it is left
 * empty (too small for a double) is the range below its bound, judged on its ends as an interval
 * is: it meets `atMost` a bound at or above that, and fails `atLeast` one above 0.
 */
function metricRange(
  s: CellSummary,
  metric: string,
): { low: number; high: number; exact?: undefined; held?: undefined } | (ExactRange & { exact: true }) | null {
  if (s.trials > 0) {
    if (metric === 'success') return s.success;
    if (metric === 'disagreement') return s.disagreement;
    const i = s.outcomeNames.indexOf(metric);
    return i < 0 ? null : s.outcomes[i]!;
  }
  const range = exactRange(s, metric);
  return range === null ? null : { ...range, exact: true };
}

/** A probability given by its natural log, to 3 digits, also below a double's least (2.5e-4523). */
function shownLogProbability(logP: number): string {
  if (logP > -700) return String(Number(Math.exp(logP).toPrecision(3)));
  const log10 = logP / Math.LN10;
  let exponent = Math.floor(log10);
  // exp rather than `**`: V8's exp gives the same bits on every Node, its pow has not.
  let mantissa = Number(Math.exp((log10 - exponent) * Math.LN10).toPrecision(3));
  if (mantissa >= 10) {
    mantissa /= 10;
    exponent += 1;
  }
  return `${mantissa}e${exponent}`;
}
