import { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { commandLineProtocolFile, loadCheckedProtocolFile } from '../../protocol-files/checked.js';
import { loadScenario } from '../../scenario/resolve.js';
import { protocolFileSchema, publishedSchema } from '../../scenario/schema.js';
import type { Streams } from '../output.js';

export function makeSchemaCommand(streams: Streams): Command {
  return new Command('schema')
    .description(
      'print the JSON Schema of scenario files (point "$schema" at a saved copy for editor help); with a scenario or --protocol, the schema exact for its protocol file',
    )
    .argument('[scenario]', "a scenario naming a protocol file: the schema of that file's parameters and outcomes")
    .option('--protocol <file>', 'a protocol file: the schema of its parameters and outcomes, with protocol: FILE')
    .action(async (scenario: string | undefined, flags: { protocol?: string }) => {
      if (scenario !== undefined && flags.protocol !== undefined) throw new UsageError('schema', 'give a scenario or --protocol, not both');
      let schema = publishedSchema();
      if (flags.protocol !== undefined) {
        // Its parameters and outcomes are what the file declares: none of its code runs here.
        const file = await loadCheckedProtocolFile(
          commandLineProtocolFile(flags.protocol, `--protocol ${flags.protocol}`),
          `--protocol ${flags.protocol}`,
          false,
        );
        schema = protocolFileSchema(flags.protocol, file.name, file.definition.outcomes.names, file.definition.roles);
      } else if (scenario !== undefined) {
        const loaded = await loadScenario(scenario, {}, false);
        if (!loaded.protocolFile)
          throw new UsageError(scenario, `names the built-in protocol ${loaded.protocol}: its schema is the one \`twogenerals schema\` prints`);
        schema = protocolFileSchema(
          String(loaded.resolved['protocol']),
          loaded.protocol,
          loaded.protocolDefinition.outcomes.names,
          loaded.protocolDefinition.roles,
        );
      }
      streams.stdout.write(`${JSON.stringify(schema, null, 2)}\n`);
    });
}
