import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../../errors.js';
import { didYouMean } from '../../suggest.js';
import type { Streams } from '../output.js';

/** The shipped scenarios: beside the compiled code (dist/src or dist/bundle) in the package, two folders up. */
const SHIPPED = fileURLToPath(new URL('../../scenarios', import.meta.url));
const shipped = (name: string): string => join(SHIPPED, `${name}.yaml`);

function shippedNames(): string[] {
  return readdirSync(SHIPPED)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
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
      const names = shippedNames();
      if (name === undefined) {
        const lines = [`Shipped scenarios (in ${SHIPPED}):`];
        for (const n of names) {
          const data = parseYaml(readFileSync(shipped(n), 'utf8')) as { description?: string };
          lines.push(`  ${n.padEnd(24)} ${(data.description ?? '').split(/(?<=\.)\s/)[0]}`);
        }
        lines.push('', `Run one: twogenerals run ${shipped(names[0]!)}`, `Copy one: twogenerals scenarios ${names[0]} > my-scenario.yaml`);
        streams.stdout.write(`${lines.join('\n')}\n`);
        return;
      }
      const wanted = name.replace(/\.ya?ml$/, '');
      if (!names.includes(wanted))
        throw new UsageError(`scenarios ${name}`, `no shipped scenario named '${name}'${didYouMean(wanted, names)}; choose one of: ${names.join(', ')}`);
      streams.stdout.write(readFileSync(shipped(wanted), 'utf8').replace(/^# yaml-language-server: \$schema=\.\/scenario\.schema\.json\n/, ''));
    });
}
