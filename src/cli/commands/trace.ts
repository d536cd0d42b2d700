import type { ProtocolDefinition } from '../../contract/protocol.js';
import { Command, InvalidArgumentError, Option } from 'commander';
import { AlreadyReported, UsageError } from '../../errors.js';
import { traceMermaid, traceText } from '../../export/trace.js';
import { expandCells } from '../../scenario/cells.js';
import { loadScenario } from '../../scenario/resolve.js';
import { shortNumber, thousands } from '../../export/numbers.js';
import { inlineText } from '../../io/text.js';
import { FIRST_SEARCH_TRIALS, searchBeyondReach, searchReach, traceTrialSteps, wantedProbability } from '../../trace/trace.js';
import { drainInSlices } from '../../engine/slices.js';
import { addScenarioOptions, flagNumber, overridesFrom } from '../options.js';
import type { ScenarioFlags } from '../options.js';
import type { Streams } from '../output.js';
import { counted } from '../../io/wording.js';

interface TraceFlags extends ScenarioFlags {
  trial?: number;
  cell: number;
  first?: string;
  format: 'text' | 'mermaid';
}

function positive(value: string): number {
  const n = flagNumber(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number, 1 or more');
  return n;
}

export function makeTraceCommand(streams: Streams): Command {
  const command = new Command('trace')
    .description('replay one trial exactly as `run` ran it and tell its story, message by message')
    .argument('[file]', 'scenario file (YAML or JSON); the built-in default without one')
    .option('--trial <n>', 'the trial to replay (1-based, as run counts them)', positive)
    .option('--cell <k>', 'which cell of a sweep (1-based, in the order run prints them)', positive, 1)
    .option('--first <outcome>', 'the first trial ending in this outcome, or in success or disagreement')
    .addOption(new Option('-f, --format <format>', 'text timeline or Mermaid sequence diagram').choices(['text', 'mermaid']).default('text'));
  addScenarioOptions(command);
  return command.action(async (file: string | undefined, flags: TraceFlags) => {
    if (flags.trial === undefined && flags.first === undefined)
      throw new UsageError('trace', 'say which trial: --trial N, or --first OUTCOME (e.g. --first disagreement)');
    const scenario = await loadScenario(file, overridesFrom(flags));
    // Where run stops a cell to a precision depends on its tallies (and run's --confidence): its
    // trials are not known here, and replaying up to maxTrials would tell of trials run never ran.
    if (scenario.precision !== undefined) {
      throw new UsageError(
        flags.precision !== undefined ? `--precision ${flags.precision}` : scenario.source,
        'a run to a precision decides from its tallies where each cell stops, so trace cannot know its trials: give the trials run printed for the cell, --trials N',
      );
    }
    const cells = expandCells(scenario);
    const cell = cells[flags.cell - 1];
    if (!cell) throw new UsageError(`--cell ${flags.cell}`, `the scenario has ${cells.length} cell${cells.length === 1 ? '' : 's'}`);
    const start = flags.trial ?? 1; // with --first, from the first trial (both together are refused)
    if (start > scenario.trials) throw new UsageError(`--trial ${start}`, `the cell has ${counted(scenario.trials, 'trial')}`);
    const wanted = flags.first === undefined ? undefined : outcomeFilter(scenario.protocolDefinition, flags.first);
    const exact = wanted ? wantedProbability(cell, wanted) : null;
    const probability = exact?.probability ?? null;
    if (probability === 0 && !exact?.atMost) {
      streams.stderr.write(`twogenerals: no trial of cell ${flags.cell} ends in ${inlineText(flags.first ?? '')}: its exact probability there is 0\n`);
      throw new AlreadyReported(1);
    }
    if (exact && probability !== null && searchBeyondReach(probability, scenario.trials - start + 1, searchReach(exact.messagesMean))) {
      throw new UsageError(`--first ${flags.first}`, firstTooRare(inlineText(flags.first ?? ''), exact, flags.cell));
    }
    // In slices: Ctrl-C stops a search through many trials with its one line.
    const trace = await drainInSlices(traceTrialSteps(cell, start, wanted));
    if (!trace) {
      streams.stderr.write(
        `twogenerals: no trial from ${thousands(start)} to ${thousands(scenario.trials)} of cell ${flags.cell} ended in ${inlineText(flags.first ?? '')}\n`,
      );
      throw new AlreadyReported(1);
    }
    streams.stdout.write(flags.format === 'mermaid' ? traceMermaid(trace) : traceText(trace));
  });
}

/** Why --first refuses to look for an outcome too rare to be met in any replay it could finish. */
function firstTooRare(
  outcome: string,
  { probability, atMost, messagesMean }: { probability: number; atMost: boolean; messagesMean: number },
  cell: number,
): string {
  const reach = searchReach(messagesMean);
  const trials = thousands(reach);
  return (
    `in cell ${cell} a trial ends in ${outcome} with exact probability ${atMost ? 'below ' : ''}${shortNumber(probability)}: the first is expected after ${atMost ? 'more than' : 'about'} ` +
    `${shortNumber(1 / probability)} trials, beyond what trace looks through (${reach < FIRST_SEARCH_TRIALS ? `${trials} trials of ${shortNumber(messagesMean)} messages on average` : trials}); ` +
    `give --trials N (up to ${trials}) to look through N trials anyway`
  );
}

function outcomeFilter(protocol: ProtocolDefinition<unknown>, wanted: string): (outcome: string) => boolean {
  const set = protocol.outcomes;
  const pick = (indices: readonly number[]) => new Set(indices.map((i) => set.names[i]!));
  const accepted = wanted === 'success' ? pick(set.success) : wanted === 'disagreement' ? pick(set.disagreement) : new Set([wanted]);
  if (!['success', 'disagreement', ...set.names].includes(wanted)) {
    throw new UsageError(`--first ${wanted}`, `${protocol.name} ends in ${set.names.join(', ')} (or say success or disagreement)`);
  }
  return (outcome) => accepted.has(outcome);
}
