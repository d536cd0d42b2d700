import type { Command } from 'commander';
import { refuseContradictions } from './contradictions.js';
import { capWorkers } from './options.js';
import type { Streams } from './output.js';

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

function applySessionFlags(root: Command, action: Command, streams: Streams, args: readonly string[]): void {
  refuseContradictions(action, args);
  const { quiet, color, github } = root.opts<{ quiet?: boolean; color?: boolean; github?: boolean }>();
  const session = streams as { quiet?: boolean; github?: boolean };
  session.github = github !== false && streams.env['GITHUB_ACTIONS'] === 'true';
  session.quiet = quiet === true;
  capWorkers(action, (text) => quiet || streams.stderr.write(text));
  const env = streams.env;
  if (color === true && root.getOptionValueSource('color') === 'cli') [env['FORCE_COLOR'], env['NO_COLOR']] = ['1', undefined];
  if (color === false) [env['NO_COLOR'], env['FORCE_COLOR']] = ['1', undefined];
}
