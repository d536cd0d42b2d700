import { Command, CommanderError } from 'commander';
import { AlreadyReported, ExpectationFailed, UsageError } from '../errors.js';
import { guardCallbacksFromNodeAlone, loadedProtocolFiles, namingProtocolFile, protocolFileIn, thrownWhere } from '../protocol-files/load.js';
import { errorText, isPlainError, isThrownError, thrownText } from '../protocol-files/thrown.js';
import { TOOL } from '../version.js';
import { makeCheckCommand } from './commands/check.js';
import { makeExactCommand } from './commands/exact.js';
import { makeFitCommand } from './commands/fit.js';
import { makeListCommand } from './commands/list.js';
import { makeMergeCommand } from './commands/merge.js';
import { makePlanCommand } from './commands/plan.js';
import { makePlotCommand } from './commands/plot.js';
import { makeRunCommand } from './commands/run.js';
import { makeScenariosCommand } from './commands/scenarios.js';
import { makeSchemaCommand } from './commands/schema.js';
import { makeTraceCommand } from './commands/trace.js';
import { makeValidateCommand } from './commands/validate.js';
import { isSystemError, systemErrorWords } from '../io/files.js';
import { byItsEnds, terminalSafe } from '../io/text.js';
import { didYouMean } from '../suggest.js';
import { interruptions } from './interruptions.js';
import { processOutput } from './output.js';
import { addSessionFlags, flushHeldNotes } from './session.js';
import type { Streams } from './output.js';

/** bin/twogenerals.js starts pool threads before it calls main (see early.ts). */
export { startEarly } from './early.js';

/**
 * Exit codes (README, "Commands"): 0 done; 1 an expect failed; 2 bad input or usage, or output
 * that could not be written (a full disk, `> /dev/full`); 3 an internal failure.
 */
export const EXIT = { ok: 0, expectationFailed: 1, usage: 2, internal: 3 } as const;

/** The commands by name, in the order the help lists them. */
const COMMANDS = {
  run: makeRunCommand,
  trace: makeTraceCommand,
  exact: makeExactCommand,
  merge: makeMergeCommand,
  plot: makePlotCommand,
  plan: makePlanCommand,
  validate: makeValidateCommand,
  list: makeListCommand,
  scenarios: makeScenariosCommand,
  schema: makeSchemaCommand,
  check: makeCheckCommand,
  fit: makeFitCommand,
} as const;

export function buildProgram(streams: Streams, argv: readonly string[] = []): Command {
  const program = addSessionFlags(new Command('twogenerals'), streams, argv.slice(2))
    .description("Monte Carlo and exact experiments on the Two Generals' Problem and its relatives")
    .version(TOOL.version)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => streams.stdout.write(text),
      // commander's own errors are re-printed as one line in main(); its help goes to stdout
      writeErr: () => undefined,
    });
  // A command line that starts with a command's name needs only that command (start-up); any
  // other gets them all, for the help and the suggestions that list every name.
  const named = argv[2];
  const makers = named !== undefined && Object.hasOwn(COMMANDS, named) ? [COMMANDS[named as keyof typeof COMMANDS]] : Object.values(COMMANDS);
  for (const make of makers) {
    program.addCommand(
      make(streams)
        .exitOverride()
        .configureOutput({ writeOut: (t) => streams.stdout.write(t), writeErr: () => undefined })
        .configureHelp({ showGlobalOptions: true })
        .showSuggestionAfterError(true),
    );
  }
  return program;
}

