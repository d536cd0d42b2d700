import type { Proportion } from '../stats/summary.js';
import { byScenario, paramColumns, scenarioHeading } from './markup.js';
import { exactProportion, shortNumber, shortProportion, signed } from './numbers.js';
import type { Exporter } from './types.js';
import { markdownInline, markdownText } from '../io/text.js';
import { judgeExpectations } from '../stats/expectations.js';
import type { ExpectationCheck } from '../stats/expectations.js';
import { percentOf } from '../io/wording.js';

/** A GitHub-flavoured Markdown report: one pipe table per scenario, for CI job summaries. */
export const markdownExporter: Exporter = {
  name: 'markdown',
  render(report) {
    const checks = judgeExpectations(report);
    const sections = byScenario(report.summaries).map(([scenario, summaries]) => {
      const params = paramColumns(scenario, summaries, scenario.protocolDefinition.usesRounds);
      const withExact = summaries.some((s) => s.exact);
      const withTrials = summaries.some((s) => s.trials > 0);
      const stat = (name: string): string[] => [
        ...(withTrials ? [name, `${name} ${ciLabel(report.confidence)}`] : []),
        ...(withExact ? [`${name} exact`, ...(withTrials ? [`${name} z`] : [])] : []),
      ];
      // Success and disagreement under the protocol's own labels (two-phase commit's committed and
      // inconsistent), the outcomes it shows beside them between (its blocked), as the table has them.
      const { names, shown, labels } = scenario.protocolDefinition.outcomes;
      const head = [
        ...params.map((p) => p.label),
        ...stat(labels[0]),
        ...shown.flatMap((i) => stat(names[i]!)),
        ...stat(labels[1]),
        ...(withTrials ? ['messengers'] : []),
        ...(withExact ? ['messengers exact', ...(withTrials ? ['messengers z'] : [])] : []),
      ];
      const rows = summaries.map((s) => {
        const cell = (p: Proportion, exact: number | undefined, z: number | null | undefined): string[] => [
          ...(withTrials ? [shortProportion(p.estimate), `[${shortProportion(p.low)}, ${shortProportion(p.high)}]`] : []),
          ...(withExact ? [exact === undefined ? '' : exactProportion(exact), ...(withTrials ? [z === null || z === undefined ? '' : signed(z)] : [])] : []),
        ];
        return [
          ...params.map((p) => String(s.params[p.name] ?? '')),
          ...cell(s.success, s.exact?.success, s.exact?.successZ),
          ...shown.flatMap((i) => cell(s.outcomes[i]!, s.exact?.outcomes[i], s.exact?.outcomeZ[i])),
          ...cell(s.disagreement, s.exact?.disagreement, s.exact?.disagreementZ),
          ...(withTrials ? [shortNumber(s.messengers.mean, 5)] : []),
          // The cost's z as the table shows it: a protocol that costs more than its exact mean says so here too.
          ...(withExact
            ? [s.exact ? shortNumber(s.exact.messengersMean, 6) : '', ...(withTrials ? [s.exact?.messengersZ == null ? '' : signed(s.exact.messengersZ)] : [])]
            : []),
        ];
      });
      // The heading holds the seed and fixed values (a trace file's name): any text, shown as text.
      const lines = [`### ${markdownInline(scenarioHeading(scenario, summaries, scenario.protocolDefinition.usesRounds))}`, ''];
      if (scenario.description) lines.push(markdownText(scenario.description), '');
      lines.push(pipeRow(head), pipeRow(head.map(() => '---:')), ...rows.map(pipeRow));
      lines.push(...expectationLines(checks.filter((c) => c.summary.cell.scenario === scenario)));
      return lines.join('\n');
    });
    return `${sections.join('\n\n')}\n`;
  },
};

/** Pass/fail marks for a CI job summary: one line per expectation, the failing cells under it. */
function expectationLines(checks: readonly ExpectationCheck[]): string[] {
  if (!checks.length) return [];
  const groups = new Map<string, ExpectationCheck[]>();
  for (const c of checks) {
    const key = `${c.metric} ${c.bound}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(c);
  }
  const lines = ['', '**Expectations**', ''];
  for (const [key, group] of groups) {
    const failed = group.filter((c) => !c.passed);
    // A baseline's path is the user's text: shown as text, on its line.
    lines.push(`- ${failed.length ? '❌' : '✅'} ${markdownInline(key)}: ${group.length - failed.length} of ${group.length} cells pass`);
    for (const f of failed) lines.push(`  - ${markdownInline(f.message)}`);
  }
  return lines;
}

function ciLabel(confidence: number): string {
  return `${percentOf(confidence)} CI`;
}

function pipeRow(cells: readonly string[]): string {
  return `| ${cells.map(markdownInline).join(' | ')} |`;
}
