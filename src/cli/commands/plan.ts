import { Command, Option } from 'commander';
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import { AlreadyReported, UsageError } from '../../errors.js';
import { runExperiment } from '../../experiment.js';
import { plainJson, plainNumber, shortNumber, shortProportion } from '../../export/numbers.js';
import { PLAN_SOURCE_COLUMN, PLAN_VERDICT_COLUMN } from '../../export/rows.js';
import { PARAMETER_NAMES, parameterSpec } from '../../catalog/parameters.js';
import { defaultSource, loadScenario } from '../../scenario/resolve.js';
import { applyOverrides, sweepKey } from '../../scenario/overrides.js';
import { readScenarioFile } from '../../scenario/parse.js';
import { expandCells } from '../../scenario/cells.js';
import { holds, meetsEvery, parseTarget, plan, targetBoundMisread } from '../../plan/plan.js';
import type { Candidate, Target } from '../../plan/plan.js';
import { didYouMean } from '../../suggest.js';
import { CSV_QUOTED_MATCH, csvText, inlineText, terminalLines } from '../../io/text.js';
import { percentOf, possessive } from '../../io/wording.js';
import { addWorkersOption } from '../options.js';
import { exactProgressLine, inCI, progressBar } from '../progress.js';
import { exactRange } from '../../stats/exact-range.js';
import { summarize } from '../../stats/summary.js';
import type { CellSummary } from '../../stats/summary.js';
import type { Scenario } from '../../scenario/types.js';
import { drawsOnTerminal } from '../output.js';
import type { Streams } from '../output.js';
import { DEFAULT_CONFIDENCE } from '../../stats/wilson.js';

