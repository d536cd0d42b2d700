import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../../errors.js';
import { SHIPPED_EXAMPLES, SHIPPED_SCENARIOS, shippedScenarioNames } from '../../scenario/shipped.js';
import { didYouMean } from '../../suggest.js';
import { inlineText } from '../../io/text.js';
import type { Streams } from '../output.js';

const shipped = (name: string): string => join(SHIPPED_SCENARIOS, `${name}.yaml`);
const SCHEMA_LINE = /^# yaml-language-server: \$schema=\.\/scenario\.schema\.json\n/;

/**
 * The first lines of a copied scenario: a `$schema` that resolves from the current folder where
 * the package is installed inside it (node_modules), else the way to get the schema beside it.
 */
export function schemaComment(cwd: string): string {
  const schema = join(SHIPPED_SCENARIOS, 'scenario.schema.json');
  const path = relative(cwd, schema);
  const parts = path.split(sep);
  // Installed in this project (not in npx's cache, which is not kept): a path that stays valid.
  if (parts.includes('node_modules') && !parts.includes('_npx')) {
    const shown = parts.join('/');
    return `# yaml-language-server: $schema=${shown.startsWith('..') ? shown : `./${shown}`}\n`;
  }
  return '# yaml-language-server: $schema=./scenario.schema.json\n# the schema beside this file: twogenerals schema > scenario.schema.json\n';
}

/**
 * `scenarios`: where the shipped scenarios are, and one of them printed, so a user who installed
 * the package can run or copy one (`twogenerals scenarios bursty-5pct > bursty.yaml`).
 */
export function makeScenariosCommand(streams: Streams): Command {
  return new Command('scenarios')
    .description('list the shipped scenarios and where they are; with a name, print that scenario (to copy and edit)')
    .argument('[name]', 'a shipped scenario, printed as YAML')
    .action((name: string | undefined) => {
      const names = shippedScenarioNames();
      if (name === undefined) {
        const lines = [`Shipped scenarios (in ${SHIPPED_SCENARIOS}):`];
        const firstSentence = (file: string): string =>
          ((parseYaml(readFileSync(file, 'utf8')) as { description?: string } | null)?.description ?? '').split(/(?<=\.)\s+(?=[A-Z])/)[0]!;
        for (const n of names) lines.push(`  ${n.padEnd(24)} ${firstSentence(shipped(n))}`);
        lines.push('', `Run one by name: twogenerals run ${names[0]}`, `Copy one: twogenerals scenarios ${names[0]} > my-scenario.yaml`);
        // The README's examples: run by name too, read where they are (they name protocol and trace files beside them).
        const examples = shippedScenarioNames('examples').filter((n) => !names.includes(n));
        if (examples.length) {
          lines.push('', `Examples (in ${SHIPPED_EXAMPLES}, beside the protocol and trace files they name; run one by name):`);
          for (const n of examples) lines.push(`  ${n.padEnd(24)} ${firstSentence(join(SHIPPED_EXAMPLES, `${n}.yaml`))}`);
        }
        streams.stdout.write(`${lines.map(inlineText).join('\n')}\n`);
        return;
      }
      const wanted = name.replace(/\.ya?ml$/, '');
      if (!names.includes(wanted) && shippedScenarioNames('examples').includes(wanted))
        throw new UsageError(
          `scenarios ${name}`,
          `'${wanted}' is an example, not a shipped scenario: it is ${join(SHIPPED_EXAMPLES, `${wanted}.yaml`)}, beside the files it names (copy the folder to edit it); run it by name: twogenerals run ${wanted}`,
        );
      if (!names.includes(wanted))
        throw new UsageError(`scenarios ${name}`, `no shipped scenario named '${name}'${didYouMean(wanted, names)}; choose one of: ${names.join(', ')}`);
      const text = readFileSync(shipped(wanted), 'utf8');
      streams.stdout.write(SCHEMA_LINE.test(text) ? text.replace(SCHEMA_LINE, schemaComment(process.cwd())) : text);
    });
}
