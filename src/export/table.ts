import { Chalk } from 'chalk';
import Table from 'cli-table3';
import stringWidth from 'string-width';
import { narrowWidth } from '../io/string-width.js';
import type { CellSummary, Proportion } from '../stats/summary.js';
import { Z_WARNING } from '../stats/zscore.js';
import { byScenario, paramColumns, scenarioHeading } from './markup.js';
import { shortNumber, shortProportion, signed } from './numbers.js';
import type { Exporter } from './types.js';
import { inlineText, terminalSafe } from '../io/text.js';
import { percentOf } from '../io/wording.js';

/** For people at a terminal: rounded, coloured, two lines per cell, within 80 columns. */
export const tableExporter: Exporter = {
  name: 'table',
  render(report, { color }) {
    const c = new Chalk({ level: color ? 1 : 0 });
    const sections = byScenario(report.summaries).map(([scenario, summaries]) => {
      const protocol = scenario.protocolDefinition;
      const params = paramColumns(scenario, summaries, protocol.usesRounds);
      const { labels, shown } = protocol.outcomes;
      const head = [...params.map((p) => p.label), labels[0], ...shown.map((i) => protocol.outcomes.names[i]!), labels[1], 'messengers'].map(inlineText);
      const rows = summaries.map((s) => [
        ...params.map((p) => inlineText(String(s.params[p.name] ?? ''))),
        proportionCell(s.success, s.exact?.success, s.exact?.successZ, c.green, c),
        ...shown.map((i) => proportionCell(s.outcomes[i]!, s.exact?.outcomes[i], s.exact?.outcomeZ[i], c.yellow, c)),
        proportionCell(s.disagreement, s.exact?.disagreement, s.exact?.disagreementZ, c.red, c),
        costCell(s, c),
      ]);
      const style = { head: color ? ['bold'] : [], border: color ? ['grey'] : [], compact: true };
      const render = (titles: readonly string[], cells: readonly string[][], picked: readonly number[]): string => {
        const table = new Table({ head: picked.map((i) => titles[i]!), style });
        for (const row of cells) table.push(picked.map((i) => row[i]!));
        return table.toString();
      };
      const lines = [c.bold(wrap(inlineText(scenarioHeading(scenario, summaries, protocol.usesRounds)), 80))];
      if (scenario.description) lines.push(c.dim(wrap(terminalSafe(scenario.description), 78)));
      // The whole table first: where it fits (or cannot be split), it is printed as it is.
      const whole = render(head, rows, indexes(0, head.length));
      const widths = columnWidths(whole);
      const groups = columnGroups(widths, indexes(0, params.length), indexes(params.length, head.length));
      const fits = (parts: readonly number[][], of: readonly number[]): boolean => parts.every((group) => tableWidth(of, group) <= 80);
      // Where the parameters and a figure do not fit side by side, each cell is numbered (#): its
      // parameters in a table of their own, its figures in tables beside its number.
      const numberedHead = ['#', ...head];
      const numbered = fits(groups, widths) || params.length === 0 ? [] : rows.map((row, i) => [String(i + 1), ...row]);
      const numberedWidths = numbered.length ? columnWidths(render(numberedHead, numbered, indexes(0, numberedHead.length))) : [];
      const numberedGroups = numbered.length
        ? [indexes(1, params.length + 1), indexes(params.length + 1, numberedHead.length)].flatMap((part) => columnGroups(numberedWidths, [0], part))
        : [];
      if (numbered.length && fits(numberedGroups, numberedWidths)) for (const group of numberedGroups) lines.push(render(numberedHead, numbered, group));
      else if (groups.length === 1) lines.push(whole);
      else for (const group of groups) lines.push(render(head, rows, group));
      return lines.join('\n');
    });
    const percent = percentOf(report.confidence);
    const withTrials = report.summaries.some((s) => s.trials > 0);
    const note = withTrials
      ? `±: wider side of the ${percent} Wilson interval` + (report.summaries.some((s) => s.exact) ? '; =: exact; z: estimate vs exact' : '')
      : '=: exact probability (no trials)';
    return `${sections.join('\n\n')}\n${c.dim(note)}\n`;
  },
};

