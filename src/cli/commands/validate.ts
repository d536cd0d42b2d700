import { Command } from 'commander';
import { inlineText } from '../../io/text.js';
import { AlreadyReported, UsageError } from '../../errors.js';
import { expandCells } from '../../scenario/cells.js';
import { loadScenarios } from '../../scenario/resolve.js';
import { addScenarioOptions, overridesFrom } from '../options.js';
import type { ScenarioFlags } from '../options.js';
import type { Streams } from '../output.js';

export function makeValidateCommand(streams: Streams): Command {
  const command = new Command('validate').description('check scenario files without running them').argument('<files...>', 'scenario files (YAML or JSON)');
  addScenarioOptions(command);
  return command.action(async (files: string[], flags: ScenarioFlags) => {
    const errors: UsageError[] = [];
    for (const file of files) {
      try {
        // A protocol file is checked in a process of its own; none of its code runs here.
        for (const scenario of await loadScenarios(file, overridesFrom(flags), false)) {
          const cells = expandCells(scenario);
          const describe = scenario.channelDefinition.describe;
          const files = scenario.files ?? {};
          // One note per set of the channel's own values: a trace's is its file's statistics, read
          // over every packet, and a sweep of redundancy over a long trace gave each cell its own.
          const channelKeys = scenario.channelDefinition.parameters.map((p) => p.name);
          const notes = new Map<string, string>();
          const noteOf = (cell: (typeof cells)[number]): string => {
            const key = JSON.stringify(channelKeys.map((k) => cell.params[k] ?? null));
            let note = notes.get(key);
            if (note === undefined) {
              note = describe!(Object.fromEntries(Object.entries(cell.params).map(([k, v]) => [k, typeof v === 'string' && files[v] ? files[v] : v])));
              notes.set(key, note);
            }
            return note;
          };
          // Where the sweep varies the channel, the first cell's, said to be that.
          const first = describe ? noteOf(cells[0]!) : '';
          const varies = describe !== undefined && cells.some((cell) => noteOf(cell) !== first);
          const channelNote = describe ? `; ${varies ? `in cell 1, ${first} (the sweep varies it)` : first}` : '';
          streams.stdout.write(
            `${inlineText(`${file}: ok (${scenario.name}: ${scenario.protocol} over ${scenario.channel}, ${cells.length} cell${cells.length === 1 ? '' : 's'}${channelNote})`)}\n`,
          );
        }
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        errors.push(error);
        streams.stderr.write(`twogenerals: ${error.message}\n`);
      }
    }
    if (errors.length) throw new AlreadyReported(2);
  });
}
