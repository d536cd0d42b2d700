import { inlineText, terminalLines, thousands } from '../../io/text.js';
import { counted, nounFor } from '../../io/wording.js';
import { extname } from 'node:path';
import { Command, Option } from 'commander';
import Table from 'cli-table3';
import { toYaml } from '../../io/yaml-out.js';
import { UsageError } from '../../errors.js';
import { literalNumber, misreadText } from '../../io/number-literal.js';
import type { FitResult, gilbertIntervals, goodnessOfFit } from '../../fit/fit.js';
import { describeRange, traceStats } from '../../fit/trace-file.js';
import { readLossTraceInTurns } from '../../io/trace-input.js';
import type { LossTrace } from '../../fit/trace-file.js';
import { chartText, renderPng, renderSvg } from '../../plot/chart.js';
import { leftOffNotes, undrawable } from '../../plot/left-off.js';
import { drainInSlices } from '../../engine/slices.js';
import type { FitAllResult } from '../../fit/fit.js';
import type { LeftOff } from '../../plot/left-off.js';
import { inputPath } from '../../scenario/shipped.js';
import { checkChartOutput } from '../chart-output.js';
import { refuseDashName, writeWholeFile } from '../../io/output-place.js';
import { systemErrorWords } from '../../io/files.js';
import { drawsOnTerminal } from '../output.js';
import type { Streams } from '../output.js';
import { inCI } from '../progress.js';
import { plainJson } from '../../export/numbers.js';

/** No colours: the report is the same on a terminal, in a file and in CI. */
const PLAIN = { head: [], border: [] };

interface FitFlags {
  column?: string;
  model?: 'bernoulli' | 'gilbert' | 'gilbert-elliott';
  format: 'table' | 'json' | 'yaml';
  output?: string;
  lengths: string;
}

/** The channel a fit stands for, as a scenario fragment: Bernoulli's top-level loss, or a Gilbert–Elliott channel object. */
export function channelFragment(fit: FitResult): Record<string, unknown> {
  const round = (v: number): number => Number(v.toPrecision(6));
  if (fit.model === 'bernoulli') return { loss: round(fit.params['loss']!) };
  const p = fit.params;
  return {
    channel: {
      model: 'gilbert-elliott',
      goodToBad: round(p['goodToBad']!),
      badToGood: round(p['badToGood']!),
      lossGood: round(p['lossGood'] ?? 0),
      lossBad: round(p['lossBad'] ?? 1),
    },
  };
}

/**
 * `fit FILE`: channel models fitted to a measured loss trace — Bernoulli, the two-state Gilbert
 * model and the full Gilbert–Elliott model — with their likelihoods, AIC and BIC, the chosen one
 * (lowest BIC, or --model), the measured loss-burst and gap lengths against each model's, and the
 * chosen channel as a scenario fragment to paste.
 */
