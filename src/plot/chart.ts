import { UsageError } from '../errors.js';
import { importModule } from '../io/import-module.js';
import { compilesGenerated } from '../engine/generated-code.js';
import { inlineText } from '../io/text.js';
import { leftOffNotes, undrawable } from './left-off.js';
import { lineColourScale } from './line-colours.js';
import { linesOfOnePoint } from './lone-points.js';
import type { LeftOff } from './left-off.js';
import type { Value } from '../export/rows.js';
import { wilsonIntervalAtZ } from '../stats/wilson.js';
import type { Interval } from '../stats/wilson.js';

/** What to draw: a metric against one parameter, one line per value of another. */
export interface ChartOptions {
  readonly metric: string;
  readonly x: string;
  readonly series: string | null;
  readonly logY: boolean;
  /** True where the user asked for the logarithmic axis (--log-y), not where the sweep's shape chose it. */
  readonly logYAsked?: boolean;
  readonly title: string;
  /**
   * The columns whose values tell the lines apart: the series, then any other parameter that
   * varies among rows of one series at one x (a third swept parameter), so that no line joins
   * points of different settings. Default: the series alone.
   */
  readonly lineBy?: readonly string[];
}

export type Row = Readonly<Record<string, Value>>;

/** Metrics `plot` can draw, besides the outcome names (drawn as proportions). */
export const PLOT_METRICS = ['success', 'disagreement', 'messengers_mean', 'delivered_mean', 'rounds_mean'];

const EXACT_COLUMNS: Record<string, string> = { success: 'success_exact', disagreement: 'disagreement_exact', messengers_mean: 'messengers_exact' };

const NON_PARAMETERS = new Set(['scenario', 'protocol', 'channel', 'trials']);

/** The columns after the parameters that say which run a row comes from: rows of two runs of one setting differ only there. */
const RUN_COLUMNS = ['trials', 'seed'];

/** The parameter columns whose value differs between rows: what the sweep swept. */
export function sweptParameters(columns: readonly string[], rows: readonly Row[]): string[] {
  const end = columns.indexOf('trials');
  return columns
    .slice(0, end < 0 ? columns.length : end)
    .filter((c) => !NON_PARAMETERS.has(c))
    .filter((c) => new Set(rows.map((r) => r[c])).size > 1 && rows.every((r) => typeof r[c] === 'number'));
}

/**
 * The chart `plot` draws by default, from the sweep's shape: disagreement against the swept
 * parameter with the most values, one line per value of the next swept parameter, a log scale
 * when the values span more than two orders of magnitude. Null when nothing was swept.
 */
export function defaultChart(columns: readonly string[], rows: readonly Row[], title: string, metric = 'disagreement'): ChartOptions | null {
  const swept = sweptParameters(columns, rows);
  if (!swept.length) return null;
  const distinct = (c: string) => new Set(rows.map((r) => r[c])).size;
  const x = [...swept].sort((a, b) => distinct(b) - distinct(a))[0]!;
  // Results of several scenarios (run a.yaml b.yaml) get a line per scenario.
  const series = distinct('scenario') > 1 ? 'scenario' : (swept.find((c) => c !== x) ?? null);
  return { metric, x, series, logY: spansDecades(rows, metric), title, lineBy: lineColumns(columns, rows, x, series) };
}

/**
 * The columns that tell the chart's lines apart: the series, then each other parameter column
 * (scenario, protocol, channel, a parameter) that still differs between rows of one line at one
 * x, then the run's own trials and seed. Without it a sweep of three parameters joined the third's
 * values into one saw-toothed line, and so did two runs of one scenario at two seeds (`run a.yaml
 * b.yaml` where b is a with another seed), their estimates alternating along one line.
 */
export function lineColumns(columns: readonly string[], rows: readonly Row[], x: string, series: string | null): string[] {
  const end = columns.indexOf('trials');
  const key: string[] = series === null ? [] : [series];
  const valueKey = (row: Row, cs: readonly string[]): string => JSON.stringify(cs.map((c) => row[c] ?? null));
  const runColumns = end < 0 ? [] : RUN_COLUMNS.filter((c) => columns.includes(c));
  for (const c of [...columns.slice(0, end < 0 ? columns.length : end), ...runColumns]) {
    if (c === x || key.includes(c)) continue;
    const seen = new Map<string, string>();
    const splits = rows.some((row) => {
      const at = valueKey(row, [...key, x]);
      const value = valueKey(row, [c]);
      if (!seen.has(at)) seen.set(at, value);
      return seen.get(at) !== value;
    });
    if (splits) key.push(c);
  }
  return key;
}