/** Runs the CLI and returns the exit code; the one place errors turn into messages. */
export async function runCli(argv: readonly string[], streams: Streams): Promise<number> {
  // The session's own streams: its flags may set colour and quiet without touching the process's.
  const session: Streams = { ...streams, env: { ...streams.env } };
  try {
    const program = buildProgram(session, argv);
    const args = argv.slice(2);
    // No command (nothing, or only options that apply to every command: `twogenerals --quiet`),
    // or help on a command that does not exist: the help, on stderr, as a usage error.
    const everyCommands = new Set(
      program.options.flatMap((o) => [o.long, o.short]).filter((f): f is string => f !== undefined && !['-V', '--version', '-h', '--help'].includes(f)),
    );
    if (args.every((a) => everyCommands.has(a))) {
      streams.stderr.write(program.helpInformation());
      return EXIT.usage;
    }
    if (args[0] === 'help' && args.length > 1) {
      const names = program.commands.map((c) => c.name());
      if (!names.includes(args[1]!)) {
        streams.stderr.write(
          `twogenerals: help: unknown command '${terminalSafe(args[1]!, true)}'${didYouMean(args[1]!, names)}\n${program.helpInformation()}`,
        );
        return EXIT.usage;
      }
    }
    await program.parseAsync([...argv]);
    flushHeldNotes(session);
    return EXIT.ok;
  } catch (error) {
    // A value that is not an Error (or a proxy, or one whose prototype chain throws) is none of ours: asked nothing more.
    if (!isThrownError(error)) return reportProtocolFileError(error, streams) ? EXIT.usage : reportInternal(error, streams);
    if (error instanceof UsageError) {
      streams.stderr.write(`twogenerals: ${namingProtocolFile(error).message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ExpectationFailed) return (flushHeldNotes(session), EXIT.expectationFailed);
    if (error instanceof AlreadyReported) return (flushHeldNotes(session), error.exitCode);
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      streams.stderr.write(`twogenerals: ${oneLine(error.message)}\n`);
      return EXIT.usage;
    }
    if (reportProtocolFileError(error, streams)) return EXIT.usage;
    if (isSystemError(error)) {
      // A shell left in a directory since deleted: Node cannot say where it is, and there is no path to name.
      if (error.syscall === 'uv_cwd') {
        streams.stderr.write('twogenerals: the current directory no longer exists (deleted since the shell entered it): run from one that does\n');
        return EXIT.usage;
      }
      // A file or device refused what was asked of it: the user's to fix, in words.
      const path = typeof error.path === 'string' ? `${error.path}: ` : '';
      streams.stderr.write(`twogenerals: ${oneLine(`${path}${systemErrorWords(error)}`)}\n`);
      return EXIT.usage;
    }
    return reportInternal(error, streams);
  }
}

/** A user's protocol threw: their bug, reported in their words and place, not ours (true where it was). */
function reportProtocolFileError(error: unknown, streams: Streams): boolean {
  const protocolFile = protocolFileIn(error);
  if (protocolFile) {
    streams.stderr.write(
      `twogenerals: protocol ${protocolFile.name} (${oneLine(protocolFile.file)}) threw: ${oneLine(thrownWhere(error, protocolFile.file))}\n`,
    );
    return true;
  }
  // A value that is not an Error has no stack to tell whose code threw it: only a protocol file's
  // code throws one (the tool's and its libraries' throw Errors), so it is the loaded files'.
  // So is an Error whose message or stack is no text (the tool's always are).
  const files = isPlainError(error) ? [] : loadedProtocolFiles();
  if (files.length === 0) return false;
  const who =
    files.length === 1 ? `protocol ${files[0]!.name} (${files[0]!.file})` : `one of the protocol files ${files.map((p) => `${p.name} (${p.file})`).join(', ')}`;
  streams.stderr.write(`twogenerals: ${oneLine(`${who} threw: ${thrownText(error)}`)}\n`);
  return true;
}

/**
 * An error nothing caught (a callback a protocol file scheduled, which throws or calls
 * process.exit after its module ran): the file's, exit 2, where the error says so; else internal.
 */
function reportUncaught(error: unknown, streams: Streams): number {
  if (isThrownError(error) && error instanceof UsageError) {
    streams.stderr.write(`twogenerals: ${namingProtocolFile(error).message}\n`);
    return EXIT.usage;
  }
  if (reportProtocolFileError(error, streams)) return EXIT.usage;
  return reportInternal(error, streams);
}

/** An internal failure: one line (the stack only with TWOGENERALS_DEBUG), exit 3. */
function reportInternal(error: unknown, streams: Streams): number {
  const message = thrownText(error);
  const detail = (isThrownError(error) ? errorText(error, 'stack') : undefined) ?? message;
  streams.stderr.write(`twogenerals: internal error (please report it): ${oneLine(message)}\n`);
  if (streams.env['TWOGENERALS_DEBUG']) streams.stderr.write(`${detail}\n`);
  return EXIT.internal;
}

function oneLine(message: string): string {
  const line = terminalSafe(message, true)
    .replace(/^error: /, '')
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' ');
  // A flag's value of any length is echoed by commander: shown by its ends.
  return byItsEnds(line, 1000, 700, 200);
}

/**
 * The process's entry point. Standard output that closes early (`| head -1`) is no error: the
 * run goes on, saves what `--out` asks for, and its exit code still reports the gate. Output
 * that cannot be written (`> /dev/full`) is one line on stderr and exit 2, whatever the gate.
 */
export function main(argv: readonly string[]): void {
  const { streams, stdout, settle } = processOutput();
  // Ctrl-C and SIGTERM end every command with one line and nothing half-written (interruptions.ts).
  interruptions.watchEverywhere(streams);
  guardCallbacksFromNodeAlone();
  const fatal = (error: unknown): void => {
    exitWith(reportUncaught(error, streams));
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  void (async () => {
    let code = await runCli(argv, streams);
    await settle();
    if (stdout.failure && code !== EXIT.internal) {
      streams.stderr.write(`twogenerals: cannot write the output: ${systemErrorWords(stdout.failure)}\n`);
      code = EXIT.usage;
    }
    process.exitCode = code;
    // A protocol file's timer (a setInterval) would keep the process alive after its results,
    // for ever; its 'exit' or 'beforeExit' listener, or a late callback, would change the code
    // the gates set. So where a file ran, the command ends here.
    if (loadedProtocolFiles().length > 0) exitWith(code);
  })().catch(fatal);
}

/** Ends the process with `code`, set again after every other listener of 'exit' (a protocol file's, registered before, would set it back to 0). */
function exitWith(code: number): never {
  process.on('exit', () => {
    process.exitCode = code;
  });
  process.exit(code);
}