type Paint = (text: string) => string;

/** Select Graphic Rendition codes (colour, bold), all that chalk writes. */
const SGR = /\u001b\[\d{1,3}(?:;\d{1,3})*m/g;

/**
 * Each column's width in a rendered table, its border included, read off its top border: the
 * columns as cli-table3 measured them (a CJK character takes two, as on a terminal).
 */
function columnWidths(table: string): number[] {
  const top = table.slice(0, table.indexOf('\n')).replace(SGR, '');
  return top
    .slice(1, -1)
    .split('┬')
    .map((border) => border.length + 1);
}

/**
 * The columns of each table a section prints, so that each fits 80 columns where it can: the
 * `keys` (the parameters, or a cell's number) in every table, then as many of the `items` (the
 * figures) as fit beside them (at least one), in order.
 */
function columnGroups(widths: readonly number[], keys: readonly number[], items: readonly number[]): number[][] {
  const keyWidth = tableWidth(widths, keys);
  const groups: number[][] = [];
  let group: number[] = [];
  let width = keyWidth;
  for (const i of items) {
    if (group.length > 0 && width + widths[i]! > 80) {
      groups.push([...keys, ...group]);
      group = [];
      width = keyWidth;
    }
    group.push(i);
    width += widths[i]!;
  }
  groups.push([...keys, ...group]);
  return groups;
}

/** The columns a table of these columns takes: each column's width with its right border, and the left border. */
function tableWidth(widths: readonly number[], columns: readonly number[]): number {
  return 1 + columns.reduce((sum, i) => sum + widths[i]!, 0);
}

/** from, from + 1, …, to − 1. */
function indexes(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

function proportionCell(p: Proportion, exact: number | undefined, z: number | null | undefined, paint: Paint, c: InstanceType<typeof Chalk>): string {
  const lines: string[] = [];
  if (Number.isFinite(p.estimate)) {
    const half = Math.max(p.high - p.estimate, p.estimate - p.low);
    lines.push(`${paint(shortProportion(p.estimate))} ±${half >= 1e-5 ? half.toFixed(5) : shortNumber(half, 2)}`);
  }
  if (exact !== undefined) lines.push(`= ${shortProportion(exact)}${z === null || z === undefined ? '' : ` ${zText(z, c)}`}`);
  return lines.join('\n');
}

function costCell(s: CellSummary, c: InstanceType<typeof Chalk>): string {
  const lines: string[] = [];
  if (Number.isFinite(s.messengers.mean)) lines.push(shortNumber(s.messengers.mean, 5));
  if (s.exact) lines.push(`= ${shortNumber(s.exact.messengersMean, 5)}${s.exact.messengersZ === null ? '' : ` ${zText(s.exact.messengersZ, c)}`}`);
  return lines.join('\n');
}

function zText(z: number, c: InstanceType<typeof Chalk>): string {
  const text = `z${signed(z, 1)}`;
  return Math.abs(z) > Z_WARNING ? c.yellow.bold(text) : c.dim(text);
}

/**
 * Words to lines of at most `width` columns as a terminal draws them (a CJK character or an
 * emoji takes two); a word wider than a line (CJK text has no spaces) is broken between its
 * characters.
 */
function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const word of text.split(/\s+/)) {
    const columns = textWidth(word);
    if (columns > width) {
      let space = line ? 1 : 0;
      for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(word)) {
        const each = textWidth(segment);
        if (line && used + space + each > width) {
          lines.push(line);
          [line, used, space] = ['', 0, 0];
        }
        line += `${' '.repeat(space)}${segment}`;
        used += space + each;
        space = 0;
      }
    } else if (line && used + 1 + columns > width) {
      lines.push(line);
      [line, used] = [word, columns];
    } else {
      [line, used] = line ? [`${line} ${word}`, used + 1 + columns] : [word, columns];
    }
  }
  if (line) lines.push(line);
  return lines.join('\n');
}

/** The columns a text takes on a terminal, as cli-table3 measures its cells. */
function textWidth(text: string): number {
  return narrowWidth(text, stringWidth);
}