export function spansDecades(rows: readonly Row[], metric: string): boolean {
  const values = rows.map((r) => metricValue(r, metric)).filter((v): v is number => v !== null && v > 0);
  return values.length > 1 && largest(values) / smallestOf(values) > 100;
}

/**
 * The largest and smallest of a chart's values, by a loop: `Math.max(...values)` passes each value
 * as an argument, and past about 125,000 of them (a sweep of 100,000 cells, four values each) the
 * call overflows the stack.
 */
export const largest = (values: readonly number[]): number => values.reduce((m, v) => Math.max(m, v), Number.NEGATIVE_INFINITY);
export const smallestOf = (values: readonly number[]): number => values.reduce((m, v) => Math.min(m, v), Number.POSITIVE_INFINITY);

/**
 * The z of a row's own intervals, read back from its success (or disagreement) interval: a Wilson
 * interval's ends e solve (p − e)² = z² e(1 − e) / n. Null where neither end says (no trials).
 */
function rowZ(row: Row): number | null {
  const n = row['trials'];
  if (typeof n !== 'number' || !(n > 0)) return null;
  for (const m of ['success', 'disagreement']) {
    const p = row[m];
    if (typeof p !== 'number') continue;
    for (const end of [row[`${m}_low`], row[`${m}_high`]]) {
      if (typeof end === 'number' && end > 0 && end < 1 && end !== p) return Math.sqrt((n * (p - end) * (p - end)) / (end * (1 - end)));
    }
  }
  return null;
}

/** An outcome's interval (its column holds the count): Wilson's, at the z of the row's own intervals. */
function outcomeInterval(row: Row, metric: string): Interval | null {
  const n = row['trials'];
  const count = row[metric];
  const z = rowZ(row);
  if (z === null || typeof n !== 'number' || typeof count !== 'number') return null;
  return wilsonIntervalAtZ(count, n, z);
}

/** The value drawn for a row: a column, or an outcome's count as a proportion of the trials. */
function metricValue(row: Row, metric: string, suffix = ''): number | null {
  if (!PLOT_METRICS.includes(metric)) {
    // An outcome: its column holds the count, drawn as a proportion (its band: outcomeInterval).
    if (suffix !== '' || typeof row[metric] !== 'number' || typeof row['trials'] !== 'number') return null;
    return (row[metric] as number) / (row['trials'] as number);
  }
  const direct = row[`${metric}${suffix}`];
  return typeof direct === 'number' ? direct : null;
}

/**
 * Text from results or file names in a chart (a title, a legend): an SVG is XML, which holds no
 * control characters, and may go to a terminal (plot without -o): shown as visible escapes.
 */