interface PlanFlags {
  target: string[];
  vary: string[];
  set: string[];
  seed?: string;
  trials?: string;
  format: 'table' | 'csv' | 'json';
  workers: number;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * Where some setting has no exact value: every setting's trials (a progress bar on a terminal),
 * each summarized with the exact value the first pass found for it, not computed again.
 */
export async function withTrials(exact: readonly CellSummary[], scenario: Scenario, workers: number, streams: Streams): Promise<CellSummary[]> {
  const bar = progressBar(streams, false);
  const simulated = await runExperiment([scenario], { exact: 'off', simulate: true, confidence: DEFAULT_CONFIDENCE, workers, progress: bar.update });
  bar.stop();
  return simulated.summaries.map((s, i) => {
    const { exact: found, exactMissing, exactSkipped } = exact[i]!.result;
    return summarize(
      { ...s.result, exact: found, ...(exactMissing === undefined ? {} : { exactMissing }), ...(exactSkipped === undefined ? {} : { exactSkipped }) },
      DEFAULT_CONFIDENCE,
    );
  });
}

/**
 * plan searches --vary alone: a parameter the scenario file sweeps that --vary does not name (and
 * no --set replaces) is held at the scenario's one value of it, which the answer does not show, so
 * a note says which (`plan redundancy-vs-loss --vary redundancy=1:8` answers for loss 0.5 only), as of a sweep
 * `--set` gives the built-in scenario.
 */
function heldSweeps(file: string | undefined, set: readonly string[], vary: readonly string[], scenario: Scenario, streams: Streams): void {
  if (streams.quiet) return;
  // Without a file, a sweep only --set gives (`--set sweep.loss=0.1,0.2`) is set aside all the same.
  const sweep = applyOverrides(file === undefined ? defaultSource() : readScenarioFile(file), { set }).data['sweep'];
  if (typeof sweep !== 'object' || sweep === null) return;
  const varied = new Set(vary.map((v) => sweepKey(v.split('=')[0]!)));
  const params = expandCells(scenario)[0]?.params ?? {};
  // A varied loss (crash rate) sets every direction's (role's) too: by the declarations, not by
  // the name's start (a protocol file's lossBudget, swept in the file, went unnamed under --vary loss).
  const whole = (key: string): string | undefined => parameterSpec(key)?.directionOf ?? parameterSpec(key)?.roleOf;
  const held = Object.keys(sweep).filter((key) => !varied.has(key) && !varied.has(whole(key) ?? key));
  if (!held.length) return;
  const values = held.map((key) => `${key} ${params[key] ?? 'as the file sets it'}`).join(', ');
  streams.stderr.write(
    `${inlineText(`note: plan searches only what --vary names; ${file === undefined ? "--set's sweep" : "the file's sweep"} of ${held.join(', ')} is set aside, held at ${values} (${held.map((key) => `--vary ${key}=…`).join(' ')} searches ${held.length === 1 ? 'it' : 'them'})`)}\n`,
  );
}

/** Frontier settings shown past the winner. */
const FRONTIER_PAST = 3;

export function makePlanCommand(streams: Streams): Command {
  const command = new Command('plan')
    .description('find the least expected messenger cost that meets every target, e.g. the fewest copies for 99.99%')
    .argument('[file]', 'scenario file fixing protocol, channel and loss (the built-in default without one)')
    .option('--target <metric op value>', 'a target such as "success>=0.9999" or "disagreement<=1e-6" (repeatable; the first orders the frontier)', collect, [])
    .option('--vary <param=range>', 'what may vary: redundancy=1:32,rounds=1:64 (repeatable)', collect, [])
    .option('--set <key=value>', 'set a scenario value, e.g. loss=0.05 (repeatable)', collect, [])
    .option('--trials <n>', 'trials per setting where no exact value exists (Monte Carlo, judged on the interval)')
    .option('--seed <seed>', 'seed for those trials')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'csv', 'json']).default('table'));
  return addWorkersOption(command).action(async (file: string | undefined, flags: PlanFlags) => {
    if (!flags.target.length) throw new UsageError('plan', 'give at least one --target, such as --target "success>=0.9999"');
    const targets = flags.target.map((text) => {
      const t = parseTarget(text);
      if (!t) throw new UsageError(`--target ${text}`, 'expected METRIC>=VALUE or METRIC<=VALUE, such as success>=0.9999');
      return { text, ...t };
    });
    const vary = flags.vary.flatMap(splitVary);
    if (!vary.length) throw new UsageError('plan', 'say what may vary, such as --vary redundancy=1:32,rounds=1:64');
    const scenario = await asVary(vary, () =>
      loadScenario(file, { set: [...flags.set, 'sweep=null', 'expect=null'], sweep: vary, trials: flags.trials ?? '100000', seed: flags.seed }),
    );
    // The metrics: success, disagreement and the scenario's protocol's own outcomes (a protocol file's
    // included), not another protocol's: committed for the messenger would be judged on nothing.
    const metrics = ['success', 'disagreement', ...scenario.protocolDefinition.outcomes.names];
    for (const t of targets) {
      if (!metrics.includes(t.metric))
        throw new UsageError(`--target ${t.text}`, `unknown metric '${t.metric}'${didYouMean(t.metric, metrics)}; choose one of: ${metrics.join(', ')}`);
      // Every metric plan judges is a probability: a bound outside 0..1 is a slip, not a target no setting meets.
      if (t.bound < 0 || t.bound > 1) throw new UsageError(`--target ${t.text}`, `${t.metric} is a probability: give a bound from 0 to 1 (got ${t.bound})`);
      // A bound in range read as another number (1e-400 as 0, which no setting but a sure one meets).
      const misread = targetBoundMisread(t.text);
      if (misread) throw new UsageError(`--target ${t.text}`, misread);
    }
    // After the checks: a refused command says one line, not a note about a search that never starts.
    heldSweeps(file, flags.set, vary, scenario, streams);
    const line = exactProgressLine(streams);
    // Where no progress line shows (stderr not a terminal, or CI), one note says where the time goes.
    let noted = streams.quiet || (drawsOnTerminal(streams.stderr, streams.env) && !inCI(streams.env));
    const exactSlow = (cell: number, totalCells: number): void => {
      if (noted) return;
      noted = true;
      streams.stderr.write(
        `note: plan works out each setting's exact values first, up to the exact engine's limits (tens of seconds a setting where they are out of reach), then runs trials for the settings left without them: setting ${cell} of ${totalCells} is taking long\n`,
      );
    };
    const exactOnly = await runExperiment([scenario], {
      exact: 'on',
      simulate: false,
      confidence: DEFAULT_CONFIDENCE,
      workers: 1,
      exactProgress: line.update,
      exactSlow,
    });
    line.stop();
    const summaries = exactOnly.summaries.every((s) => s.exact) ? exactOnly.summaries : await withTrials(exactOnly.summaries, scenario, flags.workers, streams);
    const params = [...new Set(vary.map((v) => sweepKey(v.split('=')[0]!)))].sort((a, b) => PARAMETER_NAMES.indexOf(a) - PARAMETER_NAMES.indexOf(b));
    // A crash rate is withstood, not paid for: varying one asks for the largest that meets the targets.
    const largest = params.find((p) => parameterSpec(p)?.perRole || parameterSpec(p)?.roleOf);
    const result = plan(summaries, targets, largest);
    // The winner first, then the frontier up to it and a few costlier settings past it (a varied
    // crash rate: a few either side of it); with no winner, the whole frontier up to the best reached.
    const at = result.winner ? result.frontier.indexOf(result.winner) : result.frontier.length - 1;
    const from = largest && result.winner ? Math.max(0, at - FRONTIER_PAST) : 0;
    const nearby = result.frontier.slice(from, at + 1 + FRONTIER_PAST).filter((c) => c !== result.winner);
    const rows = [...(result.winner ? [result.winner] : []), ...nearby];
    streams.stdout.write(render(rows, result.winner, params, targets, flags.format, result.exact, largest));
    if (!streams.quiet) for (const line of undecidedLines(result.candidates, targets, params)) streams.stderr.write(`${line}\n`);
    if (!result.winner) {
      // The target(s) out of reach on their own, each with the best value in range; else each is
      // met by some setting, but never all by one.
      const setting = (c: Candidate) => params.map((p) => `${p}=${c.summary.params[p]}`).join(', ');
      const why = result.unreachable.length
        ? result.unreachable
            .map(({ target, best }) => `the best reachable ${targets[target]!.metric} is ${reachedText(best, targets[target]!, target, setting(best))}`)
            .join('; ')
        : 'each target is met by some setting, but none meets them all';
      streams.stderr.write(`twogenerals: no setting in range meets ${targets.map(show).join(' and ')}; ${why}\n`);
      throw new AlreadyReported(1);
    }
  });
}

