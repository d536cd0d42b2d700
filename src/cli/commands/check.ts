import { Command } from 'commander';
import { commandLineProtocolFile } from '../../protocol-files/checked.js';
import { isolatedCheck } from '../../protocol-files/isolate.js';
import type { Streams } from '../output.js';
import { inlineText } from '../../io/text.js';
import { nounFor } from '../../io/wording.js';

/** `check FILE`: a protocol file against the contract, while it is being written. */
export function makeCheckCommand(streams: Streams): Command {
  return new Command('check')
    .description('check a protocol file against the protocol contract over small cells of its parameters')
    .argument('<file>', 'a protocol file (.mjs, .js or .cjs, or .ts where Node.js can run TypeScript)')
    .action(async (file: string) => {
      // The whole check runs in a thread of its own: nothing of the file runs in this one.
      const { report } = await isolatedCheck(commandLineProtocolFile(file, 'check'), 'check', false);
      streams.stdout.write(
        `${inlineText(file)}: ok — protocol ${inlineText(report.protocol)}: ${report.cells} ${nounFor(report.cells, 'small cell')}, ${report.states} ${nounFor(report.states, 'state')} explored, every way of every chance point; ${report.trialsEnded} ${nounFor(report.trialsEnded, 'trial end')}, all within the contract\n`,
      );
    });
}