export function chartText(text: string): string {
  return inlineText(text).replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.codePointAt(0)!.toString(16)}`);
}

/**
 * A title as Vega takes it: Vega looks a title's text up as a name of its own before it draws it
 * as text, so a name every object has (a scenario called `constructor` or `toString`) stopped the
 * chart with an internal error. A trailing space, which Vega trims, keeps it text.
 */
function titleText(text: string): string {
  return text in Object.prototype ? `${text} ` : text;
}

/**
 * A Vega-Lite specification: the estimates as lines with points, the confidence band where the
 * metric has one, and the exact values as dashed lines where the results carry them. `note` hears
 * of each kind of value the chart leaves off (see leftOffNotes).
 */
export function chartSpec(rows: readonly Row[], options: ChartOptions, note: (text: string) => void = () => undefined): Record<string, unknown> {
  const lineBy = options.lineBy ?? (options.series ? [options.series] : []);
  // A parameter a row's scenario lacks (loss beside a Gilbert–Elliott scenario's goodToBad) is
  // blank in the CSV: a dash in the legend, not 'null'.
  const label = (v: Value | undefined): string => (v === null || v === undefined || v === '' ? '–' : String(v));
  const data = rows.flatMap((row) => {
    const series = lineBy.length ? chartText(lineBy.map((c) => label(row[c])).join(', ')) : 'estimate';
    const estimate = metricValue(row, options.metric);
    // An outcome's band from its count, at the confidence of the row's own intervals.
    const band = PLOT_METRICS.includes(options.metric) ? null : outcomeInterval(row, options.metric);
    const low = band ? band.low : metricValue(row, options.metric, '_low');
    const high = band ? band.high : metricValue(row, options.metric, '_high');
    // An outcome's exact probability where the rows carry it (plot adds it from saved results and runs).
    const exactColumn = EXACT_COLUMNS[options.metric] ?? (PLOT_METRICS.includes(options.metric) ? undefined : `${options.metric}_exact`);
    const exactValue = exactColumn && typeof row[exactColumn] === 'number' ? (row[exactColumn] as number) : null;
    return [{ x: row[options.x], series, estimate, low, high, exact: exactValue }];
  });
  const values = data.flatMap((d) => [d.estimate, d.low, d.high, d.exact]).filter((v): v is number => v !== null && Number.isFinite(v));
  const smallest = smallestOf(values.filter((v) => v > 0));
  // A logarithmic axis the sweep's shape chose shows an estimate of 0 (a rare event not seen) at
  // its foot rather than dropping the point: a symmetric log scale, logarithmic down to the
  // smallest value drawn, with a tick per decade and one at 0. Asked for (--log-y), it is a
  // plain logarithmic axis, on which a 0 cannot be drawn.
  const symlog = options.logY && !options.logYAsked && values.some((v) => v === 0) && Number.isFinite(smallest);
  // What the axis cannot draw (0 or below on a plain logarithmic axis; NaN or ±Infinity on any) is
  // left off, and said: a line that skips points silently misleads.
  const logarithmic = options.logY && !symlog;
  const leftOff: LeftOff[] = [];
  const lineNames = rows.map((row) => (lineBy.length ? chartText(lineBy.map((c) => `${c}=${label(row[c])}`).join(', ')) : ''));
  const leaveOff = (value: number | null, line: string, band = false): number | null => {
    const reason = value === null ? null : undrawable(value, logarithmic);
    if (reason === null) return value;
    leftOff.push({ line, reason, band });
    return null;
  };
  for (const [at, d] of data.entries()) {
    d.estimate = leaveOff(d.estimate, lineNames[at] || 'the estimates');
    d.exact = leaveOff(d.exact, lineNames[at] ? `${lineNames[at]} (exact)` : 'the exact values');
    // A band is drawn between both ends, or not at all.
    const bandReason = [d.low, d.high].map((v) => (v === null ? null : undrawable(v, logarithmic))).find((r) => r !== null);
    if (bandReason) {
      leftOff.push({ line: lineNames[at]!, reason: bandReason, band: true });
      [d.low, d.high] = [null, null];
    }
  }
  const decades = (): number[] => {
    const from = Math.floor(Math.log10(smallest));
    const to = Math.ceil(Math.log10(largest(values)));
    return [0, ...Array.from({ length: to - from + 1 }, (_, i) => Number(`1e${from + i}`))];
  };
  const scale = symlog
    ? {
        scale: { type: 'symlog', constant: smallest },
        axis: {
          values: decades(),
          labelOverlap: 'greedy',
          // Decades as a logarithmic axis writes them: 1,000 and 10 above 1, 0.001 and 1e-7 below.
          labelExpr: "datum.value >= 1 ? format(datum.value, ',') : format(datum.value, '~g')",
        },
      }
    : options.logY
      ? { scale: { type: 'log' } }
      : {};
  const y = { type: 'quantitative', title: titleText(options.metric), ...scale };
  const integers = rows.every((r) => Number.isInteger(r[options.x]));
  const x = { field: 'x', type: 'quantitative', title: titleText(options.x), ...(integers ? { axis: { tickMinStep: 1, format: 'd' } } : {}) };
  // The legend (and the colours) in the sweep's order, not as text: redundancy 1, 2, …, 10, not 1, 10, 11, 2.
  const lines = [...new Set(data.map((d) => d.series))];
  const color = { field: 'series', type: 'nominal', title: titleText(chartText(lineBy.join(', '))), sort: lines, ...lineColourScale(lines.length) };
  const layers: Record<string, unknown>[] = [];
  // The subtitle says what is drawn, and only that: a cost has no band, and not every result has exact values.
  const legend: string[] = [];
  if (data.some((d) => d.estimate !== null)) legend.push('lines with points: Monte Carlo estimate');
  // A line with one point has no width for its band nor length for its dashes: there the band is
  // a bar and the exact value a diamond (a point alone drew its estimate and nothing of either).
  const bandAlone = linesOfOnePoint(data, (d) => d.low !== null && d.high !== null);
  const exactAlone = linesOfOnePoint(data, (d) => d.exact !== null);
  const drawnValues =
    bandAlone.size || exactAlone.size ? data.map((d) => ({ ...d, bandAlone: bandAlone.has(d.series), exactAlone: exactAlone.has(d.series) })) : data;
  if (data.some((d) => d.low !== null && d.high !== null)) {
    layers.push({ mark: { type: 'area', opacity: 0.2 }, encoding: { x, y: { field: 'low', ...y }, y2: { field: 'high' }, color } });
    if (bandAlone.size)
      layers.push({
        transform: [{ filter: 'datum.bandAlone' }],
        mark: { type: 'rule', opacity: 0.3, strokeWidth: 7 },
        encoding: { x, y: { field: 'low', ...y }, y2: { field: 'high' }, color },
      });
    legend.push(bandAlone.size ? 'band or bar: confidence interval' : 'band: confidence interval');
  }
  if (data.some((d) => d.exact !== null)) {
    layers.push({ mark: { type: 'line', strokeDash: [4, 3], opacity: 0.8 }, encoding: { x, y: { field: 'exact', ...y }, color } });
    if (exactAlone.size)
      layers.push({
        transform: [{ filter: 'datum.exactAlone' }],
        mark: { type: 'point', shape: 'diamond', filled: false, size: 60, opacity: 0.9 },
        encoding: { x, y: { field: 'exact', ...y }, color },
      });
    legend.push(exactAlone.size ? 'dashed or diamond: exact' : 'dashed: exact');
  }
  if (data.some((d) => d.estimate !== null)) {
    layers.push({ mark: { type: 'line', point: true }, encoding: { x, y: { field: 'estimate', ...y }, color } });
  }
  // A chart with nothing on it is no answer: every value was 0 (or below) on a logarithmic axis, or none was there.
  if (!layers.length) {
    if (options.logY) throw new UsageError('--log-y', `${options.metric} is 0 in every cell, which a logarithmic axis cannot show: draw it without --log-y`);
    throw new UsageError(`--metric ${options.metric}`, 'no cell of the results has a value of it to draw');
  }
  // Said once the chart is sure to be drawn: a refused one says only why.
  for (const text of leftOffNotes(chartText(options.metric), leftOff)) note(text);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: titleText(chartText(options.title)), subtitle: legend.join('; ') },
    width: 480,
    height: 300,
    data: { values: drawnValues },
    layer: layers,
  };
}

/** The one step that gives charts: the charting stack is an optional peer of the package. */
export const CHARTING_INSTALL = 'npm install vega vega-lite @resvg/resvg-js';

/** Thrown when a chart is asked for and cannot be drawn here; `needs` says what would draw it. */
export class ChartingUnavailable extends UsageError {
  constructor(
    where: string,
    problem: string,
    readonly needs: string,
  ) {
    super(where, problem);
  }
}

/** The charting stack is not installed. */
export class ChartingMissing extends ChartingUnavailable {
  constructor(where: string, missing: string) {
    super(where, `drawing a chart needs ${missing}, which is not installed: run \`${CHARTING_INSTALL}\` (see README, "plot")`, `\`${CHARTING_INSTALL}\``);
  }
}