/**
 * plan passes --vary on as a sweep: a problem with it is reported in the words the user typed
 * (--vary redundancy=1:1000000: redundancy's range end must be at most 1000), not as --sweep.
 */
async function asVary<T>(vary: readonly string[], load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // The grid plan builds from --vary (it clears the file's sweep itself): named as what the user gave.
    if (error.place === '--set sweep=null' || error.place === '--set expect=null')
      throw new UsageError(
        `--vary ${vary.join(',')}`,
        error.problem
          .replace(/^the sweep has/, 'the settings to search number')
          .replace(/cells; at most (\S+) are allowed/, 'combinations; at most $1 are searched'),
      );
    if (!error.place.startsWith('--sweep ')) throw error;
    const problem = error.problem
      .replace(
        /\bsweep\.(\w+)\.(from|to|step)\b/g,
        (_, name: string, end: string) => `${possessive(name)} range ${end === 'from' ? 'start' : end === 'to' ? 'end' : 'step'}`,
      )
      .replace(/\bsweep\.(\w+)/g, '$1')
      .replace(/\bin sweep\b/g, 'in --vary');
    throw new UsageError(`--vary ${error.place.slice('--sweep '.length)}`, problem);
  }
}

/** "redundancy=1:32,rounds=1:64" → ["redundancy=1:32", "rounds=1:64"]; a list's commas stay with it. */
function splitVary(text: string): string[] {
  const parts: string[] = [];
  for (const piece of text.split(',')) {
    if (piece.includes('=') || !parts.length) parts.push(piece);
    else parts[parts.length - 1] += `,${piece}`;
  }
  return parts;
}

/**
 * A target's column in CSV and JSON: its metric; where the metric has targets both ways
 * (`success>=0.3` and `success<=0.4`), whose values are an interval's two ends, `success_low` and
 * `success_high`, as `run` names them (one column held only the second, so a row failing the first
 * showed a value that meets it).
 */
function targetColumn(t: Target, targets: readonly Target[]): string {
  const bothWays = targets.some((u) => u.metric === t.metric && u.relation !== t.relation);
  return bothWays ? `${t.metric}_${t.relation === '>=' ? 'low' : 'high'}` : t.metric;
}

const show = (t: Target): string => `${t.metric} ${t.relation === '>=' ? '≥' : '≤'} ${t.bound}`;

function render(
  rows: readonly Candidate[],
  winner: Candidate | null,
  params: readonly string[],
  targets: readonly Target[],
  format: string,
  exact: boolean,
  largest?: string,
): string {
  const records = rows.map((c) => ({
    ...Object.fromEntries(params.map((p) => [p, c.summary.params[p]!])),
    messengers_mean: c.cost,
    // A value left empty (too small for a double) is empty here too, as in `exact`'s columns.
    ...Object.fromEntries(targets.map((t, i) => [targetColumn(t, targets), c.below[i] === null ? c.values[i]! : null])),
    [PLAN_SOURCE_COLUMN]: c.exact,
    [PLAN_VERDICT_COLUMN]: meetsEvery(c),
  }));
  if (format === 'json') return `${plainJson({ winner: winner ? records[0] : null, frontier: records, exact }, 2)}\n`;
  if (format === 'csv')
    return stringify(records, { header: true, cast: { number: plainNumber, boolean: (b) => String(b), string: csvText }, quoted_match: CSV_QUOTED_MATCH });
  const table = new Table({ head: ['', ...params, 'messengers', ...targets.map(show)], style: { head: [], border: [], compact: true } });
  for (const c of rows) {
    table.push([
      c === winner ? 'best' : '',
      ...params.map((p) => String(c.summary.params[p])),
      shortNumber(c.cost, 5),
      ...c.values.map(
        (_, j) => `${c.below[j] === null ? toldFromBound(c, targets[j]!, j) : belowText(c, j)} ${c.met[j] ? '✓' : c.undecided[j] !== null ? '?' : '✗'}`,
      ),
    ]);
  }
  const source = exact ? 'exact values' : 'exact values; Monte Carlo intervals where there are none';
  const head = winner
    ? largest
      ? `Largest ${largest} meeting ${targets.map(show).join(' and ')} (${source}), then the settings around it:`
      : `Least expected cost meeting ${targets.map(show).join(' and ')} (${source}), then the cost/reliability frontier:`
    : `Nothing in range meets ${targets.map(show).join(' and ')}; the cost/reliability frontier (${source}):`;
  return terminalLines(`${head}\n${table.toString()}\n`);
}

