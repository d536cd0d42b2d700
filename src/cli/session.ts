import type { Command } from 'commander';
import { refuseContradictions } from './contradictions.js';
import { capWorkers } from './options.js';
import type { Output, Streams } from './output.js';

/**
 * The flags every command takes (`--quiet`, `--color`/`--no-color`, `--no-github`), applied to
 * the session's streams before the command acts; a contradictory command line is refused and
 * `--workers` capped there too. `streams` is the session's own copy (its env may change).
 */
export function addSessionFlags(program: Command, streams: Streams, args: readonly string[]): Command {
  return program
    .option('--quiet', 'no progress, notes or warnings: only results and errors')
    .option('--color', 'colour the output even where it is not a terminal')
    .option('--no-color', 'no colour, even on a terminal')
    .option('--no-github', 'under GitHub Actions, no ::error annotations for failed gates and no summary in $GITHUB_STEP_SUMMARY')
    .configureHelp({ showGlobalOptions: true })
    .hook('preAction', (root, action) => applySessionFlags(root, action, streams, args));
}

/** A session whose notes wait for its first output (see holdUntilOutput). */
interface HoldingSession {
  stdout: Output;
  stderr: Output;
  flushHeldNotes?: () => void;
}

/**
 * A note from the flags alone (`--workers` capped) waits until the command writes something: a
 * command refused for its input prints only its one line (runCli writes refusals to the process's
 * own streams, past the hold), and one that goes on prints the note before anything else.
 */
function holdUntilOutput(streams: Streams, text: string): void {
  const session = streams as unknown as HoldingSession;
  const { stdout, stderr } = session;
  let held: string | null = text;
  const flush = (): void => {
    if (held === null) return;
    const note = held;
    held = null;
    [session.stdout, session.stderr] = [stdout, stderr];
    stderr.write(note);
  };
  // Proxies, not wrappers: the progress bar drives stderr as the terminal stream it is.
  const flushingFirst = (output: Output): Output =>
    new Proxy(output, {
      get(target, key) {
        if (key === 'write') return (...args: unknown[]) => (flush(), (target.write as (...a: unknown[]) => unknown)(...args));
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  [session.stdout, session.stderr] = [flushingFirst(stdout), flushingFirst(stderr)];
  session.flushHeldNotes = flush;
}

/** Prints a held note a command that wrote nothing still owes (it ran: the note applies). */
export function flushHeldNotes(streams: Streams): void {
  (streams as unknown as HoldingSession).flushHeldNotes?.();
}

function applySessionFlags(root: Command, action: Command, streams: Streams, args: readonly string[]): void {
  refuseContradictions(action, args);
  const { quiet, color, github } = root.opts<{ quiet?: boolean; color?: boolean; github?: boolean }>();
  const session = streams as { quiet?: boolean; github?: boolean };
  session.github = github !== false && streams.env['GITHUB_ACTIONS'] === 'true';
  session.quiet = quiet === true;
  capWorkers(action, (text) => quiet || holdUntilOutput(streams, text));
  const env = streams.env;
  if (color === true && root.getOptionValueSource('color') === 'cli') [env['FORCE_COLOR'], env['NO_COLOR']] = ['1', undefined];
  if (color === false) [env['NO_COLOR'], env['FORCE_COLOR']] = ['1', undefined];
}
