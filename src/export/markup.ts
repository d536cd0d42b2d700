import { parameterSpec } from '../catalog/parameters.js';
import type { Scenario } from '../scenario/types.js';
import type { CellSummary } from '../stats/summary.js';
import { thousands } from './numbers.js';
import { counted } from '../io/wording.js';

/** The parameter columns people see: the swept ones, or all that matter for a single cell. */
export interface ParamColumn {
  readonly name: string;
  readonly label: string;
}

const LABELS: Record<string, string> = { redundancy: 'k', rounds: 'R', participants: 'n', lossAtoB: 'loss A→B', lossBtoA: 'loss B→A' };

/**
 * A parameter's column title in the table and Markdown (`k` for redundancy), its name where it has
 * no shorter one, or where another parameter of the scenario (`among`) is named as the shorter one
 * is: a protocol file's own `k` or `n` beside redundancy or participants, titled `k | k`, read as
 * one another's.
 */
export function parameterTitle(name: string, among: readonly string[] = []): string {
  const short = LABELS[name];
  return short === undefined || among.includes(short) ? name : short;
}

/** Every parameter a scenario's table or heading may show: its fixed ones, its axes and its cells'. */
function parameterNames(scenario: Scenario, summaries: readonly CellSummary[]): string[] {
  return [...new Set([...Object.keys(scenario.params), ...scenario.sweep.map((a) => a.parameter), ...summaries.flatMap((s) => Object.keys(s.params))])];
}

export function paramColumns(scenario: Scenario, summaries: readonly CellSummary[], usesRounds: boolean): ParamColumn[] {
  const names = scenario.sweep.length
    ? scenario.sweep.map((a) => a.parameter)
    : Object.keys(summaries[0]?.params ?? {}).filter((n) => n !== 'rounds' || usesRounds);
  const among = parameterNames(scenario, summaries);
  return names.map((name) => ({ name, label: parameterTitle(name, among) }));
}

/** One heading line per scenario: what ran, how often, with which seed. */
export function scenarioHeading(scenario: Scenario, summaries: readonly CellSummary[], usesRounds: boolean): string {
  const trials = summaries[0]?.trials ?? 0;
  if (scenario.precision !== undefined && trials) {
    return `${scenario.name}: ${scenario.protocol} over ${scenario.channel}${scenario.sweep.length ? fixedParams(scenario, summaries, usesRounds) : ''}; until every ± ≤ ${scenario.precision} (at most ${counted(scenario.trials, 'trial')}), seed ${scenario.seed}`;
  }
  const fixed = scenario.sweep.length ? fixedParams(scenario, summaries, usesRounds) : '';
  const what = trials ? `${thousands(trials)} trial${trials === 1 ? '' : 's'}${summaries.length > 1 ? ' per cell' : ''}, seed ${scenario.seed}` : 'exact';
  return `${scenario.name}: ${scenario.protocol} over ${scenario.channel}${fixed}; ${what}`;
}

function fixedParams(scenario: Scenario, summaries: readonly CellSummary[], usesRounds: boolean): string {
  const swept = new Set(scenario.sweep.map((a) => a.parameter));
  const among = parameterNames(scenario, summaries);
  const parts = Object.entries(scenario.params)
    .filter(([name]) => !swept.has(name) && !swept.has(parameterSpec(name)?.directionOf ?? '') && (name !== 'rounds' || usesRounds))
    .map(([name, value]) => `${parameterTitle(name, among)} ${value}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** Groups summaries by scenario, keeping order. */
export function byScenario(summaries: readonly CellSummary[]): [Scenario, CellSummary[]][] {
  const groups = new Map<Scenario, CellSummary[]>();
  for (const s of summaries) {
    const scenario = s.cell.scenario;
    if (!groups.has(scenario)) groups.set(scenario, []);
    groups.get(scenario)!.push(s);
  }
  return [...groups.entries()];
}
