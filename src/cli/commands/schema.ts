import { Command } from 'commander';
import { scenarioSchema } from '../../scenario/schema.js';
import type { Streams } from '../output.js';

export function makeSchemaCommand(streams: Streams): Command {
  return new Command('schema').description('print the JSON Schema of scenario files (point "$schema" at a saved copy for editor help)').action(() => {
    streams.stdout.write(`${JSON.stringify(scenarioSchema(), null, 2)}\n`);
  });
}