export function makeFitCommand(streams: Streams): Command {
  return new Command('fit')
    .description('fit channel models to a measured loss trace (0/1 digits, a CSV column, or a ping log) and print the best as a scenario fragment')
    .argument('<file>', 'the trace: one 0 (delivered) or 1 (lost) per packet, a CSV with --column, or the output of ping (Linux, macOS, BSD or busybox)')
    .option('--column <name>', 'the CSV column holding 0/1 (lost)')
    .addOption(new Option('--model <model>', 'use this model rather than the one BIC chooses').choices(['bernoulli', 'gilbert', 'gilbert-elliott']))
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'yaml']).default('table'))
    .option('-o, --output <file>', 'also draw the burst and gap lengths, measured against each model (.svg or .png)')
    .option('--lengths <n>', 'run lengths shown one by one before "or longer"', '10')
    .action(async (file: string, flags: FitFlags) => {
      const misread = misreadText(flags.lengths);
      if (misread) throw new UsageError(`--lengths ${flags.lengths}`, misread);
      const maxLength = literalNumber(flags.lengths);
      if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > 100)
        throw new UsageError(`--lengths ${flags.lengths}`, 'expected a whole number from 1 to 100');
      if (flags.output !== undefined) refuseDashName(flags.output, `-o ${flags.output}`, 'write the chart', 'stdout carries the fit');
      if (flags.output !== undefined && !['.svg', '.png'].includes(extname(flags.output)))
        throw new UsageError(`-o ${flags.output}`, 'the chart is written as .svg or .png');
      if (flags.output !== undefined) await checkChartOutput(flags.output, `-o ${flags.output}`, [inputPath(file)]);
      // The fitting code loads only for `fit`: every other command starts without it.
      const { fitAllSteps, gilbertIntervals, goodnessOfFit } = await import('../../fit/fit.js');
      // In turns of the event loop: Ctrl-C stops a long reading (or one a pipe keeps waiting) with its one line.
      const trace = await readLossTraceInTurns(inputPath(file), {
        file,
        columnOption: '--column',
        ...(flags.column ? { column: flags.column } : {}),
      });
      const { lost, format } = trace;
      // --quiet: only results and errors (--format json and yaml carry the warnings).
      if (!streams.quiet) for (const warning of trace.warnings) streams.stderr.write(`twogenerals: warning: ${inlineText(file)}: ${warning}\n`);
      const stats = traceStats(lost);
      if (stats.losses === 0)
        throw new UsageError(file, 'no losses recorded: every packet was delivered, so there is no loss pattern to fit (such a link is `loss: 0`)');
      const progress = emProgress(streams);
      let all: FitAllResult;
      try {
        // In slices: Ctrl-C stops a long fit with its one line.
        all = await drainInSlices(fitAllSteps(lost, { progress: progress.update }));
      } finally {
        progress.stop();
      }
      const forced =
        flags.model === 'bernoulli' ? all.bernoulli : flags.model === 'gilbert' ? all.gilbert : flags.model === 'gilbert-elliott' ? all.gilbertElliott : null;
      const chosen = forced ?? all.chosen;
      const fits = [all.bernoulli, all.gilbert, all.gilbertElliott];
      const goodness = goodnessOfFit(lost, fits, maxLength);
      const fragment = channelFragment(chosen);
      const intervals = gilbertIntervals(lost);
      if (flags.format !== 'table') {
        const data = {
          file,
          format,
          ...(trace.range ? { counted: trace.range } : {}),
          ...(trace.warnings.length ? { warnings: trace.warnings } : {}),
          trace: stats,
          fits: fits.map((f) => ({ model: f.model, params: f.params, logLikelihood: f.logLikelihood, parameters: f.parameters, aic: f.aic, bic: f.bic })),
          chosen: chosen.model,
          chosenBy: forced ? '--model' : 'lowest BIC',
          gilbertIntervals: intervals,
          goodness,
          scenario: fragment,
        };
        // Numbers as plain decimals, as every JSON twogenerals writes has them (2.7e-7 read as 0.00000027).
        streams.stdout.write(flags.format === 'json' ? `${plainJson(data, 2)}\n` : toYaml(data));
      } else {
        streams.stdout.write(terminalLines(fitReport(file, trace, stats, fits, chosen, forced !== null, goodness, fragment, intervals)));
      }
      if (flags.output) {
        const note = (text: string): void => {
          if (!streams.quiet) streams.stderr.write(`note: ${text}\n`);
        };
        const svg = await renderSvg(fitChart(goodness, file, note));
        try {
          writeWholeFile(flags.output, extname(flags.output) === '.png' ? await renderPng(svg) : svg);
        } catch (error) {
          // The report is printed already: the line says where it went, as run's --junit does.
          throw new UsageError(
            `-o ${flags.output}`,
            `cannot write the chart: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : systemErrorWords(error)} (the report went to stdout; no chart was written)`,
          );
        }
      }
    });
}

/**
 * Baum–Welch's passes on one stderr line, on a terminal outside CI, once the fit has taken a
 * second: the passes so far against the most its budget allows.
 */
function emProgress(streams: Streams): { update: (passes: number, budget: number) => void; stop: () => void } {
  if (streams.quiet || !drawsOnTerminal(streams.stderr, streams.env) || inCI(streams.env)) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  let shown = 0;
  return {
    update(passes, budget) {
      const now = Date.now();
      if (now - started < 1000 || now - shown < 200) return;
      shown = now;
      streams.stderr.write(`\rfitting Gilbert–Elliott: pass ${thousands(passes)} of at most ${thousands(budget)}\u001b[K`);
    },
    stop() {
      if (shown) streams.stderr.write('\r\u001b[K');
    },
  };
}