/**
 * A warning for each setting whose exact value lies within the engine's rounding of a target's
 * bound (marked `?`): not counted as meeting it, since the true value may lie on either side.
 */
function undecidedLines(candidates: readonly Candidate[], targets: readonly Target[], params: readonly string[]): string[] {
  return candidates.flatMap((c) =>
    targets.flatMap((t, i) =>
      c.undecided[i] !== null
        ? [
            `warning: ${params.map((p) => `${p}=${c.summary.params[p]}`).join(', ')}: ${t.metric} ${c.values[i]} lies within the exact engine's rounding (${c.undecided[i]!.toPrecision(2)}) of ${t.bound}, so whether it meets ${show(t)} is not known; it is not counted as meeting it (marked ?)`,
          ]
        : [],
    ),
  );
}

/** A candidate's value for target `i` left empty, as the bound it lies below, in full (`< 7.120236347223045e-307`). */
function belowText(c: Candidate, i: number, lessThan = '< '): string {
  return `${lessThan}${c.below[i]}`;
}

/**
 * The best value a setting reaches of a target's metric, as the refusal says it: the exact value;
 * else the interval's end it was judged on, said to be one, with the estimate, since the estimate
 * itself is nearer than that end (`at least 0.3417 (redundancy=2: the lower end of its 95% interval; estimate 0.3625)`).
 * Either to 4 digits, or as many more as tell it from the bound, never a sure 1 it is not.
 */
function reachedText(c: Candidate, t: Target, i: number, setting: string): string {
  // One marked ? is said to be so, as the table and its warning say, for --quiet leaves only this line.
  const unknown =
    c.undecided[i] !== null ? `, within the exact engine's rounding (${c.undecided[i]!.toPrecision(2)}) of the bound, so not known to meet it` : '';
  if (c.exact) return `${c.below[i] === null ? toldFromBound(c, t, i, 4) : belowText(c, i, 'below ')} (${setting}${unknown})`;
  const s = c.summary;
  const at = s.outcomeNames.indexOf(t.metric);
  const estimate = t.metric === 'success' ? s.success.estimate : t.metric === 'disagreement' ? s.disagreement.estimate : s.outcomes[at]!.estimate;
  const end = t.relation === '>=' ? 'at least' : 'at most';
  const which = t.relation === '>=' ? 'lower' : 'upper';
  return `${end} ${toldFromBound(c, t, i, 4)} (${setting}: the ${which} end of its ${percentOf(s.confidence)} interval; estimate ${nearOne(estimate, 4)})`;
}

/**
 * A candidate's value for target `i` beside its mark: to `digits` digits (nearOne), or to as many
 * more as tell it from the bound where those would not, so the digits never say the opposite of
 * the mark (a success of 0.999985 is `0.999985 ✗` against ≥ 0.99999, not `0.99999 ✗`).
 */
function toldFromBound(c: Candidate, t: Target, i: number, digits = 5): string {
  const v = c.values[i]!;
  const meets = c.met[i]!;
  // Where the double is 1, only the other outcomes' exact mass tells a value from the sure thing.
  const rest = c.exact && v === 1 ? (exactRange(c.summary, t.metric)?.rest.low ?? 0) : 0;
  let text = nearOne(v, digits, rest);
  // Within the engine's rounding of the bound: every digit, which is all that is known of it.
  if (c.undecided[i] !== null) return String(v);
  for (let more = digits + 1; more <= 17 && /^[-0-9.e]+$/.test(text) && holds(Number(text), t, c.exact) !== meets; more++) text = shortNumber(v, more);
  return text;
}

/**
 * A target metric's value to `digits` digits (5 in the table), never rounded to a sure 1 it is
 * not: 0.9999984 is 1−1.6e-6, and a value the double holds as 1 whose other outcomes have mass
 * `rest` is 1−rest (a success of 1−1.2e-21): the answer to "99.999%?" is in those digits.
 */
function nearOne(v: number, digits = 5, rest = 0): string {
  const text = shortNumber(v, digits);
  if (text !== '1') return text;
  if (v < 1) return shortProportion(v);
  return rest > 0 ? `1−${rest.toExponential(1).replace('e+', 'e')}` : text;
}
