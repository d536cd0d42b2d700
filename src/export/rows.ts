import { PARAMETER_NAMES } from '../catalog/parameters.js';
import type { CellSummary } from '../stats/summary.js';

export type Value = string | number | null;

/** The one CSV/JSON schema (README, "What the numbers mean"): column names in order, and one record per cell. */
export interface Rows {
  readonly columns: readonly string[];
  readonly records: readonly Record<string, Value>[];
}

/** `plan`'s column telling whether a setting meets every target, beside its parameters, cost and the targets' metrics. */
export const PLAN_VERDICT_COLUMN = 'meets';
/** plan's CSV and JSON column saying whether a row's values are exact (else the interval's unfavourable ends). */
export const PLAN_SOURCE_COLUMN = 'exact';

const STAT_COLUMNS = [
  'success',
  'success_low',
  'success_high',
  'disagreement',
  'disagreement_low',
  'disagreement_high',
  'messengers_mean',
  'messengers_sd',
  'messengers_min',
  'messengers_p50',
  'messengers_p90',
  'messengers_p99',
  'messengers_max',
  'delivered_mean',
  'rounds_mean',
];
const EXACT_COLUMNS = ['success_exact', 'success_z', 'disagreement_exact', 'disagreement_z', 'messengers_exact', 'messengers_z'];
/**
 * Without trials (the `exact` command) there are no counts, intervals or z-scores: after the
 * parameters come each outcome's exact probability (`both_exact`…), then these.
 */
export const EXACT_ONLY_COLUMNS = [
  'success_exact',
  'disagreement_exact',
  'messengers_exact',
  'messengers_sd_exact',
  'delivered_mean_exact',
  'rounds_mean_exact',
];

const HEAD_COLUMNS = ['scenario', 'protocol', 'channel'];

/**
 * Every column the CSV and JSON write that is not a parameter, for a protocol with these outcomes
 * (in either layout, with trials or exact only): names its outcomes and parameters must not take.
 */
export function writtenColumns(outcomes: readonly string[]): string[] {
  return [...HEAD_COLUMNS, 'trials', 'seed', ...outcomes, ...STAT_COLUMNS, ...EXACT_COLUMNS, ...outcomes.map((o) => `${o}_exact`), ...EXACT_ONLY_COLUMNS];
}

export function toRows(summaries: readonly CellSummary[]): Rows {
  const paramNames = new Set<string>(['loss', 'redundancy', 'rounds']);
  for (const s of summaries) for (const name of Object.keys(s.params)) paramNames.add(name);
  const params = [...paramNames].sort((a, b) => order(a) - order(b));
  const outcomes: string[] = [];
  for (const s of summaries) for (const name of s.outcomeNames) if (!outcomes.includes(name)) outcomes.push(name);
  if (summaries.length && summaries.every((s) => s.trials === 0)) return exactOnlyRows(summaries, params, outcomes);
  const withExact = summaries.some((s) => s.exact !== null);
  const columns = [...HEAD_COLUMNS, ...params, 'trials', 'seed', ...outcomes, ...STAT_COLUMNS, ...(withExact ? EXACT_COLUMNS : [])];
  return { columns, records: summaries.map((s) => record(s, params, outcomes, withExact)) };
}

function exactOnlyRows(summaries: readonly CellSummary[], params: readonly string[], outcomes: readonly string[]): Rows {
  const columns = [...HEAD_COLUMNS, ...params, ...outcomes.map((o) => `${o}_exact`), ...EXACT_ONLY_COLUMNS];
  const records = summaries.map((s) => {
    const cell = s.cell;
    const e = s.exact;
    const r: Record<string, Value> = { scenario: cell.scenario.name, protocol: cell.scenario.protocol, channel: cell.scenario.channel };
    for (const name of params) r[name] = cell.params[name] ?? null;
    for (const name of outcomes) {
      const i = s.outcomeNames.indexOf(name);
      r[`${name}_exact`] = e && i >= 0 ? e.outcomes[i]! : null;
    }
    Object.assign(r, {
      success_exact: e?.success ?? null,
      disagreement_exact: e?.disagreement ?? null,
      messengers_exact: e?.messengersMean ?? null,
      messengers_sd_exact: e?.messengersSd ?? null,
      delivered_mean_exact: e?.deliveredMean ?? null,
      rounds_mean_exact: e?.roundsMean ?? null,
    });
    for (const key of Object.keys(r)) if (typeof r[key] === 'number' && !Number.isFinite(r[key])) r[key] = null;
    return r;
  });
  return { columns, records };
}

/** A seed as the scenario wrote it: a whole number as a number (2026), any other text as text. */
function seedValue(seed: string): Value {
  const n = Number(seed);
  return Number.isSafeInteger(n) && String(n) === seed ? n : seed;
}

function order(name: string): number {
  const i = PARAMETER_NAMES.indexOf(name);
  return i < 0 ? PARAMETER_NAMES.length : i;
}

function record(s: CellSummary, params: readonly string[], outcomes: readonly string[], withExact: boolean): Record<string, Value> {
  const cell = s.cell;
  const r: Record<string, Value> = {
    scenario: cell.scenario.name,
    protocol: cell.scenario.protocol,
    channel: cell.scenario.channel,
  };
  for (const name of params) r[name] = cell.params[name] ?? null;
  r['trials'] = s.trials;
  r['seed'] = seedValue(cell.scenario.seed); // with the version and the scenario, all a row's numbers depend on
  for (const name of outcomes) {
    const i = s.outcomeNames.indexOf(name);
    r[name] = i < 0 ? null : s.outcomes[i]!.count;
  }
  const m = s.messengers;
  Object.assign(r, {
    success: s.success.estimate,
    success_low: s.success.low,
    success_high: s.success.high,
    disagreement: s.disagreement.estimate,
    disagreement_low: s.disagreement.low,
    disagreement_high: s.disagreement.high,
    messengers_mean: m.mean,
    messengers_sd: m.sd,
    messengers_min: m.min,
    messengers_p50: m.p50,
    messengers_p90: m.p90,
    messengers_p99: m.p99,
    messengers_max: m.max,
    delivered_mean: s.deliveredMean,
    rounds_mean: s.roundsMean,
  });
  if (withExact) {
    const e = s.exact;
    Object.assign(r, {
      success_exact: e?.success ?? null,
      success_z: e?.successZ ?? null,
      disagreement_exact: e?.disagreement ?? null,
      disagreement_z: e?.disagreementZ ?? null,
      messengers_exact: e?.messengersMean ?? null,
      messengers_z: e?.messengersZ ?? null,
    });
  }
  for (const key of Object.keys(r)) if (typeof r[key] === 'number' && !Number.isFinite(r[key])) r[key] = null;
  return r;
}