function fitReport(
  file: string,
  trace: LossTrace,
  stats: ReturnType<typeof traceStats>,
  fits: readonly FitResult[],
  chosen: FitResult,
  forced: boolean,
  goodness: ReturnType<typeof goodnessOfFit>,
  fragment: Record<string, unknown>,
  intervals: ReturnType<typeof gilbertIntervals>,
): string {
  const num = (v: number, digits = 4): string => (Number.isFinite(v) ? String(Number(v.toPrecision(digits))) : '—');
  // A mean of tens of thousands of packets or more in whole packets, with separators, as validate
  // prints it (four figures printed a burst of 67,108,864 as 67110000).
  const packets = (v: number): string => (Number.isFinite(v) && v >= 1e4 ? thousands(Math.round(v)) : num(v));
  const lines = [
    `${inlineText(file)} (${trace.format}): ${counted(stats.packets, 'packet')}, ${thousands(stats.losses)} lost (${num(stats.lossRate * 100)}%), mean loss burst ${packets(stats.meanBurst)} ${nounFor(packets(stats.meanBurst), 'packet')}, mean gap ${packets(stats.meanGap)}`,
    ...(trace.range ? [`Counted ${describeRange(trace.range)}: a ping log's trace starts at the first sequence number it shows.`] : []),
    `The fits rest on ${counted(stats.packets, 'packet')}: ${counted(stats.bursts, 'loss burst')} and ${counted(stats.gaps, 'gap')} between them.`,
    '',
  ];
  const models = new Table({ head: ['model', 'parameters', 'log-likelihood', 'AIC', 'BIC', ''], style: PLAIN });
  for (const f of fits) {
    const params = Object.entries(f.params)
      .map(([k, v]) => `${k} ${num(v)}`)
      .join(', ');
    models.push([
      f.model,
      params,
      f.logLikelihood.toFixed(1),
      f.aic.toFixed(1),
      f.bic.toFixed(1),
      f.model === chosen.model ? (forced ? 'chosen (--model)' : 'chosen (lowest BIC)') : '',
    ]);
  }
  lines.push(models.toString(), '');
  lines.push(
    `Gilbert's estimates, 95% intervals: goodToBad ${num(intervals.goodToBad.estimate)} [${num(intervals.goodToBad.low)}, ${num(intervals.goodToBad.high)}], badToGood ${num(intervals.badToGood.estimate)} [${num(intervals.badToGood.low)}, ${num(intervals.badToGood.high)}]`,
    '',
  );
  const runs = new Table({
    style: PLAIN,
    head: ['length', 'bursts measured', ...fits.map((f) => `${f.model}`), 'gaps measured', ...fits.map((f) => `${f.model}`)],
  });
  for (const row of goodness) {
    runs.push([
      `${row.length}${row.orLonger ? '+' : ''}`,
      String(row.measuredBursts),
      ...fits.map((f) => num(row.perModel[f.model]!.bursts, 3)),
      String(row.measuredGaps),
      ...fits.map((f) => num(row.perModel[f.model]!.gaps, 3)),
    ]);
  }
  lines.push("Loss bursts and gaps by length: measured counts against each model's expected counts", runs.toString(), '');
  lines.push('The chosen channel, to paste into a scenario:', '', toYaml(fragment).trimEnd(), '');
  return `${lines.join('\n')}\n`;
}

/** Burst and gap lengths, measured and modelled, on a log scale: drawn like `plot`'s charts. */
function fitChart(goodness: ReturnType<typeof goodnessOfFit>, file: string, note: (text: string) => void): Record<string, unknown> {
  const values = goodness.flatMap((row) => [
    { kind: 'loss bursts', length: row.length, source: 'measured', count: row.measuredBursts },
    { kind: 'gaps', length: row.length, source: 'measured', count: row.measuredGaps },
    ...Object.entries(row.perModel).flatMap(([model, m]) => [
      { kind: 'loss bursts', length: row.length, source: model, count: m.bursts },
      { kind: 'gaps', length: row.length, source: model, count: m.gaps },
    ]),
  ]);
  // The counts' axis is logarithmic: a run length never seen (0) has no place on it, and is said to be left off.
  const leftOff: LeftOff[] = [];
  const drawn = values.filter((v) => {
    const reason = undrawable(v.count, true);
    if (reason) leftOff.push({ line: `${v.source} ${v.kind}`, reason });
    return reason === null;
  });
  for (const text of leftOffNotes('runs', leftOff)) note(text);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${chartText(file)}: run lengths, measured and fitted`,
    data: { values: drawn },
    facet: { column: { field: 'kind', type: 'nominal', title: null } },
    spec: {
      width: 320,
      height: 240,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'length', type: 'quantitative', title: 'run length (packets; the last point: that or longer)' },
        y: { field: 'count', type: 'quantitative', scale: { type: 'log' }, title: 'runs' },
        color: { field: 'source', type: 'nominal', title: null },
      },
    },
  };
}
