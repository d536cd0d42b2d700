import { Command, CommanderError } from 'commander';
import { AlreadyReported, ExpectationFailed, UsageError } from '../errors.js';
import { protocolFileIn, thrownWhere } from '../protocols/file.js';
import { TOOL } from '../version.js';
import { makeCheckCommand } from './commands/check.js';
import { makeExactCommand } from './commands/exact.js';
import { makeListCommand } from './commands/list.js';
import { makeMergeCommand } from './commands/merge.js';
import { makePlanCommand } from './commands/plan.js';
import { makePlotCommand } from './commands/plot.js';
import { makeRunCommand } from './commands/run.js';
import { makeScenariosCommand } from './commands/scenarios.js';
import { makeSchemaCommand } from './commands/schema.js';
import { makeTraceCommand } from './commands/trace.js';
import { makeValidateCommand } from './commands/validate.js';
import { processStreams } from './output.js';
import type { Streams } from './output.js';

/** Exit codes (SPEC §5). */
export const EXIT = { ok: 0, expectationFailed: 1, usage: 2, internal: 3 } as const;

export function buildProgram(streams: Streams): Command {
  const program = new Command('twogenerals')
    .description('Monte Carlo and exact experiments on the Two Generals\' Problem and its relatives')
    .version(TOOL.version)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      // commander's own errors are re-printed as one line in main(); its help goes to stdout
      writeErr: () => undefined,
    });
  for (const make of [makeRunCommand, makeTraceCommand, makeExactCommand, makeMergeCommand, makePlotCommand, makePlanCommand, makeValidateCommand, makeListCommand, makeScenariosCommand, makeSchemaCommand, makeCheckCommand]) {
    program.addCommand(make(streams).exitOverride().configureOutput({ writeOut: (t) => streams.stdout.write(t), writeErr: () => undefined }).showSuggestionAfterError(true));
  }
  return program;
}

/** Runs the CLI and returns the exit code; the one place errors turn into messages. */
export async function runCli(argv: readonly string[], streams: Streams): Promise<number> {
  try {
    await buildProgram(streams).parseAsync([...argv]);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      streams.stderr.write(`twogenerals: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ExpectationFailed) return EXIT.expectationFailed;
    if (error instanceof AlreadyReported) return error.exitCode;
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      streams.stderr.write(`twogenerals: ${oneLine(error.message)}\n`);
      return EXIT.usage;
    }
    const protocolFile = protocolFileIn(error);
    if (protocolFile) {
      // A user's protocol threw: their bug, reported in their words and place, not ours.
      streams.stderr.write(`twogenerals: protocol ${protocolFile.name} (${protocolFile.file}) threw: ${oneLine(thrownWhere(error, protocolFile.file))}\n`);
      return EXIT.usage;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    streams.stderr.write(`twogenerals: internal error (please report it): ${oneLine(error instanceof Error ? error.message : String(error))}\n`);
    if (streams.env['TWOGENERALS_DEBUG']) streams.stderr.write(`${detail}\n`);
    return EXIT.internal;
  }
}

function oneLine(message: string): string {
  return message
    .replace(/^error: /, '')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' ');
}

export function main(argv: readonly string[]): void {
  const streams = processStreams();
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok); // the reader (e.g. head) has all it wants
    throw error;
  });
  void runCli(argv, streams).then((code) => {
    process.exitCode = code;
  });
}
