import { terminalSafe } from '../io/text.js';
import type { Report } from '../report.js';
import { judgeExpectations, placeParts } from '../stats/expectations.js';
import type { ExpectationCheck } from '../stats/expectations.js';
import type { Exporter } from './types.js';

/** Text as XML character data or an attribute value: control characters visible, markup escaped. */
export function xmlText(text: string): string {
  return terminalSafe(text, true)
    .replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.codePointAt(0)!.toString(16)}`)
    .replace(/[\uD800-\uDFFF]/g, (c, i: number, s: string) => {
      const code = c.charCodeAt(0);
      const pair =
        code < 0xdc00 ? s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff : s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) < 0xdc00;
      return pair ? c : '\uFFFD';
    })
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function testCase(c: ExpectationCheck): string {
  const params = Object.entries(c.summary.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const where = c.place === undefined ? null : placeParts(c.place);
  const attributes = [
    `name="${xmlText(`${c.metric} ${c.bound} (${params})`)}"`,
    `classname="${xmlText(`twogenerals.${c.summary.cell.scenario.name}`)}"`,
    ...(where ? [`file="${xmlText(where.file)}"`, `line="${where.line}"`] : []),
    'time="0"',
  ].join(' ');
  if (c.passed) return `    <testcase ${attributes}/>`;
  return `    <testcase ${attributes}>\n      <failure message="${xmlText(c.message)}" type="expect">${xmlText(c.message)}</failure>\n    </testcase>`;
}

/**
 * JUnit XML (the format GitLab, Jenkins and Azure read): one test suite per scenario, one test
 * case per gate per cell (an `expect` entry judged on one cell), a failure where it does not
 * hold. A scenario without gates is an empty suite.
 */
export const junitExporter: Exporter = {
  name: 'junit',
  render(report: Report) {
    const checks = judgeExpectations(report);
    const suites = report.scenarios.map((scenario) => {
      const mine = checks.filter((c) => c.summary.cell.scenario === scenario);
      const failures = mine.filter((c) => !c.passed).length;
      const head = `  <testsuite name="${xmlText(scenario.name)}" tests="${mine.length}" failures="${failures}" errors="0" skipped="0" time="0">`;
      return mine.length ? `${head}\n${mine.map(testCase).join('\n')}\n  </testsuite>` : `${head}</testsuite>`;
    });
    const failures = checks.filter((c) => !c.passed).length;
    return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="twogenerals" tests="${checks.length}" failures="${failures}" errors="0" time="0">\n${suites.join('\n')}\n</testsuites>\n`;
  },
};