/** Node.js compiles no code from text here (--disallow-code-generation-from-strings), and Vega compiles each chart's expressions so. */
export class ChartingForbidden extends ChartingUnavailable {
  constructor(where: string) {
    super(
      where,
      "drawing a chart needs Node.js to compile code from text (Vega compiles the chart's expressions), which --disallow-code-generation-from-strings forbids here: run it without that option",
      'Node.js without --disallow-code-generation-from-strings',
    );
  }
}

/** Imports an optional charting package, or says in one line how to install it. */
async function importCharting<T>(name: string, where: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new ChartingMissing(where, name);
    throw error;
  }
}

/** Loads what drawing (and, for PNG, rasterizing) needs, before any work, so a missing package is said at once. */
export async function requireCharting(where: string, png = false): Promise<void> {
  if (!compilesGenerated()) throw new ChartingForbidden(where);
  await importCharting('vega', where, () => importModule('vega') as Promise<typeof import('vega')>);
  await importCharting('vega-lite', where, () => importModule('vega-lite') as Promise<typeof import('vega-lite')>);
  if (png) await importCharting('@resvg/resvg-js', where, () => importModule('@resvg/resvg-js') as Promise<typeof import('@resvg/resvg-js')>);
}

/** Renders the chart to SVG with Vega, headless (no browser, no canvas). */
export async function renderSvg(spec: Record<string, unknown>, where = 'chart'): Promise<string> {
  if (!compilesGenerated()) throw new ChartingForbidden(where);
  const vega = await importCharting('vega', where, () => importModule('vega') as Promise<typeof import('vega')>);
  const vegaLite = await importCharting('vega-lite', where, () => importModule('vega-lite') as Promise<typeof import('vega-lite')>);
  const view = new vega.View(vega.parse(vegaLite.compile(spec as never).spec), { renderer: 'none' });
  return `${await view.toSVG()}\n`;
}

/** Rasterizes the SVG with resvg (Rust, no browser), at twice the size for sharp text. */
export async function renderPng(svg: string, where = 'chart'): Promise<Buffer> {
  const { Resvg } = await importCharting('@resvg/resvg-js', where, () => importModule('@resvg/resvg-js') as Promise<typeof import('@resvg/resvg-js')>);
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true } }).render().asPng();
}
