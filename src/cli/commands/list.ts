import { Command } from 'commander';
import { CHANNELS } from '../../catalog/channels.js';
import { PROTOCOLS } from '../../catalog/protocols.js';
import { PARAMETERS } from '../../catalog/parameters.js';
import { rangeWords } from '../../catalog/range-words.js';
import { DEFAULTS } from '../../scenario/defaults.js';
import type { Streams } from '../output.js';
import { inlineText } from '../../io/text.js';
import { commandLineProtocolFile, loadCheckedProtocolFile } from '../../protocol-files/checked.js';

export function makeListCommand(streams: Streams): Command {
  return new Command('list')
    .description('list protocols, channel models and parameters with their defaults')
    .option('--protocol <file...>', 'also list these protocol files, with their parameters')
    .action(async (flags: { protocol?: string[] }) => {
      // What a file declares is all list shows: none of its code runs here.
      for (const file of flags.protocol ?? []) await loadCheckedProtocolFile(commandLineProtocolFile(file, `--protocol ${file}`), `--protocol ${file}`, false);
      const lines = ['Protocols (outcomes; exact engine):'];
      for (const p of Object.values(PROTOCOLS)) {
        lines.push(`  ${p.name.padEnd(16)} ${p.summary}`);
        lines.push(`  ${''.padEnd(16)} outcomes: ${p.outcomes.names.join(', ')}; exact: ${p.exactNote}`);
        if (p.roles) lines.push(`  ${''.padEnd(16)} crashes: roles ${p.roles.join(', ')} (crash: rate, or { ${p.roles[0]}: rate })`);
      }
      lines.push('', 'Channel models:');
      for (const c of Object.values(CHANNELS)) {
        lines.push(`  ${c.name.padEnd(16)} ${c.summary}${c.name === DEFAULTS.channel ? ' (default)' : ''}`);
        for (const p of PARAMETERS.filter((p) => p.channel === c.name))
          lines.push(`  ${''.padEnd(16)} ${p.name}: ${p.description}${p.default === undefined ? '' : ` (default ${p.default})`}`);
        if (c.notes) lines.push(`  ${''.padEnd(16)} ${c.notes}`);
      }
      lines.push(`  ${''.padEnd(16)} exact: every channel, with every protocol`);
      lines.push('', 'Parameters (set in the file, with --set, or swept):');
      for (const p of PARAMETERS) {
        const range = p.values ? `one of ${p.values.join(', ')}` : p.text === 'file' ? 'a file, relative to the scenario' : p.text ? 'text' : rangeWords(p);
        const scope = p.channel ? ` [${p.channel} channel]` : p.protocol ? ` [${p.protocol}]` : '';
        lines.push(`  ${p.name.padEnd(12)} ${p.description}; ${range}${p.default === undefined ? '' : `; default ${p.default}`}${scope}`);
      }
      lines.push(`  ${'trials'.padEnd(12)} trials per cell; default ${DEFAULTS.trials}`);
      lines.push(`  ${'seed'.padEnd(12)} seed (integer or string); default ${DEFAULTS.seed}`);
      streams.stdout.write(`${lines.map(inlineText).join('\n')}\n`);
    });
}
